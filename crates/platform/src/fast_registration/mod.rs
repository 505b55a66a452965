//! Fast registration (快速注册企业小程序): a merchant without a mini program
//! gets one created and authorized in one flow. A request is validated,
//! stored as pending (one per entity code), then sent to WeChat
//! (`fastregisterweapp?action=create`); the legal representative confirms
//! in WeChat within 24 h, and the `notify_third_fasteregister` push brings
//! the new appid and an auth code, which is exchanged like any other
//! ([`result`]). A request without a result after 24 h and a grace expires.

mod form;
mod result;
mod start;

use store::{FastRegistrationRow, RegistrationEntity};
use wechat::fast_register::{CodeType, CreateRefusal, RegistrationOutcome};

use crate::Platform;

pub use form::{Field, FieldError, RegistrationForm};
pub(crate) use result::RegistrationResult;
pub use start::{FastRegistrationError, StartedBy};
pub use store::FastRegistrationState;

/// How long WeChat gives the legal representative.
pub const CONFIRM_WINDOW_SECS: i64 = 86_400;
/// After the window, how long a result push may still be on its way before
/// a pending request is called expired.
pub const RESULT_GRACE_SECS: i64 = 3_600;
/// Requests one invite may make per 24 hours: each accepted one sends the
/// legal representative a message, and each costs a call to WeChat; a
/// merchant correcting a few refused details stays well under it.
pub const INVITE_REQUESTS_PER_DAY: i64 = 10;

/// A request as the pages show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FastRegistration {
    pub id: i64,
    /// `None`: a result push that matched no request.
    pub company_id: Option<i64>,
    pub company_name: Option<String>,
    pub invite_id: Option<i64>,
    /// The admin who started it; `None` when the merchant did.
    pub started_by: Option<String>,
    pub name: String,
    pub code: String,
    pub code_type: Option<CodeType>,
    pub legal_persona_wechat: String,
    pub legal_persona_name: String,
    pub component_phone: Option<String>,
    pub state: FastRegistrationState,
    /// WeChat's create errcode (refused) or the push's status (failed).
    pub wechat_code: Option<i64>,
    pub wechat_msg: Option<String>,
    /// The new mini program.
    pub authorizer_appid: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

impl FastRegistration {
    /// Why it did not succeed, in words with what to do: `None` while
    /// pending and once registered.
    pub fn reason(&self, zh: bool) -> Option<&'static str> {
        let pick = |z, e| if zh { z } else { e };
        match self.state {
            FastRegistrationState::Pending | FastRegistrationState::Registered => None,
            FastRegistrationState::Refused => Some(
                match self.wechat_code.and_then(CreateRefusal::from_errcode) {
                    Some(refusal) => pick(refusal.describe_zh(), refusal.describe_en()),
                    None => pick(
                        "微信没有确认收到这次申请（网络或微信暂时故障）：请稍后重新提交。",
                        "WeChat did not confirm the request (a network or WeChat fault): please submit again later.",
                    ),
                },
            ),
            FastRegistrationState::Failed => {
                let status = self.wechat_code.unwrap_or(-1);
                Some(pick(
                    RegistrationOutcome::describe_zh(status),
                    RegistrationOutcome::describe_en(status),
                ))
            }
            FastRegistrationState::Expired => Some(pick(
                "24 小时内没有收到微信的结果（法人可能没有确认）：请提醒法人留意微信消息后重新提交。",
                "No result came from WeChat within 24 hours (the legal representative may not have confirmed): remind them to watch for WeChat's message, then submit again.",
            )),
        }
    }

    /// Whether the merchant can correct the details and submit again.
    pub fn can_retry(&self) -> bool {
        match self.state {
            FastRegistrationState::Pending | FastRegistrationState::Registered => false,
            FastRegistrationState::Failed => {
                RegistrationOutcome::from_status(self.wechat_code.unwrap_or(-1)).retryable()
            }
            FastRegistrationState::Refused | FastRegistrationState::Expired => true,
        }
    }

    /// When the legal representative's 24 hours end.
    pub fn confirm_by(&self) -> i64 {
        self.created_at + CONFIRM_WINDOW_SECS
    }

    /// The details as the merchant typed them, to fill the form again.
    pub fn form(&self) -> RegistrationForm {
        RegistrationForm {
            name: self.name.clone(),
            code: self.code.clone(),
            code_type: self.code_type.map_or(1, CodeType::code),
            legal_persona_wechat: self.legal_persona_wechat.clone(),
            legal_persona_name: self.legal_persona_name.clone(),
            component_phone: self.component_phone.clone(),
        }
    }
}

impl From<FastRegistrationRow> for FastRegistration {
    fn from(row: FastRegistrationRow) -> Self {
        Self {
            id: row.id,
            company_id: row.company_id,
            company_name: row.company_name,
            invite_id: row.invite_id,
            started_by: row.started_by,
            name: row.name,
            code: row.code,
            code_type: u8::try_from(row.code_type)
                .ok()
                .and_then(CodeType::from_code),
            legal_persona_wechat: row.legal_persona_wechat,
            legal_persona_name: row.legal_persona_name,
            component_phone: row.component_phone,
            state: row.state,
            wechat_code: row.wechat_code,
            wechat_msg: row.wechat_msg,
            authorizer_appid: row.authorizer_appid,
            created_at: row.created_at,
            updated_at: row.updated_at,
        }
    }
}

/// The fast registration use cases.
pub struct FastRegistrations<'a> {
    platform: &'a Platform,
}

impl Platform {
    pub fn fast_registrations(&self) -> FastRegistrations<'_> {
        FastRegistrations { platform: self }
    }
}

impl FastRegistrations<'_> {
    fn now(&self) -> i64 {
        self.platform.component().clock().now()
    }

    pub async fn by_id(&self, id: i64) -> Result<Option<FastRegistration>, store::StoreError> {
        let row = self.platform.store.fast_registrations().by_id(id).await?;
        Ok(row.map(Into::into))
    }

    /// A company's requests, newest first.
    pub async fn of_company(
        &self,
        company_id: i64,
    ) -> Result<Vec<FastRegistration>, store::StoreError> {
        let rows = self
            .platform
            .store
            .fast_registrations()
            .for_company(company_id)
            .await?;
        Ok(rows.into_iter().map(Into::into).collect())
    }

    /// An invite's requests, newest first.
    pub async fn of_invite(
        &self,
        invite_id: i64,
    ) -> Result<Vec<FastRegistration>, store::StoreError> {
        let rows = self
            .platform
            .store
            .fast_registrations()
            .for_invite(invite_id)
            .await?;
        Ok(rows.into_iter().map(Into::into).collect())
    }

    /// Every request and unmatched result, newest first.
    pub async fn recent(&self, limit: i64) -> Result<Vec<FastRegistration>, store::StoreError> {
        let rows = self
            .platform
            .store
            .fast_registrations()
            .recent(limit)
            .await?;
        Ok(rows.into_iter().map(Into::into).collect())
    }

    /// The request that created the mini program `appid`, if one did.
    pub async fn of_authorizer(
        &self,
        appid: &str,
    ) -> Result<Option<FastRegistration>, store::StoreError> {
        let row = self
            .platform
            .store
            .fast_registrations()
            .for_authorizer(appid)
            .await?;
        Ok(row.map(Into::into))
    }

    /// [`RegistrationForm::seal_draft`] with this platform's vault.
    pub fn seal_draft(&self, form: &RegistrationForm) -> String {
        form.seal_draft(&self.platform.vault)
    }

    /// [`RegistrationForm::open_draft`] with this platform's vault.
    pub fn open_draft(&self, draft: &str) -> Option<RegistrationForm> {
        RegistrationForm::open_draft(&self.platform.vault, draft)
    }

    /// Pending requests past the 24 hours and the grace become expired
    /// (a result that comes later still applies); returns how many.
    pub async fn expire_overdue(&self) -> Result<u64, store::StoreError> {
        let now = self.now();
        let expired = self
            .platform
            .store
            .fast_registrations()
            .expire_pending(now - CONFIRM_WINDOW_SECS - RESULT_GRACE_SECS, now)
            .await?;
        if expired > 0 {
            tracing::info!(expired, "fast registrations without a result expired");
        }
        Ok(expired)
    }
}

fn entity_of(form: &form::ValidForm) -> RegistrationEntity {
    RegistrationEntity {
        name: form.name.clone(),
        code: form.code.clone(),
        code_type: i64::from(form.code_type.code()),
        legal_persona_wechat: form.legal_persona_wechat.clone(),
        legal_persona_name: form.legal_persona_name.clone(),
        component_phone: form.component_phone.clone(),
    }
}

#[cfg(test)]
mod tests;
