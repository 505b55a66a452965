//! The server under test: started as a child process in a temp directory
//! (fresh database and sandbox data), its credentials, and the data the
//! benchmarks need (encrypted pushes, a seeded authorizer, an API key). On
//! PostgreSQL it may be several instances on one database, sharing the
//! sandbox credentials the first one wrote, each with its own emulator.

use std::net::{SocketAddr, TcpListener};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use base64::Engine as _;
use serde::Deserialize;
use wechat::crypto::MessageCrypto;
use wechat::push::ComponentPush;

use crate::load::{self, Plan};

/// The fields of `data/sandbox.json` the benchmarks use.
#[derive(Deserialize)]
struct Sandbox {
    component_appid: String,
    token: String,
    encoding_aes_key: String,
    secret_key: String,
    admin_password: String,
}

pub struct Running {
    /// The first instance's address.
    pub address: SocketAddr,
    /// Every instance's.
    pub addresses: Vec<SocketAddr>,
    binary: String,
    dir: PathBuf,
    database_url: String,
    children: Vec<Child>,
    sandbox: Sandbox,
}

/// A new, empty database in the PostgreSQL cluster at `cluster`; its URL.
async fn new_postgres_database(cluster: &str) -> anyhow::Result<String> {
    let name = format!("bench_{:012x}", rand::random::<u64>() >> 16);
    Ok(store::create_postgres_database(cluster, &name).await?)
}

fn free_port() -> anyhow::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// Starts `binary` in sandbox mode on a SQLite file, serving the static
/// files of `site` (cargo-leptos' output), and waits for `/healthz`.
pub async fn start(binary: &str, site: &str) -> anyhow::Result<Running> {
    start_on(binary, site, None, 1).await
}

/// As [`start`], on a new database of the PostgreSQL cluster at `postgres`
/// if given, with `instances` server processes on it.
pub async fn start_on(
    binary: &str,
    site: &str,
    postgres: Option<&str>,
    instances: usize,
) -> anyhow::Result<Running> {
    let site = std::fs::canonicalize(site).with_context(|| {
        format!("{site} not found: build it with `cargo leptos build --release`")
    })?;
    let binary = std::fs::canonicalize(binary)
        .with_context(|| format!("{binary} not found: build it with `cargo xtask bench`"))?
        .display()
        .to_string();
    let dir = std::env::temp_dir().join(format!(
        "weiqiao-bench-{}-{:08x}",
        std::process::id(),
        rand::random::<u32>()
    ));
    std::fs::create_dir_all(&dir)?;
    let database_url = match postgres {
        Some(cluster) => new_postgres_database(cluster).await?,
        None => format!("sqlite://{}", dir.join("weiqiao.db").display()),
    };
    let mut running = Running {
        address: "127.0.0.1:0".parse()?,
        addresses: Vec::new(),
        binary,
        dir,
        database_url,
        children: Vec::new(),
        sandbox: Sandbox {
            component_appid: String::new(),
            token: String::new(),
            encoding_aes_key: String::new(),
            secret_key: String::new(),
            admin_password: String::new(),
        },
    };
    // One after another: the first writes the sandbox credentials the others read.
    for _ in 0..instances.max(1) {
        let address: SocketAddr = format!("127.0.0.1:{}", free_port()?).parse()?;
        running.spawn(address, &site)?;
        if let Err(err) = wait_for_health(address).await {
            running.stop();
            return Err(err);
        }
        running.addresses.push(address);
    }
    running.address = running.addresses[0];
    let json = std::fs::read(running.dir.join("data/sandbox.json"))?;
    running.sandbox = serde_json::from_slice(&json).context("reading sandbox.json")?;
    eprintln!(
        "{} server instance(s) up at {:?} (data in {})",
        running.addresses.len(),
        running.addresses,
        running.dir.display()
    );
    Ok(running)
}

async fn wait_for_health(address: SocketAddr) -> anyhow::Result<()> {
    let health = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".to_vec();
    let started = Instant::now();
    loop {
        let probe = load::run(
            address,
            Plan {
                requests: Arc::new(vec![health.clone()]),
                total: 1,
                connections: 1,
                deadline: Duration::from_secs(5),
            },
        )
        .await;
        if probe.is_ok_and(|s| s.ok == 1) {
            return Ok(());
        }
        if started.elapsed() > Duration::from_secs(60) {
            anyhow::bail!("the server at {address} did not answer /healthz within 60 s");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

impl Running {
    /// One more server process on the database, answering at `address`.
    fn spawn(&mut self, address: SocketAddr, site: &std::path::Path) -> anyhow::Result<()> {
        let log =
            std::fs::File::create(self.dir.join(format!("server-{}.log", self.children.len())))?;
        let child = Command::new(&self.binary)
            .current_dir(&self.dir)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("LEPTOS_SITE_ADDR", address.to_string())
            .env("LEPTOS_SITE_ROOT", site)
            .env("WEIQIAO_SANDBOX", "1")
            .env("WECHAT_SIM_LISTEN", format!("127.0.0.1:{}", free_port()?))
            .env("WEIQIAO_DATABASE_URL", &self.database_url)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .with_context(|| format!("starting {}", self.binary))?;
        self.children.push(child);
        Ok(())
    }

    /// `n` distinct ticket pushes, encrypted and signed as WeChat sends them,
    /// as raw HTTP requests.
    pub fn ticket_pushes(&self, n: usize) -> anyhow::Result<Vec<Vec<u8>>> {
        let crypto = MessageCrypto::new(
            &self.sandbox.token,
            &self.sandbox.encoding_aes_key,
            &self.sandbox.component_appid,
        )?;
        let base = time::OffsetDateTime::now_utc().unix_timestamp();
        (0..n)
            .map(|i| {
                let xml = ComponentPush::VerifyTicket {
                    app_id: self.sandbox.component_appid.clone(),
                    create_time: base + i as i64,
                    ticket: wechat::Secret::new(format!("ticket@@@bench-{i:08}")),
                }
                .to_xml();
                let push = crypto.build_push(&xml, &base.to_string(), &format!("{i}"))?;
                let query = serde_urlencoded::to_string(&push.query)?;
                Ok(format!(
                    "POST /wechat/component/events?{query} HTTP/1.1\r\nHost: 127.0.0.1\r\n\
                     Content-Type: text/xml\r\nContent-Length: {}\r\n\r\n{}",
                    push.body.len(),
                    push.body
                )
                .into_bytes())
            })
            .collect()
    }

    /// The server's database, opened beside it (WAL lets both work).
    pub async fn store(&self) -> anyhow::Result<store::Store> {
        Ok(store::Store::connect(&self.database_url).await?)
    }

    /// The vault the server seals with (its sandbox secret key).
    pub fn vault(&self) -> anyhow::Result<platform::vault::Vault> {
        let key: [u8; 32] = base64::engine::general_purpose::STANDARD
            .decode(&self.sandbox.secret_key)?
            .try_into()
            .map_err(|_| anyhow::anyhow!("secret_key is not 32 bytes"))?;
        Ok(platform::vault::Vault::new(&key))
    }

    /// Seeds a company and an authorizer with a sealed, valid token straight
    /// into the database, then makes an API key with the server's own command.
    pub async fn seed_authorizer_and_key(&self) -> anyhow::Result<(String, String)> {
        let store = self.store().await?;
        let vault = self.vault()?;
        let now = time::OffsetDateTime::now_utc();
        let company = store
            .companies()
            .insert(store::NewCompany {
                name: "压测公司",
                created_at: now,
            })
            .await?;
        let appid = "wxbench000000001";
        // The contexts are the ones `platform::authorizers` seals with.
        let access = vault.seal(
            &format!("authorizer_access_token:{appid}"),
            "bench-access-token",
        );
        let refresh = vault.seal(
            &format!("authorizer_refresh_token:{appid}"),
            "bench-refresh-token",
        );
        store
            .authorizers()
            .save_authorization(store::AuthorizationWrite {
                authorizer_appid: appid,
                company_id: company.id,
                func_info_json: "[1,15]",
                refresh_token_sealed: &refresh,
                access_token_sealed: &access,
                access_token_expires_at: now.unix_timestamp() + 7200,
                code_hash: "bench",
                invite_id: None,
                now: now.unix_timestamp(),
            })
            .await?;
        store.close().await;

        let output = Command::new(&self.binary)
            .args(["api-key", "create", "--name", "bench", "--all-companies"])
            .current_dir(&self.dir)
            .env("WEIQIAO_DATABASE_URL", &self.database_url)
            .stderr(Stdio::null())
            .output()?;
        anyhow::ensure!(output.status.success(), "server api-key create failed");
        let api_key = String::from_utf8(output.stdout)?.trim().to_owned();
        Ok((appid.to_owned(), api_key))
    }

    /// `count` authorized accounts of one company, with valid sealed tokens; their appids.
    pub async fn seed_accounts(&self, count: usize) -> anyhow::Result<Vec<String>> {
        let store = self.store().await?;
        let vault = self.vault()?;
        let now = time::OffsetDateTime::now_utc();
        let company = store
            .companies()
            .insert(store::NewCompany {
                name: "消息压测公司",
                created_at: now,
            })
            .await?;
        let appids: Vec<String> = (0..count).map(|i| format!("wxmsgbench{i:08}")).collect();
        for (i, appid) in appids.iter().enumerate() {
            store
                .authorizers()
                .save_authorization(store::AuthorizationWrite {
                    authorizer_appid: appid,
                    company_id: company.id,
                    func_info_json: "[1]",
                    refresh_token_sealed: &vault
                        .seal(&format!("authorizer_refresh_token:{appid}"), "refresh"),
                    access_token_sealed: &vault
                        .seal(&format!("authorizer_access_token:{appid}"), "access"),
                    access_token_expires_at: now.unix_timestamp() + 7200,
                    code_hash: &format!("message-bench-{i}"),
                    invite_id: None,
                    now: now.unix_timestamp(),
                })
                .await?;
        }
        store.close().await;
        Ok(appids)
    }

    /// One asynchronous webhook endpoint for every company, at `url`. The
    /// secret is sealed under the context `platform::messages` uses.
    pub async fn seed_endpoint(&self, url: &str, max_in_flight: i64) -> anyhow::Result<()> {
        let store = self.store().await?;
        let sealed = self
            .vault()?
            .seal(&format!("webhook_secret:{url}"), "whsec_bench");
        store
            .webhook_endpoints()
            .insert(store::NewEndpoint {
                company_id: None,
                url,
                secret_sealed: &sealed,
                appids: None,
                msg_types: None,
                events: None,
                synchronous: false,
                reply_budget_ms: 3000,
                max_in_flight,
                now: time::OffsetDateTime::now_utc().unix_timestamp(),
            })
            .await?;
        store.close().await;
        Ok(())
    }

    /// Turns every webhook endpoint off: messages are then recorded with no
    /// delivery (the ingestion-only figure).
    pub async fn disable_endpoints(&self) -> anyhow::Result<()> {
        let store = self.store().await?;
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        for endpoint in store.webhook_endpoints().all().await? {
            store
                .webhook_endpoints()
                .set_state(endpoint.id, store::EndpointState::Disabled, now)
                .await?;
        }
        store.close().await;
        Ok(())
    }

    /// `n` distinct user messages (content `m{i}`), spread over `appids` and
    /// 5,000 users, encrypted as WeChat sends them, as raw HTTP requests.
    pub fn message_pushes(&self, n: usize, appids: &[String]) -> anyhow::Result<Vec<Vec<u8>>> {
        let crypto = MessageCrypto::new(
            &self.sandbox.token,
            &self.sandbox.encoding_aes_key,
            &self.sandbox.component_appid,
        )?;
        let base = time::OffsetDateTime::now_utc().unix_timestamp();
        (0..n)
            .map(|i| {
                let appid = &appids[i % appids.len()];
                let user = format!("o_bench_user_{}", i % 5000);
                let xml = wechat::message::Message {
                    to_user_name: format!("gh_{appid}"),
                    from_user_name: user.clone(),
                    create_time: base,
                    kind: wechat::message::MessageKind::Text {
                        msg_id: Some(format!("{}", 1_000_000 + i)),
                        content: format!("m{i}"),
                    },
                }
                .to_xml();
                let push = crypto.build_push(&xml, &base.to_string(), &format!("{i}"))?;
                let query = serde_urlencoded::to_string(&push.query)?;
                let body = push
                    .body
                    .replace("<AppId>", "<ToUserName>")
                    .replace("</AppId>", "</ToUserName>");
                Ok(format!(
                    "POST /wechat/authorizers/{appid}/events?{query}&openid={user} HTTP/1.1\r\nHost: 127.0.0.1\r\n\
                     Content-Type: text/xml\r\nContent-Length: {}\r\n\r\n{body}",
                    body.len()
                )
                .into_bytes())
            })
            .collect()
    }

    pub fn token_read(&self, appid: &str, api_key: &str) -> Vec<u8> {
        format!(
            "GET /api/v1/authorizers/{appid}/access_token HTTP/1.1\r\nHost: 127.0.0.1\r\n\
             Authorization: Bearer {api_key}\r\n\r\n"
        )
        .into_bytes()
    }

    /// The bench key's issuance count as stored (after the server's next flush).
    pub async fn issued_count(&self) -> anyhow::Result<i64> {
        tokio::time::sleep(Duration::from_millis(1500)).await;
        let store = store::Store::connect(&self.database_url).await?;
        let keys = platform::api_keys::ApiKeyService::new(
            store.clone(),
            platform::clock::Clock::default(),
        );
        let count = keys.list().await?.iter().map(|k| k.issued_count).sum();
        store.close().await;
        Ok(count)
    }

    /// The sandbox's demo admin password.
    pub fn admin_password(&self) -> &str {
        &self.sandbox.admin_password
    }

    /// Stops every instance and removes the directory.
    pub fn stop(mut self) {
        for child in &mut self.children {
            let _ = child.kill();
            let _ = child.wait();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
