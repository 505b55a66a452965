//! The message writer: pushes at the message URL recorded with their
//! deliveries by group commit ([`crate::group_commit`]).

use std::collections::HashMap;

use sqlx::QueryBuilder;

use super::MessageDisposition;
use crate::StoreError;
use crate::group_commit::{BatchWrite, GroupCommit};
use crate::pool::{Pool, with_pool};

/// Most messages written by one transaction (each with a few deliveries).
const MAX_BATCH: usize = 256;

/// How long a delivery is retried after it was queued.
pub const RETRY_WINDOW_SECS: i64 = 24 * 3600;

/// A push at the message URL to record, with its deliveries.
#[derive(Debug, Clone)]
pub struct MessageRecord {
    /// The account's appid and WeChat's retry key: a retry is recorded once.
    pub dedup_key: String,
    pub authorizer_appid: String,
    pub company_id: Option<i64>,
    pub msg_type: String,
    pub event: Option<String>,
    pub create_time: i64,
    pub received_at: i64,
    pub disposition: MessageDisposition,
    pub payload_sealed: Vec<u8>,
    pub deliveries: Vec<NewDelivery>,
}

/// One endpoint the message goes to.
#[derive(Debug, Clone)]
pub struct NewDelivery {
    pub endpoint_id: i64,
    /// Endpoint, account and user: deliveries of one key go out in order.
    pub order_key: String,
    /// Leased at once to this holder until then: a synchronous endpoint's
    /// delivery, which the receiving request makes itself.
    pub leased: Option<(String, i64)>,
}

/// What recording did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecordedMessage {
    /// A retry of a recorded push: nothing changed.
    Duplicate,
    /// Recorded now, with its deliveries' ids by endpoint.
    New {
        message_id: i64,
        deliveries: Vec<(i64, i64)>,
    },
}

/// The handle to the message writer task; cheap to clone.
#[derive(Debug, Clone)]
pub struct MessageWriter(GroupCommit<Messages>);

/// Messages as a kind of batch.
#[derive(Debug)]
pub(crate) struct Messages;

impl BatchWrite for Messages {
    type Record = MessageRecord;
    type Outcome = RecordedMessage;
    const NAME: &'static str = "message";
    const MAX_BATCH: usize = MAX_BATCH;

    fn write<'a>(
        pool: &'a Pool,
        batch: &'a [MessageRecord],
    ) -> impl std::future::Future<Output = Result<Vec<RecordedMessage>, StoreError>> + Send + 'a
    {
        write_batch(pool, batch)
    }
}

impl MessageWriter {
    pub(crate) fn spawn(pool: Pool) -> Self {
        Self(GroupCommit::spawn(pool))
    }

    /// Records a message and its deliveries durably (committed when this returns `Ok`).
    pub async fn record(&self, record: MessageRecord) -> Result<RecordedMessage, StoreError> {
        self.0.record(record).await
    }
}

async fn write_batch(
    pool: &Pool,
    batch: &[MessageRecord],
) -> Result<Vec<RecordedMessage>, StoreError> {
    let _turn = pool.write_turn().await;
    with_pool!(pool, |pool| {
        let mut tx = pool.begin().await?;
        let mut insert = QueryBuilder::new(
            "INSERT INTO messages (dedup_key, authorizer_appid, company_id, msg_type, event, \
             create_time, received_at, disposition, payload_sealed) ",
        );
        insert.push_values(batch, |mut row, m| {
            row.push_bind(&m.dedup_key)
                .push_bind(&m.authorizer_appid)
                .push_bind(m.company_id)
                .push_bind(&m.msg_type)
                .push_bind(&m.event)
                .push_bind(m.create_time)
                .push_bind(m.received_at)
                .push_bind(m.disposition)
                .push_bind(&m.payload_sealed);
        });
        // A key seen before (or earlier in this batch) inserts nothing and returns no row.
        insert.push(" ON CONFLICT (dedup_key) DO NOTHING RETURNING id, dedup_key");
        let inserted: Vec<(i64, String)> = insert.build_query_as().fetch_all(&mut *tx).await?;
        let mut new_ids: HashMap<String, i64> =
            inserted.into_iter().map(|(id, key)| (key, id)).collect();

        // The first occurrence of a key takes the new id; a copy later in the batch is a duplicate.
        let outcomes: Vec<Option<(i64, &MessageRecord)>> = batch
            .iter()
            .map(|m| new_ids.remove(&m.dedup_key).map(|id| (id, m)))
            .collect();
        let rows: Vec<(i64, &NewDelivery, i64)> = outcomes
            .iter()
            .flatten()
            .flat_map(|(id, m)| m.deliveries.iter().map(move |d| (*id, d, m.received_at)))
            .collect();
        let mut delivery_ids: HashMap<i64, Vec<(i64, i64)>> = HashMap::new();
        // 8 bound values per row: chunks stay far below SQLite's 32,766 variables.
        for chunk in rows.chunks(1024) {
            let mut insert = QueryBuilder::new(
                "INSERT INTO deliveries (message_id, endpoint_id, order_key, next_attempt_at, \
                 give_up_at, lease_holder, lease_until, created_at) ",
            );
            insert.push_values(chunk, |mut row, (message_id, d, at)| {
                row.push_bind(*message_id)
                    .push_bind(d.endpoint_id)
                    .push_bind(&d.order_key)
                    .push_bind(*at)
                    .push_bind(at + RETRY_WINDOW_SECS)
                    .push_bind(d.leased.as_ref().map(|(holder, _)| holder))
                    .push_bind(d.leased.as_ref().map(|(_, until)| *until))
                    .push_bind(*at);
            });
            insert.push(" RETURNING id, message_id, endpoint_id");
            let ids: Vec<(i64, i64, i64)> = insert.build_query_as().fetch_all(&mut *tx).await?;
            for (id, message_id, endpoint_id) in ids {
                delivery_ids
                    .entry(message_id)
                    .or_default()
                    .push((endpoint_id, id));
            }
        }
        tx.commit().await?;
        Ok(outcomes
            .into_iter()
            .map(|outcome| match outcome {
                None => RecordedMessage::Duplicate,
                Some((message_id, _)) => RecordedMessage::New {
                    message_id,
                    deliveries: delivery_ids.remove(&message_id).unwrap_or_default(),
                },
            })
            .collect())
    })
}
