//! Everything WeChat remembers about the platform: accounts, tickets, tokens,
//! codes and authorizations, with the rules that govern them.
//!
//! Methods take `now` (Unix seconds from [`crate::Clock`]) and the config, and
//! return WeChat errcodes ([`WxError`]); they never touch the network, so every
//! rule is unit-tested here. The whole state serializes to the optional state file.

mod authorization;
pub mod component;

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::SimError;
use crate::accounts::Account;
pub use crate::wxerror::WxError;

pub use authorization::{AuthorizeOutcome, QueryAuthOutcome, RefreshOutcome};

/// The emulator's memory. Serialized as the state file.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct State {
    /// The clock's offset, so a restarted emulator keeps its notion of "now".
    pub clock_offset: i64,
    pub accounts: BTreeMap<String, Account>,
    /// Every ticket still worth remembering, newest last (an expired one answers 61005, an unknown one 61006).
    pub tickets: Vec<Issued>,
    /// WeChat stopped ticket pushes after repeated failures; api_start_push_ticket clears this.
    pub ticket_push_stopped: bool,
    pub failed_ticket_pushes: u32,
    pub component_tokens: Vec<Issued>,
    pub pre_auth_codes: Vec<PreAuthCode>,
    pub auth_codes: Vec<AuthCode>,
    /// By authorizer appid, revoked ones included (they answer 61003).
    pub authorizations: BTreeMap<String, Authorization>,
    /// `authorizer appid → option name → value`.
    pub options: BTreeMap<String, BTreeMap<String, String>>,
    /// Access tokens of authorizations since revoked (newest last, bounded):
    /// APIs that take them answer 48001 "api unauthorized" (G-781).
    #[serde(default)]
    pub revoked_tokens: Vec<String>,
    /// Fast registration tasks, oldest first.
    #[serde(default)]
    pub fast_registrations: Vec<crate::fast_register::Task>,
}

/// A ticket or token with its lifetime.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Issued {
    pub value: String,
    pub issued_at: i64,
    pub expires_at: i64,
    /// When a newer one replaced it; it keeps working for the configured grace period.
    pub superseded_at: Option<i64>,
}

impl Issued {
    pub(crate) fn new(value: String, now: i64, lifetime_secs: i64) -> Self {
        Issued {
            value,
            issued_at: now,
            expires_at: now.saturating_add(lifetime_secs),
            superseded_at: None,
        }
    }

    /// `Ok` while usable; 42001 once expired, 40001 once superseded past its grace.
    pub(crate) fn check(&self, now: i64, grace_secs: i64) -> Result<(), WxError> {
        if now >= self.expires_at {
            return Err(WxError::token_expired());
        }
        match self.superseded_at {
            Some(at) if now >= at.saturating_add(grace_secs) => Err(WxError::invalid_credential()),
            _ => Ok(()),
        }
    }
}

/// A pre_auth_code from api_create_preauthcode.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreAuthCode {
    pub value: String,
    pub expires_at: i64,
    /// Consumed by a confirmed authorization (when single use is configured).
    pub used: bool,
    /// Invalidated by a newer code (when so configured).
    pub invalidated: bool,
}

/// An auth_code handed out by the authorization page (and its push).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthCode {
    pub value: String,
    pub authorizer_appid: String,
    pub expires_at: i64,
    pub exchanges: u32,
}

/// One account's authorization of the platform.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Authorization {
    pub authorizer_appid: String,
    pub func_ids: Vec<u32>,
    pub auth_time: i64,
    pub revoked_at: Option<i64>,
    pub refresh_token: String,
    /// A replaced refresh token and until when it still works.
    pub previous_refresh_token: Option<(String, i64)>,
    /// Whether an auth_code was exchanged; api_get_authorizer_list omits the refresh token until then.
    pub code_exchanged: bool,
    pub access_tokens: Vec<Issued>,
}

impl Authorization {
    pub fn is_active(&self) -> bool {
        self.revoked_at.is_none()
    }
}

impl State {
    /// Read a state file; a missing file is a fresh state.
    pub fn load(path: &Path) -> Result<State, SimError> {
        match std::fs::read(path) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|source| SimError::StateFormat {
                path: path.to_owned(),
                source,
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(State::default()),
            Err(source) => Err(SimError::StateFile {
                path: path.to_owned(),
                source,
            }),
        }
    }

    /// Write the state file atomically (temp file + rename), so a crash never leaves half a file.
    pub fn save(&self, path: &Path) -> Result<(), SimError> {
        let io = |source| SimError::StateFile {
            path: path.to_owned(),
            source,
        };
        let bytes = serde_json::to_vec_pretty(self).map_err(|source| SimError::StateFormat {
            path: path.to_owned(),
            source,
        })?;
        let tmp = path.with_extension("tmp");
        std::fs::write(&tmp, bytes).map_err(io)?;
        std::fs::rename(&tmp, path).map_err(io)
    }

    /// Add accounts, keeping existing ones with the same appid.
    pub fn add_accounts(&mut self, accounts: impl IntoIterator<Item = Account>) {
        for account in accounts {
            self.accounts
                .entry(account.appid.clone())
                .or_insert(account);
        }
    }

    /// Drop what expired more than a day ago, so long runs stay small.
    pub(crate) fn prune(&mut self, now: i64) {
        let keep = |expires_at: i64| expires_at + 86_400 > now;
        self.tickets.retain(|t| keep(t.expires_at));
        self.component_tokens.retain(|t| keep(t.expires_at));
        self.pre_auth_codes.retain(|c| keep(c.expires_at));
        self.auth_codes.retain(|c| keep(c.expires_at));
        for auth in self.authorizations.values_mut() {
            auth.access_tokens.retain(|t| keep(t.expires_at));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::accounts::demo_accounts;

    #[test]
    fn a_saved_state_loads_back_equal() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sim.json");
        let mut state = State::default();
        state.add_accounts(demo_accounts());
        state.clock_offset = 42;
        state.save(&path).unwrap();
        let loaded = State::load(&path).unwrap();
        assert_eq!(loaded.accounts, state.accounts);
        assert_eq!(loaded.clock_offset, 42);
    }

    #[test]
    fn a_missing_state_file_is_a_fresh_state() {
        let dir = tempfile::tempdir().unwrap();
        let state = State::load(&dir.path().join("absent.json")).unwrap();
        assert!(state.accounts.is_empty());
    }

    #[test]
    fn a_garbled_state_file_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sim.json");
        std::fs::write(&path, "not json").unwrap();
        assert!(matches!(
            State::load(&path),
            Err(SimError::StateFormat { .. })
        ));
    }

    #[test]
    fn a_superseded_token_works_during_its_grace_and_then_fails_with_40001() {
        let mut token = Issued::new("t".into(), 1000, 7200);
        token.superseded_at = Some(2000);
        assert!(token.check(2299, 300).is_ok());
        assert_eq!(token.check(2300, 300).unwrap_err().errcode, 40001);
    }

    #[test]
    fn an_expired_token_fails_with_42001() {
        let token = Issued::new("t".into(), 1000, 7200);
        assert!(token.check(8199, 300).is_ok());
        assert_eq!(token.check(8200, 300).unwrap_err().errcode, 42001);
    }
}
