//! One account as operators see it: the authorizer, and its token health
//! (expiry, last and next refresh, failures in a row, the last error with the
//! protocol crate's advice).

use store::StoreError;

use crate::Platform;
use crate::onboarding::Authorizer;

/// The token health of an account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenHealth {
    pub access_token_expires_at: Option<i64>,
    pub refreshed_at: Option<i64>,
    /// When the scheduler will refresh it (after a backoff, or ahead of expiry).
    pub next_refresh_at: Option<i64>,
    pub failures: i64,
    pub last_error: Option<String>,
}

/// An account and its company's name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub authorizer: Authorizer,
    pub company_name: String,
    pub alias: Option<String>,
    pub qrcode_url: Option<String>,
    pub health: TokenHealth,
}

impl Platform {
    /// The account `appid`, if this platform knows it.
    pub async fn account(&self, appid: &str) -> Result<Option<Account>, StoreError> {
        let Some(row) = self.store.authorizers().by_appid(appid).await? else {
            return Ok(None);
        };
        let company_name = self
            .store
            .companies()
            .get(row.company_id)
            .await?
            .map(|c| c.name)
            .unwrap_or_default();
        let margin = self.refresh.config.margin_secs;
        let next_refresh_at = match (row.next_attempt_at, row.access_token_expires_at) {
            (Some(at), _) if row.failures > 0 => Some(at),
            (_, Some(expires)) => Some(expires - margin),
            _ => None,
        };
        let health = TokenHealth {
            access_token_expires_at: row.access_token_expires_at,
            refreshed_at: row.refreshed_at,
            next_refresh_at,
            failures: row.failures,
            last_error: row.last_error.clone(),
        };
        Ok(Some(Account {
            alias: row.alias.clone(),
            qrcode_url: row.qrcode_url.clone(),
            authorizer: crate::onboarding::authorizer_of_row(row),
            company_name,
            health,
        }))
    }
}
