//! Server-side helpers shared by the server functions.

use platform::Platform;
use platform::admins::AdminSession;
use platform::audit::{Actor, AuditAction, ClientAddr};

use crate::UiError;

/// The platform services, provided as context by the server's router.
pub(crate) fn platform() -> Result<Platform, UiError> {
    leptos::prelude::use_context::<Platform>()
        .ok_or_else(|| internal(&"Platform missing from the Leptos context (server wiring bug)"))
}

/// The platform and who acts, for admin server functions. The router's guard
/// already refused requests without a session (401); this reads the session
/// it attached, and refuses too should one ever be missing.
pub(crate) async fn admin() -> Result<Admin, UiError> {
    let platform = platform()?;
    let parts = leptos::prelude::use_context::<http::request::Parts>();
    let session = parts
        .as_ref()
        .and_then(|parts| parts.extensions.get::<AdminSession>().cloned())
        .ok_or(UiError::Unauthorized)?;
    let actor = session.actor(&client_addr().to_string());
    Ok(Admin {
        platform,
        session,
        actor,
    })
}

/// The address the request came from, as the server's layers resolved it.
pub(crate) fn client_addr() -> ClientAddr {
    leptos::prelude::use_context::<http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<ClientAddr>().copied())
        .unwrap_or_default()
}

/// A signed-in admin's request.
pub(crate) struct Admin {
    pub platform: Platform,
    pub session: AdminSession,
    pub actor: Actor,
}

impl Admin {
    /// Writes an audit entry for what this admin did; a failed write is logged,
    /// not shown (the action itself succeeded).
    pub async fn audit(&self, action: AuditAction, object: String) {
        self.audit_with_detail(action, object, None).await;
    }

    /// [`Self::audit`] with a detail (e.g. from which company to which).
    pub async fn audit_with_detail(
        &self,
        action: AuditAction,
        object: String,
        detail: Option<&str>,
    ) {
        let audit = self.platform.admins().audit();
        if let Err(err) = audit
            .record(&self.actor, action, Some(&object), detail)
            .await
        {
            tracing::error!(error = %err, ?action, "writing the audit log failed");
        }
    }
}

/// The platform, for admin server functions (see [`admin`]).
pub(crate) async fn admin_platform() -> Result<Platform, UiError> {
    Ok(admin().await?.platform)
}

/// After a plain form post (no JavaScript: the browser accepts HTML), sends
/// the browser to `path` instead of back to the form's page, so the page can
/// say what was done. Calls from code (JSON) get their answer as usual.
pub(crate) async fn redirect_form_post(path: &str) {
    let accepts_html = leptos_axum::extract::<axum::http::HeaderMap>()
        .await
        .ok()
        .and_then(|h| {
            h.get("accept")
                .and_then(|v| v.to_str().ok())
                .map(|v| v.contains("text/html"))
        })
        .unwrap_or(false);
    if accepts_html {
        leptos_axum::redirect(path);
    }
}

/// A filter field as typed: trimmed, and `None` when left blank.
pub(crate) fn filled(value: Option<String>) -> Option<String> {
    value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
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
