//! `installation`: the one row that says which component this database
//! belongs to. The rules (refuse, adopt) live in `platform`.

use crate::StoreError;
use crate::pool::{Pool, with_pool};

/// The installation record.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct InstallationRow {
    pub component_appid: String,
    pub sandbox: bool,
    pub key_check: String,
    pub created_at: i64,
    pub adopted_at: Option<i64>,
}

/// Queries on `installation`.
pub struct InstallationRepo<'a> {
    pool: &'a Pool,
}

impl<'a> InstallationRepo<'a> {
    pub(crate) fn new(pool: &'a Pool) -> Self {
        Self { pool }
    }

    pub async fn get(&self) -> Result<Option<InstallationRow>, StoreError> {
        with_pool!(self.pool, |pool| {
            Ok(sqlx::query_as::<_, InstallationRow>(
                "SELECT component_appid, sandbox, key_check, created_at, adopted_at \
             FROM installation WHERE id = 1",
            )
            .fetch_optional(pool)
            .await?)
        })
    }

    /// Records the installation once; `false` when a record already exists
    /// (another instance wrote it first).
    pub async fn insert(
        &self,
        component_appid: &str,
        sandbox: bool,
        key_check: &str,
        now: i64,
    ) -> Result<bool, StoreError> {
        with_pool!(self.pool, |pool| {
            let done = sqlx::query(
                "INSERT INTO installation (id, component_appid, sandbox, key_check, created_at) \
             VALUES (1, $1, $2, $3, $4) ON CONFLICT (id) DO NOTHING",
            )
            .bind(component_appid)
            .bind(sandbox)
            .bind(key_check)
            .bind(now)
            .execute(pool)
            .await?;
            Ok(done.rows_affected() == 1)
        })
    }

    /// Rewrites the component and mode on purpose (an operator adopting the database).
    pub async fn adopt(
        &self,
        component_appid: &str,
        sandbox: bool,
        now: i64,
    ) -> Result<(), StoreError> {
        with_pool!(self.pool, |pool| {
            sqlx::query(
            "UPDATE installation SET component_appid = $1, sandbox = $2, adopted_at = $3 WHERE id = 1",
        )
        .bind(component_appid)
        .bind(sandbox)
        .bind(now)
        .execute(pool)
        .await?;
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::store;

    #[tokio::test]
    async fn the_first_record_wins_and_adoption_rewrites_it() {
        let (_dir, store) = store().await;
        let repo = store.installation();
        assert!(repo.get().await.unwrap().is_none());
        assert!(repo.insert("wxA", false, "k", 1).await.unwrap());
        assert!(!repo.insert("wxB", true, "k2", 2).await.unwrap());
        let row = repo.get().await.unwrap().unwrap();
        assert_eq!((row.component_appid.as_str(), row.sandbox), ("wxA", false));
        repo.adopt("wxB", true, 5).await.unwrap();
        let row = repo.get().await.unwrap().unwrap();
        assert_eq!(
            (
                row.component_appid.as_str(),
                row.sandbox,
                row.key_check.as_str()
            ),
            ("wxB", true, "k")
        );
        assert_eq!(row.adopted_at, Some(5));
    }
}
