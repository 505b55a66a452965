//! Merchant self-onboarding: invites, the authorization link built on demand
//! from a fresh pre_auth_code, and the callback that turns WeChat's auth_code
//! into a stored authorizer of the invite's company.

mod authorize;
mod exchange;
mod invites;
pub mod pre_auth;
pub mod state;

pub(crate) use authorize::to_authorizer as authorizer_of_row;
pub use authorize::{AuthorizationLink, Authorizer, Device, OFFERED_AUTH_TYPES, OnboardingError};
pub use invites::{
    Invite, InviteError, InviteStatus, MAX_VALID_DAYS as INVITE_MAX_VALID_DAYS,
    NOTE_MAX_CHARS as INVITE_NOTE_MAX_CHARS, NewInviteRequest,
};

pub use wechat::links::AuthType;

use store::Store;

use crate::PlatformSettings;
use crate::component::ComponentService;
use crate::onboarding::state::StateSigner;
use crate::single_flight::KeyedLocks;
use crate::vault::Vault;

/// The onboarding use cases.
pub struct Onboarding<'a> {
    pub(crate) store: &'a Store,
    pub(crate) vault: &'a Vault,
    pub(crate) signer: &'a StateSigner,
    pub(crate) component: &'a ComponentService,
    pub(crate) settings: &'a PlatformSettings,
    pub(crate) exchanges: &'a KeyedLocks,
}

pub(crate) fn sha256_hex(value: &str) -> String {
    use sha2::{Digest as _, Sha256};
    hex::encode(Sha256::digest(value.as_bytes()))
}

/// The cookie that marks "this browser left for WeChat's page from this
/// invite" (set by the authorization button's redirect, cleared by the callback).
pub const STARTED_COOKIE: &str = "weiqiao_onboard_started";

/// The cookie's value for an invite: a digest, so the token itself is not
/// copied into another header.
pub fn started_marker(invite_token: &str) -> String {
    use sha2::{Digest as _, Sha256};
    hex::encode(&Sha256::digest(format!("onboard-started:{invite_token}").as_bytes())[..12])
}
