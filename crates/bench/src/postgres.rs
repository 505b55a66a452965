//! The PostgreSQL figures: push ingestion with one instance and with three
//! on one database (the load generator spreading its connections over them,
//! as a load balancer without sticky sessions would), and token reads with one.

use std::fmt::Write as _;
use std::sync::Arc;

use crate::load::{self, Plan};
use crate::{Args, row, run_quiet, server};

pub async fn measure(args: &Args, cluster: &str) -> anyhow::Result<String> {
    let mut report = String::new();
    writeln!(
        report,
        "\n## PostgreSQL\n\nThe same release server on a new database of a local PostgreSQL 15 cluster \
         with PostgreSQL's default durability (fsync and synchronous_commit on: every commit waits for \
         its WAL flush, where SQLite's WAL with synchronous=NORMAL does not), same machine, 127.0.0.1. \
         Three instances share one database; the load generator spreads its connections over them.\n"
    )?;
    writeln!(
        report,
        "| benchmark | instances | connections | requests ok | failed | per second | p50 | p99 | max | SQLite target |"
    )?;
    writeln!(report, "|---|---|---|---|---|---|---|---|---|---|")?;
    for instances in [1, 3] {
        let running = server::start_on(&args.server, &args.site, Some(cluster), instances).await?;
        let result = measure_on(args, &running, instances, &mut report).await;
        running.stop();
        result?;
    }
    Ok(report)
}

async fn measure_on(
    args: &Args,
    running: &server::Running,
    instances: usize,
    report: &mut String,
) -> anyhow::Result<()> {
    let pushes = running.ticket_pushes(args.pushes + 1000)?;
    let (warm, timed) = pushes.split_at(1000);
    run_quiet(running, warm.to_vec(), 1000, args.push_connections).await?;
    eprintln!("PostgreSQL, {instances} instance(s): push ingestion…");
    let stats = load::run_on(
        &running.addresses,
        Plan {
            requests: Arc::new(timed.to_vec()),
            total: args.pushes,
            connections: args.push_connections,
            deadline: args.deadline,
        },
    )
    .await?;
    let mut line = String::new();
    row(
        &mut line,
        "push ingestion",
        args.push_connections,
        &stats,
        "≥ 20,000/s, p99 < 5 ms",
    )?;
    report.push_str(&with_instances(&line, instances));
    if instances == 1 {
        let (appid, key) = running.seed_authorizer_and_key().await?;
        let read = running.token_read(&appid, &key);
        run_quiet(running, vec![read.clone()], 2000, args.read_connections).await?;
        eprintln!("PostgreSQL: token reads…");
        let stats = load::run(
            running.address,
            Plan {
                requests: Arc::new(vec![read]),
                total: args.reads,
                connections: args.read_connections,
                deadline: args.deadline,
            },
        )
        .await?;
        let mut line = String::new();
        row(
            &mut line,
            "token reads (authorizer, cached)",
            args.read_connections,
            &stats,
            "≥ 30,000/s, p99 < 2 ms",
        )?;
        report.push_str(&with_instances(&line, instances));
    }
    Ok(())
}

/// `row`'s line with an instances column after the name.
fn with_instances(line: &str, instances: usize) -> String {
    match line.split_once(" | ") {
        Some((name, rest)) => format!("{name} | {instances} | {rest}"),
        None => line.to_owned(),
    }
}
