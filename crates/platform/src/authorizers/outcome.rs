//! Recording a refresh's outcome: a success is written compare-and-swap
//! (lease held, refresh token unchanged since the refresh began), a failure
//! with its backoff. Both release the lease.

use store::{RefreshFailure, SaveRefreshed};
use wechat::Secret;
use wechat::wire::AuthorizerTokenResponse;

use super::engine::Refreshed;
use super::{AuthorizerTokenError, AuthorizerTokens, access_context, refresh_context};

impl AuthorizerTokens<'_> {
    /// Stores a successful `api_authorizer_token` answer: the new access token
    /// and the refresh token WeChat returned (usually the same as `used`;
    /// whatever non-empty one it returned is kept, an empty one never) in one
    /// statement, releasing the lease. Compare-and-swap against `started_from`
    /// (the sealed refresh token as stored when the refresh began) and the
    /// lease: a result that arrives after the lease ran out, or after a newer
    /// refresh token was stored, is discarded, never written over it.
    pub(super) async fn store_refreshed(
        &self,
        appid: &str,
        answer: AuthorizerTokenResponse,
        used: Secret,
        started_from: &[u8],
    ) -> Result<Refreshed, AuthorizerTokenError> {
        let now = self.component.clock().now();
        let expires_at = now + i64::try_from(answer.expires_in).unwrap_or(7200);
        let refresh_token = answer
            .authorizer_refresh_token
            .filter(|token| !token.expose().is_empty())
            .unwrap_or(used);
        let access_sealed = self.vault.seal(
            &access_context(appid),
            answer.authorizer_access_token.expose(),
        );
        let refresh_sealed = self
            .vault
            .seal(&refresh_context(appid), refresh_token.expose());
        let written = self
            .store
            .authorizer_refresh()
            .save_refreshed(SaveRefreshed {
                appid,
                holder: &self.engine.instance_id,
                access_token_sealed: &access_sealed,
                expires_at,
                refresh_token_sealed: &refresh_sealed,
                started_from: Some(started_from),
                now,
            })
            .await?;
        if !written {
            tracing::warn!(authorizer_appid = %appid, "refresh result discarded: the lease ran out or a newer refresh token was stored meanwhile");
            return Ok(Refreshed::Skipped);
        }
        crate::metrics::refresh_succeeded();
        tracing::info!(authorizer_appid = %appid, expires_at, "authorizer_access_token refreshed");
        Ok(Refreshed::Done)
    }

    pub(super) async fn fail(
        &self,
        appid: &str,
        failures: i64,
        message: &str,
        now: i64,
    ) -> Result<Refreshed, AuthorizerTokenError> {
        let failures = failures + 1;
        let next_attempt_at = now + self.engine.backoff(failures - 1);
        self.store
            .authorizer_refresh()
            .record_failure(
                appid,
                &self.engine.instance_id,
                RefreshFailure {
                    error: message,
                    failures,
                    next_attempt_at,
                },
                now,
            )
            .await?;
        Ok(Refreshed::Failed(message.to_owned()))
    }
}
