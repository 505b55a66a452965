//! Running commands with clear failures, optionally scanning their output.

use std::ffi::OsStr;
use std::io::{BufRead as _, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};

use crate::summary::Counts;

/// A failed step, said in one line.
#[derive(Debug)]
pub struct Failure(String);

impl Failure {
    pub fn new(message: impl Into<String>) -> Self {
        Self(message.into())
    }
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A command builder that says what it runs.
pub struct Cmd {
    inner: Command,
    shown: String,
}

/// What a scanned run produced.
pub struct Scanned {
    pub status: Result<(), Failure>,
    pub counts: Counts,
}

impl Cmd {
    pub fn new(program: &str) -> Self {
        Self {
            inner: Command::new(program),
            shown: program.to_owned(),
        }
    }

    pub fn arg(mut self, arg: impl AsRef<OsStr>) -> Self {
        self.shown.push(' ');
        self.shown.push_str(&arg.as_ref().to_string_lossy());
        self.inner.arg(arg);
        self
    }

    pub fn args<I: IntoIterator<Item = S>, S: AsRef<OsStr>>(mut self, args: I) -> Self {
        for arg in args {
            self = self.arg(arg);
        }
        self
    }

    pub fn env(mut self, key: &str, value: impl AsRef<OsStr>) -> Self {
        self.inner.env(key, value);
        self
    }

    pub fn current_dir(mut self, dir: impl AsRef<Path>) -> Self {
        self.inner.current_dir(dir);
        self
    }

    /// Runs with inherited output; a non-zero exit is a [`Failure`].
    pub fn run(mut self) -> Result<(), Failure> {
        println!("$ {}", self.shown);
        let status = self
            .inner
            .status()
            .map_err(|e| Failure::new(format!("cannot start `{}`: {e}", self.shown)))?;
        if status.success() {
            Ok(())
        } else {
            Err(Failure::new(format!("`{}` failed ({status})", self.shown)))
        }
    }

    /// Runs quietly and returns whether it succeeded (for probes like `--version`).
    pub fn succeeds(mut self) -> bool {
        self.inner
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    }

    /// Runs quietly and returns its standard output, `None` if it failed.
    pub fn output(mut self) -> Option<String> {
        let out = self.inner.stderr(Stdio::null()).output().ok()?;
        out.status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
    }

    /// Runs, echoing standard output line by line while `scan` counts results.
    pub fn run_scanned(mut self, scan: fn(&str, &mut Counts)) -> Scanned {
        println!("$ {}", self.shown);
        let mut counts = Counts::default();
        let mut child = match self.inner.stdout(Stdio::piped()).spawn() {
            Ok(child) => child,
            Err(e) => {
                let status = Err(Failure::new(format!("cannot start `{}`: {e}", self.shown)));
                return Scanned { status, counts };
            }
        };
        if let Some(stdout) = child.stdout.take() {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                println!("{line}");
                scan(&line, &mut counts);
            }
        }
        let status = match child.wait() {
            Ok(s) if s.success() => Ok(()),
            Ok(s) => Err(Failure::new(format!("`{}` failed ({s})", self.shown))),
            Err(e) => Err(Failure::new(format!(
                "`{}` did not finish: {e}",
                self.shown
            ))),
        };
        Scanned { status, counts }
    }
}
