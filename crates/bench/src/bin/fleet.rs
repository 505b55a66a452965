//! `weiqiao-fleet-bench`: fleet refresh. N authorizers (default 10,000) come
//! due at once; the emulator answers `api_authorizer_token` after an injected
//! latency (default 50 ms); one scheduler pass with concurrency C refreshes
//! them all. Reports the wall time against the ideal N × latency ÷ C and
//! counts duplicate refresh calls (there must be none).
//!
//! Everything runs in this process on 127.0.0.1: a SQLite file in a temp
//! directory (or, with `--database postgres://…`, a new database in that
//! cluster), the emulator in memory (no state file: it would be rewritten on
//! every call), and the platform's own scheduler code. `--instances N` runs N
//! platforms, each with its own pool and scheduler, as N servers on one
//! database would (PostgreSQL only). Batches are the production default
//! (1,000), so instances split the fleet by claiming batches. Run through
//! `cargo xtask bench` or `cargo run --release -p bench --bin weiqiao-fleet-bench`.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use platform::authorizers::SchedulerConfig;
use platform::clock::Clock;
use platform::component::ComponentService;
use platform::vault::Vault;
use platform::{Platform, PlatformSettings};
use store::{AuthorizationWrite, NewCompany, Store};
use wechat::Secret;
use wechat::client::{ClientConfig, ComponentClient};
use wechat::crypto::MessageCrypto;
use wechat::push::ComponentPush;
use wechat_sim::faults::Fault;
use wechat_sim::state::Authorization;
use wechat_sim::{SimConfig, Simulator};

const APPID: &str = "wxbenchfleet00001";
const SECRET: &str = "fleet-secret";
const TOKEN: &str = "fleettoken";
const AES_KEY: &str = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";
const MASTER_KEY: [u8; 32] = [42; 32];

fn arg(name: &str, default: u64) -> anyhow::Result<u64> {
    let args: Vec<String> = std::env::args().collect();
    match args.iter().position(|a| a == name) {
        Some(i) => args
            .get(i + 1)
            .context("missing value")?
            .parse()
            .with_context(|| format!("{name} takes a whole number")),
        None => Ok(default),
    }
}

/// `--name VALUE`, a string option.
fn text_arg(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
}

/// `--out FILE`: append the table to FILE too.
fn out_path() -> Option<String> {
    text_arg("--out")
}

/// A new, empty database in the PostgreSQL cluster at `cluster`; its URL.
async fn new_postgres_database(cluster: &str) -> anyhow::Result<String> {
    let name = format!("fleet_{:012x}", rand::random::<u64>() >> 16);
    Ok(store::create_postgres_database(cluster, &name).await?)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let count = arg("--authorizers", 10_000)? as usize;
    let latency_ms = arg("--latency-ms", 50)?;
    let concurrency = arg("--concurrency", 100)? as usize;
    let instances = arg("--instances", 1)?.max(1) as usize;
    let postgres = text_arg("--database");

    let dir = tempfile::tempdir()?;
    let database_url = match &postgres {
        Some(cluster) => new_postgres_database(cluster).await?,
        None => format!("sqlite://{}", dir.path().join("fleet.db").display()),
    };
    anyhow::ensure!(
        instances == 1 || postgres.is_some(),
        "several instances want --database postgres://…"
    );
    let store = Store::connect(&database_url).await?;

    // The emulator, in memory, on its own port.
    let sim = Simulator::new(SimConfig::new(APPID, SECRET, TOKEN, AES_KEY))?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let sim_url = format!("http://{}", listener.local_addr()?);
    tokio::spawn(sim.clone().serve(listener));

    let client = ComponentClient::new(
        ClientConfig {
            api_base: sim_url.clone(),
            mp_base: sim_url.clone(),
            open_base: sim_url,
            ..ClientConfig::default()
        },
        APPID,
        Secret::new(SECRET),
    )?;
    let crypto = MessageCrypto::new(TOKEN, AES_KEY, APPID)?;
    let sim_clock = sim.clock().clone();
    let clock = Clock::following(move || sim_clock.offset_secs());
    let component_on = |store: &Store| {
        ComponentService::new(
            store.clone(),
            Vault::new(&MASTER_KEY),
            client.clone(),
            crypto.clone(),
            clock.clone(),
            "bench".into(),
        )
    };
    let component = component_on(&store);

    // A ticket, delivered as WeChat would push it, then the component token.
    sim.push_ticket_now().await;
    let ticket = sim
        .read_state(|s| s.tickets.last().map(|t| t.value.clone()))
        .context("no ticket minted")?;
    let xml = ComponentPush::VerifyTicket {
        app_id: APPID.into(),
        create_time: clock.now(),
        ticket: Secret::new(ticket),
    }
    .to_xml();
    let push = crypto.build_push(&xml, "1", "2")?;
    component.ingest_push(&push.query, &push.body).await?;
    component.refresh_component_token_if_due().await?;

    // Each instance: its own pool, component service and scheduler.
    let mut platforms = Vec::new();
    for _ in 0..instances {
        let own = Store::connect(&database_url).await?;
        platforms.push(
            Platform::new(
                own.clone(),
                PlatformSettings::new(false, "http://127.0.0.1".into()),
                component_on(&own),
                &MASTER_KEY,
            )
            .with_scheduler(SchedulerConfig {
                concurrency,
                jitter_secs: 0,
                ..SchedulerConfig::default()
            }),
        );
    }
    drop(component);

    // N authorizations at WeChat and here, all expiring within the margin.
    print!("seeding {count} authorizers… ");
    let seeded = Instant::now();
    let now = clock.now();
    let vault = Vault::new(&MASTER_KEY);
    let company = store
        .companies()
        .insert(NewCompany {
            name: "fleet",
            created_at: time::OffsetDateTime::now_utc(),
        })
        .await?
        .id;
    let appids: Vec<String> = (0..count).map(|i| format!("wx{i:016x}")).collect();
    sim.with_state(|s, now| {
        for appid in &appids {
            s.authorizations.insert(
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
    for (i, appid) in appids.iter().enumerate() {
        store
            .authorizers()
            .save_authorization(AuthorizationWrite {
                authorizer_appid: appid,
                company_id: company,
                func_info_json: "[1,15]",
                refresh_token_sealed: &vault.seal(
                    &format!("authorizer_refresh_token:{appid}"),
                    &format!("refreshtoken@@@{appid}"),
                ),
                access_token_sealed: &vault
                    .seal(&format!("authorizer_access_token:{appid}"), "expiring"),
                access_token_expires_at: now + 60,
                code_hash: &format!("bench-code-{i}"),
                invite_id: None,
                now,
            })
            .await?;
    }
    println!("{:.1} s", seeded.elapsed().as_secs_f64());

    sim.faults().set(
        "api_authorizer_token",
        Fault {
            latency_ms: Some(latency_ms),
            ..Fault::default()
        },
    );
    sim.calls().clear();
    let started = Instant::now();
    let passes = platforms
        .iter()
        .map(|platform| async move { platform.authorizer_tokens().refresh_due().await });
    let mut refreshed = 0;
    for pass in futures::future::join_all(passes).await {
        refreshed += pass?;
    }
    let wall = started.elapsed();

    let mut per_appid: HashMap<String, usize> = HashMap::new();
    for call in sim.calls().list(Some("api_authorizer_token")) {
        if let Some(appid) = call.body["authorizer_appid"].as_str() {
            *per_appid.entry(appid.to_owned()).or_default() += 1;
        }
    }
    let duplicates: usize = per_appid.values().map(|n| n.saturating_sub(1)).sum();
    let ideal = Duration::from_millis(latency_ms) * u32::try_from(count).unwrap_or(u32::MAX)
        / u32::try_from(concurrency * instances).unwrap_or(1);
    let backend = if postgres.is_some() {
        "PostgreSQL"
    } else {
        "SQLite"
    };
    let table = format!(
        "\n## Fleet refresh\n\nOne scheduler pass per instance over authorizers that all came due at once; the emulator \
         (same process) answers api_authorizer_token after the injected latency. Instances run in this process, \
         each with its own pool and scheduler.\n\n\
         | database | instances | authorizers | latency | concurrency per instance | refreshed | wall time | ideal (count × latency ÷ total concurrency) | ratio (target ≤ 1.2×) | duplicate calls |\n\
         |---|---|---|---|---|---|---|---|---|---|\n\
         | {backend} | {instances} | {count} | {latency_ms} ms | {concurrency} | {refreshed} | {:.2} s | {:.2} s | {:.2}× | {duplicates} |\n",
        wall.as_secs_f64(),
        ideal.as_secs_f64(),
        wall.as_secs_f64() / ideal.as_secs_f64(),
    );
    println!("{table}");
    if let Some(path) = out_path() {
        use std::io::Write as _;
        // One section for every run: later runs add their row to it.
        let existing = std::fs::read_to_string(&path).unwrap_or_default();
        let text = if existing.contains("## Fleet refresh") {
            table
                .lines()
                .last()
                .map(|row| format!("{row}\n"))
                .unwrap_or_default()
        } else {
            table.clone()
        };
        std::fs::OpenOptions::new()
            .append(true)
            .create(true)
            .open(&path)?
            .write_all(text.as_bytes())?;
    }
    anyhow::ensure!(refreshed == count, "only {refreshed} of {count} refreshed");
    anyhow::ensure!(duplicates == 0, "{duplicates} duplicate refresh calls");
    Ok(())
}
