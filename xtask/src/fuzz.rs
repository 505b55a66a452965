//! `cargo xtask fuzz [--minutes N]`: every cargo-fuzz target in `fuzz/`, one
//! after the other, N minutes each (default 10), on nightly (libFuzzer needs
//! it). Installs cargo-fuzz from crates.io if it is missing. Prints each
//! target's run count; fails on the first crash (the input is kept under
//! `fuzz/artifacts/<target>/`).

use std::path::Path;

use crate::process::{Cmd, Failure};

pub fn run(root: &Path, args: &[String]) -> Result<(), Failure> {
    let minutes: u64 = match args {
        [] => 10,
        [flag, n] if flag == "--minutes" => n
            .parse()
            .map_err(|_| Failure::new(format!("--minutes wants a number, not {n:?}")))?,
        _ => return Err(Failure::new("usage: cargo xtask fuzz [--minutes N]")),
    };
    // libFuzzer reads a total time of 0 as "no limit"; a soak needs time to kill.
    if minutes == 0 {
        return Err(Failure::new("--minutes must be at least 1"));
    }
    if !Cmd::new("cargo").args(["+nightly", "--version"]).succeeds() {
        return Err(Failure::new(
            "fuzzing needs the nightly toolchain (rustup toolchain install nightly)",
        ));
    }
    if !Cmd::new("cargo").args(["fuzz", "--version"]).succeeds() {
        println!("Installing cargo-fuzz (a few minutes, once per machine)…");
        Cmd::new("cargo")
            .args(["install", "cargo-fuzz", "--locked"])
            .run()?;
    }
    let fuzz = root.join("fuzz");
    let manifest = std::fs::read_to_string(fuzz.join("Cargo.toml"))
        .map_err(|e| Failure::new(format!("reading fuzz/Cargo.toml: {e}")))?;
    let targets = targets(&manifest);
    for target in &targets {
        println!("\n== fuzzing {target} for {minutes} min");
        Cmd::new("cargo")
            .args(["+nightly", "fuzz", "run", "-O", target, "--"])
            .arg(format!("-max_total_time={}", minutes * 60))
            .arg("-rss_limit_mb=2048")
            .arg("-print_final_stats=1")
            .current_dir(&fuzz)
            .run()?;
    }
    println!(
        "\nfuzz: {} targets, {minutes} min each, no crash",
        targets.len()
    );
    Ok(())
}

/// The `[[bin]]` names of the fuzz crate's manifest.
fn targets(manifest: &str) -> Vec<String> {
    let mut in_bin = false;
    let mut names = Vec::new();
    for line in manifest.lines().map(str::trim) {
        if line.starts_with('[') {
            in_bin = line == "[[bin]]";
        } else if in_bin && let Some(name) = line.strip_prefix("name = ") {
            names.push(name.trim_matches('"').to_owned());
        }
    }
    names
}

#[cfg(test)]
mod tests {
    #[test]
    fn targets_are_the_bin_names_only() {
        let manifest = "[package]\nname = \"wechat-fuzz\"\n\n[[bin]]\nname = \"a\"\npath = \"x\"\n\n[dependencies]\nname = \"no\"\n\n[[bin]]\nname = \"b\"\n";
        assert_eq!(super::targets(manifest), ["a", "b"]);
    }
}
