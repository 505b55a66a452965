//! `admins`: the operator's people who sign in to the dashboard. Only an
//! argon2id hash of each password is stored; hashing happens in `platform`.

use crate::StoreError;
use crate::pool::{Pool, with_pool};

/// An admin as stored.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct AdminRow {
    pub id: i64,
    pub login: String,
    pub password_hash: String,
    pub created_at: i64,
    pub password_changed_at: i64,
    pub disabled_at: Option<i64>,
}

/// Queries on `admins`.
pub struct AdminRepo<'a> {
    pool: &'a Pool,
}

const COLUMNS: &str = "id, login, password_hash, created_at, password_changed_at, disabled_at";

/// Ends every session of the admin the transaction `$tx` just changed and
/// commits; `false` (nothing committed) when no admin was changed. A macro,
/// so one text serves both backends' transactions.
macro_rules! end_sessions {
    ($tx:ident, $admin_id:expr) => {{
        match $admin_id {
            None => Ok(false),
            Some(admin_id) => {
                sqlx::query("DELETE FROM admin_sessions WHERE admin_id = $1")
                    .bind(admin_id)
                    .execute(&mut *$tx)
                    .await?;
                $tx.commit().await?;
                Ok(true)
            }
        }
    }};
}
impl<'a> AdminRepo<'a> {
    pub(crate) fn new(pool: &'a Pool) -> Self {
        Self { pool }
    }

    /// Inserts an admin; a login already taken (case-insensitively) is a
    /// [`StoreError::Conflict`] on `login`.
    pub async fn insert(
        &self,
        login: &str,
        password_hash: &str,
        now: i64,
    ) -> Result<AdminRow, StoreError> {
        with_pool!(self.pool, |pool| {
            sqlx::query_as::<_, AdminRow>(&format!(
                "INSERT INTO admins (login, password_hash, created_at, password_changed_at) \
             VALUES ($1, $2, $3, $3) RETURNING {COLUMNS}"
            ))
            .bind(login)
            .bind(password_hash)
            .bind(now)
            .fetch_one(pool)
            .await
            .map_err(|e| StoreError::from_write(e, "login"))
        })
    }

    /// The admin with this login (case-insensitive), disabled or not.
    pub async fn by_login(&self, login: &str) -> Result<Option<AdminRow>, StoreError> {
        with_pool!(self.pool, |pool| {
            Ok(sqlx::query_as::<_, AdminRow>(&format!(
                "SELECT {COLUMNS} FROM admins WHERE lower(login) = lower($1)"
            ))
            .bind(login)
            .fetch_optional(pool)
            .await?)
        })
    }

    /// Every admin, by login.
    pub async fn list(&self) -> Result<Vec<AdminRow>, StoreError> {
        with_pool!(self.pool, |pool| {
            Ok(sqlx::query_as::<_, AdminRow>(&format!(
                "SELECT {COLUMNS} FROM admins ORDER BY login"
            ))
            .fetch_all(pool)
            .await?)
        })
    }

    /// Disables an admin and ends their sessions in one transaction; `false`
    /// when no admin has this login.
    pub async fn disable(&self, login: &str, now: i64) -> Result<bool, StoreError> {
        with_pool!(self.pool, |pool| {
            let mut tx = pool.begin().await?;
            let id: Option<i64> = sqlx::query_scalar(
            "UPDATE admins SET disabled_at = COALESCE(disabled_at, $2) WHERE lower(login) = lower($1) RETURNING id",
        )
        .bind(login)
        .bind(now)
        .fetch_optional(&mut *tx)
        .await?;
            end_sessions!(tx, id)
        })
    }

    /// Replaces an admin's password hash and ends their sessions in one
    /// transaction; `false` when no admin has this login.
    pub async fn set_password(
        &self,
        login: &str,
        password_hash: &str,
        now: i64,
    ) -> Result<bool, StoreError> {
        with_pool!(self.pool, |pool| {
            let mut tx = pool.begin().await?;
            let id: Option<i64> = sqlx::query_scalar(
                "UPDATE admins SET password_hash = $2, password_changed_at = $3 \
             WHERE lower(login) = lower($1) RETURNING id",
            )
            .bind(login)
            .bind(password_hash)
            .bind(now)
            .fetch_optional(&mut *tx)
            .await?;
            end_sessions!(tx, id)
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::store;
    use crate::{NewSession, StoreError};

    #[tokio::test]
    async fn logins_are_unique_whatever_their_case() {
        let (_dir, store) = store().await;
        store.admins().insert("Alice", "h1", 10).await.unwrap();
        let err = store.admins().insert("alice", "h2", 11).await.unwrap_err();
        assert!(matches!(
            err,
            StoreError::Conflict {
                constraint: "login"
            }
        ));
        let found = store.admins().by_login("ALICE").await.unwrap().unwrap();
        assert_eq!(found.login, "Alice");
        assert_eq!(found.password_changed_at, 10);
    }

    #[tokio::test]
    async fn a_new_password_or_disabling_ends_every_session_of_that_admin() {
        let (_dir, store) = store().await;
        let alice = store.admins().insert("alice", "h1", 10).await.unwrap();
        let bob = store.admins().insert("bob", "h1", 10).await.unwrap();
        for (hash, admin) in [("a1", alice.id), ("a2", alice.id), ("b1", bob.id)] {
            store
                .admin_sessions()
                .insert(NewSession {
                    id_hash: hash,
                    admin_id: admin,
                    now: 20,
                    client_addr: "127.0.0.1",
                })
                .await
                .unwrap();
        }
        assert!(
            store
                .admins()
                .set_password("alice", "h2", 30)
                .await
                .unwrap()
        );
        assert!(store.admin_sessions().get("a1").await.unwrap().is_none());
        assert!(store.admin_sessions().get("a2").await.unwrap().is_none());
        assert!(store.admin_sessions().get("b1").await.unwrap().is_some());
        let alice = store.admins().by_login("alice").await.unwrap().unwrap();
        assert_eq!(
            (alice.password_hash.as_str(), alice.password_changed_at),
            ("h2", 30)
        );

        assert!(store.admins().disable("bob", 40).await.unwrap());
        assert!(store.admin_sessions().get("b1").await.unwrap().is_none());
        let bob = store.admins().by_login("bob").await.unwrap().unwrap();
        assert_eq!(bob.disabled_at, Some(40));
        assert!(!store.admins().disable("nobody", 40).await.unwrap());
        assert!(
            !store
                .admins()
                .set_password("nobody", "h", 40)
                .await
                .unwrap()
        );
    }
}
