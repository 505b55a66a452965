//! The authorization itself: a link built from a pre_auth_code (see [`super::pre_auth`]), and the
//! callback that exchanges WeChat's auth_code for the authorizer's tokens,
//! stores them under the invite's company and fetches the account's profile.

use store::{AuthorizationStored, AuthorizationWrite, AuthorizerStatus};
use wechat::Secret;
use wechat::error::{ErrorClass, WechatError};
use wechat::links::AuthType;

use super::invites::{Invite, InviteError};
use super::state::StateError;
use super::{Onboarding, sha256_hex};
use crate::component::{ComponentCallError, ComponentTokenError};

/// Where the merchant authorizes: the PC page (scan with WeChat) or the mobile page (inside WeChat).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Device {
    Pc,
    Mobile,
}

/// An authorization link, valid until the pre_auth_code expires.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthorizationLink {
    pub url: String,
    pub expires_at: i64,
}

/// An authorizer as the result page and dashboard show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authorizer {
    pub authorizer_appid: String,
    pub company_id: i64,
    pub status: AuthorizerStatus,
    pub nick_name: Option<String>,
    pub head_img: Option<String>,
    pub user_name: Option<String>,
    pub principal_name: Option<String>,
    pub is_mini_program: bool,
    pub service_type: Option<i64>,
    pub verify_type: Option<i64>,
    /// Permission-set ids granted.
    pub permissions: Vec<i64>,
    pub authorized_at: i64,
}

/// Why onboarding could not go on; each has a page that says what to do next.
#[derive(Debug, thiserror::Error)]
pub enum OnboardingError {
    #[error(transparent)]
    Invite(#[from] InviteError),
    #[error("the callback state is invalid")]
    StateInvalid,
    #[error("the callback state has expired")]
    StateExpired,
    #[error("the authorization code is invalid, expired or already used")]
    AuthCodeInvalid,
    #[error("the account {authorizer_appid} already belongs to another company")]
    OwnedByAnotherCompany { authorizer_appid: String },
    #[error("the platform is not ready to talk to WeChat yet (no component token)")]
    NotReady,
    #[error("this invite created too many authorization links in the last hour")]
    TooManyLinks,
    #[error("another instance is exchanging this authorization code; try again in a moment")]
    ExchangeInProgress,
    #[error("WeChat refused or could not be reached: {0}")]
    Wechat(#[source] WechatError),
    #[error("a stored secret could not be decrypted")]
    Vault(#[from] crate::vault::VaultError),
    #[error(transparent)]
    Storage(#[from] store::StoreError),
}

impl OnboardingError {
    /// The protocol class of a WeChat failure, for advice.
    pub fn wechat_class(&self) -> Option<ErrorClass> {
        match self {
            Self::Wechat(err) => Some(err.class()),
            _ => None,
        }
    }

    /// A failed call made with the component token.
    pub(super) fn from_call(err: ComponentCallError) -> Self {
        match err {
            ComponentCallError::Token(err) => err.into(),
            ComponentCallError::Wechat(err) => Self::Wechat(err),
        }
    }
}

impl From<ComponentTokenError> for OnboardingError {
    fn from(err: ComponentTokenError) -> Self {
        match err {
            ComponentTokenError::Unavailable => Self::NotReady,
            ComponentTokenError::Vault(e) => Self::Vault(e),
            ComponentTokenError::Storage(e) => Self::Storage(e),
        }
    }
}

impl From<StateError> for OnboardingError {
    fn from(err: StateError) -> Self {
        match err {
            StateError::Invalid => Self::StateInvalid,
            StateError::Expired => Self::StateExpired,
        }
    }
}

impl Onboarding<'_> {
    /// An authorization link for an active invite, built on demand (when the
    /// merchant clicks), so no page shows a code that can go stale.
    pub async fn authorization_link(
        &self,
        token: &str,
        device: Device,
    ) -> Result<AuthorizationLink, OnboardingError> {
        let invite = self.open_invite(token).await?;
        if invite.status == super::InviteStatus::Fulfilled {
            return Err(InviteError::Fulfilled.into());
        }
        let pre_auth = self.pre_auth_code_for(&invite, device).await?;
        let expires_at = pre_auth.expires_at;
        let client = self.component.client();
        // The callback must come back within the pre_auth_code's life plus the
        // time a merchant takes to confirm; an hour after that it is refused.
        let state = self.signer.sign(invite.id, expires_at + 3600);
        let redirect_uri = format!(
            "{}/onboard/callback?state={state}",
            self.settings.public_url
        );
        let biz_appid = invite.biz_appid.as_deref();
        let url = match device {
            Device::Pc => {
                client.pc_auth_url(&pre_auth.code, &redirect_uri, invite.auth_type, biz_appid)
            }
            Device::Mobile => {
                client.mobile_auth_url(&pre_auth.code, &redirect_uri, invite.auth_type, biz_appid)
            }
        };
        Ok(AuthorizationLink { url, expires_at })
    }

    /// Handles the callback: verifies `state`, exchanges `auth_code` (once:
    /// a reload or duplicate returns the same authorizer), stores the tokens
    /// and fetches the profile. Returns the invite's token and the authorizer.
    pub async fn complete_authorization(
        &self,
        state: &str,
        auth_code: &str,
    ) -> Result<(String, Authorizer), OnboardingError> {
        let now = self.component.clock().now();
        let invite_id = self.signer.verify(state, now)?;
        let invite = self.invite_by_id(invite_id).await?;
        if invite.status == super::InviteStatus::Revoked {
            return Err(InviteError::Revoked.into());
        }
        let code_hash = sha256_hex(auth_code);
        // A duplicated callback (double submit, reload while the first is
        // still running) waits here for the first and then finds its result.
        let _single_flight = self.exchanges.lock(&code_hash).await;
        if let Some(authorizer) = self
            .already_exchanged(&code_hash, invite.company_id)
            .await?
        {
            return Ok((invite.token, authorizer));
        }
        // Across instances: one exchange; another instance's result is read.
        let Some(claim) = self.claim_exchange(&code_hash).await? else {
            return match self
                .already_exchanged(&code_hash, invite.company_id)
                .await?
            {
                Some(authorizer) => Ok((invite.token, authorizer)),
                None => Err(OnboardingError::AuthCodeInvalid),
            };
        };
        let exchanged = self
            .exchange_code(auth_code, invite.company_id, Some(invite.id))
            .await;
        self.release_exchange(claim).await;
        match exchanged {
            Ok(authorizer) => Ok((invite.token, authorizer)),
            // Exchanged a moment before us by something that claimed nothing
            // (an older version's instance): its result is stored.
            Err(OnboardingError::AuthCodeInvalid) => match self
                .already_exchanged(&code_hash, invite.company_id)
                .await?
            {
                Some(authorizer) => Ok((invite.token, authorizer)),
                None => Err(OnboardingError::AuthCodeInvalid),
            },
            Err(err) => Err(err),
        }
    }

    /// The authorizer an auth_code was already exchanged for, if it belongs to `company_id`.
    async fn already_exchanged(
        &self,
        code_hash: &str,
        company_id: i64,
    ) -> Result<Option<Authorizer>, OnboardingError> {
        let Some(appid) = self.store.authorizers().code_used(code_hash).await? else {
            return Ok(None);
        };
        let authorizer = self
            .authorizer(&appid)
            .await?
            .ok_or(OnboardingError::AuthCodeInvalid)?;
        if authorizer.company_id != company_id {
            return Err(OnboardingError::OwnedByAnotherCompany {
                authorizer_appid: appid,
            });
        }
        Ok(Some(authorizer))
    }

    /// Exchanges an auth_code with `api_query_auth`, stores the tokens under
    /// `company_id` in one transaction (never moving an account of another
    /// company), then fetches the profile. Used by the callback and by the
    /// `authorized` / `updateauthorized` pushes.
    pub(crate) async fn exchange_code(
        &self,
        auth_code: &str,
        company_id: i64,
        invite_id: Option<i64>,
    ) -> Result<Authorizer, OnboardingError> {
        let now = self.component.clock().now();
        let code_hash = sha256_hex(auth_code);
        let client = self.component.client();
        let answer = self
            .component
            .with_component_token(|token| async move {
                client.api_query_auth(&token, &Secret::new(auth_code)).await
            })
            .await
            .map_err(|err| match err {
                // 61009 invalid code, 61010 expired code, 61001/61002 code misuse.
                ComponentCallError::Wechat(err)
                    if matches!(err.errcode(), Some(61009 | 61010 | 61001 | 61002)) =>
                {
                    OnboardingError::AuthCodeInvalid
                }
                other => OnboardingError::from_call(other),
            })?;
        let info = answer.authorization_info;
        let appid = info.authorizer_appid.clone();
        let (Some(access), Some(refresh)) = (
            &info.authorizer_access_token,
            &info.authorizer_refresh_token,
        ) else {
            return Err(OnboardingError::Wechat(WechatError::Decode {
                endpoint: "api_query_auth",
                reason: "authorization_info without tokens".into(),
            }));
        };
        let permissions = wechat::permissions::permission_ids(&info.func_info);
        let func_info_json = serde_json::to_string(&permissions).unwrap_or_else(|_| "[]".into());
        let expires_at = now
            + info
                .expires_in
                .and_then(|s| i64::try_from(s).ok())
                .unwrap_or(7200);
        let stored = self
            .store
            .authorizers()
            .save_authorization(AuthorizationWrite {
                authorizer_appid: &appid,
                company_id,
                func_info_json: &func_info_json,
                refresh_token_sealed: &self.vault.seal(
                    &format!("authorizer_refresh_token:{appid}"),
                    refresh.expose(),
                ),
                access_token_sealed: &self
                    .vault
                    .seal(&format!("authorizer_access_token:{appid}"), access.expose()),
                access_token_expires_at: expires_at,
                code_hash: &code_hash,
                invite_id,
                now,
            })
            .await?;
        if let AuthorizationStored::OwnedByAnotherCompany { company_id } = stored {
            tracing::warn!(authorizer_appid = %appid, owner = company_id, invite_company = company_id,
                "authorization for an account of another company; company left unchanged");
            return Err(OnboardingError::OwnedByAnotherCompany {
                authorizer_appid: appid,
            });
        }
        tracing::info!(authorizer_appid = %appid, company_id, "authorizer stored");
        if let Some(invite_id) = invite_id {
            // An authorization came back through this invite's link: WeChat may
            // have consumed its code, so it is not offered again.
            self.store
                .pre_auth_codes()
                .consume_for_invite(invite_id, now)
                .await?;
        }

        // The tokens are safe now; a failed profile fetch only leaves the page plainer.
        if let Err(err) =
            crate::authorizers::fetch_profile(self.store, self.component, &appid, &func_info_json)
                .await
        {
            tracing::warn!(authorizer_appid = %appid, error = %err, "api_get_authorizer_info failed");
        }
        let authorizer = self
            .authorizer(&appid)
            .await?
            .ok_or(OnboardingError::AuthCodeInvalid)?;
        Ok(authorizer)
    }

    /// The invite of a link token (whatever its status: the result page
    /// outlives it), and one authorizer if the invite's company owns it.
    pub async fn authorizer_of_invite(
        &self,
        token: &str,
        appid: &str,
    ) -> Result<(Invite, Option<Authorizer>), OnboardingError> {
        let invite = self.invite_by_token(token).await?;
        let authorizer = self
            .authorizer(appid)
            .await?
            .filter(|a| a.company_id == invite.company_id);
        Ok((invite, authorizer))
    }

    /// A company's authorizers.
    pub async fn authorizers_of(
        &self,
        company_id: i64,
    ) -> Result<Vec<Authorizer>, OnboardingError> {
        let rows = self.store.authorizers().for_company(company_id).await?;
        Ok(rows.into_iter().map(to_authorizer).collect())
    }

    async fn authorizer(&self, appid: &str) -> Result<Option<Authorizer>, OnboardingError> {
        Ok(self
            .store
            .authorizers()
            .by_appid(appid)
            .await?
            .map(to_authorizer))
    }
}

/// The authorizer a stored row describes.
pub(crate) fn to_authorizer(row: store::AuthorizerRow) -> Authorizer {
    Authorizer {
        authorizer_appid: row.authorizer_appid,
        company_id: row.company_id,
        status: row.status,
        nick_name: row.nick_name,
        head_img: row.head_img,
        user_name: row.user_name,
        principal_name: row.principal_name,
        is_mini_program: row.is_mini_program,
        service_type: row.service_type,
        verify_type: row.verify_type,
        permissions: serde_json::from_str(&row.func_info).unwrap_or_default(),
        authorized_at: row.authorized_at,
    }
}

/// Which auth types an invite can ask for, for forms.
pub const OFFERED_AUTH_TYPES: [AuthType; 4] = [
    AuthType::OfficialAccount,
    AuthType::MiniProgram,
    AuthType::Both,
    AuthType::All,
];

#[cfg(test)]
mod tests;
