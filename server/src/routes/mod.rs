//! HTTP endpoints outside the Leptos UI.

pub mod component_events;
pub mod health;
pub mod message_events;
pub mod metrics;
pub mod onboarding;
pub mod token_api;
