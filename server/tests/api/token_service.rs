//! The token service over HTTP: API keys, reads of stored tokens, invalidation
//! after a 40001, and the refusals (401, 403, 404) as JSON.

use platform::api_keys::KeyScope;
use platform::onboarding::{AuthType, Device, NewInviteRequest};
use serde_json::Value;

use crate::helpers::{TestApp, spawn_app};

/// A company with an authorized demo official account; returns (company id, appid).
pub(crate) async fn authorized_account(app: &TestApp, company: &str) -> (i64, String) {
    let company = app.platform.companies().create(company).await.unwrap();
    let invite = app
        .platform
        .onboarding()
        .create_invite(NewInviteRequest {
            company_id: company.id,
            auth_type: AuthType::Both,
            biz_appid: None,
            valid_days: 7,
            note: None,
            allows_fast_registration: false,
        })
        .await
        .unwrap();
    let link = app
        .platform
        .onboarding()
        .authorization_link(&invite.token, Device::Pc)
        .await
        .unwrap();
    let url = url::Url::parse(&link.url).unwrap();
    let query = |name: &str| {
        url.query_pairs()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
            .unwrap()
    };
    let appid = app.sim.read_state(|state| {
        state
            .accounts
            .values()
            .filter(|a| a.kind == wechat_sim::accounts::AccountKind::OfficialAccount)
            .map(|a| a.appid.clone())
            .min()
            .expect("a seeded official account")
    });
    // The emulator's control API plays the admin confirming on WeChat's page.
    let answer = app
        .sim_control(
            "/__sim/authorize",
            serde_json::json!({
                "pre_auth_code": query("pre_auth_code"),
                "authorizer_appid": appid,
                "redirect_uri": query("redirect_uri"),
            }),
        )
        .await;
    let callback = answer["redirect"].as_str().unwrap().to_owned();
    app.client.get(callback).send().await.unwrap();
    app.eventually("the authorizer's token is stored", || async {
        app.platform
            .authorizer_tokens()
            .access_token(&appid)
            .await
            .is_ok()
    })
    .await;
    (company.id, appid)
}

/// A key for `companies` (reading and invalidating), or for everything (the
/// component token included) when empty.
pub(crate) async fn new_key(app: &TestApp, companies: &[i64]) -> String {
    let scope = if companies.is_empty() {
        KeyScope::everything()
    } else {
        KeyScope {
            invalidate: true,
            ..KeyScope::companies(companies)
        }
    };
    key_with(app, &scope, None).await
}

pub(crate) async fn key_with(app: &TestApp, scope: &KeyScope, expires_at: Option<i64>) -> String {
    let created = app
        .platform
        .api_keys()
        .create("billing", scope, expires_at)
        .await
        .unwrap();
    created.key.expose().to_owned()
}

pub(crate) async fn get(app: &TestApp, path: &str, key: Option<&str>) -> (u16, Value) {
    let mut request = app.client.get(app.url(path));
    if let Some(key) = key {
        request = request.bearer_auth(key);
    }
    let response = request.send().await.unwrap();
    (response.status().as_u16(), response.json().await.unwrap())
}

pub(crate) async fn post(app: &TestApp, path: &str, key: &str, body: Value) -> (u16, Value) {
    let response = app
        .client
        .post(app.url(path))
        .bearer_auth(key)
        .json(&body)
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.json().await.unwrap())
}

pub(crate) fn token_path(appid: &str) -> String {
    format!("/api/v1/authorizers/{appid}/access_token")
}

#[tokio::test]
async fn a_key_reads_the_stored_token_without_a_refresh_and_the_issuance_is_counted() {
    let app = spawn_app().await;
    let (_, appid) = authorized_account(&app, "甲").await;
    let key = new_key(&app, &[]).await;
    let refreshes = app.sim.calls().list(Some("api_authorizer_token")).len();

    let (status, body) = get(&app, &token_path(&appid), Some(&key)).await;
    assert_eq!(status, 200, "{body}");
    let stored = app
        .platform
        .authorizer_tokens()
        .access_token(&appid)
        .await
        .unwrap();
    assert_eq!(body["authorizer_appid"], appid.as_str());
    assert_eq!(body["access_token"], stored.access_token.expose());
    assert_eq!(body["expires_at"], stored.expires_at);
    let (status, _) = get(&app, &token_path(&appid), Some(&key)).await;
    assert_eq!(status, 200);

    assert_eq!(
        app.sim.calls().list(Some("api_authorizer_token")).len(),
        refreshes,
        "a read never refreshes a valid token"
    );
    let keys = app.platform.api_keys().list().await.unwrap();
    assert_eq!(keys[0].issued_count, 2);
    assert!(keys[0].last_used_at.is_some());
}

#[tokio::test]
async fn a_missing_wrong_or_revoked_key_gets_401_and_an_out_of_scope_appid_looks_unknown() {
    let app = spawn_app().await;
    let (company, appid) = authorized_account(&app, "甲").await;
    let other = app.platform.companies().create("乙").await.unwrap().id;
    let path = token_path(&appid);

    let (status, body) = get(&app, &path, None).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (401, Some("unauthorized"))
    );
    let (status, _) = get(&app, &path, Some("wq_not-a-real-key")).await;
    assert_eq!(status, 401);

    let scoped_elsewhere = new_key(&app, &[other]).await;
    let (status, body) = get(&app, &path, Some(&scoped_elsewhere)).await;
    // Exactly what an unknown appid gets: a scoped key cannot enumerate appids.
    let (unknown_status, unknown_body) = get(
        &app,
        &token_path("wx0000000000000000"),
        Some(&scoped_elsewhere),
    )
    .await;
    assert_eq!((status, body["error"].as_str()), (404, Some("not_found")));
    assert_eq!((status, &body), (unknown_status, &unknown_body));
    assert!(body["message"].is_string());
    let (status, _) = get(
        &app,
        "/api/v1/component/access_token",
        Some(&scoped_elsewhere),
    )
    .await;
    assert_eq!(status, 403, "a scoped key never reads the component token");
    let (status, _) = post(
        &app,
        &format!("{path}/invalidate"),
        &scoped_elsewhere,
        serde_json::json!({"access_token": "x"}),
    )
    .await;
    assert_eq!(status, 404);

    let scoped_here = new_key(&app, &[company]).await;
    let (status, _) = get(&app, &path, Some(&scoped_here)).await;
    assert_eq!(status, 200);
    let id = app
        .platform
        .api_keys()
        .authenticate(&scoped_here)
        .await
        .unwrap()
        .id;
    app.platform.api_keys().revoke(id).await.unwrap();
    let (status, body) = get(&app, &path, Some(&scoped_here)).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (401, Some("unauthorized"))
    );
}

#[tokio::test]
async fn an_unknown_appid_is_404_in_json() {
    let app = spawn_app().await;
    let key = new_key(&app, &[]).await;
    let (status, body) = get(&app, &token_path("wxunknown"), Some(&key)).await;
    assert_eq!((status, body["error"].as_str()), (404, Some("not_found")));
}

#[tokio::test]
async fn two_consumers_invalidating_the_same_failed_token_cause_exactly_one_refresh() {
    let app = spawn_app().await;
    let (_, appid) = authorized_account(&app, "甲").await;
    let key = new_key(&app, &[]).await;
    let (_, before) = get(&app, &token_path(&appid), Some(&key)).await;
    let failed = before["access_token"].as_str().unwrap().to_owned();
    let refreshes = app.sim.calls().list(Some("api_authorizer_token")).len();

    let path = format!("{}/invalidate", token_path(&appid));
    let body = serde_json::json!({ "access_token": failed });
    let (a, b) = tokio::join!(
        post(&app, &path, &key, body.clone()),
        post(&app, &path, &key, body.clone())
    );
    assert_eq!((a.0, b.0), (200, 200), "{a:?} {b:?}");
    assert_eq!(a.1["access_token"], b.1["access_token"]);
    assert_ne!(a.1["access_token"].as_str(), Some(failed.as_str()));
    assert_eq!(
        app.sim.calls().list(Some("api_authorizer_token")).len(),
        refreshes + 1
    );

    // A late report of the same old token gets the current one, no refresh.
    let (status, late) = post(&app, &path, &key, body).await;
    assert_eq!(status, 200);
    assert_eq!(late["access_token"], a.1["access_token"]);
    assert_eq!(
        app.sim.calls().list(Some("api_authorizer_token")).len(),
        refreshes + 1
    );
    let (_, read) = get(&app, &token_path(&appid), Some(&key)).await;
    assert_eq!(read["access_token"], a.1["access_token"]);
}

#[tokio::test]
async fn the_component_token_is_read_and_invalidated_once() {
    let app = spawn_app().await;
    let key = new_key(&app, &[]).await;
    let (status, body) = get(&app, "/api/v1/component/access_token", Some(&key)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["component_appid"], app.component_appid.as_str());
    let current = app.platform.component().component_token().await.unwrap();
    assert_eq!(body["component_access_token"], current.expose());
    assert!(body["expires_at"].as_i64().unwrap() > 0);
    let fetches = app.sim.calls().list(Some("api_component_token")).len();

    let failed = serde_json::json!({ "component_access_token": current.expose() });
    let path = "/api/v1/component/access_token/invalidate";
    let (a, b) = tokio::join!(
        post(&app, path, &key, failed.clone()),
        post(&app, path, &key, failed)
    );
    assert_eq!((a.0, b.0), (200, 200), "{a:?} {b:?}");
    assert_eq!(a.1["component_access_token"], b.1["component_access_token"]);
    assert_ne!(
        a.1["component_access_token"].as_str(),
        Some(current.expose())
    );
    assert_eq!(
        app.sim.calls().list(Some("api_component_token")).len(),
        fetches + 1
    );
}

#[tokio::test]
async fn a_malformed_invalidation_body_is_a_json_400() {
    let app = spawn_app().await;
    let key = new_key(&app, &[]).await;
    let (status, body) = post(
        &app,
        "/api/v1/component/access_token/invalidate",
        &key,
        serde_json::json!({"token": 1}),
    )
    .await;
    assert_eq!((status, body["error"].as_str()), (400, Some("bad_request")));
}

#[tokio::test]
async fn an_out_of_scope_key_cannot_make_another_companys_token_refresh_or_learn_its_state() {
    let app = spawn_app().await;
    let (company, appid) = authorized_account(&app, "丙").await;
    let other = app.platform.companies().create("丁").await.unwrap().id;
    let outsider = new_key(&app, &[other]).await;
    let path = token_path(&appid);
    let refreshes = || app.sim.calls().list(Some("api_authorizer_token")).len();

    // The token has expired: a read would refresh it, but not for this key.
    app.sim
        .clock()
        .advance(std::time::Duration::from_secs(7300));
    let before = refreshes();
    let (status, _) = get(&app, &path, Some(&outsider)).await;
    assert_eq!(status, 404);
    let (status, _) = post(
        &app,
        &format!("{path}/invalidate"),
        &outsider,
        serde_json::json!({"access_token": "x"}),
    )
    .await;
    assert_eq!(status, 404);
    assert_eq!(
        refreshes(),
        before,
        "nothing was refreshed on the outsider's behalf"
    );

    // Revoked: its own company's key learns it (409), the outsider still sees 404.
    app.sim_control(
        &format!("/__sim/authorizations/{appid}/revoke"),
        serde_json::json!({}),
    )
    .await;
    app.eventually("the authorizer to be revoked", || async {
        matches!(
            app.platform.authorizer_tokens().access_token(&appid).await,
            Err(platform::authorizers::AuthorizerTokenError::Revoked)
        )
    })
    .await;
    let insider = new_key(&app, &[company]).await;
    let (status, _) = get(&app, &path, Some(&insider)).await;
    assert_eq!(status, 409);
    let (status, _) = get(&app, &path, Some(&outsider)).await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn the_component_token_needs_its_own_permission_even_for_an_all_companies_key() {
    let app = spawn_app().await;
    let (_, appid) = authorized_account(&app, "权限公司").await;
    let create = |component| {
        let scope = KeyScope {
            all_companies: true,
            component,
            ..KeyScope::default()
        };
        let platform = app.platform.clone();
        async move {
            let created = platform
                .api_keys()
                .create("ops", &scope, None)
                .await
                .unwrap();
            created.key.expose().to_owned()
        }
    };
    let without = create(false).await;
    let with = create(true).await;
    let component = "/api/v1/component/access_token";
    assert_eq!(get(&app, component, Some(&without)).await.0, 403);
    assert_eq!(
        get(&app, &token_path(&appid), Some(&without)).await.0,
        200,
        "every company"
    );
    assert_eq!(get(&app, component, Some(&with)).await.0, 200);
}

#[tokio::test]
async fn a_read_only_key_cannot_invalidate_and_causes_no_refresh() {
    let app = spawn_app().await;
    let (company, appid) = authorized_account(&app, "只读公司").await;
    let reader = key_with(&app, &KeyScope::companies(&[company]), None).await;
    let (status, body) = get(&app, &token_path(&appid), Some(&reader)).await;
    assert_eq!(status, 200);
    let token = body["access_token"].as_str().unwrap().to_owned();
    let refreshes = app.sim.calls().list(Some("api_authorizer_token")).len();
    let invalidate = serde_json::json!({ "access_token": token });
    for path in [
        format!("{}/invalidate", token_path(&appid)),
        format!("{}/invalidate", token_path("wx0000000000000000")),
    ] {
        let (status, body) = post(&app, &path, &reader, invalidate.clone()).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (403, Some("forbidden")),
            "{path}"
        );
    }
    let everything_but_invalidate = KeyScope {
        invalidate: false,
        ..KeyScope::everything()
    };
    let ops = key_with(&app, &everything_but_invalidate, None).await;
    let (status, _) = post(
        &app,
        "/api/v1/component/access_token/invalidate",
        &ops,
        serde_json::json!({ "access_token": "x" }),
    )
    .await;
    assert_eq!(status, 403);
    assert_eq!(
        app.sim.calls().list(Some("api_authorizer_token")).len(),
        refreshes,
        "no refresh on a read-only key's behalf"
    );
}

#[tokio::test]
async fn an_expired_key_gets_401() {
    let app = spawn_app().await;
    let (company, appid) = authorized_account(&app, "到期公司").await;
    let now = app.platform.component().clock().now();
    let key = key_with(&app, &KeyScope::companies(&[company]), Some(now + 60)).await;
    assert_eq!(get(&app, &token_path(&appid), Some(&key)).await.0, 200);
    app.platform.component().clock().advance(60);
    let (status, body) = get(&app, &token_path(&appid), Some(&key)).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (401, Some("unauthorized"))
    );
}

#[tokio::test]
async fn reads_are_recorded_per_key_and_minute() {
    let app = spawn_app().await;
    let (company, appid) = authorized_account(&app, "计数公司").await;
    let key = key_with(&app, &KeyScope::companies(&[company]), None).await;
    let other = key_with(&app, &KeyScope::companies(&[company]), None).await;
    for _ in 0..3 {
        assert_eq!(get(&app, &token_path(&appid), Some(&key)).await.0, 200);
    }
    assert_eq!(get(&app, &token_path(&appid), Some(&other)).await.0, 200);
    let keys = app.platform.api_keys().list().await.unwrap();
    let counts: Vec<(i64, i64)> = {
        let mut counts = Vec::new();
        for listed in &keys {
            let per_minute = app
                .platform
                .api_keys()
                .reads_per_minute(listed.id, 0)
                .await
                .unwrap();
            counts.push((listed.issued_count, per_minute.iter().map(|(_, n)| n).sum()));
        }
        counts
    };
    // Newest first: `other`, then `key`.
    assert_eq!(counts, [(1, 1), (3, 3)]);
}
