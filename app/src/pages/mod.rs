//! One module per page.

pub mod companies;
pub mod company;
pub mod not_found;
pub mod onboard;
pub mod onboard_error;
pub mod onboard_result;
