//! Group commit for pushes. WeChat expects `success` quickly and a push must be
//! durable before that answer, so every push needs a commit; one commit per push
//! caps ingestion at a few thousand a second. A single writer task instead takes
//! every push queued while the previous commit ran and writes them in one
//! transaction, then answers each caller: no added latency when idle, large
//! batches under load.

use sqlx::SqlitePool;
use tokio::sync::{mpsc, oneshot};

use crate::StoreError;
use crate::component::save_ticket_in;

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

type Job = (PushRecord, oneshot::Sender<Result<Recorded, StoreError>>);

/// The handle to the writer task; cheap to clone.
#[derive(Debug, Clone)]
pub struct PushWriter {
    jobs: mpsc::Sender<Job>,
}

impl PushWriter {
    /// Starts the writer task on `pool` (it ends when every handle is dropped).
    pub(crate) fn spawn(pool: SqlitePool) -> Self {
        let (jobs, mut queue) = mpsc::channel::<Job>(4 * MAX_BATCH);
        tokio::spawn(async move {
            let mut batch: Vec<Job> = Vec::with_capacity(MAX_BATCH);
            while queue.recv_many(&mut batch, MAX_BATCH).await > 0 {
                match write_batch(&pool, &batch).await {
                    Ok(outcomes) => {
                        for ((_, reply), outcome) in batch.drain(..).zip(outcomes) {
                            let _ = reply.send(Ok(outcome));
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

async fn write_batch(pool: &SqlitePool, batch: &[Job]) -> Result<Vec<Recorded>, StoreError> {
    let mut tx = pool.begin().await?;
    let mut outcomes = Vec::with_capacity(batch.len());
    for (record, _) in batch {
        let processed_at = record.ticket.as_ref().map(|_| record.received_at);
        let id = sqlx::query_scalar::<_, i64>(
            "INSERT INTO push_events \
                 (dedup_key, info_type, authorizer_appid, create_time, received_at, payload_sealed, processed_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) \
             ON CONFLICT (dedup_key) DO NOTHING RETURNING id",
        )
        .bind(&record.dedup_key)
        .bind(&record.info_type)
        .bind(&record.authorizer_appid)
        .bind(record.create_time)
        .bind(record.received_at)
        .bind(&record.payload_sealed)
        .bind(processed_at)
        .fetch_optional(&mut *tx)
        .await?;
        let outcome = match (id, &record.ticket) {
            (None, _) => Recorded::Duplicate,
            (Some(event_id), None) => Recorded::New {
                event_id,
                newest_ticket: None,
            },
            (Some(event_id), Some(t)) => {
                let newest = save_ticket_in(
                    &mut tx,
                    &t.component_appid,
                    &t.ticket_sealed,
                    t.create_time,
                    record.received_at,
                )
                .await?;
                Recorded::New {
                    event_id,
                    newest_ticket: Some(newest),
                }
            }
        };
        outcomes.push(outcome);
    }
    tx.commit().await?;
    Ok(outcomes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Store;

    fn ticket_push(key: &str, create_time: i64) -> PushRecord {
        PushRecord {
            dedup_key: key.into(),
            info_type: "component_verify_ticket".into(),
            authorizer_appid: None,
            create_time: Some(create_time),
            received_at: 10,
            payload_sealed: b"sealed".to_vec(),
            ticket: Some(TicketWrite {
                component_appid: "wxc".into(),
                ticket_sealed: format!("t{create_time}").into_bytes(),
                create_time,
            }),
        }
    }

    #[tokio::test]
    async fn concurrent_pushes_are_each_recorded_once_and_the_newest_ticket_wins() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::connect(&format!("sqlite://{}", dir.path().join("w.db").display()))
            .await
            .unwrap();
        let writer = store.push_writer();
        let mut handles = Vec::new();
        for i in 0..200i64 {
            let writer = writer.clone();
            // Every push twice: the copy must come back as a duplicate.
            for _ in 0..2 {
                let writer = writer.clone();
                handles.push(tokio::spawn(async move {
                    writer.record(ticket_push(&format!("k{i}"), i)).await
                }));
            }
        }
        let mut new = 0;
        let mut duplicates = 0;
        for handle in handles {
            match handle.await.unwrap().unwrap() {
                Recorded::New { .. } => new += 1,
                Recorded::Duplicate => duplicates += 1,
            }
        }
        assert_eq!((new, duplicates), (200, 200));
        let ticket = store.component().ticket("wxc").await.unwrap().unwrap();
        assert_eq!(
            (ticket.create_time, ticket.ticket_sealed),
            (199, b"t199".to_vec())
        );
        assert_eq!(store.push_events().recent(1000).await.unwrap().len(), 200);
        assert!(
            store
                .push_events()
                .unprocessed(10)
                .await
                .unwrap()
                .is_empty(),
            "tickets are processed on write"
        );
    }
}
