//! Invites: a long random token in a link on our own domain
//! (`/onboard/{token}`), with an expiry, revocable, reusable until revoked,
//! expired, or fulfilled. An invite names kinds of account (`auth_type`), which
//! a merchant may authorize several of ("authorize another account"), or one
//! account (`biz_appid`): that one is fulfilled once the account is authorized
//! for the company. The token is stored hashed (for lookup) and sealed (to show the
//! link again), never in clear.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore as _;
use store::NewInvite;
use wechat::links::AuthType;

use super::{Onboarding, sha256_hex};

/// The longest an invite may live, in days.
pub const MAX_VALID_DAYS: u32 = 90;

/// What an admin asks for.
#[derive(Debug, Clone)]
pub struct NewInviteRequest {
    pub company_id: i64,
    pub auth_type: AuthType,
    /// Restrict to one account (wins over `auth_type` on WeChat's page).
    pub biz_appid: Option<String>,
    pub valid_days: u32,
    /// Who the invite is for, for the admins (at most [`NOTE_MAX_CHARS`]).
    pub note: Option<String>,
    /// The merchant may ask for a new mini program instead (fast registration).
    pub allows_fast_registration: bool,
}

/// The longest note an invite takes, in characters.
pub const NOTE_MAX_CHARS: usize = 200;

/// An invite as the UI shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invite {
    pub id: i64,
    pub company_id: i64,
    pub company_name: String,
    pub token: String,
    /// The link to hand to the merchant.
    pub url: String,
    pub auth_type: AuthType,
    pub biz_appid: Option<String>,
    pub created_at: i64,
    pub expires_at: i64,
    pub status: InviteStatus,
    pub note: Option<String>,
    /// How often the merchant's page was opened through the link.
    pub opened: i64,
    /// Accounts authorized through the link.
    pub brought_in: i64,
    /// The merchant may ask for a new mini program (fast registration).
    pub allows_fast_registration: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InviteStatus {
    Active,
    /// It named one account (`biz_appid`), and the company has it authorized.
    Fulfilled,
    Expired,
    Revoked,
}

/// Why an invite cannot be created or used.
#[derive(Debug, thiserror::Error)]
pub enum InviteError {
    #[error("no such company")]
    UnknownCompany,
    #[error("the company is archived: it takes no new invite")]
    CompanyArchived,
    #[error("biz_appid must look like wx followed by 16 letters or digits")]
    InvalidBizAppid,
    #[error("an invite lives between 1 and {MAX_VALID_DAYS} days")]
    InvalidValidity,
    #[error("a note has at most {NOTE_MAX_CHARS} characters")]
    NoteTooLong,
    #[error("no such invite")]
    NotFound,
    #[error("the invite has expired")]
    Expired,
    #[error("the invite was revoked")]
    Revoked,
    #[error("the account the invite names is already authorized")]
    Fulfilled,
    #[error("a stored invite could not be decrypted")]
    Vault(#[from] crate::vault::VaultError),
    #[error(transparent)]
    Storage(#[from] store::StoreError),
}

impl Onboarding<'_> {
    /// Creates an invite for a company.
    pub async fn create_invite(&self, request: NewInviteRequest) -> Result<Invite, InviteError> {
        if !(1..=MAX_VALID_DAYS).contains(&request.valid_days) {
            return Err(InviteError::InvalidValidity);
        }
        let biz_appid = match request
            .biz_appid
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            Some(appid) if is_appid(appid) => Some(appid.to_owned()),
            Some(_) => return Err(InviteError::InvalidBizAppid),
            None => None,
        };
        let note = request
            .note
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty());
        if note.is_some_and(|n| n.chars().count() > NOTE_MAX_CHARS) {
            return Err(InviteError::NoteTooLong);
        }
        match self.store.companies().get(request.company_id).await? {
            None => return Err(InviteError::UnknownCompany),
            Some(company) if company.archived_at.is_some() => {
                return Err(InviteError::CompanyArchived);
            }
            Some(_) => {}
        }
        let mut raw = [0u8; 32];
        rand::thread_rng().fill_bytes(&mut raw);
        let token = URL_SAFE_NO_PAD.encode(raw);
        let now = self.component.clock().now();
        let id = self
            .store
            .invites()
            .insert(NewInvite {
                company_id: request.company_id,
                token_hash: &sha256_hex(&token),
                token_sealed: &self.vault.seal("invite_token", &token),
                auth_type: i64::from(request.auth_type.code()),
                biz_appid: biz_appid.as_deref(),
                created_at: now,
                expires_at: now + i64::from(request.valid_days) * 86_400,
                note,
                allows_fast_registration: request.allows_fast_registration,
            })
            .await?;
        tracing::info!(
            invite_id = id,
            company_id = request.company_id,
            "invite created"
        );
        self.invite_by_id(id).await
    }

    /// A company's invites, newest first.
    pub async fn invites_of(&self, company_id: i64) -> Result<Vec<Invite>, InviteError> {
        let rows = self.store.invites().for_company(company_id).await?;
        let mut invites = Vec::with_capacity(rows.len());
        for row in rows {
            invites.push(self.to_invite(row).await?);
        }
        Ok(invites)
    }

    /// Opens an invite from its link token, for its page: an active or a
    /// fulfilled one (which shows what was authorized).
    pub async fn open_invite(&self, token: &str) -> Result<Invite, InviteError> {
        let invite = self.invite_by_token(token).await?;
        match invite.status {
            InviteStatus::Active | InviteStatus::Fulfilled => Ok(invite),
            InviteStatus::Expired => Err(InviteError::Expired),
            InviteStatus::Revoked => Err(InviteError::Revoked),
        }
    }

    /// [`Self::open_invite`] for the merchant's page, counted as one opening
    /// for the admins (a failed count never blocks the merchant).
    pub async fn open_invite_page(&self, token: &str) -> Result<Invite, InviteError> {
        let opened = self.open_invite(token).await;
        if let Ok(invite) = &opened
            && let Err(err) = self.store.invites().count_opened(invite.id).await
        {
            tracing::warn!(invite_id = invite.id, error = %err, "counting an invite opening failed");
        }
        opened
    }

    pub async fn revoke_invite(&self, id: i64) -> Result<(), InviteError> {
        if !self
            .store
            .invites()
            .revoke(id, self.component.clock().now())
            .await?
        {
            return Err(InviteError::NotFound);
        }
        Ok(())
    }

    /// The invite of a link token, whatever its status.
    pub(super) async fn invite_by_token(&self, token: &str) -> Result<Invite, InviteError> {
        let row = self
            .store
            .invites()
            .by_token_hash(&sha256_hex(token))
            .await?
            .ok_or(InviteError::NotFound)?;
        self.to_invite(row).await
    }

    pub(super) async fn invite_by_id(&self, id: i64) -> Result<Invite, InviteError> {
        let row = self
            .store
            .invites()
            .by_id(id)
            .await?
            .ok_or(InviteError::NotFound)?;
        self.to_invite(row).await
    }

    async fn to_invite(&self, row: store::InviteRow) -> Result<Invite, InviteError> {
        let token = self.vault.open("invite_token", &row.token_sealed)?;
        let now = self.component.clock().now();
        let status = if row.revoked_at.is_some() {
            InviteStatus::Revoked
        } else if self.names_an_authorized_account(&row).await? {
            InviteStatus::Fulfilled
        } else if row.expires_at <= now {
            InviteStatus::Expired
        } else {
            InviteStatus::Active
        };
        Ok(Invite {
            id: row.id,
            company_id: row.company_id,
            company_name: row.company_name,
            url: format!("{}/onboard/{token}", self.settings.public_url),
            token,
            auth_type: u8::try_from(row.auth_type)
                .ok()
                .and_then(AuthType::from_code)
                .unwrap_or(AuthType::Both),
            biz_appid: row.biz_appid,
            created_at: row.created_at,
            expires_at: row.expires_at,
            status,
            note: row.note,
            opened: row.opened,
            brought_in: row.brought_in,
            allows_fast_registration: row.allows_fast_registration,
        })
    }

    /// Whether the invite names one account and the company has it authorized.
    async fn names_an_authorized_account(
        &self,
        row: &store::InviteRow,
    ) -> Result<bool, InviteError> {
        let Some(appid) = row.biz_appid.as_deref() else {
            return Ok(false);
        };
        Ok(self
            .store
            .authorizers()
            .by_appid(appid)
            .await?
            .is_some_and(|a| {
                a.status == store::AuthorizerStatus::Active && a.company_id == row.company_id
            }))
    }
}

/// `wx` followed by 16 letters or digits, as WeChat appids are.
fn is_appid(value: &str) -> bool {
    value.len() == 18 && value.starts_with("wx") && value.bytes().all(|b| b.is_ascii_alphanumeric())
}
