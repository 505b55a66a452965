//! Server functions for the message gateway's webhook pages: endpoints
//! (list, create, enable or disable, delete, show the signing secret) and an
//! endpoint's delivery log with replay. Every change is audited.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::UiError;

/// An endpoint as the webhooks page shows it (never its secret).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EndpointView {
    pub id: i64,
    pub url: String,
    /// Whose accounts, in words.
    pub scope: String,
    /// The filters, in words (empty: everything).
    pub filters: String,
    pub synchronous: bool,
    pub active: bool,
    pub pending: i64,
    pub delivered: i64,
    pub dead: i64,
}

/// One delivery in an endpoint's log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryView {
    pub id: i64,
    pub message_id: i64,
    pub appid: String,
    /// `text`, or `event: subscribe`.
    pub what: String,
    pub state: String,
    pub dead: bool,
    pub attempts: i64,
    pub last_status: String,
    pub duration: String,
    pub error: String,
    pub at: String,
}

#[server(prefix = "/api/admin", endpoint = "webhooks/list")]
pub async fn list_endpoints() -> Result<Vec<EndpointView>, UiError> {
    let platform = crate::shared::ssr::admin_platform().await?;
    ssr::list(&platform).await
}

/// Registers an endpoint: `company` names one company (empty: all);
/// `msg_types`, `events` and `appids` are comma-separated filters.
#[server(prefix = "/api/admin", endpoint = "webhooks/create")]
pub async fn create_endpoint(
    url: String,
    company: Option<String>,
    msg_types: Option<String>,
    events: Option<String>,
    appids: Option<String>,
    synchronous: Option<String>,
    budget_ms: Option<String>,
) -> Result<i64, UiError> {
    let admin = crate::shared::ssr::admin().await?;
    let id = ssr::create(
        &admin,
        ssr::Form {
            url,
            company,
            msg_types,
            events,
            appids,
            synchronous: synchronous.is_some(),
            budget_ms,
        },
    )
    .await?;
    crate::shared::ssr::redirect_form_post(&format!("/webhooks?secret={id}")).await;
    Ok(id)
}

/// An endpoint's signing secret, for the admin setting up the receiver.
#[server(prefix = "/api/admin", endpoint = "webhooks/secret")]
pub async fn endpoint_secret(id: i64) -> Result<String, UiError> {
    let admin = crate::shared::ssr::admin().await?;
    let endpoints = admin
        .platform
        .messages()
        .endpoints()
        .list()
        .await
        .map_err(|e| crate::shared::ssr::internal(&e))?;
    let secret = endpoints
        .iter()
        .find(|e| e.id == id)
        .map(|e| e.secret.clone())
        .ok_or(UiError::NotFound)?;
    admin
        .audit(
            platform::audit::AuditAction::WebhookSecretShown,
            format!("webhook:{id}"),
        )
        .await;
    Ok(secret)
}

/// `active`: `1` turns it on, anything else off.
#[server(prefix = "/api/admin", endpoint = "webhooks/state")]
pub async fn set_endpoint_active(id: i64, active: String) -> Result<(), UiError> {
    let admin = crate::shared::ssr::admin().await?;
    let on = active == "1";
    admin
        .platform
        .messages()
        .endpoints()
        .set_active(id, on)
        .await
        .map_err(ssr::to_ui_error)?;
    let action = if on {
        platform::audit::AuditAction::WebhookEnabled
    } else {
        platform::audit::AuditAction::WebhookDisabled
    };
    admin.audit(action, format!("webhook:{id}")).await;
    crate::shared::ssr::redirect_form_post("/webhooks").await;
    Ok(())
}

#[server(prefix = "/api/admin", endpoint = "webhooks/delete")]
pub async fn delete_endpoint(id: i64) -> Result<(), UiError> {
    let admin = crate::shared::ssr::admin().await?;
    admin
        .platform
        .messages()
        .endpoints()
        .delete(id)
        .await
        .map_err(ssr::to_ui_error)?;
    admin
        .audit(
            platform::audit::AuditAction::WebhookDeleted,
            format!("webhook:{id}"),
        )
        .await;
    crate::shared::ssr::redirect_form_post(&format!("/webhooks?deleted={id}")).await;
    Ok(())
}

/// An endpoint's deliveries, newest first; `dead_only` shows the dead letters.
#[server(prefix = "/api/admin", endpoint = "webhooks/deliveries")]
pub async fn list_deliveries(endpoint: i64, dead_only: bool) -> Result<Vec<DeliveryView>, UiError> {
    let platform = crate::shared::ssr::admin_platform().await?;
    ssr::deliveries(&platform, endpoint, dead_only).await
}

/// Sends a dead delivery again (a new 24-hour window).
#[server(prefix = "/api/admin", endpoint = "webhooks/replay")]
pub async fn replay_delivery(endpoint: i64, id: i64) -> Result<(), UiError> {
    let admin = crate::shared::ssr::admin().await?;
    let replayed = admin
        .platform
        .messages()
        .replay(id)
        .await
        .map_err(|e| crate::shared::ssr::internal(&e))?;
    if !replayed {
        return Err(UiError::Conflict(
            crate::i18n::admin_lang()
                .pick(
                    "这条投递不是失败状态，无需重新投递。",
                    "This delivery has not failed: there is nothing to replay.",
                )
                .into(),
        ));
    }
    admin
        .audit(
            platform::audit::AuditAction::DeliveryReplayed,
            format!("delivery:{id}"),
        )
        .await;
    crate::shared::ssr::redirect_form_post(&format!("/webhooks/{endpoint}?replayed={id}")).await;
    Ok(())
}

#[cfg(feature = "ssr")]
mod ssr;
