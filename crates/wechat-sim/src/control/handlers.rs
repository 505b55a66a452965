//! Handlers of the control API; each is a thin call into the state or the logs.

use std::collections::BTreeMap;
use std::time::Duration;

use axum::Json;
use axum::extract::{Path, Query, State};
use serde::Deserialize;
use serde_json::{Value, json};

use super::{ControlError, INDEX};
use crate::Simulator;
use crate::accounts::{Account, NewAccount, default_permission_sets};
use crate::faults::Fault;
use crate::state::component::TokenOwner;

type Reply = Result<Json<Value>, ControlError>;

fn ok(value: impl serde::Serialize) -> Reply {
    serde_json::to_value(value)
        .map(Json)
        .map_err(|e| ControlError::bad_request(e.to_string()))
}

pub(crate) async fn index() -> Json<Value> {
    let routes: BTreeMap<_, _> = INDEX.iter().copied().collect();
    Json(json!({ "emulator": "wechat-sim", "routes": routes }))
}

pub(super) async fn list_accounts(State(sim): State<Simulator>) -> Reply {
    ok(sim.read_state(|s| s.accounts.values().cloned().collect::<Vec<_>>()))
}

pub(super) async fn create_account(
    State(sim): State<Simulator>,
    Json(new): Json<NewAccount>,
) -> Reply {
    let account = Account::create(new);
    sim.with_state(|s, _| s.add_accounts([account.clone()]));
    ok(account)
}

pub(super) async fn seed_demo(State(sim): State<Simulator>) -> Reply {
    sim.seed_demo_accounts();
    list_accounts(State(sim)).await
}

pub(super) async fn list_authorizations(State(sim): State<Simulator>) -> Reply {
    ok(sim.read_state(|s| {
        s.authorizations
            .values()
            .map(|a| {
                json!({
                    "authorizer_appid": a.authorizer_appid,
                    "func_ids": a.func_ids,
                    "auth_time": a.auth_time,
                    "revoked_at": a.revoked_at,
                    "refresh_token": a.refresh_token,
                    "code_exchanged": a.code_exchanged,
                    "access_tokens": a.access_tokens.len(),
                })
            })
            .collect::<Vec<_>>()
    }))
}

pub(super) async fn revoke(State(sim): State<Simulator>, Path(appid): Path<String>) -> Reply {
    let event = sim
        .with_state(|s, now| s.revoke(&appid, now))
        .map_err(|_| ControlError::not_found(format!("{appid} has no active authorization")))?;
    let push = sim.push_event(&event).await;
    ok(json!({ "event": event, "push": push }))
}

#[derive(Deserialize)]
pub(super) struct Permissions {
    func_ids: Vec<u32>,
}

pub(super) async fn change_permissions(
    State(sim): State<Simulator>,
    Path(appid): Path<String>,
    Json(body): Json<Permissions>,
) -> Reply {
    let config = sim.config().clone();
    let outcome = sim
        .with_state(|s, now| s.change_permissions(&appid, body.func_ids, now, &config))
        .map_err(|_| ControlError::not_found(format!("{appid} has no active authorization")))?;
    let push = sim.push_event(&outcome.event).await;
    ok(
        json!({ "auth_code": outcome.auth_code, "expires_in": outcome.expires_in, "event": outcome.event, "push": push }),
    )
}

#[derive(Deserialize)]
pub(super) struct Authorize {
    pre_auth_code: String,
    authorizer_appid: String,
    func_ids: Option<Vec<u32>>,
    redirect_uri: Option<String>,
}

#[derive(Deserialize)]
pub(super) struct GrantUnseen {
    authorizer_appid: String,
    func_ids: Option<Vec<u32>>,
    /// Whether another tool exchanged its code (then the list carries its
    /// refresh token); default true.
    exchanged: Option<bool>,
}

/// An authorization the platform never hears of (no link of its own, no
/// push): what reconcile is for.
pub(super) async fn grant_unseen(
    State(sim): State<Simulator>,
    Json(body): Json<GrantUnseen>,
) -> Reply {
    let config = sim.config().clone();
    let kind = sim
        .read_state(|s| s.accounts.get(&body.authorizer_appid).map(|a| a.kind))
        .ok_or_else(|| ControlError::not_found(format!("no account {}", body.authorizer_appid)))?;
    let func_ids = body
        .func_ids
        .unwrap_or_else(|| default_permission_sets(kind).to_vec());
    sim.with_state(|s, now| {
        s.grant_unseen(
            &body.authorizer_appid,
            func_ids,
            body.exchanged.unwrap_or(true),
            now,
            &config,
        )
    })
    .map_err(ControlError::bad_request)?;
    ok(json!({ "authorizer_appid": body.authorizer_appid, "pushed": false }))
}

/// Play the admin without the HTML page; the event is pushed before answering.
pub(super) async fn authorize(State(sim): State<Simulator>, Json(body): Json<Authorize>) -> Reply {
    let config = sim.config().clone();
    let kind = sim
        .read_state(|s| s.accounts.get(&body.authorizer_appid).map(|a| a.kind))
        .ok_or_else(|| ControlError::not_found(format!("no account {}", body.authorizer_appid)))?;
    let redirect_uri = match body.redirect_uri.as_deref().map(url::Url::parse) {
        Some(Err(e)) => return Err(ControlError::bad_request(format!("redirect_uri: {e}"))),
        Some(Ok(u)) => Some(u),
        None => None,
    };
    let func_ids = body
        .func_ids
        .unwrap_or_else(|| default_permission_sets(kind).to_vec());
    let outcome = sim
        .with_state(|s, now| {
            s.authorize(
                &body.pre_auth_code,
                &body.authorizer_appid,
                func_ids,
                now,
                &config,
            )
        })
        .map_err(|e| ControlError::bad_request(format!("pre_auth_code not usable: {e}")))?;
    let push = sim.push_event(&outcome.event).await;
    let redirect = redirect_uri.map(|mut u| {
        u.query_pairs_mut()
            .append_pair("auth_code", &outcome.auth_code)
            .append_pair("expires_in", &outcome.expires_in.to_string());
        u.to_string()
    });
    ok(
        json!({ "auth_code": outcome.auth_code, "expires_in": outcome.expires_in, "redirect": redirect, "event": outcome.event, "push": push }),
    )
}

pub(super) async fn ticket(State(sim): State<Simulator>) -> Reply {
    let (latest, stopped) = sim.read_state(|s| (s.latest_ticket().cloned(), s.ticket_push_stopped));
    let latest = latest.ok_or_else(|| ControlError::not_found("no ticket minted yet"))?;
    ok(
        json!({ "ticket": latest.value, "issued_at": latest.issued_at, "expires_at": latest.expires_at, "push_stopped": stopped }),
    )
}

pub(super) async fn push_ticket(State(sim): State<Simulator>) -> Reply {
    let record = sim.push_ticket_now().await;
    let ticket = sim.read_state(|s| s.latest_ticket().map(|t| t.value.clone()));
    ok(json!({ "ticket": ticket, "push": record }))
}

pub(super) async fn clock(State(sim): State<Simulator>) -> Reply {
    ok(json!({ "now": sim.clock().now(), "offset_secs": sim.clock().offset_secs() }))
}

#[derive(Deserialize)]
pub(super) struct Advance {
    seconds: u64,
}

pub(super) async fn advance_clock(
    State(sim): State<Simulator>,
    Json(body): Json<Advance>,
) -> Reply {
    sim.clock().advance(Duration::from_secs(body.seconds));
    // Persist the new offset so a restart keeps it.
    sim.with_state(|_, _| ());
    clock(State(sim)).await
}

pub(super) async fn list_faults(State(sim): State<Simulator>) -> Reply {
    ok(sim.faults().list())
}

pub(super) async fn set_fault(
    State(sim): State<Simulator>,
    Path(endpoint): Path<String>,
    Json(fault): Json<Fault>,
) -> Reply {
    if fault.probability.is_some_and(|p| !(0.0..=1.0).contains(&p)) {
        return Err(ControlError::bad_request(
            "probability must be within 0.0–1.0",
        ));
    }
    sim.faults().set(&endpoint, fault);
    ok(sim.faults().list())
}

pub(super) async fn clear_fault(
    State(sim): State<Simulator>,
    Path(endpoint): Path<String>,
) -> Reply {
    sim.faults().clear(&endpoint);
    ok(sim.faults().list())
}

pub(super) async fn clear_faults(State(sim): State<Simulator>) -> Reply {
    sim.faults().clear_all();
    ok(sim.faults().list())
}

#[derive(Deserialize)]
pub(super) struct CallFilter {
    endpoint: Option<String>,
}

pub(super) async fn list_calls(
    State(sim): State<Simulator>,
    Query(filter): Query<CallFilter>,
) -> Reply {
    ok(sim.calls().list(filter.endpoint.as_deref()))
}

pub(super) async fn clear_calls(State(sim): State<Simulator>) -> Reply {
    sim.calls().clear();
    ok(json!([]))
}

pub(super) async fn list_pushes(State(sim): State<Simulator>) -> Reply {
    ok(sim.pushes().list())
}

pub(super) async fn clear_pushes(State(sim): State<Simulator>) -> Reply {
    sim.pushes().clear();
    ok(json!([]))
}

#[derive(Deserialize)]
pub(super) struct TokenCheck {
    access_token: String,
}

/// Whether a component or authorizer token would be accepted now, and if not, WeChat's errcode.
pub(super) async fn check_token(
    State(sim): State<Simulator>,
    Json(body): Json<TokenCheck>,
) -> Reply {
    let config = sim.config().clone();
    let now = sim.clock().now();
    let verdict = sim.read_state(|s| match s.token_owner(&body.access_token) {
        Some(TokenOwner::Component) => (
            "component",
            None,
            s.check_component_token(Some(&body.access_token), now, &config)
                .err(),
        ),
        Some(TokenOwner::Authorizer(appid)) => {
            let err = s
                .check_authorizer_token(&body.access_token, now, &config)
                .err();
            ("authorizer", Some(appid), err)
        }
        None => (
            "unknown",
            None,
            Some(crate::wxerror::WxError::invalid_credential()),
        ),
    });
    let (kind, appid, err) = verdict;
    ok(json!({
        "kind": kind,
        "authorizer_appid": appid,
        "valid": err.is_none(),
        "errcode": err.as_ref().map_or(0, |e| e.errcode),
        "errmsg": err.map_or_else(|| "ok".to_owned(), |e| e.errmsg),
    }))
}
