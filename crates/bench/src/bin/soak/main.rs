//! `weiqiao-soak`: the token engine under WeChat's failure modes, with real
//! crashes. N authorizers (default 1,000) whose tokens live 60 s are kept fresh
//! by the release or debug `server` binary in production mode (refresh margin
//! 40 s, so every account is refreshed every 10 to 20 s), against the emulator
//! in this process, which
//! - rotates the refresh token on every refresh;
//! - fails 30 % of all calls, the kind changing every 250 ms: errcode -1,
//!   HTTP 502, a hang past the client's 2 s timeout, an answer lost after
//!   the work was done (WeChat rotated, we never heard), or 300 ms latency;
//!
//! while the server is killed with SIGKILL at random moments (0.5 to 3 s
//! apart) and started again. Then the faults stop, the server settles, stops,
//! and the emulator's state is compared with the database's:
//! - refresh tokens lost: the stored one is not the emulator's current one;
//! - accounts wrongly revoked or marked for re-authorization (none was revoked);
//! - duplicate refresh calls: a refresh presenting a refresh token that an
//!   earlier refresh already presented, when that earlier answer was received
//!   (its new token was used or stored later); answers lost to a kill or an
//!   injected fault are not counted, they are what the soak injects;
//! - access tokens not valid at the emulator at the end.
//!
//! Each must be 0. Run through `cargo xtask soak [--minutes N]`; `cargo xtask
//! test` runs a 60-second version, and again on PostgreSQL with three
//! instances (`--database postgres://… --instances 3`), one of them killed at
//! random each time.
//!
//! `--mode contention` is the several-instances check instead (`contention.rs`).
//!
//! The emulator's clock is not accelerated: the server's clock is the real one
//! in production mode, so short lifetimes and a short refresh margin
//! (`WEIQIAO_REFRESH_MARGIN_SECS`) give the same churn instead.

mod audit;
mod chaos;
mod contention;
mod server;

use std::time::{Duration, Instant};

use anyhow::Context as _;
use rand::{Rng as _, SeedableRng as _};

struct Args {
    server: String,
    site: String,
    seconds: u64,
    authorizers: usize,
    settle: u64,
    seed: u64,
    out: Option<String>,
    instances: usize,
    postgres: Option<String>,
    contention: bool,
}

fn args() -> anyhow::Result<Args> {
    let mut args = Args {
        server: "target/debug/server".into(),
        site: "target/site".into(),
        seconds: 60,
        authorizers: 1000,
        settle: 180,
        seed: rand::random(),
        out: None,
        instances: 1,
        postgres: None,
        contention: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().with_context(|| format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--server" => args.server = value,
            "--site" => args.site = value,
            "--seconds" => args.seconds = value.parse()?,
            "--authorizers" => args.authorizers = value.parse()?,
            "--settle" => args.settle = value.parse()?,
            "--seed" => args.seed = value.parse()?,
            "--out" => args.out = Some(value),
            "--instances" => args.instances = value.parse()?,
            "--database" if value.starts_with("postgres") => args.postgres = Some(value),
            "--database" => anyhow::bail!("--database takes a PostgreSQL cluster's URL"),
            "--mode" => match value.as_str() {
                "chaos" => args.contention = false,
                "contention" => args.contention = true,
                other => anyhow::bail!("--mode is chaos or contention, not {other}"),
            },
            other => anyhow::bail!("unknown option {other}"),
        }
    }
    Ok(args)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = args()?;
    if args.contention {
        return contention::run(&args).await;
    }
    let backend = if args.postgres.is_some() {
        "PostgreSQL"
    } else {
        "SQLite"
    };
    println!(
        "soak: {} authorizers, {} s of chaos, {} instance(s) on {backend}, seed {}",
        args.authorizers, args.seconds, args.instances, args.seed
    );
    let mut rng = rand::rngs::StdRng::seed_from_u64(args.seed);
    let options = server::Options {
        authorizers: args.authorizers,
        token_lifetime: Duration::from_secs(60),
        instances: args.instances,
        postgres: args.postgres.clone(),
    };
    let world = server::World::start(&args.server, &args.site, &options).await?;
    let mut running = world.spawn_all().await?;
    world.sim.push_ticket_now().await;
    world.wait_for_component_token().await?;

    // Chaos: faults change every 250 ms; the server dies every 0.5 to 3 s.
    let faults = chaos::rotate_faults(world.sim.clone(), args.seed);
    let mut calls = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(args.seconds);
    let mut kills = 0u32;
    while Instant::now() < deadline {
        let pause = Duration::from_millis(rng.gen_range(500..3000));
        tokio::time::sleep(pause.min(deadline.saturating_duration_since(Instant::now()))).await;
        if Instant::now() >= deadline {
            break;
        }
        // One instance at a time, at random; the others go on.
        let victim = rng.gen_range(0..running.len());
        running.swap_remove(victim).kill();
        kills += 1;
        calls.extend(world.sim.calls().drain());
        running.push(world.spawn_server(victim).await?);
        let last = running.len() - 1;
        running.swap(victim, last);
    }
    faults.abort();
    world.sim.faults().clear_all();
    println!("soak: {kills} kills survived; faults off, settling");

    // Settle: the server catches up (backoffs end, lost tokens are recovered).
    let settled_by = Instant::now() + Duration::from_secs(args.settle);
    let settled = loop {
        calls.extend(world.sim.calls().drain());
        let figures = audit::audit(&world, &calls).await?;
        println!(
            "  settling: {} refresh tokens not current, {} not active, {} tokens invalid",
            figures.lost_refresh_tokens, figures.wrongly_inactive, figures.invalid_tokens
        );
        if figures.converged() || Instant::now() >= settled_by {
            break Instant::now() < settled_by;
        }
        tokio::time::sleep(Duration::from_secs(2)).await;
    };
    for instance in running {
        instance.stop().await;
    }
    calls.extend(world.sim.calls().drain());
    let figures = audit::audit(&world, &calls).await?;
    let table = figures.table(
        args.authorizers,
        args.seconds,
        kills,
        args.seed,
        &format!("{} instance(s) on {backend}", args.instances),
    );
    println!("{table}");
    if let Some(path) = &args.out {
        use std::io::Write as _;
        std::fs::OpenOptions::new()
            .append(true)
            .create(true)
            .open(path)?
            .write_all(table.as_bytes())?;
    }
    world.finish();
    anyhow::ensure!(
        settled,
        "the server did not settle within {} s",
        args.settle
    );
    anyhow::ensure!(kills > 0, "no kill happened");
    anyhow::ensure!(
        figures.accounts == args.authorizers,
        "{} of {} authorizers in the database",
        figures.accounts,
        args.authorizers
    );
    anyhow::ensure!(figures.all_zero(), "soak figures are not all 0");
    println!("soak: passed");
    Ok(())
}
