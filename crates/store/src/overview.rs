//! The counts the operator's overview shows, each from an index: accounts by
//! status, accounts whose refreshes are failing, pushes received since a
//! time, and pushes whose processing failed; and a page of accounts by status.

use crate::pool::{Pool, with_pool};
use crate::{AuthorizerStatus, StoreError};

/// An account as the accounts list shows it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct AccountListRow {
    pub id: i64,
    pub authorizer_appid: String,
    pub nick_name: Option<String>,
    pub company_id: i64,
    pub company_name: String,
    pub status: AuthorizerStatus,
    pub is_mini_program: bool,
    pub failures: i64,
    pub last_error: Option<String>,
    pub access_token_expires_at: Option<i64>,
}

pub struct OverviewRepo<'a> {
    pool: &'a Pool,
}

impl<'a> OverviewRepo<'a> {
    pub(crate) fn new(pool: &'a Pool) -> Self {
        Self { pool }
    }

    /// How many accounts are in each status (statuses with none are absent).
    pub async fn accounts_by_status(&self) -> Result<Vec<(AuthorizerStatus, i64)>, StoreError> {
        with_pool!(self.pool, |pool| {
            Ok(sqlx::query_as::<_, (AuthorizerStatus, i64)>(
                "SELECT status, count FROM authorizer_status_counts",
            )
            .fetch_all(pool)
            .await?)
        })
    }

    /// Active accounts whose last refresh failed.
    pub async fn failing_refreshes(&self) -> Result<i64, StoreError> {
        with_pool!(self.pool, |pool| {
            Ok(sqlx::query_scalar(
                "SELECT COUNT(*) FROM authorizers WHERE failures > 0 AND status = 'active'",
            )
            .fetch_one(pool)
            .await?)
        })
    }

    /// Pushes received since the start of `since`'s minute (counted per
    /// minute as they are recorded, see the `push_minutes` migration).
    pub async fn pushes_since(&self, since: i64) -> Result<i64, StoreError> {
        with_pool!(self.pool, |pool| {
            Ok(sqlx::query_scalar(
                "SELECT CAST(COALESCE(SUM(count), 0) AS BIGINT) FROM push_minutes WHERE minute >= $1 / 60",
            )
            .bind(since)
            .fetch_one(pool)
            .await?)
        })
    }

    /// Pushes whose processing failed for good.
    pub async fn failed_events(&self) -> Result<i64, StoreError> {
        with_pool!(self.pool, |pool| {
            Ok(
                sqlx::query_scalar("SELECT COUNT(*) FROM push_events WHERE state = 'failed'")
                    .fetch_one(pool)
                    .await?,
            )
        })
    }

    /// Up to `limit` accounts, of `status` if given, after `after_id` (keyset),
    /// by id; `failing`: only those whose last refreshes failed (through the
    /// partial index of failing accounts, so the condition is written out).
    pub async fn accounts(
        &self,
        status: Option<AuthorizerStatus>,
        failing: bool,
        after_id: Option<i64>,
        limit: i64,
    ) -> Result<Vec<AccountListRow>, StoreError> {
        with_pool!(self.pool, |pool| {
            let failing = if failing { "AND a.failures > 0" } else { "" };
            Ok(sqlx::query_as::<_, AccountListRow>(&format!(
            "SELECT a.id, a.authorizer_appid, a.nick_name, a.company_id, c.name AS company_name, \
                    a.status, a.is_mini_program, a.failures, a.last_error, a.access_token_expires_at \
             FROM authorizers a JOIN companies c ON c.id = a.company_id \
             WHERE ($1 IS NULL OR a.status = $1) {failing} AND a.id > COALESCE($2, 0) \
             ORDER BY a.id LIMIT $3"
        ))
        .bind(status)
        .bind(after_id)
        .bind(limit)
        .fetch_all(pool)
        .await?)
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::store;
    use crate::{AuthorizationWrite, AuthorizerStatus, NewCompany, PushRecord};

    #[tokio::test]
    async fn counts_and_pages_follow_the_rows() {
        let (_dir, store) = store().await;
        let company = store
            .companies()
            .insert(NewCompany {
                name: "甲",
                created_at: time::OffsetDateTime::UNIX_EPOCH,
            })
            .await
            .unwrap()
            .id;
        for i in 0..3 {
            let appid = format!("wx{i:016x}");
            store
                .authorizers()
                .save_authorization(AuthorizationWrite {
                    authorizer_appid: &appid,
                    company_id: company,
                    func_info_json: "[]",
                    refresh_token_sealed: b"r",
                    access_token_sealed: b"a",
                    access_token_expires_at: 100,
                    code_hash: &format!("c{i}"),
                    invite_id: None,
                    now: 1,
                })
                .await
                .unwrap();
        }
        store
            .authorizers()
            .mark_revoked("wx0000000000000002", 5, crate::HistoryKind::Unauthorized)
            .await
            .unwrap();
        let overview = store.overview();
        let mut counts = overview.accounts_by_status().await.unwrap();
        counts.sort_by_key(|(_, n)| *n);
        assert_eq!(
            counts,
            [
                (AuthorizerStatus::Revoked, 1),
                (AuthorizerStatus::Active, 2)
            ]
        );
        assert_eq!(overview.failing_refreshes().await.unwrap(), 0);

        let active = overview
            .accounts(Some(AuthorizerStatus::Active), false, None, 1)
            .await
            .unwrap();
        assert_eq!(active[0].authorizer_appid, "wx0000000000000000");
        assert_eq!(active[0].company_name, "甲");
        let next = overview
            .accounts(
                Some(AuthorizerStatus::Active),
                false,
                Some(active[0].id),
                10,
            )
            .await
            .unwrap();
        assert_eq!(next.len(), 1);
        assert_eq!(
            overview
                .accounts(None, false, None, 10)
                .await
                .unwrap()
                .len(),
            3
        );

        // Revived by a new authorization: counted once, under its new status.
        store
            .authorizers()
            .save_authorization(AuthorizationWrite {
                authorizer_appid: "wx0000000000000002",
                company_id: company,
                func_info_json: "[]",
                refresh_token_sealed: b"r",
                access_token_sealed: b"a",
                access_token_expires_at: 100,
                code_hash: "again",
                invite_id: None,
                now: 6,
            })
            .await
            .unwrap();
        let mut counts = overview.accounts_by_status().await.unwrap();
        counts.sort_by_key(|(_, n)| *n);
        assert_eq!(
            counts,
            [
                (AuthorizerStatus::Revoked, 0),
                (AuthorizerStatus::Active, 3)
            ]
        );

        for (key, at) in [("k1", 10), ("k2", 130), ("k3", 170)] {
            store
                .push_writer()
                .record(PushRecord {
                    dedup_key: key.into(),
                    info_type: "unauthorized".into(),
                    authorizer_appid: None,
                    create_time: Some(at),
                    received_at: at,
                    payload_sealed: b"p".to_vec(),
                    ticket: None,
                })
                .await
                .unwrap();
        }
        // Minutes 0, 2 and 2.
        assert_eq!(overview.pushes_since(121).await.unwrap(), 2);
        assert_eq!(overview.pushes_since(180).await.unwrap(), 0);
        assert_eq!(overview.pushes_since(59).await.unwrap(), 3);
        assert_eq!(overview.failed_events().await.unwrap(), 0);
    }
}
