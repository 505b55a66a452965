//! `GET /metrics` over HTTP, in production mode: on the internal listener
//! only, in Prometheus text format, with the figures read at scrape time and
//! the counters of refreshes (failures by errcode) and pushes (rejections by
//! reason). Counters are process-wide (other tests count too), so they are
//! read as at least what this test did.

use reqwest::StatusCode;
use wechat_sim::faults::Fault;

use crate::authorizer_tokens::authorize_accounts;
use crate::production::{spawn_production_app, spawn_production_app_with};

/// The value of the series `series` (name and labels, as rendered), if present.
fn value(text: &str, series: &str) -> Option<f64> {
    text.lines()
        .find_map(|line| line.strip_prefix(series)?.trim().parse().ok())
}

#[tokio::test]
async fn metrics_are_served_on_the_internal_listener_with_figures_and_counters() {
    let app = spawn_production_app_with(&[("WEIQIAO_API_ADDR", "127.0.0.1:0")]).await;
    let appids = authorize_accounts(&app, 2).await;
    app.platform
        .authorizer_tokens()
        .refresh_one(&appids[0])
        .await
        .unwrap();
    app.sim.faults().set(
        "api_authorizer_token",
        Fault {
            errcode: Some(45009),
            times: Some(1),
            ..Fault::default()
        },
    );
    assert!(
        app.platform
            .authorizer_tokens()
            .refresh_one(&appids[1])
            .await
            .is_ok_and(|r| matches!(r, platform::authorizers::Refreshed::Failed(_)))
    );
    // A push with a wrong signature.
    let mut push = app.push_for("<xml><AppId>x</AppId></xml>");
    push.query.msg_signature = "0".repeat(40);
    assert_eq!(app.send_push(&push).await.0, 400);

    let api = app.api_address.clone().expect("internal listener");
    let response = reqwest::get(format!("{api}/metrics")).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain")
    );
    let text = response.text().await.unwrap();
    assert_eq!(
        value(&text, "weiqiao_accounts{status=\"active\"}"),
        Some(2.0),
        "{text}"
    );
    assert_eq!(
        value(&text, "weiqiao_accounts{status=\"revoked\"}"),
        Some(0.0)
    );
    assert_eq!(
        value(&text, "weiqiao_accounts_failing_refreshes"),
        Some(1.0)
    );
    let expires_in = value(&text, "weiqiao_component_token_expires_in_seconds").unwrap();
    assert!(expires_in > 0.0 && expires_in <= 7200.0, "{expires_in}");
    assert!(value(&text, "weiqiao_component_ticket_age_seconds").is_some_and(|age| age >= 0.0));
    assert!(
        value(&text, "weiqiao_authorizer_refreshes_total").is_some_and(|n| n >= 1.0),
        "{text}"
    );
    assert!(
        value(
            &text,
            "weiqiao_authorizer_refresh_failures_total{errcode=\"45009\"}"
        )
        .is_some_and(|n| n >= 1.0),
        "{text}"
    );
    assert!(value(&text, "weiqiao_pushes_received_total").is_some_and(|n| n >= 1.0));
    assert!(
        value(&text, "weiqiao_pushes_rejected_total{reason=\"signature\"}")
            .is_some_and(|n| n >= 1.0),
        "{text}"
    );

    // Not on the public listener, signed in or not.
    let public = app.client.get(app.url("/metrics")).send().await.unwrap();
    assert!(!public.text().await.unwrap().contains("weiqiao_accounts"));
    let anonymous = app
        .anonymous_client()
        .get(app.url("/metrics"))
        .send()
        .await
        .unwrap();
    assert_ne!(anonymous.status(), StatusCode::OK);
}

#[tokio::test]
async fn without_an_internal_listener_metrics_are_not_served() {
    let app = spawn_production_app().await;
    let response = app.client.get(app.url("/metrics")).send().await.unwrap();
    assert!(!response.text().await.unwrap().contains("weiqiao_"));
}
