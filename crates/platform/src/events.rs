//! Acting on recorded authorization pushes, after WeChat got its `success`:
//! `unauthorized` revokes the authorizer (history kept, refreshing stops),
//! unless it is older (`CreateTime`) than the account's latest authorization;
//! `authorized` / `updateauthorized` are completed with `api_query_auth`
//! unless the merchant's callback already exchanged the code.

use std::time::Duration;

use wechat::push::ComponentPush;

use crate::Platform;

impl Platform {
    /// Processes one recorded push and marks it processed (with the error, if any).
    pub async fn process_push_event(&self, event_id: i64) {
        let outcome = self.apply_push_event(event_id).await;
        let now = self.component().clock().now();
        let error = outcome.as_ref().err().map(String::as_str);
        if let Err(message) = &outcome {
            tracing::warn!(event_id, error = %message, "authorization event not applied");
        }
        if let Err(err) = self
            .store
            .push_events()
            .mark_processed(event_id, now, error)
            .await
        {
            tracing::error!(event_id, error = %err, "could not mark the event processed");
        }
    }

    /// Processes what a crash left unprocessed.
    pub async fn process_pending_events(&self) {
        match self.store.push_events().unprocessed(1000).await {
            Ok(ids) => {
                for id in ids {
                    self.process_push_event(id).await;
                }
            }
            Err(err) => tracing::error!(error = %err, "cannot list unprocessed events"),
        }
    }

    async fn apply_push_event(&self, event_id: i64) -> Result<(), String> {
        let row = self
            .store
            .push_events()
            .by_id(event_id)
            .await
            .map_err(|e| e.to_string())?;
        let Some(row) = row else {
            return Err("no such event".into());
        };
        let xml = self
            .vault
            .open("push_event", &row.payload_sealed)
            .map_err(|e| e.to_string())?;
        let push = ComponentPush::parse(&xml).map_err(|e| e.to_string())?;
        match push {
            ComponentPush::Unauthorized {
                authorizer_appid,
                create_time,
                ..
            } => {
                // Pushes can arrive out of order: a revocation older than the
                // account's latest authorization is history, not the current state.
                let latest = self
                    .store
                    .authorizers()
                    .by_appid(&authorizer_appid)
                    .await
                    .map_err(|e| e.to_string())?
                    .map(|row| row.authorized_at);
                if latest.is_some_and(|authorized_at| authorized_at > create_time) {
                    tracing::info!(%authorizer_appid, create_time, "unauthorized older than the latest authorization: recorded, not applied");
                    return Ok(());
                }
                let now = self.component().clock().now();
                let revoked = self
                    .store
                    .authorizers()
                    .mark_revoked(&authorizer_appid, now)
                    .await
                    .map_err(|e| e.to_string())?;
                tracing::info!(%authorizer_appid, revoked, "unauthorized: authorizer revoked, refreshing stops");
                Ok(())
            }
            ComponentPush::Authorized {
                authorizer_appid,
                authorization_code,
                ..
            }
            | ComponentPush::UpdateAuthorized {
                authorizer_appid,
                authorization_code,
                ..
            } => {
                // WeChat pushes while it redirects the merchant: give the callback
                // the first go at the code, so it can tie a new account to its invite.
                // (Counted from the push's arrival: events left over from a restart
                // do not wait again.)
                let waited = self.component().clock().now() - row.received_at;
                let grace = i64::try_from(self.settings.event_grace_secs).unwrap_or(0);
                if let Ok(rest) = u64::try_from(grace - waited)
                    && rest > 0
                {
                    tokio::time::sleep(Duration::from_secs(rest)).await;
                }
                let code = authorization_code.expose();
                let code_hash = crate::onboarding::sha256_hex(code);
                // Not while the callback is exchanging the same code.
                let _single_flight = self.exchanges.lock(&code_hash).await;
                if self
                    .store
                    .authorizers()
                    .code_used(&code_hash)
                    .await
                    .map_err(|e| e.to_string())?
                    .is_some()
                {
                    return Ok(()); // the callback did it
                }
                let existing = self
                    .store
                    .authorizers()
                    .by_appid(&authorizer_appid)
                    .await
                    .map_err(|e| e.to_string())?;
                let Some(existing) = existing else {
                    // No callback, no known company: the admins must invite the merchant
                    // (or reconcile). The event stays in the history with this note.
                    return Err(
                        "authorized without a callback; no company is known for this account"
                            .into(),
                    );
                };
                self.onboarding()
                    .exchange_code(code, existing.company_id, None)
                    .await
                    .map(|_| tracing::info!(%authorizer_appid, "authorization updated from the push"))
                    .map_err(|e| e.to_string())
            }
            _ => Ok(()),
        }
    }
}
