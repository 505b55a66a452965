//! Control routes for fast registration: list the tasks, and play the
//! legal representative (confirm, reject with a status, let 24 h pass).

use std::time::Duration;

use axum::Json;
use axum::extract::{Path, State};
use serde::Deserialize;
use serde_json::{Value, json};

use super::ControlError;
use crate::Simulator;
use crate::fast_register::{Answer, CONFIRM_WINDOW_SECS};
use crate::push::Event;

type Reply = Result<Json<Value>, ControlError>;

pub(super) async fn list(State(sim): State<Simulator>) -> Json<Value> {
    let tasks = sim.read_state(|s| s.fast_registrations.clone());
    Json(json!({ "tasks": tasks }))
}

/// Which task (the newest waiting one, of `name` when given) and how.
#[derive(Debug, Default, Deserialize)]
pub(super) struct AnswerRequest {
    #[serde(default)]
    name: Option<String>,
    /// `reject`: the failure status (e.g. 103, 1001, −1).
    #[serde(default)]
    status: Option<i64>,
    #[serde(default)]
    msg: Option<String>,
}

/// `POST /__sim/fast-registrations/{confirm|reject|timeout}`: the task ends
/// and the result is pushed; answers the push record and the new appid.
pub(super) async fn answer(
    State(sim): State<Simulator>,
    Path(action): Path<String>,
    body: Option<Json<AnswerRequest>>,
) -> Reply {
    let request = body.map(|Json(r)| r).unwrap_or_default();
    let name = request.name.as_deref();
    let answer = match action.as_str() {
        "confirm" => Answer::Confirm,
        "reject" => Answer::Reject {
            status: request
                .status
                .ok_or_else(|| ControlError::bad_request("reject needs a non-zero \"status\""))?,
            msg: request.msg.clone(),
        },
        "timeout" => {
            // Let the 24 hours pass on the emulator's clock first.
            let created_at = sim
                .read_state(|s| s.waiting_fast_registration(name).map(|t| t.created_at))
                .ok_or_else(|| ControlError::not_found("no waiting fast registration task"))?;
            let due = created_at + CONFIRM_WINDOW_SECS;
            let now = sim.clock().now();
            if now < due {
                sim.clock()
                    .advance(Duration::from_secs(u64::try_from(due - now).unwrap_or(0)));
            }
            Answer::Timeout
        }
        other => {
            return Err(ControlError::not_found(format!(
                "unknown answer {other}: confirm, reject or timeout"
            )));
        }
    };
    let config = sim.config().clone();
    let event = sim
        .with_state(|state, now| state.fast_register_answer(name, answer, now, &config))
        .map_err(ControlError::bad_request)?;
    let appid = match &event {
        Event::FastRegister { appid, .. } => appid.clone(),
        _ => None,
    };
    let record = sim.push_event(&event).await;
    Ok(Json(json!({ "appid": appid, "push": record })))
}
