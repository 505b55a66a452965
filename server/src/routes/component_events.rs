//! `POST /wechat/component/events`: the authorization event URL (授权事件接收URL).
//! WeChat pushes `component_verify_ticket` every 10 minutes and the
//! authorization events here, and wants the plain answer `success` within 5 s.

use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use platform::Platform;
use platform::component::PushOutcome;
use wechat::crypto::PushQuery;

/// Largest body accepted; real pushes are well under 2 KiB. Axum refuses a
/// larger body (413) before reading it past this limit.
pub const MAX_PUSH_BODY: usize = 64 * 1024;

/// Verifies, records and applies a push, then answers `success`. A bad push
/// gets a bare 400: which check failed is logged, never echoed.
pub async fn receive(
    State(platform): State<Platform>,
    RawQuery(query): RawQuery,
    body: String,
) -> Response {
    metrics::counter!(super::metrics::PUSHES_RECEIVED).increment(1);
    let query: PushQuery = match serde_urlencoded::from_str(query.as_deref().unwrap_or_default()) {
        Ok(query) => query,
        Err(_) => {
            tracing::warn!(check = "query string", "push rejected");
            metrics::counter!(super::metrics::PUSHES_REJECTED, "reason" => "query").increment(1);
            return StatusCode::BAD_REQUEST.into_response();
        }
    };
    match platform.component().ingest_push(&query, &body).await {
        Ok(outcome) => {
            if let PushOutcome::Recorded {
                pending: Some(event_id),
                ..
            } = outcome
            {
                // Answer WeChat now; act on the event (which may call WeChat) after.
                platform.spawn_push_event(event_id);
            }
            (StatusCode::OK, "success").into_response()
        }
        Err(rejected) if rejected.is_bad_request() => {
            tracing::warn!(check = %rejected, "push rejected");
            metrics::counter!(super::metrics::PUSHES_REJECTED, "reason" => rejected.reason())
                .increment(1);
            StatusCode::BAD_REQUEST.into_response()
        }
        Err(failed) => {
            metrics::counter!(super::metrics::PUSHES_REJECTED, "reason" => failed.reason())
                .increment(1);
            // Not answering `success` makes WeChat deliver again later.
            tracing::error!(error = %failed, "push could not be recorded");
            StatusCode::SERVICE_UNAVAILABLE.into_response()
        }
    }
}
