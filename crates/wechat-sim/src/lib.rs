//! WeChat emulator: WeChat's side of the Open Platform third-party platform
//! (第三方平台) protocol, for tests, local development and Weiqiao's sandbox mode.
//!
//! One [`axum::Router`] serves everything a platform talks to:
//! - the component API under `/cgi-bin/component/…` ([`api`]),
//! - the authorization pages `/cgi-bin/componentloginpage` and
//!   `/wxaopen/safe/bindcomponent` ([`pages`]),
//! - the control API under `/__sim/` ([`control`]),
//!
//! and a background task pushes encrypted `component_verify_ticket`s and
//! authorization events to the platform's event URL ([`push`]).
//!
//! The emulator shares only the wire types and the message crypto with the
//! `wechat` client crate; everything WeChat *does* is implemented here, so the
//! client is tested against an independent implementation.
//!
//! ```no_run
//! # async fn demo() -> Result<(), wechat_sim::SimError> {
//! use wechat_sim::{SimConfig, Simulator};
//! let config = SimConfig::new("wx0123456789abcdef", "secret", "token",
//!     "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG");
//! let sim = Simulator::new(config)?;
//! sim.seed_demo_accounts();
//! let _pusher = sim.spawn_ticket_pusher();
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:4000").await.map_err(wechat_sim::SimError::Io)?;
//! sim.serve(listener).await
//! # }
//! ```

pub mod accounts;
mod api;
pub mod calllog;
pub mod clock;
pub mod config;
mod control;
mod error;
pub mod fast_register;
pub mod faults;
mod html;
pub mod messages;
mod pages;
pub mod push;
mod simulator;
pub mod state;
#[cfg(test)]
mod testutil;
mod tokens;
pub mod wxerror;

pub use clock::Clock;
pub use config::{
    AuthCodeReuse, Behaviour, EventPushTiming, FastRegisterPushStyle, Lifetimes, MessagePolicy,
    PushPolicy, RefreshTokenRotation, ReleaseCheckCode, SimConfig,
};
pub use error::SimError;
pub use simulator::Simulator;
