//! `api_keys` and `api_key_companies`: the token service's consumers, their
//! optional company scope and how many tokens each was handed. Only a key's
//! hash is stored; this module never sees a key in clear.

use crate::StoreError;
use crate::pool::{Pool, with_pool};

/// An API key as stored.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ApiKeyRow {
    pub id: i64,
    pub name: String,
    pub key_prefix: String,
    pub created_at: i64,
    pub revoked_at: Option<i64>,
    pub issued_count: i64,
    pub last_used_at: Option<i64>,
    /// Reads every company's authorizers (else only those in its scope rows).
    pub all_companies: bool,
    /// May read the component token.
    pub component: bool,
    /// May invalidate tokens (which forces a refresh at WeChat).
    pub invalidate: bool,
    /// Unix seconds; refused from then on. `None`: never expires.
    pub expires_at: Option<i64>,
}

/// Tokens handed out with one key in one minute, to add to its counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IssuedCount {
    pub api_key_id: i64,
    /// Unix seconds at the start of the minute.
    pub minute: i64,
    pub count: i64,
    pub last_used_at: i64,
}

/// What is needed to insert a key; the hash and prefix are computed by the caller.
#[derive(Debug, Clone)]
pub struct NewApiKey<'a> {
    pub name: &'a str,
    pub key_hash: &'a str,
    pub key_prefix: &'a str,
    pub company_ids: &'a [i64],
    pub all_companies: bool,
    pub component: bool,
    pub invalidate: bool,
    pub expires_at: Option<i64>,
    pub created_at: i64,
}

/// Queries on `api_keys` and `api_key_companies`.
pub struct ApiKeyRepo<'a> {
    pool: &'a Pool,
}

const COLUMNS: &str = "id, name, key_prefix, created_at, revoked_at, issued_count, last_used_at, \
     all_companies, component, invalidate, expires_at";

impl<'a> ApiKeyRepo<'a> {
    pub(crate) fn new(pool: &'a Pool) -> Self {
        Self { pool }
    }

    /// Inserts a key and its scope in one transaction. An unknown company is a
    /// [`StoreError::Conflict`] on `company` (the foreign key refused it).
    pub async fn insert(&self, new: NewApiKey<'_>) -> Result<ApiKeyRow, StoreError> {
        with_pool!(self.pool, |pool| {
            let mut tx = pool.begin().await?;
            let row = sqlx::query_as::<_, ApiKeyRow>(&format!(
            "INSERT INTO api_keys \
                 (name, key_hash, key_prefix, created_at, all_companies, component, invalidate, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING {COLUMNS}"
        ))
        .bind(new.name)
        .bind(new.key_hash)
        .bind(new.key_prefix)
        .bind(new.created_at)
        .bind(new.all_companies)
        .bind(new.component)
        .bind(new.invalidate)
        .bind(new.expires_at)
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| StoreError::from_write(e, "key_hash"))?;
            for company_id in new.company_ids {
                sqlx::query(
                    "INSERT INTO api_key_companies (api_key_id, company_id) VALUES ($1, $2) \
                 ON CONFLICT DO NOTHING",
                )
                .bind(row.id)
                .bind(company_id)
                .execute(&mut *tx)
                .await
                .map_err(|e| match &e {
                    sqlx::Error::Database(db) if db.is_foreign_key_violation() => {
                        StoreError::Conflict {
                            constraint: "company",
                        }
                    }
                    _ => StoreError::Database(e),
                })?;
            }
            tx.commit().await?;
            Ok(row)
        })
    }

    /// The key with this hash, revoked or not.
    pub async fn by_hash(&self, key_hash: &str) -> Result<Option<ApiKeyRow>, StoreError> {
        with_pool!(self.pool, |pool| {
            Ok(sqlx::query_as::<_, ApiKeyRow>(&format!(
                "SELECT {COLUMNS} FROM api_keys WHERE key_hash = $1"
            ))
            .bind(key_hash)
            .fetch_optional(pool)
            .await?)
        })
    }

    /// The companies a key may read (besides `all_companies`).
    pub async fn scope(&self, id: i64) -> Result<Vec<i64>, StoreError> {
        with_pool!(self.pool, |pool| {
            Ok(sqlx::query_scalar::<_, i64>(
            "SELECT company_id FROM api_key_companies WHERE api_key_id = $1 ORDER BY company_id",
        )
        .bind(id)
        .fetch_all(pool)
        .await?)
        })
    }

    /// Every key, newest first.
    pub async fn list(&self) -> Result<Vec<ApiKeyRow>, StoreError> {
        with_pool!(self.pool, |pool| {
            Ok(sqlx::query_as::<_, ApiKeyRow>(&format!(
                "SELECT {COLUMNS} FROM api_keys ORDER BY created_at DESC, id DESC"
            ))
            .fetch_all(pool)
            .await?)
        })
    }

    /// Revokes a key; returns whether it existed and was active.
    pub async fn revoke(&self, id: i64, at: i64) -> Result<bool, StoreError> {
        with_pool!(self.pool, |pool| {
            let done = sqlx::query(
                "UPDATE api_keys SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL",
            )
            .bind(id)
            .bind(at)
            .execute(pool)
            .await?;
            Ok(done.rows_affected() == 1)
        })
    }

    /// Adds counted issuances in one transaction: to each key's total and
    /// last use, and to its count for the minute.
    pub async fn add_issued(&self, counts: &[IssuedCount]) -> Result<(), StoreError> {
        with_pool!(self.pool, |pool| {
            if counts.is_empty() {
                return Ok(());
            }
            let mut tx = pool.begin().await?;
            for issued in counts {
                sqlx::query(
                    "UPDATE api_keys SET issued_count = issued_count + $2, \
                     last_used_at = CASE WHEN COALESCE(last_used_at, 0) > $3 THEN last_used_at ELSE $3 END \
                 WHERE id = $1",
                )
                .bind(issued.api_key_id)
                .bind(issued.count)
                .bind(issued.last_used_at)
                .execute(&mut *tx)
                .await?;
                sqlx::query(
                    "INSERT INTO api_key_reads (api_key_id, minute, reads) VALUES ($1, $2, $3) \
                 ON CONFLICT (api_key_id, minute) DO UPDATE SET reads = api_key_reads.reads + excluded.reads",
                )
                .bind(issued.api_key_id)
                .bind(issued.minute)
                .bind(issued.count)
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await?;
            Ok(())
        })
    }

    /// Keeps a new key (sealed) for `admin_id` to see once, until `until`.
    pub async fn set_reveal(
        &self,
        id: i64,
        admin_id: i64,
        sealed: &[u8],
        until: i64,
    ) -> Result<(), StoreError> {
        with_pool!(self.pool, |pool| {
            sqlx::query(
                "UPDATE api_keys SET reveal_admin_id = $2, reveal_sealed = $3, reveal_until = $4 \
             WHERE id = $1",
            )
            .bind(id)
            .bind(admin_id)
            .bind(sealed)
            .bind(until)
            .execute(pool)
            .await?;
            Ok(())
        })
    }

    /// The sealed key waiting for `admin_id`, if it has not expired at `now`;
    /// cleared by a compare-and-swap, so it is handed out once, whoever asks
    /// at the same moment. (No read-then-write transaction: in WAL mode its
    /// upgrade to a writer fails outright when another write came between.)
    pub async fn take_reveal(
        &self,
        id: i64,
        admin_id: i64,
        now: i64,
    ) -> Result<Option<Vec<u8>>, StoreError> {
        with_pool!(self.pool, |pool| {
            let sealed: Option<Vec<u8>> = sqlx::query_scalar(
            "SELECT reveal_sealed FROM api_keys \
             WHERE id = $1 AND reveal_admin_id = $2 AND reveal_until > $3 AND reveal_sealed IS NOT NULL",
        )
        .bind(id)
        .bind(admin_id)
        .bind(now)
        .fetch_optional(pool)
        .await?;
            let Some(sealed) = sealed else {
                // Expired ones are not kept either.
                sqlx::query(
                    "UPDATE api_keys SET reveal_sealed = NULL, reveal_until = NULL \
                 WHERE id = $1 AND reveal_until <= $2",
                )
                .bind(id)
                .bind(now)
                .execute(pool)
                .await?;
                return Ok(None);
            };
            let taken = sqlx::query(
                "UPDATE api_keys SET reveal_sealed = NULL, reveal_until = NULL \
             WHERE id = $1 AND reveal_admin_id = $2 AND reveal_sealed = $3",
            )
            .bind(id)
            .bind(admin_id)
            .bind(&sealed)
            .execute(pool)
            .await?;
            Ok((taken.rows_affected() == 1).then_some(sealed))
        })
    }

    /// A key's reads per minute since `since`, oldest first: (minute, reads).
    pub async fn reads_per_minute(
        &self,
        id: i64,
        since: i64,
    ) -> Result<Vec<(i64, i64)>, StoreError> {
        with_pool!(self.pool, |pool| {
            Ok(sqlx::query_as::<_, (i64, i64)>(
                "SELECT minute, reads FROM api_key_reads WHERE api_key_id = $1 AND minute >= $2 \
             ORDER BY minute",
            )
            .bind(id)
            .bind(since)
            .fetch_all(pool)
            .await?)
        })
    }

    /// Every key's reads per day since `since`: (key id, day, reads), where
    /// day = (minute + `utc_offset_secs`) / 86,400 (days of that time zone).
    pub async fn reads_per_day(
        &self,
        since: i64,
        utc_offset_secs: i64,
    ) -> Result<Vec<(i64, i64, i64)>, StoreError> {
        with_pool!(self.pool, |pool| {
            Ok(sqlx::query_as::<_, (i64, i64, i64)>(
                "SELECT api_key_id, (minute + $2) / 86400 AS day, CAST(SUM(reads) AS BIGINT) FROM api_key_reads \
             WHERE minute >= $1 GROUP BY api_key_id, day",
            )
            .bind(since)
            .bind(utc_offset_secs)
            .fetch_all(pool)
            .await?)
        })
    }

    /// Deletes per-minute counts older than `before` (totals stay).
    pub async fn purge_reads_before(&self, before: i64) -> Result<u64, StoreError> {
        with_pool!(self.pool, |pool| {
            Ok(sqlx::query("DELETE FROM api_key_reads WHERE minute < $1")
                .bind(before)
                .execute(pool)
                .await?
                .rows_affected())
        })
    }
}

#[cfg(test)]
mod tests;
