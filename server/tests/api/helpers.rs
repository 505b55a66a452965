//! `spawn_app()`: the real application on 127.0.0.1:0 with a temp database.

use std::collections::HashMap;

use server::config::Config;
use server::startup::Application;
use tempfile::TempDir;

pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    /// Holds the database file and sandbox data until the test ends.
    pub dir: TempDir,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    pub fn database_path(&self) -> std::path::PathBuf {
        self.dir.path().join("weiqiao.db")
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// Starts the application in sandbox mode with its own database file.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(&[]).await
}

/// Like [`spawn_app`], with extra variables on top of the test defaults.
pub async fn spawn_app_with(extra: &[(&str, &str)]) -> TestApp {
    server::telemetry::init();
    let dir = tempfile::tempdir().expect("temp dir");
    let mut vars: HashMap<String, String> = [
        ("LEPTOS_SITE_ADDR", "127.0.0.1:0".to_owned()),
        (
            "WEIQIAO_DATABASE_URL",
            format!("sqlite://{}", dir.path().join("weiqiao.db").display()),
        ),
        ("WEIQIAO_SANDBOX", "1".to_owned()),
        ("WECHAT_SIM_LISTEN", "127.0.0.1:0".to_owned()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    for (k, v) in extra {
        vars.insert((*k).to_owned(), (*v).to_owned());
    }
    let config = Config::from_vars(&vars, &dir.path().join("data")).expect("test configuration");
    let app = Application::build(config)
        .await
        .expect("application builds");
    let address = format!("http://127.0.0.1:{}", app.port());
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(app.run_until(async {
        let _ = rx.await;
    }));
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .cookie_store(true)
        .build()
        .expect("client");
    TestApp {
        address,
        client,
        dir,
        shutdown: Some(tx),
    }
}
