//! Admins of the dashboard: their accounts (argon2id hashes), signing in
//! under limits, and server-side sessions with idle and absolute expiry.
//! Every sign-in, failed or not, is written to the audit log.

pub mod limits;
pub mod password;
mod sessions;

use store::{Store, StoreError};

use crate::audit::{Actor, Audit, AuditAction};
use crate::clock::Clock;

pub use sessions::{AdminSession, SessionId, SessionPolicy};

/// Longest login accepted.
pub const LOGIN_MAX_CHARS: usize = 64;

/// An admin as listed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdminInfo {
    pub login: String,
    pub created_at: i64,
    pub password_changed_at: i64,
    pub disabled: bool,
}

/// Why an account operation failed.
#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    #[error("logins are 1 to {LOGIN_MAX_CHARS} letters, digits, '.', '_', '-' or '@'")]
    InvalidLogin,
    #[error(transparent)]
    InvalidPassword(#[from] password::PasswordError),
    #[error("an admin with this login already exists")]
    DuplicateLogin,
    #[error("no admin has this login")]
    NotFound,
    #[error(transparent)]
    Storage(#[from] StoreError),
}

/// Why a sign-in was refused. The wrong-credentials case never says which part was wrong.
#[derive(Debug, thiserror::Error)]
pub enum SignInError {
    #[error("wrong login or password")]
    WrongCredentials,
    #[error("too many failed sign-ins; try again in {retry_after_secs} s")]
    Locked { retry_after_secs: i64 },
    #[error(transparent)]
    Storage(#[from] StoreError),
}

/// A successful sign-in: the new session's id (for the cookie) and who it is.
#[derive(Debug)]
pub struct SignedIn {
    pub session_id: SessionId,
    pub admin: AdminSession,
}

/// Admin accounts, sign-in and sessions.
#[derive(Debug, Clone)]
pub struct AdminService {
    store: Store,
    clock: Clock,
    audit: Audit,
    policy: SessionPolicy,
}

impl AdminService {
    /// The service on `store`, for the platform and for the `server admin` commands.
    pub fn new(store: Store, clock: Clock, policy: SessionPolicy) -> Self {
        let audit = Audit::new(store.clone(), clock.clone());
        Self {
            store,
            clock,
            audit,
            policy,
        }
    }

    pub fn policy(&self) -> &SessionPolicy {
        &self.policy
    }

    /// Creates an admin with `password`.
    pub async fn create(
        &self,
        login: &str,
        password: &str,
        by: &Actor,
    ) -> Result<AdminInfo, AdminError> {
        let login = validate_login(login)?;
        password::validate(password)?;
        let hash = password::hash(password.to_owned()).await;
        let row = self
            .store
            .admins()
            .insert(login, &hash, self.clock.now())
            .await
            .map_err(|err| match err {
                StoreError::Conflict { .. } => AdminError::DuplicateLogin,
                other => AdminError::Storage(other),
            })?;
        let object = format!("admin:{login}");
        self.audit
            .record(by, AuditAction::AdminCreated, Some(&object), None)
            .await?;
        Ok(info(row))
    }

    /// Creates the admin unless one with this login exists; `true` when created.
    /// Sandbox mode uses it for its demo admin.
    pub async fn ensure(&self, login: &str, password: &str) -> Result<bool, AdminError> {
        match self.create(login, password, &Actor::command_line()).await {
            Ok(_) => Ok(true),
            Err(AdminError::DuplicateLogin) => Ok(false),
            Err(other) => Err(other),
        }
    }

    /// Every admin, by login.
    pub async fn list(&self) -> Result<Vec<AdminInfo>, AdminError> {
        Ok(self
            .store
            .admins()
            .list()
            .await?
            .into_iter()
            .map(info)
            .collect())
    }

    /// Disables an admin and ends their sessions.
    pub async fn disable(&self, login: &str, by: &Actor) -> Result<(), AdminError> {
        if !self.store.admins().disable(login, self.clock.now()).await? {
            return Err(AdminError::NotFound);
        }
        let object = format!("admin:{login}");
        self.audit
            .record(by, AuditAction::AdminDisabled, Some(&object), None)
            .await?;
        Ok(())
    }

    /// Sets a new password and ends every session of that admin.
    pub async fn reset_password(
        &self,
        login: &str,
        password: &str,
        by: &Actor,
    ) -> Result<(), AdminError> {
        password::validate(password)?;
        let hash = password::hash(password.to_owned()).await;
        if !self
            .store
            .admins()
            .set_password(login, &hash, self.clock.now())
            .await?
        {
            return Err(AdminError::NotFound);
        }
        let object = format!("admin:{login}");
        self.audit
            .record(by, AuditAction::PasswordReset, Some(&object), None)
            .await?;
        Ok(())
    }

    /// Checks a login and password under the limits; on success a new session
    /// (a new id, whatever the browser had before).
    pub async fn sign_in(
        &self,
        login: &str,
        password: &str,
        client_addr: &str,
    ) -> Result<SignedIn, SignInError> {
        let login = login.trim();
        let actor = Actor {
            admin_id: None,
            name: truncate(login, LOGIN_MAX_CHARS),
            client_addr: Some(client_addr.to_owned()),
        };
        if let Some(retry_after_secs) = self.wait(login, client_addr).await? {
            self.audit
                .record(&actor, AuditAction::SignInLocked, None, None)
                .await?;
            return Err(SignInError::Locked { retry_after_secs });
        }
        let admin = self.store.admins().by_login(login).await?;
        let phc = admin.as_ref().map(|a| a.password_hash.clone());
        let matches = password::verify(password.to_owned(), phc).await;
        let admin = admin.filter(|a| matches && a.disabled_at.is_none());
        let Some(admin) = admin else {
            let audit = self.store.audit();
            audit
                .insert_sign_in_failure(&actor.name, client_addr, self.clock.now())
                .await?;
            self.audit
                .record(&actor, AuditAction::SignInFailed, None, None)
                .await?;
            // The failure that reaches the limit already says how long to wait.
            return Err(match self.wait(login, client_addr).await? {
                Some(retry_after_secs) => SignInError::Locked { retry_after_secs },
                None => SignInError::WrongCredentials,
            });
        };
        self.store
            .audit()
            .clear_login_failures(&admin.login)
            .await?;
        let (session_id, session) = self.start_session(&admin, client_addr).await?;
        let actor = Actor {
            admin_id: Some(admin.id),
            name: admin.login,
            client_addr: Some(client_addr.to_owned()),
        };
        self.audit
            .record(&actor, AuditAction::SignedIn, None, None)
            .await?;
        Ok(SignedIn {
            session_id,
            admin: session,
        })
    }

    /// Seconds to wait before `login` may try again from `client_addr`, if locked.
    async fn wait(&self, login: &str, client_addr: &str) -> Result<Option<i64>, StoreError> {
        let now = self.clock.now();
        let since = now - limits::WINDOW_SECS;
        let audit = self.store.audit();
        let by_login = audit.failures_of_login(login, since).await?;
        let by_addr = audit.failures_of_addr(client_addr, since).await?;
        Ok(limits::wait_secs(&by_login, &by_addr, now))
    }

    /// Drops expired sessions and failures no window counts any more.
    pub async fn purge_expired(&self) -> Result<u64, StoreError> {
        let now = self.clock.now();
        let sessions = self
            .store
            .admin_sessions()
            .delete_expired(now - self.policy.idle_secs, now - self.policy.absolute_secs)
            .await?;
        let failures = self
            .store
            .audit()
            .delete_failures_before(now - limits::WINDOW_SECS)
            .await?;
        Ok(sessions + failures)
    }

    /// The audit log's writer, for the other admin use cases.
    pub fn audit(&self) -> &Audit {
        &self.audit
    }
}

/// Trims and checks a login.
fn validate_login(login: &str) -> Result<&str, AdminError> {
    let login = login.trim();
    let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '@');
    if login.is_empty() || login.chars().count() > LOGIN_MAX_CHARS || !login.chars().all(allowed) {
        return Err(AdminError::InvalidLogin);
    }
    Ok(login)
}

fn truncate(text: &str, max_chars: usize) -> String {
    text.chars().take(max_chars).collect()
}

fn info(row: store::AdminRow) -> AdminInfo {
    AdminInfo {
        login: row.login,
        created_at: row.created_at,
        password_changed_at: row.password_changed_at,
        disabled: row.disabled_at.is_some(),
    }
}

#[cfg(test)]
mod tests;
