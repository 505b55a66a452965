//! Integration tests: the real application on port 0 with a fresh SQLite file.

mod companies;
mod component_events;
mod component_token;
mod config;
mod health;
mod helpers;
mod onboarding;
