//! API keys of the operator's other backends (the token service's consumers):
//! creation (the key is shown once), revocation, expiry, listing, and
//! authentication of a bearer key. What a key may do is explicit
//! ([`KeyScope`]); what it was used for is counted in [`usage`].
//!
//! Authenticated keys are cached in memory for [`KEY_CACHE_TTL`], for the
//! token service's read rate: a key revoked by another process (the
//! `server api-key revoke` command) stops working within that time; a
//! revocation through this service is immediate here; an expiry is checked on
//! every use.

pub mod reveal;
mod send;
mod tokens;
pub mod usage;

pub use send::SendError;
pub use tokens::{ComponentAccessToken, TokenService, TokenServiceError};

use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore as _;
use sha2::{Digest as _, Sha256};
use store::{NewApiKey, Store, StoreError};
use wechat::Secret;

use crate::clock::Clock;

/// Every key starts with this, so a leaked one is recognisable in code scanners.
pub const KEY_PREFIX: &str = "wq_";
/// How long an authenticated key is trusted without asking the database again.
pub const KEY_CACHE_TTL: Duration = Duration::from_secs(2);
/// Characters of a key kept in clear, so admins can tell keys apart.
const SHOWN_PREFIX_LEN: usize = 10;
const MAX_NAME_CHARS: usize = 100;

/// What a key may read, always said explicitly: nothing is implied by an
/// empty list (a key created without a scope would otherwise read everything).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct KeyScope {
    /// Every company's authorizers.
    pub all_companies: bool,
    /// Else these companies' authorizers.
    pub company_ids: Vec<i64>,
    /// The component token (the platform's own, a separate permission).
    pub component: bool,
    /// Invalidating the tokens it may read, which forces a refresh at WeChat
    /// (a separate permission: a looping client could burn the refresh quota).
    pub invalidate: bool,
}

impl KeyScope {
    /// Every company and the component token.
    pub fn everything() -> Self {
        Self {
            all_companies: true,
            company_ids: Vec::new(),
            component: true,
            invalidate: true,
        }
    }

    /// These companies' authorizers only.
    pub fn companies(company_ids: &[i64]) -> Self {
        Self {
            company_ids: company_ids.to_vec(),
            ..Self::default()
        }
    }
}

/// An authenticated key: who asks, and what it may read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiKey {
    pub id: i64,
    pub name: String,
    pub scope: KeyScope,
    /// Unix seconds; refused from then on.
    pub expires_at: Option<i64>,
}

impl ApiKey {
    /// Whether the key may read tokens of `company_id`'s authorizers.
    pub fn may_read_company(&self, company_id: i64) -> bool {
        self.scope.all_companies || self.scope.company_ids.contains(&company_id)
    }

    /// Whether the key reads every company (no per-appid scope check needed).
    pub fn reads_all_companies(&self) -> bool {
        self.scope.all_companies
    }

    /// The component token needs its own permission.
    pub fn may_read_component(&self) -> bool {
        self.scope.component
    }

    /// Invalidating (forcing a refresh) needs its own permission.
    pub fn may_invalidate(&self) -> bool {
        self.scope.invalidate
    }

    /// Whether the key has expired at `now`.
    pub fn expired(&self, now: i64) -> bool {
        self.expires_at.is_some_and(|at| at <= now)
    }
}

/// A key as the admin sees it (never the key itself).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiKeyInfo {
    pub id: i64,
    pub name: String,
    /// The key's first characters, e.g. `wq_Ab3dE9f`.
    pub prefix: String,
    pub scope: KeyScope,
    pub created_at: i64,
    pub revoked_at: Option<i64>,
    pub expires_at: Option<i64>,
    pub issued_count: i64,
    pub last_used_at: Option<i64>,
}

/// A new key: the only time its value is available.
#[derive(Debug, Clone)]
pub struct CreatedApiKey {
    pub key: Secret,
    pub info: ApiKeyInfo,
}

/// What the API key use cases can refuse.
#[derive(Debug, thiserror::Error)]
pub enum ApiKeyError {
    #[error("the API key is missing, unknown, revoked or expired")]
    Unauthorized,
    #[error("no active API key with this id")]
    NotFound,
    #[error("the name must be 1 to {MAX_NAME_CHARS} characters")]
    InvalidName,
    #[error("a company in the scope does not exist")]
    UnknownCompany,
    #[error("choose the key's scope: all companies, or at least one company (not both)")]
    InvalidScope,
    #[error("the expiry must be in the future")]
    InvalidExpiry,
    #[error(transparent)]
    Storage(#[from] StoreError),
}

/// The API key use cases; cheap to clone (shared state inside).
#[derive(Clone)]
pub struct ApiKeyService {
    store: Store,
    clock: Clock,
    inner: Arc<Inner>,
}

#[derive(Default)]
struct Inner {
    /// SHA-256 of the key → the key and when it was read from the database.
    keys: RwLock<HashMap<[u8; 32], (ApiKey, Instant)>>,
    /// (key id, minute) → (issuances not yet written, last issuance time).
    pending: Mutex<HashMap<(i64, i64), (i64, i64)>>,
    /// One flush at a time: a listing's flush waits for the flusher's write
    /// instead of finding nothing pending and reading before that write lands.
    flushing: tokio::sync::Mutex<()>,
    tokens: tokens::TokenCache,
}

impl std::fmt::Debug for ApiKeyService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApiKeyService").finish_non_exhaustive()
    }
}

impl ApiKeyService {
    /// `clock` dates creations and uses (the platform's clock, so sandbox time applies).
    pub fn new(store: Store, clock: Clock) -> Self {
        Self {
            store,
            clock,
            inner: Arc::default(),
        }
    }

    /// Creates a key for `name` that may do what `scope` says, until
    /// `expires_at` (unix seconds) if given. The returned key is not stored
    /// anywhere: show it once.
    pub async fn create(
        &self,
        name: &str,
        scope: &KeyScope,
        expires_at: Option<i64>,
    ) -> Result<CreatedApiKey, ApiKeyError> {
        // Exactly one of the two: all companies, or a list.
        if scope.all_companies != scope.company_ids.is_empty() {
            return Err(ApiKeyError::InvalidScope);
        }
        let now = self.clock.now();
        if expires_at.is_some_and(|at| at <= now) {
            return Err(ApiKeyError::InvalidExpiry);
        }
        let name = name.trim();
        if name.is_empty() || name.chars().count() > MAX_NAME_CHARS {
            return Err(ApiKeyError::InvalidName);
        }
        let mut bytes = [0u8; 32];
        rand::thread_rng().fill_bytes(&mut bytes);
        let key = format!("{KEY_PREFIX}{}", URL_SAFE_NO_PAD.encode(bytes));
        let mut company_ids = scope.company_ids.clone();
        company_ids.sort_unstable();
        company_ids.dedup();
        let row = self
            .store
            .api_keys()
            .insert(NewApiKey {
                name,
                key_hash: &hex::encode(hash(&key)),
                key_prefix: &key[..SHOWN_PREFIX_LEN],
                company_ids: &company_ids,
                all_companies: scope.all_companies,
                component: scope.component,
                invalidate: scope.invalidate,
                expires_at,
                created_at: now,
            })
            .await
            .map_err(|e| match e {
                StoreError::Conflict {
                    constraint: "company",
                } => ApiKeyError::UnknownCompany,
                other => ApiKeyError::Storage(other),
            })?;
        tracing::info!(api_key_id = row.id, name, "API key created");
        Ok(CreatedApiKey {
            key: Secret::new(key),
            info: info(row, company_ids),
        })
    }

    /// Revokes a key; it stops working here at once, elsewhere within [`KEY_CACHE_TTL`].
    pub async fn revoke(&self, id: i64) -> Result<(), ApiKeyError> {
        if !self.store.api_keys().revoke(id, self.clock.now()).await? {
            return Err(ApiKeyError::NotFound);
        }
        write(&self.inner.keys).retain(|_, (key, _)| key.id != id);
        tracing::info!(api_key_id = id, "API key revoked");
        Ok(())
    }

    /// Every key, newest first, with up-to-date counts.
    pub async fn list(&self) -> Result<Vec<ApiKeyInfo>, ApiKeyError> {
        self.flush_issuance().await?;
        let repo = self.store.api_keys();
        let mut keys = Vec::new();
        for row in repo.list().await? {
            let scope = repo.scope(row.id).await?;
            keys.push(info(row, scope));
        }
        Ok(keys)
    }

    /// The active key whose value is `bearer`, or [`ApiKeyError::Unauthorized`].
    pub async fn authenticate(&self, bearer: &str) -> Result<ApiKey, ApiKeyError> {
        if !bearer.starts_with(KEY_PREFIX) {
            return Err(ApiKeyError::Unauthorized);
        }
        // Keys are 32 random bytes: looking up the hash is the comparison, and
        // it takes the same time whatever prefix of a key a caller guessed.
        let digest = hash(bearer);
        let now = self.clock.now();
        if let Some((key, at)) = read(&self.inner.keys).get(&digest)
            && at.elapsed() < KEY_CACHE_TTL
        {
            return if key.expired(now) {
                Err(ApiKeyError::Unauthorized)
            } else {
                Ok(key.clone())
            };
        }
        let repo = self.store.api_keys();
        let row = repo.by_hash(&hex::encode(digest)).await?;
        let Some(row) = row.filter(|r| r.revoked_at.is_none()) else {
            write(&self.inner.keys).remove(&digest);
            return Err(ApiKeyError::Unauthorized);
        };
        let key = ApiKey {
            scope: KeyScope {
                all_companies: row.all_companies,
                company_ids: repo.scope(row.id).await?,
                component: row.component,
                invalidate: row.invalidate,
            },
            id: row.id,
            name: row.name,
            expires_at: row.expires_at,
        };
        write(&self.inner.keys).insert(digest, (key.clone(), Instant::now()));
        if key.expired(now) {
            return Err(ApiKeyError::Unauthorized);
        }
        Ok(key)
    }

    /// The clock that dates creations, uses and expiries.
    pub fn clock(&self) -> &Clock {
        &self.clock
    }

    fn token_cache(&self) -> &tokens::TokenCache {
        &self.inner.tokens
    }
}

fn hash(key: &str) -> [u8; 32] {
    Sha256::digest(key.as_bytes()).into()
}

fn info(row: store::ApiKeyRow, company_ids: Vec<i64>) -> ApiKeyInfo {
    ApiKeyInfo {
        scope: KeyScope {
            all_companies: row.all_companies,
            company_ids,
            component: row.component,
            invalidate: row.invalidate,
        },
        id: row.id,
        name: row.name,
        prefix: row.key_prefix,
        created_at: row.created_at,
        revoked_at: row.revoked_at,
        expires_at: row.expires_at,
        issued_count: row.issued_count,
        last_used_at: row.last_used_at,
    }
}

fn read<T>(lock: &RwLock<T>) -> std::sync::RwLockReadGuard<'_, T> {
    lock.read().unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn write<T>(lock: &RwLock<T>) -> std::sync::RwLockWriteGuard<'_, T> {
    lock.write()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

#[cfg(test)]
mod tests;
