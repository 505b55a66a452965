//! Server-side helpers shared by the server functions.

use platform::Platform;

use crate::UiError;

/// The platform services, provided as context by the server's router.
pub(crate) fn platform() -> Result<Platform, UiError> {
    leptos::prelude::use_context::<Platform>()
        .ok_or_else(|| internal(&"Platform missing from the Leptos context (server wiring bug)"))
}

/// The platform, for admin server functions: until admin sign-in exists, the
/// admin pages answer only loopback clients, or anyone in sandbox mode.
pub(crate) async fn admin_platform() -> Result<Platform, UiError> {
    let platform = platform()?;
    let peer = leptos_axum::extract::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .await
        .ok()
        .map(|info| info.0.ip());
    if admin_allowed(platform.settings().sandbox, peer) {
        Ok(platform)
    } else {
        Err(UiError::Forbidden)
    }
}

/// The rule: sandbox mode, or a client on this machine. Unknown peers are refused.
fn admin_allowed(sandbox: bool, peer: Option<std::net::IpAddr>) -> bool {
    sandbox || peer.is_some_and(|ip| ip.is_loopback())
}

/// Logs `err` once with a fresh reference id and returns the [`UiError`] that shows it.
pub(crate) fn internal(err: &dyn std::fmt::Display) -> UiError {
    let reference = reference_id();
    tracing::error!(%reference, error = %err, "server function failed");
    UiError::Internal { reference }
}

/// A short id to correlate what a user reports with the log line.
fn reference_id() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos() ^ (d.as_secs() as u32))
        .unwrap_or_default();
    format!("{nanos:08x}")
}

/// `2026-11-25 22:03 (UTC+8)`: China time, as merchants and WeChat read it;
/// the same text on the server and after hydration.
pub(crate) fn format_time(unix: i64) -> String {
    let format = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]");
    time::OffsetDateTime::from_unix_timestamp(unix)
        .ok()
        .map(|t| t.to_offset(time::macros::offset!(+8)))
        .and_then(|t| t.format(&format).ok())
        .map(|t| format!("{t} (UTC+8)"))
        .unwrap_or_default()
}

/// An SVG QR code of `text`, or `None` if it cannot be encoded.
pub(crate) fn qr_svg(text: &str) -> Option<String> {
    let code = qrcode::QrCode::new(text.as_bytes()).ok()?;
    Some(
        code.render::<qrcode::render::svg::Color>()
            .min_dimensions(180, 180)
            .quiet_zone(true)
            .build(),
    )
}

/// The page language: the one asked for in `?lang=`, else the browser's preference.
pub(crate) async fn lang(requested: Option<String>) -> crate::i18n::Lang {
    use crate::i18n::Lang;
    if let Some(lang) = Lang::from_query(requested.as_deref()) {
        return lang;
    }
    let headers = leptos_axum::extract::<axum::http::HeaderMap>().await.ok();
    headers
        .as_ref()
        .and_then(|h| h.get("accept-language"))
        .and_then(|v| v.to_str().ok())
        .map(Lang::from_accept_language)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::admin_allowed;

    #[test]
    fn admin_pages_answer_loopback_clients_or_anyone_in_sandbox_mode() {
        let local = "127.0.0.1".parse().ok();
        let remote = "203.0.113.7".parse().ok();
        assert!(admin_allowed(false, local));
        assert!(admin_allowed(false, "::1".parse().ok()));
        assert!(!admin_allowed(false, remote));
        assert!(!admin_allowed(false, None));
        assert!(admin_allowed(true, remote));
    }
}
