//! Group commit: a push must be durable before WeChat gets its answer, so
//! every push needs a commit, and one commit per push caps ingestion at a
//! few thousand a second. One writer task per kind of record instead takes
//! every record queued while the previous commit ran, writes them in one
//! transaction, then answers each caller: no added latency when idle, large
//! batches under load. The push writer and the message writer are two kinds
//! ([`BatchWrite`]); this module is their shared loop.
//!
//! The loop also starts the WAL checkpoints ([`Checkpointer`]): SQLite's
//! automatic checkpoint runs inside a commit and stalled whole batches
//! behind it, which was the push benchmark's p99.

use std::future::Future;
use std::time::{Duration, Instant};

use sqlx::SqlitePool;
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;

use crate::StoreError;
use crate::pool::Pool;

/// How often, while records arrive, the WAL is checkpointed beside the writer.
const CHECKPOINT_EVERY: Duration = Duration::from_secs(1);

/// One kind of record written in batches.
pub(crate) trait BatchWrite: 'static {
    type Record: Send + 'static;
    type Outcome: Send + 'static;
    /// For the logs: "push", "message".
    const NAME: &'static str;
    /// Most records in one transaction.
    const MAX_BATCH: usize;

    /// Writes `batch` in one transaction; one outcome per record, in order.
    fn write<'a>(
        pool: &'a Pool,
        batch: &'a [Self::Record],
    ) -> impl Future<Output = Result<Vec<Self::Outcome>, StoreError>> + Send + 'a;
}

type Job<W> = (
    <W as BatchWrite>::Record,
    oneshot::Sender<Result<<W as BatchWrite>::Outcome, StoreError>>,
);

/// The handle to a writer task; cheap to clone.
pub(crate) struct GroupCommit<W: BatchWrite> {
    jobs: mpsc::Sender<Job<W>>,
}

impl<W: BatchWrite> Clone for GroupCommit<W> {
    fn clone(&self) -> Self {
        Self {
            jobs: self.jobs.clone(),
        }
    }
}

impl<W: BatchWrite> std::fmt::Debug for GroupCommit<W> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GroupCommit")
            .field("kind", &W::NAME)
            .finish()
    }
}

impl<W: BatchWrite> GroupCommit<W> {
    /// Starts the writer task on `pool` (it ends when every handle is dropped).
    pub(crate) fn spawn(pool: Pool) -> Self {
        let (jobs, mut queue) = mpsc::channel::<Job<W>>(4 * W::MAX_BATCH);
        tokio::spawn(async move {
            let mut batch: Vec<Job<W>> = Vec::with_capacity(W::MAX_BATCH);
            // Checkpoints beside the commits, not inside one (see Checkpointer).
            let mut checkpointer = Checkpointer::new();
            while queue.recv_many(&mut batch, W::MAX_BATCH).await > 0 {
                let (records, replies): (Vec<_>, Vec<_>) = batch.drain(..).unzip();
                match W::write(&pool, &records).await {
                    Ok(outcomes) => {
                        for (reply, outcome) in replies.into_iter().zip(outcomes) {
                            let _ = reply.send(Ok(outcome));
                        }
                        if let Pool::Sqlite(sqlite, _) = &pool {
                            checkpointer.after_commit(sqlite);
                        }
                    }
                    Err(err) => {
                        let message = err.to_string();
                        tracing::error!(error = %message, size = records.len(), kind = W::NAME, "batch not written");
                        for reply in replies {
                            let _ = reply.send(Err(StoreError::Batch(message.clone())));
                        }
                    }
                }
            }
        });
        Self { jobs }
    }

    /// Records one durably: committed when this returns `Ok`.
    pub(crate) async fn record(&self, record: W::Record) -> Result<W::Outcome, StoreError> {
        let stopped = || StoreError::Batch(format!("the {} writer has stopped", W::NAME));
        let (reply, answer) = oneshot::channel();
        self.jobs
            .send((record, reply))
            .await
            .map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())?
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
