//! Messages and events at the message URL (消息与事件接收URL): what an
//! authorized account's users send and the events of its permission sets,
//! decrypted and parsed into [`Message`]; the key WeChat's retries are
//! deduplicated by ([`Message::dedup_key`]); and passive replies ([`Reply`]).
//!
//! The message URL uses the component's token, key and appid (the envelope's
//! `ToUserName` names the account), so [`crate::crypto::MessageCrypto::open_push`]
//! opens these pushes too. Parsing takes the same precautions as the
//! authorization-event pushes (size limit, no DTD). Strings may or may not be
//! in CDATA, and numbers may be (live pushes show both). Values that are
//! numbers to WeChat but identifiers or coordinates to us (MsgId is 64-bit,
//! coordinates are decimal text) are kept as the text WeChat sent.

mod parse;
mod reply;
mod xml;

pub use reply::{Article, Reply, ReplyError};

use serde::Serialize;

/// One decrypted push at the message URL.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Message {
    /// `ToUserName`: the account's original id (`gh_…`).
    pub to_user_name: String,
    /// `FromUserName`: the user's openid (for audit events, a system openid).
    pub from_user_name: String,
    /// `CreateTime`: Unix seconds.
    pub create_time: i64,
    /// What it is, with its fields.
    #[serde(flatten)]
    pub kind: MessageKind,
}

/// The message types and events Weiqiao knows; anything else is kept as
/// [`MessageKind::Other`] / [`Event::Other`] with its raw XML beside it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "msg_type", rename_all = "lowercase")]
pub enum MessageKind {
    Text {
        msg_id: Option<String>,
        content: String,
    },
    Image {
        msg_id: Option<String>,
        pic_url: Option<String>,
        media_id: String,
    },
    Voice {
        msg_id: Option<String>,
        media_id: String,
        format: Option<String>,
        /// With voice recognition on.
        recognition: Option<String>,
    },
    Video {
        msg_id: Option<String>,
        media_id: String,
        thumb_media_id: Option<String>,
    },
    ShortVideo {
        msg_id: Option<String>,
        media_id: String,
        thumb_media_id: Option<String>,
    },
    Location {
        msg_id: Option<String>,
        location_x: String,
        location_y: String,
        scale: Option<String>,
        label: Option<String>,
    },
    Link {
        msg_id: Option<String>,
        title: Option<String>,
        description: Option<String>,
        url: String,
    },
    /// A mini program's customer-service card.
    #[serde(rename = "miniprogrampage")]
    MiniProgramPage {
        msg_id: Option<String>,
        title: Option<String>,
        app_id: Option<String>,
        page_path: Option<String>,
        thumb_url: Option<String>,
        thumb_media_id: Option<String>,
    },
    Event {
        #[serde(flatten)]
        event: Event,
    },
    /// A MsgType we do not know.
    #[serde(untagged)]
    Other { msg_type: String },
}

/// `MsgType` `event`: the events Weiqiao knows by name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "event")]
pub enum Event {
    /// A follow; through a parametric QR code `EventKey` is `qrscene_…`.
    #[serde(rename = "subscribe")]
    Subscribe {
        event_key: Option<String>,
        ticket: Option<String>,
    },
    #[serde(rename = "unsubscribe")]
    Unsubscribe,
    /// A follower scanned a parametric QR code.
    #[serde(rename = "SCAN")]
    Scan {
        event_key: Option<String>,
        ticket: Option<String>,
    },
    #[serde(rename = "LOCATION")]
    Location {
        latitude: String,
        longitude: String,
        precision: Option<String>,
    },
    #[serde(rename = "CLICK")]
    Click { event_key: Option<String> },
    #[serde(rename = "VIEW")]
    View {
        event_key: Option<String>,
        menu_id: Option<String>,
    },
    /// `MsgID` (capital D here) and `Status` of a template message send.
    #[serde(rename = "TEMPLATESENDJOBFINISH")]
    TemplateSendJobFinish {
        msg_id: Option<String>,
        status: Option<String>,
    },
    /// Mini program code audit passed.
    #[serde(rename = "weapp_audit_success")]
    WeappAuditSuccess { succ_time: Option<i64> },
    #[serde(rename = "weapp_audit_fail")]
    WeappAuditFail {
        reason: Option<String>,
        fail_time: Option<i64>,
        /// `|`-separated media ids.
        screen_shot: Option<String>,
    },
    #[serde(rename = "weapp_audit_delay")]
    WeappAuditDelay {
        reason: Option<String>,
        delay_time: Option<i64>,
    },
    /// A user opened a mini program's customer-service session.
    #[serde(rename = "user_enter_tempsession")]
    UserEnterTempsession { session_from: Option<String> },
    /// Mini program name audit: `ret` 2 rejected, 3 approved.
    #[serde(rename = "wxa_nickname_audit")]
    NicknameAudit {
        ret: Option<i64>,
        nickname: Option<String>,
        reason: Option<String>,
    },
    /// Any other event, by its name.
    #[serde(untagged)]
    Other {
        event: String,
        event_key: Option<String>,
    },
}

impl Message {
    /// `MsgType` as WeChat names it.
    pub fn msg_type(&self) -> &str {
        match &self.kind {
            MessageKind::Text { .. } => "text",
            MessageKind::Image { .. } => "image",
            MessageKind::Voice { .. } => "voice",
            MessageKind::Video { .. } => "video",
            MessageKind::ShortVideo { .. } => "shortvideo",
            MessageKind::Location { .. } => "location",
            MessageKind::Link { .. } => "link",
            MessageKind::MiniProgramPage { .. } => "miniprogrampage",
            MessageKind::Event { .. } => "event",
            MessageKind::Other { msg_type } => msg_type,
        }
    }

    /// The `Event` name, for events.
    pub fn event(&self) -> Option<&str> {
        match &self.kind {
            MessageKind::Event { event } => Some(event.name()),
            _ => None,
        }
    }

    /// `MsgId`, for user messages (events have none).
    pub fn msg_id(&self) -> Option<&str> {
        match &self.kind {
            MessageKind::Text { msg_id, .. }
            | MessageKind::Image { msg_id, .. }
            | MessageKind::Voice { msg_id, .. }
            | MessageKind::Video { msg_id, .. }
            | MessageKind::ShortVideo { msg_id, .. }
            | MessageKind::Location { msg_id, .. }
            | MessageKind::Link { msg_id, .. }
            | MessageKind::MiniProgramPage { msg_id, .. } => msg_id.as_deref(),
            MessageKind::Event { .. } | MessageKind::Other { .. } => None,
        }
    }

    /// What WeChat's retries of this push have in common and other pushes
    /// do not. MsgId alone collides across users (seen live), so messages
    /// are keyed by MsgId, sender and time; events, which have no MsgId, by
    /// sender, time, event and key. Unique per account: callers add the appid.
    pub fn dedup_key(&self) -> String {
        match (&self.kind, self.msg_id()) {
            (MessageKind::Event { event }, _) => format!(
                "event:{}:{}:{}:{}",
                self.from_user_name,
                self.create_time,
                event.name(),
                event.event_key().unwrap_or_default()
            ),
            (_, Some(msg_id)) => {
                format!("msg:{msg_id}:{}:{}", self.from_user_name, self.create_time)
            }
            (_, None) => format!(
                "other:{}:{}:{}",
                self.msg_type(),
                self.from_user_name,
                self.create_time
            ),
        }
    }
}

impl Event {
    /// The `Event` element's value.
    pub fn name(&self) -> &str {
        match self {
            Self::Subscribe { .. } => "subscribe",
            Self::Unsubscribe => "unsubscribe",
            Self::Scan { .. } => "SCAN",
            Self::Location { .. } => "LOCATION",
            Self::Click { .. } => "CLICK",
            Self::View { .. } => "VIEW",
            Self::TemplateSendJobFinish { .. } => "TEMPLATESENDJOBFINISH",
            Self::WeappAuditSuccess { .. } => "weapp_audit_success",
            Self::WeappAuditFail { .. } => "weapp_audit_fail",
            Self::WeappAuditDelay { .. } => "weapp_audit_delay",
            Self::UserEnterTempsession { .. } => "user_enter_tempsession",
            Self::NicknameAudit { .. } => "wxa_nickname_audit",
            Self::Other { event, .. } => event,
        }
    }

    /// `EventKey`, where the event has one.
    pub fn event_key(&self) -> Option<&str> {
        match self {
            Self::Subscribe { event_key, .. }
            | Self::Scan { event_key, .. }
            | Self::Click { event_key }
            | Self::View { event_key, .. }
            | Self::Other { event_key, .. } => event_key.as_deref(),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests;
