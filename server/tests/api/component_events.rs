//! The authorization event URL: verification, dedup, and refusals.

use platform::component::ComponentTokenState;
use wechat::push::ComponentPush;

use crate::helpers::{TestApp, spawn_app};

fn ticket_xml(app: &TestApp, ticket: &str, create_time: i64) -> String {
    ComponentPush::VerifyTicket {
        app_id: app.component_appid.clone(),
        create_time,
        ticket: wechat::Secret::new(ticket),
    }
    .to_xml()
}

/// How many pushes are recorded.
pub(crate) async fn push_event_count(app: &TestApp) -> i64 {
    let pool = app.raw_database().await.unwrap();
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM push_events")
        .fetch_one(&pool)
        .await
        .unwrap();
    pool.close().await;
    n
}

#[tokio::test]
async fn a_valid_ticket_push_is_answered_success_and_a_retry_is_recorded_once() {
    let app = spawn_app().await;
    // Let the emulator's own start-up push land first, so counts below are ours.
    app.eventually("the emulator's first ticket", || async {
        app.platform
            .component()
            .component_token_status()
            .await
            .unwrap()
            .ticket_received_at
            .is_some()
    })
    .await;
    let before = push_event_count(&app).await;

    let push = app.push_for(&ticket_xml(&app, "ticket@@@retried", 4_000_000_000));
    for _ in 0..3 {
        assert_eq!(app.send_push(&push).await, (200, "success".to_owned()));
    }
    assert_eq!(push_event_count(&app).await, before + 1);
}

#[tokio::test]
async fn refused_pushes_get_a_bare_400_and_change_nothing() {
    let app = spawn_app().await;
    let good = app.push_for(&ticket_xml(&app, "ticket@@@x", 4_000_000_000));
    let before = push_event_count(&app).await;

    let mut bad_signature = good.clone();
    bad_signature.query.msg_signature = "0".repeat(40);
    let mut missing_nonce = good.clone();
    missing_nonce.query.nonce.clear();
    let mut garbage = good.clone();
    garbage.body = "<xml><Encrypt>not base64!</Encrypt>".into();
    let other_component = {
        let crypto = wechat::crypto::MessageCrypto::new(
            &app.token,
            &app.encoding_aes_key,
            "wxnotours0000000",
        )
        .unwrap();
        let xml = ComponentPush::VerifyTicket {
            app_id: "wxnotours0000000".into(),
            create_time: 1,
            ticket: wechat::Secret::new("t"),
        }
        .to_xml();
        crypto.build_push(&xml, "1", "2").unwrap()
    };

    for (what, push) in [
        ("bad signature", bad_signature),
        ("missing nonce", missing_nonce),
        ("garbage body", garbage),
        ("another component's appid", other_component),
    ] {
        let (status, body) = app.send_push(&push).await;
        assert_eq!(status, 400, "{what}");
        assert!(
            body.is_empty(),
            "{what}: body must carry no detail, got {body:?}"
        );
    }
    assert_eq!(push_event_count(&app).await, before);
}

#[tokio::test]
async fn an_oversized_push_is_refused_and_other_methods_are_not_allowed() {
    let app = spawn_app().await;
    let huge = "x".repeat(server::routes::component_events::MAX_PUSH_BODY + 1);
    let response = app
        .client
        .post(app.url("/wechat/component/events"))
        .body(huge)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 413);
    let response = app
        .client
        .get(app.url("/wechat/component/events"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 405);
}

#[tokio::test]
async fn a_ticket_older_than_the_stored_one_does_not_replace_it() {
    let app = spawn_app().await;
    let newer = app.push_for(&ticket_xml(&app, "ticket@@@newer", 4_000_000_100));
    let older = app.push_for(&ticket_xml(&app, "ticket@@@older", 4_000_000_000));
    assert_eq!(app.send_push(&newer).await.0, 200);
    assert_eq!(app.send_push(&older).await.0, 200);
    let pool = app.raw_database().await.unwrap();
    let (create_time,): (i64,) = sqlx::query_as("SELECT create_time FROM component_tickets")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(create_time, 4_000_000_100);
    let status = app
        .platform
        .component()
        .component_token_status()
        .await
        .unwrap();
    assert_ne!(status.state, ComponentTokenState::Expired);
}
