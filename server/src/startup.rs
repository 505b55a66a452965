//! Building and running the application: database, router, listener, shutdown.

use std::future::Future;
use std::net::SocketAddr;

use anyhow::Context as _;
use app::{App, shell};
use axum::Router;
use axum::extract::FromRef;
use axum::routing::get;
use leptos::config::LeptosOptions;
use leptos::prelude::provide_context;
use leptos_axum::{LeptosRoutes as _, generate_route_list};
use platform::{Platform, PlatformSettings};
use store::Store;
use tokio::net::TcpListener;

use crate::config::Config;
use crate::routes;

/// What every handler can extract.
#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub platform: Platform,
}

/// A built application: database open and migrated, listener bound.
pub struct Application {
    listener: TcpListener,
    router: Router,
    platform: Platform,
}

impl Application {
    /// Opens the database (running migrations) and binds the listener.
    /// Nothing is served until [`Application::run_until_stopped`].
    pub async fn build(config: Config) -> anyhow::Result<Self> {
        let store = Store::connect(&config.database_url)
            .await
            .with_context(|| {
                format!("opening the database {}", redact_url(&config.database_url))
            })?;
        let platform = Platform::new(
            store,
            PlatformSettings {
                sandbox: config.sandbox.is_some(),
                public_url: config.public_url.as_str().trim_end_matches('/').to_owned(),
            },
        );

        let listener = TcpListener::bind(config.site_addr)
            .await
            .with_context(|| format!("listening on {}", config.site_addr))?;
        let address = listener.local_addr().context("reading the bound address")?;

        let leptos_options = leptos_options(address)?;
        let router = router(AppState {
            leptos_options,
            platform: platform.clone(),
        });

        if config.sandbox.is_some() {
            tracing::warn!("sandbox mode: generated credentials, no real WeChat is contacted");
        }
        tracing::info!(%address, public_url = %config.public_url, "Weiqiao is listening");
        Ok(Self {
            listener,
            router,
            platform,
        })
    }

    /// The port actually bound (useful with port 0 in tests).
    pub fn port(&self) -> u16 {
        self.listener
            .local_addr()
            .map(|a| a.port())
            .unwrap_or_default()
    }

    /// Serves until SIGINT or SIGTERM, then finishes in-flight requests and closes the database.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.run_until(shutdown_signal()).await
    }

    /// Serves until `shutdown` completes.
    pub async fn run_until(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let Self {
            listener,
            router,
            platform,
        } = self;
        let served = axum::serve(
            listener,
            router.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(shutdown)
        .await;
        platform.close().await;
        tracing::info!("stopped");
        served
    }
}

/// Leptos' options: its file layout from the `LEPTOS_*` variables cargo-leptos
/// sets, with our own validated listen address.
fn leptos_options(address: SocketAddr) -> anyhow::Result<LeptosOptions> {
    let mut options = leptos::config::get_configuration(None)
        .context("reading the LEPTOS_* settings")?
        .leptos_options;
    options.site_addr = address;
    Ok(options)
}

fn router(state: AppState) -> Router {
    let routes = generate_route_list(App);
    let platform = state.platform.clone();
    let options = state.leptos_options.clone();
    Router::new()
        .route("/healthz", get(routes::health::healthz))
        .leptos_routes_with_context(
            &state,
            routes,
            move || provide_context(platform.clone()),
            move || shell(options.clone()),
        )
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        .layer(crate::telemetry::request_log_layer())
        .with_state(state)
}

/// Hides a password in a database URL before it is logged.
fn redact_url(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            let _ = parsed.set_password(Some("***"));
            parsed.to_string()
        }
        _ => url.to_owned(),
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(err) = tokio::signal::ctrl_c().await {
            tracing::error!(%err, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(err) => {
                tracing::error!(%err, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutdown requested; finishing in-flight requests");
}
