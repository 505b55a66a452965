//! The admin server functions, all under `/api/admin/`: the router's guard
//! answers 401 to any of them without a session.

pub mod account;
pub mod account_actions;
pub mod api_keys;
pub mod audit;
pub mod companies;
pub mod events;
pub mod fast_registrations;
pub mod invites;
pub mod me;
pub mod overview;
pub mod release_check;
pub mod status;
pub mod webhooks;
