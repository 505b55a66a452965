//! Weiqiao's use cases, independent of HTTP and of the UI: what the product
//! does (create companies, onboard authorizers, keep tokens alive), expressed
//! over the [`store`] and the [`wechat`] protocol crate. `app`'s server
//! functions and `server`'s routes call into [`Platform`]; none of them hold SQL.

pub mod admins;
pub mod api_keys;
pub mod audit;
pub mod authorizers;
pub mod clock;
pub mod companies;
pub mod component;
pub mod events;
pub mod fast_registration;
mod installation;
pub mod messages;
pub mod metrics;
pub mod onboarding;
pub mod overview;
mod paging;
mod platform;
mod single_flight;
pub mod vault;

pub use installation::{InstallationError, InstallationFacts};
pub use platform::{Health, Platform, PlatformSettings};
#[cfg(test)]
mod testing;
