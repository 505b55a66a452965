//! `GET /healthz`: the version and whether the database answers.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use platform::Platform;
use serde::Serialize;

#[derive(Debug, Serialize)]
pub struct HealthBody {
    pub status: &'static str,
    pub version: &'static str,
    pub database: &'static str,
    pub sandbox: bool,
}

/// 200 when everything answers, 503 otherwise; the body says which part failed.
pub async fn healthz(State(platform): State<Platform>) -> (StatusCode, Json<HealthBody>) {
    let health = platform.health().await;
    let status = if health.database {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    let body = HealthBody {
        status: if health.database { "ok" } else { "degraded" },
        version: env!("CARGO_PKG_VERSION"),
        database: if health.database { "ok" } else { "unavailable" },
        sandbox: platform.settings().sandbox,
    };
    (status, Json(body))
}
