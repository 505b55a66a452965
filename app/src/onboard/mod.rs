//! Public: the merchant's pages and their server functions
//! (`/api/onboard/`). The invite token in the URL is the only key; nothing
//! here links to or reveals anything of the admin side.

pub mod api;
pub mod error;
pub mod invite;
pub mod register;
pub mod register_api;
pub mod result;
