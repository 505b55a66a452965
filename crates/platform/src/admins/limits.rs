//! The sign-in limits: how many failures within a window lock a login or a
//! client address, and until when. Pure rules, tested at their edges.

/// Failures allowed per login and per client address within [`WINDOW_SECS`].
/// The address limit is higher: several admins may share one office address.
pub const LOGIN_LIMIT: usize = 5;
pub const ADDRESS_LIMIT: usize = 20;
pub const WINDOW_SECS: i64 = 15 * 60;

/// When sign-in is allowed again, given the times of failures within the
/// window (oldest first): `None` while fewer than `limit` count. The lock ends
/// when the oldest failure that keeps the count at `limit` leaves the window.
pub fn locked_until(failures: &[i64], limit: usize, window_secs: i64) -> Option<i64> {
    if limit == 0 || failures.len() < limit {
        return None;
    }
    failures
        .get(failures.len() - limit)
        .map(|oldest| oldest + window_secs)
}

/// Seconds left to wait at `now`, if locked by either count.
pub fn wait_secs(login_failures: &[i64], addr_failures: &[i64], now: i64) -> Option<i64> {
    let until = [
        locked_until(login_failures, LOGIN_LIMIT, WINDOW_SECS),
        locked_until(addr_failures, ADDRESS_LIMIT, WINDOW_SECS),
    ]
    .into_iter()
    .flatten()
    .max()?;
    (until > now).then_some(until - now)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_limit_locks_at_its_count_and_not_before() {
        assert_eq!(locked_until(&[10, 20, 30, 40], 5, 900), None);
        assert_eq!(locked_until(&[10, 20, 30, 40, 50], 5, 900), Some(910));
        // Six failures: the lock lasts until the second oldest leaves the window.
        assert_eq!(locked_until(&[10, 20, 30, 40, 50, 60], 5, 900), Some(920));
        assert_eq!(locked_until(&[], 0, 900), None);
    }

    #[test]
    fn the_wait_is_the_longer_of_both_locks_and_ends_exactly_at_its_time() {
        let login = [100, 101, 102, 103, 104];
        assert_eq!(wait_secs(&login, &[], 200), Some(100 + WINDOW_SECS - 200));
        assert_eq!(wait_secs(&login, &[], 100 + WINDOW_SECS - 1), Some(1));
        assert_eq!(wait_secs(&login, &[], 100 + WINDOW_SECS), None);
        let addr: Vec<i64> = (0..20).map(|i| 150 + i).collect();
        assert_eq!(wait_secs(&login, &addr, 200), Some(150 + WINDOW_SECS - 200));
        assert_eq!(wait_secs(&[100, 101, 102, 103], &addr[1..], 200), None);
    }
}
