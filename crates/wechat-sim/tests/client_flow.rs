//! The `wechat` client driven against the emulator on port 0: ticket → component
//! token → pre_auth_code → authorization page (HTTP form post) → auth_code →
//! query_auth → refresh → revoke, and each injected fault.

use std::time::Duration;

use serde_json::{Value, json};
use wechat::Secret;
use wechat::client::{ClientConfig, ComponentClient};
use wechat::error::WechatError;
use wechat::links::AuthType;
use wechat_sim::config::EventPushTiming;
use wechat_sim::{SimConfig, Simulator};

const APPID: &str = "wx0123456789abcdef";
const SECRET: &str = "component-secret";
const OA: &str = "wx5d3e1a2b3c4d5e6f";

struct Harness {
    sim: Simulator,
    base: String,
    client: ComponentClient,
    http: reqwest::Client,
}

async fn spawn(request_timeout: Duration) -> Harness {
    let mut config = SimConfig::new(
        APPID,
        SECRET,
        "token",
        "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG",
    );
    config.behaviour.event_push_timing = EventPushTiming::BeforeRedirect;
    let sim = Simulator::new(config).expect("test harness setup");
    sim.seed_demo_accounts();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("test harness setup");
    let base = format!(
        "http://{}",
        listener.local_addr().expect("test harness setup")
    );
    tokio::spawn(sim.clone().serve(listener));
    let client_config = ClientConfig {
        api_base: base.clone(),
        mp_base: base.clone(),
        open_base: base.clone(),
        request_timeout,
        ..ClientConfig::default()
    };
    let client = ComponentClient::new(client_config, APPID, Secret::new(SECRET))
        .expect("test harness setup");
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("test harness setup");
    Harness {
        sim,
        base,
        client,
        http,
    }
}

impl Harness {
    async fn control(&self, method: reqwest::Method, path: &str, body: Value) -> Value {
        let url = format!("{}/__sim{path}", self.base);
        self.http
            .request(method, url)
            .json(&body)
            .send()
            .await
            .expect("test harness setup")
            .json()
            .await
            .expect("test harness setup")
    }

    async fn component_token(&self) -> Secret {
        let pushed = self
            .control(reqwest::Method::POST, "/ticket/push", json!({}))
            .await;
        let ticket = Secret::new(pushed["ticket"].as_str().expect("test harness setup"));
        self.client
            .api_component_token(&ticket)
            .await
            .expect("test harness setup")
            .component_access_token
    }
}

fn errcode(result: Result<impl std::fmt::Debug, WechatError>) -> i64 {
    match result {
        Err(WechatError::Api { errcode, .. }) => errcode,
        other => panic!("expected an API error, got {other:?}"),
    }
}

#[tokio::test]
async fn the_client_completes_the_whole_flow_through_the_html_page_and_revocation() {
    let h = spawn(Duration::from_secs(5)).await;
    let token = h.component_token().await;
    let pre = h
        .client
        .api_create_preauthcode(&token)
        .await
        .unwrap()
        .pre_auth_code;

    // The admin opens the link from a page on the redirect_uri's host.
    let redirect_uri = format!("{}/platform/callback?invite=7", h.base);
    let link = h
        .client
        .pc_auth_url(&pre, &redirect_uri, AuthType::Both, None);
    let page = h
        .http
        .get(&link)
        .header("referer", format!("{}/platform/start", h.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("确认授权"), "{page}");

    let form = [
        ("component_appid", APPID),
        ("pre_auth_code", pre.expose()),
        ("redirect_uri", &redirect_uri),
        ("authorizer_appid", OA),
        ("func", "1"),
        ("func", "15"),
    ];
    let confirm = h
        .http
        .post(format!("{}/cgi-bin/componentloginpage/confirm", h.base))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(confirm.status(), 302);
    let location = url::Url::parse(confirm.headers()["location"].to_str().unwrap()).unwrap();
    let code = location
        .query_pairs()
        .find(|(k, _)| k == "auth_code")
        .unwrap()
        .1
        .into_owned();

    let auth = h
        .client
        .api_query_auth(&token, &Secret::new(code.clone()))
        .await
        .unwrap()
        .authorization_info;
    assert_eq!(auth.authorizer_appid, OA);
    assert_eq!(
        auth.func_info
            .iter()
            .map(|f| f.funcscope_category.id)
            .collect::<Vec<_>>(),
        vec![1, 15]
    );
    assert_eq!(
        errcode(h.client.api_query_auth(&token, &Secret::new(code)).await),
        61009
    );

    let refresh = auth.authorizer_refresh_token.unwrap();
    let refreshed = h
        .client
        .api_authorizer_token(&token, OA, &refresh)
        .await
        .unwrap();
    assert_ne!(
        Some(&refreshed.authorizer_access_token),
        auth.authorizer_access_token.as_ref()
    );
    let calls = h
        .control(
            reqwest::Method::GET,
            "/calls?endpoint=api_authorizer_token",
            json!({}),
        )
        .await;
    assert_eq!(calls.as_array().unwrap().len(), 1, "refreshed exactly once");

    let info = h.client.api_get_authorizer_info(&token, OA).await.unwrap();
    assert_eq!(info.authorizer_info.nick_name, "江南茶舍");

    h.control(
        reqwest::Method::POST,
        &format!("/authorizations/{OA}/revoke"),
        json!({}),
    )
    .await;
    assert_eq!(
        errcode(h.client.api_authorizer_token(&token, OA, &refresh).await),
        61003
    );
    assert_eq!(
        errcode(h.client.api_get_authorizer_info(&token, OA).await),
        61003
    );
}

#[tokio::test]
async fn expiry_paths_follow_the_advanced_clock() {
    let h = spawn(Duration::from_secs(5)).await;
    let token = h.component_token().await;
    let pre = h
        .client
        .api_create_preauthcode(&token)
        .await
        .unwrap()
        .pre_auth_code;
    let auth = h
        .control(
            reqwest::Method::POST,
            "/authorize",
            json!({"pre_auth_code": pre.expose(), "authorizer_appid": OA}),
        )
        .await;
    h.sim.clock().advance(Duration::from_secs(3600));
    let code = Secret::new(auth["auth_code"].as_str().unwrap());
    assert_eq!(errcode(h.client.api_query_auth(&token, &code).await), 61010);
    h.sim.clock().advance(Duration::from_secs(3600));
    assert_eq!(
        errcode(h.client.api_create_preauthcode(&token).await),
        42001
    );
}

#[tokio::test]
async fn each_injected_fault_reaches_the_client_as_its_error_class() {
    let h = spawn(Duration::from_millis(300)).await;
    let token = h.component_token().await;
    let put = |body: Value| h.control(reqwest::Method::PUT, "/faults/api_create_preauthcode", body);

    put(json!({"errcode": 45009})).await;
    assert_eq!(
        errcode(h.client.api_create_preauthcode(&token).await),
        45009
    );

    put(json!({"http_status": 502})).await;
    assert!(matches!(
        h.client.api_create_preauthcode(&token).await,
        Err(WechatError::Http { .. })
    ));

    put(json!({"hang": true})).await;
    assert!(matches!(
        h.client.api_create_preauthcode(&token).await,
        Err(WechatError::Timeout { .. })
    ));

    put(json!({"latency_ms": 50})).await;
    assert!(h.client.api_create_preauthcode(&token).await.is_ok());

    put(json!({"errcode": -1, "probability": 0.0})).await;
    assert!(h.client.api_create_preauthcode(&token).await.is_ok());

    h.control(reqwest::Method::DELETE, "/faults", json!({}))
        .await;
    let calls = h
        .control(
            reqwest::Method::GET,
            "/calls?endpoint=api_create_preauthcode",
            json!({}),
        )
        .await;
    let faults: Vec<Value> = calls
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["fault"].clone())
        .collect();
    assert_eq!(
        faults[..3],
        [
            json!("errcode 45009"),
            json!("http 502 Bad Gateway"),
            json!("hang")
        ][..]
    );
}
