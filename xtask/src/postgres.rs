//! A throwaway PostgreSQL cluster for the tests: Debian's `postgresql`
//! (installed when missing), `initdb` in `target/pg/` as the unprivileged
//! `postgres` user when running as root (initdb refuses root), a free port on
//! 127.0.0.1 and the Unix socket in the cluster's own directory. Stopped and
//! removed when dropped. A machine where this cannot run fails the test
//! command with the reason; the PostgreSQL tests are never skipped there.

use std::path::{Path, PathBuf};

use crate::process::{Cmd, Failure};

/// The environment variable the test suites read the cluster's URL from.
pub const URL_VAR: &str = "WEIQIAO_TEST_POSTGRES_URL";

pub struct Cluster {
    bin: PathBuf,
    data: PathBuf,
    dir: PathBuf,
    as_postgres: bool,
    /// `postgres://…` for the `postgres` database; tests create their own.
    pub url: String,
}

/// How much a cluster keeps on a crash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Durability {
    /// fsync, synchronous_commit and full_page_writes off: test databases are
    /// thrown away, and the tests wait on no disk.
    Throwaway,
    /// PostgreSQL's defaults, as an operator runs it: what benchmarks measure.
    Default,
}

impl Cluster {
    /// A throwaway cluster for tests.
    pub fn start(root: &Path) -> Result<Self, Failure> {
        Self::start_with(root, Durability::Throwaway)
    }

    pub fn start_with(root: &Path, durability: Durability) -> Result<Self, Failure> {
        let bin = install()?;
        let as_postgres = crate::install::is_root();
        let dir = root
            .join("target/pg")
            .join(format!("cluster-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir)
            .map_err(|e| Failure::new(format!("creating {}: {e}", dir.display())))?;
        if as_postgres {
            Cmd::new("chown")
                .args(["-R", "postgres:postgres"])
                .arg(&dir)
                .run()
                .map_err(|e| Failure::new(format!("PostgreSQL: {e}")))?;
        }
        let data = dir.join("data");
        let mut cluster = Self {
            url: String::new(),
            bin,
            data,
            dir,
            as_postgres,
        };
        cluster
            .pg("initdb")
            .args([
                "--auth=trust",
                "--username=weiqiao",
                "--encoding=UTF8",
                "--no-locale",
                "-D",
            ])
            .arg(&cluster.data)
            .run()
            .map_err(|e| Failure::new(format!("PostgreSQL initdb: {e}")))?;
        let port = free_port()?;
        let unsafe_but_fast = match durability {
            Durability::Throwaway => {
                " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
            }
            Durability::Default => "",
        };
        let options = format!(
            "-p {port} -k {} -c listen_addresses=127.0.0.1 -c max_connections=300{unsafe_but_fast}",
            cluster.dir.display()
        );
        cluster
            .pg("pg_ctl")
            .args(["-w", "-t", "60", "-D"])
            .arg(&cluster.data)
            .arg("-l")
            .arg(cluster.dir.join("server.log"))
            .args(["-o", &options, "start"])
            .run()
            .map_err(|e| {
                Failure::new(format!(
                    "PostgreSQL did not start ({e}); its log is {}",
                    cluster.dir.join("server.log").display()
                ))
            })?;
        cluster.url = format!("postgres://weiqiao@127.0.0.1:{port}/postgres");
        Ok(cluster)
    }

    /// A PostgreSQL program, run as the `postgres` user when we are root.
    fn pg(&self, program: &str) -> Cmd {
        let path = self.bin.join(program);
        if self.as_postgres {
            Cmd::new("runuser").args(["-u", "postgres", "--"]).arg(path)
        } else {
            Cmd::new(&path.display().to_string())
        }
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = self
            .pg("pg_ctl")
            .args(["-D"])
            .arg(&self.data)
            .args(["-m", "immediate", "-w", "stop"])
            .succeeds();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The directory of the newest installed PostgreSQL's programs, installing
/// Debian's `postgresql` when there is none.
fn install() -> Result<PathBuf, Failure> {
    if let Some(bin) = installed() {
        return Ok(bin);
    }
    println!("Installing Debian's PostgreSQL for the PostgreSQL tests…");
    crate::install::apt_install(&["postgresql"])?;
    installed().ok_or_else(|| {
        Failure::new("PostgreSQL was installed but no /usr/lib/postgresql/*/bin/initdb is there")
    })
}

fn installed() -> Option<PathBuf> {
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(Result::ok)
        .filter_map(|entry| {
            let version = entry.file_name().to_str()?.parse::<u32>().ok()?;
            let bin = entry.path().join("bin");
            bin.join("initdb").exists().then_some((version, bin))
        })
        .collect();
    versions.sort();
    versions.pop().map(|(_, bin)| bin)
}

fn free_port() -> Result<u16, Failure> {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(|e| Failure::new(format!("finding a free port: {e}")))
}
