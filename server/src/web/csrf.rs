//! Cross-site request forgery: every state-changing request from a browser
//! (server functions, forms without JavaScript, sign-in and sign-out) must
//! name our own origin in `Origin`, or failing that in `Referer`. Browsers
//! send `Origin` on every cross-site POST, so a forged form post is refused
//! before it reaches a handler. The session cookie is `SameSite=Lax` as well.
//!
//! Not behind this layer (see `router.rs`): WeChat's pushes (signed with the
//! component's token and key) and the token service (API keys in a header);
//! no cookie authorizes them.

use axum::extract::{Request, State};
use axum::http::{Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::WebSecurity;

impl WebSecurity {
    /// Whether a state-changing request with these headers comes from our origin.
    pub fn same_origin(&self, origin: Option<&str>, referer: Option<&str>) -> bool {
        let claimed = match (origin, referer) {
            (Some(origin), _) => Some(origin.trim_end_matches('/').to_ascii_lowercase()),
            (None, Some(referer)) => url::Url::parse(referer)
                .ok()
                .map(|url| url.origin().ascii_serialization()),
            (None, None) => None,
        };
        claimed.is_some_and(|claimed| self.0.origins.contains(&claimed))
    }
}

/// Whether `request` may proceed.
fn allowed(security: &WebSecurity, request: &Request) -> bool {
    if matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    ) {
        return true;
    }
    let header =
        |name: header::HeaderName| request.headers().get(name).and_then(|v| v.to_str().ok());
    security.same_origin(header(header::ORIGIN), header(header::REFERER))
}

pub async fn check(State(security): State<WebSecurity>, request: Request, next: Next) -> Response {
    if allowed(&security, &request) {
        return next.run(request).await;
    }
    tracing::warn!(method = %request.method(), "cross-site request refused");
    (
        StatusCode::FORBIDDEN,
        "Cross-site request refused: submit the form from Weiqiao's own pages.\n",
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::WebSecurity;

    #[test]
    fn only_our_origin_may_change_state() {
        let public = url::Url::parse("https://weiqiao.example.com/").unwrap();
        let security = WebSecurity::new(&public, "127.0.0.1:3000".parse().unwrap(), vec![]);
        assert!(security.same_origin(Some("https://weiqiao.example.com"), None));
        assert!(security.same_origin(Some("http://127.0.0.1:3000"), None));
        assert!(security.same_origin(None, Some("https://weiqiao.example.com/companies?x=1")));
        // Origin wins over a matching Referer.
        assert!(!security.same_origin(
            Some("https://evil.example"),
            Some("https://weiqiao.example.com/")
        ));
        for refused in [
            "null",
            "http://weiqiao.example.com",
            "https://weiqiao.example.com:8443",
            "https://weiqiao.example.com.evil.example",
        ] {
            assert!(!security.same_origin(Some(refused), None), "{refused}");
        }
        assert!(!security.same_origin(None, Some("not a url")));
        assert!(!security.same_origin(None, None));
    }
}
