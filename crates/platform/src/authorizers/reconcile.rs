//! Reconciling our authorizers with WeChat's list (`api_get_authorizer_list`),
//! which is the only place WeChat hands out refresh tokens again: it recovers
//! lost or stale refresh tokens, finds authorizations we never recorded, and
//! marks revoked the ones WeChat no longer lists.

use std::collections::HashMap;

use store::AuthorizerStatus;
use wechat::Secret;

use crate::component::ComponentCallError;

use super::{AuthorizerTokenError, AuthorizerTokens, refresh_context};

/// What a reconcile found and changed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReconcileReport {
    /// Authorizers whose stored refresh token was missing or different, now replaced.
    pub recovered: Vec<String>,
    /// Authorized at WeChat but unknown here: kept as unassigned accounts
    /// (with their refresh tokens) for the admins to attach to a company.
    pub unknown: Vec<String>,
    /// Known here as active or needing re-authorization, absent from WeChat's list: now revoked.
    pub revoked: Vec<String>,
    /// Revoked here, but authorized at WeChat (a revocation we recorded that
    /// did not last, or an authorization whose push we missed): active again.
    pub revived: Vec<String>,
}

impl AuthorizerTokens<'_> {
    /// Compares every page of WeChat's authorizer list with the database and repairs drift.
    pub async fn reconcile(&self) -> Result<ReconcileReport, AuthorizerTokenError> {
        let component_token = self
            .component
            .component_token()
            .await
            .map_err(|e| AuthorizerTokenError::Unavailable(e.to_string()))?;
        let client = self.component.client();
        let mut listed: HashMap<String, Option<Secret>> = HashMap::new();
        let mut offset = 0u32;
        loop {
            let page = self
                .component
                .retry_with_fresh_token(component_token.clone(), |token| async move {
                    client.api_get_authorizer_list(&token, offset, 500).await
                })
                .await
                .map_err(|err| match err {
                    ComponentCallError::Token(err) => {
                        AuthorizerTokenError::Unavailable(err.to_string())
                    }
                    ComponentCallError::Wechat(err) => AuthorizerTokenError::Wechat(err),
                })?;
            let count = u32::try_from(page.list.len()).unwrap_or(u32::MAX);
            for item in page.list {
                listed.insert(item.authorizer_appid, item.refresh_token);
            }
            offset = offset.saturating_add(count);
            if count == 0 || u64::from(offset) >= page.total_count {
                break;
            }
        }

        let now = self.component.clock().now();
        let mut report = ReconcileReport::default();
        let known = self.store.authorizer_refresh().all().await?;
        for (appid, status) in &known {
            match listed.get(appid) {
                Some(Some(refresh_token)) => {
                    let row = self.store.authorizers().by_appid(appid).await?;
                    let stored = row
                        .and_then(|r| r.refresh_token_sealed)
                        .and_then(|sealed| self.vault.open(&refresh_context(appid), &sealed).ok());
                    let revoked = *status == AuthorizerStatus::Revoked;
                    if revoked || stored.as_deref() != Some(refresh_token.expose()) {
                        let sealed = self
                            .vault
                            .seal(&refresh_context(appid), refresh_token.expose());
                        self.store
                            .authorizer_refresh()
                            .replace_refresh_token(appid, &sealed, now)
                            .await?;
                        if !revoked {
                            self.store
                                .authorizer_refresh()
                                .reactivate(appid, now)
                                .await?;
                            report.recovered.push(appid.clone());
                        } else if self.store.authorizers().revive(appid, now).await? {
                            tracing::warn!(authorizer_appid = %appid, "revoked here but authorized at WeChat: revived by reconcile");
                            report.revived.push(appid.clone());
                        }
                    }
                }
                Some(None) => {}
                None if *status != AuthorizerStatus::Revoked => {
                    self.store
                        .authorizers()
                        .mark_revoked(appid, now, store::HistoryKind::NoLongerListed)
                        .await?;
                    report.revoked.push(appid.clone());
                }
                None => {}
            }
        }
        let known: std::collections::HashSet<&String> =
            known.iter().map(|(appid, _)| appid).collect();
        report.unknown = listed
            .keys()
            .filter(|appid| !known.contains(appid))
            .cloned()
            .collect();
        report.unknown.sort();
        // Kept, with their refresh tokens, until an admin attaches them.
        for appid in &report.unknown {
            let sealed = listed[appid]
                .as_ref()
                .map(|token| self.vault.seal(&refresh_context(appid), token.expose()));
            self.store
                .unassigned()
                .found(appid, sealed.as_deref(), now)
                .await?;
        }
        for waiting in self.store.unassigned().list().await? {
            let appid = &waiting.authorizer_appid;
            if !listed.contains_key(appid) || known.contains(appid) {
                self.store.unassigned().remove(appid).await?;
            }
        }
        tracing::info!(
            recovered = report.recovered.len(),
            unknown = report.unknown.len(),
            revoked = report.revoked.len(),
            revived = report.revived.len(),
            "reconciled with api_get_authorizer_list"
        );
        Ok(report)
    }
}
