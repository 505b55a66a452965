//! `cargo xtask dist`: a release that deploys. Builds the server and the site
//! in release mode (wasm-opt, precompressed `.br`/`.gz` assets), lays out
//! `target/dist/weiqiao-<version>/` with the binary, the site, an example
//! `.env` and the `deploy/` files, then starts that release from a fresh
//! directory with a fresh `.env` and checks that `/healthz` and `/login` answer.

use std::io::{Read as _, Write as _};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::install;
use crate::process::{Cmd, Failure};

pub fn run(root: &Path) -> Result<(), Failure> {
    install::all(root, install::Scope::Run)?;
    let wasm_opt = install::wasm_opt(root)?;
    crate::step("release build (server and wasm; several minutes the first time)");
    Cmd::new("cargo")
        .args(["leptos", "build", "--release", "--precompress"])
        .env("PATH", install::path_with(&wasm_opt))
        .current_dir(root)
        .run()?;

    let version = workspace_version(root)?;
    let dist = root.join(format!("target/dist/weiqiao-{version}"));
    crate::step(&format!("laying out {}", dist.display()));
    let _ = std::fs::remove_dir_all(&dist);
    copy(
        &root.join("target/release/server"),
        &dist.join("bin/server"),
    )?;
    // The asset names' content hashes, read by the server from beside its binary.
    copy(
        &root.join("target/release/hash.txt"),
        &dist.join("bin/hash.txt"),
    )?;
    copy_dir(&root.join("target/site"), &dist.join("site"))?;
    copy_dir(&root.join("deploy"), &dist.join("deploy"))?;
    copy(&root.join("deploy/env.example"), &dist.join(".env.example"))?;
    println!("release: {}", dist.display());

    crate::step("start-up check: the release on a fresh directory and .env");
    smoke_test(&dist)
}

/// `version = "…"` of `[workspace.package]`.
fn workspace_version(root: &Path) -> Result<String, Failure> {
    let manifest = std::fs::read_to_string(root.join("Cargo.toml"))
        .map_err(|e| Failure::new(format!("reading Cargo.toml: {e}")))?;
    manifest
        .split("[workspace.package]")
        .nth(1)
        .and_then(|section| {
            section
                .lines()
                .find(|l| l.trim_start().starts_with("version"))
        })
        .and_then(|line| line.split('"').nth(1))
        .map(str::to_owned)
        .ok_or_else(|| Failure::new("no version in [workspace.package]"))
}

fn copy(from: &Path, to: &Path) -> Result<(), Failure> {
    if let Some(parent) = to.parent() {
        std::fs::create_dir_all(parent)
            .map_err(|e| Failure::new(format!("creating {}: {e}", parent.display())))?;
    }
    std::fs::copy(from, to)
        .map(|_| ())
        .map_err(|e| Failure::new(format!("copying {}: {e}", from.display())))
}

fn copy_dir(from: &Path, to: &Path) -> Result<(), Failure> {
    let entries = std::fs::read_dir(from)
        .map_err(|e| Failure::new(format!("reading {}: {e}", from.display())))?;
    for entry in entries {
        let entry = entry.map_err(|e| Failure::new(format!("reading {}: {e}", from.display())))?;
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            copy(&entry.path(), &target)?;
        }
    }
    Ok(())
}

/// Starts `dist/bin/server` in a new directory with a new `.env` (production
/// mode, made-up credentials, WeChat pointed at a closed local port so nothing
/// leaves the machine) and requires `/healthz` and `/login` to answer 200.
fn smoke_test(dist: &Path) -> Result<(), Failure> {
    let dir = dist.with_file_name("start-check");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir)
        .map_err(|e| Failure::new(format!("creating {}: {e}", dir.display())))?;
    let port = free_port()?;
    let env = format!(
        "LEPTOS_SITE_ADDR=127.0.0.1:{port}\n\
         LEPTOS_SITE_ROOT={site}\n\
         WEIQIAO_DATABASE_URL=sqlite://{dir}/weiqiao.db\n\
         WEIQIAO_SECRET_KEY={key}\n\
         WECHAT_COMPONENT_APPID=wx00000000000000aa\n\
         WECHAT_COMPONENT_APPSECRET=start-check-secret\n\
         WECHAT_COMPONENT_TOKEN=startcheck\n\
         WECHAT_COMPONENT_ENCODING_AES_KEY=abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG\n\
         WECHAT_API_BASE=http://127.0.0.1:9\n",
        site = dist.join("site").display(),
        dir = dir.display(),
        key = base64(&random_bytes::<32>()?),
    );
    std::fs::write(dir.join(".env"), env)
        .map_err(|e| Failure::new(format!("writing .env: {e}")))?;
    let server = Command::new(dist.join("bin/server"))
        .current_dir(&dir)
        .env_remove("LEPTOS_SITE_ADDR")
        .env_remove("LEPTOS_SITE_ROOT")
        .stdout(Stdio::null())
        .spawn()
        .map_err(|e| Failure::new(format!("starting the release: {e}")))?;
    let _guard = Kill(server);
    let deadline = Instant::now() + Duration::from_secs(30);
    for path in ["/healthz", "/login"] {
        loop {
            match status_of(port, path) {
                Some(200) => {
                    println!("GET {path}: 200");
                    break;
                }
                other if Instant::now() > deadline => {
                    return Err(Failure::new(format!(
                        "the release did not answer GET {path} with 200 ({other:?})"
                    )));
                }
                _ => std::thread::sleep(Duration::from_millis(200)),
            }
        }
    }
    // Every asset the sign-in page names is served (hashed names included).
    let page = body_of(port, "/login").unwrap_or_default();
    let assets: Vec<&str> = page
        .split('"')
        .filter(|quoted| quoted.starts_with("/pkg/"))
        .collect();
    if assets.is_empty() {
        return Err(Failure::new("the sign-in page names no /pkg/ asset"));
    }
    for asset in assets {
        match status_of(port, asset) {
            Some(200) => println!("GET {asset}: 200"),
            other => return Err(Failure::new(format!("GET {asset} answered {other:?}"))),
        }
    }
    println!("the release in {} starts and answers", dist.display());
    Ok(())
}

/// The whole response of `GET path` (headers and body), `None` when nothing answers.
fn body_of(port: u16, path: &str) -> Option<String> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut response = Vec::new();
    stream.read_to_end(&mut response).ok()?;
    Some(String::from_utf8_lossy(&response).into_owned())
}

struct Kill(Child);

impl Drop for Kill {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> Result<u16, Failure> {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(|e| Failure::new(format!("finding a free port: {e}")))
}

/// The status code of `GET path` over plain HTTP/1.1, `None` when nothing answers.
fn status_of(port: u16, path: &str) -> Option<u16> {
    body_of(port, path)?.split_whitespace().nth(1)?.parse().ok()
}

fn random_bytes<const N: usize>() -> Result<[u8; N], Failure> {
    let mut bytes = [0u8; N];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut bytes))
        .map_err(|e| Failure::new(format!("reading /dev/urandom: {e}")))?;
    Ok(bytes)
}

/// Standard base64 with padding (xtask stays dependency-free).
fn base64(bytes: &[u8]) -> String {
    const TABLE: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(TABLE[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::base64;

    #[test]
    fn base64_matches_the_standard_alphabet_and_padding() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(&[0xfb, 0xff]), "+/8=");
    }
}
