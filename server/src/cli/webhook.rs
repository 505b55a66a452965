//! `server webhook create | list | disable | enable | delete | replay`: the
//! message gateway's endpoints from the command line, on the configured
//! database (the signing secret is sealed with WEIQIAO_SECRET_KEY, so the
//! whole configuration is read, as `server reconcile` does).

use std::process::ExitCode;

use platform::Platform;
use platform::messages::{EndpointRequest, EndpointState};

/// Webhook endpoints of the message gateway.
#[derive(Debug, clap::Subcommand)]
pub enum WebhookCommand {
    /// Registers an endpoint and prints its signing secret once on stdout.
    Create {
        /// Where deliveries are POSTed, e.g. https://backend.example.com/wechat
        #[arg(long)]
        url: String,
        /// Only this company's accounts (default: every company's).
        #[arg(long, value_name = "ID")]
        company: Option<i64>,
        /// Only these message types (repeat), e.g. --msg-type text --msg-type event.
        #[arg(long = "msg-type")]
        msg_types: Vec<String>,
        /// Only these events (repeat), e.g. --event subscribe.
        #[arg(long = "event")]
        events: Vec<String>,
        /// Only these accounts (repeat), by appid.
        #[arg(long = "appid")]
        appids: Vec<String>,
        /// Wait for the endpoint's reply and send it to the user as a passive reply.
        #[arg(long)]
        synchronous: bool,
        /// How long a synchronous endpoint may take (100–4000 ms).
        #[arg(long, value_name = "MS")]
        budget_ms: Option<i64>,
    },
    /// Lists every endpoint with its deliveries by state.
    List,
    /// Stops deliveries to an endpoint (queued ones wait).
    Disable { id: i64 },
    /// Resumes deliveries to an endpoint.
    Enable { id: i64 },
    /// Deletes an endpoint with its queue and log.
    Delete { id: i64 },
    /// Sends a failed (dead) delivery again, with a new 24-hour window.
    Replay {
        /// The delivery's id, as the dashboard's delivery log shows it.
        delivery: i64,
    },
}

/// Runs one `webhook` subcommand with the configuration from the environment.
pub async fn webhook(command: WebhookCommand) -> ExitCode {
    let config = match crate::config::Config::from_env() {
        Ok(config) => config,
        Err(err) => {
            eprintln!("weiqiao: configuration error: {err}");
            return ExitCode::from(2);
        }
    };
    webhook_with(config, command).await
}

/// [`webhook`] with a given configuration.
pub async fn webhook_with(config: crate::config::Config, command: WebhookCommand) -> ExitCode {
    let platform = match crate::startup::admin_platform(config).await {
        Ok(platform) => platform,
        Err(err) => {
            eprintln!("weiqiao: {err:#}");
            return ExitCode::FAILURE;
        }
    };
    let result = run(&platform, command).await;
    platform.close().await;
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("weiqiao: {err}");
            ExitCode::FAILURE
        }
    }
}

async fn run(platform: &Platform, command: WebhookCommand) -> Result<(), String> {
    let endpoints = platform.messages().endpoints();
    let text = |e: &dyn std::fmt::Display| e.to_string();
    match command {
        WebhookCommand::Create {
            url,
            company,
            msg_types,
            events,
            appids,
            synchronous,
            budget_ms,
        } => {
            let (endpoint, secret) = endpoints
                .create(EndpointRequest {
                    company_id: company,
                    url,
                    appids,
                    msg_types,
                    events,
                    synchronous,
                    reply_budget_ms: budget_ms,
                    max_in_flight: None,
                })
                .await
                .map_err(|e| text(&e))?;
            eprintln!("endpoint #{} registered; its signing secret:", endpoint.id);
            // The secret alone on stdout, so `SECRET=$(server webhook create …)` works.
            println!("{secret}");
        }
        WebhookCommand::List => {
            for e in endpoints.list().await.map_err(|e| text(&e))?.iter() {
                let (pending, delivered, dead) = platform
                    .messages()
                    .delivery_counts(e.id)
                    .await
                    .map_err(|e| text(&e))?;
                let state = if e.state == EndpointState::Active {
                    "active"
                } else {
                    "disabled"
                };
                let scope = e
                    .company_id
                    .map_or_else(|| "all companies".to_owned(), |c| format!("company {c}"));
                let mode = if e.synchronous {
                    "synchronous"
                } else {
                    "asynchronous"
                };
                println!(
                    "#{} {} [{state}, {scope}, {mode}] pending {pending}, delivered {delivered}, failed {dead}",
                    e.id, e.url
                );
            }
        }
        WebhookCommand::Disable { id } => {
            endpoints
                .set_active(id, false)
                .await
                .map_err(|e| text(&e))?;
            println!("endpoint #{id} disabled");
        }
        WebhookCommand::Enable { id } => {
            endpoints.set_active(id, true).await.map_err(|e| text(&e))?;
            println!("endpoint #{id} enabled");
        }
        WebhookCommand::Delete { id } => {
            endpoints.delete(id).await.map_err(|e| text(&e))?;
            println!("endpoint #{id} deleted");
        }
        WebhookCommand::Replay { delivery } => {
            if !platform
                .messages()
                .replay(delivery)
                .await
                .map_err(|e| text(&e))?
            {
                return Err(format!(
                    "delivery #{delivery} has not failed: nothing to replay"
                ));
            }
            println!("delivery #{delivery} queued again");
        }
    }
    Ok(())
}
