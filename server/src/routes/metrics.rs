//! `GET /metrics` (Prometheus text format), on the internal listener only
//! (`WEIQIAO_API_ADDR`): operational figures are not for the internet.
//! Counters (refreshes and their failures by errcode, pushes received and
//! rejected by reason) live in the process-wide recorder; the figures read
//! from the database (ticket age, component token expiry, accounts by status)
//! are rendered per scrape through a recorder of their own, so two
//! applications in one process (the tests) never mix them.

use std::sync::OnceLock;

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use platform::Platform;

/// Pushes that reached the authorization event URL.
pub const PUSHES_RECEIVED: &str = "weiqiao_pushes_received_total";
/// Pushes answered 4xx/5xx, by `reason`.
pub const PUSHES_REJECTED: &str = "weiqiao_pushes_rejected_total";
/// Pushes at the message URL, and those refused as bad input.
pub const MESSAGES_RECEIVED: &str = "weiqiao_messages_received_total";
pub const MESSAGES_REJECTED: &str = "weiqiao_messages_rejected_total";

/// The process-wide recorder's handle, installed on first use. Should another
/// recorder be installed already, counters go there and this one renders none.
fn counters() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        let recorder = PrometheusBuilder::new().build_recorder();
        let handle = recorder.handle();
        if metrics::set_global_recorder(recorder).is_err() {
            tracing::warn!("a metrics recorder was installed already; /metrics shows no counters");
        }
        handle
    })
}

/// Installs the recorder, so counters count from start-up on.
pub fn install() {
    counters();
}

pub async fn metrics(State(platform): State<Platform>) -> Response {
    let overview = match platform.overview().await {
        Ok(overview) => overview,
        Err(err) => {
            tracing::error!(error = %err, "reading the figures for /metrics failed");
            return StatusCode::SERVICE_UNAVAILABLE.into_response();
        }
    };
    let scrape = PrometheusBuilder::new().build_recorder();
    metrics::with_local_recorder(&scrape, || {
        let now = overview.now;
        if let Some(at) = overview.component.ticket_received_at {
            metrics::gauge!("weiqiao_component_ticket_age_seconds").set((now - at) as f64);
        }
        if let Some(expires_at) = overview.component.expires_at {
            metrics::gauge!("weiqiao_component_token_expires_in_seconds")
                .set((expires_at - now) as f64);
        }
        let accounts = overview.accounts;
        for (status, count) in [
            ("active", accounts.active),
            ("needs_reauthorization", accounts.needs_reauthorization),
            ("revoked", accounts.revoked),
            ("unassigned", accounts.unassigned),
        ] {
            metrics::gauge!("weiqiao_accounts", "status" => status).set(count as f64);
        }
        metrics::gauge!("weiqiao_accounts_failing_refreshes")
            .set(overview.failing_refreshes as f64);
        metrics::gauge!("weiqiao_push_events_failed").set(overview.failed_events as f64);
    });
    let body = format!("{}{}", scrape.handle().render(), counters().render());
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        body,
    )
        .into_response()
}
