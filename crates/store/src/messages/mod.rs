//! The message gateway's tables: pushes at the message URL (`messages`,
//! recorded in groups by [`MessageWriter`]), the operator's webhook
//! endpoints ([`WebhookEndpointRepo`]) and the delivery queue with its log
//! ([`DeliveryRepo`]).

mod deliveries;
mod endpoints;
mod writer;

pub use deliveries::{
    ClaimedDelivery, DeliveryAttempt, DeliveryEnd, DeliveryNext, DeliveryRepo, DeliveryRow,
    DeliveryState,
};
pub use endpoints::{EndpointState, NewEndpoint, WebhookEndpointRepo, WebhookEndpointRow};
pub use writer::{MessageRecord, MessageWriter, NewDelivery, RETRY_WINDOW_SECS, RecordedMessage};

use crate::StoreError;
use crate::pool::{Pool, with_pool};

/// What became of a push at the message URL, stored as its snake_case name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, sqlx::Type)]
#[sqlx(type_name = "TEXT", rename_all = "snake_case")]
pub enum MessageDisposition {
    /// An authorized account's: handed to the matching endpoints (maybe none).
    Routed,
    /// For an account that is not authorized here (or revoked): kept, not delivered.
    NotAuthorized,
    /// One of WeChat's release-check test accounts: answered by the responder.
    ReleaseCheck,
}

/// A recorded message, its payload still sealed.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct MessageRow {
    pub id: i64,
    pub authorizer_appid: String,
    pub company_id: Option<i64>,
    pub msg_type: String,
    pub event: Option<String>,
    pub create_time: i64,
    pub received_at: i64,
    pub disposition: MessageDisposition,
    pub payload_sealed: Vec<u8>,
}

const SELECT: &str = "SELECT id, authorizer_appid, company_id, msg_type, event, create_time, \
                      received_at, disposition, payload_sealed FROM messages";

pub struct MessageRepo<'a> {
    pool: &'a Pool,
}

impl<'a> MessageRepo<'a> {
    pub(crate) fn new(pool: &'a Pool) -> Self {
        Self { pool }
    }

    pub async fn by_id(&self, id: i64) -> Result<Option<MessageRow>, StoreError> {
        let sql = format!("{SELECT} WHERE id = $1");
        with_pool!(self.pool, |pool| {
            Ok(sqlx::query_as::<_, MessageRow>(&sql)
                .bind(id)
                .fetch_optional(pool)
                .await?)
        })
    }

    /// The newest messages first, before `before` (an id) if given.
    pub async fn newest(
        &self,
        before: Option<i64>,
        limit: i64,
    ) -> Result<Vec<MessageRow>, StoreError> {
        let sql = format!("{SELECT} WHERE id < $1 ORDER BY id DESC LIMIT $2");
        with_pool!(self.pool, |pool| {
            Ok(sqlx::query_as::<_, MessageRow>(&sql)
                .bind(before.unwrap_or(i64::MAX))
                .bind(limit)
                .fetch_all(pool)
                .await?)
        })
    }

    /// Deletes messages received before `before` whose deliveries are all
    /// finished (their deliveries and attempts go with them); how many.
    /// A message still being delivered is kept until its delivery ends.
    pub async fn purge_received_before(&self, before: i64) -> Result<u64, StoreError> {
        with_pool!(self.pool, |pool| {
            let done = sqlx::query(
                "DELETE FROM messages WHERE received_at < $1 AND NOT EXISTS \
                 (SELECT 1 FROM deliveries d WHERE d.message_id = messages.id AND d.state = 'pending')",
            )
            .bind(before)
            .execute(pool)
            .await?;
            Ok(done.rows_affected())
        })
    }

    pub async fn count(&self) -> Result<i64, StoreError> {
        with_pool!(self.pool, |pool| {
            Ok(
                sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM messages")
                    .fetch_one(pool)
                    .await?,
            )
        })
    }
}

#[cfg(test)]
mod tests;
