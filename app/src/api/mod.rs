//! Server functions, one area per file. Each parses its arguments, calls one
//! `platform` use case and maps the outcome to types the browser can read.

pub mod companies;
pub mod invites;
pub mod onboarding;
pub mod site;
pub mod status;
pub mod views;

#[cfg(feature = "ssr")]
pub(crate) mod ssr;
