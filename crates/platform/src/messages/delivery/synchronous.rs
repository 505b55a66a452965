//! A synchronous endpoint, called while WeChat waits: its answer may be the
//! user's passive reply; past its budget the delivery goes back to the queue.

use std::time::Duration;

use store::{DeliveryEnd, DeliveryNext};
use wechat::message::{Message, Reply};

use super::super::endpoints::Endpoint;
use super::super::{Answer, MessageGateway};
use super::{MAX_ANSWER_LEN, body, post};

/// A synchronous endpoint, called while WeChat waits: its JSON answer
/// `{"reply": {...}}` becomes the encrypted passive reply. Past its budget,
/// or on any failure, the delivery goes back to the queue (it is delivered
/// again later) and WeChat gets `success` (`None` here).
pub(crate) async fn deliver_synchronously(
    gateway: &MessageGateway,
    endpoint: &Endpoint,
    delivery_id: i64,
    (message_id, appid, company_id, received_at): (i64, &str, Option<i64>, i64),
    message: &Message,
    raw_xml: &str,
) -> Option<Answer> {
    let body = body(
        message_id,
        (appid, company_id, received_at),
        message,
        raw_xml,
    );
    let budget = Duration::from_millis(u64::try_from(endpoint.reply_budget_ms).unwrap_or(3000));
    let sent = post(gateway, endpoint, body, budget).await;
    let now = gateway.clock.now();
    let reply = if sent.error.is_none() {
        reply_of(&sent.answer)
    } else {
        None
    };
    let next = if sent.error.is_none() {
        DeliveryNext::Delivered
    } else {
        // Retried by the worker at once: the budget, not the endpoint, failed.
        DeliveryNext::RetryAt(now)
    };
    let end = DeliveryEnd {
        id: delivery_id,
        at: now,
        status: sent.status.map(i64::from),
        duration_ms: sent.duration_ms,
        error: sent
            .error
            .map(|e| format!("{e} (synchronous, budget {} ms)", endpoint.reply_budget_ms)),
        next,
    };
    if let Err(err) = gateway
        .store
        .deliveries()
        .finish(&gateway.instance_id, &[end])
        .await
    {
        // The lease runs out and the worker delivers it again.
        tracing::error!(error = %err, "synchronous delivery result not stored");
    }
    if next != DeliveryNext::Delivered {
        gateway.queued.notify_one();
    }
    let reply = reply?;
    let xml = reply.to_xml(&message.from_user_name, &message.to_user_name, now);
    let crypto = gateway.component.crypto();
    let nonce = format!("{}", rand::random::<u32>());
    match crypto.encrypt_reply(&xml, &now.to_string(), &nonce) {
        Ok(envelope) => Some(Answer::Reply(envelope)),
        Err(err) => {
            tracing::error!(error = %err, "passive reply not encrypted");
            None
        }
    }
}

/// The passive reply in an endpoint's answer, if it gave a valid one.
fn reply_of(answer: &[u8]) -> Option<Reply> {
    if answer.is_empty() || answer.len() > MAX_ANSWER_LEN {
        return None;
    }
    let mut answer: serde_json::Value = serde_json::from_slice(answer).ok()?;
    let reply: Reply = serde_json::from_value(answer.get_mut("reply")?.take()).ok()?;
    match reply.validate() {
        Ok(()) => Some(reply),
        Err(err) => {
            tracing::warn!(error = %err, "a synchronous endpoint's reply was not sent");
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reply_is_taken_only_from_a_valid_json_answer() {
        assert_eq!(
            reply_of(br#"{"reply":{"type":"text","content":"hi"}}"#),
            Some(Reply::Text {
                content: "hi".into()
            })
        );
        assert_eq!(reply_of(br#"{"reply":null}"#), None);
        assert_eq!(reply_of(br#"{}"#), None);
        assert_eq!(reply_of(b"success"), None);
        assert_eq!(reply_of(b""), None);
        assert_eq!(reply_of(br#"{"reply":{"type":"text","content":""}}"#), None);
        let huge = format!(
            r#"{{"reply":{{"type":"text","content":"{}"}}}}"#,
            "a".repeat(MAX_ANSWER_LEN)
        );
        assert_eq!(reply_of(huge.as_bytes()), None);
    }
}
