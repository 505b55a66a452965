//! Security headers on every response: a Content-Security-Policy that allows
//! only our own scripts (each page's inline hydration script by a per-request
//! nonce) and wasm, no framing, no MIME sniffing, and a Referrer-Policy.
//!
//! The merchant's pages send WeChat's authorization page the Referer its
//! domain check needs (授权发起页域名 is compared with the Referer's domain,
//! wechat-protocol-details §3), and no more: `strict-origin` sends the origin
//! only, so the invite token in the path never leaves our site.

use axum::extract::Request;
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use rand::RngCore as _;

/// The nonce of this request's inline scripts; the Leptos context reads it.
#[derive(Debug, Clone)]
pub struct CspNonce(pub String);

/// WeChat's image hosts (avatars and QR codes), which the account pages show.
const WECHAT_IMAGES: &str =
    "https://*.qlogo.cn https://*.qpic.cn http://*.qlogo.cn http://*.qpic.cn";

/// The policy for a page whose inline scripts carry `nonce`. `'strict-dynamic'`
/// lets the nonce'd loader import our wasm glue; `'wasm-unsafe-eval'` lets it
/// compile the wasm, and nothing else may be evaluated.
pub fn content_security_policy(nonce: &str) -> String {
    format!(
        "default-src 'self'; script-src 'nonce-{nonce}' 'strict-dynamic' 'wasm-unsafe-eval'; \
         style-src 'self'; img-src 'self' data: {WECHAT_IMAGES}; connect-src 'self'; \
         font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )
}

/// `strict-origin` on the merchant's pages (WeChat checks the origin),
/// `same-origin` everywhere else.
pub fn referrer_policy(path: &str) -> &'static str {
    if path == "/onboard" || path.starts_with("/onboard/") {
        "strict-origin"
    } else {
        "same-origin"
    }
}

/// Paths that never answer with a page: no nonce is minted for them, and
/// their CSP is the strictest (nothing may run at all).
fn never_a_page(path: &str) -> bool {
    ["/wechat/", "/api/", "/pkg/"]
        .iter()
        .any(|prefix| path.starts_with(prefix))
        || path == "/healthz"
}

/// A name with a content hash (`weiqiao.3f9a….wasm`) never changes content:
/// kept for a year. Any other asset (a build without hashes) is revalidated,
/// a 304 when unchanged, so no browser keeps a stale copy.
pub fn asset_cache_control(path: &str) -> HeaderValue {
    let name = path.rsplit('/').next().unwrap_or_default();
    if name.split('.').count() >= 3 {
        HeaderValue::from_static("public, max-age=31536000, immutable")
    } else {
        HeaderValue::from_static("no-cache")
    }
}

pub async fn layer(mut request: Request, next: Next) -> Response {
    let path = request.uri().path();
    let referrer = referrer_policy(path);
    // The default Cache-Control, unless the handler set one: assets by their
    // name; the merchant's pages change with every visit (a merchant coming
    // back from WeChat must see the page anew, not a back-forward-cache copy).
    let cache_control = if path.starts_with("/pkg/") {
        Some(asset_cache_control(path))
    } else if referrer == "strict-origin" {
        Some(HeaderValue::from_static("no-store"))
    } else {
        None
    };
    let csp = if never_a_page(path) {
        HeaderValue::from_static("default-src 'none'; frame-ancestors 'none'")
    } else {
        // A fresh nonce per page (from the thread's CSPRNG, no system call).
        let mut bytes = [0u8; 18];
        rand::thread_rng().fill_bytes(&mut bytes);
        let nonce = STANDARD.encode(bytes);
        let csp = HeaderValue::from_str(&content_security_policy(&nonce));
        request.extensions_mut().insert(CspNonce(nonce));
        csp.unwrap_or_else(|_| HeaderValue::from_static("default-src 'none'"))
    };
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_SECURITY_POLICY, csp);
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static(referrer));
    if let Some(value) = cache_control
        && !headers.contains_key(header::CACHE_CONTROL)
    {
        headers.insert(header::CACHE_CONTROL, value);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_policy_allows_the_nonce_and_wasm_and_no_inline_or_foreign_script() {
        let csp = content_security_policy("abc");
        assert!(csp.contains("script-src 'nonce-abc' 'strict-dynamic' 'wasm-unsafe-eval';"));
        assert!(csp.contains("frame-ancestors 'none'"));
        assert!(!csp.contains("unsafe-inline"));
        assert_eq!(referrer_policy("/onboard/tok123"), "strict-origin");
        assert_eq!(referrer_policy("/onboarding-secrets"), "same-origin");
        assert_eq!(referrer_policy("/companies"), "same-origin");
        assert!(never_a_page("/api/admin/me") && never_a_page("/wechat/component/events"));
        assert!(!never_a_page("/login") && !never_a_page("/apiary"));
        assert_eq!(
            asset_cache_control("/pkg/weiqiao.3f9a1c.wasm"),
            "public, max-age=31536000, immutable"
        );
        assert_eq!(asset_cache_control("/pkg/weiqiao.wasm"), "no-cache");
    }
}
