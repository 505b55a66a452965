//! Server functions for one account: its details and token health, and
//! "refresh now".

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::UiError;
use crate::shared::views::AuthorizerView;

/// What the account page shows (formatted on the server).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountView {
    pub card: AuthorizerView,
    pub company_id: i64,
    pub company: String,
    pub alias: Option<String>,
    pub qrcode_url: Option<String>,
    pub expires_at: String,
    pub refreshed_at: String,
    pub next_refresh_at: String,
    pub failures: i64,
    pub last_error: Option<String>,
}

#[server(prefix = "/api/admin", endpoint = "accounts/get")]
pub async fn get_account(appid: String) -> Result<AccountView, UiError> {
    let platform = crate::shared::ssr::admin_platform().await?;
    let account = platform
        .account(&appid)
        .await
        .map_err(|err| crate::shared::ssr::internal(&err))?
        .ok_or(UiError::NotFound)?;
    Ok(ssr::view(account, platform.settings()))
}

/// Refreshes the account's token now (an operator's request); back to its page.
#[server(prefix = "/api/admin", endpoint = "accounts/refresh")]
pub async fn refresh_account(appid: String) -> Result<(), UiError> {
    let admin = crate::shared::ssr::admin().await?;
    let result = admin.platform.authorizer_tokens().refresh_one(&appid).await;
    admin
        .audit(
            platform::audit::AuditAction::AccountRefreshed,
            format!("authorizer:{appid}"),
        )
        .await;
    let outcome = match result {
        Ok(platform::authorizers::Refreshed::Done) => "done",
        Ok(_) => "skipped",
        Err(platform::authorizers::AuthorizerTokenError::NotFound) => {
            return Err(UiError::NotFound);
        }
        Err(_) => "failed",
    };
    crate::shared::ssr::redirect_form_post(&format!("/accounts/{appid}?refresh={outcome}")).await;
    Ok(())
}

#[cfg(feature = "ssr")]
mod ssr {
    use platform::authorizers::Account;

    use super::AccountView;
    use crate::shared::ssr::format_time;

    pub(super) fn view(account: Account, settings: &platform::PlatformSettings) -> AccountView {
        let when = |at: Option<i64>| at.map_or_else(|| "—".to_owned(), format_time);
        let health = account.health;
        AccountView {
            company_id: account.authorizer.company_id,
            card: crate::shared::views::authorizer_view(
                account.authorizer,
                settings,
                crate::i18n::Lang::Zh,
            ),
            company: account.company_name,
            alias: account.alias,
            qrcode_url: account.qrcode_url,
            expires_at: when(health.access_token_expires_at),
            refreshed_at: when(health.refreshed_at),
            next_refresh_at: when(health.next_refresh_at),
            failures: health.failures,
            last_error: health.last_error,
        }
    }
}
