//! Webhook endpoints: registering them (validated, the signing secret
//! generated and sealed), turning them off, and which receive a message.

use std::sync::{Arc, RwLock};

use store::{EndpointState, NewEndpoint, Store, WebhookEndpointRow};
use wechat::message::Message;

use crate::clock::Clock;
use crate::vault::Vault;

/// A synchronous endpoint's reply budget: WeChat waits 5 s in all.
pub const MAX_REPLY_BUDGET_MS: i64 = 4000;
pub const DEFAULT_REPLY_BUDGET_MS: i64 = 3000;
pub const DEFAULT_MAX_IN_FLIGHT: i64 = 16;

/// What an admin asks for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EndpointRequest {
    /// `None`: every company's accounts.
    pub company_id: Option<i64>,
    pub url: String,
    /// Empty lists accept everything.
    pub appids: Vec<String>,
    pub msg_types: Vec<String>,
    pub events: Vec<String>,
    pub synchronous: bool,
    /// Milliseconds; `None` for the default.
    pub reply_budget_ms: Option<i64>,
    pub max_in_flight: Option<i64>,
}

/// Why an endpoint was refused.
#[derive(Debug, thiserror::Error)]
pub enum EndpointError {
    #[error("the URL must start with http:// or https:// and name a host")]
    BadUrl,
    #[error("the reply budget must be between 100 and {MAX_REPLY_BUDGET_MS} ms")]
    BadBudget,
    #[error("at most 1 to 256 deliveries at once")]
    BadConcurrency,
    #[error("no such company")]
    NoSuchCompany,
    #[error("no such endpoint")]
    NotFound,
    #[error(transparent)]
    Store(#[from] store::StoreError),
}

/// An endpoint as the gateway uses it (filters parsed, secret opened).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    pub id: i64,
    pub company_id: Option<i64>,
    pub url: String,
    pub secret: String,
    pub appids: Vec<String>,
    pub msg_types: Vec<String>,
    pub events: Vec<String>,
    pub synchronous: bool,
    pub reply_budget_ms: i64,
    pub max_in_flight: i64,
    pub state: EndpointState,
    pub created_at: i64,
}

impl Endpoint {
    /// Whether a message of `company_id`'s account `appid` goes here. The
    /// event filter applies to events; with events listed and no message
    /// type, only those events come.
    pub fn accepts(&self, company_id: Option<i64>, appid: &str, message: &Message) -> bool {
        let listed = |list: &[String], value: &str| list.iter().any(|l| l == value);
        let type_ok = if self.msg_types.is_empty() {
            self.events.is_empty() || message.event().is_some()
        } else {
            listed(&self.msg_types, message.msg_type())
        };
        let event_ok = message
            .event()
            .is_none_or(|event| self.events.is_empty() || listed(&self.events, event));
        self.state == EndpointState::Active
            && (self.company_id.is_none() || self.company_id == company_id)
            && (self.appids.is_empty() || listed(&self.appids, appid))
            && type_ok
            && event_ok
    }
}

fn secret_context(id_hint: &str) -> String {
    format!("webhook_secret:{id_hint}")
}

fn list(json: Option<&str>) -> Vec<String> {
    json.and_then(|j| serde_json::from_str(j).ok())
        .unwrap_or_default()
}

fn json_list(values: &[String]) -> Option<String> {
    let cleaned: Vec<&str> = values
        .iter()
        .map(|v| v.trim())
        .filter(|v| !v.is_empty())
        .collect();
    (!cleaned.is_empty()).then(|| serde_json::to_string(&cleaned).unwrap_or_default())
}

/// Endpoints: the admin's operations and the gateway's cached view.
#[derive(Debug, Clone)]
pub struct WebhookEndpoints {
    store: Store,
    vault: Vault,
    clock: Clock,
    /// Every endpoint, as last read (refreshed on every change here and by
    /// the delivery worker's loop, for changes made on other instances).
    cache: Arc<RwLock<Arc<Vec<Endpoint>>>>,
    /// Whether the cache was read at all: until then it is read on demand,
    /// so a message received at start-up is not routed to no endpoint.
    loaded: Arc<std::sync::atomic::AtomicBool>,
}

impl WebhookEndpoints {
    pub(crate) fn new(store: Store, vault: Vault, clock: Clock) -> Self {
        Self {
            store,
            vault,
            clock,
            cache: Arc::default(),
            loaded: Arc::default(),
        }
    }

    /// Registers an endpoint; its signing secret (`whsec_` + 32 random bytes
    /// in hex), shown once, is returned beside it.
    pub async fn create(
        &self,
        request: EndpointRequest,
    ) -> Result<(Endpoint, String), EndpointError> {
        let url = request.url.trim();
        let parsed = url::Url::parse(url).map_err(|_| EndpointError::BadUrl)?;
        if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
            return Err(EndpointError::BadUrl);
        }
        let budget = request.reply_budget_ms.unwrap_or(DEFAULT_REPLY_BUDGET_MS);
        if !(100..=MAX_REPLY_BUDGET_MS).contains(&budget) {
            return Err(EndpointError::BadBudget);
        }
        let in_flight = request.max_in_flight.unwrap_or(DEFAULT_MAX_IN_FLIGHT);
        if !(1..=256).contains(&in_flight) {
            return Err(EndpointError::BadConcurrency);
        }
        if let Some(company) = request.company_id
            && self.store.companies().get(company).await?.is_none()
        {
            return Err(EndpointError::NoSuchCompany);
        }
        let secret = format!("whsec_{}", hex::encode(rand::random::<[u8; 32]>()));
        // Sealed under the URL: an id does not exist before the insert.
        let sealed = self.vault.seal(&secret_context(url), &secret);
        let (appids, msg_types, events) = (
            json_list(&request.appids),
            json_list(&request.msg_types),
            json_list(&request.events),
        );
        let row = self
            .store
            .webhook_endpoints()
            .insert(NewEndpoint {
                company_id: request.company_id,
                url,
                secret_sealed: &sealed,
                appids: appids.as_deref(),
                msg_types: msg_types.as_deref(),
                events: events.as_deref(),
                synchronous: request.synchronous,
                reply_budget_ms: budget,
                max_in_flight: in_flight,
                now: self.clock.now(),
            })
            .await?;
        self.reload().await?;
        Ok((self.open(row)?, secret))
    }

    fn open(&self, row: WebhookEndpointRow) -> Result<Endpoint, EndpointError> {
        let secret = self
            .vault
            .open(&secret_context(&row.url), &row.secret_sealed)
            .map_err(|_| EndpointError::NotFound)?;
        Ok(Endpoint {
            id: row.id,
            company_id: row.company_id,
            url: row.url,
            secret,
            appids: list(row.appids.as_deref()),
            msg_types: list(row.msg_types.as_deref()),
            events: list(row.events.as_deref()),
            synchronous: row.synchronous,
            reply_budget_ms: row.reply_budget_ms.min(MAX_REPLY_BUDGET_MS),
            max_in_flight: row.max_in_flight,
            state: row.state,
            created_at: row.created_at,
        })
    }

    /// Rereads every endpoint into the cache.
    pub async fn reload(&self) -> Result<Arc<Vec<Endpoint>>, EndpointError> {
        let rows = self.store.webhook_endpoints().all().await?;
        let endpoints = Arc::new(
            rows.into_iter()
                .filter_map(|row| self.open(row).ok())
                .collect::<Vec<_>>(),
        );
        if let Ok(mut cache) = self.cache.write() {
            *cache = endpoints.clone();
        }
        self.loaded
            .store(true, std::sync::atomic::Ordering::Release);
        Ok(endpoints)
    }

    /// The cached endpoints (empty until the first reload).
    pub fn cached(&self) -> Arc<Vec<Endpoint>> {
        self.cache.read().map(|c| c.clone()).unwrap_or_default()
    }

    /// The endpoints to route by: the cache, read first if it never was.
    pub async fn current(&self) -> Result<Arc<Vec<Endpoint>>, EndpointError> {
        if self.loaded.load(std::sync::atomic::Ordering::Acquire) {
            Ok(self.cached())
        } else {
            self.reload().await
        }
    }

    /// Every endpoint, read now.
    pub async fn list(&self) -> Result<Arc<Vec<Endpoint>>, EndpointError> {
        self.reload().await
    }

    pub async fn set_active(&self, id: i64, active: bool) -> Result<(), EndpointError> {
        let state = if active {
            EndpointState::Active
        } else {
            EndpointState::Disabled
        };
        if !self
            .store
            .webhook_endpoints()
            .set_state(id, state, self.clock.now())
            .await?
        {
            return Err(EndpointError::NotFound);
        }
        self.reload().await?;
        Ok(())
    }

    /// Deletes an endpoint with its queue and log.
    pub async fn delete(&self, id: i64) -> Result<(), EndpointError> {
        if !self.store.webhook_endpoints().delete(id).await? {
            return Err(EndpointError::NotFound);
        }
        self.reload().await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wechat::message::{Event, MessageKind};

    fn endpoint(msg_types: &[&str], events: &[&str]) -> Endpoint {
        Endpoint {
            id: 1,
            company_id: Some(7),
            url: "https://x".into(),
            secret: "s".into(),
            appids: vec!["wxa".into()],
            msg_types: msg_types.iter().map(|s| (*s).to_owned()).collect(),
            events: events.iter().map(|s| (*s).to_owned()).collect(),
            synchronous: false,
            reply_budget_ms: 3000,
            max_in_flight: 16,
            state: EndpointState::Active,
            created_at: 0,
        }
    }

    fn message(kind: MessageKind) -> Message {
        Message {
            to_user_name: "gh".into(),
            from_user_name: "o".into(),
            create_time: 1,
            kind,
        }
    }

    #[test]
    fn filters_by_company_account_type_and_event() {
        let text = message(MessageKind::Text {
            msg_id: None,
            content: "x".into(),
        });
        let subscribe = message(MessageKind::Event {
            event: Event::Subscribe {
                event_key: None,
                ticket: None,
            },
        });
        let click = message(MessageKind::Event {
            event: Event::Click { event_key: None },
        });
        let all = endpoint(&[], &[]);
        assert!(all.accepts(Some(7), "wxa", &text) && all.accepts(Some(7), "wxa", &click));
        assert!(!all.accepts(Some(8), "wxa", &text), "another company");
        assert!(!all.accepts(Some(7), "wxb", &text), "another account");
        // Events listed, no type: only those events.
        let subscribes = endpoint(&[], &["subscribe"]);
        assert!(subscribes.accepts(Some(7), "wxa", &subscribe));
        assert!(!subscribes.accepts(Some(7), "wxa", &click));
        assert!(!subscribes.accepts(Some(7), "wxa", &text));
        // Types and events: texts, and of the events only those listed.
        let texts_and_subscribes = endpoint(&["text", "event"], &["subscribe"]);
        assert!(texts_and_subscribes.accepts(Some(7), "wxa", &text));
        assert!(texts_and_subscribes.accepts(Some(7), "wxa", &subscribe));
        assert!(!texts_and_subscribes.accepts(Some(7), "wxa", &click));
        // Types only.
        let events_only = endpoint(&["event"], &[]);
        assert!(events_only.accepts(Some(7), "wxa", &click));
        assert!(!events_only.accepts(Some(7), "wxa", &text));
        let mut disabled = all.clone();
        disabled.state = EndpointState::Disabled;
        assert!(!disabled.accepts(Some(7), "wxa", &text));
        let mut everyone = all;
        everyone.company_id = None;
        assert!(everyone.accepts(None, "wxa", &text) && everyone.accepts(Some(9), "wxa", &text));
    }
}
