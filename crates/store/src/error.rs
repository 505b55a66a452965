//! The one error type of the persistence layer.

/// What can go wrong talking to the database, classified for the callers.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A uniqueness constraint refused the write; `constraint` names it.
    #[error("a row with the same {constraint} already exists")]
    Conflict { constraint: &'static str },
    /// The database URL could not be understood.
    #[error("invalid database URL: {0}")]
    InvalidUrl(String),
    /// Applying the embedded migrations failed; the application must not start.
    #[error("database migration failed: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
    /// A batched write (see `PushWriter`) failed; the message is the cause's.
    #[error("batched write failed: {0}")]
    Batch(String),
    /// Any other database failure (connection, I/O, SQL).
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
}

impl StoreError {
    /// Maps a unique-constraint violation to [`StoreError::Conflict`], anything else to
    /// [`StoreError::Database`].
    pub(crate) fn from_write(err: sqlx::Error, constraint: &'static str) -> Self {
        match &err {
            sqlx::Error::Database(db) if db.is_unique_violation() => Self::Conflict { constraint },
            _ => Self::Database(err),
        }
    }
}
