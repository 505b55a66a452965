//! The message gateway: every authorized account's messages and events at
//! the message URL (消息与事件接收URL), recorded durably before WeChat gets
//! its answer, then delivered to the operator's webhook endpoints
//! ([`delivery`]) or answered by the release-check responder
//! ([`release_check`]). A synchronous endpoint may answer the user itself,
//! within its budget, with a passive reply.

pub mod delivery;
pub mod endpoints;
pub mod release_check;
pub mod signing;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use sha2::{Digest as _, Sha256};
use store::{
    AuthorizerStatus, MessageDisposition, MessageRecord, NewDelivery, RecordedMessage, Store,
};
use tokio::sync::Notify;
use wechat::crypto::{CryptoError, PushQuery};
use wechat::message::Message;

use crate::clock::Clock;
use crate::component::ComponentService;
use crate::vault::Vault;
pub use endpoints::{Endpoint, EndpointError, EndpointRequest, WebhookEndpoints};
pub use store::{DeliveryRow, DeliveryState, EndpointState, ReleaseCheckStep, ReleaseCheckStepRow};

/// The vault context message payloads are sealed under.
pub(crate) const PAYLOAD_CONTEXT: &str = "message_payload";

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

/// Settings of the gateway.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GatewaySettings {
    /// The built-in 全网发布 responder (`WEIQIAO_RELEASE_CHECK`, on by default).
    pub release_check: bool,
    /// `WEIQIAO_MESSAGE_RETENTION_DAYS`: messages are purged after this.
    pub retention_days: i64,
    /// `WEIQIAO_DELIVERY_LEASE_SECS`: how long a claimed delivery is an
    /// instance's; a crashed instance's deliveries go out again after it.
    /// Longer than a delivery's 10 s timeout, so none is sent twice in flight.
    pub delivery_lease_secs: i64,
}

impl Default for GatewaySettings {
    fn default() -> Self {
        Self {
            release_check: true,
            retention_days: 7,
            delivery_lease_secs: delivery::LEASE_SECS,
        }
    }
}

/// Cached facts about an account: (status, company) and when read.
type AccountCache = HashMap<String, (Option<(AuthorizerStatus, i64)>, Instant)>;

/// The gateway's state, shared by every clone.
#[derive(Debug, Clone)]
pub struct MessageGateway {
    pub(crate) store: Store,
    pub(crate) vault: Vault,
    pub(crate) component: ComponentService,
    pub(crate) clock: Clock,
    pub(crate) settings: GatewaySettings,
    pub(crate) endpoints: WebhookEndpoints,
    pub(crate) http: reqwest::Client,
    /// Wakes the delivery worker when deliveries were queued.
    pub(crate) queued: Arc<Notify>,
    accounts: Arc<Mutex<AccountCache>>,
    pub(crate) instance_id: String,
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
    pub(crate) fn new(
        store: Store,
        vault: Vault,
        component: ComponentService,
        settings: GatewaySettings,
        instance_id: String,
    ) -> Self {
        let clock = component.clock().clone();
        Self {
            endpoints: WebhookEndpoints::new(store.clone(), vault.clone(), clock.clone()),
            store,
            vault,
            component,
            clock,
            settings,
            http: reqwest::Client::builder()
                .timeout(delivery::REQUEST_TIMEOUT)
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap_or_default(),
            queued: Arc::default(),
            accounts: Arc::default(),
            instance_id,
        }
    }

    pub fn endpoints(&self) -> &WebhookEndpoints {
        &self.endpoints
    }

    pub fn settings(&self) -> &GatewaySettings {
        &self.settings
    }

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

    /// Makes a dead delivery pending again (with a new 24 h window); whether it was dead.
    pub async fn replay(&self, delivery_id: i64) -> Result<bool, store::StoreError> {
        let replayed = self
            .store
            .deliveries()
            .replay(delivery_id, self.clock.now())
            .await?;
        if replayed {
            self.queued.notify_one();
        }
        Ok(replayed)
    }

    /// An endpoint's deliveries by state: (pending, delivered, dead).
    pub async fn delivery_counts(
        &self,
        endpoint_id: i64,
    ) -> Result<(i64, i64, i64), store::StoreError> {
        self.store.deliveries().counts(endpoint_id).await
    }

    /// An endpoint's newest deliveries, of one state if given.
    pub async fn deliveries(
        &self,
        endpoint_id: i64,
        state: Option<DeliveryState>,
        limit: i64,
    ) -> Result<Vec<DeliveryRow>, store::StoreError> {
        self.store
            .deliveries()
            .for_endpoint(endpoint_id, state, None, limit)
            .await
    }

    /// Sandbox mode: asks the built-in emulator to play WeChat's release
    /// check against this server; its items (name, passed, why).
    pub async fn run_sandbox_release_check(
        &self,
        group: u8,
        kind: &str,
    ) -> Result<Vec<(String, bool, Option<String>)>, String> {
        let base = &self.component.client().config().api_base;
        let answer: serde_json::Value = self
            .http
            .post(format!(
                "{}/__sim/release-check",
                base.trim_end_matches('/')
            ))
            .timeout(Duration::from_secs(60))
            .json(&serde_json::json!({ "group": group, "kind": kind }))
            .send()
            .await
            .map_err(|e| e.to_string())?
            .json()
            .await
            .map_err(|e| e.to_string())?;
        let items = answer["items"]
            .as_array()
            .ok_or("the emulator gave no items")?;
        Ok(items
            .iter()
            .map(|item| {
                (
                    item["name"].as_str().unwrap_or_default().to_owned(),
                    item["passed"].as_bool().unwrap_or(false),
                    item["why"].as_str().map(str::to_owned),
                )
            })
            .collect())
    }

    /// Deletes messages older than the retention period; how many.
    pub async fn purge_expired(&self) -> Result<u64, store::StoreError> {
        let before = self.clock.now() - self.settings.retention_days * 24 * 3600;
        self.store.messages().purge_received_before(before).await
    }
}
