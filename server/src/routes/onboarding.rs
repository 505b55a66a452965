//! The two redirects of the merchant's flow:
//!
//! - `GET /onboard/{token}/go`: the authorization button. Creates a fresh
//!   pre_auth_code only now (a page view costs none and shows no link that can
//!   go stale) and redirects to WeChat's page; its `Referer` is our origin only
//!   (the page's `strict-origin` policy), which WeChat's domain check needs,
//!   so the invite token never leaves the site.
//! - `GET /onboard/callback`: where WeChat sends the merchant's browser after
//!   authorization, with `auth_code` and `expires_in` appended to our
//!   `redirect_uri` (which carries the signed `state`). Completes the
//!   authorization, then redirects to a page: the result, or an error page that
//!   says what to do next. Codes never reach a log line or a page.

use app::i18n::Lang;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};
use platform::Platform;
use platform::onboarding::{Device, InviteError, OnboardingError, STARTED_COOKIE, started_marker};
use serde::Deserialize;
use wechat::error::ErrorClass;

use crate::web::WebSecurity;

#[derive(Debug, Deserialize)]
pub struct GoQuery {
    device: Option<String>,
    lang: Option<String>,
}

pub async fn go(
    State(platform): State<Platform>,
    State(security): State<WebSecurity>,
    Path(token): Path<String>,
    Query(query): Query<GoQuery>,
) -> Response {
    let lang = Lang::from_query(query.lang.as_deref()).unwrap_or_default();
    let device = match query.device.as_deref() {
        Some("mobile") => Device::Mobile,
        _ => Device::Pc,
    };
    match platform
        .onboarding()
        .authorization_link(&token, device)
        .await
    {
        Ok(link) => {
            let mut response = Redirect::to(&link.url).into_response();
            let cookie = started_cookie(&security, &started_marker(&token), false);
            response.headers_mut().insert(header::SET_COOKIE, cookie);
            response
        }
        // Authorized a moment ago (in another tab): the page says so.
        Err(OnboardingError::Invite(InviteError::Fulfilled)) => {
            Redirect::to(&format!("/onboard/{token}?lang={}", lang.code())).into_response()
        }
        Err(err) => {
            let reason = reason(&err);
            tracing::warn!(error = %err, reason, "no authorization link");
            error_page(reason, lang).into_response()
        }
    }
}

/// The "left for WeChat" marker cookie, for the merchant's pages only, for an
/// hour; `clear` deletes it.
fn started_cookie(security: &WebSecurity, value: &str, clear: bool) -> HeaderValue {
    let max_age = if clear { 0 } else { 3600 };
    security.set_cookie(STARTED_COOKIE, value, "/onboard/", Some(max_age))
}

#[derive(Debug, Deserialize)]
pub struct CallbackQuery {
    state: Option<String>,
    auth_code: Option<String>,
}

pub async fn callback(
    State(platform): State<Platform>,
    State(security): State<WebSecurity>,
    headers: HeaderMap,
    Query(query): Query<CallbackQuery>,
) -> Response {
    // The pages after the callback speak the browser's language.
    let lang = headers
        .get("accept-language")
        .and_then(|v| v.to_str().ok())
        .map(Lang::from_accept_language)
        .unwrap_or_default();
    let (Some(state), Some(auth_code)) = (query.state, query.auth_code.filter(|c| !c.is_empty()))
    else {
        return error_page("missing_code", lang).into_response();
    };
    match platform
        .onboarding()
        .complete_authorization(&state, &auth_code)
        .await
    {
        Ok((invite_token, authorizer)) => {
            let mut response = Redirect::to(&format!(
                "/onboard/{invite_token}/result/{}?lang={}",
                authorizer.authorizer_appid,
                lang.code()
            ))
            .into_response();
            // Back from WeChat with a result: the "left without authorizing" marker goes.
            let cleared = started_cookie(&security, "", true);
            response.headers_mut().insert(header::SET_COOKIE, cleared);
            response
        }
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
            error_page(reason, lang).into_response()
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
        OnboardingError::TooManyLinks => "too_many_links",
        // Seconds at most; the page says to try again.
        OnboardingError::ExchangeInProgress => "wechat_unavailable",
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
