//! `weiqiao-bench`: starts the release server in sandbox mode on a fresh SQLite
//! file in a temp directory (its own ports on 127.0.0.1), then measures
//!
//! 1. push ingestion: distinct, pre-encrypted `component_verify_ticket` pushes
//!    (signed and encrypted with the sandbox credentials from
//!    `<data dir>/sandbox.json`, as WeChat would) fired at
//!    `POST /wechat/component/events`; each answer `success` means the push
//!    was verified, decrypted and committed to SQLite (WAL, `synchronous=NORMAL`);
//! 2. token reads: `GET /api/v1/authorizers/{appid}/access_token` with an API
//!    key made by `server api-key create`, for an authorizer seeded through
//!    the `store` and `platform::vault` APIs while the server runs (the
//!    emulator's authorization flow needs the admin UI; seeding is the
//!    shortest honest path to a stored, sealed token).
//! 3. the first-load weight of the merchant's and the sign-in page;
//! 4. the dashboard at scale (`dashboard.rs`): 10,000 companies and 100,000
//!    accounts seeded, then the operator's pages rendered under a session;
//! 5. the message gateway (`messages.rs`): user messages in, webhook deliveries out;
//! 6. with `--postgres <cluster URL>` (`postgres.rs`): push ingestion on one
//!    PostgreSQL database with one and with three instances behind the load
//!    generator, and token reads with one.
//!
//! Run through `cargo xtask bench`, which builds both binaries in release
//! first. Every loop is bounded by a request count and a deadline.

mod dashboard;
mod load;
mod messages;
mod page_weight;
mod postgres;
mod server;

use std::fmt::Write as _;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use load::{Plan, Stats};

/// Knobs, from `--name value` arguments.
struct Args {
    server: String,
    site: String,
    out: Option<String>,
    pushes: usize,
    reads: usize,
    push_connections: usize,
    read_connections: usize,
    deadline: Duration,
    dashboard: dashboard::Scale,
    postgres: Option<String>,
    /// `--only messages`: the message gateway's section alone (profiling).
    only_messages: bool,
}

fn args() -> anyhow::Result<Args> {
    let mut args = Args {
        server: "target/release/server".into(),
        site: "target/site".into(),
        out: None,
        pushes: 60_000,
        reads: 300_000,
        push_connections: 32,
        read_connections: 16,
        deadline: Duration::from_secs(30),
        dashboard: dashboard::Scale {
            companies: 10_000,
            accounts_per_company: 10,
        },
        postgres: None,
        only_messages: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().with_context(|| format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--server" => args.server = value,
            "--site" => args.site = value,
            "--out" => args.out = Some(value),
            "--pushes" => args.pushes = value.parse()?,
            "--reads" => args.reads = value.parse()?,
            "--push-connections" => args.push_connections = value.parse()?,
            "--read-connections" => args.read_connections = value.parse()?,
            "--deadline-secs" => args.deadline = Duration::from_secs(value.parse()?),
            "--companies" => args.dashboard.companies = value.parse()?,
            "--accounts-per-company" => args.dashboard.accounts_per_company = value.parse()?,
            "--postgres" => args.postgres = Some(value),
            "--only" if value == "messages" => args.only_messages = true,
            "--only" => anyhow::bail!("--only takes messages"),
            other => anyhow::bail!("unknown argument {other}"),
        }
    }
    Ok(args)
}

fn main() -> anyhow::Result<()> {
    let args = args()?;
    // One thread for the load generator: the server gets the other core.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(bench(args))
}

async fn bench(args: Args) -> anyhow::Result<()> {
    let running = server::start(&args.server, &args.site).await?;
    let result = measure(&args, &running).await;
    running.stop();
    let mut report = result?;
    if let Some(cluster) = &args.postgres {
        report.push_str(&postgres::measure(&args, cluster).await?);
    }
    println!("{report}");
    if let Some(out) = &args.out {
        std::fs::write(out, &report).with_context(|| format!("writing {out}"))?;
        eprintln!("written to {out}");
    }
    Ok(())
}

async fn measure(args: &Args, running: &server::Running) -> anyhow::Result<String> {
    if args.only_messages {
        return messages::measure(running, args.pushes, args.push_connections, args.deadline).await;
    }
    eprintln!("building {} encrypted pushes…", args.pushes + 1000);
    let pushes = Arc::new(running.ticket_pushes(args.pushes + 1000)?);
    let (warm, timed) = pushes.split_at(1000);
    run_quiet(running, warm.to_vec(), 1000, args.push_connections).await?;
    eprintln!("push ingestion…");
    let push_stats = load::run(
        running.address,
        Plan {
            requests: Arc::new(timed.to_vec()),
            total: args.pushes,
            connections: args.push_connections,
            deadline: args.deadline,
        },
    )
    .await?;

    let (appid, key) = running.seed_authorizer_and_key().await?;
    let read = running.token_read(&appid, &key);
    run_quiet(running, vec![read.clone()], 2000, args.read_connections).await?;
    eprintln!("token reads…");
    let read_stats = load::run(
        running.address,
        Plan {
            requests: Arc::new(vec![read]),
            total: args.reads,
            connections: args.read_connections,
            deadline: args.deadline,
        },
    )
    .await?;
    let issued = running.issued_count().await?;
    let gateway =
        messages::measure(running, args.pushes, args.push_connections, args.deadline).await?;
    eprintln!("page weight…");
    let pages = page_weight::measure(running.address, running.admin_password()).await?;

    let mut report = String::new();
    writeln!(report, "# Weiqiao benchmarks\n")?;
    writeln!(
        report,
        "Release server and load generator on the same machine ({} CPUs), 127.0.0.1, \
         SQLite file in WAL mode with synchronous=NORMAL, `RUST_LOG=warn` (no per-request log line). \
         Closed loop: each connection sends its next request when the previous answer arrives.\n",
        std::thread::available_parallelism().map_or(0, usize::from)
    )?;
    writeln!(
        report,
        "| benchmark | connections | requests ok | failed | per second | p50 | p99 | max | target |"
    )?;
    writeln!(report, "|---|---|---|---|---|---|---|---|---|")?;
    row(
        &mut report,
        "push ingestion (distinct encrypted tickets)",
        args.push_connections,
        &push_stats,
        "≥ 20,000/s, p99 < 5 ms",
    )?;
    row(
        &mut report,
        "token reads (authorizer, cached)",
        args.read_connections,
        &read_stats,
        "≥ 30,000/s, p99 < 2 ms",
    )?;
    writeln!(
        report,
        "\nIssuances counted for the bench key after the run: {issued} (warm-up included)."
    )?;
    report.push_str(&page_weight::report(&pages)?);
    report.push_str(&gateway);

    eprintln!(
        "dashboard: seeding {} companies × {} accounts…",
        args.dashboard.companies, args.dashboard.accounts_per_company
    );
    let seeded = dashboard::seed(running, args.dashboard).await?;
    eprintln!("dashboard pages…");
    let runs = dashboard::measure(running, &seeded).await?;
    report.push_str(&dashboard::report(args.dashboard, &seeded, &runs)?);
    Ok(report)
}

/// A warm-up run whose figures are not reported.
pub(crate) async fn run_quiet(
    running: &server::Running,
    requests: Vec<Vec<u8>>,
    total: usize,
    connections: usize,
) -> anyhow::Result<()> {
    let stats = load::run(
        running.address,
        Plan {
            requests: Arc::new(requests),
            total,
            connections,
            deadline: Duration::from_secs(30),
        },
    )
    .await?;
    anyhow::ensure!(
        stats.failed == 0,
        "warm-up: {} requests failed",
        stats.failed
    );
    Ok(())
}

pub(crate) fn row(
    report: &mut String,
    name: &str,
    connections: usize,
    stats: &Stats,
    target: &str,
) -> std::fmt::Result {
    let ms = |d: Duration| format!("{:.2} ms", d.as_secs_f64() * 1000.0);
    writeln!(
        report,
        "| {name} | {connections} | {} | {} | {:.0} | {} | {} | {} | {target} |",
        stats.ok,
        stats.failed,
        stats.per_second(),
        ms(stats.percentile(0.50)),
        ms(stats.percentile(0.99)),
        ms(stats.percentile(1.0)),
    )
}
