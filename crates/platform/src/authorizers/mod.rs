//! Authorizer tokens: every active authorizer's `authorizer_access_token` is
//! refreshed ahead of expiry by a scheduler (bounded concurrency, jitter,
//! exponential backoff), one refresh per authorizer at a time through a
//! database lease, and every refresh token WeChat returns is stored in the
//! same transaction as the new access token. This module also answers the
//! token service: the stored token, and a refresh when a consumer saw it fail.

mod account;
mod engine;
mod manage;
mod outcome;
mod profile;
mod reconcile;
mod recovery;
mod timeline;

pub use account::{Account, TokenHealth};
pub use engine::{AuthorizerRefresh, Refreshed, SchedulerConfig};
pub use manage::{AccountActionError, Moved, REAUTHORIZATION_INVITE_DAYS};
pub use profile::ProfileError;
pub(crate) use profile::fetch_profile;
pub use reconcile::ReconcileReport;
/// Where an authorizer stands; the same enum from the database to the pages.
pub use store::AuthorizerStatus;
pub use store::{HistoryKind, UnassignedRow};
pub use timeline::{TIMELINE_LENGTH, TimelineEntry};

use store::Store;
use wechat::Secret;
use wechat::error::WechatError;

use crate::component::ComponentService;
use crate::vault::Vault;

/// An access token as handed to consumers.
#[derive(Debug, Clone)]
pub struct AccessToken {
    pub authorizer_appid: String,
    pub company_id: i64,
    pub access_token: Secret,
    /// Unix seconds.
    pub expires_at: i64,
}

/// Why no token can be handed out.
#[derive(Debug, thiserror::Error)]
pub enum AuthorizerTokenError {
    #[error("no such authorizer")]
    NotFound,
    #[error("the authorizer revoked the authorization")]
    Revoked,
    #[error("the authorizer must authorize again (refresh token invalid)")]
    NeedsReauthorization,
    #[error("no valid token right now: {0}")]
    Unavailable(String),
    /// The token has expired and refreshing is backing off after failures:
    /// no call to WeChat before `retry_after_secs` have passed.
    #[error(
        "the token expired and refreshing is backing off after failures; retry in {retry_after_secs} s"
    )]
    BackingOff { retry_after_secs: i64 },
    #[error("WeChat refused or could not be reached: {0}")]
    Wechat(#[source] WechatError),
    #[error("a stored secret could not be decrypted")]
    Vault(#[from] crate::vault::VaultError),
    #[error(transparent)]
    Storage(#[from] store::StoreError),
}

/// The authorizer token use cases.
pub struct AuthorizerTokens<'a> {
    pub(crate) store: &'a Store,
    pub(crate) vault: &'a Vault,
    pub(crate) component: &'a ComponentService,
    pub(crate) engine: &'a AuthorizerRefresh,
}

pub(crate) fn access_context(appid: &str) -> String {
    format!("authorizer_access_token:{appid}")
}

pub(crate) fn refresh_context(appid: &str) -> String {
    format!("authorizer_refresh_token:{appid}")
}
