//! HTTP endpoints outside the Leptos UI.

pub mod health;
