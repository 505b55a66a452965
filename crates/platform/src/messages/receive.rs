//! Receiving a push at the message URL: verified, decrypted, parsed,
//! recorded with its deliveries before WeChat gets its answer; a
//! synchronous endpoint may answer the user within its budget.

use std::time::{Duration, Instant};

use sha2::{Digest as _, Sha256};
use store::{AuthorizerStatus, MessageDisposition, MessageRecord, NewDelivery, RecordedMessage};
use wechat::crypto::{CryptoError, PushQuery};
use wechat::message::Message;

use super::{MessageGateway, PAYLOAD_CONTEXT, delivery, endpoints, release_check};

/// How long an account's status is trusted from memory (revocations and
/// new authorizations are seen within this).
const ACCOUNT_CACHE_TTL: Duration = Duration::from_secs(2);

/// What WeChat gets back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// The plain string `success`: received, no reply.
    Success,
    /// An empty body: received, a reply follows through the API (the
    /// release check's `QUERY_AUTH_CODE` step asks for exactly this).
    Empty,
    /// An encrypted passive reply envelope.
    Reply(String),
}

/// Why a push was refused (a bare 4xx) or not recorded (5xx: WeChat retries).
#[derive(Debug, thiserror::Error)]
pub enum ReceiveError {
    #[error("push rejected: {0}")]
    Rejected(#[from] CryptoError),
    #[error("the account in the URL is not a valid appid")]
    BadAppid,
    #[error("the push names no account we can identify")]
    UnknownAccount,
    #[error("the message could not be recorded: {0}")]
    Store(#[from] store::StoreError),
}

impl ReceiveError {
    /// Bad input (4xx) rather than our failure (5xx).
    pub fn is_bad_request(&self) -> bool {
        !matches!(self, Self::Store(_))
    }
}

/// A user's key in order keys: their openid, hashed (order keys are not sealed).
fn user_hash(appid: &str, openid: &str) -> String {
    let digest = Sha256::digest(format!("{appid}\n{openid}").as_bytes());
    hex::encode(&digest[..12])
}

fn valid_appid(appid: &str) -> bool {
    (3..=64).contains(&appid.len())
        && appid
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

impl MessageGateway {
    /// Verifies, decrypts, parses and records a push at the message URL,
    /// queues its deliveries, and says what to answer. `path_appid` is the
    /// `$APPID$` of the URL; without it the account is found by the
    /// envelope's `ToUserName`.
    pub async fn receive(
        &self,
        path_appid: Option<&str>,
        query: &PushQuery,
        body: &str,
    ) -> Result<Answer, ReceiveError> {
        if path_appid.is_some_and(|appid| !valid_appid(appid)) {
            return Err(ReceiveError::BadAppid);
        }
        let crypto = self.component.crypto();
        let plaintext = crypto.open_push(query, body)?;
        let message = Message::parse(&plaintext)?;
        let appid = match path_appid {
            Some(appid) => appid.to_owned(),
            None => self
                .appid_of(&message.to_user_name)
                .await?
                .ok_or(ReceiveError::UnknownAccount)?,
        };
        let now = self.clock.now();
        let test_account = self.settings.release_check
            && release_check::test_account(&appid, &message.to_user_name).is_some();
        let account = if test_account {
            None
        } else {
            self.account(&appid).await?
        };
        let (disposition, company_id) = match account {
            _ if test_account => (MessageDisposition::ReleaseCheck, None),
            Some((AuthorizerStatus::Active, company)) => {
                (MessageDisposition::Routed, Some(company))
            }
            Some((_, company)) => (MessageDisposition::NotAuthorized, Some(company)),
            None => (MessageDisposition::NotAuthorized, None),
        };
        // Synchronous endpoints are delivered to by this request (leased to it).
        let mut synchronous = Vec::new();
        let deliveries: Vec<NewDelivery> = if disposition == MessageDisposition::Routed {
            let user = user_hash(&appid, &message.from_user_name);
            let endpoints = match self.endpoints.current().await {
                Ok(endpoints) => endpoints,
                // Not recorded: WeChat delivers it again (nothing lost).
                Err(endpoints::EndpointError::Store(err)) => return Err(err.into()),
                Err(_) => self.endpoints.cached(),
            };
            endpoints
                .iter()
                .filter(|e| e.accepts(company_id, &appid, &message))
                .map(|e| {
                    let leased = e.synchronous.then(|| {
                        synchronous.push(e.clone());
                        (
                            self.instance_id.clone(),
                            now + self.settings.delivery_lease_secs,
                        )
                    });
                    NewDelivery {
                        endpoint_id: e.id,
                        order_key: format!("{}:{appid}:{user}", e.id),
                        leased,
                    }
                })
                .collect()
        } else {
            Vec::new()
        };
        let recorded = self
            .store
            .message_writer()
            .record(MessageRecord {
                dedup_key: format!("{appid}|{}", message.dedup_key()),
                authorizer_appid: appid.clone(),
                company_id,
                msg_type: message.msg_type().to_owned(),
                event: message.event().map(str::to_owned),
                create_time: message.create_time,
                received_at: now,
                disposition,
                payload_sealed: self.vault.seal(PAYLOAD_CONTEXT, &plaintext),
                deliveries,
            })
            .await?;
        let RecordedMessage::New {
            message_id,
            deliveries,
        } = recorded
        else {
            // WeChat's retry of a push we hold: it was answered (or is being
            // answered) already; `success` stops further retries.
            return Ok(Answer::Success);
        };
        if disposition == MessageDisposition::ReleaseCheck {
            return Ok(release_check::respond(self, &appid, &message).await);
        }
        let asynchronous = deliveries.len() > synchronous.len();
        if asynchronous {
            self.queued.notify_one();
        }
        for endpoint in synchronous {
            let Some(&(_, delivery_id)) = deliveries.iter().find(|(e, _)| *e == endpoint.id) else {
                continue;
            };
            if let Some(reply) = delivery::deliver_synchronously(
                self,
                &endpoint,
                delivery_id,
                (message_id, &appid, company_id, now),
                &message,
                &plaintext,
            )
            .await
            {
                return Ok(reply);
            }
        }
        Ok(Answer::Success)
    }

    /// The account's status and company, from memory for a moment.
    async fn account(
        &self,
        appid: &str,
    ) -> Result<Option<(AuthorizerStatus, i64)>, store::StoreError> {
        if let Ok(cache) = self.accounts.lock()
            && let Some((known, at)) = cache.get(appid)
            && at.elapsed() < ACCOUNT_CACHE_TTL
        {
            return Ok(*known);
        }
        let known = self
            .store
            .authorizers()
            .by_appid(appid)
            .await?
            .map(|row| (row.status, row.company_id));
        if let Ok(mut cache) = self.accounts.lock() {
            if cache.len() > 100_000 {
                cache.clear();
            }
            cache.insert(appid.to_owned(), (known, Instant::now()));
        }
        Ok(known)
    }

    /// The appid of the account whose original id (`gh_…`) is `user_name`.
    async fn appid_of(&self, user_name: &str) -> Result<Option<String>, store::StoreError> {
        if let Some(test) = release_check::test_account("", user_name) {
            return Ok(Some(test.appid.to_owned()));
        }
        self.store.authorizers().appid_by_user_name(user_name).await
    }
}
