//! Two instances on one database (as behind a load balancer): the same
//! callback reaching both, and the `authorized` push, make one
//! `api_query_auth` for their auth_code, and both answer with the account.

use std::time::Duration;

use wechat_sim::faults::Fault;

use crate::helpers::{spawn_app, spawn_second_instance};
use crate::onboarding::{authorization_link, confirm_on_wechat, demo_official_account, invite};

#[tokio::test]
async fn a_callback_reaching_two_instances_exchanges_its_code_once() {
    let app = spawn_app().await;
    let second = spawn_second_instance(&app).await;
    let token = invite(&app, "两个实例公司").await;
    let (appid, _) = demo_official_account(&app);
    let (page, link) = authorization_link(&app, &token).await;
    let callback = confirm_on_wechat(&app, &link, &page, &appid).await;
    let query: std::collections::HashMap<String, String> = url::Url::parse(&callback)
        .unwrap()
        .query_pairs()
        .into_owned()
        .collect();
    let (state, code) = (&query["state"], &query["auth_code"]);
    // Slow answers, so both instances are inside the exchange together.
    app.sim.faults().set(
        "api_query_auth",
        Fault {
            latency_ms: Some(300),
            ..Fault::default()
        },
    );
    let (first, other) = tokio::join!(
        async {
            app.platform
                .onboarding()
                .complete_authorization(state, code)
                .await
        },
        async {
            tokio::time::sleep(Duration::from_millis(20)).await;
            second
                .platform
                .onboarding()
                .complete_authorization(state, code)
                .await
        },
    );
    let (first, other) = (first.unwrap().1, other.unwrap().1);
    assert_eq!(first.authorizer_appid, appid);
    assert_eq!(other.authorizer_appid, appid);
    // And the push WeChat sent meanwhile, once its grace has passed.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let exchanges = app
        .sim
        .calls()
        .list(Some("api_query_auth"))
        .iter()
        .filter(|call| call.body["authorization_code"] == code.as_str())
        .count();
    assert_eq!(exchanges, 1, "one api_query_auth for the code");
    assert!(
        second
            .platform
            .authorizer_tokens()
            .access_token(&appid)
            .await
            .is_ok()
    );
}
