//! One handler per component API endpoint: parse the body, apply the state's rule,
//! shape the answer with WeChat's field names.

use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::post;
use serde_json::{Value, json};
use wechat::Secret;
use wechat::wire;

use super::{Incoming, parse, to_json};
use crate::Simulator;
use crate::accounts::{Account, AccountKind};
use crate::state::Authorization;

pub(super) fn routes() -> Router<Simulator> {
    let route = |path: &'static str| format!("/cgi-bin/component/{path}");
    Router::new()
        .route(&route("api_component_token"), post(component_token))
        .route(&route("api_start_push_ticket"), post(start_push_ticket))
        .route(&route("api_create_preauthcode"), post(create_preauthcode))
        .route(&route("api_query_auth"), post(query_auth))
        .route(&route("api_authorizer_token"), post(authorizer_token))
        .route(&route("api_get_authorizer_info"), post(authorizer_info))
        .route(&route("api_get_authorizer_list"), post(authorizer_list))
        .route(&route("api_get_authorizer_option"), post(get_option))
        .route(&route("api_set_authorizer_option"), post(set_option))
        .route("/cgi-bin/message/custom/send", post(custom_send))
        .route(&route("fastregisterweapp"), post(fast_register))
}

/// `fastregisterweapp?action=create|search` (see [`crate::fast_register`]);
/// logged and faulted as `fastregisterweapp_create` / `_search`.
async fn fast_register(State(sim): State<Simulator>, call: Incoming) -> Response {
    use wechat::fast_register::{CreateRequest, SearchRequest};
    let ok = || json!({ "errcode": 0, "errmsg": "OK" });
    let (endpoint, rule): (&'static str, super::Rule<'_>) =
        match call.query.get("action").map(String::as_str) {
            Some("create") => (
                "fastregisterweapp_create",
                Box::new(move |state, now, _, body| {
                    let request: CreateRequest = parse(body)?;
                    state.fast_register_create(request, now)?;
                    Ok(ok())
                }),
            ),
            Some("search") => (
                "fastregisterweapp_search",
                Box::new(move |state, _, _, body| {
                    let request: SearchRequest = parse(body)?;
                    state.fast_register_search(&request)?;
                    Ok(ok())
                }),
            ),
            _ => (
                "fastregisterweapp",
                Box::new(|_, _, _, _| Err(crate::wxerror::WxError::data_format())),
            ),
        };
    call.answer(&sim, endpoint, true, rule).await.0
}

/// `cgi-bin/message/custom/send` with an authorizer access token (see
/// [`crate::messages::custom`] for the rules).
async fn custom_send(State(sim): State<Simulator>, call: Incoming) -> Response {
    let token = call.query.get("access_token").cloned();
    let memory = sim.clone();
    call.answer(
        &sim,
        "message_custom_send",
        false,
        Box::new(move |state, now, config, body| {
            crate::messages::custom::send(
                state,
                &mut memory.messages(),
                token.as_deref(),
                &body,
                now,
                config,
            )?;
            Ok(json!({ "errcode": 0, "errmsg": "ok" }))
        }),
    )
    .await
    .0
}

async fn component_token(State(sim): State<Simulator>, call: Incoming) -> Response {
    call.answer(
        &sim,
        "api_component_token",
        false,
        Box::new(|state, now, config, body| {
            let req: wire::ComponentTokenRequest = parse(body)?;
            let token = state.component_token(
                &req.component_appid,
                req.component_appsecret.expose(),
                req.component_verify_ticket.expose(),
                now,
                config,
            )?;
            to_json(wire::ComponentTokenResponse {
                component_access_token: Secret::new(token.value),
                expires_in: remaining(token.expires_at, now),
            })
        }),
    )
    .await
    .0
}

async fn start_push_ticket(State(sim): State<Simulator>, call: Incoming) -> Response {
    let (response, errcode) = call
        .answer(
            &sim,
            "api_start_push_ticket",
            false,
            Box::new(|state, _, config, body| {
                let req: wire::StartPushTicketRequest = parse(body)?;
                let was_stopped = state.start_push_ticket(
                    &req.component_appid,
                    req.component_secret.expose(),
                    config,
                )?;
                // D-start: "ok" when pushes were switched back on, "in a normal state" when already on.
                let errmsg = if was_stopped {
                    "ok"
                } else {
                    "in a normal state"
                };
                to_json(wire::ErrorBody {
                    errcode: 0,
                    errmsg: errmsg.to_owned(),
                })
            }),
        )
        .await;
    if errcode == 0 {
        // WeChat pushes a ticket shortly after; answer first, as WeChat does.
        let sim = sim.clone();
        tokio::spawn(async move {
            sim.push_ticket_now().await;
        });
    }
    response
}

async fn create_preauthcode(State(sim): State<Simulator>, call: Incoming) -> Response {
    call.answer(
        &sim,
        "api_create_preauthcode",
        true,
        Box::new(|state, now, config, body| {
            let req: wire::PreAuthCodeRequest = parse(body)?;
            let code = state.create_pre_auth_code(&req.component_appid, now, config)?;
            to_json(wire::PreAuthCodeResponse {
                pre_auth_code: Secret::new(code.value),
                expires_in: remaining(code.expires_at, now),
            })
        }),
    )
    .await
    .0
}

async fn query_auth(State(sim): State<Simulator>, call: Incoming) -> Response {
    call.answer(
        &sim,
        "api_query_auth",
        true,
        Box::new(|state, now, config, body| {
            let req: wire::QueryAuthRequest = parse(body)?;
            let out = state.query_auth(
                &req.component_appid,
                req.authorization_code.expose(),
                now,
                config,
            )?;
            to_json(wire::QueryAuthResponse {
                authorization_info: wire::AuthorizationInfo {
                    authorizer_appid: out.authorizer_appid,
                    authorizer_access_token: Some(Secret::new(out.access_token.value)),
                    expires_in: Some(remaining(out.access_token.expires_at, now)),
                    authorizer_refresh_token: Some(Secret::new(out.refresh_token)),
                    func_info: func_info(&out.func_ids),
                },
            })
        }),
    )
    .await
    .0
}

async fn authorizer_token(State(sim): State<Simulator>, call: Incoming) -> Response {
    call.answer(
        &sim,
        "api_authorizer_token",
        true,
        Box::new(|state, now, config, mut body| {
            // Buggy clients send `null`; WeChat answers 61023 rather than a format error (C-61023).
            if body
                .get("authorizer_refresh_token")
                .is_some_and(Value::is_null)
            {
                body["authorizer_refresh_token"] = Value::String(String::new());
            }
            let req: wire::AuthorizerTokenRequest = parse(body)?;
            let out = state.authorizer_token(
                &req.component_appid,
                &req.authorizer_appid,
                req.authorizer_refresh_token.expose(),
                now,
                config,
            )?;
            let refresh_token = if config.behaviour.empty_refresh_token_in_answer {
                String::new()
            } else {
                out.refresh_token
            };
            to_json(wire::AuthorizerTokenResponse {
                authorizer_access_token: Secret::new(out.access_token.value),
                expires_in: remaining(out.access_token.expires_at, now),
                authorizer_refresh_token: Some(Secret::new(refresh_token)),
            })
        }),
    )
    .await
    .0
}

async fn authorizer_info(State(sim): State<Simulator>, call: Incoming) -> Response {
    call.answer(
        &sim,
        "api_get_authorizer_info",
        true,
        Box::new(|state, _, config, body| {
            let req: wire::AuthorizerInfoRequest = parse(body)?;
            let (account, auth) =
                state.authorizer_info(&req.component_appid, &req.authorizer_appid, config)?;
            Ok(authorizer_info_json(account, auth))
        }),
    )
    .await
    .0
}

async fn authorizer_list(State(sim): State<Simulator>, call: Incoming) -> Response {
    call.answer(
        &sim,
        "api_get_authorizer_list",
        true,
        Box::new(|state, _, config, body| {
            let req: wire::AuthorizerListRequest = parse(body)?;
            let (total, page) = state.authorizer_list(
                &req.component_appid,
                req.offset.into(),
                req.count.into(),
                config,
            )?;
            let list = page
                .into_iter()
                .map(|a| wire::AuthorizerListItem {
                    authorizer_appid: a.authorizer_appid.clone(),
                    // Omitted until a code was exchanged (C-listrt).
                    refresh_token: a
                        .code_exchanged
                        .then(|| Secret::new(a.refresh_token.clone())),
                    auth_time: a.auth_time,
                })
                .collect();
            to_json(wire::AuthorizerListResponse {
                total_count: total as u64,
                list,
            })
        }),
    )
    .await
    .0
}

async fn get_option(State(sim): State<Simulator>, call: Incoming) -> Response {
    call.answer(
        &sim,
        "api_get_authorizer_option",
        true,
        Box::new(|state, _, config, body| {
            let req: wire::AuthorizerOptionRequest = parse(body)?;
            let value = state.authorizer_option(
                &req.component_appid,
                &req.authorizer_appid,
                &req.option_name,
                config,
            )?;
            to_json(wire::AuthorizerOptionResponse {
                authorizer_appid: req.authorizer_appid,
                option_name: req.option_name,
                option_value: value,
            })
        }),
    )
    .await
    .0
}

async fn set_option(State(sim): State<Simulator>, call: Incoming) -> Response {
    call.answer(
        &sim,
        "api_set_authorizer_option",
        true,
        Box::new(|state, _, config, body| {
            let req: wire::SetAuthorizerOptionRequest = parse(body)?;
            state.set_authorizer_option(
                &req.component_appid,
                &req.authorizer_appid,
                &req.option_name,
                &req.option_value,
                config,
            )?;
            to_json(wire::ErrorBody::ok())
        }),
    )
    .await
    .0
}

/// Seconds left, as `expires_in` reports them.
fn remaining(expires_at: i64, now: i64) -> u64 {
    u64::try_from(expires_at - now).unwrap_or(0)
}

fn func_info(ids: &[u32]) -> Vec<wire::FuncInfo> {
    ids.iter()
        .map(|id| wire::FuncInfo::with_id(i64::from(*id)))
        .collect()
}

/// api_get_authorizer_info's answer; mini programs add `MiniProgramInfo` and friends (§5.7).
fn authorizer_info_json(account: &Account, auth: &Authorization) -> Value {
    let mut info = json!({
        "nick_name": account.nick_name,
        "head_img": account.head_img,
        "service_type_info": { "id": account.service_type },
        "verify_type_info": { "id": account.verify_type },
        "user_name": account.user_name,
        "principal_name": account.principal_name,
        "alias": account.alias,
        "business_info": { "open_store": 0, "open_scan": 0, "open_pay": 0, "open_card": 0, "open_shake": 0 },
        "qrcode_url": account.qrcode_url,
        "signature": account.signature,
        "account_status": 1,
        "idc": 1,
    });
    if account.kind == AccountKind::MiniProgram {
        let categories: Vec<Value> = account
            .categories
            .iter()
            .map(|(first, second)| json!({ "first": first, "second": second }))
            .collect();
        info["MiniProgramInfo"] = json!({
            "network": {
                "RequestDomain": [], "WsRequestDomain": [], "UploadDomain": [],
                "DownloadDomain": [], "BizDomain": [], "UDPDomain": [], "TCPDomain": []
            },
            "categories": categories,
            "visit_status": 0,
        });
        info["register_type"] = json!(0);
        info["basic_config"] = json!({ "is_phone_configured": true, "is_email_configured": true });
    }
    json!({
        "authorizer_info": info,
        "authorization_info": {
            "authorizer_appid": auth.authorizer_appid,
            "authorizer_refresh_token": auth.refresh_token,
            "func_info": func_info(&auth.func_ids),
        }
    })
}
