//! Refresh bookkeeping on `authorizers`: which are due, the per-authorizer
//! lease, and storing a refresh's outcome. A new access token and the refresh
//! token that came with it are written by one statement, so neither can be
//! stored without the other.

use crate::authorizer_history::{self as history, HistoryKind};
use crate::pool::{Pool, with_pool};
use crate::{AuthorizerStatus, StoreError};

/// An authorizer whose access token needs refreshing soon.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct DueAuthorizer {
    pub authorizer_appid: String,
    pub access_token_expires_at: Option<i64>,
}

/// What a refresher needs of the authorizer it leased, read by the lease
/// statement itself (so it is what the lease saw).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct LeasedAuthorizer {
    pub refresh_token_sealed: Option<Vec<u8>>,
    pub failures: i64,
}

/// A refresh's outcome, for [`AuthorizerRefreshRepo::save_refreshed`].
#[derive(Debug, Clone)]
pub struct SaveRefreshed<'a> {
    pub appid: &'a str,
    /// The lease holder doing the write.
    pub holder: &'a str,
    pub access_token_sealed: &'a [u8],
    pub expires_at: i64,
    pub refresh_token_sealed: &'a [u8],
    /// The sealed refresh token the refresh started from, as it was stored.
    pub started_from: Option<&'a [u8]>,
    /// When the result arrived (the lease must still hold then).
    pub now: i64,
}

/// What a failed refresh leaves behind.
#[derive(Debug, Clone)]
pub struct RefreshFailure<'a> {
    pub error: &'a str,
    pub failures: i64,
    pub next_attempt_at: i64,
}

pub struct AuthorizerRefreshRepo<'a> {
    pool: &'a Pool,
}

impl<'a> AuthorizerRefreshRepo<'a> {
    pub(crate) fn new(pool: &'a Pool) -> Self {
        Self { pool }
    }

    /// Active authorizers whose token is missing or expires before `horizon`,
    /// not backing off and not leased, soonest first.
    pub async fn due(
        &self,
        now: i64,
        horizon: i64,
        limit: i64,
    ) -> Result<Vec<DueAuthorizer>, StoreError> {
        with_pool!(self.pool, |pool| {
            Ok(sqlx::query_as::<_, DueAuthorizer>(
                "SELECT authorizer_appid, access_token_expires_at FROM authorizers \
             WHERE status = 'active' \
               AND (access_token_expires_at IS NULL OR access_token_expires_at <= $2) \
               AND (next_attempt_at IS NULL OR next_attempt_at <= $1) \
               AND (lease_until IS NULL OR lease_until < $1) \
             ORDER BY access_token_expires_at ASC LIMIT $3",
            )
            .bind(now)
            .bind(horizon)
            .bind(limit)
            .fetch_all(pool)
            .await?)
        })
    }

    /// Leases, for `holder` until `until`, those of `appids` that are still
    /// due (as [`Self::due`] read them) and not leased by another holder; the
    /// ones it leased. One statement for a scheduler pass's batch, so
    /// instances sharing a database work on disjoint batches instead of all
    /// reading the same soonest-due rows. Each refresh still takes its lease
    /// with [`Self::try_lease`], which checks the token it saw: this lease is
    /// a claim on the work, not what makes a refresh safe.
    pub async fn claim_due(
        &self,
        appids: &[String],
        holder: &str,
        (now, horizon, until): (i64, i64, i64),
    ) -> Result<Vec<String>, StoreError> {
        if appids.is_empty() {
            return Ok(Vec::new());
        }
        let list = (0..appids.len())
            .map(|i| format!("${}", i + 5))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "UPDATE authorizers SET lease_holder = $1, lease_until = $4 \
             WHERE authorizer_appid IN ({list}) AND status = 'active' \
               AND (access_token_expires_at IS NULL OR access_token_expires_at <= $3) \
               AND (next_attempt_at IS NULL OR next_attempt_at <= $2) \
               AND (lease_holder IS NULL OR lease_until IS NULL OR lease_until < $2 OR lease_holder = $1) \
             RETURNING authorizer_appid"
        );
        with_pool!(self.pool, |pool| {
            let mut query = sqlx::query_scalar::<_, String>(&sql)
                .bind(holder)
                .bind(now)
                .bind(horizon)
                .bind(until);
            for appid in appids {
                query = query.bind(appid);
            }
            Ok(query.fetch_all(pool).await?)
        })
    }

    /// Whether a consumer's invalidation may force a refresh of `appid` at
    /// `now`: yes when none was forced in the last `interval_secs`, and then
    /// `now` is recorded, in the same statement, so instances sharing the
    /// database allow one between them.
    pub async fn take_forced_refresh(
        &self,
        appid: &str,
        now: i64,
        interval_secs: i64,
    ) -> Result<bool, StoreError> {
        with_pool!(self.pool, |pool| {
            let taken = sqlx::query(
                "UPDATE authorizers SET forced_refresh_at = $2 \
                 WHERE authorizer_appid = $1 \
                   AND (forced_refresh_at IS NULL OR forced_refresh_at <= $3)",
            )
            .bind(appid)
            .bind(now)
            .bind(now - interval_secs)
            .execute(pool)
            .await?;
            Ok(taken.rows_affected() == 1)
        })
    }

    /// Takes the refresh lease of an active authorizer if it is free, expired or
    /// already ours, and only if its token still expires at `observed_expires_at`
    /// (what the caller saw when it decided to refresh): the check and the lease
    /// are one statement, so a refresh finished by another instance meanwhile
    /// makes this one step back instead of refreshing twice. `None`: not leased.
    pub async fn try_lease(
        &self,
        appid: &str,
        holder: &str,
        now: i64,
        until: i64,
        observed_expires_at: Option<i64>,
    ) -> Result<Option<LeasedAuthorizer>, StoreError> {
        with_pool!(self.pool, |pool| {
            Ok(sqlx::query_as::<_, LeasedAuthorizer>(
            "UPDATE authorizers SET lease_holder = $2, lease_until = $4 \
             WHERE authorizer_appid = $1 AND status = 'active' \
               AND access_token_expires_at IS NOT DISTINCT FROM $5 \
               AND (lease_holder IS NULL OR lease_until IS NULL OR lease_until < $3 OR lease_holder = $2) \
             RETURNING refresh_token_sealed, failures",
        )
        .bind(appid)
        .bind(holder)
        .bind(now)
        .bind(until)
        .bind(observed_expires_at)
        .fetch_optional(pool)
        .await?)
        })
    }

    /// Stores a refresh's tokens (both in one statement), clears the failure
    /// state and releases `holder`'s lease: compare-and-swap. It writes only
    /// while `holder` still holds an unexpired lease at `now` and the stored
    /// refresh token is still `started_from` (the sealed bytes the refresh
    /// read), so a refresh that outlived its lease, or raced a
    /// re-authorization that stored a newer refresh token, overwrites nothing.
    /// `false`: nothing was written.
    pub async fn save_refreshed(&self, refresh: SaveRefreshed<'_>) -> Result<bool, StoreError> {
        with_pool!(self.pool, |pool| {
            let done = sqlx::query(
                "UPDATE authorizers SET access_token_sealed = $3, access_token_expires_at = $4, \
                 refresh_token_sealed = $5, refreshed_at = $6, updated_at = $6, \
                 failures = 0, next_attempt_at = NULL, last_error = NULL, \
                 lease_holder = NULL, lease_until = NULL, \
                 refreshes_pending = refreshes_pending + 1, \
                 refreshes_pending_since = COALESCE(refreshes_pending_since, $6) \
             WHERE authorizer_appid = $1 AND lease_holder = $2 AND lease_until >= $6 \
               AND refresh_token_sealed IS NOT DISTINCT FROM $7",
            )
            .bind(refresh.appid)
            .bind(refresh.holder)
            .bind(refresh.access_token_sealed)
            .bind(refresh.expires_at)
            .bind(refresh.refresh_token_sealed)
            .bind(refresh.now)
            .bind(refresh.started_from)
            .execute(pool)
            .await?;
            Ok(done.rows_affected() == 1)
        })
    }

    /// Records a failed attempt and when to try next; releases `holder`'s lease.
    pub async fn record_failure(
        &self,
        appid: &str,
        holder: &str,
        f: RefreshFailure<'_>,
        now: i64,
    ) -> Result<(), StoreError> {
        with_pool!(self.pool, |pool| {
            let mut tx = pool.begin().await?;
            let recorded = sqlx::query(
            "UPDATE authorizers SET last_error = $3, failures = $4, next_attempt_at = $5, updated_at = $6, \
                 lease_holder = CASE WHEN lease_holder = $2 THEN NULL ELSE lease_holder END, \
                 lease_until = CASE WHEN lease_holder = $2 THEN NULL ELSE lease_until END \
             WHERE authorizer_appid = $1",
        )
        .bind(appid)
        .bind(holder)
        .bind(f.error)
        .bind(f.failures)
        .bind(f.next_attempt_at)
        .bind(now)
        .execute(&mut *tx)
        .await?;
            if recorded.rows_affected() == 1 {
                history::history_append_failure!(&mut *tx, appid, f.error, now);
            }
            tx.commit().await?;
            Ok(())
        })
    }

    /// The refresh token is dead: the account must authorize again. Refreshing stops.
    pub async fn mark_needs_reauthorization(
        &self,
        appid: &str,
        error: &str,
        now: i64,
    ) -> Result<(), StoreError> {
        with_pool!(self.pool, |pool| {
            let mut tx = pool.begin().await?;
            let marked = sqlx::query(
            "UPDATE authorizers SET status = 'needs_reauthorization', last_error = $2, updated_at = $3, \
                 lease_holder = NULL, lease_until = NULL \
             WHERE authorizer_appid = $1 AND status = 'active'",
        )
        .bind(appid)
        .bind(error)
        .bind(now)
        .execute(&mut *tx)
        .await?;
            if marked.rows_affected() == 1 {
                history::history_append!(
                    &mut *tx,
                    appid,
                    HistoryKind::NeedsReauthorization,
                    Some(error),
                    now,
                );
            }
            tx.commit().await?;
            Ok(())
        })
    }

    /// Replaces a lost or stale refresh token with one recovered from WeChat's list.
    pub async fn replace_refresh_token(
        &self,
        appid: &str,
        refresh_token_sealed: &[u8],
        now: i64,
    ) -> Result<(), StoreError> {
        with_pool!(self.pool, |pool| {
            let mut tx = pool.begin().await?;
            let replaced = sqlx::query(
            "UPDATE authorizers SET refresh_token_sealed = $2, updated_at = $3 WHERE authorizer_appid = $1",
        )
        .bind(appid)
        .bind(refresh_token_sealed)
        .bind(now)
        .execute(&mut *tx)
        .await?;
            if replaced.rows_affected() == 1 {
                history::history_append!(
                    &mut *tx,
                    appid,
                    HistoryKind::RefreshTokenRecovered,
                    None,
                    now,
                );
            }
            tx.commit().await?;
            Ok(())
        })
    }

    /// A recovered refresh token gives a `needs_reauthorization` authorizer another chance.
    pub async fn reactivate(&self, appid: &str, now: i64) -> Result<(), StoreError> {
        with_pool!(self.pool, |pool| {
            sqlx::query(
            "UPDATE authorizers SET status = 'active', failures = 0, next_attempt_at = NULL, updated_at = $2 \
             WHERE authorizer_appid = $1 AND status = 'needs_reauthorization'",
        )
        .bind(appid)
        .bind(now)
        .execute(pool)
        .await?;
            Ok(())
        })
    }

    /// Every authorizer appid we know, with its status.
    pub async fn all(&self) -> Result<Vec<(String, AuthorizerStatus)>, StoreError> {
        with_pool!(self.pool, |pool| {
            Ok(sqlx::query_as::<_, (String, AuthorizerStatus)>(
                "SELECT authorizer_appid, status FROM authorizers",
            )
            .fetch_all(pool)
            .await?)
        })
    }
}

#[cfg(test)]
mod tests;
