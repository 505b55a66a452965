//! `audit_log` (who did what, append-only) and `sign_in_failures` (failed
//! sign-ins still counting towards a limit).

use crate::StoreError;
use crate::pool::{Pool, with_pool};

/// One entry of the audit log. `action` is the platform's enum, as text.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct AuditRow {
    pub id: i64,
    pub at: i64,
    pub admin_id: Option<i64>,
    pub actor: String,
    pub client_addr: Option<String>,
    pub action: String,
    pub object: Option<String>,
    pub detail: Option<String>,
}

/// What an entry records.
#[derive(Debug, Clone)]
pub struct NewAuditEntry<'a> {
    pub at: i64,
    pub admin_id: Option<i64>,
    pub actor: &'a str,
    pub client_addr: Option<&'a str>,
    pub action: &'a str,
    pub object: Option<&'a str>,
    pub detail: Option<&'a str>,
}

/// Which entries a page of the audit log shows: exact matches; `None` is any.
#[derive(Debug, Clone, Copy, Default)]
pub struct AuditFilter<'a> {
    pub actor: Option<&'a str>,
    pub object: Option<&'a str>,
    /// Only entries older than this id (the previous page's last), for keyset paging.
    pub before_id: Option<i64>,
}

/// Queries on `audit_log` and `sign_in_failures`.
pub struct AuditRepo<'a> {
    pool: &'a Pool,
}

impl<'a> AuditRepo<'a> {
    pub(crate) fn new(pool: &'a Pool) -> Self {
        Self { pool }
    }

    pub async fn insert(&self, entry: NewAuditEntry<'_>) -> Result<(), StoreError> {
        with_pool!(self.pool, |pool| {
            sqlx::query(
                "INSERT INTO audit_log (at, admin_id, actor, client_addr, action, object, detail) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(entry.at)
            .bind(entry.admin_id)
            .bind(entry.actor)
            .bind(entry.client_addr)
            .bind(entry.action)
            .bind(entry.object)
            .bind(entry.detail)
            .execute(pool)
            .await?;
            Ok(())
        })
    }

    /// The newest entries first, at most `limit`.
    pub async fn latest(&self, limit: i64) -> Result<Vec<AuditRow>, StoreError> {
        with_pool!(self.pool, |pool| {
            Ok(sqlx::query_as::<_, AuditRow>(
                "SELECT id, at, admin_id, actor, client_addr, action, object, detail \
             FROM audit_log ORDER BY id DESC LIMIT $1",
            )
            .bind(limit)
            .fetch_all(pool)
            .await?)
        })
    }

    /// Records a failed sign-in towards the limits.
    /// Up to `limit` entries matching `filter`, newest first.
    pub async fn page(
        &self,
        filter: AuditFilter<'_>,
        limit: i64,
    ) -> Result<Vec<AuditRow>, StoreError> {
        with_pool!(self.pool, |pool| {
            Ok(sqlx::query_as::<_, AuditRow>(
            "SELECT id, at, admin_id, actor, client_addr, action, object, detail FROM audit_log \
             WHERE ($1 IS NULL OR actor = $1) AND ($2 IS NULL OR object = $2) \
               AND ($3 IS NULL OR id < $3) \
             ORDER BY id DESC LIMIT $4",
        )
        .bind(filter.actor)
        .bind(filter.object)
        .bind(filter.before_id)
        .bind(limit)
        .fetch_all(pool)
        .await?)
        })
    }

    pub async fn insert_sign_in_failure(
        &self,
        login: &str,
        client_addr: &str,
        at: i64,
    ) -> Result<(), StoreError> {
        with_pool!(self.pool, |pool| {
            sqlx::query(
                "INSERT INTO sign_in_failures (login, client_addr, at) VALUES ($1, $2, $3)",
            )
            .bind(login)
            .bind(client_addr)
            .bind(at)
            .execute(pool)
            .await?;
            Ok(())
        })
    }

    /// Times of this login's failures since `since`, oldest first.
    pub async fn failures_of_login(&self, login: &str, since: i64) -> Result<Vec<i64>, StoreError> {
        with_pool!(self.pool, |pool| {
            Ok(sqlx::query_scalar(
                "SELECT at FROM sign_in_failures WHERE lower(login) = lower($1) AND at >= $2 ORDER BY at",
            )
            .bind(login)
            .bind(since)
            .fetch_all(pool)
            .await?)
        })
    }

    /// Times of this address's failures since `since`, oldest first.
    pub async fn failures_of_addr(&self, addr: &str, since: i64) -> Result<Vec<i64>, StoreError> {
        with_pool!(self.pool, |pool| {
            Ok(sqlx::query_scalar(
                "SELECT at FROM sign_in_failures WHERE client_addr = $1 AND at >= $2 ORDER BY at",
            )
            .bind(addr)
            .bind(since)
            .fetch_all(pool)
            .await?)
        })
    }

    /// Forgets a login's failures after it signed in; the address keeps its count.
    pub async fn clear_login_failures(&self, login: &str) -> Result<(), StoreError> {
        with_pool!(self.pool, |pool| {
            sqlx::query("DELETE FROM sign_in_failures WHERE lower(login) = lower($1)")
                .bind(login)
                .execute(pool)
                .await?;
            Ok(())
        })
    }

    /// Drops failures older than any window that counts them.
    pub async fn delete_failures_before(&self, before: i64) -> Result<u64, StoreError> {
        with_pool!(self.pool, |pool| {
            let done = sqlx::query("DELETE FROM sign_in_failures WHERE at < $1")
                .bind(before)
                .execute(pool)
                .await?;
            Ok(done.rows_affected())
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::store;
    use crate::{AuditFilter, NewAuditEntry};

    #[tokio::test]
    async fn audit_entries_come_back_newest_first() {
        let (_dir, store) = store().await;
        for (at, action) in [(1, "sign_in"), (2, "company_created")] {
            store
                .audit()
                .insert(NewAuditEntry {
                    at,
                    admin_id: None,
                    actor: "alice",
                    client_addr: Some("127.0.0.1"),
                    action,
                    object: Some("company:1"),
                    detail: None,
                })
                .await
                .unwrap();
        }
        let rows = store.audit().latest(10).await.unwrap();
        let actions: Vec<_> = rows.iter().map(|r| r.action.as_str()).collect();
        assert_eq!(actions, ["company_created", "sign_in"]);
        assert_eq!(store.audit().latest(1).await.unwrap().len(), 1);
    }

    #[tokio::test]
    async fn a_page_filters_by_actor_and_object_and_continues_before_an_id() {
        let (_dir, store) = store().await;
        for (at, actor, object) in [
            (1, "alice", "company:1"),
            (2, "bob", "company:1"),
            (3, "alice", "company:2"),
            (4, "alice", "company:1"),
        ] {
            store
                .audit()
                .insert(NewAuditEntry {
                    at,
                    admin_id: None,
                    actor,
                    client_addr: None,
                    action: "company_created",
                    object: Some(object),
                    detail: None,
                })
                .await
                .unwrap();
        }
        let page = |actor, object, before_id, limit| {
            let store = store.clone();
            async move {
                store
                    .audit()
                    .page(
                        AuditFilter {
                            actor,
                            object,
                            before_id,
                        },
                        limit,
                    )
                    .await
                    .unwrap()
                    .iter()
                    .map(|r| r.at)
                    .collect::<Vec<_>>()
            }
        };
        assert_eq!(page(None, None, None, 10).await, [4, 3, 2, 1]);
        assert_eq!(page(Some("alice"), None, None, 10).await, [4, 3, 1]);
        assert_eq!(page(None, Some("company:1"), None, 10).await, [4, 2, 1]);
        assert_eq!(
            page(Some("alice"), Some("company:1"), None, 10).await,
            [4, 1]
        );
        // Keyset: the page after the one that ended with id 3.
        assert_eq!(page(None, None, None, 2).await, [4, 3]);
        assert_eq!(page(None, None, Some(3), 2).await, [2, 1]);
        assert!(page(Some("carol"), None, None, 10).await.is_empty());
    }

    #[tokio::test]
    async fn failures_count_per_login_and_per_address_within_the_window() {
        let (_dir, store) = store().await;
        let audit = store.audit();
        audit
            .insert_sign_in_failure("Alice", "10.0.0.1", 100)
            .await
            .unwrap();
        audit
            .insert_sign_in_failure("alice", "10.0.0.2", 200)
            .await
            .unwrap();
        audit
            .insert_sign_in_failure("bob", "10.0.0.1", 300)
            .await
            .unwrap();
        assert_eq!(
            audit.failures_of_login("ALICE", 0).await.unwrap(),
            [100, 200]
        );
        assert_eq!(audit.failures_of_login("alice", 150).await.unwrap(), [200]);
        assert_eq!(
            audit.failures_of_addr("10.0.0.1", 0).await.unwrap(),
            [100, 300]
        );

        audit.clear_login_failures("alice").await.unwrap();
        assert!(
            audit
                .failures_of_login("alice", 0)
                .await
                .unwrap()
                .is_empty()
        );
        assert_eq!(audit.failures_of_addr("10.0.0.1", 0).await.unwrap(), [300]);
        assert_eq!(audit.delete_failures_before(301).await.unwrap(), 1);
        assert!(
            audit
                .failures_of_addr("10.0.0.1", 0)
                .await
                .unwrap()
                .is_empty()
        );
    }
}
