//! The control API under `/__sim/` (JSON): seed and list accounts, push a ticket,
//! play the admin, revoke, change permissions, advance the clock, inject faults,
//! and read the call and push logs. Documented route by route in the README.

mod fast_register;
mod handlers;
mod messages;

pub(crate) use handlers::index;

use axum::Json;
use axum::Router;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use serde_json::json;

use crate::Simulator;

pub(crate) fn routes() -> Router<Simulator> {
    use handlers::*;
    Router::new()
        .route("/accounts", get(list_accounts).post(create_account))
        .route("/accounts/seed-demo", post(seed_demo))
        .route(
            "/authorizations",
            get(list_authorizations).post(grant_unseen),
        )
        .route("/authorizations/{appid}/revoke", post(revoke))
        .route(
            "/authorizations/{appid}/permissions",
            post(change_permissions),
        )
        .route("/authorize", post(authorize))
        .route("/messages", post(messages::push_message))
        .route("/custom-messages", get(messages::custom_messages))
        .route("/release-check", post(messages::release_check))
        .route("/fast-registrations", get(fast_register::list))
        .route("/fast-registrations/{action}", post(fast_register::answer))
        .route("/ticket", get(ticket))
        .route("/ticket/push", post(push_ticket))
        .route("/clock", get(clock))
        .route("/clock/advance", post(advance_clock))
        .route("/faults", get(list_faults).delete(clear_faults))
        .route("/faults/{endpoint}", put(set_fault).delete(clear_fault))
        .route("/calls", get(list_calls).delete(clear_calls))
        .route("/pushes", get(list_pushes).delete(clear_pushes))
        .route("/tokens/check", post(check_token))
}

/// A control-API error: a status and `{"error": "..."}`.
pub(crate) struct ControlError(StatusCode, String);

impl ControlError {
    pub(crate) fn not_found(what: impl Into<String>) -> Self {
        ControlError(StatusCode::NOT_FOUND, what.into())
    }
    pub(crate) fn bad_request(what: impl Into<String>) -> Self {
        ControlError(StatusCode::BAD_REQUEST, what.into())
    }
}

impl IntoResponse for ControlError {
    fn into_response(self) -> Response {
        (self.0, Json(json!({ "error": self.1 }))).into_response()
    }
}

/// Every route, for `GET /__sim/`.
pub(crate) const INDEX: &[(&str, &str)] = &[
    ("GET /__sim/accounts", "list accounts"),
    (
        "POST /__sim/accounts",
        "create an account {kind, nick_name, principal_name?, appid?, alias?, signature?, service_type?, verify_type?}",
    ),
    ("POST /__sim/accounts/seed-demo", "add the demo accounts"),
    (
        "GET /__sim/authorizations",
        "list authorizations (revoked ones included)",
    ),
    (
        "POST /__sim/authorizations",
        "authorize without a link and without a push {authorizer_appid, func_ids?, exchanged?}: only the authorizer list shows it (with its refresh token unless exchanged is false)",
    ),
    (
        "POST /__sim/authorizations/{appid}/revoke",
        "revoke: push unauthorized, kill its tokens",
    ),
    (
        "POST /__sim/authorizations/{appid}/permissions",
        "change permission sets {func_ids}: push updateauthorized",
    ),
    (
        "POST /__sim/authorize",
        "play the admin: {pre_auth_code, authorizer_appid, func_ids?, redirect_uri?}",
    ),
    (
        "GET /__sim/fast-registrations",
        "fast registration tasks (fastregisterweapp create)",
    ),
    (
        "POST /__sim/fast-registrations/{confirm|reject|timeout}",
        "play the legal representative of the newest waiting task {name?, status? (reject), msg?}: push notify_third_fasteregister; timeout lets 24 h pass on the clock",
    ),
    ("GET /__sim/ticket", "the newest component_verify_ticket"),
    ("POST /__sim/ticket/push", "mint and push a ticket now"),
    ("GET /__sim/clock", "emulator time"),
    ("POST /__sim/clock/advance", "advance the clock {seconds}"),
    ("GET /__sim/faults", "the fault table"),
    (
        "PUT /__sim/faults/{endpoint}",
        "inject {errcode?, errmsg?, probability?, latency_ms?, hang?, lost_answer?, http_status?, times?}; endpoint * = all",
    ),
    ("DELETE /__sim/faults/{endpoint}", "remove one fault"),
    ("DELETE /__sim/faults", "remove all faults"),
    ("GET /__sim/calls?endpoint=", "the call log"),
    ("DELETE /__sim/calls", "clear the call log"),
    ("GET /__sim/pushes", "the push log with delivery attempts"),
    ("DELETE /__sim/pushes", "clear the push log"),
    (
        "POST /__sim/tokens/check",
        "judge an access token {access_token}",
    ),
];

#[cfg(test)]
mod tests;
