//! A string that must never be printed: tokens, refresh tokens, app secrets,
//! verify tickets and authorization codes.
//!
//! WeChat's credentials travel through logs, error values and `Debug` dumps
//! of request structs far more often than through code that really needs
//! them, so the default is "redacted" and reading the value takes an explicit
//! [`Secret::expose`]. On the wire the type is transparent, so request and
//! response structs keep WeChat's exact JSON.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A redacted string. `Debug` prints `Secret(***)`; there is deliberately no
/// `Display`. Serde (de)serializes it as the plain string.
///
/// `PartialEq` is an ordinary (not constant-time) comparison: it exists for
/// tests and for the emulator, not for checking attacker-supplied values.
#[derive(Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    /// Wraps a value.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// Reads the value. Call this only where the value leaves the process
    /// (a request body, a database column), never to log it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Unwraps the value, for moving it into storage.
    pub fn into_exposed(self) -> String {
        self.0
    }

    /// True for an empty value. WeChat answers 61006 / 61023 to an empty
    /// ticket or refresh token, so callers check this before sending one.
    pub fn is_empty(&self) -> bool {
        self.0.trim().is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Self(value)
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Self(value.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_never_contains_the_value() {
        let secret = Secret::new("ticket@@@very-secret");
        assert_eq!(format!("{secret:?}"), "Secret(***)");
        assert!(!format!("{:?}", Some(&secret)).contains("very-secret"));
    }

    #[test]
    fn serde_is_transparent_in_both_directions() {
        let secret: Secret = serde_json::from_str("\"abc\"").unwrap();
        assert_eq!(secret.expose(), "abc");
        assert_eq!(serde_json::to_string(&secret).unwrap(), "\"abc\"");
    }

    #[test]
    fn whitespace_only_counts_as_empty() {
        assert!(Secret::new("  ").is_empty());
        assert!(!Secret::new("x").is_empty());
    }
}
