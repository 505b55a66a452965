use time::macros::datetime;

use crate::{
    AuthorizationWrite, AuthorizerStatus, NewCompany, RefreshFailure, SaveRefreshed, Store,
};

async fn store_with(appids: &[(&str, i64)]) -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::connect(&crate::testing::database_url(dir.path()).await)
        .await
        .unwrap();
    let company = store
        .companies()
        .insert(NewCompany {
            name: "A",
            created_at: datetime!(2026-01-01 0:00 UTC),
        })
        .await
        .unwrap()
        .id;
    for (i, (appid, expires_at)) in appids.iter().enumerate() {
        store
            .authorizers()
            .save_authorization(AuthorizationWrite {
                authorizer_appid: appid,
                company_id: company,
                func_info_json: "[]",
                refresh_token_sealed: b"r",
                access_token_sealed: b"a",
                access_token_expires_at: *expires_at,
                code_hash: &format!("code{i}"),
                invite_id: None,
                now: 0,
            })
            .await
            .unwrap();
    }
    (dir, store)
}

#[tokio::test]
async fn only_active_unleased_authorizers_expiring_before_the_horizon_are_due() {
    let (_dir, store) = store_with(&[("wxsoon", 100), ("wxlater", 10_000), ("wxgone", 50)]).await;
    store
        .authorizers()
        .mark_revoked("wxgone", 1, crate::HistoryKind::Unauthorized)
        .await
        .unwrap();
    let repo = store.authorizer_refresh();
    let due: Vec<_> = repo
        .due(10, 1000, 100)
        .await
        .unwrap()
        .into_iter()
        .map(|d| d.authorizer_appid)
        .collect();
    assert_eq!(due, ["wxsoon"]);
    assert!(
        repo.try_lease("wxsoon", "a", 10, 70, Some(100))
            .await
            .unwrap()
            .is_some()
    );
    assert!(
        repo.try_lease("wxsoon", "b", 20, 80, Some(100))
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        repo.due(20, 1000, 100).await.unwrap().is_empty(),
        "leased ones are not due"
    );
    assert_eq!(
        repo.due(71, 1000, 100).await.unwrap().len(),
        1,
        "an expired lease frees it"
    );
}

#[tokio::test]
async fn a_failure_backs_off_and_a_success_clears_it_and_stores_both_tokens() {
    let (_dir, store) = store_with(&[("wxa", 100)]).await;
    let repo = store.authorizer_refresh();
    assert!(
        repo.try_lease("wxa", "h", 10, 70, Some(100))
            .await
            .unwrap()
            .is_some()
    );
    repo.record_failure(
        "wxa",
        "h",
        RefreshFailure {
            error: "busy",
            failures: 1,
            next_attempt_at: 40,
        },
        10,
    )
    .await
    .unwrap();
    assert!(
        repo.due(30, 1000, 10).await.unwrap().is_empty(),
        "backing off"
    );
    assert_eq!(repo.due(40, 1000, 10).await.unwrap().len(), 1);
    let leased = repo
        .try_lease("wxa", "h", 40, 100, Some(100))
        .await
        .unwrap()
        .expect("leased after the backoff");
    assert_eq!(
        (leased.failures, leased.refresh_token_sealed.as_deref()),
        (1, Some(&b"r"[..])),
        "the lease reads what the refresher needs"
    );
    assert!(
        repo.save_refreshed(save("h", b"r", b"r2", 40))
            .await
            .unwrap()
    );
    let row = store.authorizers().by_appid("wxa").await.unwrap().unwrap();
    assert_eq!(row.access_token_sealed.as_deref(), Some(&b"a2"[..]));
    assert_eq!(row.refresh_token_sealed.as_deref(), Some(&b"r2"[..]));
    assert_eq!(
        (row.access_token_expires_at, row.last_error),
        (Some(7240), None)
    );
    assert!(
        repo.try_lease("wxa", "other", 41, 100, Some(7240))
            .await
            .unwrap()
            .is_some(),
        "lease released"
    );
}

#[tokio::test]
async fn no_lease_once_another_refresh_changed_the_token_since_it_was_seen() {
    let (_dir, store) = store_with(&[("wxa", 100)]).await;
    let repo = store.authorizer_refresh();
    // Instance A refreshes while instance B still holds its old reading (expires 100).
    assert!(
        repo.try_lease("wxa", "a", 10, 70, Some(100))
            .await
            .unwrap()
            .is_some()
    );
    let mut refreshed = save("a", b"r", b"r", 10);
    refreshed.expires_at = 7210;
    assert!(repo.save_refreshed(refreshed).await.unwrap());
    assert!(
        repo.try_lease("wxa", "b", 11, 71, Some(100))
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        repo.try_lease("wxa", "b", 11, 71, Some(7210))
            .await
            .unwrap()
            .is_some()
    );
}

/// A refresh of `wxa` by `holder`, started from `from`, storing access
/// token `a2` (expiring at 7240) and refresh token `to`.
fn save<'a>(holder: &'a str, from: &'a [u8], to: &'a [u8], now: i64) -> SaveRefreshed<'a> {
    SaveRefreshed {
        appid: "wxa",
        holder,
        access_token_sealed: b"a2",
        expires_at: 7240,
        refresh_token_sealed: to,
        started_from: Some(from),
        now,
    }
}

#[tokio::test]
async fn a_refresh_writes_only_while_it_holds_the_lease_and_the_token_it_started_from() {
    let (_dir, store) = store_with(&[("wxa", 100)]).await;
    let repo = store.authorizer_refresh();
    let stored = || async {
        let row = store.authorizers().by_appid("wxa").await.unwrap().unwrap();
        (row.refresh_token_sealed, row.access_token_expires_at)
    };
    repo.try_lease("wxa", "h", 10, 70, Some(100))
        .await
        .unwrap()
        .unwrap();
    // Past its lease (70): discarded, whoever leased since keeps its claim.
    assert!(
        !repo
            .save_refreshed(save("h", b"r", b"late", 71))
            .await
            .unwrap()
    );
    assert_eq!(stored().await, (Some(b"r".to_vec()), Some(100)));
    // Another holder: discarded.
    assert!(
        !repo
            .save_refreshed(save("other", b"r", b"x", 20))
            .await
            .unwrap()
    );
    // A re-authorization stored a newer refresh token meanwhile: discarded.
    repo.replace_refresh_token("wxa", b"newer", 30)
        .await
        .unwrap();
    assert!(
        !repo
            .save_refreshed(save("h", b"r", b"old", 40))
            .await
            .unwrap()
    );
    assert_eq!(stored().await.0, Some(b"newer".to_vec()));
    // Started from what is stored, within the lease (its last second included): written.
    assert!(
        repo.save_refreshed(save("h", b"newer", b"r3", 70))
            .await
            .unwrap()
    );
    assert_eq!(stored().await, (Some(b"r3".to_vec()), Some(7240)));
}

#[tokio::test]
async fn needing_reauthorization_stops_refreshing() {
    let (_dir, store) = store_with(&[("wxa", 100)]).await;
    let repo = store.authorizer_refresh();
    repo.mark_needs_reauthorization("wxa", "errcode 61023", 5)
        .await
        .unwrap();
    assert!(repo.due(5, 1000, 10).await.unwrap().is_empty());
    assert!(
        repo.try_lease("wxa", "h", 5, 60, Some(100))
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(
        store
            .authorizers()
            .by_appid("wxa")
            .await
            .unwrap()
            .unwrap()
            .status,
        AuthorizerStatus::NeedsReauthorization
    );
}

#[tokio::test]
async fn a_pass_claims_only_what_is_still_due_and_free_so_two_instances_split_a_batch() {
    let (_dir, store) = store_with(&[
        ("wxa", 100),
        ("wxb", 100),
        ("wxc", 100),
        ("wxlate", 5_000),
        ("wxgone", 100),
        ("wxwaiting", 100),
    ])
    .await;
    store
        .authorizers()
        .mark_revoked("wxgone", 1, crate::HistoryKind::Unauthorized)
        .await
        .unwrap();
    let repo = store.authorizer_refresh();
    repo.record_failure(
        "wxwaiting",
        "h",
        RefreshFailure {
            error: "x",
            failures: 1,
            next_attempt_at: 50,
        },
        1,
    )
    .await
    .unwrap();
    let all: Vec<String> = ["wxa", "wxb", "wxc", "wxlate", "wxgone", "wxwaiting"]
        .map(String::from)
        .to_vec();
    // Instance one claims a and b first.
    let mut first = repo
        .claim_due(&all[..2], "one", (10, 1000, 70))
        .await
        .unwrap();
    first.sort();
    assert_eq!(first, ["wxa", "wxb"]);
    // Two reads the same candidates: it gets c only (not due, revoked or
    // backing off stay out, and one's claims hold until 70).
    let second = repo.claim_due(&all, "two", (10, 1000, 70)).await.unwrap();
    assert_eq!(second, ["wxc"]);
    assert!(repo.due(10, 1000, 100).await.unwrap().is_empty());
    // A holder's own claim may be renewed; an expired one is free for others.
    assert_eq!(
        repo.claim_due(&all[..1], "one", (20, 1000, 80))
            .await
            .unwrap(),
        ["wxa"]
    );
    let mut taken_over = repo
        .claim_due(&all[..2], "three", (81, 1000, 140))
        .await
        .unwrap();
    taken_over.sort();
    assert_eq!(taken_over, ["wxa", "wxb"]);
    // And at 81 the back-off of wxwaiting (until 50) is over, and two's
    // claim on wxc (until 70) has run out: both are due again.
    let mut again = repo.claim_due(&all, "two", (81, 1000, 140)).await.unwrap();
    again.sort();
    assert_eq!(again, ["wxc", "wxwaiting"]);
    assert!(
        repo.claim_due(&[], "two", (81, 1000, 140))
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn a_forced_refresh_is_allowed_once_per_interval_whoever_asks() {
    let (_dir, store) = store_with(&[("wxa", 100), ("wxb", 100)]).await;
    // Two handles on one database, as two instances have.
    let other = store.clone();
    let (one, two) = (store.authorizer_refresh(), other.authorizer_refresh());
    assert!(one.take_forced_refresh("wxa", 100, 10).await.unwrap());
    assert!(!two.take_forced_refresh("wxa", 100, 10).await.unwrap());
    assert!(!two.take_forced_refresh("wxa", 109, 10).await.unwrap());
    // Another account has its own interval.
    assert!(two.take_forced_refresh("wxb", 109, 10).await.unwrap());
    assert!(two.take_forced_refresh("wxa", 110, 10).await.unwrap());
    assert!(!one.take_forced_refresh("wxa", 119, 10).await.unwrap());
    assert!(!one.take_forced_refresh("wxunknown", 119, 10).await.unwrap());
}
