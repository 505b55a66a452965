//! Server-side helpers shared by the server functions.

use platform::Platform;

use crate::UiError;

/// The platform services, provided as context by the server's router.
pub(crate) fn platform() -> Result<Platform, UiError> {
    leptos::prelude::use_context::<Platform>()
        .ok_or_else(|| internal(&"Platform missing from the Leptos context (server wiring bug)"))
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
