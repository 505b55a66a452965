//! Server functions for the company page: its invites and authorized accounts.
//! Behind sign-in, like every `/api/admin` function.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::UiError;
use crate::shared::views::AuthorizerView;

/// An invite as the company page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InviteView {
    pub id: i64,
    pub url: String,
    /// The link as an SVG QR code.
    pub qr_svg: String,
    pub asks_for: String,
    pub biz_appid: Option<String>,
    pub expires_at: String,
    pub status: String,
    pub active: bool,
    /// The account it names is authorized.
    pub fulfilled: bool,
    pub note: Option<String>,
    /// How often the merchant's page was opened through it.
    pub opened: i64,
    /// Accounts authorized through it.
    pub brought_in: i64,
    /// The merchant may ask for a new mini program instead.
    pub allows_fast_registration: bool,
}

/// Everything on a company's page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompanyDetail {
    pub id: i64,
    pub name: String,
    /// Archived: its invites were revoked and it takes no new one.
    pub archived: bool,
    pub invites: Vec<InviteView>,
    pub authorizers: Vec<AuthorizerView>,
}

#[server(prefix = "/api/admin", endpoint = "companies/detail")]
pub async fn get_company_detail(company_id: i64) -> Result<Option<CompanyDetail>, UiError> {
    let platform = crate::shared::ssr::admin_platform().await?;
    let Some(company) = platform
        .companies()
        .get(company_id)
        .await
        .map_err(|e| crate::shared::ssr::internal(&e))?
    else {
        return Ok(None);
    };
    let onboarding = platform.onboarding();
    let invites = onboarding
        .invites_of(company_id)
        .await
        .map_err(|e| crate::shared::ssr::internal(&e))?;
    let authorizers = onboarding
        .authorizers_of(company_id)
        .await
        .map_err(|e| crate::shared::ssr::internal(&e))?;
    Ok(Some(CompanyDetail {
        id: company.id,
        name: company.name,
        archived: company.archived_at.is_some(),
        invites: invites.into_iter().map(ssr::invite_view).collect(),
        authorizers: authorizers
            .into_iter()
            .map(|a| {
                crate::shared::views::authorizer_view(
                    a,
                    platform.settings(),
                    crate::i18n::admin_lang(),
                )
            })
            .collect(),
    }))
}

/// Creates an invite. `auth_type`: 1 公众号, 2 小程序, 3 both, 6 all; `valid_days` 1–90.
#[server(prefix = "/api/admin", endpoint = "invites/create")]
pub async fn create_invite(
    company_id: i64,
    auth_type: u8,
    biz_appid: String,
    valid_days: u32,
    note: Option<String>,
    /// A checkbox: present (`on`) when the merchant may ask for a new mini program.
    #[server(default)]
    allows_fast_registration: Option<String>,
) -> Result<InviteView, UiError> {
    use platform::onboarding::{AuthType, InviteError, NewInviteRequest};

    let admin = crate::shared::ssr::admin().await?;
    let platform = &admin.platform;
    let auth_type = AuthType::from_code(auth_type).ok_or_else(|| UiError::Validation {
        field: "auth_type".into(),
        message: crate::i18n::admin_lang()
            .pick(
                "请选择要授权的帐号类型。",
                "Choose the kinds of account to authorize.",
            )
            .into(),
    })?;
    let request = NewInviteRequest {
        company_id,
        auth_type,
        biz_appid: Some(biz_appid),
        valid_days,
        note,
        allows_fast_registration: allows_fast_registration.is_some(),
    };
    let invite = platform
        .onboarding()
        .create_invite(request)
        .await
        .map_err(|err| match err {
            InviteError::InvalidBizAppid => UiError::Validation {
                field: "biz_appid".into(),
                message: crate::i18n::admin_lang().pick("指定帐号的 AppID 应以 wx 开头，共 18 位字母或数字；不指定请留空。", "An account's AppID starts with wx and has 18 letters or digits; leave it empty for any account.").into(),
            },
            InviteError::InvalidValidity => UiError::Validation {
                field: "valid_days".into(),
                message: format!(
                    "{} {} {}",
                    crate::i18n::admin_lang().pick("有效期应为 1 到", "An invite is valid for 1 to"),
                    platform::onboarding::INVITE_MAX_VALID_DAYS,
                    crate::i18n::admin_lang().pick("天。", "days.")
                ),
            },
            InviteError::NoteTooLong => UiError::Validation {
                field: "note".into(),
                message: format!(
                    "{} {} {}",
                    crate::i18n::admin_lang().pick("备注最多", "A note has at most"),
                    platform::onboarding::INVITE_NOTE_MAX_CHARS,
                    crate::i18n::admin_lang().pick("个字。", "characters.")
                ),
            },
            InviteError::UnknownCompany => UiError::NotFound,
            InviteError::CompanyArchived => {
                UiError::Conflict(crate::i18n::admin_lang().pick("这家公司已归档，不能再创建邀请链接。", "This company is archived: it takes no new invite.").into())
            }
            other => crate::shared::ssr::internal(&other),
        })?;
    admin
        .audit(
            platform::audit::AuditAction::InviteCreated,
            format!("invite:{}", invite.id),
        )
        .await;
    Ok(ssr::invite_view(invite))
}

#[server(prefix = "/api/admin", endpoint = "invites/revoke")]
pub async fn revoke_invite(invite_id: i64) -> Result<(), UiError> {
    let admin = crate::shared::ssr::admin().await?;
    admin
        .platform
        .onboarding()
        .revoke_invite(invite_id)
        .await
        .map_err(|err| match err {
            platform::onboarding::InviteError::NotFound => UiError::NotFound,
            other => crate::shared::ssr::internal(&other),
        })?;
    admin
        .audit(
            platform::audit::AuditAction::InviteRevoked,
            format!("invite:{invite_id}"),
        )
        .await;
    Ok(())
}

#[cfg(feature = "ssr")]
mod ssr {
    use platform::onboarding::{Invite, InviteStatus};

    use super::InviteView;

    pub(super) fn invite_view(invite: Invite) -> InviteView {
        let status = match invite.status {
            InviteStatus::Active => crate::i18n::admin_lang().pick("有效", "Active"),
            InviteStatus::Fulfilled => crate::i18n::admin_lang().pick("已完成", "Complete"),
            InviteStatus::Expired => crate::i18n::admin_lang().pick("已过期", "Expired"),
            InviteStatus::Revoked => crate::i18n::admin_lang().pick("已撤销", "Revoked"),
        };
        InviteView {
            id: invite.id,
            qr_svg: crate::shared::ssr::qr_svg(&invite.url).unwrap_or_default(),
            url: invite.url,
            asks_for: crate::shared::views::auth_type_label(
                invite.auth_type,
                crate::i18n::admin_lang(),
            )
            .to_owned(),
            biz_appid: invite.biz_appid,
            expires_at: crate::shared::ssr::format_time(invite.expires_at),
            status: status.to_owned(),
            active: invite.status == InviteStatus::Active,
            fulfilled: invite.status == InviteStatus::Fulfilled,
            note: invite.note,
            opened: invite.opened,
            brought_in: invite.brought_in,
            allows_fast_registration: invite.allows_fast_registration,
        }
    }
}
