//! Integration tests: the real application on port 0 with a fresh SQLite file.

// Test helpers live outside `#[test]` functions, where clippy's
// `allow-unwrap-in-tests` does not reach; here a panic is the test failing.
#![allow(clippy::unwrap_used, reason = "test helpers: a panic is a failed test")]

mod access;
mod account_page;
mod admin_language;
mod api_keys_page;
mod audit_log;
mod authorization_events;
mod authorizer_tokens;
mod companies;
mod component_events;
mod component_token;
mod config;
mod event_retries;
mod events_page;
mod fast_registration;
mod health;
mod helpers;
mod hostile_pushes;
mod instances;
mod killed_deliveries;
mod message_gateway;
mod metrics;
mod onboarding;
mod overview;
mod pre_auth_codes;
mod production;
mod reconcile_page;
mod refresh_tokens;
mod release_check;
mod send_api;
mod sign_in;
mod token_reads;
mod token_service;
mod transient_failures;
mod web_security;
mod webhooks_page;
