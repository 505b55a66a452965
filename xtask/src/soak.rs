//! `cargo xtask soak [--minutes N]`: the fault soak (`weiqiao-soak`, see
//! `crates/bench/src/bin/soak/`) against the debug server binary, N minutes of
//! chaos (default 5), figures appended to `bench/results.md`. `cargo xtask
//! test` runs a 60-second version through [`run_for`], then
//! [`several_instances`] on PostgreSQL.

use std::path::Path;

use crate::process::{Cmd, Failure};

pub fn run(root: &Path, args: &[String]) -> Result<(), Failure> {
    let minutes: u64 = match args {
        [] => 5,
        [flag, n] if flag == "--minutes" => n
            .parse()
            .map_err(|_| Failure::new(format!("--minutes wants a number, not {n:?}")))?,
        _ => return Err(Failure::new("usage: cargo xtask soak [--minutes N]")),
    };
    // libFuzzer reads a total time of 0 as "no limit"; a soak needs time to kill.
    if minutes == 0 {
        return Err(Failure::new("--minutes must be at least 1"));
    }
    Cmd::new("cargo")
        .args(["build", "-p", "server", "--bin", "server"])
        .current_dir(root)
        .run()?;
    run_for(root, minutes * 60, Some("bench/results.md"))
}

/// Builds the soak driver and runs it for `seconds` against `target/debug/server`.
pub fn run_for(root: &Path, seconds: u64, out: Option<&str>) -> Result<(), Failure> {
    Cmd::new("cargo")
        .args(["build", "-p", "bench", "--bin", "weiqiao-soak"])
        .current_dir(root)
        .run()?;
    let mut soak = Cmd::new(&root.join("target/debug/weiqiao-soak").display().to_string())
        .args(["--server", "target/debug/server", "--site", "target/site"])
        .args(["--seconds", &seconds.to_string()])
        .current_dir(root);
    if let Some(out) = out {
        soak = soak.args(["--out", out]);
    }
    soak.run()
}

/// Three instances on one PostgreSQL database (the cluster at `cluster_url`):
/// the contention check (10,000 authorizers due at once, one instance killed
/// mid-pass), then 60 s of the soak with an instance killed at random.
pub fn several_instances(root: &Path, cluster_url: &str) -> Result<(), Failure> {
    let soak = root.join("target/debug/weiqiao-soak").display().to_string();
    let common = [
        "--server",
        "target/debug/server",
        "--site",
        "target/site",
        "--instances",
        "3",
        "--database",
        cluster_url,
    ];
    Cmd::new(&soak)
        .args(common)
        .args(["--mode", "contention", "--authorizers", "10000"])
        .current_dir(root)
        .run()?;
    Cmd::new(&soak)
        .args(common)
        .args(["--seconds", "60"])
        .current_dir(root)
        .run()
}
