//! Wire shapes against the documented and live examples.

use super::*;
use crate::Secret;
use serde_json::json;

#[test]
fn component_token_request_uses_wechats_field_names() {
    let req = ComponentTokenRequest {
        component_appid: "wxc".into(),
        component_appsecret: Secret::new("s"),
        component_verify_ticket: Secret::new("ticket@@@t"),
    };
    assert_eq!(
        serde_json::to_value(&req).unwrap(),
        json!({"component_appid":"wxc","component_appsecret":"s","component_verify_ticket":"ticket@@@t"})
    );
}

#[test]
fn start_push_ticket_sends_component_secret_not_appsecret() {
    let req = StartPushTicketRequest {
        component_appid: "wxc".into(),
        component_secret: "s".into(),
    };
    assert_eq!(
        serde_json::to_value(&req).unwrap(),
        json!({"component_appid":"wxc","component_secret":"s"})
    );
}

#[test]
fn the_documented_query_auth_answer_decodes() {
    let body = r#"{"authorization_info": {
       "authorizer_appid": "wxf8b4f85f3a794e77",
       "authorizer_access_token": "QXjUqNqfYVH0yBE1iI_7vuN_9gQbpjfK7hYwJ3P7xOa88a89-Aga5x1NMYJyB8G2yKt1KCl0nPC3W9GJzw0Zzq_dBxc8pxIGUNi_bFes0qM",
       "expires_in": 7200,
       "authorizer_refresh_token": "dTo-YCXPL4llX-u1W1pPpnp8Hgm4wpJtlR6iV0doKdY",
       "func_info": [{"funcscope_category": {"id": 1}}, {"funcscope_category": {"id": 2}},
                     {"funcscope_category": {"id": 18, "name": "x"}, "confirm_info": {"need_confirm":0,"already_confirm":0,"can_confirm":0}}]}}"#;
    let resp: QueryAuthResponse = serde_json::from_str(body).unwrap();
    let info = resp.authorization_info;
    assert_eq!(info.authorizer_appid, "wxf8b4f85f3a794e77");
    assert_eq!(info.expires_in, Some(7200));
    assert_eq!(
        info.authorizer_refresh_token.unwrap().expose(),
        "dTo-YCXPL4llX-u1W1pPpnp8Hgm4wpJtlR6iV0doKdY"
    );
    assert_eq!(info.func_info.len(), 3);
    assert_eq!(info.func_info[2].funcscope_category.id, 18);
    assert!(info.func_info[2].confirm_info.is_some());
}

#[test]
fn debug_output_of_responses_hides_tokens() {
    let resp = AuthorizerTokenResponse {
        authorizer_access_token: "43_LzORzy".into(),
        expires_in: 7200,
        authorizer_refresh_token: Some("refreshtoken@@@abc".into()),
    };
    let debug = format!("{resp:?}");
    assert!(!debug.contains("43_LzORzy") && !debug.contains("refreshtoken@@@abc"));
}

#[test]
fn an_official_account_info_answer_decodes() {
    let body = json!({"authorizer_info":{"nick_name":"微信SDK Demo Special","head_img":"http://x","service_type_info":{"id":2},
        "verify_type_info":{"id":0},"user_name":"gh_eb5e3a772040","principal_name":"腾讯计算机系统有限公司",
        "business_info":{"open_store":0,"open_scan":0,"open_pay":0,"open_card":0,"open_shake":0},
        "alias":"paytest01","qrcode_url":"URL","account_status":1,"idc":1},
        "authorization_info":{"authorizer_appid":"wxf8b4f85f3a794e77","func_info":[{"funcscope_category":{"id":1}}]}});
    let resp: AuthorizerInfoResponse = serde_json::from_value(body).unwrap();
    assert_eq!(resp.authorizer_info.service_type_info.unwrap().id, 2);
    assert_eq!(resp.authorizer_info.user_name, "gh_eb5e3a772040");
    assert!(resp.authorizer_info.mini_program_info.is_none());
    assert_eq!(
        resp.authorization_info.unwrap().func_info[0]
            .funcscope_category
            .id,
        1
    );
}

#[test]
fn a_mini_program_info_answer_decodes_with_miniprograminfo() {
    let body = json!({"authorizer_info":{"nick_name":"mp","service_type_info":{"id":0},"verify_type_info":{"id":-1},
        "user_name":"gh_c43395cb652e","alias":"","principal_name":"个人","signature":"desc",
        "MiniProgramInfo":{"network":{"RequestDomain":["https://a"],"BizDomain":[]},"categories":[{"first":"工具","second":"效率"}],"visit_status":0},
        "register_type":0,"basic_config":{"is_phone_configured":true,"is_email_configured":true}},
        "authorization_info":{"authorizer_appid":"wxmp","authorizer_refresh_token":"refreshtoken@@@RU0S","func_info":[]}});
    let resp: AuthorizerInfoResponse = serde_json::from_value(body).unwrap();
    let mp = resp.authorizer_info.mini_program_info.clone().unwrap();
    assert_eq!(mp.categories[0].first, "工具");
    assert!(mp.network.contains_key("RequestDomain"));
    let again = serde_json::to_value(&resp).unwrap();
    assert!(again["authorizer_info"]["MiniProgramInfo"].is_object());
}

#[test]
fn the_old_authorization_appid_spelling_is_accepted() {
    let info: AuthorizationInfo =
        serde_json::from_value(json!({"authorization_appid":"wxa"})).unwrap();
    assert_eq!(info.authorizer_appid, "wxa");
    assert!(info.func_info.is_empty());
}

#[test]
fn list_entries_without_refresh_token_decode() {
    let body = json!({"total_count":2,"list":[{"authorizer_appid":"wx1","refresh_token":"r","auth_time":1558000607},{"authorizer_appid":"wx2","auth_time":1}]});
    let resp: AuthorizerListResponse = serde_json::from_value(body).unwrap();
    assert_eq!(resp.total_count, 2);
    assert_eq!(resp.list[0].refresh_token.as_ref().unwrap().expose(), "r");
    assert!(resp.list[1].refresh_token.is_none());
}

#[test]
fn option_values_are_accepted_as_strings_or_numbers() {
    let a: AuthorizerOptionResponse = serde_json::from_value(
        json!({"authorizer_appid":"wx","option_name":"voice_recognize","option_value":"1"}),
    )
    .unwrap();
    let b: AuthorizerOptionResponse = serde_json::from_value(
        json!({"authorizer_appid":"wx","option_name":"voice_recognize","option_value":1}),
    )
    .unwrap();
    assert_eq!(a, b);
    assert_eq!(serde_json::to_value(&a).unwrap()["option_value"], "1");
}

#[test]
fn optional_fields_are_omitted_rather_than_null() {
    let info = AuthorizationInfo {
        authorizer_appid: "wx".into(),
        ..AuthorizationInfo::default()
    };
    assert_eq!(
        serde_json::to_value(&info).unwrap(),
        json!({"authorizer_appid":"wx","func_info":[]})
    );
}

#[test]
fn error_bodies_default_to_success_when_fields_are_absent() {
    let body: ErrorBody =
        serde_json::from_str(r#"{"pre_auth_code":"x","expires_in":1800}"#).unwrap();
    assert!(body.is_ok());
    let err: ErrorBody =
        serde_json::from_str(r#"{"errcode":61023,"errmsg":"refresh_token is invalid rid: 1"}"#)
            .unwrap();
    assert_eq!(err.errcode, 61023);
    assert_eq!(
        serde_json::to_value(ErrorBody::ok()).unwrap(),
        json!({"errcode":0,"errmsg":"ok"})
    );
}
