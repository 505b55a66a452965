//! `--mode contention`: several instances on one database (PostgreSQL in
//! `cargo xtask test`), no injected faults.
//!
//! - N authorizers (10,000 there) come due at once, and WeChat pushes the
//!   ticket to the first instance only. The component token is fetched once
//!   in all, the instances without a ticket take part in the refreshing (the
//!   one ticket served them), and each authorizer is refreshed exactly once.
//! - Another instance is killed with SIGKILL mid-pass, holding leases on
//!   the batch it had claimed. The others take that batch over once the
//!   lease runs out, and no refresh token is lost (the audit's figures). An
//!   answer the kill lost makes its refresh token presented twice; that is
//!   the only second refresh allowed, at most one per refresh in flight.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use crate::server::{Options, REFRESH_CONCURRENCY, World};
use crate::{Args, audit};

/// The engine's lease on an authorizer (`SchedulerConfig::lease_secs`) and
/// its tick: a killed instance's batch is free again within their sum.
const TAKEOVER_BOUND: Duration = Duration::from_secs(60 + 10 + 20);

pub async fn run(args: &Args) -> anyhow::Result<()> {
    let instances = args.instances.max(2);
    println!(
        "contention: {} authorizers due at once, {instances} instances, one killed mid-pass",
        args.authorizers
    );
    let options = Options {
        authorizers: args.authorizers,
        // Refreshed once, they are not due again during the run.
        token_lifetime: Duration::from_secs(7200),
        instances,
        postgres: args.postgres.clone(),
    };
    let world = World::start(&args.server, &args.site, &options).await?;
    let mut running = world.spawn_all().await?;
    let started = Instant::now();
    world.sim.push_ticket_now().await;

    // The victim: the first instance without the ticket to be mid-pass (some
    // of its batch done, the fleet not). Which one gets there first is up to
    // the scheduler ticks.
    let (victim, victim_share) = 'found: loop {
        for i in 1..instances {
            let share = world.refreshes_by(i).await.unwrap_or(0);
            if share >= 20 {
                break 'found (i, share);
            }
        }
        anyhow::ensure!(
            started.elapsed() < Duration::from_secs(180),
            "no instance but the first refreshed anything in 180 s; see {}",
            world.log_path(1).display()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let at_kill = refreshes_so_far(&world);
    running.remove(victim).kill();
    let killed = Instant::now();
    anyhow::ensure!(
        at_kill < args.authorizers,
        "the pass was over before the kill ({at_kill} refreshed)"
    );
    println!("  killed instance {victim} after {victim_share} refreshes ({at_kill} in all)");

    let mut calls = Vec::new();
    let converged_after = loop {
        calls.extend(world.sim.calls().drain());
        let figures = audit::audit(&world, &calls).await?;
        if figures.converged() {
            break killed.elapsed();
        }
        anyhow::ensure!(
            killed.elapsed() < TAKEOVER_BOUND,
            "{} accounts still not refreshed {} s after the kill",
            figures.invalid_tokens,
            TAKEOVER_BOUND.as_secs()
        );
        tokio::time::sleep(Duration::from_secs(1)).await;
    };
    let mut shares = Vec::new();
    for i in 0..instances {
        shares.push(if i == victim {
            victim_share
        } else {
            world.refreshes_by(i).await?
        });
    }
    for instance in running {
        instance.stop().await;
    }
    calls.extend(world.sim.calls().drain());
    let figures = audit::audit(&world, &calls).await?;
    let component_tokens = calls
        .iter()
        .filter(|c| c.endpoint == "api_component_token" && c.errcode == 0)
        .count();
    let presented_once = presented_once(&calls, args.authorizers);

    let table = format!(
        "\n## Several instances on one database\n\n{} authorizers due at once, {instances} instances \
         ({}), the ticket pushed to the first only, another killed with SIGKILL mid-pass.\n\n\
         | refreshes per instance | component tokens fetched | seed refresh token presented exactly once | \
         re-presented after the kill's lost answers | refresh tokens lost | duplicate refreshes | \
         all valid again after the kill |\n|---|---|---|---|---|---|---|\n\
         | {} | {component_tokens} | {presented_once} of {} | {} | {} | {} | {:.0} s |\n",
        args.authorizers,
        if args.postgres.is_some() {
            "PostgreSQL"
        } else {
            "SQLite"
        },
        shares
            .iter()
            .map(u64::to_string)
            .collect::<Vec<_>>()
            .join(" / "),
        args.authorizers,
        figures.re_presented_after_lost_answer,
        figures.lost_refresh_tokens,
        figures.duplicate_refreshes,
        converged_after.as_secs_f64(),
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
    anyhow::ensure!(figures.all_zero(), "contention figures are not all 0");
    anyhow::ensure!(
        figures.accounts == args.authorizers,
        "{} of {} authorizers in the database",
        figures.accounts,
        args.authorizers
    );
    anyhow::ensure!(
        component_tokens == 1,
        "{component_tokens} component tokens fetched, not 1"
    );
    // The instances that never received a ticket refreshed: the one ticket
    // served them. (How the work splits is up to timing: the first instance
    // may find every batch claimed by the others.)
    anyhow::ensure!(
        shares[1..].iter().sum::<u64>() > 0 && shares[victim] > 0,
        "the instances without the ticket refreshed nothing: {shares:?}"
    );
    let lost_answers = figures.re_presented_after_lost_answer;
    anyhow::ensure!(
        lost_answers <= REFRESH_CONCURRENCY,
        "{lost_answers} refresh tokens presented twice: more than the killed instance had in flight"
    );
    anyhow::ensure!(
        presented_once + lost_answers == args.authorizers,
        "{presented_once} refreshed exactly once and {lost_answers} after a lost answer, of {}",
        args.authorizers
    );
    println!("contention: passed");
    Ok(())
}

/// Successful refreshes at the emulator so far (the log is read, not drained).
fn refreshes_so_far(world: &World) -> usize {
    world
        .sim
        .calls()
        .list(Some("api_authorizer_token"))
        .iter()
        .filter(|c| c.errcode == 0)
        .count()
}

/// Authorizers whose seeded refresh token (see `server::seed`) was presented
/// exactly once.
fn presented_once(calls: &[wechat_sim::calllog::CallRecord], authorizers: usize) -> usize {
    let mut presented: HashMap<&str, usize> = HashMap::with_capacity(authorizers);
    for call in calls {
        if call.endpoint != "api_authorizer_token" {
            continue;
        }
        let (Some(appid), Some(token)) = (
            call.body["authorizer_appid"].as_str(),
            call.body["authorizer_refresh_token"].as_str(),
        ) else {
            continue;
        };
        if token.strip_prefix("refreshtoken@@@") == Some(appid) {
            *presented.entry(appid).or_default() += 1;
        }
    }
    presented.values().filter(|&&n| n == 1).count()
}
