//! The authorization pages over HTTP: the domain rule, filtering, confirm and cancel.

use axum::body::Body;
use axum::http::Request;
use serde_json::json;

use crate::testutil::*;

const CALLBACK: &str = "http://platform.test/wechat/callback?invite=42";

async fn link(sim: &crate::Simulator, extra: &str) -> String {
    let token = component_token(sim).await;
    let pre = pre_auth_code(sim, &token).await;
    let redirect: String = url::form_urlencoded::byte_serialize(CALLBACK.as_bytes()).collect();
    let pre: String = url::form_urlencoded::byte_serialize(pre.as_bytes()).collect();
    format!(
        "/cgi-bin/componentloginpage?component_appid={APPID}&pre_auth_code={pre}&redirect_uri={redirect}{extra}"
    )
}

async fn open(sim: &crate::Simulator, uri: &str, referer: Option<&str>) -> String {
    let mut request = Request::get(uri);
    if let Some(referer) = referer {
        request = request.header("referer", referer);
    }
    send(sim, request.body(Body::empty()).unwrap()).await.2
}

fn hidden(page: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = page.find(&marker).unwrap() + marker.len();
    let end = page[start..].find('"').unwrap();
    page[start..start + end].replace("&amp;", "&")
}

#[tokio::test]
async fn a_link_opened_without_a_referer_is_refused_with_wechats_wording() {
    let sim = sim();
    let page = open(&sim, &link(&sim, "").await, None).await;
    assert!(page.contains("请确认授权入口页所在域名，与授权后回调页所在域名相同"));
    assert!(page.contains("授权入口页所在域名：空"));
}

#[tokio::test]
async fn a_link_from_another_domain_is_refused_naming_that_domain() {
    let sim = sim();
    let page = open(&sim, &link(&sim, "").await, Some("http://evil.test/page")).await;
    assert!(page.contains("授权入口页所在域名：evil.test"));
}

#[tokio::test]
async fn a_link_from_the_redirect_domain_shows_the_accounts_and_permission_sets() {
    let sim = sim();
    let page = open(
        &sim,
        &link(&sim, "").await,
        Some("http://platform.test/start"),
    )
    .await;
    assert!(page.contains("微信模拟器 · WeChat emulator"));
    assert!(page.contains("<label for=\"account-wx5d3e1a2b3c4d5e6f\">江南茶舍</label>"));
    assert!(page.contains("鲜果到家"));
    assert!(page.contains("<label for=\"func-1\">消息管理</label>"));
    assert!(page.contains(">确认授权</button>") && page.contains(">取消</button>"));
}

#[tokio::test]
async fn auth_type_and_biz_appid_filter_the_accounts() {
    let sim = sim();
    let mini_only = open(
        &sim,
        &link(&sim, "&auth_type=2").await,
        Some("http://platform.test/"),
    )
    .await;
    assert!(mini_only.contains("鲜果到家") && !mini_only.contains("江南茶舍<"));
    let one = open(
        &sim,
        &link(&sim, "&auth_type=1&biz_appid=wx9b725e6f708192a3").await,
        Some("http://platform.test/"),
    )
    .await;
    assert!(one.contains("鲜果到家") && !one.contains("老城区书店"));
}

#[tokio::test]
async fn confirming_redirects_with_the_code_keeping_the_query_and_pushes_authorized() {
    let sim = sim();
    let page = open(
        &sim,
        &link(&sim, "").await,
        Some("http://platform.test/start"),
    )
    .await;
    let form = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("component_appid", APPID)
        .append_pair("pre_auth_code", &hidden(&page, "pre_auth_code"))
        .append_pair("redirect_uri", CALLBACK)
        .append_pair("authorizer_appid", "wx5d3e1a2b3c4d5e6f")
        .append_pair("func", "1")
        .append_pair("func", "15")
        .append_pair("func", "18") // a mini-program set: not granted to an official account
        .finish();
    let request = Request::post("/cgi-bin/componentloginpage/confirm")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from(form))
        .unwrap();
    let (status, headers, _) = send(&sim, request).await;
    assert_eq!(status, 302);
    let location = url::Url::parse(headers["location"].to_str().unwrap()).unwrap();
    let pairs: Vec<(String, String)> = location.query_pairs().into_owned().collect();
    assert_eq!(pairs[0], ("invite".to_owned(), "42".to_owned()));
    assert_eq!(pairs[1].0, "auth_code");
    assert!(pairs[1].1.starts_with("queryauthcode@@@"));
    assert_eq!(pairs[2], ("expires_in".to_owned(), "3600".to_owned()));

    let pushes = sim.pushes().list();
    let last = pushes.last().unwrap();
    assert_eq!(last.info_type, "authorized");
    assert!(last.xml.contains(&pairs[1].1));
    let auths = get(&sim, "/__sim/authorizations").await;
    assert_eq!(auths[0]["func_ids"], json!([1, 15]));
}

#[tokio::test]
async fn a_used_pre_auth_code_cannot_open_the_page_again() {
    let sim = sim();
    let uri = link(&sim, "").await;
    let page = open(&sim, &uri, Some("http://platform.test/")).await;
    let pre = hidden(&page, "pre_auth_code");
    post(
        &sim,
        "/__sim/authorize",
        json!({"pre_auth_code": pre, "authorizer_appid": "wx5d3e1a2b3c4d5e6f"}),
    )
    .await;
    let again = open(&sim, &uri, Some("http://platform.test/")).await;
    assert!(again.contains("pre_auth_code 已被使用"));
}

#[tokio::test]
async fn confirming_without_an_account_shows_the_form_again_with_an_error() {
    let sim = sim();
    let page = open(&sim, &link(&sim, "").await, Some("http://platform.test/")).await;
    let form = format!(
        "component_appid={APPID}&pre_auth_code={}&redirect_uri={}&func=1",
        url::form_urlencoded::byte_serialize(hidden(&page, "pre_auth_code").as_bytes())
            .collect::<String>(),
        url::form_urlencoded::byte_serialize(CALLBACK.as_bytes()).collect::<String>(),
    );
    let request = Request::post("/cgi-bin/componentloginpage/confirm")
        .body(Body::from(form))
        .unwrap();
    let (status, _, body) = send(&sim, request).await;
    assert_eq!(status, 200);
    assert!(body.contains("请选择要授权的帐号"));
}

#[tokio::test]
async fn a_tester_can_create_a_new_account_on_the_page() {
    let sim = sim();
    let page = open(&sim, &link(&sim, "").await, Some("http://platform.test/")).await;
    let form = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("component_appid", APPID)
        .append_pair("pre_auth_code", &hidden(&page, "pre_auth_code"))
        .append_pair("redirect_uri", CALLBACK)
        .append_pair("authorizer_appid", "__new__")
        .append_pair("new_nick_name", "<b>新店</b>")
        .append_pair("new_kind", "mini_program")
        .append_pair("func", "18")
        .finish();
    let (status, _, _) = send(
        &sim,
        Request::post("/cgi-bin/componentloginpage/confirm")
            .body(Body::from(form))
            .unwrap(),
    )
    .await;
    assert_eq!(status, 302);
    let accounts = get(&sim, "/__sim/accounts").await;
    assert!(
        accounts
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["nick_name"] == "<b>新店</b>" && a["kind"] == "mini_program")
    );
    // Shown escaped on the next page.
    let page = open(&sim, &link(&sim, "").await, Some("http://platform.test/")).await;
    assert!(page.contains("&lt;b&gt;新店&lt;/b&gt;") && !page.contains("<b>新店"));
}

#[tokio::test]
async fn cancel_shows_a_cancelled_page_linking_back_to_http_entries_only() {
    let sim = sim();
    let cancel = |entry: &str| {
        let form = format!(
            "entry={}",
            url::form_urlencoded::byte_serialize(entry.as_bytes()).collect::<String>()
        );
        Request::post("/cgi-bin/componentloginpage/cancel")
            .body(Body::from(form))
            .unwrap()
    };
    let page = send(&sim, cancel("http://platform.test/start")).await.2;
    assert!(page.contains("已取消授权") && page.contains("href=\"http://platform.test/start\""));
    let page = send(&sim, cancel("javascript:alert(1)")).await.2;
    assert!(!page.contains("javascript:"));
    // An origin alone names no page: the way back is the browser's history.
    let page = send(&sim, cancel("http://platform.test/")).await.2;
    assert!(page.contains("history.go(-2)") && !page.contains("href=\"http://platform.test/\""));
}
