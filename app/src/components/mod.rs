//! Building blocks shared by pages.

pub mod authorizer_card;
pub mod copy_button;
pub mod hydration;
pub mod lang_switch;
pub mod layout;
pub mod platform_status;
