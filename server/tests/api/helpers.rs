//! `spawn_app()`: the real application on 127.0.0.1:0 with a temp database.

use std::collections::HashMap;

use secrecy::ExposeSecret as _;
use server::config::Config;
use server::startup::Application;
use tempfile::TempDir;

/// The admin every test app has, signed in on [`TestApp::client`].
pub const ADMIN_LOGIN: &str = "operator";
pub const ADMIN_PASSWORD: &str = "operator's long password";

pub struct TestApp {
    pub address: String,
    /// The token service's own listener, when `WEIQIAO_API_ADDR` is set.
    pub api_address: Option<String>,
    /// The embedded emulator's base URL.
    pub sim_url: String,
    pub platform: platform::Platform,
    pub sim: wechat_sim::Simulator,
    /// The generated sandbox credentials, to build pushes as WeChat would.
    pub component_appid: String,
    pub token: String,
    pub encoding_aes_key: String,
    /// Signed in as [`ADMIN_LOGIN`]; sends our own `Origin`, as a browser on our pages does.
    pub client: reqwest::Client,
    /// Holds the database file and sandbox data until the test ends.
    pub dir: TempDir,
    /// The database the server runs on (SQLite in `dir`, or a PostgreSQL
    /// database of the test cluster: see `store::testing`).
    pub database_url: String,
    pub(crate) shutdown: Option<tokio::sync::oneshot::Sender<()>>,
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    /// A browser on our own pages that has not signed in (it sends our `Origin`).
    pub fn anonymous_client(&self) -> reqwest::Client {
        browser(&self.address)
    }

    /// Signs `client` in with the form post, as a browser does; returns the response.
    pub async fn sign_in(
        &self,
        client: &reqwest::Client,
        login: &str,
        password: &str,
    ) -> reqwest::Response {
        client
            .post(self.url("/login"))
            .form(&[("login", login), ("password", password), ("next", "/")])
            .send()
            .await
            .expect("sign-in posted")
    }

    pub fn database_path(&self) -> std::path::PathBuf {
        store::testing::sqlite_path(self.dir.path())
    }

    /// GETs a page (taking a URL or a path) and returns its HTML.
    pub async fn html(&self, url_or_path: impl AsRef<str>) -> String {
        let target = url_or_path.as_ref();
        let url = if target.starts_with("http") {
            target.to_owned()
        } else {
            self.url(target)
        };
        self.client
            .get(url)
            .send()
            .await
            .expect("page")
            .text()
            .await
            .expect("html")
    }

    /// Asserts that none of `secrets` appears in the database file or its WAL
    /// (together they hold every byte written). The pool stays open: closing it
    /// would wait for the running app's connections.
    /// The server's database for raw SQL in a test (either backend; `$N` placeholders).
    pub async fn raw_database(&self) -> Result<sqlx::AnyPool, sqlx::Error> {
        sqlx::any::install_default_drivers();
        sqlx::AnyPool::connect(&self.database_url).await
    }

    pub async fn assert_not_stored_in_clear(&self, secrets: &[&str]) {
        let mut bytes = if store::testing::on_postgres() {
            self.postgres_dump().await
        } else {
            let mut bytes = std::fs::read(self.database_path()).expect("database file");
            bytes.extend(
                std::fs::read(self.database_path().with_extension("db-wal")).unwrap_or_default(),
            );
            bytes
        };
        // A secret stored as bytes shows in PostgreSQL's text of a row as hex.
        if store::testing::on_postgres() {
            bytes = bytes.to_ascii_lowercase();
        }
        for secret in secrets {
            assert!(!secret.is_empty());
            let hex: String = secret.bytes().map(|b| format!("{b:02x}")).collect();
            for form in [secret.as_bytes(), hex.as_bytes()] {
                assert!(
                    !bytes.windows(form.len()).any(|w| w == form),
                    "a secret in clear in the database"
                );
            }
        }
    }

    /// Every row of every table as PostgreSQL's text of it.
    async fn postgres_dump(&self) -> Vec<u8> {
        let pool = self.raw_database().await.expect("the test database");
        let tables: Vec<(String,)> = sqlx::query_as(
            "SELECT table_name::text FROM information_schema.tables WHERE table_schema = 'public'",
        )
        .fetch_all(&pool)
        .await
        .expect("tables");
        let mut text = Vec::new();
        for (table,) in tables {
            let rows: Vec<(String,)> =
                sqlx::query_as(&format!("SELECT t::text FROM \"{table}\" t"))
                    .fetch_all(&pool)
                    .await
                    .expect("rows");
            for (row,) in rows {
                text.extend(row.into_bytes());
            }
        }
        text
    }

    /// Encrypts and signs `xml` with this platform's credentials, as WeChat does.
    pub fn push_for(&self, xml: &str) -> wechat::crypto::EncryptedPush {
        let crypto = wechat::crypto::MessageCrypto::new(
            &self.token,
            &self.encoding_aes_key,
            &self.component_appid,
        )
        .expect("crypto");
        crypto
            .build_push(xml, "1700000000", "123456")
            .expect("push")
    }

    /// POSTs a push to the event URL and returns (status, body).
    pub async fn send_push(&self, push: &wechat::crypto::EncryptedPush) -> (u16, String) {
        let query = serde_urlencoded::to_string(&push.query).expect("query");
        let response = self
            .client
            .post(self.url(&format!("/wechat/component/events?{query}")))
            .header("content-type", "text/xml")
            .body(push.body.clone())
            .send()
            .await
            .expect("push sent");
        (
            response.status().as_u16(),
            response.text().await.expect("body"),
        )
    }

    /// POSTs `body` to the emulator's control API (`/__sim/…`), asserts that it
    /// succeeded, and returns its JSON answer.
    pub async fn sim_control(&self, path: &str, body: serde_json::Value) -> serde_json::Value {
        let response = self
            .client
            .post(format!("{}{path}", self.sim_url))
            .json(&body)
            .send()
            .await
            .expect("emulator control API");
        assert!(
            response.status().is_success(),
            "{path}: {}",
            response.status()
        );
        response.json().await.expect("JSON answer")
    }

    /// Polls `check` every 20 ms until it holds, failing the test after 10 s.
    pub async fn eventually<F, Fut>(&self, what: &str, mut check: F)
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = bool>,
    {
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
        while !check().await {
            assert!(
                tokio::time::Instant::now() < deadline,
                "timed out waiting for: {what}"
            );
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
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
    // Logs only when asked (`TEST_LOG=1 cargo test`): they would drown the test report.
    if std::env::var_os("TEST_LOG").is_some() {
        server::telemetry::init();
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let database_url = store::testing::database_url(dir.path()).await;
    let mut vars: HashMap<String, String> = [
        ("LEPTOS_SITE_ADDR", "127.0.0.1:0".to_owned()),
        ("WEIQIAO_DATABASE_URL", database_url.clone()),
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
    let component_appid = config.wechat.component_appid.clone();
    let token = config.wechat.token.expose_secret().to_owned();
    let encoding_aes_key = config.wechat.encoding_aes_key.expose_secret().to_owned();
    let app = Application::build(config)
        .await
        .expect("application builds");
    let address = format!("http://127.0.0.1:{}", app.port());
    let platform = app.platform().clone();
    let sim = app
        .simulator()
        .expect("sandbox mode has an emulator")
        .clone();
    let sim_url = format!(
        "http://{}",
        app.simulator_address().expect("emulator address")
    );
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(app.run_until(async {
        let _ = rx.await;
    }));
    let client = browser(&address);
    let app = TestApp {
        address,
        api_address: None,
        sim_url,
        platform,
        sim,
        component_appid,
        token,
        encoding_aes_key,
        client,
        dir,
        database_url,
        shutdown: Some(tx),
    };
    // Every test starts once the emulator's start-up ticket has landed and the
    // component token was fetched from it, so nothing races with either.
    app.eventually("a component token from the start-up ticket", || async {
        let status = app
            .platform
            .component()
            .component_token_status()
            .await
            .expect("status");
        status.state == platform::component::ComponentTokenState::Fresh
    })
    .await;
    app.sign_in_operator().await;
    app
}

impl TestApp {
    /// Creates [`ADMIN_LOGIN`] and signs [`TestApp::client`] in.
    pub(crate) async fn sign_in_operator(&self) {
        self.platform
            .admins()
            .create(
                ADMIN_LOGIN,
                ADMIN_PASSWORD,
                &platform::audit::Actor::command_line(),
            )
            .await
            .expect("test admin");
        let response = self
            .sign_in(&self.client, ADMIN_LOGIN, ADMIN_PASSWORD)
            .await;
        assert_eq!(response.status(), 303, "signed in");
    }
}

/// A client like a browser on our pages: keeps cookies, follows no redirect,
/// sends our `Origin` on every request.
pub fn browser(address: &str) -> reqwest::Client {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(
        reqwest::header::ORIGIN,
        reqwest::header::HeaderValue::from_str(address).expect("origin"),
    );
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .cookie_store(true)
        .default_headers(headers)
        // A stuck request fails the test (with its URL) instead of hanging it.
        .timeout(std::time::Duration::from_secs(20))
        .build()
        .expect("client")
}

/// A second Weiqiao instance on the same database, talking to the first
/// one's emulator (what several instances behind a load balancer do).
pub struct SecondInstance {
    pub platform: platform::Platform,
    /// Its own listener, `http://127.0.0.1:<port>`.
    pub address: String,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    pub task: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Drop for SecondInstance {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

impl SecondInstance {
    /// Ends the instance at once, as a crash would (no graceful shutdown).
    pub fn kill(self) {
        self.task.abort();
    }
}

/// The configuration of a second process on `first`'s database and emulator.
pub fn second_instance_config(first: &TestApp) -> Config {
    let sandbox: serde_json::Value = serde_json::from_slice(
        &std::fs::read(first.dir.path().join("data/sandbox.json")).expect("sandbox.json"),
    )
    .expect("sandbox json");
    let get = |key: &str| sandbox[key].as_str().expect(key).to_owned();
    let vars: HashMap<String, String> = [
        ("LEPTOS_SITE_ADDR", "127.0.0.1:0".to_owned()),
        ("WEIQIAO_DATABASE_URL", first.database_url.clone()),
        ("WEIQIAO_SECRET_KEY", get("secret_key")),
        ("WECHAT_COMPONENT_APPID", get("component_appid")),
        ("WECHAT_COMPONENT_APPSECRET", get("component_appsecret")),
        ("WECHAT_COMPONENT_TOKEN", get("token")),
        ("WECHAT_COMPONENT_ENCODING_AES_KEY", get("encoding_aes_key")),
        ("WECHAT_API_BASE", first.sim_url.clone()),
        ("WECHAT_MP_BASE", first.sim_url.clone()),
        ("WECHAT_OPEN_BASE", first.sim_url.clone()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    Config::from_vars(&vars, &first.dir.path().join("second")).expect("second configuration")
}

pub async fn spawn_second_instance(first: &TestApp) -> SecondInstance {
    let app = Application::build(second_instance_config(first))
        .await
        .expect("second instance builds");
    let platform = app.platform().clone();
    let address = format!("http://127.0.0.1:{}", app.port());
    // Not in sandbox mode, so its clock does not follow the emulator: align it.
    platform
        .component()
        .clock()
        .advance(first.sim.clock().offset_secs());
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(app.run_until(async {
        let _ = rx.await;
    }));
    SecondInstance {
        platform,
        address,
        shutdown: Some(tx),
        task,
    }
}
