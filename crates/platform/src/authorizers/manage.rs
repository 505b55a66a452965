//! What an operator does to an account from the dashboard: refetch its
//! profile, move it to another company, send its company a re-authorization
//! invite, and attach an account reconcile found (unassigned) to a company.
//! The server functions audit each of them.

use store::{StoreError, UnassignedRow};
use wechat::links::AuthType;

use super::profile::ProfileError;
use crate::Platform;
use crate::onboarding::{Invite, InviteError, NewInviteRequest};

/// Days a re-authorization invite stays valid.
pub const REAUTHORIZATION_INVITE_DAYS: u32 = 7;

/// Why an operator's action on an account did not happen.
#[derive(Debug, thiserror::Error)]
pub enum AccountActionError {
    #[error("no such account")]
    NotFound,
    #[error("no such company")]
    UnknownCompany,
    #[error("the company is archived: it takes no account")]
    CompanyArchived,
    #[error("the account already belongs to this company")]
    SameCompany,
    #[error(
        "the account is authorized and working: a re-authorization invite is for an account that needs one"
    )]
    StillActive,
    #[error(
        "the account is not waiting for a company (attached or authorized through an invite meanwhile, or no longer listed)"
    )]
    NotUnassigned,
    #[error(transparent)]
    Profile(#[from] ProfileError),
    #[error(transparent)]
    Invite(#[from] InviteError),
    #[error(transparent)]
    Storage(#[from] StoreError),
}

/// A move, for the audit log: from which company to which.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Moved {
    pub from_company_id: i64,
    pub to_company_id: i64,
}

impl Platform {
    /// Fetches the account's profile and permission sets from WeChat again.
    pub async fn refetch_account_info(&self, appid: &str) -> Result<(), AccountActionError> {
        let row = self.authorizer_row(appid).await?;
        super::fetch_profile(&self.store, self.component(), appid, &row.func_info).await?;
        Ok(())
    }

    /// Moves the account to another (not archived) company; its tokens and
    /// history stay as they are.
    pub async fn move_account(
        &self,
        appid: &str,
        to_company_id: i64,
    ) -> Result<Moved, AccountActionError> {
        let row = self.authorizer_row(appid).await?;
        if row.company_id == to_company_id {
            return Err(AccountActionError::SameCompany);
        }
        self.open_company(to_company_id).await?;
        let now = self.component().clock().now();
        if !self
            .store
            .authorizers()
            .move_to(appid, row.company_id, to_company_id, now)
            .await?
        {
            // Moved by someone else between the read and the write.
            return Err(AccountActionError::SameCompany);
        }
        tracing::info!(authorizer_appid = %appid, from = row.company_id, to = to_company_id, "account moved");
        Ok(Moved {
            from_company_id: row.company_id,
            to_company_id,
        })
    }

    /// An invite for the account's company that names this account only
    /// (`biz_appid`), for the merchant to authorize it again.
    pub async fn reauthorization_invite(&self, appid: &str) -> Result<Invite, AccountActionError> {
        let row = self.authorizer_row(appid).await?;
        if row.status == store::AuthorizerStatus::Active {
            return Err(AccountActionError::StillActive);
        }
        let auth_type = if row.is_mini_program {
            AuthType::MiniProgram
        } else {
            AuthType::OfficialAccount
        };
        let note = format!(
            "重新授权 {}",
            row.nick_name.as_deref().unwrap_or(&row.authorizer_appid)
        );
        Ok(self
            .onboarding()
            .create_invite(NewInviteRequest {
                company_id: row.company_id,
                auth_type,
                biz_appid: Some(row.authorizer_appid),
                valid_days: REAUTHORIZATION_INVITE_DAYS,
                note: Some(note),
                allows_fast_registration: false,
            })
            .await?)
    }

    /// Accounts reconcile found authorized at WeChat that no invite brought in.
    pub async fn unassigned_accounts(&self) -> Result<Vec<UnassignedRow>, StoreError> {
        self.store.unassigned().list().await
    }

    /// Attaches an unassigned account to a company: it becomes an active
    /// authorizer with the refresh token WeChat listed, is refreshed at once
    /// and its profile fetched (a failure there is left to the scheduler and
    /// to "refetch info": the account is stored either way).
    pub async fn attach_account(
        &self,
        appid: &str,
        company_id: i64,
    ) -> Result<(), AccountActionError> {
        self.open_company(company_id).await?;
        let now = self.component().clock().now();
        if !self
            .store
            .unassigned()
            .attach(appid, company_id, now)
            .await?
        {
            return Err(AccountActionError::NotUnassigned);
        }
        tracing::info!(authorizer_appid = %appid, company_id, "unassigned account attached");
        if let Err(err) = self.authorizer_tokens().refresh_one(appid).await {
            tracing::warn!(authorizer_appid = %appid, error = %err, "first refresh after attach failed; the scheduler retries");
        }
        if let Err(err) = super::fetch_profile(&self.store, self.component(), appid, "[]").await {
            tracing::warn!(authorizer_appid = %appid, error = %err, "profile after attach not fetched");
        }
        Ok(())
    }

    async fn authorizer_row(
        &self,
        appid: &str,
    ) -> Result<store::AuthorizerRow, AccountActionError> {
        self.store
            .authorizers()
            .by_appid(appid)
            .await?
            .ok_or(AccountActionError::NotFound)
    }

    async fn open_company(&self, company_id: i64) -> Result<(), AccountActionError> {
        match self.store.companies().get(company_id).await? {
            None => Err(AccountActionError::UnknownCompany),
            Some(company) if company.archived_at.is_some() => {
                Err(AccountActionError::CompanyArchived)
            }
            Some(_) => Ok(()),
        }
    }
}
