//! Installing what the two commands need, idempotently: each check is cheap
//! and each install runs only when its check fails.

use std::path::Path;

use crate::process::{Cmd, Failure};

/// What the command about to run needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// The Rust toolchain pieces and cargo-leptos.
    Run,
    /// All of `Run`, plus Chromium and the Playwright packages.
    Test,
}

pub fn all(root: &Path, scope: Scope) -> Result<(), Failure> {
    wasm_target()?;
    cargo_leptos()?;
    wasm_bindgen(root)?;
    if scope == Scope::Test {
        chromium()?;
        end2end_packages(root)?;
    }
    Ok(())
}

/// binaryen's `wasm-opt`, which cargo-leptos runs on release builds. The npm
/// package ships it (a registry package, not a binary download); it lives in
/// `target/tools` so nothing outside the repository is touched.
pub const BINARYEN_VERSION: &str = "132.0.0";

/// Installs `wasm-opt` when missing and returns the directory to put first on `PATH`.
pub fn wasm_opt(root: &Path) -> Result<std::path::PathBuf, Failure> {
    let tools = root.join("target/tools");
    let bin = tools.join("node_modules/.bin");
    let major = BINARYEN_VERSION.split('.').next().unwrap_or_default();
    let installed = Cmd::new(&bin.join("wasm-opt").display().to_string())
        .arg("--version")
        .output()
        .is_some_and(|v| v.contains(&format!("version {major}")));
    if !installed {
        println!(
            "Installing wasm-opt (npm package binaryen@{BINARYEN_VERSION}) into target/tools…"
        );
        std::fs::create_dir_all(&tools)
            .map_err(|e| Failure::new(format!("creating target/tools: {e}")))?;
        Cmd::new("npm")
            .args([
                "install",
                "--no-audit",
                "--no-fund",
                "--no-save",
                "--prefix",
            ])
            .arg(&tools)
            .arg(format!("binaryen@{BINARYEN_VERSION}"))
            .run()?;
    }
    Ok(bin)
}

/// `PATH` with `dir` first.
pub fn path_with(dir: &Path) -> std::ffi::OsString {
    let mut paths = vec![dir.to_path_buf()];
    if let Some(path) = std::env::var_os("PATH") {
        paths.extend(std::env::split_paths(&path));
    }
    std::env::join_paths(paths).unwrap_or_default()
}

fn wasm_target() -> Result<(), Failure> {
    let installed = Cmd::new("rustup")
        .args(["target", "list", "--installed"])
        .output();
    if installed.is_some_and(|list| list.lines().any(|l| l.trim() == "wasm32-unknown-unknown")) {
        return Ok(());
    }
    Cmd::new("rustup")
        .args(["target", "add", "wasm32-unknown-unknown"])
        .run()
}

fn cargo_leptos() -> Result<(), Failure> {
    if Cmd::new("cargo").args(["leptos", "--version"]).succeeds() {
        return Ok(());
    }
    println!("Installing cargo-leptos (about 20 minutes on 2 cores, once per machine)…");
    // cargo-leptos' lock file needs a newer compiler than stable 1.95; nightly builds it.
    let has_nightly = Cmd::new("rustup")
        .args(["toolchain", "list"])
        .output()
        .is_some_and(|list| list.lines().any(|l| l.starts_with("nightly")));
    if has_nightly {
        Cmd::new("cargo")
            .args(["+nightly", "install", "cargo-leptos", "--locked"])
            .run()
    } else {
        // Without nightly, let cargo pick dependency versions this compiler accepts.
        Cmd::new("cargo").args(["install", "cargo-leptos"]).run()
    }
}

/// cargo-leptos would download wasm-bindgen, which fails offline; install the
/// CLI at exactly the version the lock file pins, so the two always match.
fn wasm_bindgen(root: &Path) -> Result<(), Failure> {
    let lock = std::fs::read_to_string(root.join("Cargo.lock"))
        .map_err(|e| Failure::new(format!("cannot read Cargo.lock: {e}")))?;
    let wanted = locked_version(&lock, "wasm-bindgen")
        .ok_or_else(|| Failure::new("Cargo.lock has no wasm-bindgen entry"))?;
    let current = Cmd::new("wasm-bindgen")
        .arg("--version")
        .output()
        .unwrap_or_default();
    if current.split_whitespace().nth(1) == Some(wanted.as_str()) {
        return Ok(());
    }
    println!("Installing wasm-bindgen-cli {wanted} (matches Cargo.lock)…");
    Cmd::new("cargo")
        .args([
            "install",
            "wasm-bindgen-cli",
            "--force",
            "--version",
            wanted.as_str(),
        ])
        .run()
}

/// The version of `package` in a Cargo.lock.
fn locked_version(lock: &str, package: &str) -> Option<String> {
    let name_line = format!("name = \"{package}\"");
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line.trim() == name_line {
            let version = lines
                .next()?
                .trim()
                .strip_prefix("version = \"")?
                .strip_suffix('"')?;
            return Some(version.to_owned());
        }
    }
    None
}

fn chromium() -> Result<(), Failure> {
    if Path::new("/usr/bin/chromium").exists() {
        return Ok(());
    }
    println!("Installing Debian's Chromium for the Playwright tests…");
    apt_install(&["chromium"])
}

/// Whether this process runs as root.
pub fn is_root() -> bool {
    Cmd::new("id")
        .arg("-u")
        .output()
        .is_some_and(|uid| uid.trim() == "0")
}

/// Installs Debian packages with apt-get (through sudo unless root).
pub fn apt_install(packages: &[&str]) -> Result<(), Failure> {
    let root = is_root();
    let apt = |args: &[&str]| {
        let cmd = if root {
            Cmd::new("apt-get")
        } else {
            Cmd::new("sudo").arg("apt-get")
        };
        cmd.args(args)
            .env("DEBIAN_FRONTEND", "noninteractive")
            .run()
    };
    apt(&["update", "-qq"])?;
    apt(&["install", "-y", "-qq"]
        .iter()
        .copied()
        .chain(packages.iter().copied())
        .collect::<Vec<_>>())
}

fn end2end_packages(root: &Path) -> Result<(), Failure> {
    let dir = root.join("end2end");
    if dir
        .join("node_modules/@playwright/test/package.json")
        .exists()
    {
        return Ok(());
    }
    // `npm ci` installs exactly the lock file; Playwright's own browser download is never used.
    Cmd::new("npm")
        .args(["ci", "--no-audit", "--no-fund"])
        .env("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
        .current_dir(dir)
        .run()
}

#[cfg(test)]
mod tests {
    use super::locked_version;

    #[test]
    fn the_locked_version_is_read_from_the_entry_of_that_exact_package() {
        let lock = "[[package]]\nname = \"wasm-bindgen-macro\"\nversion = \"9.9.9\"\n\n\
                    [[package]]\nname = \"wasm-bindgen\"\nversion = \"0.2.105\"\n";
        assert_eq!(
            locked_version(lock, "wasm-bindgen").as_deref(),
            Some("0.2.105")
        );
        assert_eq!(locked_version(lock, "absent"), None);
    }
}
