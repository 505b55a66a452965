//! Two instances on one database (as behind a load balancer): the same
//! callback reaching both, and the `authorized` push, make one
//! `api_query_auth` for their auth_code, and both answer with the account.

use std::time::Duration;

use wechat_sim::faults::Fault;

use crate::helpers::{ADMIN_LOGIN, ADMIN_PASSWORD, spawn_app, spawn_second_instance};
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

#[tokio::test]
async fn a_key_revoked_on_one_instance_is_refused_by_the_other_within_its_cache_bound() {
    let app = spawn_app().await;
    let second = spawn_second_instance(&app).await;
    let created = app
        .platform
        .api_keys()
        .create(
            "两个实例",
            &platform::api_keys::KeyScope::everything(),
            None,
        )
        .await
        .unwrap();
    let read = |base: &str| {
        reqwest::Client::new()
            .get(format!("{base}/api/v1/component/access_token"))
            .bearer_auth(created.key.expose())
            .send()
    };
    // The second instance serves it (and now has it in its cache).
    assert_eq!(read(&second.address).await.unwrap().status(), 200);
    app.platform
        .api_keys()
        .revoke(created.info.id)
        .await
        .unwrap();
    assert_eq!(
        read(&app.address).await.unwrap().status(),
        401,
        "at once where revoked"
    );
    let revoked = std::time::Instant::now();
    loop {
        if read(&second.address).await.unwrap().status() == 401 {
            break;
        }
        assert!(
            revoked.elapsed() < platform::api_keys::KEY_CACHE_TTL + Duration::from_millis(500),
            "still served {:?} after the revocation",
            revoked.elapsed()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn a_session_signed_in_on_one_instance_works_on_the_other() {
    let app = spawn_app().await;
    let second = spawn_second_instance(&app).await;
    let signed_in = app
        .sign_in(&app.anonymous_client(), ADMIN_LOGIN, ADMIN_PASSWORD)
        .await;
    assert_eq!(signed_in.status(), 303);
    let cookie = signed_in
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("weiqiao_session="))
        .and_then(|v| v.split(';').next())
        .expect("a session cookie")
        .to_owned();
    let plain = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let on_second = plain
        .get(format!("{}/companies", second.address))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(on_second.status(), 200);
    assert!(on_second.text().await.unwrap().contains("公司"));
    let anonymous = plain
        .get(format!("{}/companies", second.address))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 303, "without it: sign in first");
}

#[tokio::test]
async fn a_forced_refresh_on_one_instance_counts_on_the_other() {
    let app = spawn_app().await;
    let second = spawn_second_instance(&app).await;
    let (_, appid) = crate::token_service::authorized_account(&app, "两个实例失效").await;
    let key = crate::token_service::new_key(&app, &[]).await;
    let path = format!("{}/invalidate", crate::token_service::token_path(&appid));
    let invalidate = |base: String, token: String| {
        let (path, key) = (path.clone(), key.clone());
        async move {
            let response = reqwest::Client::new()
                .post(format!("{base}{path}"))
                .bearer_auth(key)
                .json(&serde_json::json!({ "access_token": token }))
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), 200);
            let body: serde_json::Value = response.json().await.unwrap();
            body["access_token"].as_str().unwrap().to_owned()
        }
    };
    let refreshes = || app.sim.calls().list(Some("api_authorizer_token")).len();
    let (_, body) =
        crate::token_service::get(&app, &crate::token_service::token_path(&appid), Some(&key))
            .await;
    let before = refreshes();
    // A looping client reports each token it gets as failed, to one instance, then the other.
    let token = invalidate(
        app.address.clone(),
        body["access_token"].as_str().unwrap().into(),
    )
    .await;
    assert_eq!(refreshes(), before + 1, "the first report refreshes");
    invalidate(second.address.clone(), token).await;
    assert_eq!(
        refreshes(),
        before + 1,
        "the other instance knows a refresh was forced within ten seconds"
    );
}
