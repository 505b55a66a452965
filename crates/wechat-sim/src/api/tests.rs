//! The component API over HTTP (router one-shot): the happy path, WeChat's
//! conventions, expiry via the clock, faults and the call log.

use std::net::SocketAddr;
use std::time::Duration;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::Request;
use serde_json::json;

use crate::testutil::*;

const OA: &str = "wx5d3e1a2b3c4d5e6f";

fn api(path: &str, token: &str) -> String {
    format!("/cgi-bin/component/{path}?component_access_token={token}")
}

#[tokio::test]
async fn the_whole_authorization_flow_works_through_the_api() {
    let sim = sim();
    let token = component_token(&sim).await;
    let pre = pre_auth_code(&sim, &token).await;
    let auth = post(
        &sim,
        "/__sim/authorize",
        json!({"pre_auth_code": pre, "authorizer_appid": OA, "func_ids": [1, 15]}),
    )
    .await;
    let code = auth["auth_code"].as_str().unwrap();

    let got = post(
        &sim,
        &api("api_query_auth", &token),
        json!({"component_appid": APPID, "authorization_code": code}),
    )
    .await;
    let info = &got["authorization_info"];
    assert_eq!(info["authorizer_appid"], OA);
    assert_eq!(info["expires_in"], 7200);
    assert_eq!(
        info["func_info"],
        json!([{"funcscope_category": {"id": 1}}, {"funcscope_category": {"id": 15}}])
    );
    let refresh = info["authorizer_refresh_token"].as_str().unwrap();

    let body = json!({"component_appid": APPID, "authorizer_appid": OA, "authorizer_refresh_token": refresh});
    let refreshed = post(&sim, &api("api_authorizer_token", &token), body.clone()).await;
    assert_ne!(
        refreshed["authorizer_access_token"],
        info["authorizer_access_token"]
    );
    assert_eq!(refreshed["authorizer_refresh_token"], refresh);
    assert!(
        refreshed.get("errcode").is_none(),
        "data APIs answer without errcode"
    );

    let details = post(
        &sim,
        &api("api_get_authorizer_info", &token),
        json!({"component_appid": APPID, "authorizer_appid": OA}),
    )
    .await;
    assert_eq!(details["authorizer_info"]["nick_name"], "江南茶舍");
    assert_eq!(
        details["authorization_info"]["authorizer_refresh_token"],
        refresh
    );

    let list = post(
        &sim,
        &api("api_get_authorizer_list", &token),
        json!({"component_appid": APPID, "offset": 0, "count": 100}),
    )
    .await;
    assert_eq!(list["total_count"], 1);
    assert_eq!(list["list"][0]["refresh_token"], refresh);

    post(
        &sim,
        &format!("/__sim/authorizations/{OA}/revoke"),
        json!({}),
    )
    .await;
    let revoked = post(&sim, &api("api_authorizer_token", &token), body).await;
    assert_eq!(revoked["errcode"], 61003);
}

#[tokio::test]
async fn errors_are_http_200_json_with_a_rid() {
    let sim = sim();
    let request = Request::post(api("api_create_preauthcode", "nope"))
        .body(Body::from(json!({"component_appid": APPID}).to_string()))
        .unwrap();
    let (status, headers, text) = send(&sim, request).await;
    assert_eq!(status, 200);
    assert_eq!(headers["content-type"], "application/json; encoding=utf-8");
    let body: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(body["errcode"], 40001);
    assert!(
        body["errmsg"]
            .as_str()
            .unwrap()
            .starts_with("invalid credential, access_token is invalid or not latest rid: ")
    );
}

#[tokio::test]
async fn the_token_may_come_as_access_token_and_a_missing_one_is_41001() {
    let sim = sim();
    let token = component_token(&sim).await;
    let uri = format!("/cgi-bin/component/api_create_preauthcode?access_token={token}");
    let ok = post(&sim, &uri, json!({"component_appid": APPID})).await;
    assert_eq!(ok["expires_in"], 1800);
    let missing = post(
        &sim,
        "/cgi-bin/component/api_create_preauthcode",
        json!({"component_appid": APPID}),
    )
    .await;
    assert_eq!(missing["errcode"], 41001);
}

#[tokio::test]
async fn a_body_that_is_not_json_is_47001() {
    let sim = sim();
    let request = Request::post("/cgi-bin/component/api_component_token")
        .body(Body::from("component_appid=x"))
        .unwrap();
    let (_, _, text) = send(&sim, request).await;
    assert!(text.contains("\"errcode\":47001"));
}

#[tokio::test]
async fn a_component_token_expires_when_the_clock_passes_7200_seconds() {
    let sim = sim();
    let token = component_token(&sim).await;
    sim.clock().advance(Duration::from_secs(7200));
    let expired = post(
        &sim,
        &api("api_create_preauthcode", &token),
        json!({"component_appid": APPID}),
    )
    .await;
    assert_eq!(expired["errcode"], 42001);
}

#[tokio::test]
async fn a_ticket_older_than_twelve_hours_is_61005() {
    let sim = sim();
    let ticket = post(&sim, "/__sim/ticket/push", json!(null)).await["ticket"].clone();
    sim.clock().advance(Duration::from_secs(12 * 3600));
    let body = json!({"component_appid": APPID, "component_appsecret": SECRET, "component_verify_ticket": ticket});
    let answer = post(&sim, "/cgi-bin/component/api_component_token", body).await;
    assert_eq!(answer["errcode"], 61005);
}

#[tokio::test]
async fn an_injected_errcode_is_answered_counted_down_and_logged() {
    let sim = sim();
    let token = component_token(&sim).await;
    let put = Request::put("/__sim/faults/api_create_preauthcode")
        .header("content-type", "application/json")
        .body(Body::from(json!({"errcode": -1, "times": 1}).to_string()))
        .unwrap();
    send(&sim, put).await;
    let first = post(
        &sim,
        &api("api_create_preauthcode", &token),
        json!({"component_appid": APPID}),
    )
    .await;
    assert_eq!(first["errcode"], -1);
    let second = post(
        &sim,
        &api("api_create_preauthcode", &token),
        json!({"component_appid": APPID}),
    )
    .await;
    assert!(second["pre_auth_code"].is_string());
    let calls = get(&sim, "/__sim/calls?endpoint=api_create_preauthcode").await;
    let calls = calls.as_array().unwrap();
    assert_eq!(calls.len(), 2);
    assert_eq!(calls[0]["fault"], "errcode -1");
    assert_eq!(calls[1]["errcode"], 0);
    assert_eq!(calls[1]["query"]["component_access_token"], token.as_str());
}

#[tokio::test]
async fn an_injected_5xx_answers_that_status() {
    let sim = sim();
    sim.faults().set(
        "*",
        crate::faults::Fault {
            http_status: Some(503),
            ..Default::default()
        },
    );
    let request = Request::post("/cgi-bin/component/api_component_token")
        .body(Body::from("{}"))
        .unwrap();
    let (status, _, _) = send(&sim, request).await;
    assert_eq!(status, 503);
}

#[tokio::test]
async fn callers_outside_the_ip_whitelist_get_61004_with_their_address() {
    let mut config = config();
    config.ip_whitelist = Some(vec!["10.0.0.1".parse().unwrap()]);
    let sim = crate::Simulator::new(config).unwrap();
    let mut request = Request::post("/cgi-bin/component/api_component_token")
        .body(Body::from("{}"))
        .unwrap();
    request
        .extensions_mut()
        .insert(ConnectInfo("192.0.2.7:5555".parse::<SocketAddr>().unwrap()));
    let (_, _, text) = send(&sim, request).await;
    assert!(text.contains("\"errcode\":61004"));
    assert!(text.contains("requestIP: 192.0.2.7"));
}

#[tokio::test]
async fn a_lost_answer_does_the_work_and_never_answers() {
    let sim = sim();
    let token = component_token(&sim).await;
    sim.faults().set(
        "api_create_preauthcode",
        crate::faults::Fault {
            lost_answer: true,
            ..Default::default()
        },
    );
    let before = sim.read_state(|s| s.pre_auth_codes.len());
    let uri = api("api_create_preauthcode", &token);
    let call = post(&sim, &uri, json!({"component_appid": APPID}));
    assert!(
        tokio::time::timeout(Duration::from_millis(300), call)
            .await
            .is_err(),
        "no answer"
    );
    // The code was made all the same, and the log shows what would have been answered.
    assert_eq!(sim.read_state(|s| s.pre_auth_codes.len()), before + 1);
    let logged = sim.calls().list(Some("api_create_preauthcode"));
    assert_eq!(logged[0].fault.as_deref(), Some("lost answer"));
    assert!(logged[0].response["pre_auth_code"].is_string());
    assert_eq!(
        sim.calls().drain().len(),
        2,
        "drained: the token and the code"
    );
    assert!(sim.calls().list(None).is_empty());
}
