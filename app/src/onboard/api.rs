//! Server functions for the merchant's pages: the invite, a fresh
//! authorization link, and the result. No sign-in: the invite token is the key.
//! Texts come in the page's language (see `crate::i18n`).

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::UiError;
use crate::i18n::Lang;
use crate::shared::views::AuthorizerView;

/// The onboarding page's content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum OnboardingPage {
    Ready(OnboardingView),
    /// The invite cannot be used; `title` and `detail` say why and what to do.
    Problem {
        lang: Lang,
        title: String,
        detail: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OnboardingView {
    pub lang: Lang,
    pub company_name: String,
    /// What kind of account is asked for, in words.
    pub asks_for: String,
    pub biz_appid: Option<String>,
    pub mobile: bool,
    /// What the merchant can do next.
    pub next: NextStep,
    /// This page's own URL for phones, and its QR code: the phone opens our
    /// page (never WeChat's link directly, which WeChat would refuse).
    pub phone_url: String,
    pub phone_qr_svg: String,
    /// The merchant came back from WeChat's page without completing (e.g. cancelled).
    pub returned_from_wechat: bool,
    /// Accounts this company has already authorized.
    pub authorized: Vec<AuthorizerView>,
    /// The invite offers fast registration: its page, and where the newest
    /// request stands (in words), if one was made.
    pub registration: Option<(String, Option<String>)>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum NextStep {
    /// Our own `/onboard/{token}/go`, which creates a fresh pre_auth_code when
    /// clicked and redirects to WeChat's page: a view costs no pre_auth_code
    /// and the link never goes stale.
    Authorize { go_url: String },
    /// No link right now: why, and what to do.
    Unavailable(String),
    /// The invite named one account and the company has it: nothing left to do.
    Done,
}

/// The onboarding page for an invite token. `lang`: `zh` / `en` or empty (browser's choice).
#[server(prefix = "/api/onboard", endpoint = "page")]
pub async fn get_onboarding(
    token: String,
    mobile: bool,
    lang: Option<String>,
) -> Result<OnboardingPage, UiError> {
    use platform::component::ComponentTokenState;
    use platform::onboarding::{InviteError, InviteStatus};

    let lang = crate::shared::ssr::lang(lang).await;
    let platform = crate::shared::ssr::platform()?;
    let onboarding = platform.onboarding();
    let invite = match onboarding.open_invite_page(&token).await {
        Ok(invite) => invite,
        Err(err @ (InviteError::NotFound | InviteError::Expired | InviteError::Revoked)) => {
            return Ok(ssr::invite_problem(&err, lang));
        }
        Err(other) => return Err(crate::shared::ssr::internal(&other)),
    };
    let mobile = mobile || ssr::is_phone().await;
    let waiting = platform
        .component()
        .component_token_status()
        .await
        .map_err(|e| crate::shared::ssr::internal(&e))?
        .state
        == ComponentTokenState::WaitingForTicket;
    let next = if invite.status == InviteStatus::Fulfilled {
        NextStep::Done
    } else if waiting {
        NextStep::Unavailable(lang
            .pick(
                "平台正在与微信建立连接（等待微信推送票据），请一两分钟后刷新本页。",
                "The platform is still connecting to WeChat (waiting for its ticket). Please reload this page in a minute or two.",
            )
            .to_owned())
    } else {
        let device = if mobile { "mobile" } else { "pc" };
        NextStep::Authorize {
            go_url: format!("/onboard/{token}/go?device={device}&lang={}", lang.code()),
        }
    };
    let authorized = onboarding
        .authorizers_of(invite.company_id)
        .await
        .map_err(|e| crate::shared::ssr::internal(&e))?
        .into_iter()
        .map(|a| crate::shared::views::authorizer_view(a, platform.settings(), lang))
        .collect();
    let phone_url = format!("{}?device=mobile&lang={}", invite.url, lang.code());
    let registration = if invite.allows_fast_registration && invite.status == InviteStatus::Active {
        let latest = platform
            .fast_registrations()
            .of_invite(invite.id)
            .await
            .map_err(|e| crate::shared::ssr::internal(&e))?
            .into_iter()
            .next()
            .map(|r| ssr::registration_stage(&r, lang).to_owned());
        Some((
            format!("/onboard/{token}/register?lang={}", lang.code()),
            latest,
        ))
    } else {
        None
    };
    Ok(OnboardingPage::Ready(OnboardingView {
        lang,
        company_name: invite.company_name,
        asks_for: crate::shared::views::auth_type_label(invite.auth_type, lang).to_owned(),
        biz_appid: invite.biz_appid,
        mobile,
        next,
        phone_qr_svg: crate::shared::ssr::qr_svg(&phone_url).unwrap_or_default(),
        phone_url,
        returned_from_wechat: invite.status != InviteStatus::Fulfilled
            && ssr::left_for_wechat(&token).await,
        authorized,
        registration,
    }))
}

/// The result page's content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthorizationResult {
    pub lang: Lang,
    /// The account just authorized, if it belongs to the invite's company.
    pub authorizer: Option<AuthorizerView>,
    /// Whether the invite still takes another account (active, not fulfilled).
    pub invite_open: bool,
}

/// The account just authorized, if it belongs to the invite's company.
#[server(prefix = "/api/onboard", endpoint = "result")]
pub async fn get_authorization_result(
    token: String,
    appid: String,
    lang: Option<String>,
) -> Result<AuthorizationResult, UiError> {
    let lang = crate::shared::ssr::lang(lang).await;
    let platform = crate::shared::ssr::platform()?;
    let (invite, found) = platform
        .onboarding()
        .authorizer_of_invite(&token, &appid)
        .await
        .map_err(|err| match err {
            platform::onboarding::OnboardingError::Invite(_) => UiError::NotFound,
            other => crate::shared::ssr::internal(&other),
        })?;
    let invite_open = invite.status == platform::onboarding::InviteStatus::Active;
    let view = found.map(|a| crate::shared::views::authorizer_view(a, platform.settings(), lang));
    Ok(AuthorizationResult {
        lang,
        authorizer: view,
        invite_open,
    })
}

#[cfg(feature = "ssr")]
pub(crate) use ssr::invite_problem_words;

#[cfg(feature = "ssr")]
mod ssr {
    use axum::http::HeaderMap;
    use platform::onboarding::InviteError;

    use super::OnboardingPage;
    use crate::i18n::Lang;

    pub(super) fn invite_problem(err: &InviteError, lang: Lang) -> OnboardingPage {
        let (title, detail) = invite_problem_words(err, lang);
        OnboardingPage::Problem {
            lang,
            title: title.to_owned(),
            detail: detail.to_owned(),
        }
    }

    /// Why an invite cannot be used, and what to do, in words.
    pub(crate) fn invite_problem_words(
        err: &InviteError,
        lang: Lang,
    ) -> (&'static str, &'static str) {
        match err {
            InviteError::Expired => (
                lang.pick("邀请链接已过期", "This invitation has expired"),
                lang.pick(
                    "这个邀请链接已经过了有效期。请联系平台管理员，为您的公司重新生成邀请链接。",
                    "The link is past its expiry date. Please ask the platform's administrator for a new invitation.",
                ),
            ),
            InviteError::Revoked => (
                lang.pick("邀请链接已被撤销", "This invitation was revoked"),
                lang.pick(
                    "平台管理员已撤销这个邀请链接。如仍需授权，请联系管理员获取新的链接。",
                    "The platform's administrator revoked this link. Ask them for a new one if you still need to authorize.",
                ),
            ),
            _ => (
                lang.pick("找不到这个邀请", "Invitation not found"),
                lang.pick(
                    "链接可能不完整。请检查地址，或联系平台管理员重新发送邀请链接。",
                    "The link may be incomplete. Check the address, or ask the administrator to send it again.",
                ),
            ),
        }
    }

    /// Where a fast registration request stands, in a few words.
    pub(super) fn registration_stage(
        request: &platform::fast_registration::FastRegistration,
        lang: Lang,
    ) -> &'static str {
        use platform::fast_registration::FastRegistrationState as S;
        match request.state {
            S::Pending => lang.pick(
                "注册申请正在等待法人在微信中确认。",
                "A registration request is waiting for the legal representative in WeChat.",
            ),
            S::Registered => lang.pick(
                "已通过快速注册创建小程序。",
                "A mini program was created through registration.",
            ),
            S::Refused | S::Failed | S::Expired => lang.pick(
                "上次的注册申请没有成功，可以查看原因并重新提交。",
                "The last registration request did not succeed: see why and submit again.",
            ),
        }
    }

    async fn headers() -> Option<HeaderMap> {
        leptos_axum::extract::<HeaderMap>().await.ok()
    }

    /// Phones (and WeChat's in-app browser) get the mobile authorization page.
    pub(super) async fn is_phone() -> bool {
        headers().await.is_some_and(|h| {
            h.get("user-agent")
                .and_then(|v| v.to_str().ok())
                .is_some_and(|ua| ua.contains("MicroMessenger") || ua.contains("Mobile"))
        })
    }

    /// Whether this browser followed this invite's authorization button and
    /// has not come back through the callback since (the `/go` route sets a
    /// cookie that the callback clears): the merchant left WeChat's page
    /// without authorizing, e.g. cancelled and pressed "back".
    pub(super) async fn left_for_wechat(token: &str) -> bool {
        let marker = platform::onboarding::started_marker(token);
        headers().await.is_some_and(|h| {
            h.get_all("cookie")
                .iter()
                .filter_map(|v| v.to_str().ok())
                .flat_map(cookie::Cookie::split_parse)
                .filter_map(Result::ok)
                .any(|c| c.name() == platform::onboarding::STARTED_COOKIE && c.value() == marker)
        })
    }
}
