//! Control routes for the message URL: push a user message or event, read
//! what accounts sent users, and run the 全网发布 check.

use axum::Json;
use axum::extract::State;
use serde::Deserialize;
use serde_json::{Value, json};
use wechat::message::{Event, Message, MessageKind};

use super::ControlError;
use crate::Simulator;
use crate::accounts::AccountKind;

type Reply = Result<Json<Value>, ControlError>;

/// A user message or event to push: `msg_type` is one of WeChat's
/// (`text`, `image`, `voice`, `video`, `shortvideo`, `location`, `link`,
/// `event`); what each needs comes with it, the rest is filled in.
#[derive(Deserialize)]
pub(super) struct MessageRequest {
    authorizer_appid: String,
    #[serde(default)]
    openid: Option<String>,
    msg_type: String,
    #[serde(default)]
    content: Option<String>,
    #[serde(default)]
    event: Option<String>,
    #[serde(default)]
    event_key: Option<String>,
}

fn kind(request: &MessageRequest) -> Result<MessageKind, ControlError> {
    let msg_id = Some(format!("{}", rand::random::<u64>() >> 1));
    let media = || format!("media_{}", rand::random::<u32>());
    Ok(match request.msg_type.as_str() {
        "text" => MessageKind::Text {
            msg_id,
            content: request.content.clone().unwrap_or_else(|| "你好".into()),
        },
        "image" => MessageKind::Image {
            msg_id,
            pic_url: Some("http://mmbiz.qpic.cn/demo".into()),
            media_id: media(),
        },
        "voice" => MessageKind::Voice {
            msg_id,
            media_id: media(),
            format: Some("amr".into()),
            recognition: None,
        },
        "video" => MessageKind::Video {
            msg_id,
            media_id: media(),
            thumb_media_id: Some(media()),
        },
        "shortvideo" => MessageKind::ShortVideo {
            msg_id,
            media_id: media(),
            thumb_media_id: Some(media()),
        },
        "location" => MessageKind::Location {
            msg_id,
            location_x: "23.134521".into(),
            location_y: "113.358803".into(),
            scale: Some("20".into()),
            label: Some("位置信息".into()),
        },
        "link" => MessageKind::Link {
            msg_id,
            title: Some("链接".into()),
            description: Some("描述".into()),
            url: "https://example.com".into(),
        },
        "event" => {
            let name = request
                .event
                .clone()
                .ok_or_else(|| ControlError::bad_request("an event needs \"event\""))?;
            let event_key = request.event_key.clone();
            let event = match name.as_str() {
                "subscribe" => Event::Subscribe {
                    event_key,
                    ticket: None,
                },
                "unsubscribe" => Event::Unsubscribe,
                "SCAN" => Event::Scan {
                    event_key,
                    ticket: Some("TICKET".into()),
                },
                "LOCATION" => Event::Location {
                    latitude: "23.137466".into(),
                    longitude: "113.352425".into(),
                    precision: Some("119.385040".into()),
                },
                "CLICK" => Event::Click { event_key },
                "VIEW" => Event::View {
                    event_key,
                    menu_id: None,
                },
                "TEMPLATESENDJOBFINISH" => Event::TemplateSendJobFinish {
                    msg_id: Some("200163836".into()),
                    status: Some("success".into()),
                },
                _ => Event::Other {
                    event: name,
                    event_key,
                },
            };
            MessageKind::Event { event }
        }
        other => {
            return Err(ControlError::bad_request(format!(
                "unknown msg_type {other}"
            )));
        }
    })
}

pub(super) async fn push_message(
    State(sim): State<Simulator>,
    Json(request): Json<MessageRequest>,
) -> Reply {
    let user_name = sim
        .read_state(|s| {
            s.accounts
                .get(&request.authorizer_appid)
                .map(|a| a.user_name.clone())
        })
        .ok_or_else(|| {
            ControlError::not_found(format!("no account {}", request.authorizer_appid))
        })?;
    let message = Message {
        to_user_name: user_name,
        from_user_name: request
            .openid
            .clone()
            .unwrap_or_else(|| "o6_bmjrPTlm6_2sgVt7hMZOPfL2M".into()),
        create_time: sim.clock().now(),
        kind: kind(&request)?,
    };
    let record = sim.push_message(&request.authorizer_appid, &message).await;
    Ok(Json(json!(record)))
}

pub(super) async fn custom_messages(State(sim): State<Simulator>) -> Reply {
    Ok(Json(json!({ "messages": sim.custom_messages() })))
}

#[derive(Deserialize)]
pub(super) struct CheckRequest {
    group: u8,
    /// `oa` or `mp`.
    kind: String,
}

pub(super) async fn release_check(
    State(sim): State<Simulator>,
    Json(request): Json<CheckRequest>,
) -> Reply {
    let kind = match request.kind.as_str() {
        "oa" => AccountKind::OfficialAccount,
        "mp" => AccountKind::MiniProgram,
        other => {
            return Err(ControlError::bad_request(format!(
                "kind is oa or mp, not {other}"
            )));
        }
    };
    let items = sim
        .run_release_check(request.group, kind)
        .await
        .map_err(ControlError::bad_request)?;
    let passed = items.iter().all(|i| i.passed);
    Ok(Json(
        json!({ "group": request.group, "kind": request.kind, "passed": passed, "items": items }),
    ))
}
