//! Fault injection per API endpoint: an errcode, a probability, added latency, a
//! hang past the client's timeout, an answer lost after the work was done, or an HTTP 5xx, optionally for a number of calls.

use std::collections::BTreeMap;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use rand::Rng;
use serde::{Deserialize, Serialize};

use crate::wxerror::WxError;

/// What to do to calls of one endpoint (the control API's JSON body).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Fault {
    /// Answer this errcode (HTTP 200) instead of the real result.
    pub errcode: Option<i64>,
    /// Its errmsg; WeChat's own text for known codes when absent.
    pub errmsg: Option<String>,
    /// Chance that a call is affected, 0.0–1.0 (default 1.0).
    pub probability: Option<f64>,
    /// Delay added before answering (the real result follows unless another fault is set).
    pub latency_ms: Option<u64>,
    /// Never answer (until ten minutes pass): the client's timeout fires.
    #[serde(default)]
    pub hang: bool,
    /// Carry the call out (tokens change as asked), then never answer: the
    /// answer is lost on the way, so the client times out not knowing that
    /// WeChat rotated, say, the refresh token.
    #[serde(default)]
    pub lost_answer: bool,
    /// Answer with this HTTP status (e.g. 502) and a non-JSON body.
    pub http_status: Option<u16>,
    /// Affect only this many calls, then remove the fault.
    pub times: Option<u32>,
}

/// What a fault does to one call, after any latency.
#[derive(Debug, Clone, PartialEq)]
pub enum FaultAction {
    Error(WxError),
    Http(u16),
    Hang,
    /// Do the work, then hang.
    LostAnswer,
}

/// A fault that fired: its latency and its action (`None`: latency only).
#[derive(Debug, Clone, PartialEq)]
pub struct Fired {
    pub latency: Option<Duration>,
    pub action: Option<FaultAction>,
}

/// The fault table, keyed by endpoint name (`api_query_auth`) or `*` for all.
#[derive(Debug, Default)]
pub struct Faults {
    table: Mutex<BTreeMap<String, Fault>>,
}

impl Faults {
    /// Set (replace) the fault for an endpoint.
    pub fn set(&self, endpoint: &str, fault: Fault) {
        self.lock().insert(endpoint.to_owned(), fault);
    }

    /// Remove the fault for an endpoint.
    pub fn clear(&self, endpoint: &str) {
        self.lock().remove(endpoint);
    }

    /// Remove every fault.
    pub fn clear_all(&self) {
        self.lock().clear();
    }

    /// The current table.
    pub fn list(&self) -> BTreeMap<String, Fault> {
        self.lock().clone()
    }

    /// Roll the dice for one call of `endpoint`; counts down `times`.
    pub fn fire(&self, endpoint: &str) -> Option<Fired> {
        let mut table = self.lock();
        let key = if table.contains_key(endpoint) {
            endpoint
        } else {
            "*"
        };
        let fault = table.get_mut(key)?;
        let p = fault.probability.unwrap_or(1.0).clamp(0.0, 1.0);
        if !rand::thread_rng().gen_bool(p) {
            return None;
        }
        let action = if fault.hang {
            Some(FaultAction::Hang)
        } else if fault.lost_answer {
            Some(FaultAction::LostAnswer)
        } else if let Some(status) = fault.http_status {
            Some(FaultAction::Http(status))
        } else {
            fault
                .errcode
                .map(|code| match &fault.errmsg {
                    Some(msg) => WxError::new(code, msg.clone()),
                    None => WxError::from_code(code),
                })
                .map(FaultAction::Error)
        };
        let fired = Fired {
            latency: fault.latency_ms.map(Duration::from_millis),
            action,
        };
        if let Some(times) = fault.times.as_mut() {
            *times = times.saturating_sub(1);
            if *times == 0 {
                let key = key.to_owned();
                table.remove(&key);
            }
        }
        Some(fired)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<String, Fault>> {
        self.table.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_errcode_fault_fires_with_wechats_wording() {
        let faults = Faults::default();
        faults.set(
            "api_query_auth",
            Fault {
                errcode: Some(-1),
                ..Fault::default()
            },
        );
        let fired = faults.fire("api_query_auth").unwrap();
        assert_eq!(
            fired.action,
            Some(FaultAction::Error(WxError::new(-1, "system error")))
        );
        assert!(faults.fire("api_component_token").is_none());
    }

    #[test]
    fn a_counted_fault_disappears_after_its_calls() {
        let faults = Faults::default();
        faults.set(
            "*",
            Fault {
                http_status: Some(502),
                times: Some(2),
                ..Fault::default()
            },
        );
        assert!(faults.fire("a").is_some());
        assert!(faults.fire("b").is_some());
        assert!(faults.fire("c").is_none());
    }

    #[test]
    fn probability_zero_never_fires() {
        let faults = Faults::default();
        faults.set(
            "x",
            Fault {
                hang: true,
                probability: Some(0.0),
                ..Fault::default()
            },
        );
        assert!((0..100).all(|_| faults.fire("x").is_none()));
    }

    #[test]
    fn latency_alone_lets_the_call_through() {
        let faults = Faults::default();
        faults.set(
            "x",
            Fault {
                latency_ms: Some(5),
                ..Fault::default()
            },
        );
        let fired = faults.fire("x").unwrap();
        assert_eq!(fired.latency, Some(Duration::from_millis(5)));
        assert_eq!(fired.action, None);
    }
}
