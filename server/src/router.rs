//! The HTTP surface: every route, and the layers around them in their order.
//! The main listener serves the pages, WeChat's push URLs and (unless it has
//! its own listener) the token service; `WEIQIAO_API_ADDR` moves the token
//! service to an internal listener that operators keep off the internet.

use std::time::Duration;

use app::{App, shell};
use axum::Router;
use axum::extract::{DefaultBodyLimit, FromRef as _};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{from_fn, from_fn_with_state};
use axum::routing::{get, post};
use leptos::prelude::{provide_context, use_context};
use leptos_axum::{AxumRouteListing, LeptosRoutes as _, generate_route_list};
use tower_http::compression::CompressionLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;

use crate::routes;
use crate::startup::AppState;
use crate::web::access::{self, Guard};
use crate::web::headers::CspNonce;
use crate::web::{client, csrf, headers, host, sign_in};

/// No request may take longer (WeChat answers within seconds; a stuck one is cut).
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// No request body may be larger (forms and server-function arguments are small;
/// the push URL has its own, smaller limit).
pub const MAX_BODY_BYTES: usize = 256 * 1024;

/// The app's route list, generated once per process. Generating it sets a
/// process-wide flag that stops every `Resource` from loading meanwhile
/// (leptos_server's `SuppressResourceLoad`, leptos-rs/leptos#4773), so a page
/// rendering in another `Application` of the same process (integration tests
/// run several) would hang; once, before any of them serves, it cannot.
pub fn route_list() -> Vec<AxumRouteListing> {
    static ROUTES: std::sync::OnceLock<Vec<AxumRouteListing>> = std::sync::OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App)).clone()
}

/// The main listener's router. `with_token_service`: also serve `/api/v1`.
pub fn main_router(state: AppState, with_token_service: bool) -> Router {
    let security = state.security.clone();
    let guard = Guard::from_ref(&state);
    let platform = state.platform.clone();
    let options = state.leptos_options.clone();
    let context = move || {
        provide_context(platform.clone());
        // The CSP header names this nonce; Leptos puts it on its inline scripts.
        let nonce = use_context::<axum::http::request::Parts>()
            .and_then(|parts| parts.extensions.get::<CspNonce>().cloned());
        if let Some(CspNonce(nonce)) = nonce {
            provide_context(leptos::nonce::Nonce::from_value(nonce));
        }
    };
    // For people: pages, forms, sign-in. Every browser-facing check applies.
    let pages = Router::new()
        .route("/login", post(sign_in::sign_in))
        .route("/logout", post(sign_in::sign_out))
        .route("/onboard/callback", get(routes::onboarding::callback))
        .route("/onboard/{token}/go", get(routes::onboarding::go))
        .leptos_routes_with_context(&state, route_list(), context.clone(), move || {
            shell(options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler_with_context::<
            AppState,
            _,
        >(context, shell))
        // Innermost first: the guard sees a request that passed every check above it.
        .layer(from_fn_with_state(guard, access::guard))
        .layer(from_fn_with_state(security.clone(), csrf::check))
        .layer(from_fn(headers::layer))
        .layer(CompressionLayer::new().br(true).gzip(true));
    // For machines: WeChat's signed pushes, the token service (API keys) and
    // health. No cookie authorizes them, so no CSRF check or session guard;
    // they answer small bodies, so no compression; and they are the hot
    // paths, so nothing more runs for them than needed.
    let mut machines = Router::new()
        .route("/healthz", get(routes::health::healthz))
        .route(
            "/wechat/component/events",
            post(routes::component_events::receive).layer(DefaultBodyLimit::max(
                routes::component_events::MAX_PUSH_BODY,
            )),
        )
        .route(
            "/wechat/authorizers/{appid}/events",
            post(routes::message_events::receive_for).layer(DefaultBodyLimit::max(
                routes::component_events::MAX_PUSH_BODY,
            )),
        )
        .route(
            "/wechat/authorizers/events",
            post(routes::message_events::receive_without_appid).layer(DefaultBodyLimit::max(
                routes::component_events::MAX_PUSH_BODY,
            )),
        );
    if with_token_service {
        machines = machines.nest("/api/v1", routes::token_api::routes());
    }
    let machines = machines.layer(SetResponseHeaderLayer::overriding(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    ));
    let router = pages
        .merge(machines)
        .layer(from_fn_with_state(security.clone(), client::layer))
        .layer(from_fn_with_state(security, host::check));
    outermost(router).with_state(state)
}

/// What every listener has outermost: body limit, timeout, and the request
/// log (so refused requests are logged too).
fn outermost(router: Router<AppState>) -> Router<AppState> {
    router
        .layer(RequestBodyLimitLayer::new(MAX_BODY_BYTES))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            REQUEST_TIMEOUT,
        ))
        .layer(crate::telemetry::request_log_layer())
}

/// The internal listener's router: the token service and `/metrics`. No Host
/// check: it has no pages and no cookies, and its callers name it by internal
/// addresses.
pub fn api_router(state: AppState) -> Router {
    let security = state.security.clone();
    let router = Router::new()
        .nest("/api/v1", routes::token_api::routes())
        .route("/metrics", get(routes::metrics::metrics))
        .layer(from_fn_with_state(security, client::layer));
    outermost(router).with_state(state)
}
