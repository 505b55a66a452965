//! Behind sign-in: the operator's pages and their server functions.

pub mod account;
pub mod accounts;
pub mod api;
pub mod api_keys;
pub mod audit;
pub mod companies;
pub mod company;
pub mod events;
pub mod fast_registrations;
pub mod layout;
pub mod overview;
pub mod platform_status;
pub mod release_check;
pub mod unassigned;
pub mod webhooks;
