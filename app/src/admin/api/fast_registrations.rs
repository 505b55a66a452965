//! Server functions for fast registration on the admin side: the requests
//! (a company's, or all with the results that matched none) and starting
//! one for a company. Behind sign-in, like every `/api/admin` function.

#![allow(
    clippy::too_many_arguments,
    reason = "a server function takes one argument per form field"
)]

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::UiError;

/// A request as the admin pages list it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegistrationRow {
    pub id: i64,
    /// `None`: a result push that matched no request.
    pub company: Option<(i64, String)>,
    pub enterprise: String,
    pub code: String,
    pub legal_persona: String,
    /// Who asked: an admin's login, the merchant, or WeChat's push alone.
    pub started_by: String,
    pub state: String,
    /// `ok`, `warn` or `` for the state's tag.
    pub state_class: String,
    pub reason: Option<String>,
    /// WeChat's code: the create errcode or the push's status.
    pub wechat_code: Option<i64>,
    pub authorizer_appid: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

/// The requests of `company_id`, or every request and unmatched result.
#[server(prefix = "/api/admin", endpoint = "fast-registrations/list")]
pub async fn list_fast_registrations(
    company_id: Option<i64>,
) -> Result<Vec<RegistrationRow>, UiError> {
    let platform = crate::shared::ssr::admin_platform().await?;
    let registrations = platform.fast_registrations();
    let rows = match company_id {
        Some(id) => registrations.of_company(id).await,
        None => registrations.recent(500).await,
    }
    .map_err(|e| crate::shared::ssr::internal(&e))?;
    Ok(rows.into_iter().map(ssr::row).collect())
}

/// Starts a request for a company (the company page's form).
#[server(prefix = "/api/admin", endpoint = "fast-registrations/start")]
pub async fn start_fast_registration(
    company_id: i64,
    name: String,
    code: String,
    code_type: String,
    legal_persona_wechat: String,
    legal_persona_name: String,
    component_phone: Option<String>,
) -> Result<RegistrationRow, UiError> {
    use platform::fast_registration::{FastRegistrationError as E, RegistrationForm, StartedBy};

    let admin = crate::shared::ssr::admin().await?;
    let lang = crate::i18n::admin_lang();
    let form = RegistrationForm {
        name,
        code,
        code_type: code_type.trim().parse().unwrap_or(0),
        legal_persona_wechat,
        legal_persona_name,
        component_phone,
    };
    let started = admin
        .platform
        .fast_registrations()
        .start(
            StartedBy::Admin {
                company_id,
                admin: &admin.actor.name,
            },
            &form,
        )
        .await
        .map_err(|err| match err {
            E::Invalid(e) => UiError::Validation {
                field: e.field.name().to_owned(),
                message: lang.pick(e.zh, e.en).to_owned(),
            },
            E::AlreadyPending => UiError::Conflict(
                lang.pick(
                    "这家企业已有一个申请在等待法人确认，不能重复提交。",
                    "A request for this enterprise is already waiting for its legal representative.",
                )
                .to_owned(),
            ),
            E::Refused(refusal) => {
                UiError::Conflict(lang.pick(refusal.describe_zh(), refusal.describe_en()).to_owned())
            }
            E::Unavailable(_) => UiError::Conflict(
                lang.pick(
                    "暂时无法连接微信，申请没有发出：请稍后重试（原因见下方的申请记录）。",
                    "WeChat could not be reached and nothing was sent: try again later (the request's record below says why).",
                )
                .to_owned(),
            ),
            E::CompanyArchived => UiError::Conflict(
                lang.pick(
                    "这家公司已归档，不能再申请。",
                    "This company is archived: it takes no new request.",
                )
                .to_owned(),
            ),
            E::UnknownCompany => UiError::NotFound,
            other => crate::shared::ssr::internal(&other),
        })?;
    admin
        .audit_with_detail(
            platform::audit::AuditAction::FastRegistrationStarted,
            format!("fast_registration:{}", started.id),
            Some(&started.name),
        )
        .await;
    crate::shared::ssr::redirect_form_post(&format!(
        "/companies/{company_id}?registration={}",
        started.id
    ))
    .await;
    Ok(ssr::row(started))
}

#[cfg(feature = "ssr")]
pub(crate) use ssr::started_by;

#[cfg(feature = "ssr")]
mod ssr {
    use platform::fast_registration::{FastRegistration, FastRegistrationState as S};

    use super::RegistrationRow;
    use crate::i18n::admin_lang;

    /// Who asked for a request, in words: an admin's login, the merchant
    /// through an invite, or nobody (a push that matched no request).
    pub(crate) fn started_by(r: &FastRegistration) -> String {
        let lang = admin_lang();
        match (&r.started_by, r.invite_id, r.company_id) {
            (Some(admin), _, _) => admin.clone(),
            (None, Some(invite), _) => format!(
                "{}{invite}",
                lang.pick("商户 · 邀请 #", "Merchant · invite #")
            ),
            (None, None, None) => lang
                .pick(
                    "微信推送（未匹配任何申请）",
                    "WeChat's push (matched no request)",
                )
                .to_owned(),
            (None, None, Some(_)) => String::new(),
        }
    }

    pub(super) fn row(r: FastRegistration) -> RegistrationRow {
        let lang = admin_lang();
        let (state, class) = match r.state {
            S::Pending => (
                lang.pick("等待法人确认", "Waiting for the legal representative"),
                "",
            ),
            S::Registered => (lang.pick("已创建并授权", "Created and authorized"), "ok"),
            S::Refused => (lang.pick("微信未受理", "Not taken by WeChat"), "warn"),
            S::Failed => (lang.pick("注册失败", "Failed"), "warn"),
            S::Expired => (lang.pick("超时未确认", "No result in 24 h"), "warn"),
        };
        let started_by = started_by(&r);
        // A refusal that is not a create errcode: WeChat's own words help the operator.
        let reason = r
            .reason(lang == crate::i18n::Lang::Zh)
            .map(str::to_owned)
            .map(|reason| match (&r.wechat_msg, r.state) {
                (Some(msg), S::Refused | S::Failed) => format!("{reason}（{msg}）"),
                _ => reason,
            });
        RegistrationRow {
            id: r.id,
            company: r.company_id.zip(r.company_name.clone()),
            enterprise: r.name.clone(),
            code: r.code.clone(),
            legal_persona: format!("{} · {}", r.legal_persona_name, r.legal_persona_wechat),
            started_by,
            state: state.to_owned(),
            state_class: class.to_owned(),
            reason,
            wechat_code: r.wechat_code,
            authorizer_appid: r.authorizer_appid.clone(),
            created_at: crate::shared::ssr::format_time(r.created_at),
            updated_at: crate::shared::ssr::format_time(r.updated_at),
        }
    }
}
