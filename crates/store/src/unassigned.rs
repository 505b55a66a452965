//! `unassigned_authorizers`: accounts WeChat lists as authorized that no
//! invite brought in, kept with their sealed refresh token until an admin
//! attaches them to a company (which makes them ordinary authorizers).

use crate::StoreError;
use crate::pool::{Pool, with_pool};

/// An account waiting for a company.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct UnassignedRow {
    pub authorizer_appid: String,
    pub found_at: i64,
    pub last_seen_at: i64,
}

pub struct UnassignedRepo<'a> {
    pool: &'a Pool,
}

impl<'a> UnassignedRepo<'a> {
    pub(crate) fn new(pool: &'a Pool) -> Self {
        Self { pool }
    }

    /// Records (or refreshes) an account reconcile found at WeChat and not
    /// here, with the refresh token WeChat listed (kept when the list has none).
    pub async fn found(
        &self,
        appid: &str,
        refresh_token_sealed: Option<&[u8]>,
        now: i64,
    ) -> Result<(), StoreError> {
        with_pool!(self.pool, |pool| {
            sqlx::query(
            "INSERT INTO unassigned_authorizers (authorizer_appid, refresh_token_sealed, found_at, last_seen_at) \
             VALUES ($1, $2, $3, $3) \
             ON CONFLICT (authorizer_appid) DO UPDATE SET \
                 refresh_token_sealed = COALESCE(excluded.refresh_token_sealed, unassigned_authorizers.refresh_token_sealed), \
                 last_seen_at = excluded.last_seen_at",
        )
        .bind(appid)
        .bind(refresh_token_sealed)
        .bind(now)
        .execute(pool)
        .await?;
            Ok(())
        })
    }

    /// Every account waiting for a company, most recently found first.
    pub async fn list(&self) -> Result<Vec<UnassignedRow>, StoreError> {
        with_pool!(self.pool, |pool| {
            Ok(sqlx::query_as::<_, UnassignedRow>(
                "SELECT authorizer_appid, found_at, last_seen_at FROM unassigned_authorizers \
             ORDER BY found_at DESC, authorizer_appid",
            )
            .fetch_all(pool)
            .await?)
        })
    }

    /// How many accounts wait for a company.
    pub async fn count(&self) -> Result<i64, StoreError> {
        with_pool!(self.pool, |pool| {
            Ok(
                sqlx::query_scalar("SELECT COUNT(*) FROM unassigned_authorizers")
                    .fetch_one(pool)
                    .await?,
            )
        })
    }

    /// Forgets an account WeChat no longer lists, or one that became known
    /// another way (an authorization through an invite).
    pub async fn remove(&self, appid: &str) -> Result<bool, StoreError> {
        with_pool!(self.pool, |pool| {
            let done =
                sqlx::query("DELETE FROM unassigned_authorizers WHERE authorizer_appid = $1")
                    .bind(appid)
                    .execute(pool)
                    .await?;
            Ok(done.rows_affected() == 1)
        })
    }

    /// Makes the account an authorizer of `company_id` (active, with the
    /// listed refresh token and no access token yet, so the scheduler
    /// refreshes it at once), in one transaction. `false` when it is not
    /// waiting (attached meanwhile, or never found), or when it became an
    /// authorizer another way meanwhile (an invite): that one keeps its
    /// company, and the stale waiting row goes.
    pub async fn attach(&self, appid: &str, company_id: i64, now: i64) -> Result<bool, StoreError> {
        with_pool!(self.pool, |pool| {
            let mut tx = pool.begin().await?;
            let Some(refresh_token_sealed) = sqlx::query_scalar::<_, Option<Vec<u8>>>(
            "DELETE FROM unassigned_authorizers WHERE authorizer_appid = $1 RETURNING refresh_token_sealed",
        )
        .bind(appid)
        .fetch_optional(&mut *tx)
        .await?
        else {
            return Ok(false);
        };
            let inserted = sqlx::query(
            "INSERT INTO authorizers (authorizer_appid, company_id, status, refresh_token_sealed, \
                 authorized_at, updated_at) \
             VALUES ($1, $2, 'active', $3, $4, $4) ON CONFLICT (authorizer_appid) DO NOTHING",
        )
        .bind(appid)
        .bind(company_id)
        .bind(refresh_token_sealed)
        .bind(now)
        .execute(&mut *tx)
        .await?
        .rows_affected()
            == 1;
            tx.commit().await?;
            Ok(inserted)
        })
    }
}

#[cfg(test)]
mod tests {

    use crate::testing::store;

    #[tokio::test]
    async fn a_found_account_keeps_its_refresh_token_until_attached_once() {
        let (_dir, store) = store().await;
        let company = crate::testing::company(&store, "A").await;
        let repo = store.unassigned();
        repo.found("wxfound", Some(b"rt1"), 10).await.unwrap();
        // A later list without a token keeps the one we have.
        repo.found("wxfound", None, 20).await.unwrap();
        let rows = repo.list().await.unwrap();
        assert_eq!(
            (rows.len(), rows[0].found_at, rows[0].last_seen_at),
            (1, 10, 20)
        );
        assert_eq!(repo.count().await.unwrap(), 1);

        assert!(repo.attach("wxfound", company, 30).await.unwrap());
        assert!(!repo.attach("wxfound", company, 31).await.unwrap());
        assert!(repo.list().await.unwrap().is_empty());
        assert_eq!(repo.count().await.unwrap(), 0);
        let row = store
            .authorizers()
            .by_appid("wxfound")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(row.company_id, company);
        assert_eq!(row.status, crate::AuthorizerStatus::Active);
        assert_eq!(row.refresh_token_sealed.as_deref(), Some(&b"rt1"[..]));
        assert_eq!(row.access_token_expires_at, None);
        assert!(!repo.remove("wxfound").await.unwrap());

        // Found, but authorized through an invite before the admin attached it:
        // it keeps its company, and the waiting row goes.
        repo.found("wxfound", Some(b"rt2"), 40).await.unwrap();
        let other = crate::testing::company(&store, "B").await;
        assert!(!repo.attach("wxfound", other, 50).await.unwrap());
        assert_eq!(repo.count().await.unwrap(), 0);
        let row = store
            .authorizers()
            .by_appid("wxfound")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(row.company_id, company);
    }
}
