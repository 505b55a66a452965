//! The push writer: pushes to the authorization-event URL recorded by group
//! commit ([`crate::group_commit`]), a ticket stored in the same transaction.

use std::collections::HashMap;

use sqlx::QueryBuilder;

use crate::StoreError;
use crate::component::save_ticket_in;
use crate::events::PushEventState;
use crate::group_commit::{BatchWrite, GroupCommit};
use crate::pool::{Pool, with_pool};

/// Most pushes written by one transaction.
const MAX_BATCH: usize = 512;

/// A push to record.
#[derive(Debug, Clone)]
pub struct PushRecord {
    /// Identifies the push: a retried delivery has the same key and is recorded once.
    pub dedup_key: String,
    pub info_type: String,
    pub authorizer_appid: Option<String>,
    pub create_time: Option<i64>,
    pub received_at: i64,
    pub payload_sealed: Vec<u8>,
    /// For `component_verify_ticket`: the ticket to store in the same
    /// transaction (the event is then recorded as processed).
    pub ticket: Option<TicketWrite>,
}

/// A ticket to store unless a newer one is stored.
#[derive(Debug, Clone)]
pub struct TicketWrite {
    pub component_appid: String,
    pub ticket_sealed: Vec<u8>,
    pub create_time: i64,
}

/// What recording a push did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recorded {
    /// Already recorded: nothing changed.
    Duplicate,
    /// Recorded now; for a ticket, whether it became the newest.
    New {
        event_id: i64,
        newest_ticket: Option<bool>,
    },
}

/// The handle to the push writer task; cheap to clone.
#[derive(Debug, Clone)]
pub struct PushWriter(GroupCommit<Pushes>);

/// Pushes as a kind of batch.
#[derive(Debug)]
pub(crate) struct Pushes;

impl BatchWrite for Pushes {
    type Record = PushRecord;
    type Outcome = Recorded;
    const NAME: &'static str = "push";
    const MAX_BATCH: usize = MAX_BATCH;

    fn write<'a>(
        pool: &'a Pool,
        batch: &'a [PushRecord],
    ) -> impl std::future::Future<Output = Result<Vec<Recorded>, StoreError>> + Send + 'a {
        write_batch(pool, batch)
    }
}

impl PushWriter {
    /// Starts the writer task on `pool` (it ends when every handle is dropped).
    pub(crate) fn spawn(pool: Pool) -> Self {
        Self(GroupCommit::spawn(pool))
    }

    /// Records a push durably (it is committed when this returns `Ok`).
    pub async fn record(&self, record: PushRecord) -> Result<Recorded, StoreError> {
        self.0.record(record).await
    }
}

/// Writes a batch in one transaction with two statements at most: every
/// statement is a round trip to sqlx's SQLite worker thread, and those thread
/// hops, not SQLite, were the cost of a row-per-statement batch.
pub(crate) async fn write_batch(
    pool: &Pool,
    batch: &[PushRecord],
) -> Result<Vec<Recorded>, StoreError> {
    let _turn = pool.write_turn().await;
    with_pool!(pool, |pool| {
        let mut tx = pool.begin().await?;
        // 8 bound values per row: 512 rows stay far below SQLite's 32,766 variables.
        let mut insert = QueryBuilder::new(
            "INSERT INTO push_events \
             (dedup_key, info_type, authorizer_appid, create_time, received_at, payload_sealed, \
              state, processed_at) ",
        );
        insert.push_values(batch, |mut row, record| {
            // A ticket is applied by this same transaction, so its event is applied on write.
            let processed_at = record.ticket.as_ref().map(|_| record.received_at);
            let state = match processed_at {
                Some(_) => PushEventState::Applied,
                None => PushEventState::Pending,
            };
            row.push_bind(&record.dedup_key)
                .push_bind(&record.info_type)
                .push_bind(&record.authorizer_appid)
                .push_bind(record.create_time)
                .push_bind(record.received_at)
                .push_bind(&record.payload_sealed)
                .push_bind(state)
                .push_bind(processed_at);
        });
        // A key seen before (or earlier in this batch) inserts nothing and returns no row.
        insert.push(" ON CONFLICT (dedup_key) DO NOTHING RETURNING id, dedup_key");
        let inserted: Vec<(i64, String)> = insert.build_query_as().fetch_all(&mut *tx).await?;
        let mut new_ids: HashMap<String, i64> =
            inserted.into_iter().map(|(id, key)| (key, id)).collect();

        // Of the batch's new tickets only the newest can become the stored one;
        // on a tie the later one, as one write after the other would leave it.
        // (One component per deployment: ingestion refuses pushes for another AppId.)
        let newest = batch
            .iter()
            .filter_map(|record| Some((record, record.ticket.as_ref()?)))
            .filter(|(record, _)| new_ids.contains_key(&record.dedup_key))
            .max_by_key(|(_, ticket)| ticket.create_time);
        let stored_ticket = match newest {
            Some((record, t)) => save_ticket_in!(
                &mut *tx,
                &t.component_appid,
                &t.ticket_sealed,
                t.create_time,
                record.received_at
            )
            .then_some(record.dedup_key.as_str()),
            None => None,
        };
        tx.commit().await?;

        // The first occurrence of a key takes its new id; a copy later in the batch is a duplicate.
        Ok(batch
            .iter()
            .map(|record| match new_ids.remove(&record.dedup_key) {
                None => Recorded::Duplicate,
                Some(event_id) => Recorded::New {
                    event_id,
                    newest_ticket: record
                        .ticket
                        .as_ref()
                        .map(|_| stored_ticket == Some(record.dedup_key.as_str())),
                },
            })
            .collect())
    })
}

#[cfg(test)]
mod tests;
