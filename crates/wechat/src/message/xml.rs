//! Writing message and reply XML the way WeChat does: strings in CDATA,
//! numbers bare, one element per line. The emulator writes its pushes with
//! [`Message::to_xml`]; the platform its replies with [`super::Reply::to_xml`].

use super::{Event, Message, MessageKind};
use crate::push::xml_out::{push_cdata, push_number};

/// `<name><![CDATA[value]]></name>` as a string.
pub(crate) fn element_cdata(name: &str, value: &str) -> String {
    let mut out = String::new();
    push_cdata(&mut out, name, value);
    out
}

/// An `<xml>` document under construction.
pub(crate) struct Writer(String);

impl Writer {
    pub(crate) fn new() -> Self {
        Self(String::from("<xml>\n"))
    }

    pub(crate) fn cdata(&mut self, name: &str, value: &str) {
        push_cdata(&mut self.0, name, value);
        self.0.push('\n');
    }

    fn optional(&mut self, name: &str, value: Option<&str>) {
        if let Some(value) = value {
            self.cdata(name, value);
        }
    }

    pub(crate) fn number(&mut self, name: &str, value: i64) {
        push_number(&mut self.0, name, value);
        self.0.push('\n');
    }

    /// Coordinates and ids that WeChat writes bare.
    fn bare(&mut self, name: &str, value: &str) {
        self.0.push_str(&format!("<{name}>{value}</{name}>\n"));
    }

    pub(crate) fn raw(&mut self, xml: &str) {
        self.0.push_str(xml);
        self.0.push('\n');
    }

    pub(crate) fn finish(mut self) -> String {
        self.0.push_str("</xml>");
        self.0
    }
}

impl Message {
    /// The plaintext push, as WeChat writes it. [`Message::parse`] reads it back.
    pub fn to_xml(&self) -> String {
        let mut out = Writer::new();
        out.cdata("ToUserName", &self.to_user_name);
        out.cdata("FromUserName", &self.from_user_name);
        out.number("CreateTime", self.create_time);
        out.cdata("MsgType", self.msg_type());
        match &self.kind {
            MessageKind::Text { content, .. } => out.cdata("Content", content),
            MessageKind::Image {
                pic_url, media_id, ..
            } => {
                out.optional("PicUrl", pic_url.as_deref());
                out.cdata("MediaId", media_id);
            }
            MessageKind::Voice {
                media_id,
                format,
                recognition,
                ..
            } => {
                out.cdata("MediaId", media_id);
                out.optional("Format", format.as_deref());
                out.optional("Recognition", recognition.as_deref());
            }
            MessageKind::Video {
                media_id,
                thumb_media_id,
                ..
            }
            | MessageKind::ShortVideo {
                media_id,
                thumb_media_id,
                ..
            } => {
                out.cdata("MediaId", media_id);
                out.optional("ThumbMediaId", thumb_media_id.as_deref());
            }
            MessageKind::Location {
                location_x,
                location_y,
                scale,
                label,
                ..
            } => {
                out.bare("Location_X", location_x);
                out.bare("Location_Y", location_y);
                if let Some(scale) = scale {
                    out.bare("Scale", scale);
                }
                out.optional("Label", label.as_deref());
            }
            MessageKind::Link {
                title,
                description,
                url,
                ..
            } => {
                out.optional("Title", title.as_deref());
                out.optional("Description", description.as_deref());
                out.cdata("Url", url);
            }
            MessageKind::MiniProgramPage {
                title,
                app_id,
                page_path,
                thumb_url,
                thumb_media_id,
                ..
            } => {
                out.optional("Title", title.as_deref());
                out.optional("AppId", app_id.as_deref());
                out.optional("PagePath", page_path.as_deref());
                out.optional("ThumbUrl", thumb_url.as_deref());
                out.optional("ThumbMediaId", thumb_media_id.as_deref());
            }
            MessageKind::Event { event } => write_event(&mut out, event),
            MessageKind::Other { .. } => {}
        }
        if let Some(msg_id) = self.msg_id() {
            out.bare("MsgId", msg_id);
        }
        out.finish()
    }
}

fn write_event(out: &mut Writer, event: &Event) {
    out.cdata("Event", event.name());
    match event {
        Event::Subscribe { event_key, ticket } | Event::Scan { event_key, ticket } => {
            out.optional("EventKey", event_key.as_deref());
            out.optional("Ticket", ticket.as_deref());
        }
        Event::Location {
            latitude,
            longitude,
            precision,
        } => {
            out.bare("Latitude", latitude);
            out.bare("Longitude", longitude);
            if let Some(precision) = precision {
                out.bare("Precision", precision);
            }
        }
        Event::Click { event_key } | Event::Other { event_key, .. } => {
            out.optional("EventKey", event_key.as_deref());
        }
        Event::View { event_key, menu_id } => {
            out.optional("EventKey", event_key.as_deref());
            if let Some(menu_id) = menu_id {
                out.bare("MenuId", menu_id);
            }
        }
        Event::TemplateSendJobFinish { msg_id, status } => {
            if let Some(msg_id) = msg_id {
                out.bare("MsgID", msg_id);
            }
            out.optional("Status", status.as_deref());
        }
        Event::WeappAuditSuccess { succ_time } => {
            if let Some(at) = succ_time {
                out.number("SuccTime", *at);
            }
        }
        Event::WeappAuditFail {
            reason,
            fail_time,
            screen_shot,
        } => {
            out.optional("Reason", reason.as_deref());
            if let Some(at) = fail_time {
                out.number("FailTime", *at);
            }
            out.optional("ScreenShot", screen_shot.as_deref());
        }
        Event::WeappAuditDelay { reason, delay_time } => {
            out.optional("Reason", reason.as_deref());
            if let Some(at) = delay_time {
                out.number("DelayTime", *at);
            }
        }
        Event::UserEnterTempsession { session_from } => {
            out.optional("SessionFrom", session_from.as_deref());
        }
        Event::NicknameAudit {
            ret,
            nickname,
            reason,
        } => {
            if let Some(ret) = ret {
                out.number("ret", *ret);
            }
            out.optional("nickname", nickname.as_deref());
            out.optional("reason", reason.as_deref());
        }
        Event::Unsubscribe => {}
    }
}
