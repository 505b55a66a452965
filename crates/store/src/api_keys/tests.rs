use time::macros::datetime;

use super::IssuedCount;
use crate::{NewApiKey, NewCompany, Store, StoreError};

async fn store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let url = crate::testing::database_url(dir.path()).await;
    (dir, Store::connect(&url).await.unwrap())
}

fn key<'a>(hash: &'a str, companies: &'a [i64]) -> NewApiKey<'a> {
    NewApiKey {
        name: "billing",
        key_hash: hash,
        key_prefix: "wq_abcd",
        company_ids: companies,
        all_companies: companies.is_empty(),
        component: false,
        invalidate: false,
        expires_at: Some(9_000),
        created_at: 100,
    }
}

#[tokio::test]
async fn a_key_is_found_by_its_hash_with_its_scope_and_revoked_once() {
    let (_dir, store) = store().await;
    let company = store
        .companies()
        .insert(NewCompany {
            name: "甲",
            created_at: datetime!(2026-01-01 0:00 UTC),
        })
        .await
        .unwrap()
        .id;
    let repo = store.api_keys();
    let row = repo.insert(key("h1", &[company])).await.unwrap();
    assert_eq!(repo.by_hash("h1").await.unwrap(), Some(row.clone()));
    assert_eq!(repo.by_hash("h2").await.unwrap(), None);
    assert_eq!(repo.scope(row.id).await.unwrap(), [company]);
    assert!(repo.revoke(row.id, 200).await.unwrap());
    assert!(!repo.revoke(row.id, 300).await.unwrap(), "already revoked");
    assert_eq!(
        repo.by_hash("h1").await.unwrap().unwrap().revoked_at,
        Some(200)
    );
}

#[tokio::test]
async fn an_unknown_company_in_the_scope_is_refused_and_nothing_is_stored() {
    let (_dir, store) = store().await;
    let repo = store.api_keys();
    let err = repo.insert(key("h1", &[42])).await.unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::Conflict {
                constraint: "company"
            }
        ),
        "{err:?}"
    );
    assert!(repo.list().await.unwrap().is_empty());
}

fn issued(api_key_id: i64, minute: i64, count: i64, last_used_at: i64) -> IssuedCount {
    IssuedCount {
        api_key_id,
        minute,
        count,
        last_used_at,
    }
}

#[tokio::test]
async fn issuances_add_up_per_key_and_minute_and_last_use_only_moves_forward() {
    let (_dir, store) = store().await;
    let repo = store.api_keys();
    let id = repo.insert(key("h1", &[])).await.unwrap().id;
    assert_eq!(
        repo.by_hash("h1").await.unwrap().unwrap().expires_at,
        Some(9_000)
    );
    repo.add_issued(&[issued(id, 480, 3, 500)]).await.unwrap();
    repo.add_issued(&[issued(id, 360, 2, 400), issued(id, 480, 1, 490)])
        .await
        .unwrap();
    let row = repo.by_hash("h1").await.unwrap().unwrap();
    assert_eq!((row.issued_count, row.last_used_at), (6, Some(500)));
    assert_eq!(
        repo.reads_per_minute(id, 0).await.unwrap(),
        [(360, 2), (480, 4)]
    );
    assert_eq!(repo.reads_per_minute(id, 361).await.unwrap(), [(480, 4)]);
    assert_eq!(repo.reads_per_day(0, 0).await.unwrap(), [(id, 0, 6)]);
    assert_eq!(repo.reads_per_day(361, 0).await.unwrap(), [(id, 0, 4)]);
    assert!(repo.reads_per_day(481, 0).await.unwrap().is_empty());
    // Days of a time zone 86,000 s ahead: minute 480 is on its second day.
    let mut days = repo.reads_per_day(0, 86_000).await.unwrap();
    days.sort_unstable();
    assert_eq!(days, [(id, 0, 2), (id, 1, 4)]);
    assert_eq!(repo.purge_reads_before(480).await.unwrap(), 1);
    assert_eq!(repo.reads_per_minute(id, 0).await.unwrap(), [(480, 4)]);
    assert_eq!(
        repo.by_hash("h1").await.unwrap().unwrap().issued_count,
        6,
        "totals stay"
    );
}

#[tokio::test]
async fn a_key_waiting_to_be_shown_is_handed_once_to_its_admin_before_it_expires() {
    let (_dir, store) = store().await;
    let admin = store.admins().insert("alice", "hash", 1).await.unwrap().id;
    let repo = store.api_keys();
    let id = repo.insert(key("h1", &[])).await.unwrap().id;
    repo.set_reveal(id, admin, b"sealed", 100).await.unwrap();
    assert_eq!(
        repo.take_reveal(id, admin + 1, 50).await.unwrap(),
        None,
        "another admin"
    );
    assert_eq!(
        repo.take_reveal(id, admin, 50).await.unwrap(),
        Some(b"sealed".to_vec())
    );
    assert_eq!(repo.take_reveal(id, admin, 50).await.unwrap(), None, "once");
    repo.set_reveal(id, admin, b"sealed", 100).await.unwrap();
    assert_eq!(
        repo.take_reveal(id, admin, 100).await.unwrap(),
        None,
        "expired"
    );
}
