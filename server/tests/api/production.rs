//! `spawn_production_app()`: the real application in production mode (no
//! sandbox: real-looking credentials from the configuration, no embedded
//! emulator, sign-in rules as deployed), talking to a standalone emulator.
//! Security properties are proven here, not only in sandbox mode.

use std::collections::HashMap;

use server::config::Config;
use server::startup::Application;
use wechat_sim::{SimConfig, Simulator};

use crate::helpers::{TestApp, browser};

/// Production mode with `extra` variables on top of the defaults.
/// A production configuration's variables: the database, the secret key,
/// the component's credentials, and WeChat's bases at the emulator.
pub fn production_vars(
    credentials: &server::sandbox::SandboxCredentials,
    database_url: &str,
    sim_url: &str,
) -> Vec<(String, String)> {
    [
        ("WEIQIAO_DATABASE_URL", database_url),
        ("WEIQIAO_SECRET_KEY", credentials.secret_key.as_str()),
        (
            "WECHAT_COMPONENT_APPID",
            credentials.component_appid.as_str(),
        ),
        (
            "WECHAT_COMPONENT_APPSECRET",
            credentials.component_appsecret.as_str(),
        ),
        ("WECHAT_COMPONENT_TOKEN", credentials.token.as_str()),
        (
            "WECHAT_COMPONENT_ENCODING_AES_KEY",
            credentials.encoding_aes_key.as_str(),
        ),
        ("WECHAT_API_BASE", sim_url),
        ("WECHAT_MP_BASE", sim_url),
        ("WECHAT_OPEN_BASE", sim_url),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect()
}

pub async fn spawn_production_app_with(extra: &[(&str, &str)]) -> TestApp {
    spawn_production_app_configured(extra, |_| {}).await
}

/// Production mode against an emulator whose configuration `emulator`
/// adjusts (its behaviour switches), with seeded accounts and a component
/// token fetched from a first ticket, so onboarding works at once.
pub async fn spawn_production_app_configured(
    extra: &[(&str, &str)],
    emulator: impl FnOnce(&mut SimConfig),
) -> TestApp {
    let dir = tempfile::tempdir().expect("temp dir");
    // Random credentials of WeChat's shapes, as sandbox mode generates them.
    let credentials =
        server::sandbox::load_or_create(&dir.path().join("credentials")).expect("credentials");
    let sim_listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("emulator port");
    let sim_url = format!(
        "http://{}",
        sim_listener.local_addr().expect("emulator address")
    );
    let database_url = store::testing::database_url(dir.path()).await;
    let mut vars: HashMap<String, String> = production_vars(&credentials, &database_url, &sim_url)
        .into_iter()
        .chain([("LEPTOS_SITE_ADDR".to_owned(), "127.0.0.1:0".to_owned())])
        .collect();
    for (k, v) in extra {
        vars.insert((*k).to_owned(), (*v).to_owned());
    }
    let config =
        Config::from_vars(&vars, &dir.path().join("data")).expect("production configuration");
    assert!(config.sandbox.is_none(), "production mode");
    let app = Application::build(config)
        .await
        .expect("application builds");
    let address = format!("http://127.0.0.1:{}", app.port());
    let api_address = app
        .api_port()
        .map(|port| format!("http://127.0.0.1:{port}"));
    let platform = app.platform().clone();
    let push_url =
        url::Url::parse(&format!("{address}/wechat/component/events")).expect("push URL");
    let mut sim_config = SimConfig::new(
        credentials.component_appid.clone(),
        &credentials.component_appsecret,
        &credentials.token,
        &credentials.encoding_aes_key,
    )
    .with_push_url(push_url)
    .with_message_url(format!("{address}/wechat/authorizers/$APPID$/events"));
    emulator(&mut sim_config);
    let sim = Simulator::new(sim_config).expect("emulator");
    sim.seed_demo_accounts();
    tokio::spawn(sim.clone().serve(sim_listener));
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(app.run_until(async {
        let _ = rx.await;
    }));
    let app = TestApp {
        client: browser(&address),
        address,
        api_address,
        sim_url,
        platform,
        sim,
        component_appid: credentials.component_appid.clone(),
        token: credentials.token.clone(),
        encoding_aes_key: credentials.encoding_aes_key.clone(),
        dir,
        database_url,
        shutdown: Some(tx),
    };
    app.sign_in_operator().await;
    app.sim.push_ticket_now().await;
    app.eventually("a component token from the first ticket", || async {
        let status = app.platform.component().component_token_status().await;
        status.is_ok_and(|s| s.state == platform::component::ComponentTokenState::Fresh)
    })
    .await;
    app
}

pub async fn spawn_production_app() -> TestApp {
    spawn_production_app_with(&[]).await
}
