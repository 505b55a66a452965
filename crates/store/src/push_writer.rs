//! Group commit for pushes. WeChat expects `success` quickly and a push must be
//! durable before that answer, so every push needs a commit; one commit per push
//! caps ingestion at a few thousand a second. A single writer task instead takes
//! every push queued while the previous commit ran and writes them in one
//! transaction, then answers each caller: no added latency when idle, large
//! batches under load.
//!
//! The writer also starts the WAL checkpoints (see [`Checkpointer`]): SQLite's
//! automatic checkpoint runs inside a commit and stalled whole batches behind
//! it, which was the push benchmark's p99.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use sqlx::{QueryBuilder, SqlitePool};
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;

use crate::StoreError;
use crate::component::save_ticket_in;
use crate::events::PushEventState;
use crate::pool::{Pool, with_pool};

/// Most pushes written by one transaction.
const MAX_BATCH: usize = 512;

/// How often, while pushes arrive, the WAL is checkpointed beside the writer.
const CHECKPOINT_EVERY: Duration = Duration::from_secs(1);

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

type Job = (PushRecord, oneshot::Sender<Result<Recorded, StoreError>>);

/// The handle to the writer task; cheap to clone.
#[derive(Debug, Clone)]
pub struct PushWriter {
    jobs: mpsc::Sender<Job>,
}

impl PushWriter {
    /// Starts the writer task on `pool` (it ends when every handle is dropped).
    pub(crate) fn spawn(pool: Pool) -> Self {
        let (jobs, mut queue) = mpsc::channel::<Job>(4 * MAX_BATCH);
        tokio::spawn(async move {
            let mut batch: Vec<Job> = Vec::with_capacity(MAX_BATCH);
            let mut checkpointer = Checkpointer::new();
            while queue.recv_many(&mut batch, MAX_BATCH).await > 0 {
                match write_batch(&pool, &batch).await {
                    Ok(outcomes) => {
                        for ((_, reply), outcome) in batch.drain(..).zip(outcomes) {
                            let _ = reply.send(Ok(outcome));
                        }
                        if let Pool::Sqlite(sqlite, _) = &pool {
                            checkpointer.after_commit(sqlite);
                        }
                    }
                    Err(err) => {
                        let message = err.to_string();
                        tracing::error!(error = %message, size = batch.len(), "push batch not written");
                        for (_, reply) in batch.drain(..) {
                            let _ = reply.send(Err(StoreError::Batch(message.clone())));
                        }
                    }
                }
            }
        });
        Self { jobs }
    }

    /// Records a push durably (it is committed when this returns `Ok`).
    pub async fn record(&self, record: PushRecord) -> Result<Recorded, StoreError> {
        let (reply, answer) = oneshot::channel();
        self.jobs
            .send((record, reply))
            .await
            .map_err(|_| StoreError::Batch("the push writer has stopped".into()))?;
        answer
            .await
            .map_err(|_| StoreError::Batch("the push writer has stopped".into()))?
    }
}

/// Starts a PASSIVE checkpoint on its own pooled connection at most every
/// [`CHECKPOINT_EVERY`], never two at once. A passive checkpoint neither waits
/// for nor blocks writers, so commits go on while it copies the WAL into the
/// database; SQLite's own automatic checkpoint (set high in `pool.rs`) only
/// remains as a fallback for writes that do not come through here.
pub(crate) struct Checkpointer {
    last: Instant,
    running: Option<JoinHandle<()>>,
}

impl Checkpointer {
    pub(crate) fn new() -> Self {
        Self {
            last: Instant::now(),
            running: None,
        }
    }

    pub(crate) fn after_commit(&mut self, pool: &SqlitePool) {
        let busy = self.running.as_ref().is_some_and(|h| !h.is_finished());
        if busy || self.last.elapsed() < CHECKPOINT_EVERY {
            return;
        }
        self.last = Instant::now();
        let pool = pool.clone();
        self.running = Some(tokio::spawn(async move {
            if let Err(err) = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
                .execute(&pool)
                .await
            {
                tracing::warn!(error = %err, "WAL checkpoint failed; SQLite's automatic checkpoint remains");
            }
        }));
    }
}

/// Writes a batch in one transaction with two statements at most: every
/// statement is a round trip to sqlx's SQLite worker thread, and those thread
/// hops, not SQLite, were the cost of a row-per-statement batch.
pub(crate) async fn write_batch(pool: &Pool, batch: &[Job]) -> Result<Vec<Recorded>, StoreError> {
    let _turn = pool.write_turn().await;
    with_pool!(pool, |pool| {
        let mut tx = pool.begin().await?;
        // 8 bound values per row: 512 rows stay far below SQLite's 32,766 variables.
        let mut insert = QueryBuilder::new(
            "INSERT INTO push_events \
             (dedup_key, info_type, authorizer_appid, create_time, received_at, payload_sealed, \
              state, processed_at) ",
        );
        insert.push_values(batch, |mut row, (record, _)| {
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
            .filter_map(|(record, _)| Some((record, record.ticket.as_ref()?)))
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
            .map(|(record, _)| match new_ids.remove(&record.dedup_key) {
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
