//! `cargo xtask bench`: builds the server, the site and the load generator in release,
//! then runs `weiqiao-bench` (crates/bench), which starts the server on a temp
//! SQLite file with its own ports, measures push ingestion and token reads,
//! prints the table and writes it to `bench/results.md`; then `weiqiao-fleet-bench`
//! (fleet refresh) at three concurrencies, appending its tables. A
//! PostgreSQL cluster in target/pg with PostgreSQL's default durability serves the PostgreSQL figures:
//! push ingestion with one and three instances, token reads, fleet refresh
//! with one and three instances, and the several-instances contention run.
//! Extra arguments go to `weiqiao-bench` (e.g. `--pushes 20000 --reads 100000`).

use std::path::Path;

use crate::process::{Cmd, Failure};

pub fn run(root: &Path, extra: &[String]) -> Result<(), Failure> {
    crate::install::all(root, crate::install::Scope::Run)?;
    let wasm_opt = crate::install::wasm_opt(root)?;
    crate::step("release build: server, site and weiqiao-bench (about 10 minutes the first time)");
    // The site as deployed (wasm-opt, precompressed assets), for the page-weight figures.
    Cmd::new("cargo")
        .args(["leptos", "build", "--release", "--precompress"])
        .env("PATH", crate::install::path_with(&wasm_opt))
        .current_dir(root)
        .run()?;
    Cmd::new("cargo")
        .args(["build", "--release", "-p", "bench"])
        .current_dir(root)
        .run()?;
    std::fs::create_dir_all(root.join("bench"))
        .map_err(|e| Failure::new(format!("creating bench/: {e}")))?;
    // PostgreSQL's own defaults (fsync, synchronous commits), not the tests' shortcuts.
    let cluster = crate::postgres::Cluster::start_with(root, crate::postgres::Durability::Default)?;
    crate::step("benchmarks (127.0.0.1 only; bounded in count and time)");
    Cmd::new(
        &root
            .join("target/release/weiqiao-bench")
            .display()
            .to_string(),
    )
    .args([
        "--server",
        "target/release/server",
        "--site",
        "target/site",
        "--out",
        "bench/results.md",
        "--postgres",
        &cluster.url,
    ])
    .args(extra)
    .current_dir(root)
    .run()?;
    crate::step("fleet refresh: 10,000 authorizers due at once, 50 ms injected latency");
    let fleet = root.join("target/release/weiqiao-fleet-bench");
    for concurrency in ["50", "100", "200"] {
        Cmd::new(&fleet.display().to_string())
            .args(["--concurrency", concurrency, "--out", "bench/results.md"])
            .current_dir(root)
            .run()?;
    }
    crate::step("fleet refresh on PostgreSQL: one instance, then three");
    for instances in ["1", "3"] {
        Cmd::new(&fleet.display().to_string())
            .args(["--instances", instances, "--database", &cluster.url])
            .args(["--out", "bench/results.md"])
            .current_dir(root)
            .run()?;
    }
    crate::step("three release instances on PostgreSQL: 10,000 due at once, one killed");
    Cmd::new(
        &root
            .join("target/release/weiqiao-soak")
            .display()
            .to_string(),
    )
    .args(["--server", "target/release/server", "--site", "target/site"])
    .args([
        "--mode",
        "contention",
        "--authorizers",
        "10000",
        "--instances",
        "3",
    ])
    .args(["--database", &cluster.url, "--out", "bench/results.md"])
    .current_dir(root)
    .run()
}
