//! The refresh's recovery paths, which consult WeChat's authorizer list
//! (`api_get_authorizer_list`) before anything permanent happens: a 61003 is
//! confirmed there before an account is marked revoked, and a 61023 (or a
//! missing refresh token) recovers the token the list carries before an
//! account is marked for re-authorization. A list that cannot be read decides
//! nothing: the attempt is recorded as a failure and retried with backoff.

use wechat::Secret;

use super::engine::Refreshed;
use super::{AuthorizerTokenError, AuthorizerTokens, refresh_context};
use crate::component::ComponentCallError;

/// Where an authorizer stands in WeChat's list (`api_get_authorizer_list`).
enum Listing {
    /// Authorized, with the refresh token the list carries (if it does).
    Listed(Option<Secret>),
    NotListed,
}

impl AuthorizerTokens<'_> {
    /// 61003 says the authorization is gone; WeChat's list confirms it before
    /// the account is marked revoked (a revocation is permanent, a one-off
    /// answer may not be). Still listed, or the list unreachable: a failure,
    /// retried with backoff.
    pub(super) async fn confirm_revoked(
        &self,
        appid: &str,
        component_token: &Secret,
        now: i64,
        failures: i64,
    ) -> Result<Refreshed, AuthorizerTokenError> {
        match self.listing(component_token, appid).await {
            Ok(Listing::NotListed) => {
                self.store
                    .authorizers()
                    .mark_revoked(appid, now, store::HistoryKind::NoLongerListed)
                    .await?;
                tracing::warn!(authorizer_appid = %appid, "authorization revoked (61003, confirmed by api_get_authorizer_list); refreshing stops");
                Ok(Refreshed::Failed("revoked".into()))
            }
            Ok(Listing::Listed(_)) => {
                let message =
                    "errcode 61003, but WeChat still lists the authorization: retried later";
                tracing::warn!(authorizer_appid = %appid, "{message}");
                self.fail(appid, failures, message, now).await
            }
            Err(err) => {
                let message = format!(
                    "errcode 61003 not yet confirmed (api_get_authorizer_list failed: {err}): retried later"
                );
                tracing::warn!(authorizer_appid = %appid, "{message}");
                self.fail(appid, failures, &message, now).await
            }
        }
    }

    /// Where `appid` stands in WeChat's authorizer list, page by page.
    async fn listing(
        &self,
        component_token: &Secret,
        appid: &str,
    ) -> Result<Listing, ComponentCallError> {
        let client = self.component.client();
        let mut offset = 0;
        loop {
            let page = self
                .component
                .retry_with_fresh_token(component_token.clone(), |token| async move {
                    client.api_get_authorizer_list(&token, offset, 500).await
                })
                .await?;
            if let Some(item) = page.list.iter().find(|i| i.authorizer_appid == appid) {
                return Ok(Listing::Listed(item.refresh_token.clone()));
            }
            offset += u32::try_from(page.list.len()).unwrap_or(u32::MAX);
            if page.list.is_empty() || u64::from(offset) >= page.total_count {
                return Ok(Listing::NotListed);
            }
        }
    }

    /// 61023 or a missing refresh token: look the authorizer up in WeChat's
    /// list (which carries its refresh token) and retry once with it; if it is
    /// not listed, or its listed token is the one that failed, the account
    /// needs re-authorization. A list that cannot be read decides nothing: a
    /// failure, retried with backoff.
    pub(super) async fn recover_or_reauthorize(
        &self,
        appid: &str,
        component_token: &Secret,
        (now, failures): (i64, i64),
        reason: &str,
    ) -> Result<Refreshed, AuthorizerTokenError> {
        let client = self.component.client();
        let stored = self
            .store
            .authorizers()
            .by_appid(appid)
            .await?
            .and_then(|r| r.refresh_token_sealed);
        let stored_plain = stored
            .as_deref()
            .and_then(|s| self.vault.open(&refresh_context(appid), s).ok());
        let recovered = match self.listing(component_token, appid).await {
            Ok(Listing::Listed(token)) => token,
            Ok(Listing::NotListed) => None,
            Err(err) => {
                tracing::warn!(authorizer_appid = %appid, error = %err, "api_get_authorizer_list failed during recovery");
                let message =
                    format!("{reason}; api_get_authorizer_list failed ({err}): retried later");
                return self.fail(appid, failures, &message, now).await;
            }
        };
        match recovered {
            Some(token) if Some(token.expose()) != stored_plain.as_deref() => {
                let sealed = self.vault.seal(&refresh_context(appid), token.expose());
                self.store
                    .authorizer_refresh()
                    .replace_refresh_token(appid, &sealed, now)
                    .await?;
                tracing::info!(authorizer_appid = %appid, "refresh token recovered from api_get_authorizer_list");
                match client
                    .api_authorizer_token(component_token, appid, &token)
                    .await
                {
                    Ok(answer) => return self.store_refreshed(appid, answer, token, &sealed).await,
                    Err(err) if err.class().is_transient() => {
                        let message = format!(
                            "refresh with the recovered token failed ({err}): retried later"
                        );
                        return self.fail(appid, failures, &message, now).await;
                    }
                    Err(err) => {
                        tracing::warn!(authorizer_appid = %appid, error = %err, "refresh with the recovered token failed")
                    }
                }
            }
            _ => {}
        }
        let message = format!("{reason}: 需要商户重新授权 / the merchant must authorize again");
        self.store
            .authorizer_refresh()
            .mark_needs_reauthorization(appid, &message, now)
            .await?;
        tracing::warn!(authorizer_appid = %appid, "authorizer needs re-authorization");
        Err(AuthorizerTokenError::NeedsReauthorization)
    }
}
