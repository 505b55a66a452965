//! The emulator's clock: real Unix time plus an offset that tests move forward,
//! so expiry paths (tickets, codes, tokens) run in milliseconds.
//!
//! Everything that expires compares against [`Clock::now`]; only network waits
//! (push timeouts, injected latency) use real time.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use tokio::sync::watch;

/// A cheaply cloned handle on the emulator's notion of "now", in Unix seconds.
#[derive(Debug, Clone)]
pub struct Clock {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    offset_secs: AtomicI64,
    // Bumped on every advance so the ticket pusher re-checks its schedule at once.
    advanced: watch::Sender<u64>,
}

impl Clock {
    /// A clock showing real time (offset 0).
    pub fn new() -> Self {
        Self::with_offset(0)
    }

    /// A clock `offset_secs` ahead of real time (restored from a state file).
    pub fn with_offset(offset_secs: i64) -> Self {
        let (advanced, _) = watch::channel(0);
        Clock {
            inner: Arc::new(Inner {
                offset_secs: AtomicI64::new(offset_secs),
                advanced,
            }),
        }
    }

    /// Unix seconds as the emulator sees them.
    pub fn now(&self) -> i64 {
        real_unix_secs() + self.offset_secs()
    }

    /// How far the clock runs ahead of real time.
    pub fn offset_secs(&self) -> i64 {
        self.inner.offset_secs.load(Ordering::SeqCst)
    }

    /// Move the clock forward; everything due in between expires or falls due.
    pub fn advance(&self, by: Duration) {
        let secs = i64::try_from(by.as_secs()).unwrap_or(i64::MAX / 2);
        self.inner.offset_secs.fetch_add(secs, Ordering::SeqCst);
        self.inner.advanced.send_modify(|n| *n = n.wrapping_add(1));
    }

    /// A receiver that changes whenever the clock is advanced.
    pub fn subscribe(&self) -> watch::Receiver<u64> {
        self.inner.advanced.subscribe()
    }
}

impl Default for Clock {
    fn default() -> Self {
        Self::new()
    }
}

fn real_unix_secs() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX / 2))
        .unwrap_or(0)
}

/// Seconds in a duration as a signed count, saturating.
pub(crate) fn secs(d: Duration) -> i64 {
    i64::try_from(d.as_secs()).unwrap_or(i64::MAX / 2)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_clock_shows_real_time() {
        let clock = Clock::new();
        assert!((clock.now() - real_unix_secs()).abs() <= 1);
    }

    #[test]
    fn advancing_moves_now_forward_by_exactly_that_much() {
        let clock = Clock::new();
        let before = clock.now();
        clock.advance(Duration::from_secs(7200));
        let after = clock.now();
        assert!((7200..=7201).contains(&(after - before)));
        assert_eq!(clock.offset_secs(), 7200);
    }

    #[test]
    fn clones_share_one_offset() {
        let clock = Clock::new();
        clock.clone().advance(Duration::from_secs(60));
        assert_eq!(clock.offset_secs(), 60);
    }

    #[test]
    fn subscribers_see_each_advance() {
        let clock = Clock::new();
        let mut rx = clock.subscribe();
        clock.advance(Duration::from_secs(1));
        assert!(rx.has_changed().unwrap());
        rx.mark_unchanged();
        assert!(!rx.has_changed().unwrap());
    }
}
