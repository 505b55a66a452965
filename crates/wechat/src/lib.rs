//! WeChat Open Platform third-party platform (第三方平台) protocol: what
//! Weiqiao and its emulator must agree on, and nothing else. The README
//! below is the crate's documentation (its examples run as doctests).

#![doc = include_str!("../README.md")]

pub mod client;
pub mod crypto;
pub mod error;
pub mod fast_register;
pub mod links;
pub mod message;
pub mod permissions;
pub mod push;
mod secret;
pub mod wire;

pub use secret::Secret;
