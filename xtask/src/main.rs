//! The README's two commands, and nothing else to remember:
//!
//! - `cargo xtask run`: install what is missing, build, and serve Weiqiao at
//!   <http://127.0.0.1:3000> on the embedded defaults (SQLite under `data/`,
//!   sandbox mode with the built-in WeChat emulator until real credentials are set).
//! - `cargo xtask test`: install what is missing, then formatting, clippy (ssr
//!   and hydrate), every Rust test and the Playwright suite against a freshly
//!   built server and database; exits non-zero on any failure.
//!
//! Dependency-free on purpose: it must compile in seconds on a fresh machine.

mod bench;
mod dist;
mod fuzz;
mod install;
mod postgres;
mod process;
mod soak;
mod summary;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use process::{Cmd, Failure};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let root = workspace_root();
    let result = match args.first().map(String::as_str) {
        Some("run") => run(&root, args.iter().any(|a| a == "--release")),
        Some("test") => test(&root),
        Some("setup") => install::all(&root, install::Scope::Test),
        Some("bench") => bench::run(&root, &args[1..]),
        Some("dist") => dist::run(&root),
        Some("fuzz") => fuzz::run(&root, &args[1..]),
        Some("soak") => soak::run(&root, &args[1..]),
        Some("postgres") => postgres_shell(&root),
        _ => {
            eprintln!(
                "usage: cargo xtask <command>\n\n  \
                 run [--release]  install what is missing, build and serve at http://127.0.0.1:3000\n  \
                 test             install what is missing, then fmt, clippy, Rust tests and Playwright\n  \
                 setup            only install what is missing\n  \
                 bench [args]     release build, then the push and token benchmarks (bench/results.md)\n  \
                 dist             release build into target/dist/weiqiao-<version>/, then a start-up check\n  \
                 fuzz [--minutes N]  every fuzz target N minutes (default 10), on nightly\n  \
                 soak [--minutes N]  the fault soak: crashes, faults, rotation (default 5 min)\n  \
                 postgres         a throwaway PostgreSQL cluster in target/pg, its URL printed (Ctrl-D ends it)"
            );
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            eprintln!("\nxtask: {failure}");
            ExitCode::FAILURE
        }
    }
}

/// The workspace root: xtask lives one level below it.
fn workspace_root() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().unwrap_or(manifest).to_path_buf()
}

fn run(root: &Path, release: bool) -> Result<(), Failure> {
    install::all(root, install::Scope::Run)?;
    let configured = std::env::var_os("WECHAT_COMPONENT_APPID").is_some()
        || std::fs::read_to_string(root.join(".env")).is_ok_and(|env| {
            env.lines()
                .any(|l| l.trim_start().starts_with("WECHAT_COMPONENT_APPID="))
        });
    let explicit = std::env::var_os("WEIQIAO_SANDBOX").is_some();

    let mut serve = Cmd::new("cargo")
        .args(["leptos", "serve"])
        .current_dir(root);
    if release {
        let wasm_opt = install::wasm_opt(root)?;
        serve = serve
            .args(["--release", "--precompress"])
            .env("PATH", install::path_with(&wasm_opt));
    }
    if !configured && !explicit {
        serve = serve.env("WEIQIAO_SANDBOX", "1");
    }
    let sandbox = !configured || std::env::var("WEIQIAO_SANDBOX").is_ok_and(|v| v == "1");
    let addr = std::env::var("LEPTOS_SITE_ADDR").unwrap_or_else(|_| "127.0.0.1:3000".into());
    println!("\n=== Weiqiao ===");
    println!("Building, then serving at http://{addr}  (first build takes several minutes)");
    if sandbox {
        println!(
            "Sandbox mode: the built-in WeChat emulator stands in for WeChat; nothing leaves this machine."
        );
    }
    println!(
        "Open http://{addr}/login once you see \"Weiqiao is listening\". Sandbox mode prints the demo admin's\n\
         login and password just above that line (they are kept in data/sandbox.json). Stop with Ctrl-C.\n"
    );
    serve.run()
}

/// `cargo xtask postgres`: a throwaway cluster as the tests get it, with its
/// URL printed, until the line is closed (Ctrl-D) or the process stopped.
fn postgres_shell(root: &Path) -> Result<(), Failure> {
    let cluster = postgres::Cluster::start(root)?;
    println!("{}={}", postgres::URL_VAR, cluster.url);
    println!("(Ctrl-D stops and removes it)");
    let mut line = String::new();
    while std::io::stdin().read_line(&mut line).is_ok_and(|n| n > 0) {
        line.clear();
    }
    drop(cluster);
    Ok(())
}

fn test(root: &Path) -> Result<(), Failure> {
    let started = std::time::Instant::now();
    install::all(root, install::Scope::Test)?;

    step("formatting");
    Cmd::new("cargo")
        .args(["fmt", "--all", "--", "--check"])
        .current_dir(root)
        .run()?;

    step("clippy (ssr: server, app and the library crates)");
    let mut ssr = Cmd::new("cargo").arg("clippy").current_dir(root);
    for package in SERVER_SIDE_PACKAGES {
        ssr = ssr.args(["-p", package]);
    }
    ssr.args(["--all-targets", "--", "-D", "warnings"]).run()?;

    step("clippy (hydrate: app for wasm32)");
    Cmd::new("cargo")
        .args([
            "clippy",
            "-p",
            "app",
            "--features",
            "hydrate",
            "--target",
            "wasm32-unknown-unknown",
        ])
        .args(["--", "-D", "warnings"])
        .current_dir(root)
        .run()?;

    let mut totals = summary::Totals::default();

    step("Rust tests");
    let mut cargo_test = Cmd::new("cargo").arg("test").current_dir(root);
    for package in SERVER_SIDE_PACKAGES {
        cargo_test = cargo_test.args(["-p", package]);
    }
    let rust = cargo_test
        .args(["--no-fail-fast"])
        .run_scanned(summary::scan_cargo_test);
    totals.add(&rust.counts);

    // The same store, platform and server suites again, each test on a fresh
    // database of a throwaway PostgreSQL cluster. A machine that cannot run
    // one fails here with the reason; the pass is never skipped.
    step("Rust tests on PostgreSQL (store, platform, server)");
    // The cluster lives on for the several-instances runs after the soak.
    let cluster = postgres::Cluster::start(root);
    let postgres = match &cluster {
        Ok(cluster) => {
            let mut pass = Cmd::new("cargo").arg("test").current_dir(root);
            for package in DATABASE_PACKAGES {
                pass = pass.args(["-p", package]);
            }
            let scanned = pass
                .args(["--no-fail-fast"])
                .env("WEIQIAO_TEST_BACKEND", "postgres")
                .env(postgres::URL_VAR, &cluster.url)
                .run_scanned(summary::scan_cargo_test);
            totals.add(&scanned.counts);
            scanned.status
        }
        Err(err) => Err(Failure::new(err.to_string())),
    };

    step("build the site for end-to-end tests");
    let built = Cmd::new("cargo")
        .args(["leptos", "build"])
        .current_dir(root)
        .run();

    let e2e_ok = if built.is_ok() {
        step("Playwright (Debian Chromium, fresh server and database)");
        let e2e = Cmd::new("npx")
            .args(["playwright", "test"])
            .current_dir(root.join("end2end"))
            .env("CI", "1")
            .run_scanned(summary::scan_playwright);
        totals.add(&e2e.counts);
        e2e.status.is_ok()
    } else {
        false
    };

    // The server binary the site build made: 60 s of crashes and faults, on
    // SQLite with one instance, then three instances on one PostgreSQL
    // database: 10,000 authorizers due at once, and the soak again.
    let soaked = match (&built, &cluster) {
        (Ok(()), Ok(cluster)) => {
            step("fault soak (60 s: SIGKILL, 30 % faults, rotating refresh tokens)");
            soak::run_for(root, 60, None).and_then(|()| {
                step("three instances on PostgreSQL: 10,000 due at once, one killed mid-pass");
                soak::several_instances(root, &cluster.url)
            })
        }
        (Err(_), _) => Err(Failure::new("no server binary to soak")),
        (_, Err(err)) => Err(Failure::new(err.to_string())),
    };
    drop(cluster);

    println!(
        "\nxtask test finished in {:.1} min",
        started.elapsed().as_secs_f64() / 60.0
    );
    // The plain closing line CI reads, whatever the runners printed above.
    println!("{}", totals.closing_line());
    match (rust.status.and(postgres), built, e2e_ok, soaked) {
        (Ok(()), Ok(()), true, Ok(())) if totals.failed == 0 => Ok(()),
        (Err(e), _, _, _) | (_, Err(e), _, _) => Err(e),
        (_, _, false, _) => Err(Failure::new("end-to-end tests failed")),
        (_, _, _, Err(e)) => Err(e),
        _ => Err(Failure::new("tests failed")),
    }
}

/// The suites that run once per database backend (`store::testing`).
const DATABASE_PACKAGES: &[&str] = &["store", "platform", "server"];

/// Every package built for the server (the `ssr` side); `app` is linted and
/// tested with `ssr` through `server`, and separately with `hydrate` for wasm.
const SERVER_SIDE_PACKAGES: &[&str] = &[
    "app",
    "server",
    "bench",
    "platform",
    "store",
    "wechat",
    "wechat-sim",
    "xtask",
];

fn step(title: &str) {
    println!("\n=== {title} ===");
}
