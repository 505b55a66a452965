//! The `server` binary.

use std::process::ExitCode;

use clap::Parser;
use server::config::Config;
use server::startup::Application;

/// Weiqiao (微桥): a self-hosted console for a WeChat Open Platform third-party platform.
///
/// Configuration comes from the environment and an optional `.env` file in the
/// working directory; see the README for every variable and its default.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Cli {}

#[tokio::main]
async fn main() -> ExitCode {
    let _cli = Cli::parse();
    server::telemetry::init();

    let config = match Config::from_env() {
        Ok(config) => config,
        Err(err) => {
            // One line naming the variable; nothing has started yet.
            eprintln!("weiqiao: configuration error: {err}");
            return ExitCode::from(2);
        }
    };
    let app = match Application::build(config).await {
        Ok(app) => app,
        Err(err) => {
            eprintln!("weiqiao: start-up failed: {err:#}");
            return ExitCode::FAILURE;
        }
    };
    match app.run_until_stopped().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("weiqiao: server error: {err:#}");
            ExitCode::FAILURE
        }
    }
}
