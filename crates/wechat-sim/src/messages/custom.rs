//! `cgi-bin/message/custom/send`: what an account may send a user through
//! the customer-service API. A user's message opens a 48-hour window in
//! which the account may send 5 messages (D-kf: 5条/48小时); outside it
//! 45015, beyond the count 45047, to a user who never wrote 40003, with a
//! token of an authorization since revoked 48001.

use serde::Serialize;
use serde_json::Value;

use crate::state::{State, WxError};

/// Messages an account may send a user per window.
pub const PER_WINDOW: u32 = 5;
/// The window after the user's last message.
pub const WINDOW_SECS: i64 = 48 * 3600;

/// A user's conversation with an account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Conversation {
    pub last_message_at: i64,
    pub sent: u32,
}

/// A message an account sent a user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CustomMessage {
    pub authorizer_appid: String,
    pub touser: String,
    pub msgtype: String,
    /// A text's content.
    pub content: Option<String>,
    pub at: i64,
}

/// The rule of one custom/send call, under the state's lock and the
/// message memory's.
pub(crate) fn send(
    state: &State,
    memory: &mut super::MessageState,
    token: Option<&str>,
    body: &Value,
    now: i64,
    config: &crate::SimConfig,
) -> Result<(), WxError> {
    let token = token.ok_or_else(WxError::token_missing)?;
    if state.revoked_tokens.iter().any(|t| t == token) {
        return Err(WxError::new(48001, "api unauthorized"));
    }
    let appid = state.check_authorizer_token(token, now, config)?;
    let touser = body["touser"].as_str().unwrap_or_default();
    let msgtype = body["msgtype"].as_str().unwrap_or_default();
    if touser.is_empty() || msgtype.is_empty() {
        return Err(WxError::data_format());
    }
    let conversation = memory
        .conversations
        .get_mut(&(appid.clone(), touser.to_owned()))
        .ok_or_else(|| WxError::new(40003, "invalid openid"))?;
    if now - conversation.last_message_at > WINDOW_SECS {
        return Err(WxError::new(
            45015,
            "response out of time limit or subscription is canceled",
        ));
    }
    if conversation.sent >= PER_WINDOW {
        return Err(WxError::new(45047, "out of response count limit"));
    }
    conversation.sent += 1;
    memory.sent.push(CustomMessage {
        authorizer_appid: appid,
        touser: touser.to_owned(),
        msgtype: msgtype.to_owned(),
        content: body[msgtype]["content"].as_str().map(str::to_owned),
        at: now,
    });
    Ok(())
}
