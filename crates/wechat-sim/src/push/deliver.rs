//! Delivering one push: encrypt, sign, POST, judge the answer, retry; and the
//! log of every push for the control API.

use std::sync::Mutex;

use serde::Serialize;
use url::Url;
use wechat::crypto::MessageCrypto;

use crate::config::PushPolicy;
use crate::tokens;

/// One HTTP try of a push.
#[derive(Debug, Clone, Serialize)]
pub struct Attempt {
    /// HTTP status, when an answer came.
    pub status: Option<u16>,
    /// The answer's body (first 200 characters).
    pub body: Option<String>,
    /// Transport error or timeout.
    pub error: Option<String>,
}

/// One push as the control API shows it.
#[derive(Debug, Clone, Serialize)]
pub struct PushRecord {
    pub seq: u64,
    /// Emulator time of the push.
    pub at: i64,
    pub info_type: String,
    pub authorizer_appid: Option<String>,
    /// The decrypted XML that was pushed.
    pub xml: String,
    /// Where it went; `None` when no push URL is configured.
    pub url: Option<String>,
    /// Whether the platform answered `success`.
    pub delivered: bool,
    pub attempts: Vec<Attempt>,
}

/// The push log (bounded, newest last).
#[derive(Debug, Default)]
pub struct PushLog {
    records: Mutex<(u64, Vec<PushRecord>)>,
}

const KEEP: usize = 1000;

impl PushLog {
    /// Append a record, assigning its sequence number.
    pub fn record(&self, mut record: PushRecord) -> PushRecord {
        let mut guard = self
            .records
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        guard.0 += 1;
        record.seq = guard.0;
        guard.1.push(record.clone());
        if guard.1.len() > KEEP {
            let excess = guard.1.len() - KEEP;
            guard.1.drain(..excess);
        }
        record
    }

    /// All records, oldest first.
    pub fn list(&self) -> Vec<PushRecord> {
        self.records
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .1
            .clone()
    }

    /// Forget every record (sequence numbers keep counting).
    pub fn clear(&self) {
        self.records
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .1
            .clear();
    }
}

/// The outer envelope of a push to the authorization event URL: `AppId`, not `ToUserName`.
pub fn envelope(component_appid: &str, encrypt: &str) -> String {
    format!(
        "<xml><AppId><![CDATA[{component_appid}]]></AppId>\n<Encrypt><![CDATA[{encrypt}]]></Encrypt></xml>"
    )
}

/// Encrypt `xml`, POST it to `url` and retry per `policy` until the platform answers
/// `success`. Retries resend the same request, as a re-delivery would.
pub async fn deliver(
    http: &reqwest::Client,
    url: &Url,
    crypto: &MessageCrypto,
    policy: &PushPolicy,
    xml: &str,
    now: i64,
) -> (bool, Vec<Attempt>) {
    let encrypt = match crypto.encrypt(xml) {
        Ok(e) => e,
        Err(e) => {
            let error = Some(format!("encrypt: {e}"));
            return (
                false,
                vec![Attempt {
                    status: None,
                    body: None,
                    error,
                }],
            );
        }
    };
    let timestamp = now.to_string();
    let nonce = tokens::nonce();
    let mut target = url.clone();
    target
        .query_pairs_mut()
        .append_pair("signature", &crypto.plain_signature(&timestamp, &nonce))
        .append_pair("timestamp", &timestamp)
        .append_pair("nonce", &nonce)
        .append_pair("encrypt_type", "aes")
        .append_pair(
            "msg_signature",
            &crypto.signature(&timestamp, &nonce, &encrypt),
        );
    let body = envelope(crypto.appid(), &encrypt);

    let mut attempts = Vec::new();
    for n in 0..policy.attempts.max(1) {
        if n > 0 {
            tokio::time::sleep(policy.retry_delay).await;
        }
        let attempt = try_once(http, &target, &body, policy).await;
        let ok = attempt
            .body
            .as_deref()
            .is_some_and(|b| is_success(b, policy.lenient_success));
        attempts.push(attempt);
        if ok {
            return (true, attempts);
        }
    }
    (false, attempts)
}

async fn try_once(
    http: &reqwest::Client,
    target: &Url,
    body: &str,
    policy: &PushPolicy,
) -> Attempt {
    // Headers as on a live push (L-hdr).
    let sent = http
        .post(target.clone())
        .header("Content-Type", "text/xml")
        .header("User-Agent", "Mozilla/4.0")
        .header("Pragma", "no-cache")
        .timeout(policy.timeout)
        .body(body.to_owned())
        .send()
        .await;
    match sent {
        Err(e) => Attempt {
            status: None,
            body: None,
            error: Some(e.to_string()),
        },
        Ok(response) => {
            let status = response.status().as_u16();
            match response.text().await {
                Ok(text) => Attempt {
                    status: Some(status),
                    body: Some(text.chars().take(200).collect()),
                    error: None,
                },
                Err(e) => Attempt {
                    status: Some(status),
                    body: None,
                    error: Some(e.to_string()),
                },
            }
        }
    }
}

/// WeChat wants the bare string `success`; whether whitespace is tolerated is unknown (§13.6).
fn is_success(body: &str, lenient: bool) -> bool {
    if lenient {
        body.trim() == "success"
    } else {
        body == "success"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_bare_word_success_counts_unless_lenient() {
        assert!(is_success("success", false));
        assert!(!is_success("success\n", false));
        assert!(is_success(" success\n", true));
        assert!(!is_success("SUCCESS", true));
        assert!(!is_success("", true));
    }

    #[test]
    fn the_envelope_names_the_component_in_app_id() {
        assert_eq!(
            envelope("wxc", "abc="),
            "<xml><AppId><![CDATA[wxc]]></AppId>\n<Encrypt><![CDATA[abc=]]></Encrypt></xml>"
        );
    }
}
