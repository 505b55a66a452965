//! The `companies` table.

use sqlx::SqlitePool;
use time::OffsetDateTime;

use crate::StoreError;

/// A company as stored.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct CompanyRow {
    pub id: i64,
    pub name: String,
    /// Unix seconds, UTC.
    pub created_at: i64,
}

/// What is needed to insert a company; the name is already validated by the caller.
#[derive(Debug, Clone)]
pub struct NewCompany<'a> {
    pub name: &'a str,
    pub created_at: OffsetDateTime,
}

/// Queries on `companies`.
pub struct CompanyRepo<'a> {
    pool: &'a SqlitePool,
}

impl<'a> CompanyRepo<'a> {
    pub(crate) fn new(pool: &'a SqlitePool) -> Self {
        Self { pool }
    }

    /// Inserts a company; a name already taken (case-insensitively) is a
    /// [`StoreError::Conflict`] on `name`.
    pub async fn insert(&self, new: NewCompany<'_>) -> Result<CompanyRow, StoreError> {
        sqlx::query_as::<_, CompanyRow>(
            "INSERT INTO companies (name, created_at) VALUES (?1, ?2) \
             RETURNING id, name, created_at",
        )
        .bind(new.name)
        .bind(new.created_at.unix_timestamp())
        .fetch_one(self.pool)
        .await
        .map_err(|e| StoreError::from_write(e, "name"))
    }

    /// Every company, newest first.
    pub async fn list(&self) -> Result<Vec<CompanyRow>, StoreError> {
        Ok(sqlx::query_as::<_, CompanyRow>(
            "SELECT id, name, created_at FROM companies ORDER BY created_at DESC, id DESC",
        )
        .fetch_all(self.pool)
        .await?)
    }

    /// One company by id, `None` when there is none.
    pub async fn get(&self, id: i64) -> Result<Option<CompanyRow>, StoreError> {
        Ok(sqlx::query_as::<_, CompanyRow>(
            "SELECT id, name, created_at FROM companies WHERE id = ?1",
        )
        .bind(id)
        .fetch_optional(self.pool)
        .await?)
    }
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use crate::{NewCompany, Store, StoreError};

    async fn store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("t.db").display());
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
    }
}
