//! The platform's notion of "now", in unix seconds. Production reads the
//! system clock; tests move it forward to reach expiry paths in milliseconds,
//! and sandbox mode makes it follow the emulator's clock, so one "advance"
//! moves the whole sandbox.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

/// A clock with an adjustable offset; clones share the offset.
#[derive(Clone, Default)]
pub struct Clock {
    offset_secs: Arc<AtomicI64>,
    /// An extra offset read from elsewhere (the sandbox emulator's clock).
    follow: Option<Arc<dyn Fn() -> i64 + Send + Sync>>,
}

impl std::fmt::Debug for Clock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Clock")
            .field("offset_secs", &self.offset_secs.load(Ordering::Relaxed))
            .field("follows", &self.follow.is_some())
            .finish()
    }
}

impl Clock {
    /// A clock that adds `offset()` (read at every call) to the system time.
    pub fn following(offset: impl Fn() -> i64 + Send + Sync + 'static) -> Self {
        Self {
            offset_secs: Arc::default(),
            follow: Some(Arc::new(offset)),
        }
    }

    /// Now, in unix seconds.
    pub fn now(&self) -> i64 {
        let system = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or_default();
        let followed = self.follow.as_ref().map_or(0, |offset| offset());
        system + self.offset_secs.load(Ordering::Relaxed) + followed
    }

    /// Moves this clock (and its clones) forward.
    pub fn advance(&self, secs: i64) {
        self.offset_secs.fetch_add(secs, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::Clock;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicI64, Ordering};

    #[test]
    fn advancing_a_clone_moves_every_clone() {
        let clock = Clock::default();
        let before = clock.now();
        clock.clone().advance(7200);
        assert!(clock.now() >= before + 7200);
    }

    #[test]
    fn a_following_clock_moves_with_its_source() {
        let source = Arc::new(AtomicI64::new(0));
        let read = source.clone();
        let clock = Clock::following(move || read.load(Ordering::Relaxed));
        let before = clock.now();
        source.store(86_400, Ordering::Relaxed);
        assert!(clock.now() >= before + 86_400);
    }
}
