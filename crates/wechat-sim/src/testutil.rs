//! Helpers shared by the router tests: an emulator, one-shot requests, and a
//! push receiver on port 0 that decrypts with the protocol crate.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::Value;
use tower::ServiceExt as _;

use crate::config::EventPushTiming;
use crate::{SimConfig, Simulator};

pub const APPID: &str = "wx0123456789abcdef";
pub const SECRET: &str = "component-secret";
pub const TOKEN: &str = "spamtest";
pub const KEY: &str = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";

pub fn config() -> SimConfig {
    let mut config = SimConfig::new(APPID, SECRET, TOKEN, KEY);
    // Deterministic tests: the event is pushed before the redirect is answered.
    config.behaviour.event_push_timing = EventPushTiming::BeforeRedirect;
    config.push.retry_delay = std::time::Duration::ZERO;
    config
}

pub fn sim() -> Simulator {
    let sim = Simulator::new(config()).unwrap();
    sim.seed_demo_accounts();
    sim
}

/// Send one request through the router; returns status, headers and body text.
pub async fn send(
    sim: &Simulator,
    request: Request<Body>,
) -> (StatusCode, axum::http::HeaderMap, String) {
    let response = sim.router().oneshot(request).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap();
    (status, headers, String::from_utf8(bytes.to_vec()).unwrap())
}

/// POST a JSON body and parse the JSON answer. API calls go without Content-Type,
/// as wechatpy sends them; the control API wants `application/json`.
pub async fn post(sim: &Simulator, uri: &str, body: Value) -> Value {
    let mut request = Request::post(uri);
    if uri.starts_with("/__sim") {
        request = request.header("content-type", "application/json");
    }
    let request = request.body(Body::from(body.to_string())).unwrap();
    let (_, _, text) = send(sim, request).await;
    serde_json::from_str(&text).unwrap_or(Value::String(text))
}

/// GET and parse the JSON answer.
pub async fn get(sim: &Simulator, uri: &str) -> Value {
    let (_, _, text) = send(sim, Request::get(uri).body(Body::empty()).unwrap()).await;
    serde_json::from_str(&text).unwrap()
}

/// Ticket → component token, through the API.
pub async fn component_token(sim: &Simulator) -> String {
    let ticket = post(sim, "/__sim/ticket/push", Value::Null).await["ticket"]
        .as_str()
        .unwrap()
        .to_owned();
    let body = serde_json::json!({"component_appid": APPID, "component_appsecret": SECRET, "component_verify_ticket": ticket});
    post(sim, "/cgi-bin/component/api_component_token", body).await["component_access_token"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// A fresh pre_auth_code, through the API.
pub async fn pre_auth_code(sim: &Simulator, token: &str) -> String {
    let uri = format!("/cgi-bin/component/api_create_preauthcode?component_access_token={token}");
    post(sim, &uri, serde_json::json!({"component_appid": APPID})).await["pre_auth_code"]
        .as_str()
        .unwrap()
        .to_owned()
}
