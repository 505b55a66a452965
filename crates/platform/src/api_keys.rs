//! API keys of the operator's other backends (the token service's consumers):
//! creation (the key is shown once), revocation, listing, authentication of a
//! bearer key, and the per-key count of tokens handed out.
//!
//! Two things live in memory, both for the token service's read rate:
//! - authenticated keys are cached for [`KEY_CACHE_TTL`], so a key revoked by
//!   another process (the `server api-key revoke` command) stops working
//!   within that time; a revocation through this service is immediate here;
//! - issuance counts are added up in memory and written by
//!   [`ApiKeyService::flush_issuance`] (every second from the server, at
//!   shutdown and before every listing), so reading a token costs no write.
//!   A crash loses at most the last second of counts, never a key.

mod tokens;

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
}

impl KeyScope {
    /// Every company and the component token.
    pub fn everything() -> Self {
        Self {
            all_companies: true,
            company_ids: Vec::new(),
            component: true,
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
    #[error("the API key is missing, unknown or revoked")]
    Unauthorized,
    #[error("no active API key with this id")]
    NotFound,
    #[error("the name must be 1 to {MAX_NAME_CHARS} characters")]
    InvalidName,
    #[error("a company in the scope does not exist")]
    UnknownCompany,
    #[error("choose the key's scope: all companies, or at least one company (not both)")]
    InvalidScope,
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
    /// Key id → (issuances not yet written, last issuance time).
    pending: Mutex<HashMap<i64, (i64, i64)>>,
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

    /// Creates a key for `name` that may read what `scope` says. The returned
    /// key is not stored anywhere: show it once.
    pub async fn create(&self, name: &str, scope: &KeyScope) -> Result<CreatedApiKey, ApiKeyError> {
        // Exactly one of the two: all companies, or a list.
        if scope.all_companies != scope.company_ids.is_empty() {
            return Err(ApiKeyError::InvalidScope);
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
                created_at: self.clock.now(),
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
        if let Some((key, at)) = read(&self.inner.keys).get(&digest)
            && at.elapsed() < KEY_CACHE_TTL
        {
            return Ok(key.clone());
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
            },
            id: row.id,
            name: row.name,
        };
        write(&self.inner.keys).insert(digest, (key.clone(), Instant::now()));
        Ok(key)
    }

    /// Counts one token handed out with `key` (in memory until the next flush).
    pub fn record_issuance(&self, key: &ApiKey) {
        let now = self.clock.now();
        let mut pending = self
            .inner
            .pending
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let entry = pending.entry(key.id).or_insert((0, now));
        entry.0 += 1;
        entry.1 = entry.1.max(now);
    }

    /// Writes the counted issuances; on failure they are kept for the next flush.
    pub async fn flush_issuance(&self) -> Result<(), StoreError> {
        let taken: Vec<(i64, i64, i64)> = {
            let mut pending = self
                .inner
                .pending
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            pending.drain().map(|(id, (n, at))| (id, n, at)).collect()
        };
        if let Err(err) = self.store.api_keys().add_issued(&taken).await {
            let mut pending = self
                .inner
                .pending
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            for (id, n, at) in taken {
                let entry = pending.entry(id).or_insert((0, at));
                entry.0 += n;
                entry.1 = entry.1.max(at);
            }
            return Err(err);
        }
        Ok(())
    }

    /// Runs forever: writes the counted issuances every `tick`.
    pub async fn run_issuance_flusher(self, tick: Duration) {
        loop {
            tokio::time::sleep(tick).await;
            if let Err(err) = self.flush_issuance().await {
                tracing::error!(error = %err, "writing API key issuance counts failed");
            }
        }
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
        },
        id: row.id,
        name: row.name,
        prefix: row.key_prefix,
        created_at: row.created_at,
        revoked_at: row.revoked_at,
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
mod tests {
    use super::*;

    async fn service() -> (tempfile::TempDir, ApiKeyService) {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("k.db").display());
        let store = Store::connect(&url).await.unwrap();
        (dir, ApiKeyService::new(store, Clock::default()))
    }

    #[tokio::test]
    async fn a_created_key_authenticates_until_it_is_revoked() {
        let (_dir, keys) = service().await;
        let created = keys
            .create(" billing ", &KeyScope::everything())
            .await
            .unwrap();
        assert!(created.key.expose().starts_with("wq_"));
        assert_eq!(created.key.expose().len(), 3 + 43);
        assert_eq!(created.info.name, "billing");
        assert!(created.key.expose().starts_with(&created.info.prefix));
        let key = keys.authenticate(created.key.expose()).await.unwrap();
        assert_eq!(key.id, created.info.id);
        assert!(key.may_read_component() && key.may_read_company(7));

        keys.revoke(key.id).await.unwrap();
        assert!(matches!(
            keys.authenticate(created.key.expose()).await,
            Err(ApiKeyError::Unauthorized)
        ));
        assert!(matches!(
            keys.revoke(key.id).await,
            Err(ApiKeyError::NotFound)
        ));
    }

    #[tokio::test]
    async fn a_wrong_or_malformed_key_is_unauthorized() {
        let (_dir, keys) = service().await;
        let created = keys
            .create("billing", &KeyScope::everything())
            .await
            .unwrap();
        let mut wrong = created.key.expose().to_owned();
        wrong.pop();
        wrong.push('x');
        for bearer in [wrong.as_str(), "", "Bearer", "not-a-key"] {
            assert!(
                matches!(
                    keys.authenticate(bearer).await,
                    Err(ApiKeyError::Unauthorized)
                ),
                "{bearer}"
            );
        }
    }

    #[tokio::test]
    async fn issuances_are_counted_and_written_by_a_flush() {
        let (_dir, keys) = service().await;
        let created = keys
            .create("billing", &KeyScope::everything())
            .await
            .unwrap();
        let key = keys.authenticate(created.key.expose()).await.unwrap();
        for _ in 0..3 {
            keys.record_issuance(&key);
        }
        let listed = keys.list().await.unwrap();
        assert_eq!(listed[0].issued_count, 3);
        assert!(listed[0].last_used_at.is_some());
        keys.record_issuance(&key);
        assert_eq!(keys.list().await.unwrap()[0].issued_count, 4);
    }

    #[tokio::test]
    async fn an_empty_name_or_an_unknown_company_is_refused() {
        let (_dir, keys) = service().await;
        assert!(matches!(
            keys.create("  ", &KeyScope::everything()).await,
            Err(ApiKeyError::InvalidName)
        ));
        assert!(matches!(
            keys.create("billing", &KeyScope::companies(&[99])).await,
            Err(ApiKeyError::UnknownCompany)
        ));
    }

    #[tokio::test]
    async fn a_scope_must_say_all_companies_or_some_never_neither_nor_both() {
        let (_dir, keys) = service().await;
        for scope in [
            KeyScope::default(),
            KeyScope {
                component: true,
                ..KeyScope::default()
            },
            KeyScope {
                all_companies: true,
                company_ids: vec![1],
                component: false,
            },
        ] {
            assert!(
                matches!(
                    keys.create("crm", &scope).await,
                    Err(ApiKeyError::InvalidScope)
                ),
                "{scope:?}"
            );
        }
    }

    #[test]
    fn a_scoped_key_reads_only_its_companies_and_the_component_token_only_when_allowed() {
        let mut key = ApiKey {
            id: 1,
            name: "crm".into(),
            scope: KeyScope::companies(&[2, 3]),
        };
        assert!(key.may_read_company(2) && key.may_read_company(3));
        assert!(!key.may_read_company(4) && !key.reads_all_companies());
        assert!(!key.may_read_component());
        key.scope.component = true;
        assert!(key.may_read_component());
        key.scope = KeyScope::everything();
        assert!(key.may_read_company(4) && key.reads_all_companies());
    }
}
