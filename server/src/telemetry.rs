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

/// The request-log layer: one `info` line per request with method, route
/// template, status and latency. Never the path or the query string: paths
/// carry invite tokens, and callbacks and pushes carry codes and signatures.
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

/// The route template (`/onboard/{token}`), never the path itself: paths
/// carry invite tokens and appids. Unrouted requests show only whether they
/// asked for a static file.
fn make_span(request: &Request<Body>) -> Span {
    let route = route_of(request);
    tracing::info_span!("request", method = %request.method(), route = %route)
}

fn route_of(request: &Request<Body>) -> String {
    match request.extensions().get::<axum::extract::MatchedPath>() {
        Some(matched) => matched.as_str().to_owned(),
        None if request.uri().path().starts_with("/pkg/") => "/pkg/*".to_owned(),
        None => "(no route)".to_owned(),
    }
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

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use axum::Router;
    use axum::routing::get;
    use tower::ServiceExt as _;

    use super::*;

    /// What `make_span` would name, for a request through a real router.
    async fn logged_route(uri: &str) -> String {
        let seen = Arc::new(Mutex::new(String::new()));
        let record = seen.clone();
        let router = Router::new()
            .route("/onboard/{token}", get(|| async {}))
            .layer(axum::middleware::from_fn(
                move |request: Request<Body>, next: axum::middleware::Next| {
                    *record.lock().unwrap() = route_of(&request);
                    next.run(request)
                },
            ));
        let request = Request::builder().uri(uri).body(Body::empty()).unwrap();
        router.oneshot(request).await.unwrap();
        seen.lock().unwrap().clone()
    }

    #[tokio::test]
    async fn the_log_names_the_route_template_never_the_path() {
        assert_eq!(
            logged_route("/onboard/secret-token?x=1").await,
            "/onboard/{token}"
        );
        assert_eq!(logged_route("/pkg/weiqiao.wasm").await, "/pkg/*");
        assert_eq!(logged_route("/other/secret-token").await, "(no route)");
    }
}
