//! Reading a decrypted message push into [`Message`].

use serde::Deserialize;

use super::{Event, Message, MessageKind};
use crate::crypto::CryptoError;
use crate::push::precheck_xml;

/// Every element any known message or event has; missing ones are `None`.
#[derive(Deserialize, Default)]
#[serde(default)]
struct Raw {
    #[serde(rename = "ToUserName")]
    to_user_name: Option<String>,
    #[serde(rename = "FromUserName")]
    from_user_name: Option<String>,
    #[serde(rename = "CreateTime")]
    create_time: Option<String>,
    #[serde(rename = "MsgType")]
    msg_type: Option<String>,
    #[serde(rename = "MsgId")]
    msg_id: Option<String>,
    /// TEMPLATESENDJOBFINISH and MASSSENDJOBFINISH spell it so.
    #[serde(rename = "MsgID")]
    msg_id_upper: Option<String>,
    #[serde(rename = "Content")]
    content: Option<String>,
    #[serde(rename = "PicUrl")]
    pic_url: Option<String>,
    #[serde(rename = "MediaId")]
    media_id: Option<String>,
    #[serde(rename = "Format")]
    format: Option<String>,
    #[serde(rename = "Recognition")]
    recognition: Option<String>,
    #[serde(rename = "ThumbMediaId")]
    thumb_media_id: Option<String>,
    #[serde(rename = "Location_X")]
    location_x: Option<String>,
    #[serde(rename = "Location_Y")]
    location_y: Option<String>,
    #[serde(rename = "Scale")]
    scale: Option<String>,
    #[serde(rename = "Label")]
    label: Option<String>,
    #[serde(rename = "Title")]
    title: Option<String>,
    #[serde(rename = "Description")]
    description: Option<String>,
    #[serde(rename = "Url")]
    url: Option<String>,
    #[serde(rename = "AppId")]
    app_id: Option<String>,
    #[serde(rename = "PagePath")]
    page_path: Option<String>,
    #[serde(rename = "ThumbUrl")]
    thumb_url: Option<String>,
    #[serde(rename = "Event")]
    event: Option<String>,
    #[serde(rename = "EventKey")]
    event_key: Option<String>,
    #[serde(rename = "Ticket")]
    ticket: Option<String>,
    #[serde(rename = "Latitude")]
    latitude: Option<String>,
    #[serde(rename = "Longitude")]
    longitude: Option<String>,
    #[serde(rename = "Precision")]
    precision: Option<String>,
    #[serde(rename = "MenuId")]
    menu_id: Option<String>,
    #[serde(rename = "Status")]
    status: Option<String>,
    #[serde(rename = "SuccTime")]
    succ_time: Option<String>,
    #[serde(rename = "FailTime")]
    fail_time: Option<String>,
    #[serde(rename = "DelayTime")]
    delay_time: Option<String>,
    #[serde(rename = "Reason")]
    reason: Option<String>,
    #[serde(rename = "ScreenShot")]
    screen_shot: Option<String>,
    #[serde(rename = "SessionFrom")]
    session_from: Option<String>,
    /// wxa_nickname_audit uses lowercase elements.
    ret: Option<String>,
    nickname: Option<String>,
    #[serde(rename = "reason")]
    reason_lower: Option<String>,
}

fn text(value: Option<String>) -> Option<String> {
    value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
}

fn required(value: Option<String>, missing: &'static str) -> Result<String, CryptoError> {
    text(value).ok_or(CryptoError::BadXml(missing))
}

fn number(value: Option<String>) -> Option<i64> {
    text(value).and_then(|v| v.parse().ok())
}

impl Message {
    /// Parses a decrypted message push (size-checked, no DTDs). It needs
    /// `ToUserName`, `FromUserName`, a numeric `CreateTime` and `MsgType`,
    /// and, for the types it knows, the fields that make the message (a
    /// text's `Content`, a picture's `MediaId`, …).
    pub fn parse(xml: &str) -> Result<Self, CryptoError> {
        precheck_xml(xml)?;
        let raw: Raw = quick_xml::de::from_str(xml)
            .map_err(|_| CryptoError::BadXml("message is not well-formed"))?;
        let to_user_name = required(raw.to_user_name.clone(), "ToUserName missing")?;
        let from_user_name = required(raw.from_user_name.clone(), "FromUserName missing")?;
        let create_time = number(raw.create_time.clone())
            .ok_or(CryptoError::BadXml("CreateTime missing or not a number"))?;
        let msg_type = required(raw.msg_type.clone(), "MsgType missing")?;
        Ok(Self {
            to_user_name,
            from_user_name,
            create_time,
            kind: kind(&msg_type, raw)?,
        })
    }
}

fn kind(msg_type: &str, raw: Raw) -> Result<MessageKind, CryptoError> {
    let msg_id = text(raw.msg_id.clone());
    Ok(match msg_type {
        "text" => MessageKind::Text {
            msg_id,
            // An empty text is still a text; only a missing element is wrong.
            content: raw.content.ok_or(CryptoError::BadXml("Content missing"))?,
        },
        "image" => MessageKind::Image {
            msg_id,
            pic_url: text(raw.pic_url),
            media_id: required(raw.media_id, "MediaId missing")?,
        },
        "voice" => MessageKind::Voice {
            msg_id,
            media_id: required(raw.media_id, "MediaId missing")?,
            format: text(raw.format),
            recognition: text(raw.recognition),
        },
        "video" => MessageKind::Video {
            msg_id,
            media_id: required(raw.media_id, "MediaId missing")?,
            thumb_media_id: text(raw.thumb_media_id),
        },
        "shortvideo" => MessageKind::ShortVideo {
            msg_id,
            media_id: required(raw.media_id, "MediaId missing")?,
            thumb_media_id: text(raw.thumb_media_id),
        },
        "location" => MessageKind::Location {
            msg_id,
            location_x: required(raw.location_x, "Location_X missing")?,
            location_y: required(raw.location_y, "Location_Y missing")?,
            scale: text(raw.scale),
            label: text(raw.label),
        },
        "link" => MessageKind::Link {
            msg_id,
            title: text(raw.title),
            description: text(raw.description),
            url: required(raw.url, "Url missing")?,
        },
        "miniprogrampage" => MessageKind::MiniProgramPage {
            msg_id,
            title: text(raw.title),
            app_id: text(raw.app_id),
            page_path: text(raw.page_path),
            thumb_url: text(raw.thumb_url),
            thumb_media_id: text(raw.thumb_media_id),
        },
        "event" => MessageKind::Event { event: event(raw)? },
        other => MessageKind::Other {
            msg_type: other.to_owned(),
        },
    })
}

fn event(raw: Raw) -> Result<Event, CryptoError> {
    let name = required(raw.event, "Event missing")?;
    let event_key = text(raw.event_key);
    Ok(match name.as_str() {
        "subscribe" => Event::Subscribe {
            event_key,
            ticket: text(raw.ticket),
        },
        "unsubscribe" => Event::Unsubscribe,
        "SCAN" => Event::Scan {
            event_key,
            ticket: text(raw.ticket),
        },
        "LOCATION" => Event::Location {
            latitude: required(raw.latitude, "Latitude missing")?,
            longitude: required(raw.longitude, "Longitude missing")?,
            precision: text(raw.precision),
        },
        "CLICK" => Event::Click { event_key },
        "VIEW" => Event::View {
            event_key,
            menu_id: text(raw.menu_id),
        },
        "TEMPLATESENDJOBFINISH" => Event::TemplateSendJobFinish {
            msg_id: text(raw.msg_id_upper).or(text(raw.msg_id)),
            status: text(raw.status),
        },
        "weapp_audit_success" => Event::WeappAuditSuccess {
            succ_time: number(raw.succ_time),
        },
        "weapp_audit_fail" => Event::WeappAuditFail {
            reason: text(raw.reason),
            fail_time: number(raw.fail_time),
            screen_shot: text(raw.screen_shot),
        },
        "weapp_audit_delay" => Event::WeappAuditDelay {
            reason: text(raw.reason),
            delay_time: number(raw.delay_time),
        },
        "user_enter_tempsession" => Event::UserEnterTempsession {
            session_from: text(raw.session_from),
        },
        "wxa_nickname_audit" => Event::NicknameAudit {
            ret: number(raw.ret),
            nickname: text(raw.nickname),
            reason: text(raw.reason_lower),
        },
        _ => Event::Other {
            event: name,
            event_key,
        },
    })
}
