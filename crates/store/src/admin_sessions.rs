//! `admin_sessions`: signed-in admins, server-side. Rows are keyed by the
//! SHA-256 of the cookie value; expiry rules live in `platform`.

use crate::StoreError;
use crate::pool::{Pool, with_pool};

/// A session with the admin it belongs to.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct SessionRow {
    pub admin_id: i64,
    pub login: String,
    pub created_at: i64,
    pub last_seen_at: i64,
    /// Set when the admin was disabled after the session began.
    pub disabled_at: Option<i64>,
}

/// What a new session records.
#[derive(Debug, Clone)]
pub struct NewSession<'a> {
    pub id_hash: &'a str,
    pub admin_id: i64,
    pub now: i64,
    pub client_addr: &'a str,
}

/// Queries on `admin_sessions`.
pub struct SessionRepo<'a> {
    pool: &'a Pool,
}

impl<'a> SessionRepo<'a> {
    pub(crate) fn new(pool: &'a Pool) -> Self {
        Self { pool }
    }

    pub async fn insert(&self, new: NewSession<'_>) -> Result<(), StoreError> {
        with_pool!(self.pool, |pool| {
            sqlx::query(
            "INSERT INTO admin_sessions (id_hash, admin_id, created_at, last_seen_at, client_addr) \
             VALUES ($1, $2, $3, $3, $4)",
        )
        .bind(new.id_hash)
        .bind(new.admin_id)
        .bind(new.now)
        .bind(new.client_addr)
        .execute(pool)
        .await?;
            Ok(())
        })
    }

    /// The session with this id hash, joined with its admin.
    pub async fn get(&self, id_hash: &str) -> Result<Option<SessionRow>, StoreError> {
        with_pool!(self.pool, |pool| {
            Ok(sqlx::query_as::<_, SessionRow>(
                "SELECT s.admin_id, a.login, s.created_at, s.last_seen_at, a.disabled_at \
             FROM admin_sessions s JOIN admins a ON a.id = s.admin_id WHERE s.id_hash = $1",
            )
            .bind(id_hash)
            .fetch_optional(pool)
            .await?)
        })
    }

    /// Records activity (the idle expiry counts from here).
    pub async fn touch(&self, id_hash: &str, now: i64) -> Result<(), StoreError> {
        with_pool!(self.pool, |pool| {
            sqlx::query("UPDATE admin_sessions SET last_seen_at = $2 WHERE id_hash = $1")
                .bind(id_hash)
                .bind(now)
                .execute(pool)
                .await?;
            Ok(())
        })
    }

    /// Ends one session; `false` when it did not exist.
    pub async fn delete(&self, id_hash: &str) -> Result<bool, StoreError> {
        with_pool!(self.pool, |pool| {
            let done = sqlx::query("DELETE FROM admin_sessions WHERE id_hash = $1")
                .bind(id_hash)
                .execute(pool)
                .await?;
            Ok(done.rows_affected() > 0)
        })
    }

    /// Drops sessions idle since `idle_before` or begun before `created_before`.
    pub async fn delete_expired(
        &self,
        idle_before: i64,
        created_before: i64,
    ) -> Result<u64, StoreError> {
        with_pool!(self.pool, |pool| {
            let done = sqlx::query(
                "DELETE FROM admin_sessions WHERE last_seen_at < $1 OR created_at < $2",
            )
            .bind(idle_before)
            .bind(created_before)
            .execute(pool)
            .await?;
            Ok(done.rows_affected())
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::NewSession;
    use crate::testing::store;

    #[tokio::test]
    async fn a_session_is_found_by_its_hash_touched_and_deleted() {
        let (_dir, store) = store().await;
        let admin = store.admins().insert("alice", "h", 1).await.unwrap();
        let sessions = store.admin_sessions();
        let new = |id_hash, now| NewSession {
            id_hash,
            admin_id: admin.id,
            now,
            client_addr: "203.0.113.9",
        };
        sessions.insert(new("s1", 100)).await.unwrap();
        sessions.insert(new("s2", 100)).await.unwrap();
        sessions.touch("s1", 150).await.unwrap();
        let row = sessions.get("s1").await.unwrap().unwrap();
        assert_eq!(
            (row.login.as_str(), row.created_at, row.last_seen_at),
            ("alice", 100, 150)
        );
        assert_eq!(row.disabled_at, None);

        // s2 idle since 100 (< 120) goes; s1 seen at 150 stays.
        assert_eq!(sessions.delete_expired(120, 0).await.unwrap(), 1);
        assert!(sessions.get("s2").await.unwrap().is_none());
        // Begun at 100, before 101: past its absolute lifetime.
        assert_eq!(sessions.delete_expired(0, 101).await.unwrap(), 1);
        assert!(sessions.get("s1").await.unwrap().is_none());

        sessions.insert(new("s3", 200)).await.unwrap();
        assert!(sessions.delete("s3").await.unwrap());
        assert!(!sessions.delete("s3").await.unwrap());
    }
}
