//! The one guard. Every path is an admin path unless it is listed public
//! here, so a new page or server function is behind sign-in from the start:
//!
//! - admin server functions (`/api/admin/…`, and any other `/api/…` path not
//!   listed public) answer 401 with no body without a session;
//! - admin pages redirect to `/login?next=…`;
//! - merchant pages and their server functions (`/onboard/…`,
//!   `/api/onboard/…`), the sign-in page, WeChat's push URLs, the token service
//!   (its own API keys), health and static assets are public.
//!
//! A signed-in request carries its [`AdminSession`] in its extensions, where
//! the admin server functions read who acts; admin responses are never cached.

use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use platform::Platform;
use platform::admins::AdminSession;

use super::{WebSecurity, cookie_value};

/// Who may open a path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Area {
    Public,
    AdminPage,
    AdminApi,
}

/// Static files of the site root (`public/` and cargo-leptos' output).
const PUBLIC_FILES: &[&str] = &["/favicon.svg", "/robots.txt"];
/// Public path prefixes, each ending in `/`.
const PUBLIC_PREFIXES: &[&str] = &[
    "/onboard/",
    "/api/onboard/",
    "/api/public/",
    "/api/v1/",
    "/wechat/",
    "/pkg/",
];
const PUBLIC_PATHS: &[&str] = &["/login", "/logout", "/healthz", "/onboard"];

/// The area of a request path. Deny by default: whatever is not public is admin.
pub fn area(path: &str) -> Area {
    if PUBLIC_PATHS.contains(&path)
        || PUBLIC_FILES.contains(&path)
        || PUBLIC_PREFIXES
            .iter()
            .any(|prefix| path.starts_with(prefix))
    {
        Area::Public
    } else if path == "/api" || path.starts_with("/api/") {
        Area::AdminApi
    } else {
        Area::AdminPage
    }
}

/// The guard's state: the platform for sessions, the security settings for the cookie name.
#[derive(Clone)]
pub struct Guard {
    pub platform: Platform,
    pub security: WebSecurity,
}

impl axum::extract::FromRef<crate::startup::AppState> for Guard {
    fn from_ref(state: &crate::startup::AppState) -> Self {
        Self {
            platform: state.platform.clone(),
            security: state.security.clone(),
        }
    }
}

pub async fn guard(State(guard): State<Guard>, mut request: Request, next: Next) -> Response {
    let area = area(request.uri().path());
    if area == Area::Public {
        return next.run(request).await;
    }
    let session = match cookie_value(request.headers(), guard.security.cookie_name()) {
        Some(value) => guard.platform.admins().session(&value).await,
        None => Ok(None),
    };
    let session: Option<AdminSession> = match session {
        Ok(session) => session,
        Err(err) => {
            tracing::error!(error = %err, "reading the session failed");
            return StatusCode::SERVICE_UNAVAILABLE.into_response();
        }
    };
    let Some(session) = session else {
        return match area {
            Area::AdminApi => StatusCode::UNAUTHORIZED.into_response(),
            _ => Redirect::to(&login_url(request.uri())).into_response(),
        };
    };
    request.extensions_mut().insert(session);
    let mut response = next.run(request).await;
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// `/login?next=<this path and query>`.
fn login_url(uri: &axum::http::Uri) -> String {
    let next = uri.path_and_query().map_or("/", |pq| pq.as_str());
    let query = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("next", next)
        .finish();
    format!("/login?{query}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whatever_is_not_listed_public_is_admin() {
        for public in [
            "/login",
            "/logout",
            "/healthz",
            "/onboard/abc",
            "/onboard/error",
            "/onboard/callback",
            "/api/onboard/page",
            "/api/public/site",
            "/api/v1/authorizers/wx1/token",
            "/wechat/component/events",
            "/pkg/weiqiao.wasm",
            "/favicon.svg",
        ] {
            assert_eq!(area(public), Area::Public, "{public}");
        }
        for page in [
            "/",
            "/companies",
            "/companies/1",
            "/onboarding",
            "/loginx",
            "/favicon.svg/x",
            "/anything",
        ] {
            assert_eq!(area(page), Area::AdminPage, "{page}");
        }
        for api in [
            "/api/admin/companies/list",
            "/api/ui/companies/list",
            "/api",
            "/api/v1x",
            "/api/onboardx/y",
        ] {
            assert_eq!(area(api), Area::AdminApi, "{api}");
        }
    }

    #[test]
    fn the_login_redirect_keeps_the_path_and_query() {
        let uri: axum::http::Uri = "/companies/3?tab=invites".parse().unwrap();
        assert_eq!(
            login_url(&uri),
            "/login?next=%2Fcompanies%2F3%3Ftab%3Dinvites"
        );
    }

    #[test]
    fn the_session_cookie_is_found_among_others() {
        let mut headers = axum::http::HeaderMap::new();
        headers.append(header::COOKIE, "a=1; weiqiao_session=abc".parse().unwrap());
        headers.append(header::COOKIE, "b=2".parse().unwrap());
        assert_eq!(
            cookie_value(&headers, "weiqiao_session").as_deref(),
            Some("abc")
        );
        assert_eq!(cookie_value(&headers, "__Host-weiqiao_session"), None);
    }
}
