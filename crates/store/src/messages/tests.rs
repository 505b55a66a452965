use super::*;

fn record(key: &str, received_at: i64, endpoint: Option<i64>) -> MessageRecord {
    MessageRecord {
        dedup_key: key.into(),
        authorizer_appid: "wxa".into(),
        company_id: None,
        msg_type: "text".into(),
        event: None,
        create_time: received_at,
        received_at,
        disposition: MessageDisposition::Routed,
        payload_sealed: b"sealed".to_vec(),
        deliveries: endpoint
            .map(|endpoint_id| NewDelivery {
                endpoint_id,
                order_key: format!("{endpoint_id}:wxa:u"),
                leased: None,
            })
            .into_iter()
            .collect(),
    }
}

#[tokio::test]
async fn retention_purges_old_messages_but_keeps_one_still_being_delivered() {
    let (_dir, store) = crate::testing::store().await;
    let endpoint = store
        .webhook_endpoints()
        .insert(NewEndpoint {
            company_id: None,
            url: "https://example.com/hook",
            secret_sealed: b"s",
            appids: None,
            msg_types: None,
            events: None,
            synchronous: false,
            reply_budget_ms: 3000,
            max_in_flight: 16,
            now: 0,
        })
        .await
        .unwrap();
    let writer = store.message_writer();
    let RecordedMessage::New { deliveries, .. } = writer
        .record(record("old-delivered", 100, Some(endpoint.id)))
        .await
        .unwrap()
    else {
        panic!("new");
    };
    writer
        .record(record("old-pending", 100, Some(endpoint.id)))
        .await
        .unwrap();
    writer.record(record("young", 1000, None)).await.unwrap();
    // A retry of a recorded push records nothing.
    assert_eq!(
        writer.record(record("young", 1000, None)).await.unwrap(),
        RecordedMessage::Duplicate
    );
    // The first one's delivery ends; the second's is still pending.
    let claimed = store
        .deliveries()
        .claim_due("me", 200, 260, 10)
        .await
        .unwrap();
    assert_eq!(claimed.len(), 1, "one per order key at a time");
    assert_eq!(claimed[0].id, deliveries[0].1);
    store
        .deliveries()
        .finish(
            "me",
            &[DeliveryEnd {
                id: deliveries[0].1,
                at: 201,
                status: Some(204),
                duration_ms: 3,
                error: None,
                next: DeliveryNext::Delivered,
            }],
        )
        .await
        .unwrap();
    let messages = store.messages();
    assert_eq!(messages.purge_received_before(500).await.unwrap(), 1);
    assert_eq!(messages.count().await.unwrap(), 2);
    let left: Vec<String> = messages
        .newest(None, 10)
        .await
        .unwrap()
        .into_iter()
        .map(|m| m.create_time.to_string())
        .collect();
    assert_eq!(left, ["1000", "100"]);
    let delivered = store.deliveries().by_id(deliveries[0].1).await.unwrap();
    assert!(delivered.is_none(), "its delivery went with it");
    assert_eq!(
        messages.purge_received_before(2000).await.unwrap(),
        1,
        "the pending one stays"
    );
}
