//! The component API under `/cgi-bin/component/…`: same paths, JSON field names,
//! errcodes and HTTP 200 for errors as `api.weixin.qq.com`.
//!
//! Every call goes through [`dispatch`]: fault injection, IP whitelist, body
//! parsing (JSON whatever the Content-Type), the component token, the endpoint's
//! rule in [`crate::state`], the call log, and WeChat's response conventions.

mod endpoints;

use std::collections::BTreeMap;
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Query, Request};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use crate::calllog::CallRecord;
use crate::faults::FaultAction;
use crate::state::State;
use crate::wxerror::WxError;
use crate::{SimConfig, Simulator, tokens};

pub(crate) fn routes() -> Router<Simulator> {
    endpoints::routes()
}

/// What every endpoint takes from its request: the caller's address (for the
/// IP whitelist, when the server provides `ConnectInfo`), the query string and
/// the raw body (parsed by [`dispatch`], whatever the Content-Type).
pub(crate) struct Incoming {
    ip: Option<IpAddr>,
    query: BTreeMap<String, String>,
    body: Bytes,
}

impl<S: Send + Sync> FromRequest<S> for Incoming {
    type Rejection = Response;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = request.into_parts();
        let ip = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip());
        let Query(query) = Query::from_request_parts(&mut parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        let body = Bytes::from_request(Request::from_parts(parts, body), state)
            .await
            .map_err(IntoResponse::into_response)?;
        Ok(Self { ip, query, body })
    }
}

impl Incoming {
    /// Answers it as `endpoint` with `rule` (see [`dispatch`]); also returns the errcode.
    pub(crate) async fn answer(
        self,
        sim: &Simulator,
        endpoint: &'static str,
        needs_token: bool,
        rule: Rule<'_>,
    ) -> (Response, i64) {
        let call = Call {
            endpoint,
            ip: self.ip,
            query: self.query,
            body: self.body,
            needs_token,
        };
        dispatch(sim, call, rule).await
    }
}

/// One incoming API call.
pub(crate) struct Call {
    pub endpoint: &'static str,
    pub ip: Option<IpAddr>,
    pub query: BTreeMap<String, String>,
    pub body: Bytes,
    /// Whether the endpoint takes a component_access_token.
    pub needs_token: bool,
}

/// What an endpoint's rule receives: the state under its lock, "now", the config, the body.
pub(crate) type Rule<'a> =
    Box<dyn FnOnce(&mut State, i64, &SimConfig, Value) -> Result<Value, WxError> + Send + 'a>;

/// Run one API call through WeChat's conventions; returns the response and the errcode (0 = success).
pub(crate) async fn dispatch(sim: &Simulator, call: Call, rule: Rule<'_>) -> (Response, i64) {
    let body_json = serde_json::from_slice::<Value>(&call.body)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&call.body).into_owned()));
    let mut fault_note = None;
    let mut lose_answer = false;
    let outcome: Result<Value, WxError> = 'outcome: {
        if let Some(fired) = sim.faults().fire(call.endpoint) {
            if let Some(latency) = fired.latency {
                tokio::time::sleep(latency).await;
            }
            match fired.action {
                None => fault_note = Some("latency".to_owned()),
                Some(FaultAction::Hang) => {
                    // Logged now: the client gives up and drops the connection long
                    // before an answer, which cancels this handler. HTTP status 0 = no answer.
                    let note = Some("hang".to_owned());
                    sim.calls()
                        .record(record(sim, &call, body_json, 0, -1, Value::Null, note));
                    tokio::time::sleep(Duration::from_secs(600)).await;
                    let answer = json!({ "errcode": -1, "errmsg": "system error" });
                    return (json_response(&answer), -1);
                }
                Some(FaultAction::Http(status)) => {
                    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_GATEWAY);
                    sim.calls().record(record(
                        sim,
                        &call,
                        body_json,
                        status.as_u16(),
                        -1,
                        Value::Null,
                        Some(format!("http {status}")),
                    ));
                    return ((status, "emulated upstream failure").into_response(), -1);
                }
                Some(FaultAction::Error(e)) => {
                    fault_note = Some(format!("errcode {}", e.errcode));
                    break 'outcome Err(e);
                }
                Some(FaultAction::LostAnswer) => {
                    fault_note = Some("lost answer".to_owned());
                    lose_answer = true;
                }
            }
        }
        let config = sim.config();
        if let (Some(list), Some(ip)) = (&config.ip_whitelist, call.ip)
            && !list.contains(&ip)
        {
            break 'outcome Err(WxError::ip_not_registered(&ip.to_string()));
        }
        if !body_json.is_object() {
            break 'outcome Err(WxError::data_format());
        }
        let token = call
            .query
            .get("component_access_token")
            .or_else(|| call.query.get("access_token"));
        let body = body_json.clone();
        sim.with_state(|state, now| {
            if call.needs_token {
                state.check_component_token(token.map(String::as_str), now, config)?;
            }
            rule(state, now, config, body)
        })
    };
    let (response, errcode) = match outcome {
        Ok(value) => (value, 0),
        Err(e) => {
            // Modern errmsgs end with a request id (C-61005).
            let errmsg = format!("{} rid: {}", e.errmsg, tokens::rid());
            (json!({ "errcode": e.errcode, "errmsg": errmsg }), e.errcode)
        }
    };
    sim.calls().record(record(
        sim,
        &call,
        body_json,
        200,
        errcode,
        response.clone(),
        fault_note,
    ));
    if lose_answer {
        // Done, but the answer never arrives: the client gives up and drops
        // the connection, which cancels this handler.
        tokio::time::sleep(Duration::from_secs(600)).await;
    }
    (json_response(&response), errcode)
}

fn record(
    sim: &Simulator,
    call: &Call,
    body: Value,
    http_status: u16,
    errcode: i64,
    response: Value,
    fault: Option<String>,
) -> CallRecord {
    CallRecord {
        seq: 0,
        at: sim.clock().now(),
        endpoint: call.endpoint.to_owned(),
        query: call.query.clone(),
        body,
        http_status,
        errcode,
        response,
        fault,
    }
}

/// HTTP 200 with the Content-Type a live error showed (C-200).
fn json_response(value: &Value) -> Response {
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/json; encoding=utf-8")],
        value.to_string(),
    )
        .into_response()
}

/// Parse the body into a request type; a missing or mistyped field is 47001.
pub(crate) fn parse<T: DeserializeOwned>(body: Value) -> Result<T, WxError> {
    serde_json::from_value(body).map_err(|_| WxError::data_format())
}

/// Serialize a response type (cannot fail for plain structs; -1 if it somehow does).
pub(crate) fn to_json(value: impl serde::Serialize) -> Result<Value, WxError> {
    serde_json::to_value(value).map_err(|_| WxError::system_error())
}

#[cfg(test)]
mod tests;
