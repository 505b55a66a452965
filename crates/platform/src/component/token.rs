//! The component_access_token: fetched from the newest ticket and refreshed
//! ahead of expiry by a background loop, never on demand. Refresh is single
//! flight: a mutex in this process and a lease in the database across
//! instances. Without a usable ticket it asks WeChat to push one and reports
//! "waiting for ticket" (a state, [`store::ComponentTokenProblem`]) instead of
//! calling WeChat with a bad ticket.
//! After a failure it backs off (doubling, capped; 45009 waits for the day to
//! turn in China), asks WeChat for a ticket at most every 10 minutes, and never
//! believes a lifetime longer than WeChat's 7200 s (see `backoff`).

use store::ComponentTokenProblem;
use wechat::Secret;
use wechat::error::{ErrorClass, WechatError};

use super::ComponentService;
use super::backoff;

/// Refresh when less than this is left (WeChat's tokens live 7200 s).
pub const REFRESH_MARGIN_SECS: i64 = 20 * 60;
/// A ticket is valid for 12 hours (counted from its arrival here).
pub const TICKET_LIFETIME_SECS: i64 = 12 * 3600;
/// How long a refresher may hold the lease before others may take over.
const LEASE_SECS: i64 = 60;

/// The result of one refresh attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefreshOutcome {
    /// The stored token is fresh enough; nothing was called.
    NotDue,
    /// Another instance holds the lease and is refreshing.
    HeldElsewhere,
    /// No usable ticket: a push was requested; try again when one arrives.
    WaitingForTicket,
    /// A new token was fetched and stored.
    Refreshed { expires_at: i64 },
    /// WeChat refused or could not be reached; recorded as the last error.
    Failed { class: ErrorClass },
    /// Failed recently: the next attempt is not before `until` (unix seconds).
    BackingOff { until: i64 },
}

/// The token's health, for the dashboard.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ComponentTokenStatus {
    pub state: ComponentTokenState,
    pub expires_at: Option<i64>,
    pub refreshed_at: Option<i64>,
    pub last_error: Option<String>,
    /// What keeps it from being fresh, if anything.
    pub problem: Option<ComponentTokenProblem>,
    pub ticket_received_at: Option<i64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ComponentTokenState {
    Fresh,
    WaitingForTicket,
    Failing,
    Expired,
}

/// Why no component token can be handed out.
#[derive(Debug, thiserror::Error)]
pub enum ComponentTokenError {
    #[error("no valid component_access_token yet (waiting for a ticket or a refresh)")]
    Unavailable,
    #[error("the stored component token could not be decrypted")]
    Vault(#[from] crate::vault::VaultError),
    #[error(transparent)]
    Storage(#[from] store::StoreError),
}

/// Why a call made with the component token failed.
#[derive(Debug, thiserror::Error)]
pub enum ComponentCallError {
    #[error(transparent)]
    Token(#[from] ComponentTokenError),
    #[error(transparent)]
    Wechat(WechatError),
}

impl ComponentService {
    /// Runs `call` with the current component token. When WeChat answers that
    /// the token is invalid (40001 / 40014 / 42001: another instance or a
    /// staging copy refreshed it, or it died early), the token is invalidated
    /// if it is still the current one (single flight: concurrent callers cause
    /// one refresh), and `call` runs once more with the new token. Otherwise
    /// onboarding and refreshes would fail until the scheduled refresh.
    pub async fn with_component_token<T, F, Fut>(&self, call: F) -> Result<T, ComponentCallError>
    where
        F: Fn(Secret) -> Fut,
        Fut: std::future::Future<Output = Result<T, WechatError>>,
    {
        let token = self.component_token().await?;
        self.retry_with_fresh_token(token, call).await
    }

    /// [`ComponentService::with_component_token`] with a token the caller
    /// already read (a scheduler pass reads it once for many calls).
    pub async fn retry_with_fresh_token<T, F, Fut>(
        &self,
        token: Secret,
        call: F,
    ) -> Result<T, ComponentCallError>
    where
        F: Fn(Secret) -> Fut,
        Fut: std::future::Future<Output = Result<T, WechatError>>,
    {
        match call(token.clone()).await {
            Err(err) if err.class() == ErrorClass::TokenInvalid => {
                tracing::warn!(error = %err, "WeChat refused the component token; refreshing it once and retrying");
                let (fresh, _) = self.invalidate_component_token(token.expose()).await?;
                call(fresh).await.map_err(ComponentCallError::Wechat)
            }
            other => other.map_err(ComponentCallError::Wechat),
        }
    }

    /// The current token from storage; never calls WeChat.
    pub async fn component_token(&self) -> Result<Secret, ComponentTokenError> {
        Ok(self.component_token_with_expiry().await?.0)
    }

    /// Refreshes the token if it is missing or within [`REFRESH_MARGIN_SECS`]
    /// of expiry, unless it is backing off after a failure.
    pub async fn refresh_component_token_if_due(
        &self,
    ) -> Result<RefreshOutcome, store::StoreError> {
        let until = self.backoff_until();
        if until > self.inner.clock.now() {
            return Ok(RefreshOutcome::BackingOff { until });
        }
        self.refresh_component_token(false, None).await
    }

    /// When the refresher may try again after failures (0: at once).
    fn backoff_until(&self) -> i64 {
        self.inner
            .backoff
            .lock()
            .map_or(0, |backoff| backoff.next_attempt_at)
    }

    /// Records the outcome of a call to WeChat for the backoff.
    fn record_attempt(&self, failed: Option<&ErrorClass>, now: i64) {
        if let Ok(mut backoff) = self.inner.backoff.lock() {
            match failed {
                None => *backoff = super::Backoff::default(),
                Some(class) => {
                    backoff.failures = backoff.failures.saturating_add(1);
                    backoff.next_attempt_at = backoff::next_attempt(now, backoff.failures, class);
                }
            }
        }
    }

    /// The current token and when it expires, from storage; never calls WeChat.
    pub async fn component_token_with_expiry(&self) -> Result<(Secret, i64), ComponentTokenError> {
        let inner = &self.inner;
        let row = inner
            .store
            .component()
            .token(self.component_appid())
            .await?;
        let now = inner.clock.now();
        match row {
            Some(store::ComponentTokenRow {
                token_sealed: Some(sealed),
                expires_at: Some(at),
                ..
            }) if at > now => Ok((
                Secret::new(inner.vault.open(&self.token_context(), &sealed)?),
                at,
            )),
            _ => Err(ComponentTokenError::Unavailable),
        }
    }

    /// A consumer saw `failed_token` rejected: refresh now if it is still the
    /// current one (single flight: concurrent reports cause one refresh), and
    /// return the current token.
    pub async fn invalidate_component_token(
        &self,
        failed_token: &str,
    ) -> Result<(Secret, i64), ComponentTokenError> {
        let stale = match self.component_token_with_expiry().await {
            Ok((token, _)) => token.expose() == failed_token,
            Err(_) => true,
        };
        if stale {
            self.refresh_component_token(true, Some(failed_token))
                .await?;
        }
        self.component_token_with_expiry().await
    }

    /// Refreshes when due, or when `force`d. A forced refresh for `failed` is
    /// skipped if, by the time it holds the lock, the token was already replaced.
    async fn refresh_component_token(
        &self,
        force: bool,
        failed: Option<&str>,
    ) -> Result<RefreshOutcome, store::StoreError> {
        let inner = &self.inner;
        let _guard = inner.refreshing.lock().await;
        let appid = self.component_appid();
        let now = inner.clock.now();
        let row = inner
            .store
            .component()
            .token(appid)
            .await?
            .unwrap_or_default();
        let current = row
            .token_sealed
            .as_ref()
            .and_then(|s| inner.vault.open(&self.token_context(), s).ok());
        let replaced = failed.is_some_and(|f| current.as_deref().is_some_and(|c| c != f));
        let fresh = row.token_sealed.is_some()
            && row
                .expires_at
                .is_some_and(|at| at - now > REFRESH_MARGIN_SECS);
        if replaced || (fresh && !force) {
            return Ok(RefreshOutcome::NotDue);
        }
        if !inner
            .store
            .component()
            .try_lease(
                appid,
                &inner.instance_id,
                now,
                now + LEASE_SECS,
                row.expires_at,
            )
            .await?
        {
            return Ok(RefreshOutcome::HeldElsewhere);
        }

        let ticket = match inner.store.component().ticket(appid).await? {
            // Counted from when we received it: our clock, not WeChat's CreateTime.
            Some(t) if t.received_at + TICKET_LIFETIME_SECS > now => inner
                .vault
                .open(&self.ticket_context(), &t.ticket_sealed)
                .ok(),
            _ => None,
        };
        let Some(ticket) = ticket else {
            self.request_ticket_push().await;
            inner
                .store
                .component()
                .record_error(
                    appid,
                    &inner.instance_id,
                    ComponentTokenProblem::WaitingForTicket,
                    "waiting for a component_verify_ticket from WeChat",
                    now,
                )
                .await?;
            inner
                .needs_ticket
                .store(true, std::sync::atomic::Ordering::Relaxed);
            return Ok(RefreshOutcome::WaitingForTicket);
        };

        match inner.client.api_component_token(&Secret::new(ticket)).await {
            Ok(answer) => {
                let expires_at = now + backoff::token_lifetime(answer.expires_in);
                let sealed = inner.vault.seal(
                    &self.token_context(),
                    answer.component_access_token.expose(),
                );
                inner
                    .store
                    .component()
                    .save_token(appid, &inner.instance_id, &sealed, expires_at, now)
                    .await?;
                tracing::info!(expires_at, "component_access_token refreshed");
                self.record_attempt(None, now);
                inner
                    .needs_ticket
                    .store(false, std::sync::atomic::Ordering::Relaxed);
                Ok(RefreshOutcome::Refreshed { expires_at })
            }
            Err(err) => {
                let class = err.class();
                tracing::warn!(error = %err, ?class, "component_access_token refresh failed");
                self.record_attempt(Some(&class), now);
                if class == ErrorClass::Ticket {
                    inner
                        .needs_ticket
                        .store(true, std::sync::atomic::Ordering::Relaxed);
                    self.request_ticket_push().await;
                }
                let message = describe(&err);
                let problem = match &class {
                    ErrorClass::IpNotWhitelisted { .. } => ComponentTokenProblem::IpNotWhitelisted,
                    ErrorClass::Quota => ComponentTokenProblem::QuotaExhausted,
                    _ => ComponentTokenProblem::RefreshFailed,
                };
                inner
                    .store
                    .component()
                    .record_error(appid, &inner.instance_id, problem, &message, now)
                    .await?;
                Ok(RefreshOutcome::Failed { class })
            }
        }
    }

    /// The token's health for the dashboard.
    pub async fn component_token_status(&self) -> Result<ComponentTokenStatus, store::StoreError> {
        let inner = &self.inner;
        let appid = self.component_appid();
        let now = inner.clock.now();
        let row = inner
            .store
            .component()
            .token(appid)
            .await?
            .unwrap_or_default();
        let ticket = inner.store.component().ticket(appid).await?;
        let state = match (row.problem, row.expires_at) {
            (Some(ComponentTokenProblem::WaitingForTicket), _) => {
                ComponentTokenState::WaitingForTicket
            }
            (
                Some(
                    ComponentTokenProblem::RefreshFailed
                    | ComponentTokenProblem::IpNotWhitelisted
                    | ComponentTokenProblem::QuotaExhausted,
                ),
                _,
            ) => ComponentTokenState::Failing,
            (None, Some(at)) if at > now => ComponentTokenState::Fresh,
            (None, _) if ticket.is_none() => ComponentTokenState::WaitingForTicket,
            (None, _) => ComponentTokenState::Expired,
        };
        Ok(ComponentTokenStatus {
            state,
            expires_at: row.expires_at,
            refreshed_at: row.refreshed_at,
            last_error: row.last_error,
            problem: row.problem,
            ticket_received_at: ticket.map(|t| t.received_at),
        })
    }

    /// Runs forever: refreshes when due (after any backoff), and right away
    /// when a ticket arrives that it was waiting for (a new ticket may be what
    /// the last failure lacked).
    pub async fn run_component_token_refresher(self, tick: std::time::Duration) {
        let mut ticket_arrived = false;
        loop {
            let outcome = if ticket_arrived {
                self.refresh_component_token(false, None).await
            } else {
                self.refresh_component_token_if_due().await
            };
            if let Err(err) = outcome {
                tracing::error!(error = %err, "component token refresher: storage failed");
            }
            ticket_arrived = tokio::select! {
                () = tokio::time::sleep(tick) => false,
                () = self.inner.ticket_arrived.notified() => true,
            };
        }
    }

    /// Asks WeChat to push a ticket, at most every 10 minutes: tickets come
    /// every 10 minutes anyway, and the request has a daily quota.
    async fn request_ticket_push(&self) {
        let now = self.inner.clock.now();
        let last = self
            .inner
            .ticket_requested_at
            .load(std::sync::atomic::Ordering::Relaxed);
        if !backoff::may_request_ticket((last != 0).then_some(last), now) {
            return;
        }
        self.inner
            .ticket_requested_at
            .store(now, std::sync::atomic::Ordering::Relaxed);
        match self.inner.client.api_start_push_ticket().await {
            Ok(_) => tracing::info!("asked WeChat to push a component_verify_ticket"),
            Err(err) => tracing::warn!(error = %err, "api_start_push_ticket failed"),
        }
    }
}

/// An operator-facing line: the class advice plus WeChat's code, no secrets.
fn describe(err: &WechatError) -> String {
    let class = err.class();
    let seen = match &class {
        // The address to add to the whitelist, as WeChat saw it.
        ErrorClass::IpNotWhitelisted { ip: Some(ip) } => format!("（微信看到的 IP：{ip}）"),
        _ => String::new(),
    };
    match err.errcode() {
        Some(code) => format!("errcode {code}: {}{seen}", class.advice_zh()),
        None => format!("{err}: {}{seen}", class.advice_zh()),
    }
}
