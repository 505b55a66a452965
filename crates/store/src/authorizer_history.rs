//! `authorizer_history`: what happened to an account, for its timeline.
//! Entries are written by the statements that change the account, in the
//! same transaction ([`append`]); runs of refreshes and of failures are
//! collapsed into one row each, so a fleet refreshed every two hours does not
//! grow a row per refresh.

use crate::StoreError;
use crate::pool::{Pool, with_pool};

/// What happened, stored as its snake_case name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, sqlx::Type)]
#[sqlx(type_name = "TEXT", rename_all = "snake_case")]
pub enum HistoryKind {
    /// Authorized for the first time.
    Authorized,
    /// Authorized again after a revocation or a dead refresh token.
    Reauthorized,
    /// Authorized again while active (permission sets changed, `updateauthorized`).
    Updated,
    /// Authorized again through another company's invite: the tokens were
    /// kept, the account stayed with its company (detail: the other company's id).
    AuthorizedThroughAnotherCompany,
    /// The merchant withdrew the authorization (`unauthorized` push).
    Unauthorized,
    /// WeChat no longer lists the authorization (reconcile, or a 61003 it confirmed).
    NoLongerListed,
    /// Revoked here but listed at WeChat: active again (reconcile).
    Revived,
    /// A missing or stale refresh token replaced by the one WeChat lists.
    RefreshTokenRecovered,
    /// Refreshes failed (a run of them; detail: the latest error).
    RefreshFailed,
    /// The refresh token is dead: the merchant must authorize again.
    NeedsReauthorization,
    /// Successful refreshes (a run of them).
    Refreshed,
}

/// One row of an account's history.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct HistoryRow {
    pub id: i64,
    pub kind: HistoryKind,
    pub at: i64,
    pub last_at: i64,
    pub count: i64,
    pub detail: Option<String>,
}

/// Appends an entry to `appid`'s history on `$conn` (a `&mut` connection of
/// the caller's transaction, of either backend: a macro, so one text serves
/// both). The refreshes counted since the previous entry are written out
/// first as one `refreshed` row, so the timeline keeps its order.
macro_rules! history_append {
    ($conn:expr, $appid:expr, $kind:expr, $detail:expr, $at:expr $(,)?) => {{
        $crate::authorizer_history::flush_refreshes!($conn, $appid);
        let detail: Option<&str> = $detail;
        sqlx::query(
            "INSERT INTO authorizer_history (authorizer_appid, kind, at, last_at, detail) \
             VALUES ($1, $2, $3, $3, $4)",
        )
        .bind($appid)
        .bind($kind)
        .bind($at)
        .bind(detail)
        .execute($conn)
        .await?;
    }};
}
pub(crate) use history_append;

/// Records a failed refresh on `$conn`: one more in the current run of
/// failures if the latest entry is one, else a new entry.
macro_rules! history_append_failure {
    ($conn:expr, $appid:expr, $error:expr, $at:expr $(,)?) => {{
        let extended = sqlx::query(
            "UPDATE authorizer_history SET count = count + 1, last_at = $2, detail = $3 \
             WHERE id = (SELECT MAX(id) FROM authorizer_history WHERE authorizer_appid = $1) \
               AND kind = 'refresh_failed' \
               AND NOT EXISTS (SELECT 1 FROM authorizers WHERE authorizer_appid = $1 AND refreshes_pending > 0)",
        )
        .bind($appid)
        .bind($at)
        .bind($error)
        .execute($conn)
        .await?;
        if extended.rows_affected() == 0 {
            $crate::authorizer_history::history_append!(
                $conn,
                $appid,
                $crate::HistoryKind::RefreshFailed,
                Some($error),
                $at
            );
        }
    }};
}
pub(crate) use history_append_failure;

macro_rules! flush_refreshes {
    ($conn:expr, $appid:expr $(,)?) => {{
        let flushed = sqlx::query(
            "INSERT INTO authorizer_history (authorizer_appid, kind, at, last_at, count) \
             SELECT authorizer_appid, 'refreshed', refreshes_pending_since, \
                    COALESCE(refreshed_at, refreshes_pending_since), refreshes_pending \
             FROM authorizers WHERE authorizer_appid = $1 AND refreshes_pending > 0",
        )
        .bind($appid)
        .execute($conn)
        .await?;
        if flushed.rows_affected() > 0 {
            sqlx::query(
                "UPDATE authorizers SET refreshes_pending = 0, refreshes_pending_since = NULL \
                 WHERE authorizer_appid = $1",
            )
            .bind($appid)
            .execute($conn)
            .await?;
        }
    }};
}
pub(crate) use flush_refreshes;

/// Reads accounts' histories.
pub struct AuthorizerHistoryRepo<'a> {
    pool: &'a Pool,
}

impl<'a> AuthorizerHistoryRepo<'a> {
    pub(crate) fn new(pool: &'a Pool) -> Self {
        Self { pool }
    }

    /// `appid`'s newest `limit` entries, newest first; the refreshes since
    /// the last entry come first as a `refreshed` row (id 0) when there are any.
    pub async fn latest(&self, appid: &str, limit: i64) -> Result<Vec<HistoryRow>, StoreError> {
        with_pool!(self.pool, |pool| {
            let pending = sqlx::query_as::<_, HistoryRow>(
                "SELECT CAST(0 AS BIGINT) AS id, 'refreshed' AS kind, refreshes_pending_since AS at, \
                 COALESCE(refreshed_at, refreshes_pending_since) AS last_at, \
                 refreshes_pending AS count, NULL AS detail \
             FROM authorizers WHERE authorizer_appid = $1 AND refreshes_pending > 0",
            )
            .bind(appid)
            .fetch_optional(pool)
            .await?;
            let mut rows: Vec<HistoryRow> = pending.into_iter().collect();
            rows.extend(
                sqlx::query_as::<_, HistoryRow>(
                    "SELECT id, kind, at, last_at, count, detail FROM authorizer_history \
                 WHERE authorizer_appid = $1 ORDER BY id DESC LIMIT $2",
                )
                .bind(appid)
                .bind(limit)
                .fetch_all(pool)
                .await?,
            );
            rows.truncate(usize::try_from(limit).unwrap_or(0));
            Ok(rows)
        })
    }
}

#[cfg(test)]
mod tests;
