//! The token service as a key holder sees it: the scope check, the issuance
//! count and a short read cache over the authorizer and component tokens.
//!
//! The cache keeps a token for [`TOKEN_CACHE_TTL`] (never past its expiry),
//! so a burst of reads costs one database read and one decryption per second
//! per account. A token refreshed by the scheduler is therefore served at
//! most that long after the refresh; WeChat keeps the previous token valid
//! for minutes after a refresh, so consumers never get a dead token from it.
//! An invalidation replaces the entry at once.

use std::collections::HashMap;
use std::sync::RwLock;
use std::time::{Duration, Instant};

use wechat::Secret;

use super::{ApiKey, read, write};
use crate::Platform;
use crate::authorizers::{AccessToken, AuthorizerTokenError};
use crate::component::ComponentTokenError;

/// How long a token read from storage is served from memory.
pub const TOKEN_CACHE_TTL: Duration = Duration::from_secs(1);

/// The component token as handed to consumers.
#[derive(Debug, Clone)]
pub struct ComponentAccessToken {
    pub component_appid: String,
    pub component_access_token: Secret,
    /// Unix seconds.
    pub expires_at: i64,
}

/// Why a key holder gets no token.
#[derive(Debug, thiserror::Error)]
pub enum TokenServiceError {
    /// The component token, for a key scoped to companies. (Authorizers
    /// outside a key's scope are `NotFound`, like unknown ones.)
    #[error("this API key may not read this token")]
    Forbidden,
    /// The key may read but not invalidate (checked before anything else).
    #[error("this API key may not invalidate tokens")]
    InvalidateForbidden,
    #[error(transparent)]
    Authorizer(#[from] AuthorizerTokenError),
    #[error(transparent)]
    Component(#[from] ComponentTokenError),
}

/// The token service's use cases, for an already authenticated key.
pub struct TokenService<'a> {
    platform: &'a Platform,
}

impl Platform {
    /// Tokens for the operator's other backends, checked against an API key.
    pub fn token_service(&self) -> TokenService<'_> {
        TokenService { platform: self }
    }
}

impl TokenService<'_> {
    /// The stored token of `appid` (refreshed only if it has expired).
    pub async fn authorizer_token(
        &self,
        key: &ApiKey,
        appid: &str,
    ) -> Result<AccessToken, TokenServiceError> {
        self.check_scope(key, appid).await?;
        let token = self.current_authorizer_token(appid).await?;
        self.hand_out(key, token)
    }

    /// The scope check, before any token is read or refreshed on the key's
    /// behalf. An appid outside the key's companies answers exactly as an
    /// unknown one does (404), so a scoped key can neither force another
    /// company's refresh nor tell which appids exist.
    pub(super) async fn check_scope(
        &self,
        key: &ApiKey,
        appid: &str,
    ) -> Result<(), TokenServiceError> {
        if key.reads_all_companies() {
            return Ok(());
        }
        let cached = read(&self.cache().authorizers)
            .get(appid)
            .filter(|(_, at)| at.elapsed() < TOKEN_CACHE_TTL)
            .map(|(token, _)| token.company_id);
        let company = match cached {
            Some(company) => Some(company),
            None => self
                .platform
                .store
                .authorizers()
                .by_appid(appid)
                .await
                .map_err(AuthorizerTokenError::from)?
                .map(|row| row.company_id),
        };
        match company {
            Some(company) if key.may_read_company(company) => Ok(()),
            _ => Err(AuthorizerTokenError::NotFound.into()),
        }
    }

    /// `failed_token` failed for the caller: refreshed now (once, however many
    /// callers report the same token) if it is still current, else the current one.
    pub async fn invalidate_authorizer_token(
        &self,
        key: &ApiKey,
        appid: &str,
        failed_token: &str,
    ) -> Result<AccessToken, TokenServiceError> {
        // The permission, then the scope, before anything is read or refreshed
        // on the key's behalf.
        if !key.may_invalidate() {
            return Err(TokenServiceError::InvalidateForbidden);
        }
        self.check_scope(key, appid).await?;
        let cache = self.cache();
        write(&cache.authorizers).remove(appid);
        let fresh = self
            .platform
            .authorizer_tokens()
            .invalidate(appid, failed_token)
            .await?;
        cache.put_authorizer(&fresh);
        self.hand_out(key, fresh)
    }

    /// The stored component token; only unscoped keys may read it.
    pub async fn component_token(
        &self,
        key: &ApiKey,
    ) -> Result<ComponentAccessToken, TokenServiceError> {
        if !key.may_read_component() {
            return Err(TokenServiceError::Forbidden);
        }
        let cache = self.cache();
        let cached = read(&cache.component)
            .as_ref()
            .filter(|(token, at)| fresh(token.expires_at, *at, self.now()))
            .map(|(token, _)| token.clone());
        let token = match cached {
            Some(token) => token,
            None => {
                let (secret, expires_at) = self
                    .platform
                    .component()
                    .component_token_with_expiry()
                    .await?;
                let token = self.component_answer(secret, expires_at);
                cache.put_component(&token);
                token
            }
        };
        self.platform.api_keys().record_issuance(key);
        Ok(token)
    }

    /// Like [`TokenService::invalidate_authorizer_token`] for the component token.
    pub async fn invalidate_component_token(
        &self,
        key: &ApiKey,
        failed_token: &str,
    ) -> Result<ComponentAccessToken, TokenServiceError> {
        if !key.may_invalidate() {
            return Err(TokenServiceError::InvalidateForbidden);
        }
        if !key.may_read_component() {
            return Err(TokenServiceError::Forbidden);
        }
        let cache = self.cache();
        *write(&cache.component) = None;
        let (secret, expires_at) = self
            .platform
            .component()
            .invalidate_component_token(failed_token)
            .await?;
        let token = self.component_answer(secret, expires_at);
        cache.put_component(&token);
        self.platform.api_keys().record_issuance(key);
        Ok(token)
    }

    pub(super) async fn current_authorizer_token(
        &self,
        appid: &str,
    ) -> Result<AccessToken, TokenServiceError> {
        let cache = self.cache();
        let cached = read(&cache.authorizers)
            .get(appid)
            .filter(|(token, at)| fresh(token.expires_at, *at, self.now()))
            .map(|(token, _)| token.clone());
        if let Some(token) = cached {
            return Ok(token);
        }
        let token = self
            .platform
            .authorizer_tokens()
            .access_token(appid)
            .await?;
        cache.put_authorizer(&token);
        Ok(token)
    }

    fn hand_out(&self, key: &ApiKey, token: AccessToken) -> Result<AccessToken, TokenServiceError> {
        // Checked before the read too; again here, for a company move in between.
        if !key.may_read_company(token.company_id) {
            return Err(AuthorizerTokenError::NotFound.into());
        }
        self.platform.api_keys().record_issuance(key);
        Ok(token)
    }

    fn component_answer(&self, secret: Secret, expires_at: i64) -> ComponentAccessToken {
        ComponentAccessToken {
            component_appid: self.platform.component().component_appid().to_owned(),
            component_access_token: secret,
            expires_at,
        }
    }

    pub(super) fn platform(&self) -> &Platform {
        self.platform
    }

    pub(super) fn cache(&self) -> &TokenCache {
        self.platform.api_keys().token_cache()
    }

    fn now(&self) -> i64 {
        self.platform.component().clock().now()
    }
}

/// Tokens read from storage in the last [`TOKEN_CACHE_TTL`].
#[derive(Default)]
pub(crate) struct TokenCache {
    authorizers: RwLock<HashMap<String, (AccessToken, Instant)>>,
    component: RwLock<Option<(ComponentAccessToken, Instant)>>,
}

impl TokenCache {
    /// Stores `token` unless a newer one is cached: a read that started before
    /// an invalidation must not put the old token back.
    pub(super) fn put_authorizer(&self, token: &AccessToken) {
        let mut map = write(&self.authorizers);
        let newer_cached = map
            .get(&token.authorizer_appid)
            .is_some_and(|(cached, at)| {
                cached.expires_at > token.expires_at && at.elapsed() < TOKEN_CACHE_TTL
            });
        if !newer_cached {
            map.insert(
                token.authorizer_appid.clone(),
                (token.clone(), Instant::now()),
            );
        }
    }

    fn put_component(&self, token: &ComponentAccessToken) {
        let mut slot = write(&self.component);
        let newer_cached = slot.as_ref().is_some_and(|(cached, at)| {
            cached.expires_at > token.expires_at && at.elapsed() < TOKEN_CACHE_TTL
        });
        if !newer_cached {
            *slot = Some((token.clone(), Instant::now()));
        }
    }
}

/// Whether a cached token may still be served: recently read and not expired.
fn fresh(expires_at: i64, cached_at: Instant, now: i64) -> bool {
    cached_at.elapsed() < TOKEN_CACHE_TTL && expires_at > now
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token(expires_at: i64) -> AccessToken {
        AccessToken {
            authorizer_appid: "wxa".into(),
            company_id: 1,
            access_token: Secret::new(format!("t{expires_at}")),
            expires_at,
        }
    }

    #[test]
    fn an_older_token_does_not_replace_a_newer_cached_one() {
        let cache = TokenCache::default();
        cache.put_authorizer(&token(200));
        cache.put_authorizer(&token(100));
        let cached = read(&cache.authorizers)["wxa"].0.expires_at;
        assert_eq!(cached, 200);
        cache.put_authorizer(&token(300));
        assert_eq!(read(&cache.authorizers)["wxa"].0.expires_at, 300);
    }

    #[test]
    fn an_expired_or_old_entry_is_not_served_from_the_cache() {
        assert!(fresh(100, Instant::now(), 99));
        assert!(!fresh(100, Instant::now(), 100), "expired");
        if let Some(old) = Instant::now().checked_sub(TOKEN_CACHE_TTL * 2) {
            assert!(!fresh(100, old, 0), "read too long ago");
        }
    }
}
