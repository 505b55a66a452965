use super::HistoryKind::{self, *};
use crate::{AuthorizationWrite, RefreshFailure, SaveRefreshed, Store};

const APPID: &str = "wxhistory";

async fn authorized(company_name: &str) -> (tempfile::TempDir, Store, i64) {
    let (dir, store) = crate::testing::store().await;
    let company = crate::testing::company(&store, company_name).await;
    authorize(&store, company, "c0", 100).await;
    (dir, store, company)
}

async fn authorize(store: &Store, company_id: i64, code: &str, now: i64) {
    store
        .authorizers()
        .save_authorization(AuthorizationWrite {
            authorizer_appid: APPID,
            company_id,
            func_info_json: "[1]",
            refresh_token_sealed: b"r",
            access_token_sealed: b"a",
            access_token_expires_at: now + 7200,
            code_hash: code,
            invite_id: None,
            now,
        })
        .await
        .unwrap();
}

async fn refresh(store: &Store, now: i64) {
    let repo = store.authorizer_refresh();
    let expires = store
        .authorizers()
        .by_appid(APPID)
        .await
        .unwrap()
        .unwrap()
        .access_token_expires_at;
    repo.try_lease(APPID, "me", now, now + 60, expires)
        .await
        .unwrap()
        .unwrap();
    assert!(
        repo.save_refreshed(SaveRefreshed {
            appid: APPID,
            holder: "me",
            access_token_sealed: b"a",
            expires_at: now + 7200,
            refresh_token_sealed: b"r",
            started_from: Some(b"r"),
            now,
        })
        .await
        .unwrap()
    );
}

async fn fail(store: &Store, error: &str, failures: i64, now: i64) {
    store
        .authorizer_refresh()
        .record_failure(
            APPID,
            "me",
            RefreshFailure {
                error,
                failures,
                next_attempt_at: now + 30,
            },
            now,
        )
        .await
        .unwrap();
}

/// (kind, at, last_at, count) newest first.
async fn timeline(store: &Store) -> Vec<(HistoryKind, i64, i64, i64)> {
    store
        .authorizer_history()
        .latest(APPID, 50)
        .await
        .unwrap()
        .into_iter()
        .map(|r| (r.kind, r.at, r.last_at, r.count))
        .collect()
}

#[tokio::test]
async fn refreshes_and_failures_collapse_into_runs_in_order() {
    let (_dir, store, _) = authorized("A").await;
    refresh(&store, 200).await;
    refresh(&store, 300).await;
    // The pending run is shown before it is written out.
    assert_eq!(
        timeline(&store).await,
        vec![(Refreshed, 200, 300, 2), (Authorized, 100, 100, 1)]
    );
    fail(&store, "errcode 45009", 1, 400).await;
    fail(&store, "errcode -1", 2, 500).await;
    refresh(&store, 600).await;
    fail(&store, "errcode -1", 1, 700).await;
    assert_eq!(
        timeline(&store).await,
        vec![
            (RefreshFailed, 700, 700, 1),
            (Refreshed, 600, 600, 1),
            (RefreshFailed, 400, 500, 2),
            (Refreshed, 200, 300, 2),
            (Authorized, 100, 100, 1),
        ]
    );
    let rows = store.authorizer_history().latest(APPID, 2).await.unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0].detail.as_deref(), Some("errcode -1"));
}

#[tokio::test]
async fn every_change_of_status_is_an_entry_once() {
    let (_dir, store, company) = authorized("A").await;
    authorize(&store, company, "c1", 150).await;
    let authorizers = store.authorizers();
    assert!(
        authorizers
            .mark_revoked(APPID, 200, Unauthorized)
            .await
            .unwrap()
    );
    assert!(
        !authorizers
            .mark_revoked(APPID, 210, NoLongerListed)
            .await
            .unwrap()
    );
    assert!(authorizers.revive(APPID, 300).await.unwrap());
    let refresh = store.authorizer_refresh();
    refresh
        .mark_needs_reauthorization(APPID, "61023", 400)
        .await
        .unwrap();
    refresh
        .mark_needs_reauthorization(APPID, "61023", 410)
        .await
        .unwrap();
    refresh
        .replace_refresh_token(APPID, b"r2", 500)
        .await
        .unwrap();
    authorize(&store, company, "c2", 600).await;
    let other = crate::testing::company(&store, "B").await;
    authorize(&store, other, "c3", 700).await;
    let kinds: Vec<HistoryKind> = timeline(&store).await.into_iter().map(|e| e.0).collect();
    assert_eq!(
        kinds,
        vec![
            AuthorizedThroughAnotherCompany,
            Reauthorized,
            RefreshTokenRecovered,
            NeedsReauthorization,
            Revived,
            Unauthorized,
            Updated,
            Authorized,
        ]
    );
    let latest = store.authorizer_history().latest(APPID, 1).await.unwrap();
    assert_eq!(latest[0].detail, Some(other.to_string()));
}
