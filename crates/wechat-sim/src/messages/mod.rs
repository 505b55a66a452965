//! WeChat's side of the message URL (消息与事件接收URL): user messages and
//! events pushed to the platform with `$APPID$` substituted, the user's
//! openid in the query and the account's original id in the envelope; the
//! 5 s timeout and the retries; MarkFail suppression after repeated
//! failures and the notice users then see; passive replies decrypted and
//! checked; and what accounts sent users through custom/send
//! ([`custom`]). [`release`] plays the 全网发布 check.

pub mod custom;
pub mod release;

use std::sync::Mutex;
use std::time::Instant;

use serde::Serialize;
use wechat::message::{Message, MessageKind};

use crate::Simulator;
use crate::push::Attempt;

/// What users see when the platform did not answer in time or answered wrongly.
pub const NOTICE_OFFICIAL_ACCOUNT: &str = "该公众号暂时无法提供服务，请稍后再试";
pub const NOTICE_MINI_PROGRAM: &str = "该小程序客服暂时无法提供服务，请稍后再试";

/// One push of a user message or event, as the control API shows it.
#[derive(Debug, Clone, Serialize)]
pub struct MessagePushRecord {
    pub authorizer_appid: String,
    pub openid: String,
    /// The decrypted XML that was pushed.
    pub xml: String,
    pub url: Option<String>,
    /// The platform answered `success`, an empty body or a valid reply.
    pub answered: bool,
    pub attempts: Vec<Attempt>,
    /// The passive reply, if the answer was one.
    pub reply: Option<ReplyCheck>,
    /// What the user saw instead of a reply, when the push failed.
    pub notice: Option<String>,
    /// Not sent: pushes are suppressed (MarkFail) after repeated failures.
    pub suppressed: bool,
}

/// A passive reply as WeChat judged it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReplyCheck {
    pub valid: bool,
    /// Why it was refused.
    pub why: Option<String>,
    pub msg_type: Option<String>,
    /// A text reply's content.
    pub content: Option<String>,
}

/// The message URL's memory: MarkFail, open conversations and custom messages.
#[derive(Debug, Default)]
pub(crate) struct MessageState {
    pub failed_in_a_row: u32,
    pub suppressed_until: Option<Instant>,
    pub conversations: std::collections::HashMap<(String, String), custom::Conversation>,
    pub sent: Vec<custom::CustomMessage>,
}

/// How one delivery's answer counts.
fn judge(
    sim: &Simulator,
    status: Option<u16>,
    body: Option<&str>,
    to_user: &str,
    from_user: &str,
) -> (bool, Option<ReplyCheck>) {
    let (Some(200), Some(body)) = (status, body) else {
        return (false, None);
    };
    let lenient = sim.inner.config.push.lenient_success;
    if body.is_empty() || body == "success" || (lenient && body.trim() == "success") {
        return (true, None);
    }
    let check = check_reply(sim, body, to_user, from_user);
    (check.valid, Some(check))
}

/// Decrypts a passive reply and checks it as WeChat would: the signature,
/// the trailer appid, and the users swapped (to the user, from the account).
pub fn check_reply(sim: &Simulator, body: &str, to_user: &str, from_user: &str) -> ReplyCheck {
    let invalid = |why: String| ReplyCheck {
        valid: false,
        why: Some(why),
        msg_type: None,
        content: None,
    };
    let plaintext = match sim.inner.crypto.open_reply(body) {
        Ok(plaintext) => plaintext,
        Err(err) => return invalid(format!("not a valid encrypted reply: {err}")),
    };
    let reply = match Message::parse(&plaintext) {
        Ok(reply) => reply,
        Err(err) => return invalid(format!("the reply does not parse: {err}")),
    };
    if reply.to_user_name != to_user || reply.from_user_name != from_user {
        return invalid(format!(
            "ToUserName/FromUserName not swapped: to {}, from {}",
            reply.to_user_name, reply.from_user_name
        ));
    }
    let content = match &reply.kind {
        MessageKind::Text { content, .. } => Some(content.clone()),
        _ => None,
    };
    ReplyCheck {
        valid: true,
        why: None,
        msg_type: Some(reply.msg_type().to_owned()),
        content,
    }
}

impl Simulator {
    /// Pushes `message` (from the user `message.from_user_name` to the
    /// account `appid`) to the message URL, delivering it up to the
    /// configured number of times until it is answered.
    pub async fn push_message(&self, appid: &str, message: &Message) -> MessagePushRecord {
        let config = &self.inner.config;
        let policy = &config.messages;
        let now = self.inner.clock.now();
        let xml = message.to_xml();
        let openid = message.from_user_name.clone();
        // The user wrote to the account: a conversation opens (custom/send window).
        self.messages().conversations.insert(
            (appid.to_owned(), openid.clone()),
            custom::Conversation {
                last_message_at: now,
                sent: 0,
            },
        );
        let mut record = MessagePushRecord {
            authorizer_appid: appid.to_owned(),
            openid: openid.clone(),
            xml: xml.clone(),
            url: None,
            answered: false,
            attempts: Vec::new(),
            reply: None,
            notice: None,
            suppressed: false,
        };
        if self
            .messages()
            .suppressed_until
            .is_some_and(|until| Instant::now() < until)
        {
            record.suppressed = true;
            return record;
        }
        let Some(template) = &config.message_url else {
            return record;
        };
        let Ok(mut url) = url::Url::parse(&template.replace("$APPID$", appid)) else {
            return record;
        };
        let encrypt = match self.inner.crypto.encrypt(&xml) {
            Ok(encrypt) => encrypt,
            Err(_) => return record,
        };
        let (timestamp, nonce) = (now.to_string(), crate::tokens::nonce());
        let crypto = &self.inner.crypto;
        url.query_pairs_mut()
            .append_pair("signature", &crypto.plain_signature(&timestamp, &nonce))
            .append_pair("timestamp", &timestamp)
            .append_pair("nonce", &nonce)
            .append_pair("openid", &openid)
            .append_pair("encrypt_type", "aes")
            .append_pair(
                "msg_signature",
                &crypto.signature(&timestamp, &nonce, &encrypt),
            );
        record.url = Some(url.to_string());
        let body = format!(
            "<xml><ToUserName><![CDATA[{}]]></ToUserName>\n<Encrypt><![CDATA[{encrypt}]]></Encrypt></xml>",
            message.to_user_name
        );
        for n in 0..policy.attempts.max(1) {
            if n > 0 {
                tokio::time::sleep(policy.retry_delay).await;
            }
            let sent = self
                .inner
                .http
                .post(url.clone())
                .header("Content-Type", "text/xml")
                .timeout(policy.timeout)
                .body(body.clone())
                .send()
                .await;
            let (status, text, error) = match sent {
                Ok(response) => {
                    let status = response.status().as_u16();
                    match response.text().await {
                        Ok(text) => (Some(status), Some(text), None),
                        Err(err) => (Some(status), None, Some(err.to_string())),
                    }
                }
                Err(err) if err.is_timeout() => (None, None, Some("no answer within 5 s".into())),
                Err(err) => (None, None, Some(err.to_string())),
            };
            let (ok, reply) = judge(
                self,
                status,
                text.as_deref(),
                &openid,
                &message.to_user_name,
            );
            record.attempts.push(Attempt {
                status,
                body: text.map(|t| t.chars().take(200).collect()),
                error,
            });
            record.reply = reply;
            if ok {
                record.answered = true;
                break;
            }
        }
        let mut state = self.messages();
        if record.answered {
            state.failed_in_a_row = 0;
        } else {
            let mini_program = self.read_state(|s| {
                s.accounts
                    .get(appid)
                    .is_some_and(|a| a.kind == crate::accounts::AccountKind::MiniProgram)
            });
            record.notice = Some(
                if mini_program {
                    NOTICE_MINI_PROGRAM
                } else {
                    NOTICE_OFFICIAL_ACCOUNT
                }
                .to_owned(),
            );
            state.failed_in_a_row += 1;
            if state.failed_in_a_row >= policy.mark_fail_after.max(1) {
                state.suppressed_until = Some(Instant::now() + policy.suppress_for);
                state.failed_in_a_row = 0;
            }
        }
        record
    }

    pub(crate) fn messages(&self) -> std::sync::MutexGuard<'_, MessageState> {
        self.inner
            .messages
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Messages accounts sent users through custom/send, oldest first.
    pub fn custom_messages(&self) -> Vec<custom::CustomMessage> {
        self.messages().sent.clone()
    }

    /// Ends MarkFail suppression now (tests).
    pub fn clear_suppression(&self) {
        let mut state = self.messages();
        state.suppressed_until = None;
        state.failed_in_a_row = 0;
    }
}

/// The guard's type, for [`crate::simulator::Inner`].
pub(crate) type MessageMemory = Mutex<MessageState>;

#[cfg(test)]
mod tests;
