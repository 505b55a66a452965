//! Weiqiao's server: reads the configuration once, opens the database,
//! mounts the Leptos UI and the HTTP endpoints, and runs until told to stop.
//! `main.rs` is a thin shell around [`startup::Application`] so that
//! integration tests start the very same application on port 0.

pub mod cli;
pub mod config;
pub mod router;
pub mod routes;
pub mod sandbox;
pub mod sandbox_sim;
pub mod startup;
pub mod telemetry;
pub mod web;
