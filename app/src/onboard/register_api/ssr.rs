//! The server side of the fast registration page.

use platform::fast_registration::{
    FastRegistration, FastRegistrationError, FastRegistrationState, RegistrationForm, StartedBy,
};
use platform::onboarding::{InviteError, InviteStatus};

use super::{
    FormView, RegistrationPage, RegistrationView, RequestStage, RequestView, SubmitOutcome,
};
use crate::UiError;
use crate::i18n::Lang;
use crate::shared::ssr::{format_time, internal};

pub(super) async fn page(
    token: String,
    lang: Option<String>,
    draft: Option<String>,
    problem: Option<String>,
) -> Result<RegistrationPage, UiError> {
    let lang = crate::shared::ssr::lang(lang).await;
    let platform = crate::shared::ssr::platform()?;
    let invite = match platform.onboarding().open_invite(&token).await {
        Ok(invite) => invite,
        Err(err @ (InviteError::NotFound | InviteError::Expired | InviteError::Revoked)) => {
            return Ok(invite_problem(&err, lang));
        }
        Err(other) => return Err(internal(&other)),
    };
    if !invite.allows_fast_registration || invite.status != InviteStatus::Active {
        return Ok(RegistrationPage::Problem {
            lang,
            title: lang
                .pick("这个邀请不提供快速注册", "This invitation does not offer registration")
                .to_owned(),
            detail: lang
                .pick(
                    "请回到邀请页面授权已有的帐号；如需为贵公司新建小程序，请联系平台管理员。",
                    "Go back to the invitation to authorize an existing account, or ask the platform's administrator to create a mini program for you.",
                )
                .to_owned(),
        });
    }
    let registrations = platform.fast_registrations();
    let latest = registrations
        .of_invite(invite.id)
        .await
        .map_err(|e| internal(&e))?
        .into_iter()
        .next();
    let latest_view = match &latest {
        Some(request) => Some(request_view(&platform, &token, request, lang).await?),
        None => None,
    };
    let draft = draft.as_deref().and_then(|d| registrations.open_draft(d));
    let busy = latest.as_ref().is_some_and(|r| {
        matches!(
            r.state,
            FastRegistrationState::Pending | FastRegistrationState::Registered
        )
    });
    let form = (!busy).then(|| {
        // Typed values sent back win over the last request's.
        let values = draft
            .clone()
            .or_else(|| latest.as_ref().map(FastRegistration::form));
        form_view(values, lang)
    });
    let notice = problem
        .as_deref()
        .and_then(|p| problem_text(p, lang))
        .map(str::to_owned);
    Ok(RegistrationPage::Ready(Box::new(RegistrationView {
        lang,
        invite_url: format!("/onboard/{token}?lang={}", lang.code()),
        token,
        company_name: invite.company_name,
        latest: latest_view,
        form,
        notice,
    })))
}

async fn request_view(
    platform: &platform::Platform,
    token: &str,
    request: &FastRegistration,
    lang: Lang,
) -> Result<RequestView, UiError> {
    let stage = match request.state {
        FastRegistrationState::Pending => RequestStage::Waiting,
        FastRegistrationState::Registered => RequestStage::Registered,
        _ => RequestStage::NotRegistered,
    };
    let authorizer = match &request.authorizer_appid {
        Some(appid) => platform
            .onboarding()
            .authorizer_of_invite(token, appid)
            .await
            .map_err(|e| internal(&e))?
            .1
            .map(|a| crate::shared::views::authorizer_view(a, platform.settings(), lang)),
        None => None,
    };
    Ok(RequestView {
        stage,
        enterprise: request.name.clone(),
        legal_persona_name: request.legal_persona_name.clone(),
        submitted_at: format_time(request.created_at),
        confirm_by: format_time(request.confirm_by()),
        reason: request.reason(lang == Lang::Zh).map(str::to_owned),
        can_retry: request.can_retry(),
        authorizer,
    })
}

fn form_view(values: Option<RegistrationForm>, lang: Lang) -> FormView {
    let Some(values) = values else {
        return FormView {
            code_type: 1,
            ..FormView::default()
        };
    };
    let error = values
        .problem()
        .map(|e| (e.field.name().to_owned(), lang.pick(e.zh, e.en).to_owned()));
    FormView {
        code_type: if values.code_type == 0 {
            1
        } else {
            values.code_type
        },
        name: values.name,
        code: values.code,
        legal_persona_wechat: values.legal_persona_wechat,
        legal_persona_name: values.legal_persona_name,
        component_phone: values.component_phone.unwrap_or_default(),
        error,
    }
}

/// The words for a `problem` the page was sent back with.
fn problem_text(problem: &str, lang: Lang) -> Option<&'static str> {
    Some(match problem {
        "already_pending" => lang.pick(
            "这家企业已有一个申请在等待法人确认，不能重复提交：请法人先在微信中处理收到的消息。",
            "A request for this enterprise is already waiting for its legal representative: they should answer WeChat's message first.",
        ),
        "too_many" => lang.pick(
            "这个邀请在 24 小时内提交的申请已达上限（10 次）：请明天再试，或联系平台管理员。",
            "This invitation has sent its 10 requests for today: try again tomorrow, or contact the platform's administrator.",
        ),
        "unavailable" => lang.pick(
            "暂时无法连接微信，申请没有发出：请稍后重新提交。",
            "WeChat could not be reached and nothing was sent: please submit again later.",
        ),
        "invalid" => lang.pick(
            "请按提示修改后重新提交。",
            "Please correct the highlighted field and submit again.",
        ),
        _ => return None,
    })
}

pub(super) async fn submit(
    token: String,
    lang: Option<String>,
    form: RegistrationForm,
) -> Result<SubmitOutcome, UiError> {
    let lang = crate::shared::ssr::lang(lang).await;
    let platform = crate::shared::ssr::platform()?;
    let registrations = platform.fast_registrations();
    let page = format!("/onboard/{token}/register?lang={}", lang.code());
    let started = registrations
        .start(
            StartedBy::Merchant {
                invite_token: &token,
            },
            &form,
        )
        .await;
    let problem = match started {
        Ok(request) => {
            audit_merchant_request(&platform, &request).await;
            crate::shared::ssr::redirect_form_post(&page).await;
            return Ok(SubmitOutcome::Sent);
        }
        Err(FastRegistrationError::Invalid(_)) => "invalid",
        Err(FastRegistrationError::AlreadyPending) => "already_pending",
        Err(FastRegistrationError::TooMany) => "too_many",
        Err(FastRegistrationError::Unavailable(_)) => "unavailable",
        // The request is kept with WeChat's answer: the page shows its reason.
        Err(FastRegistrationError::Refused(refusal)) => {
            crate::shared::ssr::redirect_form_post(&page).await;
            return Ok(SubmitOutcome::NotSent {
                problem: "refused".to_owned(),
                message: lang
                    .pick(refusal.describe_zh(), refusal.describe_en())
                    .to_owned(),
            });
        }
        Err(FastRegistrationError::Invite(_) | FastRegistrationError::NotOffered) => {
            crate::shared::ssr::redirect_form_post(&page).await;
            return Err(UiError::NotFound);
        }
        Err(other) => return Err(internal(&other)),
    };
    let draft = registrations.seal_draft(&form);
    crate::shared::ssr::redirect_form_post(&format!("{page}&problem={problem}&draft={draft}"))
        .await;
    let message = match form.problem() {
        Some(e) => lang.pick(e.zh, e.en),
        None => problem_text(problem, lang).unwrap_or_default(),
    };
    Ok(SubmitOutcome::NotSent {
        problem: problem.to_owned(),
        message: message.to_owned(),
    })
}

/// The merchant, through the invite, is who started it.
async fn audit_merchant_request(platform: &platform::Platform, request: &FastRegistration) {
    let client = crate::shared::ssr::client_addr();
    let actor = platform::audit::Actor {
        admin_id: None,
        name: format!(
            "merchant (invite {})",
            request.invite_id.unwrap_or_default()
        ),
        client_addr: Some(client.to_string()),
    };
    let detail = format!(
        "{} · {}",
        request.company_name.clone().unwrap_or_default(),
        request.name
    );
    if let Err(err) = platform
        .admins()
        .audit()
        .record(
            &actor,
            platform::audit::AuditAction::FastRegistrationStarted,
            Some(&format!("fast_registration:{}", request.id)),
            Some(&detail),
        )
        .await
    {
        tracing::error!(error = %err, "writing the audit log failed");
    }
}

fn invite_problem(err: &InviteError, lang: Lang) -> RegistrationPage {
    let (title, detail) = crate::onboard::api::invite_problem_words(err, lang);
    RegistrationPage::Problem {
        lang,
        title: title.to_owned(),
        detail: detail.to_owned(),
    }
}
