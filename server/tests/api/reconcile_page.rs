//! Reconcile from the dashboard over HTTP, in production mode: an
//! authorization WeChat lists but no invite brought in becomes an unassigned
//! account, kept with its refresh token, and "attach to company" makes it an
//! account of that company. Both readings of what WeChat's list carries for
//! such an account are tested: with its refresh token (someone exchanged its
//! code) and without one (nobody did; the merchant must authorize again).

use serde_json::json;

use crate::account_page::{call, form};
use crate::helpers::TestApp;
use crate::production::spawn_production_app;

/// A new emulator account, authorized at WeChat without our link and without a push.
async fn unseen_authorization(app: &TestApp, exchanged: bool) -> (String, String) {
    let nick_name = format!("对账发现的公众号{}", u8::from(exchanged));
    let created = app
        .sim_control(
            "/__sim/accounts",
            json!({"kind": "official_account", "nick_name": nick_name}),
        )
        .await;
    let appid = created["appid"].as_str().unwrap().to_owned();
    app.sim_control(
        "/__sim/authorizations",
        json!({"authorizer_appid": appid, "exchanged": exchanged}),
    )
    .await;
    (appid, nick_name)
}

async fn reconcile(app: &TestApp) -> String {
    let (status, location) = form(app, "/api/admin/accounts/reconcile", &[]).await;
    assert_eq!(status, 302, "{location}");
    location
}

#[tokio::test]
async fn an_authorization_no_invite_brought_in_is_found_kept_and_attached_to_a_company() {
    let app = spawn_production_app().await;
    let (appid, nick_name) = unseen_authorization(&app, true).await;
    let company = app.platform.companies().create("归属公司").await.unwrap();
    assert!(!app.html("/unassigned").await.contains(&appid));

    let location = reconcile(&app).await;
    assert_eq!(
        location,
        "/unassigned?recovered=0&unknown=1&revoked=0&revived=0"
    );
    let page = app.html(&location).await;
    assert!(
        page.contains("对账完成") && page.contains(&format!("data-appid=\"{appid}\"")),
        "{page}"
    );
    let overview = app.html("/").await;
    assert!(
        overview.contains("1 个帐号已在微信授权，但还没有归属公司"),
        "{overview}"
    );
    // Kept sealed, never in clear.
    let listed = app
        .sim
        .read_state(|s| s.authorizations[&appid].refresh_token.clone());
    app.assert_not_stored_in_clear(&[&listed]).await;
    // A second run finds it again, once.
    reconcile(&app).await;
    assert_eq!(app.platform.unassigned_accounts().await.unwrap().len(), 1);

    // An unknown company is refused; the account keeps waiting.
    let (status, body) = call(
        &app,
        "/api/admin/accounts/attach",
        &[("appid", &appid), ("company", "没有这家公司")],
    )
    .await;
    assert!(
        status >= 400 && body.to_string().contains("没有名为"),
        "{status} {body}"
    );
    assert!(app.html("/unassigned").await.contains(&appid));

    let (status, location) = form(
        &app,
        "/api/admin/accounts/attach",
        &[("appid", &appid), ("company", "归属公司")],
    )
    .await;
    assert_eq!(
        (status, location.as_str()),
        (302, format!("/accounts/{appid}?attached=1").as_str())
    );
    let account = app.platform.account(&appid).await.unwrap().unwrap();
    assert_eq!(account.authorizer.company_id, company.id);
    assert_eq!(
        account.authorizer.nick_name,
        Some(nick_name),
        "profile fetched"
    );
    assert_eq!(
        account.authorizer.status,
        platform::authorizers::AuthorizerStatus::Active
    );
    let token = app
        .platform
        .authorizer_tokens()
        .access_token(&appid)
        .await
        .unwrap();
    let check = app
        .sim_control(
            "/__sim/tokens/check",
            json!({"access_token": token.access_token.expose()}),
        )
        .await;
    assert_eq!(check["valid"], true, "{check}");
    assert!(
        !app.html("/unassigned")
            .await
            .contains(&format!("data-appid=\"{appid}\""))
    );
    let html = app.html(format!("/accounts/{appid}")).await;
    assert!(html.contains("把对账发现的帐号归入公司"), "{html}");
    assert!(
        app.html(format!("/companies/{}", company.id))
            .await
            .contains(&appid)
    );
    // Attached once: a second attach is refused.
    let (status, body) = call(
        &app,
        "/api/admin/accounts/attach",
        &[("appid", &appid), ("company", "归属公司")],
    )
    .await;
    assert!(
        status >= 400 && body.to_string().contains("不在待归属列表"),
        "{status} {body}"
    );
    assert!(
        app.html("/audit?object=reconcile")
            .await
            .contains("与微信授权列表对账")
    );
}

#[tokio::test]
async fn an_unseen_authorization_listed_without_a_refresh_token_is_attached_and_asks_for_reauthorization()
 {
    let app = spawn_production_app().await;
    let (appid, _) = unseen_authorization(&app, false).await;
    app.platform.companies().create("归属公司").await.unwrap();
    reconcile(&app).await;
    form(
        &app,
        "/api/admin/accounts/attach",
        &[("appid", &appid), ("company", "归属公司")],
    )
    .await;
    let account = app.platform.account(&appid).await.unwrap().unwrap();
    assert_eq!(
        account.authorizer.status,
        platform::authorizers::AuthorizerStatus::NeedsReauthorization
    );
    let html = app.html(format!("/accounts/{appid}")).await;
    assert!(html.contains("发送重新授权邀请"), "{html}");
}

#[tokio::test]
async fn an_unassigned_account_withdrawn_at_wechat_leaves_the_list_at_the_next_reconcile() {
    let app = spawn_production_app().await;
    let (appid, _) = unseen_authorization(&app, true).await;
    reconcile(&app).await;
    assert_eq!(app.platform.unassigned_accounts().await.unwrap().len(), 1);
    app.sim_control(&format!("/__sim/authorizations/{appid}/revoke"), json!({}))
        .await;
    reconcile(&app).await;
    assert!(app.platform.unassigned_accounts().await.unwrap().is_empty());
}

#[tokio::test]
async fn a_reconcile_that_cannot_read_the_list_says_so_and_changes_nothing() {
    let app = spawn_production_app().await;
    unseen_authorization(&app, true).await;
    app.sim.faults().set(
        "api_get_authorizer_list",
        wechat_sim::faults::Fault {
            errcode: Some(-1),
            ..wechat_sim::faults::Fault::default()
        },
    );
    let (status, body) = call(&app, "/api/admin/accounts/reconcile", &[]).await;
    assert!(status >= 400, "{status} {body}");
    assert!(
        body.to_string().contains("暂时无法读取微信的授权列表"),
        "{body}"
    );
    assert!(app.platform.unassigned_accounts().await.unwrap().is_empty());
}
