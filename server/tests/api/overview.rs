//! The overview and the accounts list over HTTP, in production mode: counts by
//! status, and the banners an operator must act on (accounts to re-authorize,
//! with a link to them; 61004 with the IP WeChat saw).

use wechat_sim::faults::Fault;

use crate::authorizer_tokens::authorize_accounts;
use crate::helpers::{ADMIN_LOGIN, ADMIN_PASSWORD};
use crate::production::spawn_production_app;

#[tokio::test]
async fn a_healthy_platform_shows_its_counts_and_no_banner() {
    let app = spawn_production_app().await;
    authorize_accounts(&app, 2).await;
    let html = app.html("/").await;
    assert!(html.contains("概览") && html.contains("一切正常"), "{html}");
    assert!(html.contains("data-count=\"active\">2<"));
    assert!(html.contains("data-count=\"needs_reauthorization\">0<"));
    assert!(!html.contains("alert-banner"));
    let accounts = app.html("/accounts?status=active").await;
    assert_eq!(accounts.matches("data-appid=").count(), 2);
    assert!(accounts.contains("刷新测试公司"));
}

#[tokio::test]
async fn an_account_needing_reauthorization_is_a_banner_linking_to_it() {
    let app = spawn_production_app().await;
    let appids = authorize_accounts(&app, 2).await;
    // WeChat refuses its refresh token, and lists that same token: dead for good.
    app.sim.faults().set(
        "api_authorizer_token",
        Fault {
            errcode: Some(61023),
            ..Fault::default()
        },
    );
    let refreshed = app
        .platform
        .authorizer_tokens()
        .refresh_one(&appids[0])
        .await;
    assert!(refreshed.is_err(), "{refreshed:?}");
    app.sim.faults().clear_all();
    let html = app.html("/").await;
    assert!(html.contains("1 个帐号需要商户重新授权"), "{html}");
    assert!(html.contains("/accounts?status=needs_reauthorization"));
    let listed = app.html("/accounts?status=needs_reauthorization").await;
    assert!(listed.contains(&format!("data-appid=\"{}\"", appids[0])));
    assert!(!listed.contains(&format!("data-appid=\"{}\"", appids[1])));
    assert!(
        app.html("/accounts?status=nonsense")
            .await
            .contains("找不到请求的内容")
    );
}

#[tokio::test]
async fn a_61004_on_the_component_token_is_a_banner_with_the_ip_wechat_saw() {
    let app = spawn_production_app().await;
    app.sim.faults().set(
        "api_component_token",
        Fault {
            errcode: Some(61004),
            errmsg: Some("access clientip is not registered requestIP: 203.0.113.9 rid: x".into()),
            ..Fault::default()
        },
    );
    // The token expires: the refresher asks WeChat, which refuses our IP.
    app.platform.component().clock().advance(7200);
    let _ = app
        .platform
        .component()
        .refresh_component_token_if_due()
        .await;
    // Two hours on, the admin signs in again (sessions idle out after 30 minutes).
    let signed_in = app.sign_in(&app.client, ADMIN_LOGIN, ADMIN_PASSWORD).await;
    assert_eq!(signed_in.status(), 303);
    let html = app.html("/").await;
    assert!(html.contains("微信拒绝了本服务器的 IP（61004）"), "{html}");
    assert!(html.contains("203.0.113.9"), "{html}");
}

#[tokio::test]
async fn an_account_page_shows_token_health_and_refreshes_now_from_a_plain_form() {
    let app = spawn_production_app().await;
    let appid = authorize_accounts(&app, 1).await.remove(0);
    let page = app.html(format!("/accounts/{appid}")).await;
    assert!(
        page.contains("令牌状态") && page.contains("刷新测试公司"),
        "{page}"
    );
    assert!(page.contains("data-health=\"failures\">0<"));
    if page.contains("<img class=\"avatar\"") {
        assert!(
            page.contains("referrerpolicy=\"no-referrer\""),
            "WeChat's image host"
        );
    }
    let before = app
        .platform
        .authorizer_tokens()
        .access_token(&appid)
        .await
        .unwrap();
    let response = app
        .client
        .post(app.url("/api/admin/accounts/refresh"))
        .header("accept", "text/html")
        .form(&[("appid", appid.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.headers()["location"].to_str().unwrap(),
        format!("/accounts/{appid}?refresh=done")
    );
    let after = app
        .platform
        .authorizer_tokens()
        .access_token(&appid)
        .await
        .unwrap();
    assert_ne!(after.access_token.expose(), before.access_token.expose());
    let shown = app.html(format!("/accounts/{appid}?refresh=done")).await;
    assert!(shown.contains("已刷新"));
    let audit = app.html(format!("/audit?object=authorizer:{appid}")).await;
    assert!(audit.contains("立即刷新帐号令牌"));
    assert!(
        app.html("/accounts/wxunknown0000000")
            .await
            .contains("找不到请求的内容")
    );
}

#[tokio::test]
async fn accounts_failing_to_refresh_have_a_list_of_their_own_linked_from_the_overview() {
    let app = spawn_production_app().await;
    let appids = authorize_accounts(&app, 2).await;
    app.sim.faults().set(
        "api_authorizer_token",
        Fault {
            errcode: Some(-1),
            times: Some(1),
            ..Fault::default()
        },
    );
    let refreshed = app
        .platform
        .authorizer_tokens()
        .refresh_one(&appids[1])
        .await;
    assert!(matches!(
        refreshed,
        Ok(platform::authorizers::Refreshed::Failed(_))
    ));
    let overview = app.html("/").await;
    assert!(
        overview.contains("data-count=\"failing_refreshes\">1<"),
        "{overview}"
    );
    assert!(overview.contains("href=\"/accounts?status=failing\""));
    let failing = app.html("/accounts?status=failing").await;
    assert!(
        failing.contains(&format!("data-appid=\"{}\"", appids[1])),
        "{failing}"
    );
    assert!(!failing.contains(&format!("data-appid=\"{}\"", appids[0])));
    assert!(failing.contains("连续 1 次刷新失败"), "{failing}");
}
