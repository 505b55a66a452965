//! `deliveries` and `delivery_attempts`: the queue between recorded
//! messages and the operator's endpoints, and its log. At least once: a
//! delivery stays pending until an attempt ends it, whoever crashed.

use sqlx::QueryBuilder;

use super::writer::RETRY_WINDOW_SECS;
use crate::StoreError;
use crate::pool::{Pool, with_pool};

/// Where a delivery stands, stored as its snake_case name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, sqlx::Type)]
#[sqlx(type_name = "TEXT", rename_all = "snake_case")]
pub enum DeliveryState {
    /// Waiting for its next attempt (or in flight under a lease).
    Pending,
    /// The endpoint answered 2xx.
    Delivered,
    /// Retried for 24 h without success: kept for a replay.
    Dead,
}

/// A claimed delivery with what sending it needs.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ClaimedDelivery {
    pub id: i64,
    pub message_id: i64,
    pub endpoint_id: i64,
    pub attempts: i64,
    pub give_up_at: i64,
    pub authorizer_appid: String,
    pub company_id: Option<i64>,
    pub received_at: i64,
    pub payload_sealed: Vec<u8>,
}

/// A delivery for the log.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct DeliveryRow {
    pub id: i64,
    pub message_id: i64,
    pub endpoint_id: i64,
    pub state: DeliveryState,
    pub attempts: i64,
    pub next_attempt_at: i64,
    pub created_at: i64,
    pub finished_at: Option<i64>,
    pub last_status: Option<i64>,
    pub last_error: Option<String>,
    pub last_duration_ms: Option<i64>,
    pub authorizer_appid: String,
    pub msg_type: String,
    pub event: Option<String>,
}

/// One attempt, for the log.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct DeliveryAttempt {
    pub at: i64,
    pub status: Option<i64>,
    pub duration_ms: i64,
    pub error: Option<String>,
}

/// How an attempt ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryEnd {
    pub id: i64,
    pub at: i64,
    /// The endpoint's HTTP status, if it answered.
    pub status: Option<i64>,
    pub duration_ms: i64,
    pub error: Option<String>,
    /// What the delivery becomes: delivered, dead, or pending again until then.
    pub next: DeliveryNext,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryNext {
    Delivered,
    RetryAt(i64),
    Dead,
}

const LOG_COLUMNS: &str = "d.id, d.message_id, d.endpoint_id, d.state, d.attempts, \
    d.next_attempt_at, d.created_at, d.finished_at, d.last_status, d.last_error, \
    d.last_duration_ms, m.authorizer_appid, m.msg_type, m.event";

pub struct DeliveryRepo<'a> {
    pool: &'a Pool,
}

impl<'a> DeliveryRepo<'a> {
    pub(crate) fn new(pool: &'a Pool) -> Self {
        Self { pool }
    }

    /// Leases up to `limit` due deliveries to `holder` until `until`, longest
    /// due first (the order of the pending-only index, so a claim reads only
    /// pending rows however many delivered ones the table holds), each only if no earlier delivery of its order key is pending
    /// (a user's messages reach an endpoint in order; a dead one no longer
    /// holds the rest back). One statement, so instances never share one.
    pub async fn claim_due(
        &self,
        holder: &str,
        now: i64,
        until: i64,
        limit: i64,
    ) -> Result<Vec<ClaimedDelivery>, StoreError> {
        let turn = self.pool.write_turn().await;
        let ids: Vec<i64> = with_pool!(self.pool, |pool| {
            sqlx::query_scalar::<_, i64>(
                "UPDATE deliveries SET lease_holder = $1, lease_until = $3 \
                 WHERE id IN (SELECT d.id FROM deliveries d \
                     WHERE d.state = 'pending' AND d.next_attempt_at <= $2 \
                       AND (d.lease_until IS NULL OR d.lease_until < $2) \
                       AND NOT EXISTS (SELECT 1 FROM deliveries e WHERE e.order_key = d.order_key \
                           AND e.state = 'pending' AND e.id < d.id) \
                     ORDER BY d.next_attempt_at, d.id LIMIT $4) \
                   AND state = 'pending' AND (lease_until IS NULL OR lease_until < $2) \
                 RETURNING id",
            )
            .bind(holder)
            .bind(now)
            .bind(until)
            .bind(limit)
            .fetch_all(pool)
            .await?
        });
        drop(turn);
        self.claimed(&ids).await
    }

    /// What sending `ids` needs, in id order.
    pub async fn claimed(&self, ids: &[i64]) -> Result<Vec<ClaimedDelivery>, StoreError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        with_pool!(self.pool, |pool| {
            let mut query = QueryBuilder::new(
                "SELECT d.id, d.message_id, d.endpoint_id, d.attempts, d.give_up_at, \
                 m.authorizer_appid, m.company_id, m.received_at, m.payload_sealed \
                 FROM deliveries d JOIN messages m ON m.id = d.message_id WHERE d.id IN (",
            );
            let mut list = query.separated(", ");
            for id in ids {
                list.push_bind(*id);
            }
            query.push(") ORDER BY d.id");
            Ok(query
                .build_query_as::<ClaimedDelivery>()
                .fetch_all(pool)
                .await?)
        })
    }

    /// Records attempts' ends and releases `holder`'s leases, in one
    /// transaction. An end whose lease was lost (another instance took the
    /// delivery over) changes nothing but the log.
    pub async fn finish(&self, holder: &str, ends: &[DeliveryEnd]) -> Result<(), StoreError> {
        if ends.is_empty() {
            return Ok(());
        }
        // The common end, delivered, in one statement for the whole batch;
        // retries and dead letters (rare) one by one.
        let delivered: Vec<&DeliveryEnd> = ends
            .iter()
            .filter(|e| e.next == DeliveryNext::Delivered)
            .collect();
        let _turn = self.pool.write_turn().await;
        with_pool!(self.pool, |pool| {
            let mut tx = pool.begin().await?;
            for chunk in delivered.chunks(512) {
                // VALUES columns are column1… on both backends; the casts type them for PostgreSQL.
                let mut update = QueryBuilder::new(
                    "UPDATE deliveries SET state = 'delivered', attempts = attempts + 1, \
                     next_attempt_at = v.column2, finished_at = v.column2, last_status = v.column3, \
                     last_error = NULL, last_duration_ms = v.column4, lease_holder = NULL, \
                     lease_until = NULL FROM (VALUES ",
                );
                let mut rows = update.separated(", ");
                for end in chunk {
                    rows.push("(CAST(");
                    rows.push_bind_unseparated(end.id);
                    rows.push_unseparated(" AS BIGINT), CAST(");
                    rows.push_bind_unseparated(end.at);
                    rows.push_unseparated(" AS BIGINT), CAST(");
                    rows.push_bind_unseparated(end.status);
                    rows.push_unseparated(" AS BIGINT), CAST(");
                    rows.push_bind_unseparated(end.duration_ms);
                    rows.push_unseparated(" AS BIGINT))");
                }
                update
                    .push(") AS v WHERE deliveries.id = v.column1 AND deliveries.lease_holder = ");
                update.push_bind(holder);
                update.push(" AND deliveries.state = 'pending'");
                update.build().execute(&mut *tx).await?;
            }
            for end in ends.iter().filter(|e| e.next != DeliveryNext::Delivered) {
                let (state, next_attempt_at, finished_at) = match end.next {
                    DeliveryNext::Dead => (DeliveryState::Dead, end.at, Some(end.at)),
                    DeliveryNext::RetryAt(at) => (DeliveryState::Pending, at, None),
                    DeliveryNext::Delivered => (DeliveryState::Delivered, end.at, Some(end.at)),
                };
                sqlx::query(
                    "UPDATE deliveries SET state = $3, attempts = attempts + 1, \
                     next_attempt_at = $4, finished_at = $5, last_status = $6, last_error = $7, \
                     last_duration_ms = $8, lease_holder = NULL, lease_until = NULL \
                     WHERE id = $1 AND lease_holder = $2 AND state = 'pending'",
                )
                .bind(end.id)
                .bind(holder)
                .bind(state)
                .bind(next_attempt_at)
                .bind(finished_at)
                .bind(end.status)
                .bind(&end.error)
                .bind(end.duration_ms)
                .execute(&mut *tx)
                .await?;
            }
            let mut log = QueryBuilder::new(
                "INSERT INTO delivery_attempts (delivery_id, at, status, duration_ms, error) ",
            );
            log.push_values(ends, |mut row, end| {
                row.push_bind(end.id)
                    .push_bind(end.at)
                    .push_bind(end.status)
                    .push_bind(end.duration_ms)
                    .push_bind(&end.error);
            });
            log.build().execute(&mut *tx).await?;
            tx.commit().await?;
            Ok(())
        })
    }

    /// Makes a dead delivery pending again at once, with a new 24 h window;
    /// whether it was dead.
    pub async fn replay(&self, id: i64, now: i64) -> Result<bool, StoreError> {
        with_pool!(self.pool, |pool| {
            let done = sqlx::query(
                "UPDATE deliveries SET state = 'pending', next_attempt_at = $2, give_up_at = $3, \
                 finished_at = NULL, lease_holder = NULL, lease_until = NULL \
                 WHERE id = $1 AND state = 'dead'",
            )
            .bind(id)
            .bind(now)
            .bind(now + RETRY_WINDOW_SECS)
            .execute(pool)
            .await?;
            Ok(done.rows_affected() == 1)
        })
    }

    /// An endpoint's deliveries, newest first, before `before` (an id) if given.
    pub async fn for_endpoint(
        &self,
        endpoint_id: i64,
        state: Option<DeliveryState>,
        before: Option<i64>,
        limit: i64,
    ) -> Result<Vec<DeliveryRow>, StoreError> {
        let sql = format!(
            "SELECT {LOG_COLUMNS} FROM deliveries d JOIN messages m ON m.id = d.message_id \
             WHERE d.endpoint_id = $1 AND d.id < $2 AND ($3 IS NULL OR d.state = $3) \
             ORDER BY d.id DESC LIMIT $4"
        );
        with_pool!(self.pool, |pool| {
            Ok(sqlx::query_as::<_, DeliveryRow>(&sql)
                .bind(endpoint_id)
                .bind(before.unwrap_or(i64::MAX))
                .bind(state)
                .bind(limit)
                .fetch_all(pool)
                .await?)
        })
    }

    pub async fn by_id(&self, id: i64) -> Result<Option<DeliveryRow>, StoreError> {
        let sql = format!(
            "SELECT {LOG_COLUMNS} FROM deliveries d JOIN messages m ON m.id = d.message_id \
             WHERE d.id = $1"
        );
        with_pool!(self.pool, |pool| {
            Ok(sqlx::query_as::<_, DeliveryRow>(&sql)
                .bind(id)
                .fetch_optional(pool)
                .await?)
        })
    }

    /// A delivery's attempts, oldest first.
    pub async fn attempts(&self, delivery_id: i64) -> Result<Vec<DeliveryAttempt>, StoreError> {
        with_pool!(self.pool, |pool| {
            Ok(sqlx::query_as::<_, DeliveryAttempt>(
                "SELECT at, status, duration_ms, error FROM delivery_attempts \
                 WHERE delivery_id = $1 ORDER BY id",
            )
            .bind(delivery_id)
            .fetch_all(pool)
            .await?)
        })
    }

    /// Deliveries by state for one endpoint: (pending, delivered, dead).
    pub async fn counts(&self, endpoint_id: i64) -> Result<(i64, i64, i64), StoreError> {
        with_pool!(self.pool, |pool| {
            let rows: Vec<(DeliveryState, i64)> = sqlx::query_as(
                "SELECT state, COUNT(*) FROM deliveries WHERE endpoint_id = $1 GROUP BY state",
            )
            .bind(endpoint_id)
            .fetch_all(pool)
            .await?;
            let count = |s| {
                rows.iter()
                    .find(|(state, _)| *state == s)
                    .map_or(0, |r| r.1)
            };
            Ok((
                count(DeliveryState::Pending),
                count(DeliveryState::Delivered),
                count(DeliveryState::Dead),
            ))
        })
    }
}
