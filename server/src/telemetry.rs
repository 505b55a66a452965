//! Logging set-up: structured `tracing` output, one line per HTTP request.

use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, Response};
use tower_http::classify::ServerErrorsFailureClass;
use tower_http::trace::{HttpMakeClassifier, TraceLayer};
use tracing::Span;
use tracing_subscriber::EnvFilter;

/// Installs the global subscriber; `RUST_LOG` overrides the default levels.
pub fn init() {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_http=warn"));
    // `try_init` so tests that call it repeatedly do not panic.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .try_init();
}

type MakeSpan = fn(&Request<Body>) -> Span;
type OnResponse = fn(&Response<Body>, Duration, &Span);
type OnFailure = fn(ServerErrorsFailureClass, Duration, &Span);

/// The request-log layer: one `info` line per request with method, path,
/// status and latency. Only the path is logged, never the query string:
/// callbacks and pushes carry codes and signatures there.
pub fn request_log_layer()
-> TraceLayer<HttpMakeClassifier, MakeSpan, (), OnResponse, (), (), OnFailure> {
    TraceLayer::new_for_http()
        .make_span_with(make_span as MakeSpan)
        .on_request(())
        .on_response(on_response as OnResponse)
        .on_body_chunk(())
        .on_eos(())
        .on_failure(on_failure as OnFailure)
}

fn make_span(request: &Request<Body>) -> Span {
    tracing::info_span!("request", method = %request.method(), path = %request.uri().path())
}

fn on_response(response: &Response<Body>, latency: Duration, _span: &Span) {
    tracing::info!(
        status = response.status().as_u16(),
        latency_ms = format_args!("{:.1}", latency.as_secs_f64() * 1000.0),
        "served"
    );
}

fn on_failure(class: ServerErrorsFailureClass, latency: Duration, _span: &Span) {
    tracing::warn!(
        failure = %class,
        latency_ms = format_args!("{:.1}", latency.as_secs_f64() * 1000.0),
        "request failed"
    );
}
