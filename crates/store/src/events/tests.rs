use super::{EventAttemptEnd, EventFilter, PushEventState};
use crate::{PushRecord, Recorded, Store};

async fn store_with_one_push() -> (tempfile::TempDir, Store, i64) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::connect(&crate::testing::database_url(dir.path()).await)
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
    (dir, store, event_id)
}

#[tokio::test]
async fn a_claimed_push_is_held_until_its_lease_ends_and_counts_attempts() {
    let (_dir, store, id) = store_with_one_push().await;
    let events = store.push_events();
    assert_eq!(events.due(6, 10).await.unwrap(), vec![id]);
    assert_eq!(events.claim(id, 6, 100).await.unwrap(), Some(1));
    // Held: neither due nor claimable by another worker before the lease ends.
    assert!(events.due(99, 10).await.unwrap().is_empty());
    assert_eq!(events.claim(id, 99, 200).await.unwrap(), None);
    // The holder died: due again at the end of its lease.
    assert_eq!(events.due(100, 10).await.unwrap(), vec![id]);
    assert_eq!(events.claim(id, 100, 300).await.unwrap(), Some(2));
}

#[tokio::test]
async fn an_attempt_ends_applied_retried_later_or_failed() {
    let (_dir, store, id) = store_with_one_push().await;
    let events = store.push_events();
    events.claim(id, 6, 100).await.unwrap();
    events
        .end_attempt(
            id,
            7,
            EventAttemptEnd::RetryAt {
                at: 50,
                error: "boom",
            },
        )
        .await
        .unwrap();
    let row = events.by_id(id).await.unwrap().unwrap();
    assert_eq!(
        (
            row.state,
            row.next_attempt_at,
            row.error.as_deref(),
            row.processed_at
        ),
        (PushEventState::Pending, 50, Some("boom"), None)
    );
    assert!(events.due(49, 10).await.unwrap().is_empty());
    assert_eq!(events.claim(id, 50, 100).await.unwrap(), Some(2));
    events
        .end_attempt(id, 51, EventAttemptEnd::Failed { error: "gave up" })
        .await
        .unwrap();
    let row = events.by_id(id).await.unwrap().unwrap();
    assert_eq!(
        (row.state, row.processed_at, row.error.as_deref()),
        (PushEventState::Failed, Some(51), Some("gave up"))
    );
    // A failed push is never due again, nor claimable.
    assert!(events.due(i64::MAX, 10).await.unwrap().is_empty());
    assert_eq!(events.claim(id, i64::MAX, i64::MAX).await.unwrap(), None);
}

#[tokio::test]
async fn a_page_filters_by_kind_account_state_and_time_newest_first() {
    let (_dir, store, first) = store_with_one_push().await;
    store
        .push_writer()
        .record(PushRecord {
            dedup_key: "k2".into(),
            info_type: "unauthorized".into(),
            authorizer_appid: Some("wxb".into()),
            create_time: Some(8),
            received_at: 9,
            payload_sealed: b"sealed".to_vec(),
            ticket: None,
        })
        .await
        .unwrap();
    let events = store.push_events();
    let ids = |rows: Vec<super::PushEventRow>| {
        rows.iter().map(|r| r.info_type.clone()).collect::<Vec<_>>()
    };
    let all = events.page(EventFilter::default(), 10).await.unwrap();
    assert_eq!(ids(all), ["unauthorized", "authorized"]);
    let kind = EventFilter {
        info_type: Some("authorized"),
        ..EventFilter::default()
    };
    assert_eq!(ids(events.page(kind, 10).await.unwrap()), ["authorized"]);
    let account = EventFilter {
        authorizer_appid: Some("wxb"),
        ..EventFilter::default()
    };
    assert_eq!(
        ids(events.page(account, 10).await.unwrap()),
        ["unauthorized"]
    );
    let since = EventFilter {
        since: Some(7),
        ..EventFilter::default()
    };
    assert_eq!(ids(events.page(since, 10).await.unwrap()), ["unauthorized"]);
    events.claim(first, 6, 100).await.unwrap();
    events
        .end_attempt(first, 7, EventAttemptEnd::Failed { error: "x" })
        .await
        .unwrap();
    let failed = EventFilter {
        state: Some(PushEventState::Failed),
        ..EventFilter::default()
    };
    assert_eq!(ids(events.page(failed, 10).await.unwrap()), ["authorized"]);
    let older = EventFilter {
        before_id: Some(first + 1),
        ..EventFilter::default()
    };
    assert_eq!(ids(events.page(older, 10).await.unwrap()), ["authorized"]);
}

#[tokio::test]
async fn an_applied_push_clears_its_error_and_is_done() {
    let (_dir, store, id) = store_with_one_push().await;
    let events = store.push_events();
    events.claim(id, 6, 100).await.unwrap();
    events
        .end_attempt(
            id,
            7,
            EventAttemptEnd::RetryAt {
                at: 8,
                error: "boom",
            },
        )
        .await
        .unwrap();
    events.claim(id, 8, 100).await.unwrap();
    events
        .end_attempt(id, 9, EventAttemptEnd::Applied)
        .await
        .unwrap();
    let recent = events.recent(10).await.unwrap();
    assert_eq!(
        (
            recent[0].state,
            recent[0].processed_at,
            recent[0].error.as_deref(),
            recent[0].attempts
        ),
        (PushEventState::Applied, Some(9), None, 2)
    );
    assert!(events.due(i64::MAX, 10).await.unwrap().is_empty());
}
