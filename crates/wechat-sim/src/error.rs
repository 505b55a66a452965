//! The library's one error type, for start-up and persistence failures.
//! Request-path errors are WeChat errcodes (see [`crate::api`]), not this.

use std::path::PathBuf;

/// Why the emulator could not start or save its state.
#[derive(Debug, thiserror::Error)]
pub enum SimError {
    /// The configuration is unusable (for example an EncodingAESKey that is not 43 characters).
    #[error("invalid emulator configuration: {0}")]
    Config(String),
    /// The state file could not be read or written.
    #[error("state file {path}: {source}")]
    StateFile {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The state file exists but is not a state this emulator wrote.
    #[error("state file {path} is not valid emulator state: {source}")]
    StateFormat {
        path: PathBuf,
        #[source]
        source: serde_json::Error,
    },
    /// Serving failed (bind, accept).
    #[error("emulator I/O: {0}")]
    Io(#[source] std::io::Error),
}
