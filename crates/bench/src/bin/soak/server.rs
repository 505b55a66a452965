//! The soak's world: the emulator in this process with N authorizations, a
//! database seeded with the same N authorizers (a SQLite file, or a new
//! database in a PostgreSQL cluster), and one or more `server` processes in
//! production mode against both, each started and killed as a child process.
//! WeChat pushes to the first instance only.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::Context as _;
use base64::Engine as _;
use platform::vault::Vault;
use store::{AuthorizationWrite, NewCompany, Store};
use wechat_sim::state::Authorization;
use wechat_sim::{RefreshTokenRotation, SimConfig, Simulator};

/// Authorizer tokens are refreshed when less than this is left.
const REFRESH_MARGIN_SECS: &str = "40";
/// Refreshes in flight per instance.
pub const REFRESH_CONCURRENCY: usize = 64;

/// What kind of world to build.
pub struct Options {
    pub authorizers: usize,
    /// How long authorizer tokens live at the emulator.
    pub token_lifetime: Duration,
    /// Server processes on the one database.
    pub instances: usize,
    /// A PostgreSQL cluster's URL: the world gets a new database there.
    /// `None`: a SQLite file in the world's directory.
    pub postgres: Option<String>,
}

pub struct World {
    pub sim: Simulator,
    pub dir: tempfile::TempDir,
    pub master_key: [u8; 32],
    pub company_id: i64,
    server: String,
    site: String,
    /// Each instance's site and internal (token service, `/metrics`) ports.
    ports: Vec<(u16, u16)>,
    database_url: String,
    env: Vec<(&'static str, String)>,
    pub component_appid: String,
}

/// A running server process.
pub struct Running {
    child: Child,
}

impl Running {
    /// SIGKILL: no shutdown code runs.
    pub fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// SIGTERM, then waits for the graceful shutdown.
    pub async fn stop(mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        for _ in 0..300 {
            if matches!(self.child.try_wait(), Ok(Some(_))) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> anyhow::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

fn random_hex(bytes: usize) -> String {
    (0..bytes)
        .map(|_| format!("{:02x}", rand::random::<u8>()))
        .collect()
}

impl World {
    /// The emulator and the seeded database; no server is started yet.
    pub async fn start(server: &str, site: &str, options: &Options) -> anyhow::Result<Self> {
        let dir = tempfile::tempdir()?;
        let ports = (0..options.instances.max(1))
            .map(|_| Ok((free_port()?, free_port()?)))
            .collect::<anyhow::Result<Vec<_>>>()?;
        let port = ports[0].0;
        // The server runs in the temporary directory: absolute paths.
        let server = std::path::absolute(server)?.display().to_string();
        let site = std::path::absolute(site)?.display().to_string();
        let component_appid = format!("wx{}", random_hex(8));
        let secret = random_hex(16);
        let token = random_hex(8);
        let aes_key: String = base64::engine::general_purpose::STANDARD
            .encode(rand::random::<[u8; 32]>())
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .chain(std::iter::repeat('A'))
            .take(43)
            .collect();
        let master_key: [u8; 32] = rand::random();

        let mut config = SimConfig::new(&component_appid, &secret, &token, &aes_key).with_push_url(
            url::Url::parse(&format!("http://127.0.0.1:{port}/wechat/component/events"))?,
        );
        config.lifetimes.authorizer_token = options.token_lifetime;
        config.behaviour.refresh_token_rotation = RefreshTokenRotation::EveryRefresh;
        let sim = Simulator::new(config)?;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let sim_url = format!("http://{}", listener.local_addr()?);
        tokio::spawn(sim.clone().serve(listener));

        let database_url = match &options.postgres {
            Some(cluster) => new_postgres_database(cluster).await?,
            None => format!("sqlite://{}", dir.path().join("soak.db").display()),
        };
        let company_id = seed(&sim, &database_url, &master_key, options.authorizers).await?;
        let env = vec![
            ("LEPTOS_SITE_ROOT", site.clone()),
            ("WEIQIAO_DATABASE_URL", database_url.clone()),
            (
                "WEIQIAO_SECRET_KEY",
                base64::engine::general_purpose::STANDARD.encode(master_key),
            ),
            ("WECHAT_COMPONENT_APPID", component_appid.clone()),
            ("WECHAT_COMPONENT_APPSECRET", secret),
            ("WECHAT_COMPONENT_TOKEN", token),
            ("WECHAT_COMPONENT_ENCODING_AES_KEY", aes_key),
            ("WECHAT_API_BASE", sim_url.clone()),
            ("WECHAT_MP_BASE", sim_url.clone()),
            ("WECHAT_OPEN_BASE", sim_url),
            ("WECHAT_REQUEST_TIMEOUT_SECS", "2".into()),
            ("WEIQIAO_REFRESH_MARGIN_SECS", REFRESH_MARGIN_SECS.into()),
            (
                "WEIQIAO_REFRESH_CONCURRENCY",
                REFRESH_CONCURRENCY.to_string(),
            ),
            ("WEIQIAO_REFRESH_MAX_BACKOFF_SECS", "10".into()),
            ("RUST_LOG", "warn".into()),
        ];
        Ok(Self {
            sim,
            dir,
            master_key,
            company_id,
            server,
            site,
            ports,
            database_url,
            env,
            component_appid,
        })
    }

    /// How many server instances this world runs.
    pub fn instances(&self) -> usize {
        self.ports.len()
    }

    /// Starts instance `i` and waits until it answers `/healthz`.
    pub async fn spawn_server(&self, i: usize) -> anyhow::Result<Running> {
        let (port, api_port) = self.ports[i];
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.log_path(i))?;
        let mut command = Command::new(&self.server);
        command
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .current_dir(self.dir.path())
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log);
        for (key, value) in &self.env {
            command.env(key, value);
        }
        command
            .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}"))
            .env("WEIQIAO_API_ADDR", format!("127.0.0.1:{api_port}"));
        let child = command
            .spawn()
            .with_context(|| format!("starting {} (site {})", self.server, self.site))?;
        let running = Running { child };
        let health = format!("http://127.0.0.1:{port}/healthz");
        let client = reqwest::Client::new();
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(30) {
            if client
                .get(&health)
                .timeout(Duration::from_secs(1))
                .send()
                .await
                .is_ok_and(|r| r.status().is_success())
            {
                return Ok(running);
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        running.kill();
        anyhow::bail!(
            "the server did not start; see {}",
            self.log_path(i).display()
        )
    }

    /// Starts every instance.
    pub async fn spawn_all(&self) -> anyhow::Result<Vec<Running>> {
        let mut running = Vec::new();
        for i in 0..self.instances() {
            running.push(self.spawn_server(i).await?);
        }
        Ok(running)
    }

    /// Instance `i`'s successful refreshes so far, from its `/metrics`.
    pub async fn refreshes_by(&self, i: usize) -> anyhow::Result<u64> {
        let text = reqwest::get(format!("http://127.0.0.1:{}/metrics", self.ports[i].1))
            .await?
            .error_for_status()?
            .text()
            .await?;
        Ok(text
            .lines()
            .find_map(|line| line.strip_prefix(platform::metrics::REFRESHES))
            .and_then(|rest| rest.trim().parse::<f64>().ok())
            .map_or(0, |n| n as u64))
    }

    /// Waits until the server stored a component token from the first ticket.
    pub async fn wait_for_component_token(&self) -> anyhow::Result<()> {
        let store = self.store().await?;
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(30) {
            let token = store.component().token(&self.component_appid).await?;
            if token.is_some_and(|t| t.token_sealed.is_some()) {
                store.close().await;
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        anyhow::bail!("no component token; see {}", self.log_path(0).display())
    }

    pub async fn store(&self) -> anyhow::Result<Store> {
        Ok(Store::connect(&self.database_url).await?)
    }

    pub fn log_path(&self, i: usize) -> PathBuf {
        self.dir.path().join(format!("server-{i}.log"))
    }

    /// Removes the directory (the database and the server's log).
    pub fn finish(self) {
        let _ = self.dir.close();
    }
}

/// A new, empty database in the cluster at `cluster` (an admin URL); its URL.
async fn new_postgres_database(cluster: &str) -> anyhow::Result<String> {
    let name = format!("soak_{:012x}", rand::random::<u64>() >> 16);
    Ok(store::create_postgres_database(cluster, &name).await?)
}

/// N authorizations at the emulator and the same N authorizers here, each with
/// a token that expired (so all come due at once) and the emulator's refresh token.
async fn seed(
    sim: &Simulator,
    database_url: &str,
    master_key: &[u8; 32],
    count: usize,
) -> anyhow::Result<i64> {
    let store = Store::connect(database_url).await?;
    let company_id = store
        .companies()
        .insert(NewCompany {
            name: "soak",
            created_at: time::OffsetDateTime::now_utc(),
        })
        .await?
        .id;
    let appids: Vec<String> = (0..count).map(|i| format!("wx{i:016x}")).collect();
    let now = sim.clock().now();
    sim.with_state(|state, now| {
        for appid in &appids {
            state.authorizations.insert(
                appid.clone(),
                Authorization {
                    authorizer_appid: appid.clone(),
                    func_ids: vec![1, 15],
                    auth_time: now,
                    revoked_at: None,
                    refresh_token: format!("refreshtoken@@@{appid}"),
                    previous_refresh_token: None,
                    code_exchanged: true,
                    access_tokens: Vec::new(),
                },
            );
        }
    });
    // Eight writers at once: 10,000 one-row transactions take a while on PostgreSQL.
    let mut writers = tokio::task::JoinSet::new();
    for (part, chunk) in appids.chunks(appids.len().div_ceil(8).max(1)).enumerate() {
        let (store, chunk, master_key) = (store.clone(), chunk.to_vec(), *master_key);
        writers.spawn(async move {
            let vault = Vault::new(&master_key);
            for (i, appid) in chunk.iter().enumerate() {
                store
                    .authorizers()
                    .save_authorization(AuthorizationWrite {
                        authorizer_appid: appid,
                        company_id,
                        func_info_json: "[1,15]",
                        refresh_token_sealed: &vault.seal(
                            &format!("authorizer_refresh_token:{appid}"),
                            &format!("refreshtoken@@@{appid}"),
                        ),
                        access_token_sealed: &vault
                            .seal(&format!("authorizer_access_token:{appid}"), "expired"),
                        access_token_expires_at: now - 1,
                        code_hash: &format!("soak-code-{part}-{i}"),
                        invite_id: None,
                        now: now - 10,
                    })
                    .await?;
            }
            anyhow::Ok(())
        });
    }
    while let Some(written) = writers.join_next().await {
        written??;
    }
    store.close().await;
    Ok(company_id)
}
