//! Server functions for what an operator does to an account: refetch its
//! profile, send its company a re-authorization invite, move it to another
//! company (confirmed), and, for accounts reconcile found that no invite
//! brought in, run reconcile and attach them to a company. Each is audited
//! on the account (`authorizer:<appid>`), so it shows in its timeline.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::UiError;

/// Fetches the account's profile and permission sets from WeChat again.
#[server(prefix = "/api/admin", endpoint = "accounts/refetch-info")]
pub async fn refetch_account_info(appid: String) -> Result<(), UiError> {
    let admin = crate::shared::ssr::admin().await?;
    let outcome = match admin.platform.refetch_account_info(&appid).await {
        Ok(()) => "done",
        Err(platform::authorizers::AccountActionError::NotFound) => {
            return Err(UiError::NotFound);
        }
        Err(err) => {
            tracing::warn!(authorizer_appid = %appid, error = %err, "refetching account info failed");
            "failed"
        }
    };
    admin
        .audit(
            platform::audit::AuditAction::AccountInfoRefetched,
            format!("authorizer:{appid}"),
        )
        .await;
    crate::shared::ssr::redirect_form_post(&format!("/accounts/{appid}?info={outcome}")).await;
    Ok(())
}

/// Creates an invite for the account's company naming this account, and
/// opens the company page where its link and QR code are.
#[server(prefix = "/api/admin", endpoint = "accounts/reauthorization-invite")]
pub async fn send_reauthorization_invite(appid: String) -> Result<(), UiError> {
    use platform::authorizers::AccountActionError;
    let admin = crate::shared::ssr::admin().await?;
    let invite = admin
        .platform
        .reauthorization_invite(&appid)
        .await
        .map_err(|err| match err {
            AccountActionError::NotFound => UiError::NotFound,
            AccountActionError::StillActive => {
                UiError::Conflict(crate::i18n::admin_lang().pick("这个帐号授权正常，不需要重新授权。", "This account's authorization works: it needs no re-authorization.").into())
            }
            AccountActionError::Invite(platform::onboarding::InviteError::CompanyArchived) => {
                UiError::Conflict(
                    crate::i18n::admin_lang().pick("帐号所属的公司已归档，不能再创建邀请；请先把帐号移到另一家公司。", "The account's company is archived and takes no invite: move the account to another company first.").into(),
                )
            }
            other => crate::shared::ssr::internal(&other),
        })?;
    admin
        .audit_with_detail(
            platform::audit::AuditAction::ReauthorizationInviteCreated,
            format!("authorizer:{appid}"),
            Some(&format!("invite:{}", invite.id)),
        )
        .await;
    crate::shared::ssr::redirect_form_post(&format!(
        "/companies/{}?reinvited={appid}",
        invite.company_id
    ))
    .await;
    Ok(())
}

/// Moves the account to the company named `company`; `confirm` must be
/// ticked (the form's confirmation).
#[server(prefix = "/api/admin", endpoint = "accounts/move")]
pub async fn move_account(
    appid: String,
    company: String,
    confirm: Option<String>,
) -> Result<(), UiError> {
    use platform::authorizers::AccountActionError;
    let admin = crate::shared::ssr::admin().await?;
    if confirm.is_none() {
        return Err(UiError::Validation {
            field: "confirm".into(),
            message: crate::i18n::admin_lang()
                .pick(
                    "请勾选确认后再移动帐号。",
                    "Tick the confirmation to move the account.",
                )
                .into(),
        });
    }
    let target = ssr::company_named(&admin.platform, &company).await?;
    let moved = admin
        .platform
        .move_account(&appid, target)
        .await
        .map_err(|err| match err {
            AccountActionError::NotFound => UiError::NotFound,
            AccountActionError::SameCompany => UiError::Validation {
                field: "company".into(),
                message: crate::i18n::admin_lang()
                    .pick(
                        "帐号已经属于这家公司。",
                        "The account belongs to this company already.",
                    )
                    .into(),
            },
            AccountActionError::CompanyArchived => UiError::Validation {
                field: "company".into(),
                message: crate::i18n::admin_lang()
                    .pick(
                        "这家公司已归档，不能接收帐号。",
                        "This company is archived: it takes no account.",
                    )
                    .into(),
            },
            other => crate::shared::ssr::internal(&other),
        })?;
    admin
        .audit_with_detail(
            platform::audit::AuditAction::AccountMoved,
            format!("authorizer:{appid}"),
            Some(&format!(
                "company:{} → company:{}",
                moved.from_company_id, moved.to_company_id
            )),
        )
        .await;
    crate::shared::ssr::redirect_form_post(&format!("/accounts/{appid}?moved=1")).await;
    Ok(())
}

/// An account reconcile found at WeChat that no invite brought in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnassignedView {
    pub appid: String,
    pub found_at: String,
    pub last_seen_at: String,
}

#[server(prefix = "/api/admin", endpoint = "accounts/unassigned")]
pub async fn list_unassigned() -> Result<Vec<UnassignedView>, UiError> {
    let platform = crate::shared::ssr::admin_platform().await?;
    let rows = platform
        .unassigned_accounts()
        .await
        .map_err(|err| crate::shared::ssr::internal(&err))?;
    Ok(rows
        .into_iter()
        .map(|row| UnassignedView {
            appid: row.authorizer_appid,
            found_at: crate::shared::ssr::format_time(row.found_at),
            last_seen_at: crate::shared::ssr::format_time(row.last_seen_at),
        })
        .collect())
}

/// Attaches an unassigned account to the company named `company`.
#[server(prefix = "/api/admin", endpoint = "accounts/attach")]
pub async fn attach_account(appid: String, company: String) -> Result<(), UiError> {
    use platform::authorizers::AccountActionError;
    let admin = crate::shared::ssr::admin().await?;
    let target = ssr::company_named(&admin.platform, &company).await?;
    admin
        .platform
        .attach_account(&appid, target)
        .await
        .map_err(|err| match err {
            AccountActionError::NotUnassigned => UiError::Conflict(
                crate::i18n::admin_lang().pick("这个帐号已经不在待归属列表中（可能刚被归入公司、已通过邀请授权，或已在微信取消授权）。", "This account no longer waits for a company (it was just attached, authorized through an invite, or withdrawn at WeChat).").into(),
            ),
            AccountActionError::CompanyArchived => UiError::Validation {
                field: "company".into(),
                message: crate::i18n::admin_lang().pick("这家公司已归档，不能接收帐号。", "This company is archived: it takes no account.").into(),
            },
            other => crate::shared::ssr::internal(&other),
        })?;
    admin
        .audit_with_detail(
            platform::audit::AuditAction::AccountAttached,
            format!("authorizer:{appid}"),
            Some(&format!("company:{target}")),
        )
        .await;
    crate::shared::ssr::redirect_form_post(&format!("/accounts/{appid}?attached=1")).await;
    Ok(())
}

/// Compares the accounts with WeChat's authorizer list now; the page then
/// shows the report.
#[server(prefix = "/api/admin", endpoint = "accounts/reconcile")]
pub async fn run_reconcile() -> Result<(), UiError> {
    let admin = crate::shared::ssr::admin().await?;
    let report = admin
        .platform
        .authorizer_tokens()
        .reconcile()
        .await
        .map_err(|err| {
            tracing::warn!(error = %err, "reconcile from the dashboard failed");
            UiError::Conflict(
                crate::i18n::admin_lang().pick("暂时无法读取微信的授权列表（平台令牌或网络问题），请稍后再试；原因见概览页。", "WeChat's authorizer list cannot be read right now (component token or network): try again later; the overview says why.")
                    .into(),
            )
        })?;
    let summary = format!(
        "recovered={}&unknown={}&revoked={}&revived={}",
        report.recovered.len(),
        report.unknown.len(),
        report.revoked.len(),
        report.revived.len()
    );
    admin
        .audit_with_detail(
            platform::audit::AuditAction::ReconcileRun,
            "reconcile".to_owned(),
            Some(&summary),
        )
        .await;
    crate::shared::ssr::redirect_form_post(&format!("/unassigned?{summary}")).await;
    Ok(())
}

#[cfg(feature = "ssr")]
mod ssr {
    use crate::UiError;

    /// The id of the company an admin typed the name of.
    pub(super) async fn company_named(
        platform: &platform::Platform,
        name: &str,
    ) -> Result<i64, UiError> {
        platform
            .companies()
            .by_name(name)
            .await
            .map_err(|err| crate::shared::ssr::internal(&err))?
            .map(|company| company.id)
            .ok_or_else(|| UiError::Validation {
                field: "company".into(),
                message: match crate::i18n::admin_lang() {
                    crate::i18n::Lang::Zh => {
                        format!("没有名为「{}」的公司：请输入公司的完整名称。", name.trim())
                    }
                    crate::i18n::Lang::En => format!(
                        "No company is named \"{}\": type the company's full name.",
                        name.trim()
                    ),
                },
            })
    }
}
