use super::*;
use crate::{AuthorizationWrite, NewCompany, PushRecord, testing};

/// A SQLite store with a row or more in the tables that matter.
async fn source(dir: &std::path::Path) -> (String, Store) {
    let url = format!("sqlite://{}", testing::sqlite_path(dir).display());
    let store = Store::connect(&url).await.unwrap();
    let company = crate::testing::company(&store, "迁移公司").await;
    store.admins().insert("alice", "hash", 1).await.unwrap();
    store
        .authorizers()
        .save_authorization(AuthorizationWrite {
            authorizer_appid: "wxcopy0000000001",
            company_id: company,
            func_info_json: "[1]",
            refresh_token_sealed: b"\x00sealed-refresh\xff",
            access_token_sealed: b"\x01sealed-access",
            access_token_expires_at: 7200,
            code_hash: "code",
            invite_id: None,
            now: 1,
        })
        .await
        .unwrap();
    store
        .push_writer()
        .record(PushRecord {
            dedup_key: "k".into(),
            info_type: "authorized".into(),
            authorizer_appid: Some("wxcopy0000000001".into()),
            create_time: Some(1),
            received_at: 120,
            payload_sealed: b"\x02payload".to_vec(),
            ticket: None,
        })
        .await
        .unwrap();
    (url, store)
}

#[tokio::test]
async fn every_row_moves_sealed_bytes_stay_sealed_and_the_source_is_untouched() {
    if !testing::on_postgres() {
        // Needs the PostgreSQL pass of `cargo xtask test` for its target.
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (url, written) = source(dir.path()).await;
    written.close().await;
    let before = std::fs::read(testing::sqlite_path(dir.path())).unwrap();
    let from = Store::open_sqlite_read_only(&url).await.unwrap();
    let (_target_dir, to) = testing::store().await;

    // Every table of the schema is in the copy's list.
    let Pool::Postgres(pg) = &to.pool else {
        unreachable!("the PostgreSQL pass")
    };
    let mut tables: Vec<String> = sqlx::query_scalar(
        "SELECT table_name::text FROM information_schema.tables \
         WHERE table_schema = 'public' AND table_name != '_sqlx_migrations'",
    )
    .fetch_all(pg)
    .await
    .unwrap();
    tables.sort();
    let mut listed: Vec<&str> = TABLES.to_vec();
    listed.sort_unstable();
    assert_eq!(tables, listed);

    let report = from.copy_to(&to).await.unwrap();
    let rows = |table: &str| report.iter().find(|(t, _)| *t == table).unwrap().1;
    assert_eq!(
        (
            rows("companies"),
            rows("authorizers"),
            rows("push_events"),
            rows("admins")
        ),
        (1, 1, 1, 1)
    );
    assert_eq!(rows("authorizer_history"), 1, "the Authorized entry");
    assert_eq!(
        rows("push_minutes"),
        1,
        "counted again by the target's trigger"
    );
    let copied = to
        .authorizers()
        .by_appid("wxcopy0000000001")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        copied.refresh_token_sealed.as_deref(),
        Some(&b"\x00sealed-refresh\xff"[..])
    );
    assert!(!copied.is_mini_program);
    assert_eq!(to.overview().accounts_by_status().await.unwrap().len(), 1);
    // New rows continue after the copied ids.
    let next = to
        .companies()
        .insert(NewCompany {
            name: "新公司",
            created_at: time::OffsetDateTime::UNIX_EPOCH,
        })
        .await
        .unwrap();
    assert!(next.id > copied.company_id);
    // A second copy finds the target not empty, and copies nothing.
    assert!(matches!(
        from.copy_to(&to).await,
        Err(CopyError::TargetNotEmpty { .. })
    ));
    from.close().await;
    assert_eq!(
        std::fs::read(testing::sqlite_path(dir.path())).unwrap(),
        before
    );
}

#[tokio::test]
async fn only_sqlite_to_postgresql_and_only_at_this_schema() {
    let dir = tempfile::tempdir().unwrap();
    let (url, store) = source(dir.path()).await;
    let other = tempfile::tempdir().unwrap();
    let (_, sqlite_target) = source(other.path()).await;
    assert!(matches!(
        store.copy_to(&sqlite_target).await,
        Err(CopyError::WrongDirection)
    ));
    assert!(
        Store::open_sqlite_read_only("postgres://x/y")
            .await
            .is_err()
    );
    assert!(Store::open_sqlite_read_only(&url).await.is_ok());
    assert_eq!(TABLES.len(), 28);
}
