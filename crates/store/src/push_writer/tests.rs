use super::*;
use crate::Store;

fn ticket_push(key: &str, create_time: i64) -> PushRecord {
    PushRecord {
        dedup_key: key.into(),
        info_type: "component_verify_ticket".into(),
        authorizer_appid: None,
        create_time: Some(create_time),
        received_at: 10,
        payload_sealed: b"sealed".to_vec(),
        ticket: Some(TicketWrite {
            component_appid: "wxc".into(),
            ticket_sealed: format!("t{create_time}").into_bytes(),
            create_time,
        }),
    }
}

#[tokio::test]
async fn concurrent_pushes_are_each_recorded_once_and_the_newest_ticket_wins() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::connect(&crate::testing::database_url(dir.path()).await)
        .await
        .unwrap();
    let writer = store.push_writer();
    let mut handles = Vec::new();
    for i in 0..200i64 {
        let writer = writer.clone();
        // Every push twice: the copy must come back as a duplicate.
        for _ in 0..2 {
            let writer = writer.clone();
            handles.push(tokio::spawn(async move {
                writer.record(ticket_push(&format!("k{i}"), i)).await
            }));
        }
    }
    let mut new = 0;
    let mut duplicates = 0;
    for handle in handles {
        match handle.await.unwrap().unwrap() {
            Recorded::New { .. } => new += 1,
            Recorded::Duplicate => duplicates += 1,
        }
    }
    assert_eq!((new, duplicates), (200, 200));
    let ticket = store.component().ticket("wxc").await.unwrap().unwrap();
    assert_eq!(
        (ticket.create_time, ticket.ticket_sealed),
        (199, b"t199".to_vec())
    );
    assert_eq!(store.push_events().recent(1000).await.unwrap().len(), 200);
    assert!(
        store
            .push_events()
            .due(i64::MAX, 10)
            .await
            .unwrap()
            .is_empty(),
        "tickets are applied on write"
    );
}

#[tokio::test]
async fn one_batch_records_copies_once_and_stores_only_its_newest_ticket() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::connect(&crate::testing::database_url(dir.path()).await)
        .await
        .unwrap();
    let jobs = |records: Vec<PushRecord>| records;
    let first = jobs(vec![
        ticket_push("k1", 5),
        ticket_push("k2", 9),
        ticket_push("k1", 5),
        ticket_push("k3", 9),
    ]);
    let outcomes = write_batch(store.pool(), &first).await.unwrap();
    let newest: Vec<Option<bool>> = outcomes
        .iter()
        .map(|o| match o {
            Recorded::New { newest_ticket, .. } => *newest_ticket,
            Recorded::Duplicate => None,
        })
        .collect();
    assert_eq!(
        outcomes[2],
        Recorded::Duplicate,
        "the copy inside the batch"
    );
    assert_eq!(
        newest,
        vec![Some(false), Some(false), None, Some(true)],
        "k3 is the later of the two newest"
    );

    let second = jobs(vec![ticket_push("k2", 9), ticket_push("k4", 3)]);
    let outcomes = write_batch(store.pool(), &second).await.unwrap();
    assert_eq!(
        outcomes[0],
        Recorded::Duplicate,
        "a copy from an earlier batch"
    );
    assert!(matches!(
        outcomes[1],
        Recorded::New {
            newest_ticket: Some(false),
            ..
        }
    ));
    let ticket = store.component().ticket("wxc").await.unwrap().unwrap();
    assert_eq!(
        (ticket.create_time, ticket.ticket_sealed),
        (9, b"t9".to_vec())
    );
    assert_eq!(store.push_events().recent(10).await.unwrap().len(), 4);
}
