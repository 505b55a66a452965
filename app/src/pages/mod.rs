//! One module per page.

pub mod companies;
pub mod not_found;
