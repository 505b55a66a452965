//! `push_events`: every push received at the authorization event URL, and the
//! durable state of processing it (attempts, next attempt, applied or failed).

use crate::StoreError;
use crate::pool::{Pool, with_pool};

/// Where processing a push stands, stored as its snake_case name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, sqlx::Type)]
#[sqlx(type_name = "TEXT", rename_all = "snake_case")]
pub enum PushEventState {
    /// Not processed yet, or to be tried again at `next_attempt_at`.
    Pending,
    /// Processed (including pushes that needed nothing, such as tickets).
    Applied,
    /// Given up: a permanent error, or too many transient ones. Shown to operators.
    Failed,
}

/// A push as stored.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct PushEventRow {
    pub id: i64,
    pub info_type: String,
    pub authorizer_appid: Option<String>,
    pub create_time: Option<i64>,
    pub received_at: i64,
    pub payload_sealed: Vec<u8>,
    pub state: PushEventState,
    /// Processing attempts started so far.
    pub attempts: i64,
    /// When a pending push may be tried (again); while a worker holds it, the end of its lease.
    pub next_attempt_at: i64,
    pub processed_at: Option<i64>,
    /// The last attempt's error, for operators.
    pub error: Option<String>,
}

/// How an attempt ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventAttemptEnd<'a> {
    Applied,
    /// A transient failure: try again at `at`.
    RetryAt {
        at: i64,
        error: &'a str,
    },
    Failed {
        error: &'a str,
    },
}

/// Which pushes a page of the events list shows; `None` is any.
#[derive(Debug, Clone, Copy, Default)]
pub struct EventFilter<'a> {
    pub info_type: Option<&'a str>,
    pub authorizer_appid: Option<&'a str>,
    pub state: Option<PushEventState>,
    /// Received at or after this (unix seconds).
    pub since: Option<i64>,
    /// Only pushes older than this id (the previous page's last), for keyset paging.
    pub before_id: Option<i64>,
}

pub struct PushEventRepo<'a> {
    pool: &'a Pool,
}

const SELECT: &str = "SELECT id, info_type, authorizer_appid, create_time, received_at, payload_sealed, \
     state, attempts, next_attempt_at, processed_at, error FROM push_events";

impl<'a> PushEventRepo<'a> {
    pub(crate) fn new(pool: &'a Pool) -> Self {
        Self { pool }
    }

    /// Takes a pending push that is due, for a worker, until `lease_until`
    /// (when it is due again if the worker dies). Returns the attempt's number,
    /// or `None` when the push is not due or another worker holds it.
    pub async fn claim(
        &self,
        id: i64,
        now: i64,
        lease_until: i64,
    ) -> Result<Option<i64>, StoreError> {
        with_pool!(self.pool, |pool| {
            Ok(sqlx::query_scalar::<_, i64>(
                "UPDATE push_events SET attempts = attempts + 1, next_attempt_at = $3 \
             WHERE id = $1 AND state = 'pending' AND next_attempt_at <= $2 RETURNING attempts",
            )
            .bind(id)
            .bind(now)
            .bind(lease_until)
            .fetch_optional(pool)
            .await?)
        })
    }

    /// Records how a claimed attempt ended.
    pub async fn end_attempt(
        &self,
        id: i64,
        now: i64,
        end: EventAttemptEnd<'_>,
    ) -> Result<(), StoreError> {
        with_pool!(self.pool, |pool| {
            let query = match end {
            EventAttemptEnd::Applied => sqlx::query(
                "UPDATE push_events SET state = 'applied', processed_at = $2, error = NULL WHERE id = $1",
            )
            .bind(id)
            .bind(now),
            EventAttemptEnd::RetryAt { at, error } => sqlx::query(
                "UPDATE push_events SET next_attempt_at = $2, error = $3 WHERE id = $1",
            )
            .bind(id)
            .bind(at)
            .bind(error),
            EventAttemptEnd::Failed { error } => sqlx::query(
                "UPDATE push_events SET state = 'failed', processed_at = $2, error = $3 WHERE id = $1",
            )
            .bind(id)
            .bind(now)
            .bind(error),
        };
            query.execute(pool).await?;
            Ok(())
        })
    }

    /// One push by id.
    pub async fn by_id(&self, id: i64) -> Result<Option<PushEventRow>, StoreError> {
        with_pool!(self.pool, |pool| {
            Ok(
                sqlx::query_as::<_, PushEventRow>(&format!("{SELECT} WHERE id = $1"))
                    .bind(id)
                    .fetch_optional(pool)
                    .await?,
            )
        })
    }

    /// Ids of pending pushes due at `now` (new, to retry, or left by a crash), soonest first.
    pub async fn due(&self, now: i64, limit: i64) -> Result<Vec<i64>, StoreError> {
        with_pool!(self.pool, |pool| {
            Ok(sqlx::query_scalar::<_, i64>(
                "SELECT id FROM push_events WHERE state = 'pending' AND next_attempt_at <= $1 \
             ORDER BY next_attempt_at, id LIMIT $2",
            )
            .bind(now)
            .bind(limit)
            .fetch_all(pool)
            .await?)
        })
    }

    /// Up to `limit` pushes matching `filter`, newest first.
    pub async fn page(
        &self,
        filter: EventFilter<'_>,
        limit: i64,
    ) -> Result<Vec<PushEventRow>, StoreError> {
        with_pool!(self.pool, |pool| {
            Ok(sqlx::query_as::<_, PushEventRow>(&format!(
            "{SELECT} WHERE ($1 IS NULL OR info_type = $1) AND ($2 IS NULL OR authorizer_appid = $2) \
               AND ($3 IS NULL OR state = $3) AND ($4 IS NULL OR received_at >= $4) \
               AND ($5 IS NULL OR id < $5) \
             ORDER BY id DESC LIMIT $6"
        ))
        .bind(filter.info_type)
        .bind(filter.authorizer_appid)
        .bind(filter.state)
        .bind(filter.since)
        .bind(filter.before_id)
        .bind(limit)
        .fetch_all(pool)
        .await?)
        })
    }

    /// The most recent pushes, newest first.
    pub async fn recent(&self, limit: i64) -> Result<Vec<PushEventRow>, StoreError> {
        with_pool!(self.pool, |pool| {
            Ok(sqlx::query_as::<_, PushEventRow>(&format!(
                "{SELECT} ORDER BY received_at DESC, id DESC LIMIT $1"
            ))
            .bind(limit)
            .fetch_all(pool)
            .await?)
        })
    }
}

#[cfg(test)]
mod tests;
