//! When processing a push is tried again: transient failures back off
//! (30 s doubling to 30 min), permanent ones and the 8th transient one end in
//! `failed`, which operators see.

use store::EventAttemptEnd;

/// Attempts before a push whose processing keeps failing is marked failed
/// (about an hour in all: an authorization code lives 3600 s).
pub const MAX_ATTEMPTS: i64 = 8;
/// The first retry's delay; each retry doubles it up to [`MAX_RETRY_DELAY_SECS`].
pub const FIRST_RETRY_DELAY_SECS: i64 = 30;
pub const MAX_RETRY_DELAY_SECS: i64 = 30 * 60;
/// How long a worker holds a push it claimed; a push held by a crashed worker
/// is due again after this.
pub const LEASE_SECS: i64 = 120;

/// Why processing a push failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EventError {
    /// Worth another try later: WeChat or the database did not answer.
    #[error("{0}")]
    Transient(String),
    /// Another try would end the same way.
    #[error("{0}")]
    Permanent(String),
}

/// The delay before the attempt after attempt number `attempt` (1-based).
pub fn retry_delay(attempt: i64) -> i64 {
    let doublings = u32::try_from(attempt.saturating_sub(1).clamp(0, 16)).unwrap_or(16);
    FIRST_RETRY_DELAY_SECS
        .saturating_mul(1 << doublings)
        .min(MAX_RETRY_DELAY_SECS)
}

/// How attempt number `attempt`, ended at `now` with `result`, is recorded.
pub fn attempt_end(attempt: i64, now: i64, result: &Result<(), EventError>) -> AttemptEnd {
    match result {
        Ok(()) => AttemptEnd::Applied,
        Err(EventError::Permanent(error)) => AttemptEnd::Failed(error.clone()),
        Err(EventError::Transient(error)) if attempt >= MAX_ATTEMPTS => {
            AttemptEnd::Failed(format!("gave up after {attempt} attempts: {error}"))
        }
        Err(EventError::Transient(error)) => AttemptEnd::RetryAt {
            at: now + retry_delay(attempt),
            error: error.clone(),
        },
    }
}

/// [`store::EventAttemptEnd`], owning its error text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AttemptEnd {
    Applied,
    RetryAt { at: i64, error: String },
    Failed(String),
}

impl AttemptEnd {
    pub fn as_store(&self) -> EventAttemptEnd<'_> {
        match self {
            Self::Applied => EventAttemptEnd::Applied,
            Self::RetryAt { at, error } => EventAttemptEnd::RetryAt { at: *at, error },
            Self::Failed(error) => EventAttemptEnd::Failed { error },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_double_from_30_seconds_up_to_30_minutes() {
        let delays: Vec<i64> = (1..=9).map(retry_delay).collect();
        assert_eq!(delays, [30, 60, 120, 240, 480, 960, 1800, 1800, 1800]);
        assert_eq!(
            retry_delay(0),
            30,
            "a zero attempt count never shortens the delay"
        );
        assert_eq!(retry_delay(i64::MAX), 1800);
    }

    #[test]
    fn a_transient_failure_is_retried_until_the_last_attempt_then_fails() {
        let transient = Err(EventError::Transient("timeout".into()));
        assert_eq!(
            attempt_end(1, 100, &transient),
            AttemptEnd::RetryAt {
                at: 130,
                error: "timeout".into()
            }
        );
        assert_eq!(
            attempt_end(MAX_ATTEMPTS - 1, 100, &transient),
            AttemptEnd::RetryAt {
                at: 100 + retry_delay(MAX_ATTEMPTS - 1),
                error: "timeout".into()
            }
        );
        assert_eq!(
            attempt_end(MAX_ATTEMPTS, 100, &transient),
            AttemptEnd::Failed("gave up after 8 attempts: timeout".into())
        );
    }

    #[test]
    fn a_permanent_failure_fails_at_once_and_success_is_applied() {
        let permanent = Err(EventError::Permanent("no company".into()));
        assert_eq!(
            attempt_end(1, 100, &permanent),
            AttemptEnd::Failed("no company".into())
        );
        assert_eq!(attempt_end(1, 100, &Ok(())), AttemptEnd::Applied);
        assert_eq!(
            AttemptEnd::RetryAt {
                at: 5,
                error: "e".into()
            }
            .as_store(),
            store::EventAttemptEnd::RetryAt { at: 5, error: "e" }
        );
        assert_eq!(
            AttemptEnd::Failed("e".into()).as_store(),
            store::EventAttemptEnd::Failed { error: "e" }
        );
        assert_eq!(
            AttemptEnd::Applied.as_store(),
            store::EventAttemptEnd::Applied
        );
    }
}
