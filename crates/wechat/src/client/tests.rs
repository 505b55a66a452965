//! The client against a local HTTP stub (axum on 127.0.0.1:0): request shape
//! (method, path, query, JSON field names) and answer decoding per endpoint,
//! including error answers and transport failures.

use super::*;
use axum::Router;
use axum::extract::State;
use axum::http::{Method, StatusCode, Uri, header};
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};

#[derive(Debug, Clone)]
struct Seen {
    method: Method,
    path: String,
    query: Vec<(String, String)>,
    body: Value,
}

#[derive(Clone)]
struct StubState {
    answer: String,
    status: StatusCode,
    delay: Duration,
    seen: Arc<Mutex<Vec<Seen>>>,
}

pub(super) struct Stub {
    pub(super) client: ComponentClient,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl Stub {
    fn only_request(&self) -> Seen {
        let seen = self.seen.lock().unwrap();
        assert_eq!(seen.len(), 1, "expected exactly one request");
        seen[0].clone()
    }
}

async fn handler(
    State(state): State<StubState>,
    method: Method,
    uri: Uri,
    body: String,
) -> impl axum::response::IntoResponse {
    let query = serde_urlencoded::from_str(uri.query().unwrap_or("")).unwrap();
    let body = serde_json::from_str(&body).unwrap_or(Value::Null);
    state.seen.lock().unwrap().push(Seen {
        method,
        path: uri.path().to_owned(),
        query,
        body,
    });
    if !state.delay.is_zero() {
        // The behaviour under test is the client's timeout, not synchronisation.
        tokio::time::sleep(state.delay).await;
    }
    (
        state.status,
        [(header::CONTENT_TYPE, "application/json; encoding=utf-8")],
        state.answer,
    )
}

pub(super) async fn stub_with(answer: Value, status: StatusCode, delay: Duration) -> Stub {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let state = StubState {
        answer: answer.to_string(),
        status,
        delay,
        seen: seen.clone(),
    };
    let app = Router::new().fallback(handler).with_state(state);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let config = ClientConfig {
        api_base: format!("http://{addr}"),
        request_timeout: Duration::from_millis(500),
        ..ClientConfig::default()
    };
    let client = ComponentClient::new(config, "wxcomp", Secret::new("app-secret")).unwrap();
    Stub { client, seen }
}

pub(super) async fn stub(answer: Value) -> Stub {
    stub_with(answer, StatusCode::OK, Duration::ZERO).await
}

pub(super) fn token() -> Secret {
    Secret::new("COMPONENT_TOKEN")
}

fn assert_shape(seen: &Seen, endpoint: &str, with_token: bool, body: Value) {
    assert_eq!(seen.method, Method::POST);
    assert_eq!(seen.path, format!("/cgi-bin/component/{endpoint}"));
    let expected_query: Vec<(String, String)> = if with_token {
        vec![("component_access_token".into(), "COMPONENT_TOKEN".into())]
    } else {
        vec![]
    };
    assert_eq!(seen.query, expected_query);
    assert_eq!(seen.body, body);
}

#[tokio::test]
async fn api_component_token_posts_appid_secret_and_ticket_without_a_token() {
    let s = stub(json!({"component_access_token":"61W3mEpU","expires_in":7200})).await;
    let resp = s
        .client
        .api_component_token(&Secret::new("ticket@@@t"))
        .await
        .unwrap();
    assert_eq!(resp.component_access_token.expose(), "61W3mEpU");
    assert_eq!(resp.expires_in, 7200);
    assert_shape(
        &s.only_request(),
        "api_component_token",
        false,
        json!({"component_appid":"wxcomp","component_appsecret":"app-secret","component_verify_ticket":"ticket@@@t"}),
    );
}

#[tokio::test]
async fn api_start_push_ticket_posts_component_secret() {
    let s = stub(json!({"errcode":0,"errmsg":"ok"})).await;
    assert!(s.client.api_start_push_ticket().await.unwrap().is_ok());
    assert_shape(
        &s.only_request(),
        "api_start_push_ticket",
        false,
        json!({"component_appid":"wxcomp","component_secret":"app-secret"}),
    );
}

#[tokio::test]
async fn api_create_preauthcode_passes_the_token_as_a_query_parameter() {
    let s = stub(json!({"pre_auth_code":"preauthcode@@@x","expires_in":1800})).await;
    let resp = s.client.api_create_preauthcode(&token()).await.unwrap();
    assert_eq!(resp.pre_auth_code.expose(), "preauthcode@@@x");
    assert_shape(
        &s.only_request(),
        "api_create_preauthcode",
        true,
        json!({"component_appid":"wxcomp"}),
    );
}

#[tokio::test]
async fn api_query_auth_sends_the_code_and_decodes_func_info() {
    let s = stub(json!({"authorization_info":{"authorizer_appid":"wxa","authorizer_access_token":"43_x","expires_in":7200,
        "authorizer_refresh_token":"refreshtoken@@@r","func_info":[{"funcscope_category":{"id":1}},{"funcscope_category":{"id":15}}]}})).await;
    let resp = s
        .client
        .api_query_auth(&token(), &Secret::new("queryauthcode@@@q"))
        .await
        .unwrap();
    let info = resp.authorization_info;
    assert_eq!(info.authorizer_appid, "wxa");
    assert_eq!(
        crate::permissions::permission_ids(&info.func_info),
        vec![1, 15]
    );
    assert_shape(
        &s.only_request(),
        "api_query_auth",
        true,
        json!({"component_appid":"wxcomp","authorization_code":"queryauthcode@@@q"}),
    );
}

#[tokio::test]
async fn api_authorizer_token_sends_the_refresh_token() {
    let s = stub(json!({"authorizer_access_token":"43_new","expires_in":7200,"authorizer_refresh_token":"refreshtoken@@@r"})).await;
    let resp = s
        .client
        .api_authorizer_token(&token(), "wxa", &Secret::new("refreshtoken@@@r"))
        .await
        .unwrap();
    assert_eq!(resp.authorizer_access_token.expose(), "43_new");
    assert_shape(
        &s.only_request(),
        "api_authorizer_token",
        true,
        json!({"component_appid":"wxcomp","authorizer_appid":"wxa","authorizer_refresh_token":"refreshtoken@@@r"}),
    );
}

#[tokio::test]
async fn api_get_authorizer_info_decodes_the_profile() {
    let s = stub(json!({"authorizer_info":{"nick_name":"n","user_name":"gh_1","service_type_info":{"id":2},"verify_type_info":{"id":0}},
        "authorization_info":{"authorizer_appid":"wxa","func_info":[]}})).await;
    let resp = s
        .client
        .api_get_authorizer_info(&token(), "wxa")
        .await
        .unwrap();
    assert_eq!(resp.authorizer_info.user_name, "gh_1");
    assert_shape(
        &s.only_request(),
        "api_get_authorizer_info",
        true,
        json!({"component_appid":"wxcomp","authorizer_appid":"wxa"}),
    );
}

#[tokio::test]
async fn api_get_authorizer_list_sends_offset_and_count_as_numbers() {
    let s = stub(json!({"total_count":1,"list":[{"authorizer_appid":"wxa","refresh_token":"r","auth_time":1558000607}]})).await;
    let resp = s
        .client
        .api_get_authorizer_list(&token(), 0, 500)
        .await
        .unwrap();
    assert_eq!(resp.total_count, 1);
    assert_shape(
        &s.only_request(),
        "api_get_authorizer_list",
        true,
        json!({"component_appid":"wxcomp","offset":0,"count":500}),
    );
}

#[tokio::test]
async fn api_get_authorizer_option_sends_the_option_name() {
    let s =
        stub(json!({"authorizer_appid":"wxa","option_name":"voice_recognize","option_value":"1"}))
            .await;
    let resp = s
        .client
        .api_get_authorizer_option(&token(), "wxa", "voice_recognize")
        .await
        .unwrap();
    assert_eq!(resp.option_value, "1");
    assert_shape(
        &s.only_request(),
        "api_get_authorizer_option",
        true,
        json!({"component_appid":"wxcomp","authorizer_appid":"wxa","option_name":"voice_recognize"}),
    );
}

#[tokio::test]
async fn api_set_authorizer_option_sends_the_value_as_a_string() {
    let s = stub(json!({"errcode":0,"errmsg":"ok"})).await;
    s.client
        .api_set_authorizer_option(&token(), "wxa", "location_report", "2")
        .await
        .unwrap();
    assert_shape(
        &s.only_request(),
        "api_set_authorizer_option",
        true,
        json!({"component_appid":"wxcomp","authorizer_appid":"wxa","option_name":"location_report","option_value":"2"}),
    );
}

#[tokio::test]
async fn fastregisterweapp_create_posts_the_entity_with_action_and_token_in_the_query() {
    let s = stub(json!({"errcode":0,"errmsg":"OK"})).await;
    let request = crate::fast_register::CreateRequest {
        name: "深圳测试科技有限公司".into(),
        code: "91440300MA5EXAMPLE".into(),
        code_type: 1,
        legal_persona_wechat: "zhangsan_wx".into(),
        legal_persona_name: "张三".into(),
        component_phone: String::new(),
    };
    s.client
        .fastregisterweapp_create(&token(), &request)
        .await
        .unwrap();
    let seen = s.only_request();
    assert_eq!(seen.method, Method::POST);
    assert_eq!(seen.path, "/cgi-bin/component/fastregisterweapp");
    assert_eq!(
        seen.query,
        vec![
            ("action".to_owned(), "create".to_owned()),
            (
                "component_access_token".to_owned(),
                "COMPONENT_TOKEN".to_owned()
            ),
        ]
    );
    assert_eq!(
        seen.body,
        json!({"name":"深圳测试科技有限公司","code":"91440300MA5EXAMPLE","code_type":1,
               "legal_persona_wechat":"zhangsan_wx","legal_persona_name":"张三"})
    );
}

#[tokio::test]
async fn fastregisterweapp_create_refusals_keep_their_errcode() {
    let s = stub(json!({"errcode":89249,"errmsg":"task running"})).await;
    let request = crate::fast_register::CreateRequest {
        name: "n".into(),
        code: "c".into(),
        code_type: 1,
        legal_persona_wechat: "w".into(),
        legal_persona_name: "p".into(),
        component_phone: "1".into(),
    };
    let err = s
        .client
        .fastregisterweapp_create(&token(), &request)
        .await
        .unwrap_err();
    assert_eq!(err.errcode(), Some(89249));
    assert_eq!(s.only_request().body["component_phone"], "1");
}

#[tokio::test]
async fn fastregisterweapp_search_reads_task_states_as_answers() {
    use crate::fast_register::{SearchAnswer, SearchRequest};
    let request = SearchRequest {
        name: "n".into(),
        legal_persona_wechat: "w".into(),
        legal_persona_name: "p".into(),
    };
    for (errcode, answer) in [
        (0, SearchAnswer::Found),
        (89250, SearchAnswer::NoTask),
        (89251, SearchAnswer::AwaitingLegalPerson),
        (89252, SearchAnswer::Checking),
    ] {
        let s = stub(json!({"errcode":errcode,"errmsg":"x"})).await;
        let got = s
            .client
            .fastregisterweapp_search(&token(), &request)
            .await
            .unwrap();
        assert_eq!(got, answer, "{errcode}");
        let seen = s.only_request();
        assert_eq!(seen.query[0], ("action".to_owned(), "search".to_owned()));
        assert_eq!(
            seen.body,
            json!({"name":"n","legal_persona_wechat":"w","legal_persona_name":"p"})
        );
    }
    let s = stub(json!({"errcode":-1,"errmsg":"system error"})).await;
    let err = s
        .client
        .fastregisterweapp_search(&token(), &request)
        .await
        .unwrap_err();
    assert_eq!(err.errcode(), Some(-1));
}
