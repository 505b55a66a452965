//! `GET /onboard/callback`: where WeChat sends the merchant's browser after
//! authorization, with `auth_code` and `expires_in` appended to our
//! `redirect_uri` (which carries the signed `state`). Completes the
//! authorization, then redirects to a page: the result, or an error page that
//! says what to do next. Codes never reach a log line or a page.

use app::i18n::Lang;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::Redirect;
use platform::Platform;
use platform::onboarding::{InviteError, OnboardingError};
use serde::Deserialize;
use wechat::error::ErrorClass;

#[derive(Debug, Deserialize)]
pub struct CallbackQuery {
    state: Option<String>,
    auth_code: Option<String>,
}

pub async fn callback(
    State(platform): State<Platform>,
    headers: HeaderMap,
    Query(query): Query<CallbackQuery>,
) -> Redirect {
    // The pages after the callback speak the browser's language.
    let lang = headers
        .get("accept-language")
        .and_then(|v| v.to_str().ok())
        .map(Lang::from_accept_language)
        .unwrap_or_default();
    let (Some(state), Some(auth_code)) = (query.state, query.auth_code.filter(|c| !c.is_empty()))
    else {
        return error_page("missing_code", lang);
    };
    match platform
        .onboarding()
        .complete_authorization(&state, &auth_code)
        .await
    {
        Ok((invite_token, authorizer)) => Redirect::to(&format!(
            "/onboard/{invite_token}/result/{}?lang={}",
            authorizer.authorizer_appid,
            lang.code()
        )),
        Err(err) => {
            let reason = reason(&err);
            match &err {
                OnboardingError::Storage(_)
                | OnboardingError::Vault(_)
                | OnboardingError::Wechat(_) => {
                    tracing::error!(error = %err, reason, "onboarding callback failed");
                }
                _ => tracing::warn!(error = %err, reason, "onboarding callback refused"),
            }
            error_page(reason, lang)
        }
    }
}

/// A stable, non-secret code for the error page (`/onboard/error?reason=…`).
pub fn reason(err: &OnboardingError) -> &'static str {
    match err {
        OnboardingError::Invite(InviteError::Expired) => "invite_expired",
        OnboardingError::Invite(InviteError::Revoked) => "invite_revoked",
        OnboardingError::Invite(InviteError::NotFound) => "invite_not_found",
        OnboardingError::StateInvalid => "state_invalid",
        OnboardingError::StateExpired => "state_expired",
        OnboardingError::AuthCodeInvalid => "code_invalid",
        OnboardingError::OwnedByAnotherCompany { .. } => "other_company",
        OnboardingError::NotReady => "not_ready",
        OnboardingError::Wechat(_) => match err.wechat_class() {
            Some(ErrorClass::Retryable) => "wechat_unavailable",
            Some(ErrorClass::IpNotWhitelisted { .. }) => "wechat_ip",
            Some(ErrorClass::Quota) => "wechat_quota",
            Some(ErrorClass::Authorization) => "wechat_authorization",
            _ => "wechat_error",
        },
        _ => "internal",
    }
}

fn error_page(reason: &str, lang: Lang) -> Redirect {
    Redirect::to(&format!(
        "/onboard/error?reason={reason}&lang={}",
        lang.code()
    ))
}
