//! Acting on recorded authorization pushes, after WeChat got its `success`.
//! Processing is durable: a push is claimed with a lease, its attempt is
//! recorded as applied, to retry later (transient failures, with backoff) or
//! failed; a push left by a crash or a shutdown is due again when its lease
//! ends, and the retry loop picks it up (also right after a restart).

mod apply;
pub mod history;
pub mod retry;

use std::time::Duration;

use crate::Platform;
use retry::{LEASE_SECS, attempt_end};

/// Pushes taken per pass of the retry loop.
const DUE_BATCH: i64 = 100;

impl Platform {
    /// Processes a push just recorded, beside the request that answered WeChat.
    /// Tracked, so a graceful shutdown lets it finish ([`Self::finish_event_work`]).
    pub fn spawn_push_event(&self, event_id: i64) {
        let platform = self.clone();
        self.event_tasks
            .spawn(async move { platform.process_push_event(event_id).await });
    }

    /// One attempt at a push, if it is due and no other worker holds it; the
    /// outcome is recorded (applied, retry at, or failed).
    pub async fn process_push_event(&self, event_id: i64) {
        let clock = self.component().clock();
        let now = clock.now();
        // The lease covers the wait for the merchant's callback too.
        let grace = i64::try_from(self.settings.event_grace_secs).unwrap_or(0);
        let events = self.store.push_events();
        let attempt = match events.claim(event_id, now, now + grace + LEASE_SECS).await {
            Ok(Some(attempt)) => attempt,
            Ok(None) => return, // not due, or another worker has it
            Err(err) => {
                tracing::error!(event_id, error = %err, "cannot claim the event; it stays pending");
                return;
            }
        };
        let result = self.apply_push_event(event_id).await;
        let end = attempt_end(attempt, clock.now(), &result);
        if let Err(err) = &result {
            tracing::warn!(event_id, attempt, error = %err, outcome = ?end, "authorization event not applied");
        }
        if let Err(err) = events
            .end_attempt(event_id, clock.now(), end.as_store())
            .await
        {
            // Processing is idempotent: the push is due again when the lease ends.
            tracing::error!(event_id, error = %err, "could not record the event's outcome");
        }
    }

    /// Runs until aborted: every `tick`, processes the pushes that are due
    /// (left by a crash or a restart, or waiting for a retry).
    pub async fn run_event_retries(self, tick: Duration) {
        loop {
            self.process_due_events().await;
            // Fast registrations whose result never came end here too.
            if let Err(err) = self.fast_registrations().expire_overdue().await {
                tracing::error!(error = %err, "cannot expire overdue fast registrations");
            }
            tokio::time::sleep(tick).await;
        }
    }

    /// Processes the pushes due now, oldest first.
    pub async fn process_due_events(&self) {
        let now = self.component().clock().now();
        match self.store.push_events().due(now, DUE_BATCH).await {
            Ok(ids) => {
                for id in ids {
                    self.process_push_event(id).await;
                }
            }
            Err(err) => tracing::error!(error = %err, "cannot list the events that are due"),
        }
    }

    /// At shutdown: lets the pushes being processed finish, for at most
    /// `limit`. What does not finish is resumed after the restart.
    pub async fn finish_event_work(&self, limit: Duration) {
        self.event_tasks.close();
        if tokio::time::timeout(limit, self.event_tasks.wait())
            .await
            .is_err()
        {
            tracing::warn!(
                left = self.event_tasks.len(),
                "event work still running at shutdown; it is resumed after the restart"
            );
        }
    }
}
