//! What both audiences' pages use: components, views of domain objects, the
//! public site facts, and the server-side helpers of server functions.

pub mod authorizer_card;
pub mod copy_button;
pub mod hydration;
pub mod lang_switch;
pub mod public_layout;
pub mod site;
#[cfg(feature = "ssr")]
pub(crate) mod ssr;
pub mod views;
