use time::macros::datetime;

use super::*;
use crate::{NewCompany, Store};

async fn setup() -> (tempfile::TempDir, Store, i64, i64) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::connect(&crate::testing::database_url(dir.path()).await)
        .await
        .unwrap();
    let at = datetime!(2026-01-01 0:00 UTC);
    let a = store
        .companies()
        .insert(NewCompany {
            name: "A",
            created_at: at,
        })
        .await
        .unwrap()
        .id;
    let b = store
        .companies()
        .insert(NewCompany {
            name: "B",
            created_at: at,
        })
        .await
        .unwrap()
        .id;
    (dir, store, a, b)
}

fn write(
    company_id: i64,
    code: &'static str,
    refresh: &'static [u8],
    now: i64,
) -> AuthorizationWrite<'static> {
    AuthorizationWrite {
        authorizer_appid: "wxacc",
        company_id,
        func_info_json: "[1,15]",
        refresh_token_sealed: refresh,
        access_token_sealed: b"access",
        access_token_expires_at: now + 7200,
        code_hash: code,
        invite_id: None,
        now,
    }
}

#[tokio::test]
async fn an_authorization_is_saved_once_per_code_and_revived_after_revocation() {
    let (_dir, store, a, _) = setup().await;
    let repo = store.authorizers();
    assert_eq!(
        repo.save_authorization(write(a, "c1", b"r1", 10))
            .await
            .unwrap(),
        AuthorizationStored::Saved
    );
    assert_eq!(
        repo.code_used("c1").await.unwrap().as_deref(),
        Some("wxacc")
    );
    assert!(
        repo.mark_revoked("wxacc", 20, crate::HistoryKind::Unauthorized)
            .await
            .unwrap()
    );
    assert_eq!(
        repo.by_appid("wxacc").await.unwrap().unwrap().status,
        AuthorizerStatus::Revoked
    );

    repo.save_authorization(write(a, "c2", b"r2", 30))
        .await
        .unwrap();
    let row = repo.by_appid("wxacc").await.unwrap().unwrap();
    assert_eq!(
        (row.status, row.revoked_at, row.id),
        (AuthorizerStatus::Active, None, 1)
    );
    assert_eq!(row.refresh_token_sealed.as_deref(), Some(&b"r2"[..]));
    assert_eq!(repo.for_company(a).await.unwrap().len(), 1);
}

#[tokio::test]
async fn an_account_of_another_company_keeps_its_company_but_gets_the_new_tokens() {
    let (_dir, store, a, b) = setup().await;
    let repo = store.authorizers();
    repo.save_authorization(write(a, "c1", b"r1", 10))
        .await
        .unwrap();
    let stored = repo
        .save_authorization(write(b, "c2", b"r2", 20))
        .await
        .unwrap();
    assert_eq!(
        stored,
        AuthorizationStored::OwnedByAnotherCompany { company_id: a }
    );
    let row = repo.by_appid("wxacc").await.unwrap().unwrap();
    assert_eq!(row.company_id, a);
    assert_eq!(row.refresh_token_sealed.as_deref(), Some(&b"r2"[..]));
    assert!(repo.for_company(b).await.unwrap().is_empty());
}
