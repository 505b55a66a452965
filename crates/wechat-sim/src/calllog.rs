//! The call log: every API call with its parameters and result, so tests can
//! assert, for example, that a token was refreshed exactly once.

use std::collections::BTreeMap;
use std::sync::{Mutex, PoisonError};

use serde::Serialize;
use serde_json::Value;

/// One API call.
#[derive(Debug, Clone, Serialize)]
pub struct CallRecord {
    pub seq: u64,
    /// Emulator time of the call.
    pub at: i64,
    /// Endpoint name, e.g. `api_authorizer_token`.
    pub endpoint: String,
    pub query: BTreeMap<String, String>,
    /// The body as JSON, or as a string when it was not JSON.
    pub body: Value,
    pub http_status: u16,
    /// 0 for success.
    pub errcode: i64,
    /// The JSON answered (`null` for a non-JSON answer).
    pub response: Value,
    /// The injected fault, if one fired.
    pub fault: Option<String>,
}

/// The bounded call log, newest last.
#[derive(Debug, Default)]
pub struct CallLog {
    records: Mutex<(u64, Vec<CallRecord>)>,
}

const KEEP: usize = 10_000;

impl CallLog {
    /// Append a call, assigning its sequence number.
    pub fn record(&self, mut record: CallRecord) {
        let mut guard = self.records.lock().unwrap_or_else(PoisonError::into_inner);
        guard.0 += 1;
        record.seq = guard.0;
        guard.1.push(record);
        if guard.1.len() > KEEP {
            let excess = guard.1.len() - KEEP;
            guard.1.drain(..excess);
        }
    }

    /// Takes every call logged so far, oldest first, leaving the log empty
    /// (a long run reads the log in pieces without losing any).
    pub fn drain(&self) -> Vec<CallRecord> {
        let mut guard = self.records.lock().unwrap_or_else(PoisonError::into_inner);
        std::mem::take(&mut guard.1)
    }

    /// Calls, oldest first, optionally only those of one endpoint.
    pub fn list(&self, endpoint: Option<&str>) -> Vec<CallRecord> {
        let guard = self.records.lock().unwrap_or_else(PoisonError::into_inner);
        guard
            .1
            .iter()
            .filter(|r| endpoint.is_none_or(|e| r.endpoint == e))
            .cloned()
            .collect()
    }

    /// Forget every call.
    pub fn clear(&self) {
        self.records
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .1
            .clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(endpoint: &str) -> CallRecord {
        CallRecord {
            seq: 0,
            at: 0,
            endpoint: endpoint.to_owned(),
            query: BTreeMap::new(),
            body: Value::Null,
            http_status: 200,
            errcode: 0,
            response: Value::Null,
            fault: None,
        }
    }

    #[test]
    fn calls_are_numbered_and_filterable_by_endpoint() {
        let log = CallLog::default();
        log.record(call("a"));
        log.record(call("b"));
        log.record(call("a"));
        let a = log.list(Some("a"));
        assert_eq!(a.iter().map(|r| r.seq).collect::<Vec<_>>(), vec![1, 3]);
        log.clear();
        assert!(log.list(None).is_empty());
    }
}
