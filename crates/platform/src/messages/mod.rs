//! The message gateway: every authorized account's messages and events at
//! the message URL (消息与事件接收URL), recorded durably before WeChat gets
//! its answer, then delivered to the operator's webhook endpoints
//! ([`delivery`]) or answered by the release-check responder
//! ([`release_check`]). A synchronous endpoint may answer the user itself,
//! within its budget, with a passive reply.

pub mod delivery;
pub mod endpoints;
mod receive;
pub mod release_check;
pub mod signing;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use store::{AuthorizerStatus, Store};
use tokio::sync::Notify;

use crate::clock::Clock;
use crate::component::ComponentService;
use crate::vault::Vault;
pub use endpoints::{Endpoint, EndpointError, EndpointRequest, WebhookEndpoints};
pub use receive::{Answer, ReceiveError};
pub use store::{DeliveryRow, DeliveryState, EndpointState, ReleaseCheckStep, ReleaseCheckStepRow};

/// The vault context message payloads are sealed under.
pub(crate) const PAYLOAD_CONTEXT: &str = "message_payload";

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
pub(crate) type AccountCache = HashMap<String, (Option<(AuthorizerStatus, i64)>, Instant)>;

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
    pub(crate) accounts: Arc<Mutex<AccountCache>>,
    pub(crate) instance_id: String,
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
