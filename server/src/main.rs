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
struct Cli {
    /// Without a subcommand the server serves.
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, clap::Subcommand)]
enum Command {
    /// Manage the admins who sign in to the dashboard.
    #[command(subcommand)]
    Admin(server::cli::admin::AdminCommand),
    /// Manage the API keys of the token service (`/api/v1`).
    #[command(subcommand)]
    ApiKey(server::cli::ApiKeyCommand),
    /// Compares the authorizers with WeChat's list and repairs drift: recovers
    /// lost refresh tokens, marks delisted ones revoked, reports unknown ones.
    Reconcile,
    /// Applies the database's pending migrations and exits (the server also
    /// applies them at start; on PostgreSQL under an advisory lock).
    Migrate,
    /// Manage the message gateway's webhook endpoints.
    #[command(subcommand)]
    Webhook(server::cli::WebhookCommand),
    /// Moves an installation between databases.
    #[command(subcommand)]
    Db(server::cli::DbCommand),
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    // Subcommands print their own results on stdout; no log lines among them.
    match cli.command {
        Some(Command::Admin(command)) => return server::cli::admin::admin(command).await,
        Some(Command::ApiKey(command)) => return server::cli::api_key(command).await,
        Some(Command::Reconcile) => return server::cli::reconcile().await,
        Some(Command::Migrate) => {
            return server::cli::migrate_on(&server::cli::database_url()).await;
        }
        Some(Command::Db(command)) => return server::cli::db(command).await,
        Some(Command::Webhook(command)) => return server::cli::webhook(command).await,
        None => {}
    }
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
