//! Merchant onboarding over HTTP against the embedded emulator: invite page →
//! WeChat's authorization page → confirm → our callback → result page.

use platform::onboarding::{AuthType, NewInviteRequest};

use crate::helpers::{TestApp, spawn_app, spawn_app_with};

/// A company with a 7-day invite for official accounts or mini programs.
pub(crate) async fn invite(app: &TestApp, company: &str) -> String {
    let company = app.platform.companies().create(company).await.unwrap();
    let request = NewInviteRequest {
        company_id: company.id,
        auth_type: AuthType::Both,
        biz_appid: None,
        valid_days: 7,
        note: None,
        allows_fast_registration: false,
    };
    app.platform
        .onboarding()
        .create_invite(request)
        .await
        .unwrap()
        .token
}

/// The first seeded official account of the emulator.
pub(crate) fn demo_official_account(app: &TestApp) -> (String, String) {
    app.sim.read_state(|state| {
        let account = state
            .accounts
            .values()
            .find(|a| a.kind == wechat_sim::accounts::AccountKind::OfficialAccount)
            .expect("a seeded official account");
        (account.appid.clone(), account.nick_name.clone())
    })
}

fn attribute_after(html: &str, marker: &str, attribute: &str) -> Option<String> {
    let start = html.find(marker)?;
    let tail = &html[..start];
    let at = tail.rfind(&format!("{attribute}=\""))? + attribute.len() + 2;
    let end = at + html[at..].find('"')?;
    Some(html[at..end].replace("&amp;", "&"))
}

fn hidden(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let at = html.find(&marker).map(|i| i + marker.len()).expect(name);
    html[at..at + html[at..].find('"').unwrap()].replace("&amp;", "&")
}

/// Opens the invite page, follows its button (our `/go` redirect) and returns
/// (the `Referer` a browser then sends WeChat: our origin only, the link to
/// WeChat's page).
pub(crate) async fn authorization_link(app: &TestApp, token: &str) -> (String, String) {
    let page_url = app.url(&format!("/onboard/{token}"));
    let html = app.html(&page_url).await;
    let go = attribute_after(&html, ">前往微信授权<", "href").expect("the authorize button");
    assert!(go.starts_with(&format!("/onboard/{token}/go?")), "{go}");
    let redirect = app.client.get(app.url(&go)).send().await.unwrap();
    assert_eq!(redirect.status(), 303, "the button redirects to WeChat");
    assert_eq!(redirect.headers()["referrer-policy"], "strict-origin");
    let link = redirect.headers()["location"].to_str().unwrap().to_owned();
    (format!("{}/", app.address), link)
}

/// Confirms `appid` on the emulator's page with 消息管理 and 自定义菜单 (official
/// accounts) or 开发管理与数据分析 (mini programs); returns our callback URL.
pub(crate) async fn confirm_on_wechat(
    app: &TestApp,
    link: &str,
    referer: &str,
    appid: &str,
) -> String {
    let page = app
        .client
        .get(link)
        .header("referer", referer)
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("确认授权"), "{html}");
    let mut form: Vec<(String, String)> = [
        "component_appid",
        "pre_auth_code",
        "redirect_uri",
        "auth_type",
        "entry",
    ]
    .iter()
    .filter(|name| html.contains(&format!("name=\"{name}\"")))
    .map(|name| (name.to_string(), hidden(&html, name)))
    .collect();
    form.push(("authorizer_appid".into(), appid.into()));
    form.push(("func".into(), "1".into()));
    form.push(("func".into(), "15".into()));
    // 开发管理与数据分析, for mini programs (the emulator grants only sets of the account's kind).
    form.push(("func".into(), "18".into()));
    let base = link.split("/cgi-bin/").next().unwrap();
    let confirmed = app
        .client
        .post(format!("{base}/cgi-bin/componentloginpage/confirm"))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(confirmed.status(), 302);
    confirmed.headers()["location"].to_str().unwrap().to_owned()
}

pub(crate) async fn location(app: &TestApp, url: &str) -> String {
    let response = app.client.get(url).send().await.unwrap();
    assert!(
        response.status().is_redirection(),
        "status {}",
        response.status()
    );
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    location
        .strip_prefix(&app.address)
        .unwrap_or(&location)
        .to_owned()
}

#[tokio::test]
async fn a_merchant_authorizes_an_account_and_sees_it_on_the_result_page() {
    let app = spawn_app().await;
    let token = invite(&app, "上海甲公司").await;
    let (page_url, link) = authorization_link(&app, &token).await;
    assert!(link.contains("/cgi-bin/componentloginpage?"), "{link}");
    assert!(link.contains("redirect_uri=http"), "{link}");

    let (appid, nick_name) = demo_official_account(&app);
    let callback = confirm_on_wechat(&app, &link, &page_url, &appid).await;
    assert!(
        callback.starts_with(&app.url("/onboard/callback?state=")),
        "{callback}"
    );
    assert!(callback.contains("auth_code="));

    let result_path = location(&app, &callback).await;
    assert_eq!(
        result_path,
        format!("/onboard/{token}/result/{appid}?lang=zh")
    );
    let html = app.html(&result_path).await;
    assert!(html.contains(&nick_name), "nickname on the result page");
    assert!(
        html.contains("消息管理") && html.contains("自定义菜单"),
        "granted permission sets by name"
    );
    assert!(html.contains("公众号"));
}

#[tokio::test]
async fn the_result_page_calls_out_configured_permission_sets_that_were_not_granted() {
    // 用户管理 (2) is required here; the merchant grants only 1 and 15.
    let app = spawn_app_with(&[("WEIQIAO_REQUIRED_OFFICIAL_ACCOUNT_PERMISSIONS", "1,2")]).await;
    let token = invite(&app, "上海丙公司").await;
    let (page_url, link) = authorization_link(&app, &token).await;
    let (appid, _) = demo_official_account(&app);
    let callback = confirm_on_wechat(&app, &link, &page_url, &appid).await;
    let result_path = location(&app, &callback).await;
    let html = app.html(&result_path).await;
    let missing = html
        .split("缺少必需的权限集：")
        .nth(1)
        .expect("the missing-sets notice");
    assert!(missing.contains("用户管理"), "{missing}");
    assert!(
        !missing[..missing.find("</").unwrap_or(missing.len())].contains("消息管理"),
        "a granted set is not called missing"
    );
}

#[tokio::test]
async fn a_reloaded_callback_shows_the_same_result_and_exchanges_the_code_once() {
    let app = spawn_app().await;
    let token = invite(&app, "上海乙公司").await;
    let (page_url, link) = authorization_link(&app, &token).await;
    let (appid, _) = demo_official_account(&app);
    let callback = confirm_on_wechat(&app, &link, &page_url, &appid).await;
    let first = location(&app, &callback).await;
    let second = location(&app, &callback).await;
    assert_eq!(first, second);
    assert_eq!(app.sim.calls().list(Some("api_query_auth")).len(), 1);
    let company = app.platform.companies().list().await.unwrap()[0].id;
    assert_eq!(
        app.platform
            .onboarding()
            .authorizers_of(company)
            .await
            .unwrap()
            .len(),
        1
    );
}

#[tokio::test]
async fn a_tampered_state_lands_on_the_error_page_and_stores_nothing() {
    let app = spawn_app().await;
    let token = invite(&app, "上海丙公司").await;
    let (page_url, link) = authorization_link(&app, &token).await;
    let (appid, _) = demo_official_account(&app);
    let callback = confirm_on_wechat(&app, &link, &page_url, &appid).await;
    let tampered = callback.replacen("state=", "state=9", 1);
    assert_eq!(
        location(&app, &tampered).await,
        "/onboard/error?reason=state_invalid&lang=zh"
    );
    assert!(app.sim.calls().list(Some("api_query_auth")).is_empty());
    let html = app.html("/onboard/error?reason=state_invalid").await;
    assert!(html.contains("授权结果无法验证"));
}

#[tokio::test]
async fn an_account_of_another_company_is_not_moved() {
    let app = spawn_app().await;
    let (appid, _) = demo_official_account(&app);
    let first = invite(&app, "甲").await;
    let (page, link) = authorization_link(&app, &first).await;
    location(&app, &confirm_on_wechat(&app, &link, &page, &appid).await).await;

    let second = invite(&app, "乙").await;
    let (page, link) = authorization_link(&app, &second).await;
    let callback = confirm_on_wechat(&app, &link, &page, &appid).await;
    assert_eq!(
        location(&app, &callback).await,
        "/onboard/error?reason=other_company&lang=zh"
    );
    let companies = app.platform.companies().list().await.unwrap();
    let owner = companies.iter().find(|c| c.name == "甲").unwrap().id;
    let other = companies.iter().find(|c| c.name == "乙").unwrap().id;
    assert_eq!(
        app.platform
            .onboarding()
            .authorizers_of(owner)
            .await
            .unwrap()
            .len(),
        1
    );
    assert!(
        app.platform
            .onboarding()
            .authorizers_of(other)
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn an_expired_or_revoked_invite_says_so() {
    let app = spawn_app().await;
    let token = invite(&app, "丁").await;
    let invite_id = app
        .platform
        .onboarding()
        .open_invite(&token)
        .await
        .unwrap()
        .id;
    app.platform
        .onboarding()
        .revoke_invite(invite_id)
        .await
        .unwrap();
    let html = app.html(&format!("/onboard/{token}")).await;
    assert!(html.contains("邀请链接已被撤销"));

    let token = invite(&app, "戊").await;
    app.platform.component().clock().advance(8 * 86_400);
    let html = app.html(&format!("/onboard/{token}")).await;
    assert!(html.contains("邀请链接已过期"));
}

#[tokio::test]
async fn a_page_view_creates_no_pre_auth_code_and_a_second_click_reuses_the_first() {
    let app = spawn_app().await;
    let token = invite(&app, "点击公司").await;
    let created = |app: &TestApp| app.sim.calls().list(Some("api_create_preauthcode")).len();
    for _ in 0..3 {
        app.html(format!("/onboard/{token}")).await;
    }
    assert_eq!(created(&app), 0, "views cost no pre_auth_code");
    let (_, first) = authorization_link(&app, &token).await;
    let (_, second) = authorization_link(&app, &token).await;
    assert_eq!(created(&app), 1, "the daily quota is spent once");
    assert_eq!(
        crate::pre_auth_codes::pre_auth_code_of(&first),
        crate::pre_auth_codes::pre_auth_code_of(&second)
    );
}

#[tokio::test]
async fn a_merchant_who_left_for_wechat_and_came_back_is_told_the_authorization_is_unfinished() {
    let app = spawn_app().await;
    let token = invite(&app, "回来公司").await;
    let page = app.url(&format!("/onboard/{token}"));
    assert!(!app.html(&page).await.contains("授权没有完成"));
    let (referer, link) = authorization_link(&app, &token).await;
    // Back without authorizing (the /go redirect left its marker cookie).
    assert!(app.html(&page).await.contains("授权没有完成"));
    // Authorizing through the callback clears it.
    let (appid, _) = demo_official_account(&app);
    let callback = confirm_on_wechat(&app, &link, &referer, &appid).await;
    location(&app, &callback).await;
    assert!(!app.html(&page).await.contains("授权没有完成"));
}

#[tokio::test]
async fn the_authorization_page_refuses_a_link_opened_without_our_page_as_referer() {
    let app = spawn_app().await;
    let token = invite(&app, "己").await;
    let (_, link) = authorization_link(&app, &token).await;
    let html = app.html(&link).await;
    assert!(html.contains("请确认授权入口页所在域名"), "{html}");
}

#[tokio::test]
async fn an_invite_naming_one_account_is_complete_once_that_account_is_authorized() {
    let app = spawn_app().await;
    let (appid, nick_name) = demo_official_account(&app);
    let company = app.platform.companies().create("戊").await.unwrap();
    let token = app
        .platform
        .onboarding()
        .create_invite(NewInviteRequest {
            company_id: company.id,
            auth_type: AuthType::OfficialAccount,
            biz_appid: Some(appid.clone()),
            valid_days: 7,
            note: None,
            allows_fast_registration: false,
        })
        .await
        .unwrap()
        .token;
    let (page_url, link) = authorization_link(&app, &token).await;
    let callback = confirm_on_wechat(&app, &link, &page_url, &appid).await;
    let result = app.html(location(&app, &callback).await).await;
    assert!(result.contains(&nick_name));
    assert!(
        result.contains("这个邀请已完成"),
        "no more accounts to authorize"
    );
    assert!(!result.contains("再授权一个帐号"));

    let page = app.html(format!("/onboard/{token}")).await;
    assert!(
        page.contains("授权已完成") && page.contains(&nick_name),
        "{page}"
    );
    assert!(!page.contains("前往微信授权"), "no button to WeChat");
    let admin = app.html(format!("/companies/{}", company.id)).await;
    assert!(admin.contains("已完成"), "the admin sees it complete");
}
