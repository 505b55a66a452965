//! The platform's own health for the admin pages: the component token and ticket.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::UiError;

/// What the status card shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlatformStatus {
    /// 正常 / 等待微信推送票据 / 刷新失败 / 已过期
    pub state: String,
    pub healthy: bool,
    pub token_expires_at: Option<String>,
    pub ticket_received_at: Option<String>,
    /// The last refresh error, operator-facing (never a secret).
    pub last_error: Option<String>,
}

#[server(prefix = "/api/admin", endpoint = "platform/status")]
pub async fn get_platform_status() -> Result<PlatformStatus, UiError> {
    use platform::component::ComponentTokenState;

    let platform = crate::shared::ssr::admin_platform().await?;
    let status = platform
        .component()
        .component_token_status()
        .await
        .map_err(|e| crate::shared::ssr::internal(&e))?;
    let (state, healthy) = match status.state {
        ComponentTokenState::Fresh => (crate::i18n::admin_lang().pick("正常", "Healthy"), true),
        ComponentTokenState::WaitingForTicket => (
            crate::i18n::admin_lang().pick("等待微信推送票据", "Waiting for WeChat's ticket"),
            false,
        ),
        ComponentTokenState::Failing => (
            crate::i18n::admin_lang().pick("刷新失败", "Refresh failing"),
            false,
        ),
        ComponentTokenState::Expired => {
            (crate::i18n::admin_lang().pick("已过期", "Expired"), false)
        }
    };
    Ok(PlatformStatus {
        state: state.to_owned(),
        healthy,
        token_expires_at: status.expires_at.map(crate::shared::ssr::format_time),
        ticket_received_at: status
            .ticket_received_at
            .map(crate::shared::ssr::format_time),
        last_error: status.last_error,
    })
}
