//! One account's page over HTTP, in production mode: its timeline (the
//! authorization, runs of refreshes, a revocation pushed by WeChat, admin
//! actions) and the operator's actions: refetch info, move to another company
//! (confirmed), and a re-authorization invite for an account that needs one.

use serde_json::json;
use wechat_sim::faults::Fault;

use crate::authorizer_tokens::authorize_accounts;
use crate::helpers::TestApp;
use crate::production::spawn_production_app;

/// A form post as a browser without JavaScript sends it: (status, Location).
pub(crate) async fn form(app: &TestApp, path: &str, fields: &[(&str, &str)]) -> (u16, String) {
    let response = app
        .client
        .post(app.url(path))
        .header("accept", "text/html")
        .header("referer", app.url("/"))
        .form(fields)
        .send()
        .await
        .unwrap();
    let location = response
        .headers()
        .get("location")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (response.status().as_u16(), location)
}

/// The same post as code sends it: (status, JSON answer).
pub(crate) async fn call(
    app: &TestApp,
    path: &str,
    fields: &[(&str, &str)],
) -> (u16, serde_json::Value) {
    let response = app
        .client
        .post(app.url(path))
        .form(fields)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or_default())
}

/// The company the account belongs to now.
async fn company_of(app: &TestApp, appid: &str) -> i64 {
    app.platform
        .account(appid)
        .await
        .unwrap()
        .expect("the account")
        .authorizer
        .company_id
}

/// The part of the account page from its timeline on.
async fn timeline(app: &TestApp, appid: &str) -> String {
    let html = app.html(format!("/accounts/{appid}")).await;
    let at = html.find("account-timeline-title").expect("a timeline");
    html[at..].to_owned()
}

#[tokio::test]
async fn the_timeline_shows_the_authorization_refreshes_the_revocation_and_admin_actions() {
    let app = spawn_production_app().await;
    let appid = authorize_accounts(&app, 1).await.remove(0);
    let t = timeline(&app, &appid).await;
    assert!(t.contains("首次授权"), "{t}");

    for _ in 0..2 {
        let (status, location) =
            form(&app, "/api/admin/accounts/refresh", &[("appid", &appid)]).await;
        assert_eq!(
            (status, location.as_str()),
            (302, format!("/accounts/{appid}?refresh=done").as_str())
        );
    }
    let t = timeline(&app, &appid).await;
    assert!(t.contains("令牌刷新 2 次"), "{t}");
    assert_eq!(t.matches("立即刷新帐号令牌").count(), 2, "{t}");

    // The merchant withdraws the authorization at WeChat, which pushes it to us.
    app.sim_control(&format!("/__sim/authorizations/{appid}/revoke"), json!({}))
        .await;
    app.eventually("the revocation shows on the account", || async {
        timeline(&app, &appid).await.contains("商户取消了授权")
    })
    .await;
    let html = app.html(format!("/accounts/{appid}")).await;
    assert!(html.contains("已取消授权"), "{html}");
    // Newest first: the revocation above the refreshes, above the authorization.
    let t = timeline(&app, &appid).await;
    let (revoked, refreshed, authorized) = (
        t.find("商户取消了授权").unwrap(),
        t.find("令牌刷新 2 次").unwrap(),
        t.find("首次授权").unwrap(),
    );
    assert!(revoked < refreshed && refreshed < authorized, "{t}");
}

#[tokio::test]
async fn failures_in_a_row_are_one_entry_with_their_count_and_latest_error() {
    let app = spawn_production_app().await;
    let appid = authorize_accounts(&app, 1).await.remove(0);
    app.sim.faults().set(
        "api_authorizer_token",
        Fault {
            errcode: Some(-1),
            ..Fault::default()
        },
    );
    for _ in 0..3 {
        form(&app, "/api/admin/accounts/refresh", &[("appid", &appid)]).await;
    }
    let t = timeline(&app, &appid).await;
    assert_eq!(t.matches("刷新失败").count(), 1, "{t}");
    assert!(
        t.contains("刷新失败（连续 3 次）") && t.contains("-1"),
        "{t}"
    );
}

#[tokio::test]
async fn refetching_info_asks_wechat_again_and_says_when_it_could_not() {
    let app = spawn_production_app().await;
    let appid = authorize_accounts(&app, 1).await.remove(0);
    let info_calls = || app.sim.calls().list(Some("api_get_authorizer_info")).len();
    let before = info_calls();
    let (status, location) = form(
        &app,
        "/api/admin/accounts/refetch-info",
        &[("appid", &appid)],
    )
    .await;
    assert_eq!(
        (status, location),
        (302, format!("/accounts/{appid}?info=done"))
    );
    assert_eq!(info_calls(), before + 1);
    app.sim.faults().set(
        "api_get_authorizer_info",
        Fault {
            errcode: Some(-1),
            ..Fault::default()
        },
    );
    let (_, location) = form(
        &app,
        "/api/admin/accounts/refetch-info",
        &[("appid", &appid)],
    )
    .await;
    assert_eq!(location, format!("/accounts/{appid}?info=failed"));
    assert!(app.html(&location).await.contains("没能从微信获取帐号资料"));
    assert!(timeline(&app, &appid).await.contains("重新获取帐号资料"));
    let (status, body) = call(
        &app,
        "/api/admin/accounts/refetch-info",
        &[("appid", "wx0000000000000000")],
    )
    .await;
    assert!(status >= 400 && body == "NotFound", "{status} {body}");
}

#[tokio::test]
async fn moving_an_account_needs_a_confirmation_and_an_open_company_and_is_audited() {
    let app = spawn_production_app().await;
    let appid = authorize_accounts(&app, 1).await.remove(0);
    let owner = company_of(&app, &appid).await;
    let target = app.platform.companies().create("接收公司").await.unwrap();
    let archived = app.platform.companies().create("已归档公司").await.unwrap();
    app.platform.companies().archive(archived.id).await.unwrap();
    let path = "/api/admin/accounts/move";

    let refused = [
        (
            vec![("appid", appid.as_str()), ("company", "接收公司")],
            "请勾选确认",
        ),
        (
            vec![
                ("appid", appid.as_str()),
                ("company", "没有这家"),
                ("confirm", "yes"),
            ],
            "没有名为「没有这家」的公司",
        ),
        (
            vec![
                ("appid", appid.as_str()),
                ("company", "已归档公司"),
                ("confirm", "yes"),
            ],
            "已归档",
        ),
        (
            vec![
                ("appid", appid.as_str()),
                ("company", "刷新测试公司"),
                ("confirm", "yes"),
            ],
            "已经属于这家公司",
        ),
    ];
    for (fields, message) in refused {
        let (status, body) = call(&app, path, &fields).await;
        assert!(status >= 400, "{fields:?}: {status}");
        assert!(body.to_string().contains(message), "{fields:?}: {body}");
        assert_eq!(company_of(&app, &appid).await, owner);
    }

    let (status, location) = form(
        &app,
        path,
        &[
            ("appid", &appid),
            ("company", " 接收公司 "),
            ("confirm", "yes"),
        ],
    )
    .await;
    assert_eq!(
        (status, location),
        (302, format!("/accounts/{appid}?moved=1"))
    );
    assert_eq!(company_of(&app, &appid).await, target.id);
    assert!(
        app.html(format!("/companies/{}", target.id))
            .await
            .contains(&appid)
    );
    assert!(
        !app.html(format!("/companies/{owner}"))
            .await
            .contains(&appid)
    );
    let t = timeline(&app, &appid).await;
    assert!(t.contains("把帐号移到另一家公司"), "{t}");
    assert!(
        t.contains(&format!("company:{owner} → company:{}", target.id)),
        "{t}"
    );
    // Its token still works, now under the new company.
    let token = app
        .platform
        .authorizer_tokens()
        .access_token(&appid)
        .await
        .unwrap();
    assert_eq!(token.company_id, target.id);
}

#[tokio::test]
async fn an_account_needing_reauthorization_gets_an_invite_naming_it_and_comes_back_through_it() {
    let app = spawn_production_app().await;
    let appid = authorize_accounts(&app, 1).await.remove(0);
    let company_id = company_of(&app, &appid).await;
    // A working account needs no re-authorization invite.
    let (status, body) = call(
        &app,
        "/api/admin/accounts/reauthorization-invite",
        &[("appid", &appid)],
    )
    .await;
    assert!(
        status >= 400 && body.to_string().contains("不需要重新授权"),
        "{status} {body}"
    );
    assert!(
        !app.html(format!("/accounts/{appid}"))
            .await
            .contains("发送重新授权邀请")
    );

    // WeChat refuses its refresh token and lists that same token: dead.
    app.sim.faults().set(
        "api_authorizer_token",
        Fault {
            errcode: Some(61023),
            times: Some(1),
            ..Fault::default()
        },
    );
    form(&app, "/api/admin/accounts/refresh", &[("appid", &appid)]).await;
    let html = app.html(format!("/accounts/{appid}")).await;
    assert!(
        html.contains("需要重新授权") && html.contains("发送重新授权邀请"),
        "{html}"
    );
    assert!(
        timeline(&app, &appid)
            .await
            .contains("refresh_token 已失效")
    );

    let (status, location) = form(
        &app,
        "/api/admin/accounts/reauthorization-invite",
        &[("appid", &appid)],
    )
    .await;
    assert_eq!(
        (status, location.as_str()),
        (
            302,
            format!("/companies/{company_id}?reinvited={appid}").as_str()
        )
    );
    let invite = app
        .platform
        .onboarding()
        .invites_of(company_id)
        .await
        .unwrap()
        .remove(0);
    assert_eq!(invite.biz_appid.as_deref(), Some(appid.as_str()));
    assert_eq!(invite.status, platform::onboarding::InviteStatus::Active);
    let page = app.html(&location).await;
    assert!(
        page.contains("已为帐号") && page.contains(&invite.url) && page.contains("重新授权"),
        "{page}"
    );

    // The merchant authorizes again through it: active, and in the timeline.
    let (link_page, link) = crate::onboarding::authorization_link(&app, &invite.token).await;
    let callback = crate::onboarding::confirm_on_wechat(&app, &link, &link_page, &appid).await;
    assert!(
        crate::onboarding::location(&app, &callback)
            .await
            .contains("/result/")
    );
    let t = timeline(&app, &appid).await;
    assert!(
        t.contains("商户重新授权，恢复正常") && t.contains("发送重新授权邀请"),
        "{t}"
    );
    assert!(
        app.platform
            .authorizer_tokens()
            .access_token(&appid)
            .await
            .is_ok()
    );
}
