//! The [`Simulator`] handle: shared state, config, clock, logs, and the operations
//! that cut across modules (persisting, pushing events, serving).

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};

use wechat::crypto::MessageCrypto;

use crate::accounts::demo_accounts;
use crate::calllog::CallLog;
use crate::config::EventPushTiming;
use crate::faults::Faults;
use crate::push::{self, Event, PushLog, PushRecord};
use crate::state::State;
use crate::{Clock, SimConfig, SimError};

/// The emulator. Cheap to clone: everything lives behind one `Arc`.
#[derive(Clone)]
pub struct Simulator {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub config: SimConfig,
    pub clock: Clock,
    // A std mutex: never held across an await, and every critical section is short.
    pub state: Mutex<State>,
    pub crypto: MessageCrypto,
    pub http: reqwest::Client,
    pub faults: Faults,
    pub calls: CallLog,
    pub pushes: PushLog,
    /// The message URL's memory (conversations, MarkFail, custom messages).
    pub messages: crate::messages::MessageMemory,
}

impl std::fmt::Debug for Simulator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Simulator")
            .field("component_appid", &self.inner.config.component_appid)
            .finish_non_exhaustive()
    }
}

impl Simulator {
    /// Build the emulator, loading the state file if one is configured and exists.
    pub fn new(config: SimConfig) -> Result<Simulator, SimError> {
        let crypto = MessageCrypto::new(
            &config.token,
            &config.encoding_aes_key,
            &config.component_appid,
        )
        .map_err(|e| SimError::Config(format!("token / EncodingAESKey / appid: {e}")))?;
        let state = match &config.state_file {
            Some(path) => State::load(path)?,
            None => State::default(),
        };
        let http = reqwest::Client::builder()
            .build()
            .map_err(|e| SimError::Config(format!("HTTP client: {e}")))?;
        Ok(Simulator {
            inner: Arc::new(Inner {
                clock: Clock::with_offset(state.clock_offset),
                state: Mutex::new(state),
                config,
                crypto,
                http,
                faults: Faults::default(),
                calls: CallLog::default(),
                pushes: PushLog::default(),
                messages: Default::default(),
            }),
        })
    }

    /// The configuration it runs with.
    pub fn config(&self) -> &SimConfig {
        &self.inner.config
    }

    /// The clock every expiry is judged by; tests advance it.
    pub fn clock(&self) -> &Clock {
        &self.inner.clock
    }

    /// The call log (every API call with parameters and result).
    pub fn calls(&self) -> &CallLog {
        &self.inner.calls
    }

    /// Every push sent, with its delivery attempts.
    pub fn pushes(&self) -> &PushLog {
        &self.inner.pushes
    }

    /// Per-endpoint fault injection.
    pub fn faults(&self) -> &Faults {
        &self.inner.faults
    }

    /// Add the demo accounts (existing appids are kept as they are).
    pub fn seed_demo_accounts(&self) {
        self.with_state(|state, _| state.add_accounts(demo_accounts()));
    }

    /// Run `f` on the state under the lock, then save the state file if configured.
    pub fn with_state<R>(&self, f: impl FnOnce(&mut State, i64) -> R) -> R {
        let mut state = self
            .inner
            .state
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let result = f(&mut state, self.inner.clock.now());
        if let Some(path) = &self.inner.config.state_file {
            state.clock_offset = self.inner.clock.offset_secs();
            // A failed save must not fail the request that changed the state: log it.
            if let Err(e) = state.save(path) {
                tracing::warn!(error = %e, "could not save emulator state");
            }
        }
        result
    }

    /// Read the state without saving.
    pub fn read_state<R>(&self, f: impl FnOnce(&State) -> R) -> R {
        let state = self
            .inner
            .state
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        f(&state)
    }

    /// Push an event now (with retries) and log it.
    pub async fn push_event(&self, event: &Event) -> PushRecord {
        let config = &self.inner.config;
        let now = self.inner.clock.now();
        let xml = event.to_xml(&config.component_appid, now);
        let (delivered, attempts) = match &config.push_url {
            Some(url) => {
                push::deliver(
                    &self.inner.http,
                    url,
                    &self.inner.crypto,
                    &config.push,
                    &xml,
                    now,
                )
                .await
            }
            None => (false, Vec::new()),
        };
        if delivered {
            tracing::debug!(info_type = event.info_type(), "push delivered");
        } else if config.push_url.is_some() {
            tracing::warn!(
                info_type = event.info_type(),
                "push not acknowledged with success"
            );
        }
        self.inner.pushes.record(PushRecord {
            seq: 0,
            at: now,
            info_type: event.info_type().to_owned(),
            authorizer_appid: event.authorizer_appid().map(str::to_owned),
            xml,
            url: config.push_url.as_ref().map(ToString::to_string),
            delivered,
            attempts,
        })
    }

    /// Push an authorization event per the configured timing (before the redirect, or in the background).
    pub(crate) async fn dispatch_event(&self, event: Event) {
        match self.inner.config.behaviour.event_push_timing {
            EventPushTiming::BeforeRedirect => {
                self.push_event(&event).await;
            }
            EventPushTiming::Background { delay } => {
                let sim = self.clone();
                tokio::spawn(async move {
                    tokio::time::sleep(delay).await;
                    sim.push_event(&event).await;
                });
            }
        }
    }

    /// Mint a ticket and push it now (unless WeChat has "stopped" pushing), counting failures.
    pub async fn push_ticket_now(&self) -> PushRecord {
        let config = &self.inner.config;
        let ticket = self.with_state(|state, now| state.issue_ticket(now, config));
        let record = self
            .push_event(&Event::ComponentVerifyTicket { ticket })
            .await;
        if config.push_url.is_some() {
            let threshold = config.push.stop_after_failed_ticket_pushes;
            self.with_state(|state, _| {
                if record.delivered {
                    state.failed_ticket_pushes = 0;
                } else {
                    state.failed_ticket_pushes += 1;
                    if threshold.is_some_and(|t| state.failed_ticket_pushes >= t) {
                        state.ticket_push_stopped = true;
                    }
                }
            });
        }
        record
    }

    /// Push `component_verify_ticket` now and every [`SimConfig::ticket_interval`] of
    /// emulator time (so advancing the clock past the interval triggers a push).
    pub fn spawn_ticket_pusher(&self) -> tokio::task::JoinHandle<()> {
        tokio::spawn(push::ticket::run(self.clone()))
    }

    /// Serve the router on `listener` until the task is dropped. Provides the caller's
    /// address to the IP whitelist check.
    pub async fn serve(self, listener: tokio::net::TcpListener) -> Result<(), SimError> {
        let app = self
            .router()
            .into_make_service_with_connect_info::<SocketAddr>();
        axum::serve(listener, app).await.map_err(SimError::Io)
    }

    /// Everything on one listener: the API, both authorization pages, the control API.
    pub fn router(&self) -> axum::Router {
        axum::Router::new()
            .merge(crate::api::routes())
            .merge(crate::pages::routes())
            .nest("/__sim", crate::control::routes())
            // A nested "/" only matches "/__sim"; serve the index with the slash too.
            .route("/__sim", axum::routing::get(crate::control::index))
            .route("/__sim/", axum::routing::get(crate::control::index))
            .with_state(self.clone())
    }
}
