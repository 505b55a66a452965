//! The client's failure paths against the local stub: errcode answers,
//! timeouts, HTTP errors, refused connections and undecodable bodies, and
//! that none of them leaks a token or secret.

use super::tests::{stub, stub_with, token};
use super::*;
use crate::error::ErrorClass;
use crate::links::AuthType;
use axum::http::StatusCode;
use serde_json::json;

#[tokio::test]
async fn an_errcode_answer_becomes_a_classified_api_error() {
    let s = stub(json!({"errcode":61023,"errmsg":"refresh_token is invalid rid: 5f6e-1"})).await;
    let err = s
        .client
        .api_authorizer_token(&token(), "wxa", &Secret::new("stale"))
        .await
        .unwrap_err();
    assert_eq!(err.errcode(), Some(61023));
    assert_eq!(err.class(), ErrorClass::RefreshTokenInvalid);
}

#[tokio::test]
async fn a_61004_answer_names_the_ip_to_whitelist() {
    let s = stub(json!({"errcode":61004,"errmsg":"access clientip is not registered requestIP: 27.18.103.5 rid: 62a9a3ac"})).await;
    let err = s
        .client
        .api_component_token(&Secret::new("t"))
        .await
        .unwrap_err();
    assert_eq!(
        err.class(),
        ErrorClass::IpNotWhitelisted {
            ip: Some("27.18.103.5".parse().unwrap())
        }
    );
}

#[tokio::test]
async fn errors_never_contain_the_token_or_secrets() {
    let s = stub_with(json!({}), StatusCode::OK, Duration::from_secs(3)).await;
    let err = s
        .client
        .api_query_auth(&token(), &Secret::new("queryauthcode@@@SECRETCODE"))
        .await
        .unwrap_err();
    assert!(matches!(err, WechatError::Timeout { .. }));
    let text = format!("{err} {err:?}");
    assert!(
        !text.contains("COMPONENT_TOKEN") && !text.contains("SECRETCODE"),
        "{text}"
    );
    assert_eq!(err.class(), ErrorClass::Retryable);
}

#[tokio::test]
async fn a_server_error_status_is_retryable() {
    let s = stub_with(json!({}), StatusCode::BAD_GATEWAY, Duration::ZERO).await;
    let err = s.client.api_create_preauthcode(&token()).await.unwrap_err();
    assert!(matches!(err, WechatError::Http { status: 502, .. }));
    assert_eq!(err.class(), ErrorClass::Retryable);
}

#[tokio::test]
async fn a_refused_connection_is_retryable_and_hides_the_url() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let config = ClientConfig {
        api_base: format!("http://{addr}"),
        ..ClientConfig::default()
    };
    let client = ComponentClient::new(config, "wxcomp", Secret::new("app-secret")).unwrap();
    let err = client.api_create_preauthcode(&token()).await.unwrap_err();
    assert_eq!(err.class(), ErrorClass::Retryable);
    let text = format!("{err} {err:?}");
    assert!(!text.contains("COMPONENT_TOKEN"), "{text}");
}

#[tokio::test]
async fn a_body_of_the_wrong_shape_is_a_decode_error_without_values() {
    let s = stub(json!({"component_access_token": 12345, "expires_in": "SECRET-ish"})).await;
    let err = s
        .client
        .api_component_token(&Secret::new("t"))
        .await
        .unwrap_err();
    assert!(matches!(err, WechatError::Decode { .. }));
    assert!(!err.to_string().contains("SECRET-ish"));
}

#[test]
fn the_client_builds_links_on_its_configured_hosts() {
    let config = ClientConfig {
        mp_base: "http://127.0.0.1:4000".into(),
        ..ClientConfig::default()
    };
    let client = ComponentClient::new(config, "wxcomp", Secret::new("s")).unwrap();
    let code = Secret::new("preauthcode@@@p");
    assert!(
        client
            .pc_auth_url(&code, "https://a.example/cb", AuthType::Both, None)
            .starts_with(
                "http://127.0.0.1:4000/cgi-bin/componentloginpage?component_appid=wxcomp&"
            )
    );
    assert!(
        client
            .mobile_auth_url(
                &code,
                "https://a.example/cb",
                AuthType::MiniProgram,
                Some("wxb")
            )
            .starts_with("https://open.weixin.qq.com/wxaopen/safe/bindcomponent?")
    );
}

#[test]
fn an_invalid_base_url_is_a_configuration_error() {
    let config = ClientConfig {
        api_base: "not a url".into(),
        ..ClientConfig::default()
    };
    assert!(matches!(
        ComponentClient::new(config, "wx", Secret::new("s")),
        Err(WechatError::Config(_))
    ));
}

#[test]
fn debug_output_of_the_client_hides_the_app_secret() {
    let client = ComponentClient::new(
        ClientConfig::default(),
        "wx",
        Secret::new("app-secret-value"),
    )
    .unwrap();
    assert!(!format!("{client:?}").contains("app-secret-value"));
}
