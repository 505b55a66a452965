//! The `authorized` / `updateauthorized` pushes when no callback brings the
//! code: the push exchanges it (after `WEIQIAO_EVENT_GRACE_SECS`, 0 here),
//! updates permissions and tokens, and revives a revoked authorizer under
//! its company.

use crate::helpers::{TestApp, spawn_app_with};
use crate::onboarding::{
    authorization_link, confirm_on_wechat, demo_official_account, invite, location,
};

/// An app that lets pushes exchange codes at once, with one official account
/// authorized through an invite; returns (invite token, appid, company id).
async fn authorized_official_account() -> (TestApp, String, String, i64) {
    let app = spawn_app_with(&[("WEIQIAO_EVENT_GRACE_SECS", "0")]).await;
    let token = invite(&app, "推送测试公司").await;
    let (appid, _) = demo_official_account(&app);
    let (page, link) = authorization_link(&app, &token).await;
    let callback = confirm_on_wechat(&app, &link, &page, &appid).await;
    assert!(location(&app, &callback).await.contains("/result/"));
    let company = app.platform.companies().list().await.unwrap()[0].id;
    (app, token, appid, company)
}

async fn authorizer(app: &TestApp, company: i64) -> platform::onboarding::Authorizer {
    let mut all = app
        .platform
        .onboarding()
        .authorizers_of(company)
        .await
        .unwrap();
    assert_eq!(all.len(), 1, "one record per account: {all:?}");
    all.remove(0)
}

#[tokio::test]
async fn an_updateauthorized_push_updates_the_permissions_and_tokens() {
    let (app, _, appid, company) = authorized_official_account().await;
    let before = authorizer(&app, company).await;
    assert!(!before.permissions.contains(&2), "{:?}", before.permissions);
    let token_before = app
        .platform
        .authorizer_tokens()
        .access_token(&appid)
        .await
        .unwrap();

    // The merchant adds 用户管理 (2) in WeChat; WeChat pushes updateauthorized.
    app.sim_control(
        &format!("/__sim/authorizations/{appid}/permissions"),
        serde_json::json!({ "func_ids": [1, 2, 15] }),
    )
    .await;
    app.eventually("the new permission set to be stored", || async {
        authorizer(&app, company).await.permissions.contains(&2)
    })
    .await;
    let token_after = app
        .platform
        .authorizer_tokens()
        .access_token(&appid)
        .await
        .unwrap();
    assert_ne!(
        token_after.access_token.expose(),
        token_before.access_token.expose(),
        "the tokens of the new authorization are stored"
    );
    assert_eq!(
        authorizer(&app, company).await.status,
        platform::authorizers::AuthorizerStatus::Active
    );
}

#[tokio::test]
async fn a_revoked_account_authorized_again_without_a_callback_is_revived_under_its_company() {
    let (app, token, appid, company) = authorized_official_account().await;
    app.sim_control(
        &format!("/__sim/authorizations/{appid}/revoke"),
        serde_json::json!({}),
    )
    .await;
    app.eventually("the authorizer to be revoked", || async {
        authorizer(&app, company).await.status == platform::authorizers::AuthorizerStatus::Revoked
    })
    .await;

    let first_authorized_at = authorizer(&app, company).await.authorized_at;
    app.sim.clock().advance(std::time::Duration::from_secs(120));

    // The merchant authorizes again, but the redirect never reaches us: only
    // the `authorized` push does.
    let (_, link) = authorization_link(&app, &token).await;
    let pre_auth_code = url::Url::parse(&link)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == "pre_auth_code")
        .unwrap()
        .1
        .into_owned();
    app.sim_control(
        "/__sim/authorize",
        serde_json::json!({ "pre_auth_code": pre_auth_code, "authorizer_appid": appid }),
    )
    .await;
    app.eventually("the same record to be active again", || async {
        authorizer(&app, company).await.status == platform::authorizers::AuthorizerStatus::Active
    })
    .await;
    assert!(
        authorizer(&app, company).await.authorized_at >= first_authorized_at + 120,
        "revival is a new authorization"
    );
    assert!(
        app.platform
            .authorizer_tokens()
            .access_token(&appid)
            .await
            .is_ok(),
        "tokens from the push's exchange"
    );
}

/// An `unauthorized` push for `appid` with WeChat's `CreateTime` of `create_time`.
fn unauthorized_push(
    app: &TestApp,
    appid: &str,
    create_time: i64,
) -> wechat::crypto::EncryptedPush {
    app.push_for(&format!(
        "<xml><AppId><![CDATA[{}]]></AppId><CreateTime>{create_time}</CreateTime>\
         <InfoType><![CDATA[unauthorized]]></InfoType>\
         <AuthorizerAppid><![CDATA[{appid}]]></AuthorizerAppid></xml>",
        app.component_appid
    ))
}

#[tokio::test]
async fn an_unauthorized_push_older_than_the_latest_authorization_is_recorded_but_not_applied() {
    let (app, _token, appid, company) = authorized_official_account().await;
    let authorized_at = authorizer(&app, company).await.authorized_at;
    let store = store::Store::connect(&app.database_url).await.unwrap();
    let all_processed = || async {
        store
            .push_events()
            .due(i64::MAX, 100)
            .await
            .unwrap()
            .is_empty()
    };

    // Delivered late: it was sent before the merchant authorized (again).
    let (status, body) = app
        .send_push(&unauthorized_push(&app, &appid, authorized_at - 60))
        .await;
    assert_eq!((status, body.as_str()), (200, "success"));
    app.eventually("the push to be processed", all_processed)
        .await;
    assert_eq!(
        authorizer(&app, company).await.status,
        platform::authorizers::AuthorizerStatus::Active
    );

    // A revocation after the authorization is applied.
    let (status, _) = app
        .send_push(&unauthorized_push(&app, &appid, authorized_at + 60))
        .await;
    assert_eq!(status, 200);
    app.eventually("the authorizer to be revoked", || async {
        authorizer(&app, company).await.status == platform::authorizers::AuthorizerStatus::Revoked
    })
    .await;
}
