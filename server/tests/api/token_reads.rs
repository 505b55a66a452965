//! Expired tokens under load and failure: concurrent readers share one
//! refresh, a backing-off account is not called (503 with `Retry-After`), and
//! a looping client's invalidations force at most one refresh per 10 s.

use serde_json::Value;

use crate::helpers::{TestApp, spawn_app};
use crate::token_service::{authorized_account, get, new_key, post, token_path};

/// Moves past the authorizer tokens' expiry, with a fresh component token
/// (it lives as long; the background refresher would renew it within 30 s).
async fn expire_authorizer_tokens(app: &TestApp) {
    app.sim
        .clock()
        .advance(std::time::Duration::from_secs(7300));
    let outcome = app
        .platform
        .component()
        .refresh_component_token_if_due()
        .await
        .unwrap();
    assert!(
        matches!(
            outcome,
            platform::component::RefreshOutcome::Refreshed { .. }
        ),
        "{outcome:?}"
    );
}

fn refresh_calls(app: &TestApp) -> usize {
    app.sim.calls().list(Some("api_authorizer_token")).len()
}

#[tokio::test]
async fn fifty_concurrent_reads_of_an_expired_token_make_one_call_to_wechat() {
    let app = spawn_app().await;
    let (_, appid) = authorized_account(&app, "并发读取公司").await;
    let key = new_key(&app, &[]).await;
    expire_authorizer_tokens(&app).await;
    let before = refresh_calls(&app);
    let path = token_path(&appid);
    let read = || get(&app, &path, Some(&key));
    let answers = futures::future::join_all((0..50).map(|_| read())).await;
    assert!(
        answers.iter().all(|(status, _)| *status == 200),
        "{answers:?}"
    );
    let first = &answers[0].1["access_token"];
    assert!(
        answers
            .iter()
            .all(|(_, body)| &body["access_token"] == first),
        "one new token for all"
    );
    assert_eq!(refresh_calls(&app), before + 1);
}

#[tokio::test]
async fn while_refreshing_backs_off_an_expired_token_is_a_503_with_retry_after_and_no_call() {
    let app = spawn_app().await;
    let (_, appid) = authorized_account(&app, "退避公司").await;
    let key = new_key(&app, &[]).await;
    app.sim.faults().set(
        "api_authorizer_token",
        wechat_sim::faults::Fault {
            errcode: Some(-1),
            ..Default::default()
        },
    );
    expire_authorizer_tokens(&app).await;
    let before = refresh_calls(&app);
    let (status, _) = get(&app, &token_path(&appid), Some(&key)).await;
    assert_eq!(status, 503, "the refresh failed");
    assert_eq!(refresh_calls(&app), before + 1);

    for _ in 0..5 {
        let response = app
            .client
            .get(app.url(&token_path(&appid)))
            .bearer_auth(&key)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 503);
        let retry_after: i64 = response.headers()["retry-after"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!((1..=5).contains(&retry_after), "{retry_after}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["error"], "backing_off");
    }
    assert_eq!(
        refresh_calls(&app),
        before + 1,
        "nothing called during the backoff"
    );

    // Past the backoff, WeChat well again: the next read refreshes.
    app.sim.faults().clear("api_authorizer_token");
    app.sim.clock().advance(std::time::Duration::from_secs(6));
    let (status, _) = get(&app, &token_path(&appid), Some(&key)).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn invalidations_force_at_most_one_refresh_per_account_every_ten_seconds() {
    let app = spawn_app().await;
    let (_, appid) = authorized_account(&app, "失效公司").await;
    let key = new_key(&app, &[]).await;
    let invalidate_path = format!("{}/invalidate", token_path(&appid));
    let invalidate = |token: String| {
        post(
            &app,
            &invalidate_path,
            &key,
            serde_json::json!({ "access_token": token }),
        )
    };
    let current = |body: &Value| body["access_token"].as_str().unwrap().to_owned();
    let (_, body) = get(&app, &token_path(&appid), Some(&key)).await;
    let before = refresh_calls(&app);
    // A looping client reports whatever token it has as failed, over and over.
    let (status, body) = invalidate(current(&body)).await;
    assert_eq!(status, 200);
    let mut token = current(&body);
    for _ in 0..5 {
        let (status, body) = invalidate(token.clone()).await;
        assert_eq!(status, 200);
        token = current(&body);
    }
    assert_eq!(
        refresh_calls(&app),
        before + 1,
        "one forced refresh in ten seconds"
    );
    app.sim.clock().advance(std::time::Duration::from_secs(10));
    invalidate(token).await;
    assert_eq!(refresh_calls(&app), before + 2);
}
