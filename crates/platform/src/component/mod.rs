//! The component (the third-party platform itself): ingesting the pushes
//! WeChat sends to the authorization event URL, and keeping the
//! `component_access_token` fresh ahead of expiry from the newest ticket.

pub mod backoff;
mod push;
mod token;

pub use push::{PushOutcome, PushRejected};
pub use token::{
    ComponentCallError, ComponentTokenError, ComponentTokenState, ComponentTokenStatus,
    RefreshOutcome,
};

use std::sync::Arc;

use store::Store;
use tokio::sync::{Mutex, Notify};
use wechat::client::ComponentClient;
use wechat::crypto::MessageCrypto;

use crate::clock::Clock;
use crate::vault::Vault;

/// Everything the component use cases need; cheap to clone.
#[derive(Clone)]
pub struct ComponentService {
    inner: Arc<Inner>,
}

struct Inner {
    store: Store,
    vault: Vault,
    client: ComponentClient,
    crypto: MessageCrypto,
    clock: Clock,
    /// Names this process in database leases.
    instance_id: String,
    /// In-process single flight; the database lease covers other instances.
    refreshing: Mutex<()>,
    /// Wakes the refresher when a ticket arrives…
    ticket_arrived: Notify,
    /// …if it is waiting for one (at start, or after a ticket error); otherwise
    /// tickets, which arrive every 10 minutes and in bursts of retries, need not wake it.
    needs_ticket: std::sync::atomic::AtomicBool,
    /// Failures in a row and when the refresher may try again (in memory:
    /// a restart tries at once, which is what an operator restarting wants).
    backoff: std::sync::Mutex<Backoff>,
    /// When this process last asked WeChat to push a ticket (unix seconds, 0: never).
    ticket_requested_at: std::sync::atomic::AtomicI64,
}

/// The refresher's state after failures.
#[derive(Debug, Default, Clone, Copy)]
struct Backoff {
    failures: u32,
    next_attempt_at: i64,
}

impl std::fmt::Debug for ComponentService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ComponentService")
            .field("component_appid", &self.inner.client.component_appid())
            .field("instance_id", &self.inner.instance_id)
            .finish_non_exhaustive()
    }
}

impl ComponentService {
    pub fn new(
        store: Store,
        vault: Vault,
        client: ComponentClient,
        crypto: MessageCrypto,
        clock: Clock,
        instance_id: String,
    ) -> Self {
        Self {
            inner: Arc::new(Inner {
                store,
                vault,
                client,
                crypto,
                clock,
                instance_id,
                refreshing: Mutex::new(()),
                ticket_arrived: Notify::new(),
                needs_ticket: std::sync::atomic::AtomicBool::new(true),
                backoff: std::sync::Mutex::default(),
                ticket_requested_at: std::sync::atomic::AtomicI64::new(0),
            }),
        }
    }

    pub fn component_appid(&self) -> &str {
        self.inner.client.component_appid()
    }

    /// The component's message crypto (both push URLs and passive replies use it).
    pub fn crypto(&self) -> &MessageCrypto {
        &self.inner.crypto
    }

    pub fn client(&self) -> &ComponentClient {
        &self.inner.client
    }

    pub fn clock(&self) -> &Clock {
        &self.inner.clock
    }

    fn token_context(&self) -> String {
        format!("component_access_token:{}", self.component_appid())
    }

    fn ticket_context(&self) -> String {
        format!("component_verify_ticket:{}", self.component_appid())
    }
}
