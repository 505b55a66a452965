//! The `companies` table.

use time::OffsetDateTime;

use crate::StoreError;
use crate::pool::{Pool, with_pool};

/// A company as stored.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct CompanyRow {
    pub id: i64,
    pub name: String,
    /// Unix seconds, UTC.
    pub created_at: i64,
    /// When it was archived (unix seconds); `None` while it is active.
    pub archived_at: Option<i64>,
}

/// A company with its accounts counted by status, for the companies list.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct CompanyWithCounts {
    pub id: i64,
    pub name: String,
    pub created_at: i64,
    pub archived_at: Option<i64>,
    pub active: i64,
    pub needs_reauthorization: i64,
    pub revoked: i64,
}

/// What is needed to insert a company; the name is already validated by the caller.
#[derive(Debug, Clone)]
pub struct NewCompany<'a> {
    pub name: &'a str,
    pub created_at: OffsetDateTime,
}

/// Queries on `companies`.
/// A company with its accounts counted by status (through the
/// `(company_id, status)` index), for the list queries to filter and order.
const WITH_COUNTS: &str = "SELECT c.id, c.name, c.created_at, c.archived_at, \
        (SELECT COUNT(*) FROM authorizers a WHERE a.company_id = c.id AND a.status = 'active') AS active, \
        (SELECT COUNT(*) FROM authorizers a WHERE a.company_id = c.id AND a.status = 'needs_reauthorization') AS needs_reauthorization, \
        (SELECT COUNT(*) FROM authorizers a WHERE a.company_id = c.id AND a.status = 'revoked') AS revoked \
     FROM companies c";

/// `%search%` for LIKE, its own wildcards escaped.
fn like_pattern(search: Option<&str>) -> Option<String> {
    search.map(|s| {
        let escaped = s
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        format!("%{escaped}%")
    })
}

pub struct CompanyRepo<'a> {
    pool: &'a Pool,
}

impl<'a> CompanyRepo<'a> {
    pub(crate) fn new(pool: &'a Pool) -> Self {
        Self { pool }
    }

    /// Inserts a company; a name already taken (case-insensitively) is a
    /// [`StoreError::Conflict`] on `name`.
    pub async fn insert(&self, new: NewCompany<'_>) -> Result<CompanyRow, StoreError> {
        with_pool!(self.pool, |pool| {
            sqlx::query_as::<_, CompanyRow>(
                "INSERT INTO companies (name, created_at) VALUES ($1, $2) \
             RETURNING id, name, created_at, archived_at",
            )
            .bind(new.name)
            .bind(new.created_at.unix_timestamp())
            .fetch_one(pool)
            .await
            .map_err(|e| StoreError::from_write(e, "name"))
        })
    }

    /// Every company, newest first.
    pub async fn list(&self) -> Result<Vec<CompanyRow>, StoreError> {
        with_pool!(self.pool, |pool| {
            Ok(sqlx::query_as::<_, CompanyRow>(
            "SELECT id, name, created_at, archived_at FROM companies ORDER BY created_at DESC, id DESC",
        )
        .fetch_all(pool)
        .await?)
        })
    }

    /// Up to `limit` companies whose name contains `search` (any case; `None`:
    /// all), newest first, older than `before_id` (keyset), each with its
    /// accounts counted by status.
    pub async fn page(
        &self,
        search: Option<&str>,
        before_id: Option<i64>,
        limit: i64,
    ) -> Result<Vec<CompanyWithCounts>, StoreError> {
        with_pool!(self.pool, |pool| {
            Ok(sqlx::query_as::<_, CompanyWithCounts>(&format!(
                "{WITH_COUNTS} \
             WHERE ($1 IS NULL OR c.name LIKE $1 ESCAPE '\\') AND ($2 IS NULL OR c.id < $2) \
             ORDER BY c.id DESC LIMIT $3"
            ))
            .bind(like_pattern(search))
            .bind(before_id)
            .bind(limit)
            .fetch_all(pool)
            .await?)
        })
    }

    /// [`Self::page`] in name order (any case) instead: the companies named
    /// after `after_name`, through the name's unique index.
    pub async fn page_by_name(
        &self,
        search: Option<&str>,
        after_name: Option<&str>,
        limit: i64,
    ) -> Result<Vec<CompanyWithCounts>, StoreError> {
        with_pool!(self.pool, |pool| {
            Ok(sqlx::query_as::<_, CompanyWithCounts>(&format!(
                "{WITH_COUNTS} \
             WHERE ($1 IS NULL OR c.name LIKE $1 ESCAPE '\\') \
               AND ($2 IS NULL OR lower(c.name) > lower($2)) \
             ORDER BY lower(c.name) LIMIT $3"
            ))
            .bind(like_pattern(search))
            .bind(after_name)
            .bind(limit)
            .fetch_all(pool)
            .await?)
        })
    }

    /// Renames a company; `false` when there is none. A name another company
    /// has (case-insensitively) is a [`StoreError::Conflict`] on `name`.
    pub async fn rename(&self, id: i64, name: &str) -> Result<bool, StoreError> {
        with_pool!(self.pool, |pool| {
            let done = sqlx::query("UPDATE companies SET name = $2 WHERE id = $1")
                .bind(id)
                .bind(name)
                .execute(pool)
                .await
                .map_err(|e| StoreError::from_write(e, "name"))?;
            Ok(done.rows_affected() == 1)
        })
    }

    /// Archives a company at `at` and revokes its invites in one transaction;
    /// `false` when there is no such company. Archiving twice keeps the first time.
    pub async fn archive(&self, id: i64, at: i64) -> Result<bool, StoreError> {
        with_pool!(self.pool, |pool| {
            let mut tx = pool.begin().await?;
            let done = sqlx::query(
                "UPDATE companies SET archived_at = COALESCE(archived_at, $2) WHERE id = $1",
            )
            .bind(id)
            .bind(at)
            .execute(&mut *tx)
            .await?;
            sqlx::query(
                "UPDATE invites SET revoked_at = $2 WHERE company_id = $1 AND revoked_at IS NULL",
            )
            .bind(id)
            .bind(at)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(done.rows_affected() == 1)
        })
    }

    /// One company by id, `None` when there is none.
    pub async fn get(&self, id: i64) -> Result<Option<CompanyRow>, StoreError> {
        with_pool!(self.pool, |pool| {
            Ok(sqlx::query_as::<_, CompanyRow>(
                "SELECT id, name, created_at, archived_at FROM companies WHERE id = $1",
            )
            .bind(id)
            .fetch_optional(pool)
            .await?)
        })
    }

    /// The company named `name` (names are unique regardless of case).
    pub async fn by_name(&self, name: &str) -> Result<Option<CompanyRow>, StoreError> {
        with_pool!(self.pool, |pool| {
            Ok(sqlx::query_as::<_, CompanyRow>(
            "SELECT id, name, created_at, archived_at FROM companies WHERE lower(name) = lower($1)",
        )
        .bind(name)
        .fetch_optional(pool)
        .await?)
        })
    }
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use crate::{NewCompany, Store, StoreError};

    async fn store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let url = crate::testing::database_url(dir.path()).await;
        let store = Store::connect(&url).await.unwrap();
        (dir, store)
    }

    #[tokio::test]
    async fn inserted_companies_are_listed_newest_first_and_found_by_id() {
        let (_dir, store) = store().await;
        let repo = store.companies();
        let a = repo
            .insert(NewCompany {
                name: "甲公司",
                created_at: datetime!(2026-01-01 0:00 UTC),
            })
            .await
            .unwrap();
        let b = repo
            .insert(NewCompany {
                name: "乙公司",
                created_at: datetime!(2026-02-01 0:00 UTC),
            })
            .await
            .unwrap();
        let names: Vec<_> = repo
            .list()
            .await
            .unwrap()
            .into_iter()
            .map(|c| c.name)
            .collect();
        assert_eq!(names, ["乙公司", "甲公司"]);
        assert_eq!(repo.get(a.id).await.unwrap(), Some(a));
        assert_eq!(
            b.created_at,
            datetime!(2026-02-01 0:00 UTC).unix_timestamp()
        );
        assert_eq!(repo.get(9999).await.unwrap(), None);
    }

    #[tokio::test]
    async fn a_name_taken_in_another_case_is_a_conflict_on_name() {
        let (_dir, store) = store().await;
        let repo = store.companies();
        let at = datetime!(2026-01-01 0:00 UTC);
        repo.insert(NewCompany {
            name: "Acme",
            created_at: at,
        })
        .await
        .unwrap();
        let err = repo
            .insert(NewCompany {
                name: "ACME",
                created_at: at,
            })
            .await
            .unwrap_err();
        assert!(
            matches!(err, StoreError::Conflict { constraint: "name" }),
            "{err:?}"
        );
        assert_eq!(repo.list().await.unwrap().len(), 1);
        assert_eq!(repo.by_name("aCmE").await.unwrap().unwrap().name, "Acme");
        assert!(repo.by_name("Acm").await.unwrap().is_none());
    }

    #[tokio::test]
    async fn a_page_searches_names_pages_by_id_and_counts_accounts_by_status() {
        let (_dir, store) = store().await;
        let repo = store.companies();
        let mut ids = Vec::new();
        for name in ["上海甲公司", "北京乙公司", "上海丙公司", "100%_公司"] {
            ids.push(
                repo.insert(NewCompany {
                    name,
                    created_at: datetime!(2026-01-01 0:00 UTC),
                })
                .await
                .unwrap()
                .id,
            );
        }
        for (i, company) in [ids[0], ids[0], ids[2]].into_iter().enumerate() {
            store
                .authorizers()
                .save_authorization(crate::AuthorizationWrite {
                    authorizer_appid: &format!("wx{i:016x}"),
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
            .mark_revoked("wx0000000000000001", 5, crate::HistoryKind::Unauthorized)
            .await
            .unwrap();
        let names = |rows: Vec<crate::CompanyWithCounts>| {
            rows.into_iter().map(|r| r.name).collect::<Vec<_>>()
        };
        assert_eq!(
            names(repo.page(Some("上海"), None, 10).await.unwrap()),
            ["上海丙公司", "上海甲公司"]
        );
        assert_eq!(
            names(repo.page(Some("%_"), None, 10).await.unwrap()),
            ["100%_公司"],
            "wildcards are literal"
        );
        assert_eq!(
            names(repo.page(None, None, 2).await.unwrap()),
            ["100%_公司", "上海丙公司"]
        );
        assert_eq!(
            names(repo.page(None, Some(ids[2]), 2).await.unwrap()),
            ["北京乙公司", "上海甲公司"]
        );
        let first = repo.page(Some("甲"), None, 10).await.unwrap().remove(0);
        assert_eq!(
            (first.active, first.needs_reauthorization, first.revoked),
            (1, 0, 1)
        );
        // In name order (byte order for Chinese, any case for Latin), page by page.
        repo.insert(NewCompany {
            name: "acme",
            created_at: datetime!(2026-01-01 0:00 UTC),
        })
        .await
        .unwrap();
        assert_eq!(
            names(repo.page_by_name(None, None, 3).await.unwrap()),
            ["100%_公司", "acme", "上海丙公司"]
        );
        assert_eq!(
            names(
                repo.page_by_name(None, Some("上海丙公司"), 3)
                    .await
                    .unwrap()
            ),
            ["上海甲公司", "北京乙公司"]
        );
        assert_eq!(
            names(
                repo.page_by_name(Some("上海"), Some("上海丙公司"), 3)
                    .await
                    .unwrap()
            ),
            ["上海甲公司"]
        );
        let by_name = repo
            .page_by_name(Some("甲"), None, 3)
            .await
            .unwrap()
            .remove(0);
        assert_eq!((by_name.active, by_name.revoked), (1, 1));
    }

    #[tokio::test]
    async fn archiving_revokes_the_invites_once_and_keeps_the_first_time() {
        let (_dir, store) = store().await;
        let repo = store.companies();
        let id = repo
            .insert(NewCompany {
                name: "归档",
                created_at: datetime!(2026-01-01 0:00 UTC),
            })
            .await
            .unwrap()
            .id;
        let invite = store
            .invites()
            .insert(crate::NewInvite {
                company_id: id,
                token_hash: "h",
                token_sealed: b"t",
                auth_type: 3,
                biz_appid: None,
                created_at: 1,
                expires_at: 1_000,
                note: None,
                allows_fast_registration: false,
            })
            .await
            .unwrap();
        assert!(repo.archive(id, 10).await.unwrap());
        assert!(repo.archive(id, 20).await.unwrap());
        assert_eq!(repo.get(id).await.unwrap().unwrap().archived_at, Some(10));
        let row = store.invites().by_id(invite).await.unwrap().unwrap();
        assert_eq!(row.revoked_at, Some(10));
        assert!(!repo.archive(id + 1, 10).await.unwrap(), "no such company");
    }
}
