//! `push_events`: every push received at the authorization event URL.

use sqlx::SqlitePool;

use crate::StoreError;

/// A push as stored.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct PushEventRow {
    pub id: i64,
    pub info_type: String,
    pub authorizer_appid: Option<String>,
    pub create_time: Option<i64>,
    pub received_at: i64,
    pub payload_sealed: Vec<u8>,
    pub processed_at: Option<i64>,
    pub error: Option<String>,
}

pub struct PushEventRepo<'a> {
    pool: &'a SqlitePool,
}

impl<'a> PushEventRepo<'a> {
    pub(crate) fn new(pool: &'a SqlitePool) -> Self {
        Self { pool }
    }

    /// Marks a push processed, with the error if processing failed.
    pub async fn mark_processed(
        &self,
        id: i64,
        at: i64,
        error: Option<&str>,
    ) -> Result<(), StoreError> {
        sqlx::query("UPDATE push_events SET processed_at = ?2, error = ?3 WHERE id = ?1")
            .bind(id)
            .bind(at)
            .bind(error)
            .execute(self.pool)
            .await?;
        Ok(())
    }

    /// One push by id.
    pub async fn by_id(&self, id: i64) -> Result<Option<PushEventRow>, StoreError> {
        Ok(sqlx::query_as::<_, PushEventRow>(
            "SELECT id, info_type, authorizer_appid, create_time, received_at, payload_sealed, \
                    processed_at, error \
             FROM push_events WHERE id = ?1",
        )
        .bind(id)
        .fetch_optional(self.pool)
        .await?)
    }

    /// Ids of pushes not yet processed (after a crash), oldest first.
    pub async fn unprocessed(&self, limit: i64) -> Result<Vec<i64>, StoreError> {
        Ok(sqlx::query_scalar::<_, i64>(
            "SELECT id FROM push_events WHERE processed_at IS NULL ORDER BY id LIMIT ?1",
        )
        .bind(limit)
        .fetch_all(self.pool)
        .await?)
    }

    /// The most recent pushes, newest first.
    pub async fn recent(&self, limit: i64) -> Result<Vec<PushEventRow>, StoreError> {
        Ok(sqlx::query_as::<_, PushEventRow>(
            "SELECT id, info_type, authorizer_appid, create_time, received_at, payload_sealed, \
                    processed_at, error \
             FROM push_events ORDER BY received_at DESC, id DESC LIMIT ?1",
        )
        .bind(limit)
        .fetch_all(self.pool)
        .await?)
    }
}

#[cfg(test)]
mod tests {
    use crate::{PushRecord, Recorded, Store};

    #[tokio::test]
    async fn a_recorded_push_is_marked_processed_with_its_outcome() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::connect(&format!("sqlite://{}", dir.path().join("e.db").display()))
            .await
            .unwrap();
        let recorded = store
            .push_writer()
            .record(PushRecord {
                dedup_key: "k1".into(),
                info_type: "authorized".into(),
                authorizer_appid: Some("wxa".into()),
                create_time: Some(5),
                received_at: 6,
                payload_sealed: b"sealed".to_vec(),
                ticket: None,
            })
            .await
            .unwrap();
        let Recorded::New { event_id, .. } = recorded else {
            panic!("a first delivery is new: {recorded:?}");
        };
        assert_eq!(store.push_events().unprocessed(10).await.unwrap().len(), 1);
        store
            .push_events()
            .mark_processed(event_id, 7, Some("boom"))
            .await
            .unwrap();
        let recent = store.push_events().recent(10).await.unwrap();
        assert_eq!(recent.len(), 1);
        assert_eq!(
            (recent[0].processed_at, recent[0].error.as_deref()),
            (Some(7), Some("boom"))
        );
        assert!(
            store
                .push_events()
                .unprocessed(10)
                .await
                .unwrap()
                .is_empty()
        );
    }
}
