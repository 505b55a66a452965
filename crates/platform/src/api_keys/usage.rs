//! What keys are used for: tokens handed out, counted in memory per key and
//! minute and written by [`ApiKeyService::flush_issuance`] (every second from
//! the server, at shutdown and before every listing), so reading a token costs
//! no write. A crash loses at most the last second of counts, never a key.

use std::collections::HashMap;
use std::sync::MutexGuard;
use std::time::Duration;

use store::{IssuedCount, StoreError};

use super::{ApiKey, ApiKeyError, ApiKeyService};

/// Per-minute counts are kept this long (the totals forever).
pub const READS_KEPT_SECS: i64 = 90 * 86_400;
/// How often the flusher deletes per-minute counts older than [`READS_KEPT_SECS`].
const PURGE_EVERY: Duration = Duration::from_secs(3600);

type Pending = HashMap<(i64, i64), (i64, i64)>;

impl ApiKeyService {
    /// Counts one token handed out with `key` (in memory until the next flush).
    pub fn record_issuance(&self, key: &ApiKey) {
        let now = self.clock.now();
        let mut pending = self.pending();
        let entry = pending.entry((key.id, minute_of(now))).or_insert((0, now));
        entry.0 += 1;
        entry.1 = entry.1.max(now);
    }

    /// Writes the counted issuances; on failure they are kept for the next flush.
    pub async fn flush_issuance(&self) -> Result<(), StoreError> {
        let _one_at_a_time = self.inner.flushing.lock().await;
        let taken: Vec<IssuedCount> = self
            .pending()
            .drain()
            .map(
                |((api_key_id, minute), (count, last_used_at))| IssuedCount {
                    api_key_id,
                    minute,
                    count,
                    last_used_at,
                },
            )
            .collect();
        if let Err(err) = self.store.api_keys().add_issued(&taken).await {
            let mut pending = self.pending();
            for issued in taken {
                let entry = pending
                    .entry((issued.api_key_id, issued.minute))
                    .or_insert((0, issued.last_used_at));
                entry.0 += issued.count;
                entry.1 = entry.1.max(issued.last_used_at);
            }
            return Err(err);
        }
        Ok(())
    }

    /// Tokens handed out with key `id` per minute since `since`, oldest first:
    /// (unix seconds at the minute's start, count).
    pub async fn reads_per_minute(
        &self,
        id: i64,
        since: i64,
    ) -> Result<Vec<(i64, i64)>, ApiKeyError> {
        self.flush_issuance().await?;
        Ok(self.store.api_keys().reads_per_minute(id, since).await?)
    }

    /// Every key's reads on each of the last `days` days (China time, today
    /// last), by key id: one flush and one query for all keys. Keys without
    /// a read in that time are absent.
    pub async fn reads_per_day(
        &self,
        days: usize,
    ) -> Result<std::collections::HashMap<i64, Vec<i64>>, ApiKeyError> {
        const CHINA: i64 = 8 * 3600;
        self.flush_issuance().await?;
        let today = (self.clock().now() + CHINA) / 86_400;
        let first = today - i64::try_from(days).unwrap_or(0) + 1;
        let since = first * 86_400 - CHINA;
        let mut by_key: std::collections::HashMap<i64, Vec<i64>> = std::collections::HashMap::new();
        for (key, day, reads) in self.store.api_keys().reads_per_day(since, CHINA).await? {
            let slot = by_key.entry(key).or_insert_with(|| vec![0; days]);
            if let Some(count) = usize::try_from(day - first)
                .ok()
                .and_then(|i| slot.get_mut(i))
            {
                *count += reads;
            }
        }
        Ok(by_key)
    }

    /// Runs forever: writes the counted issuances every `tick`, and drops
    /// per-minute counts past their retention once an hour.
    pub async fn run_issuance_flusher(self, tick: Duration) {
        let mut last_purge: Option<tokio::time::Instant> = None;
        loop {
            tokio::time::sleep(tick).await;
            if let Err(err) = self.flush_issuance().await {
                tracing::error!(error = %err, "writing API key issuance counts failed");
            }
            if last_purge.is_none_or(|at| at.elapsed() >= PURGE_EVERY) {
                last_purge = Some(tokio::time::Instant::now());
                let before = self.clock.now() - READS_KEPT_SECS;
                if let Err(err) = self.store.api_keys().purge_reads_before(before).await {
                    tracing::warn!(error = %err, "purging old API key read counts failed");
                }
            }
        }
    }

    fn pending(&self) -> MutexGuard<'_, Pending> {
        self.inner
            .pending
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// The start of the minute of `at` (unix seconds).
pub fn minute_of(at: i64) -> i64 {
    at.div_euclid(60) * 60
}

#[cfg(test)]
mod tests {
    use super::minute_of;

    #[test]
    fn a_time_belongs_to_the_minute_that_starts_at_or_before_it() {
        assert_eq!(minute_of(0), 0);
        assert_eq!(minute_of(59), 0);
        assert_eq!(minute_of(60), 60);
        assert_eq!(minute_of(119), 60);
        assert_eq!(minute_of(-1), -60);
    }
}
