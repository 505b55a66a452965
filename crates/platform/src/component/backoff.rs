//! When the component token refresher tries again after a failure, and how
//! often it may ask WeChat to push a ticket. Pure rules, pinned at their edges.

use wechat::error::ErrorClass;

/// The first retry after a failure, and the cap the doubling stops at.
pub const FIRST_RETRY_SECS: i64 = 30;
pub const MAX_RETRY_SECS: i64 = 15 * 60;
/// `api_start_push_ticket` at most this often.
pub const TICKET_REQUEST_INTERVAL_SECS: i64 = 10 * 60;
/// WeChat says component tokens live 7200 s; a longer answer is not believed.
pub const MAX_TOKEN_LIFETIME_SECS: i64 = 7200;

/// China time (UTC+8): WeChat's daily quotas reset at its midnight.
const CHINA_OFFSET_SECS: i64 = 8 * 3600;
const DAY_SECS: i64 = 24 * 3600;

/// When to try again after `failures` failures in a row (1 for the first),
/// the last of class `class`, at `now`. 45009 (quota) waits for the day to
/// turn in China time, when WeChat resets quotas; everything else doubles from
/// [`FIRST_RETRY_SECS`] up to [`MAX_RETRY_SECS`].
pub fn next_attempt(now: i64, failures: u32, class: &ErrorClass) -> i64 {
    if *class == ErrorClass::Quota {
        return next_china_midnight(now);
    }
    let doublings = failures.saturating_sub(1).min(20);
    now + (FIRST_RETRY_SECS << doublings).min(MAX_RETRY_SECS)
}

/// The next 00:00 in China time after `now` (unix seconds).
pub fn next_china_midnight(now: i64) -> i64 {
    let local = now + CHINA_OFFSET_SECS;
    (local.div_euclid(DAY_SECS) + 1) * DAY_SECS - CHINA_OFFSET_SECS
}

/// Whether a ticket push may be requested at `now`, the last request having
/// been at `last` (`None`: never).
pub fn may_request_ticket(last: Option<i64>, now: i64) -> bool {
    last.is_none_or(|last| now - last >= TICKET_REQUEST_INTERVAL_SECS)
}

/// The lifetime to store for WeChat's `expires_in`: never more than WeChat's
/// documented 7200 s (an absurd value would make a token that never expires).
pub fn token_lifetime(expires_in: u64) -> i64 {
    i64::try_from(expires_in)
        .unwrap_or(i64::MAX)
        .min(MAX_TOKEN_LIFETIME_SECS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_back_off_doubling_from_30_s_up_to_the_cap() {
        let other = ErrorClass::Retryable;
        assert_eq!(next_attempt(1000, 1, &other), 1030);
        assert_eq!(next_attempt(1000, 2, &other), 1060);
        assert_eq!(next_attempt(1000, 5, &other), 1000 + 480);
        assert_eq!(next_attempt(1000, 6, &other), 1000 + 900, "960 capped");
        assert_eq!(next_attempt(1000, 60, &other), 1000 + 900);
        assert_eq!(next_attempt(1000, 0, &other), 1030);
    }

    #[test]
    fn the_quota_waits_for_midnight_in_china() {
        // 2026-11-29 15:59:59 UTC is 23:59:59 in China: one second to go.
        let almost = 1_795_967_999;
        assert_eq!(next_china_midnight(almost), almost + 1);
        assert_eq!(next_attempt(almost, 1, &ErrorClass::Quota), almost + 1);
        // Exactly at midnight, the next one is a day away.
        assert_eq!(next_china_midnight(almost + 1), almost + 1 + DAY_SECS);
        assert_eq!((next_china_midnight(0) + CHINA_OFFSET_SECS) % DAY_SECS, 0);
    }

    #[test]
    fn a_ticket_is_requested_at_most_every_ten_minutes() {
        assert!(may_request_ticket(None, 0));
        assert!(!may_request_ticket(Some(1000), 1599));
        assert!(may_request_ticket(Some(1000), 1600));
    }

    #[test]
    fn an_absurd_lifetime_is_clamped_to_wechats() {
        assert_eq!(token_lifetime(7200), 7200);
        assert_eq!(token_lifetime(7199), 7199);
        assert_eq!(token_lifetime(7201), 7200);
        assert_eq!(token_lifetime(u64::MAX), 7200);
        assert_eq!(token_lifetime(0), 0);
    }
}
