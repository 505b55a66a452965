//! Server-side sessions. The browser holds 32 random bytes (base64url); the
//! database holds only their SHA-256, so reading the database hands out no
//! session. A session ends when idle too long, when too old, at sign-out, or
//! when its admin is disabled or gets a new password.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore as _;
use sha2::{Digest as _, Sha256};
use store::{AdminRow, NewSession, StoreError};

use super::AdminService;
use crate::audit::{Actor, AuditAction};

/// How long sessions live.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionPolicy {
    /// Ends after this long without a request.
    pub idle_secs: i64,
    /// Ends this long after sign-in, however active.
    pub absolute_secs: i64,
    /// Activity is written at most this often (a write per request would be waste).
    pub touch_every_secs: i64,
}

impl Default for SessionPolicy {
    fn default() -> Self {
        Self {
            idle_secs: 30 * 60,
            absolute_secs: 12 * 60 * 60,
            touch_every_secs: 60,
        }
    }
}

impl SessionPolicy {
    /// Whether a session begun at `created_at` and last seen at `last_seen_at` still lives at `now`.
    pub fn alive(&self, created_at: i64, last_seen_at: i64, now: i64) -> bool {
        now - last_seen_at < self.idle_secs && now - created_at < self.absolute_secs
    }
}

/// A session id as the cookie carries it; never printed.
pub struct SessionId(String);

impl SessionId {
    fn generate() -> Self {
        let mut bytes = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        Self(URL_SAFE_NO_PAD.encode(bytes))
    }

    /// The value for the cookie.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for SessionId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SessionId(***)")
    }
}

/// The signed-in admin behind a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdminSession {
    pub admin_id: i64,
    pub login: String,
}

impl AdminSession {
    /// This admin as the audit log names them, acting from `client_addr`.
    pub fn actor(&self, client_addr: &str) -> Actor {
        Actor {
            admin_id: Some(self.admin_id),
            name: self.login.clone(),
            client_addr: Some(client_addr.to_owned()),
        }
    }
}

/// What is stored for a cookie value.
fn id_hash(cookie_value: &str) -> String {
    hex::encode(Sha256::digest(cookie_value.as_bytes()))
}

impl AdminService {
    pub(super) async fn start_session(
        &self,
        admin: &AdminRow,
        client_addr: &str,
    ) -> Result<(SessionId, AdminSession), StoreError> {
        let id = SessionId::generate();
        self.store
            .admin_sessions()
            .insert(NewSession {
                id_hash: &id_hash(id.expose()),
                admin_id: admin.id,
                now: self.clock.now(),
                client_addr,
            })
            .await?;
        let session = AdminSession {
            admin_id: admin.id,
            login: admin.login.clone(),
        };
        Ok((id, session))
    }

    /// The admin signed in with this cookie value, if the session lives.
    /// An expired session, or one whose admin was disabled, is deleted.
    pub async fn session(&self, cookie_value: &str) -> Result<Option<AdminSession>, StoreError> {
        // Ids are 43 characters; anything else cannot be one (and is not hashed).
        if cookie_value.len() != 43 {
            return Ok(None);
        }
        let hash = id_hash(cookie_value);
        let sessions = self.store.admin_sessions();
        let Some(row) = sessions.get(&hash).await? else {
            return Ok(None);
        };
        let now = self.clock.now();
        if row.disabled_at.is_some() || !self.policy.alive(row.created_at, row.last_seen_at, now) {
            sessions.delete(&hash).await?;
            return Ok(None);
        }
        if now - row.last_seen_at >= self.policy.touch_every_secs {
            sessions.touch(&hash, now).await?;
        }
        Ok(Some(AdminSession {
            admin_id: row.admin_id,
            login: row.login,
        }))
    }

    /// Ends the session with this cookie value, if there is one.
    pub async fn sign_out(&self, cookie_value: &str, client_addr: &str) -> Result<(), StoreError> {
        let Some(session) = self.session(cookie_value).await? else {
            return Ok(());
        };
        self.store
            .admin_sessions()
            .delete(&id_hash(cookie_value))
            .await?;
        self.audit
            .record(
                &session.actor(client_addr),
                AuditAction::SignedOut,
                None,
                None,
            )
            .await
    }
}
