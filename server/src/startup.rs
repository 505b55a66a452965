//! Building and running the application: database, router, listener, shutdown.

use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

use anyhow::Context as _;
use axum::Router;
use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use platform::clock::Clock;
use platform::component::ComponentService;
use platform::vault::Vault;
use platform::{Platform, PlatformSettings};
use secrecy::ExposeSecret as _;
use store::Store;
use tokio::net::TcpListener;
use wechat::Secret;
use wechat::client::{ClientConfig, ComponentClient};
use wechat::crypto::MessageCrypto;

use crate::config::Config;
use crate::sandbox::DEMO_ADMIN_LOGIN;
use crate::sandbox_sim::{self, EmbeddedSim};
use crate::web::WebSecurity;

/// What every handler can extract.
#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub platform: Platform,
    pub security: WebSecurity,
}

/// A built application: database open and migrated, listeners bound.
pub struct Application {
    listener: TcpListener,
    router: Router,
    /// `WEIQIAO_API_ADDR`: the token service's own listener and router.
    api: Option<(TcpListener, Router)>,
    platform: Platform,
    sim: Option<EmbeddedSim>,
}

/// How often the component token refresher wakes up when nothing else wakes it.
const REFRESH_TICK: Duration = Duration::from_secs(30);
/// How often API key issuance counts are written (they are counted in memory).
const ISSUANCE_FLUSH_TICK: Duration = Duration::from_secs(1);
/// How often expired sessions and old sign-in failures are deleted.
const SESSION_PURGE_TICK: Duration = Duration::from_secs(600);
/// How often pushes due for processing (retries, or left by a crash) are looked for.
const EVENT_RETRY_TICK: Duration = Duration::from_secs(5);
/// How long a shutdown waits for pushes being processed; the rest resume after the restart.
const EVENT_WORK_AT_SHUTDOWN: Duration = Duration::from_secs(10);
/// How long a shutdown waits for the authorizer token refreshes under way
/// (WeChat's answers take at most the request timeout).
const REFRESHES_AT_SHUTDOWN: Duration = Duration::from_secs(20);
/// How often messages past their retention are purged.
const MESSAGE_PURGE_TICK: Duration = Duration::from_secs(3600);
/// How long deliveries under way may finish at shutdown (their leases cover the rest).
const DELIVERIES_AT_SHUTDOWN: Duration = Duration::from_secs(10);

impl Application {
    /// Opens the database (running migrations), binds the listeners and
    /// builds the services. Nothing is served until [`Application::run_until_stopped`].
    pub async fn build(mut config: Config) -> anyhow::Result<Self> {
        // Counters count from start-up on, whether /metrics is served or not.
        crate::routes::metrics::install();
        let sandbox = config.sandbox.clone();
        let sim_listener = match &sandbox {
            Some(sandbox) => Some(sandbox_sim::bind(&mut config, sandbox).await?),
            None => None,
        };

        let store = Store::connect(&config.database_url)
            .await
            .with_context(|| {
                format!("opening the database {}", redact_url(&config.database_url))
            })?;
        let listener = TcpListener::bind(config.site_addr)
            .await
            .with_context(|| format!("listening on {}", config.site_addr))?;
        let address = listener.local_addr().context("reading the bound address")?;
        let public_url = match &config.public_url {
            Some(url) => url.as_str().trim_end_matches('/').to_owned(),
            None => format!("http://{address}"),
        };

        let sim = match (&sandbox, sim_listener) {
            (Some(sandbox), Some(sim_listener)) => {
                Some(sandbox_sim::build(&config, sandbox, sim_listener, address)?)
            }
            _ => None,
        };

        // In sandbox mode Weiqiao's time follows the emulator's, so advancing
        // the emulator's clock (its control API) ages invites and tokens alike.
        let clock = match &sim {
            Some(sim) => {
                let sim_clock = sim.simulator.clock().clone();
                Clock::following(move || sim_clock.offset_secs())
            }
            None => Clock::default(),
        };
        let component = component_service(&config, store.clone(), clock)?;
        let platform = Platform::new(
            store,
            platform_settings(&config, public_url.clone()),
            component,
            config.secret_key.expose(),
        )
        .with_scheduler(config.scheduler.clone())
        .with_gateway_settings(config.gateway.clone());
        platform
            .check_installation(config.adopt_database)
            .await
            .map_err(|err| anyhow::anyhow!("{err}"))?;
        if let Some(sandbox) = &sandbox {
            platform
                .admins()
                .ensure(DEMO_ADMIN_LOGIN, &sandbox.demo_admin_password)
                .await
                .context("creating the sandbox's demo admin")?;
            // On stdout for the person who ran `cargo xtask run`; sandbox only.
            println!(
                "Sandbox sign-in: {public_url}/login  login: {DEMO_ADMIN_LOGIN}  password: {} (kept in {})",
                sandbox.demo_admin_password,
                sandbox.data_dir.join("sandbox.json").display()
            );
        }
        let public = url::Url::parse(&public_url).context("WEIQIAO_PUBLIC_URL")?;
        let state = AppState {
            leptos_options: leptos_options(address, config.site_root.as_deref())?,
            platform: platform.clone(),
            security: WebSecurity::new(&public, address, config.trusted_proxies.clone()),
        };
        let api = match config.api_addr {
            Some(api_addr) => {
                let api_listener = TcpListener::bind(api_addr)
                    .await
                    .with_context(|| format!("listening on {api_addr} (WEIQIAO_API_ADDR)"))?;
                Some((api_listener, crate::router::api_router(state.clone())))
            }
            None => None,
        };
        let router = crate::router::main_router(state, api.is_none());

        if let Some(sim) = &sim {
            tracing::warn!(emulator = %sim.address, "sandbox mode: generated credentials, the built-in WeChat emulator stands in for WeChat");
        }
        tracing::info!(%address, %public_url, "Weiqiao is listening");
        Ok(Self {
            listener,
            router,
            api,
            platform,
            sim,
        })
    }

    /// The port actually bound (useful with port 0 in tests).
    pub fn port(&self) -> u16 {
        self.listener
            .local_addr()
            .map(|a| a.port())
            .unwrap_or_default()
    }

    /// The token service's own port, when `WEIQIAO_API_ADDR` is set.
    pub fn api_port(&self) -> Option<u16> {
        self.api
            .as_ref()
            .and_then(|(listener, _)| listener.local_addr().ok())
            .map(|a| a.port())
    }

    /// The embedded emulator in sandbox mode.
    pub fn simulator(&self) -> Option<&wechat_sim::Simulator> {
        self.sim.as_ref().map(|sim| &sim.simulator)
    }

    /// The embedded emulator's address in sandbox mode.
    pub fn simulator_address(&self) -> Option<SocketAddr> {
        self.sim.as_ref().map(|sim| sim.address)
    }

    /// The services, for tests and subcommands.
    pub fn platform(&self) -> &Platform {
        &self.platform
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
            api,
            platform,
            sim,
        } = self;
        let mut background = tokio::task::JoinSet::new();
        if let Some(EmbeddedSim {
            simulator,
            listener,
            ..
        }) = sim
        {
            let pusher = simulator.spawn_ticket_pusher();
            background.spawn(async move {
                if let Err(err) = simulator.serve(listener).await {
                    tracing::error!(error = %err, "sandbox emulator stopped");
                }
                pusher.abort();
            });
        }
        background.spawn(
            platform
                .component()
                .clone()
                .run_component_token_refresher(REFRESH_TICK),
        );
        // Not in `background`: at shutdown it finishes the refreshes under way
        // instead of being aborted in the middle of one.
        let scheduler = tokio::spawn(platform.clone().run_authorizer_scheduler());
        background.spawn(
            platform
                .api_keys()
                .clone()
                .run_issuance_flusher(ISSUANCE_FLUSH_TICK),
        );
        // Webhook deliveries: what a crash left is claimed again once its lease runs out.
        let delivering = tokio_util::sync::CancellationToken::new();
        let deliveries = tokio::spawn(platform::messages::delivery::run_delivery_worker(
            platform.messages().clone(),
            delivering.clone(),
        ));
        let messages = platform.messages().clone();
        background.spawn(async move {
            loop {
                match messages.purge_expired().await {
                    Ok(0) => {}
                    Ok(n) => tracing::info!(purged = n, "messages past their retention purged"),
                    Err(err) => tracing::warn!(error = %err, "purging old messages failed"),
                }
                tokio::time::sleep(MESSAGE_PURGE_TICK).await;
            }
        });
        // Resumes what a crash or the last shutdown left, then retries what is due.
        background.spawn(platform.clone().run_event_retries(EVENT_RETRY_TICK));
        let admins = platform.admins().clone();
        background.spawn(async move {
            loop {
                if let Err(err) = admins.purge_expired().await {
                    tracing::warn!(error = %err, "purging expired sessions failed");
                }
                tokio::time::sleep(SESSION_PURGE_TICK).await;
            }
        });

        // One shutdown signal for both listeners.
        let (stop, stopped) = tokio::sync::watch::channel(false);
        tokio::spawn(async move {
            shutdown.await;
            let _ = stop.send(true);
        });
        let until_stopped = |mut stopped: tokio::sync::watch::Receiver<bool>| async move {
            let _ = stopped.wait_for(|stop| *stop).await;
        };
        let api_server = api.map(|(api_listener, api_router)| {
            let stopped = until_stopped(stopped.clone());
            tokio::spawn(async move {
                axum::serve(
                    api_listener,
                    api_router.into_make_service_with_connect_info::<SocketAddr>(),
                )
                .with_graceful_shutdown(stopped)
                .await
            })
        });
        let served = axum::serve(
            listener,
            router.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(until_stopped(stopped))
        .await;
        if let Some(api_server) = api_server {
            match api_server.await {
                Ok(Err(err)) => tracing::error!(error = %err, "token service listener failed"),
                Err(err) => tracing::error!(error = %err, "token service listener panicked"),
                Ok(Ok(())) => {}
            }
        }
        platform.stop_refreshing();
        if tokio::time::timeout(REFRESHES_AT_SHUTDOWN, scheduler)
            .await
            .is_err()
        {
            tracing::warn!("refreshes still under way at shutdown; their leases expire");
        }
        background.shutdown().await;
        delivering.cancel();
        if tokio::time::timeout(DELIVERIES_AT_SHUTDOWN, deliveries)
            .await
            .is_err()
        {
            tracing::warn!("webhook deliveries still under way at shutdown; their leases expire");
        }
        platform.finish_event_work(EVENT_WORK_AT_SHUTDOWN).await;
        if let Err(err) = platform.api_keys().flush_issuance().await {
            tracing::error!(error = %err, "writing the last API key issuance counts failed");
        }
        platform.close().await;
        tracing::info!("stopped");
        served
    }
}

/// The services without the HTTP server, for admin subcommands run beside a
/// serving instance: same database, same credentials; in sandbox mode, the
/// running server's emulator (on `WECHAT_SIM_LISTEN`).
pub async fn admin_platform(mut config: Config) -> anyhow::Result<Platform> {
    if let Some(sandbox) = &config.sandbox {
        let base =
            url::Url::parse(&format!("http://{}", sandbox.sim_listen)).context("emulator URL")?;
        config.wechat.api_base = base.clone();
        config.wechat.mp_base = base.clone();
        config.wechat.open_base = base;
    }
    let store = Store::connect(&config.database_url)
        .await
        .with_context(|| format!("opening the database {}", redact_url(&config.database_url)))?;
    let component = component_service(&config, store.clone(), Clock::default())?;
    let public_url = config.public_url.as_ref().map_or_else(
        || format!("http://{}", config.site_addr),
        |url| url.as_str().trim_end_matches('/').to_owned(),
    );
    Ok(Platform::new(
        store,
        platform_settings(&config, public_url),
        component,
        config.secret_key.expose(),
    ))
}

/// What the use cases need to know of this deployment.
fn platform_settings(config: &Config, public_url: String) -> PlatformSettings {
    let mut settings = PlatformSettings::new(config.sandbox.is_some(), public_url);
    settings
        .required_official_account_permissions
        .clone_from(&config.required_official_account_permissions);
    settings
        .required_mini_program_permissions
        .clone_from(&config.required_mini_program_permissions);
    settings.event_grace_secs = config.event_grace_secs;
    settings.session_policy = config.session_policy;
    settings
}

/// The component service from the configured credentials.
fn component_service(
    config: &Config,
    store: Store,
    clock: Clock,
) -> anyhow::Result<ComponentService> {
    let wechat = &config.wechat;
    let crypto = MessageCrypto::new(
        wechat.token.expose_secret(),
        wechat.encoding_aes_key.expose_secret(),
        &wechat.component_appid,
    )
    .context("WECHAT_COMPONENT_ENCODING_AES_KEY is invalid")?;
    let client = ComponentClient::new(
        ClientConfig {
            api_base: wechat.api_base.as_str().trim_end_matches('/').to_owned(),
            mp_base: wechat.mp_base.as_str().trim_end_matches('/').to_owned(),
            open_base: wechat.open_base.as_str().trim_end_matches('/').to_owned(),
            request_timeout: config.wechat_request_timeout,
            ..ClientConfig::default()
        },
        wechat.component_appid.clone(),
        Secret::new(wechat.component_appsecret.expose_secret()),
    )
    .context("building the WeChat client")?;
    let vault = Vault::new(config.secret_key.expose());
    let instance_id = format!("{:016x}", rand::random::<u64>());
    Ok(ComponentService::new(
        store,
        vault,
        client,
        crypto,
        clock,
        instance_id,
    ))
}

/// Leptos' options: its file layout from the `LEPTOS_*` variables cargo-leptos
/// sets, with our own validated listen address. Asset names carry content
/// hashes when the build wrote its `hash.txt` beside this binary (cargo-leptos
/// with `hash-files`; `cargo xtask dist` copies it), whatever the environment says.
fn leptos_options(address: SocketAddr, site_root: Option<&str>) -> anyhow::Result<LeptosOptions> {
    let mut options = leptos::config::get_configuration(None)
        .context("reading the LEPTOS_* settings")?
        .leptos_options;
    options.site_addr = address;
    if let Some(root) = site_root {
        options.site_root = root.into();
    }
    options.hash_files = std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(|dir| dir.join(&*options.hash_file)))
        .is_some_and(|hashes| hashes.exists());
    Ok(options)
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
