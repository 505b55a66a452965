//! The refresh engine: one refresh of one authorizer (single flight in this
//! process through a per-authorizer mutex, across instances through the
//! database lease), the error handling WeChat's codes call for, and the
//! scheduler loop that refreshes every due authorizer with bounded
//! concurrency, per-authorizer jitter and durable exponential backoff.

use std::time::Duration;

use store::AuthorizerStatus;
use wechat::Secret;
use wechat::error::ErrorClass;

use crate::component::ComponentCallError;
use crate::single_flight::KeyedLocks;

use super::{AccessToken, AuthorizerTokenError, AuthorizerTokens, access_context, refresh_context};

/// How the scheduler behaves.
#[derive(Debug, Clone)]
pub struct SchedulerConfig {
    /// Refresh when less than this is left (tokens live 7200 s).
    pub margin_secs: i64,
    /// Up to this much extra margin per authorizer, from a hash of its appid,
    /// so a fleet authorized at once does not come due at once.
    pub jitter_secs: i64,
    /// Refreshes in flight at once.
    pub concurrency: usize,
    /// How often the scheduler looks for due authorizers.
    pub tick: Duration,
    /// How long a refresher may hold an authorizer's lease.
    pub lease_secs: i64,
    /// First retry delay after a retryable failure; doubles per failure.
    pub base_backoff_secs: i64,
    pub max_backoff_secs: i64,
    /// Most authorizers claimed at once (a pass claims batch after batch).
    pub batch: i64,
}

impl Default for SchedulerConfig {
    fn default() -> Self {
        Self {
            margin_secs: 20 * 60,
            jitter_secs: 5 * 60,
            concurrency: 16,
            tick: Duration::from_secs(10),
            lease_secs: 60,
            base_backoff_secs: 5,
            max_backoff_secs: 10 * 60,
            batch: 1000,
        }
    }
}

/// The engine's own state, shared by every clone of the platform.
#[derive(Debug)]
pub struct AuthorizerRefresh {
    pub(crate) config: SchedulerConfig,
    pub(crate) instance_id: String,
    /// In-process single flight per authorizer.
    locks: KeyedLocks,
    /// Cancelled at shutdown: no scheduled refresh starts after it, and the
    /// ones under way finish (an aborted refresh could leave WeChat's rotated
    /// refresh token unstored until the next 61023 recovers it).
    pub(crate) stopping: tokio_util::sync::CancellationToken,
}

/// A consumer's invalidation refreshes an authorizer at most this often,
/// across all instances (the last one is kept in the database); a looping
/// client gets the current token instead of burning the quota.
pub const FORCED_REFRESH_INTERVAL_SECS: i64 = 10;

/// When a refresh goes ahead.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum When<'a> {
    /// Now (an expired token was asked for, or an operator forces it).
    Always,
    /// Only if this token, which a consumer saw fail, is still the stored one.
    StillCurrent(&'a str),
    /// A reader found the token expired: refresh unless another refresh
    /// stored a valid one meanwhile, and never during a backoff.
    Expired,
    /// A scheduler pass found it due with this expiry: the lease itself
    /// checks that the expiry is unchanged, so no row is read before it.
    Scheduled(Option<i64>),
}

/// What one refresh attempt did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refreshed {
    /// A new token is stored.
    Done,
    /// Not due (someone refreshed it meanwhile), not active, leased elsewhere,
    /// or its result was discarded (the lease ran out, or a newer refresh
    /// token was stored while it ran).
    Skipped,
    /// Failed; the failure is recorded with its next attempt or the new status.
    Failed(String),
}

impl AuthorizerRefresh {
    pub fn new(config: SchedulerConfig, instance_id: String) -> Self {
        Self {
            config,
            instance_id,
            locks: KeyedLocks::default(),
            stopping: tokio_util::sync::CancellationToken::new(),
        }
    }

    /// Stable per-appid extra margin in `0..jitter_secs`.
    fn jitter(&self, appid: &str) -> i64 {
        if self.config.jitter_secs <= 0 {
            return 0;
        }
        let hash = appid
            .bytes()
            .fold(0u64, |h, b| h.wrapping_mul(31).wrapping_add(u64::from(b)));
        (hash % self.config.jitter_secs as u64) as i64
    }

    pub(super) fn backoff(&self, failures: i64) -> i64 {
        let exp = failures.clamp(0, 16) as u32;
        self.config
            .base_backoff_secs
            .saturating_mul(1 << exp)
            .min(self.config.max_backoff_secs)
    }
}

impl AuthorizerTokens<'_> {
    /// The stored access token; refreshed first only when it has expired.
    /// Concurrent readers of an expired token wait for one refresh (single
    /// flight, re-checked under the lock) instead of each calling WeChat, and
    /// an account backing off after failures is not called at all
    /// ([`AuthorizerTokenError::BackingOff`]), so an outage does not burn the quota.
    pub async fn access_token(&self, appid: &str) -> Result<AccessToken, AuthorizerTokenError> {
        if let Some(token) = self.stored(appid).await? {
            return Ok(token);
        }
        self.refresh(appid, When::Expired, None).await?;
        self.stored(appid).await?.ok_or_else(|| {
            AuthorizerTokenError::Unavailable("refresh did not produce a token".into())
        })
    }

    /// A consumer saw `failed_token` rejected (40001/42001): refresh now if it
    /// is still the current one (once, however many consumers report it), and
    /// return the current token.
    pub async fn invalidate(
        &self,
        appid: &str,
        failed_token: &str,
    ) -> Result<AccessToken, AuthorizerTokenError> {
        // At most one forced refresh per account per interval (counted in the
        // database, across instances); later reports get the current token.
        // The in-process lock is taken first: a report arriving while this
        // instance refreshes waits for that refresh and answers its token.
        {
            let _single_flight = self.engine.locks.lock(appid).await;
            let now = self.component.clock().now();
            let allowed = self
                .store
                .authorizer_refresh()
                .take_forced_refresh(appid, now, FORCED_REFRESH_INTERVAL_SECS)
                .await?;
            if allowed {
                // Whether it is still the failed token is decided inside the
                // refresh (and its lease), so concurrent reports refresh once.
                self.refresh_locked(appid, When::StillCurrent(failed_token), None)
                    .await?;
            }
        }
        self.stored(appid)
            .await?
            .ok_or_else(|| AuthorizerTokenError::Unavailable("no valid token after refresh".into()))
    }

    async fn row(&self, appid: &str) -> Result<store::AuthorizerRow, AuthorizerTokenError> {
        self.store
            .authorizers()
            .by_appid(appid)
            .await?
            .ok_or(AuthorizerTokenError::NotFound)
    }

    /// The stored, unexpired token; errors for authorizers that cannot have one.
    async fn stored(&self, appid: &str) -> Result<Option<AccessToken>, AuthorizerTokenError> {
        let row = self.row(appid).await?;
        match row.status {
            AuthorizerStatus::Active => {}
            AuthorizerStatus::Revoked => return Err(AuthorizerTokenError::Revoked),
            AuthorizerStatus::NeedsReauthorization => {
                return Err(AuthorizerTokenError::NeedsReauthorization);
            }
        }
        let now = self.component.clock().now();
        match (row.access_token_sealed, row.access_token_expires_at) {
            (Some(sealed), Some(expires_at)) if expires_at > now => Ok(Some(AccessToken {
                authorizer_appid: row.authorizer_appid,
                company_id: row.company_id,
                access_token: Secret::new(self.vault.open(&access_context(appid), &sealed)?),
                expires_at,
            })),
            _ => Ok(None),
        }
    }

    /// One refresh of one authorizer now, due or not (its token expired, or
    /// an operator asks). The scheduler refreshes what is due on its own.
    pub async fn refresh_one(&self, appid: &str) -> Result<Refreshed, AuthorizerTokenError> {
        self.refresh(appid, When::Always, None).await
    }

    /// `component_token`: the one a scheduler pass read for all its refreshes
    /// (one read per pass instead of one per authorizer); `None` reads it here.
    async fn refresh(
        &self,
        appid: &str,
        when: When<'_>,
        component_token: Option<&Secret>,
    ) -> Result<Refreshed, AuthorizerTokenError> {
        let _single_flight = self.engine.locks.lock(appid).await;
        self.refresh_locked(appid, when, component_token).await
    }

    /// [`Self::refresh`] for a caller that holds the authorizer's in-process lock.
    async fn refresh_locked(
        &self,
        appid: &str,
        when: When<'_>,
        component_token: Option<&Secret>,
    ) -> Result<Refreshed, AuthorizerTokenError> {
        let engine = self.engine;
        let now = self.component.clock().now();
        let Some(observed_expires_at) = self.should_refresh(appid, when, now).await? else {
            return Ok(Refreshed::Skipped);
        };
        let Some(leased) = self
            .store
            .authorizer_refresh()
            .try_lease(
                appid,
                &engine.instance_id,
                now,
                now + engine.config.lease_secs,
                observed_expires_at,
            )
            .await?
        else {
            // Leased elsewhere, revoked, or refreshed by someone else since it was seen.
            return Ok(Refreshed::Skipped);
        };

        let component_token = match component_token {
            Some(token) => Ok(token.clone()),
            None => self.component.component_token().await,
        };
        let component_token = match component_token {
            Ok(token) => token,
            Err(err) => {
                crate::metrics::refresh_failed(crate::metrics::FailureCode::ComponentToken);
                return self
                    .fail(
                        appid,
                        leased.failures,
                        &format!("component token unavailable: {err}"),
                        now,
                    )
                    .await;
            }
        };
        let Some(refresh_sealed) = leased.refresh_token_sealed else {
            return self
                .recover_or_reauthorize(
                    appid,
                    &component_token,
                    (now, leased.failures),
                    "no refresh token stored",
                )
                .await;
        };
        let refresh_token = Secret::new(self.vault.open(&refresh_context(appid), &refresh_sealed)?);
        let client = self.component.client();
        let refresh = &refresh_token;
        let answer = self
            .component
            .retry_with_fresh_token(component_token.clone(), |token| async move {
                client.api_authorizer_token(&token, appid, refresh).await
            })
            .await;
        match answer {
            Ok(answer) => {
                self.store_refreshed(appid, answer, refresh_token, &refresh_sealed)
                    .await
            }
            Err(ComponentCallError::Token(err)) => {
                crate::metrics::refresh_failed(crate::metrics::FailureCode::ComponentToken);
                let message = format!("component token unavailable: {err}");
                self.fail(appid, leased.failures, &message, now).await
            }
            Err(ComponentCallError::Wechat(err)) => {
                crate::metrics::refresh_failed(crate::metrics::FailureCode::Wechat(err.errcode()));
                match err.class() {
                    ErrorClass::RefreshTokenInvalid => {
                        self.recover_or_reauthorize(
                            appid,
                            &component_token,
                            (now, leased.failures),
                            "errcode 61023: refresh token invalid",
                        )
                        .await
                    }
                    ErrorClass::Authorization if err.errcode() == Some(61003) => {
                        self.confirm_revoked(appid, &component_token, now, leased.failures)
                            .await
                    }
                    class => {
                        let message = match (class, err.errcode()) {
                            (ErrorClass::IpNotWhitelisted { ip: Some(ip) }, _) => {
                                format!(
                                    "errcode 61004: 出口 IP {ip} 不在白名单中 / egress IP {ip} is not whitelisted"
                                )
                            }
                            (_, Some(code)) => format!("errcode {code}: {}", class.advice_zh()),
                            (_, None) => format!("{err}: {}", class.advice_zh()),
                        };
                        tracing::warn!(authorizer_appid = %appid, error = %err, "authorizer token refresh failed");
                        self.fail(appid, leased.failures, &message, now).await
                    }
                }
            }
        }
    }

    /// Whether `when` calls for a refresh now; `Some` carries the token expiry
    /// it saw, for the lease to check. Reads the row unless the scheduler pass
    /// already did.
    async fn should_refresh(
        &self,
        appid: &str,
        when: When<'_>,
        now: i64,
    ) -> Result<Option<Option<i64>>, AuthorizerTokenError> {
        let failed = match when {
            When::Scheduled(observed) => return Ok(Some(observed)),
            When::Always | When::Expired => None,
            When::StillCurrent(failed) => Some(failed),
        };
        let row = self.row(appid).await?;
        if row.status != AuthorizerStatus::Active {
            return Ok(None);
        }
        let expires_at = row.access_token_expires_at;
        if when == When::Expired {
            if expires_at.is_some_and(|at| at > now) {
                // Refreshed by the reader who held the lock before us.
                return Ok(None);
            }
            if let Some(next) = row.next_attempt_at.filter(|next| *next > now) {
                return Err(AuthorizerTokenError::BackingOff {
                    retry_after_secs: next - now,
                });
            }
        }
        let go = match failed {
            None => true,
            Some(failed) => {
                let usable = expires_at.is_some_and(|at| at > now);
                let current = row
                    .access_token_sealed
                    .as_deref()
                    .and_then(|sealed| self.vault.open(&access_context(appid), sealed).ok());
                !usable || current.as_deref() == Some(failed)
            }
        };
        Ok(go.then_some(expires_at))
    }
}

mod pass;
#[cfg(test)]
mod tests;
