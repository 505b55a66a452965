//! What a recorded push changes: `unauthorized` revokes the authorizer (history
//! kept, refreshing stops) unless it is older (`CreateTime`) than the account's
//! latest authorization; `authorized` / `updateauthorized` are completed with
//! `api_query_auth` unless the merchant's callback already exchanged the code,
//! under the account's company or, for a new account, the company of the
//! invite whose link carried the push's `PreAuthCode`.

use std::time::Duration;

use wechat::push::ComponentPush;

use super::retry::EventError;
use crate::Platform;
use crate::onboarding::{InviteStatus, OnboardingError};

impl From<store::StoreError> for EventError {
    fn from(err: store::StoreError) -> Self {
        Self::Transient(err.to_string())
    }
}

impl From<OnboardingError> for EventError {
    fn from(err: OnboardingError) -> Self {
        let transient = match &err {
            OnboardingError::Storage(_)
            | OnboardingError::NotReady
            | OnboardingError::ExchangeInProgress => true,
            OnboardingError::Wechat(wechat) => wechat.class().is_transient(),
            _ => false,
        };
        if transient {
            Self::Transient(err.to_string())
        } else {
            Self::Permanent(err.to_string())
        }
    }
}

impl Platform {
    pub(super) async fn apply_push_event(&self, event_id: i64) -> Result<(), EventError> {
        let Some(row) = self.store.push_events().by_id(event_id).await? else {
            return Err(EventError::Permanent("no such event".into()));
        };
        let xml = self
            .vault
            .open("push_event", &row.payload_sealed)
            .map_err(|e| EventError::Permanent(e.to_string()))?;
        let push = ComponentPush::parse(&xml).map_err(|e| EventError::Permanent(e.to_string()))?;
        match push {
            ComponentPush::Unauthorized {
                authorizer_appid,
                create_time,
                ..
            } => {
                if self.messages().is_release_check_account(&authorizer_appid) {
                    self.messages()
                        .release_check_unauthorized(&authorizer_appid)
                        .await?;
                    return Ok(());
                }
                // Pushes can arrive out of order: a revocation older than the
                // account's latest authorization is history, not the current state.
                let latest = self
                    .store
                    .authorizers()
                    .by_appid(&authorizer_appid)
                    .await?
                    .map(|row| row.authorized_at);
                if latest.is_some_and(|authorized_at| authorized_at > create_time) {
                    tracing::info!(%authorizer_appid, create_time, "unauthorized older than the latest authorization: recorded, not applied");
                    return Ok(());
                }
                let now = self.component().clock().now();
                let revoked = self
                    .store
                    .authorizers()
                    .mark_revoked(&authorizer_appid, now, store::HistoryKind::Unauthorized)
                    .await?;
                tracing::info!(%authorizer_appid, revoked, "unauthorized: authorizer revoked, refreshing stops");
                Ok(())
            }
            ComponentPush::Authorized {
                authorizer_appid,
                authorization_code,
                pre_auth_code,
                ..
            }
            | ComponentPush::UpdateAuthorized {
                authorizer_appid,
                authorization_code,
                pre_auth_code,
                ..
            } => {
                // A release check's test account: WeChat authorized it itself;
                // kept apart from every company.
                if self.messages().is_release_check_account(&authorizer_appid) {
                    return self
                        .messages()
                        .release_check_authorized(&authorizer_appid, &authorization_code)
                        .await
                        .map_err(EventError::Transient);
                }
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
                    .await?
                    .is_some()
                {
                    return Ok(()); // the callback did it
                }
                let onboarding = self.onboarding();
                let existing = self.store.authorizers().by_appid(&authorizer_appid).await?;
                let (company_id, invite_id) = match existing {
                    Some(existing) => (existing.company_id, None),
                    // A new account whose merchant never came back to our callback:
                    // the link's PreAuthCode names the invite.
                    None => {
                        let invite = match &pre_auth_code {
                            Some(pre) => onboarding.invite_of_pre_auth_code(pre.expose()).await?,
                            None => None,
                        };
                        let Some(invite) = invite else {
                            return Err(EventError::Permanent(
                                "authorized without a callback, through a link this platform did \
                                 not make: no company is known for this account (invite the \
                                 merchant, or attach it after reconcile)"
                                    .into(),
                            ));
                        };
                        if invite.status == InviteStatus::Revoked {
                            return Err(EventError::Permanent(
                                "authorized through a link of a revoked invite: not stored".into(),
                            ));
                        }
                        (invite.company_id, Some(invite.id))
                    }
                };
                // Across instances: one exchange (the callback may be on another).
                if !onboarding
                    .exchange_once(code, company_id, invite_id)
                    .await?
                {
                    return Ok(()); // exchanged meanwhile
                }
                tracing::info!(%authorizer_appid, company_id, "authorization completed from the push");
                Ok(())
            }
            ComponentPush::FastRegister {
                appid,
                status,
                auth_code,
                msg,
                info,
                ..
            } => {
                self.fast_registrations()
                    .apply_result(crate::fast_registration::RegistrationResult {
                        appid: appid.as_deref(),
                        status,
                        auth_code: auth_code.as_ref(),
                        msg: msg.as_deref(),
                        info: info.as_ref(),
                    })
                    .await
            }
            _ => Ok(()),
        }
    }
}
