//! Pushes as a platform receives them: a receiver on 127.0.0.1:0 decrypts with
//! the protocol crate (the published algorithm) and checks the documented fields.

use axum::Router;
use axum::extract::{Query, State};
use axum::routing;
use tokio::sync::mpsc;
use wechat::crypto::{MessageCrypto, PushQuery};
use wechat::push::ComponentPush;

use crate::testutil::*;

/// A receiver answering `reply` to every push and forwarding what it got.
async fn receiver(reply: &'static str) -> (url::Url, mpsc::UnboundedReceiver<(PushQuery, String)>) {
    let (tx, rx) = mpsc::unbounded_channel();
    let app = Router::new()
        .route(
            "/wechat/component/events",
            routing::post(
                move |State(tx): State<mpsc::UnboundedSender<(PushQuery, String)>>,
                      Query(q): Query<PushQuery>,
                      body: String| async move {
                    let _ = tx.send((q, body));
                    reply
                },
            ),
        )
        .with_state(tx);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!(
        "http://{}/wechat/component/events",
        listener.local_addr().unwrap()
    );
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url::Url::parse(&url).unwrap(), rx)
}

fn sim_pushing_to(url: url::Url) -> crate::Simulator {
    let sim = crate::Simulator::new(config().with_push_url(url)).unwrap();
    sim.seed_demo_accounts();
    sim
}

#[tokio::test]
async fn a_ticket_push_decrypts_with_the_published_algorithm_and_carries_the_documented_fields() {
    let (url, mut rx) = receiver("success").await;
    let sim = sim_pushing_to(url);
    let record = sim.push_ticket_now().await;
    assert!(record.delivered);
    let (query, body) = rx.recv().await.unwrap();
    assert_eq!(query.encrypt_type, "aes");
    assert!(body.starts_with(&format!("<xml><AppId><![CDATA[{APPID}]]></AppId>")));
    let crypto = MessageCrypto::new(TOKEN, KEY, APPID).unwrap();
    assert_eq!(
        query.signature,
        crypto.plain_signature(&query.timestamp, &query.nonce)
    );
    match crypto.open_component_push(&query, &body).unwrap() {
        ComponentPush::VerifyTicket {
            app_id,
            create_time,
            ticket,
        } => {
            assert_eq!(app_id, APPID);
            assert_eq!(create_time.to_string(), query.timestamp);
            let latest = sim.read_state(|s| s.latest_ticket().unwrap().value.clone());
            assert_eq!(ticket.expose(), latest);
        }
        other => panic!("expected a ticket, got {other:?}"),
    }
}

#[tokio::test]
async fn authorization_events_decrypt_to_the_documented_fields() {
    let (url, mut rx) = receiver("success").await;
    let sim = sim_pushing_to(url);
    let token = component_token(&sim).await;
    rx.recv().await.unwrap(); // the ticket
    let pre = pre_auth_code(&sim, &token).await;
    let auth = post(
        &sim,
        "/__sim/authorize",
        serde_json::json!({"pre_auth_code": pre, "authorizer_appid": "wx5d3e1a2b3c4d5e6f"}),
    )
    .await;
    let crypto = MessageCrypto::new(TOKEN, KEY, APPID).unwrap();
    let (query, body) = rx.recv().await.unwrap();
    match crypto.open_component_push(&query, &body).unwrap() {
        ComponentPush::Authorized {
            authorizer_appid,
            authorization_code,
            authorization_code_expired_time,
            pre_auth_code,
            create_time,
            ..
        } => {
            assert_eq!(authorizer_appid, "wx5d3e1a2b3c4d5e6f");
            assert_eq!(
                authorization_code.expose(),
                auth["auth_code"].as_str().unwrap()
            );
            assert_eq!(authorization_code_expired_time, create_time + 3600);
            assert_eq!(pre_auth_code.unwrap().expose(), pre);
        }
        other => panic!("expected authorized, got {other:?}"),
    }
    sim.push_event(&super::Event::Unauthorized {
        authorizer_appid: "wx5d3e1a2b3c4d5e6f".into(),
    })
    .await;
    let (query, body) = rx.recv().await.unwrap();
    assert!(matches!(
        crypto.open_component_push(&query, &body).unwrap(),
        ComponentPush::Unauthorized { .. }
    ));
}

#[tokio::test]
async fn a_push_not_answered_with_success_is_retried_three_times_in_all() {
    let (url, mut rx) = receiver("ok").await;
    let sim = sim_pushing_to(url);
    let record = sim.push_ticket_now().await;
    assert!(!record.delivered);
    assert_eq!(record.attempts.len(), 3);
    for _ in 0..3 {
        rx.recv().await.unwrap();
    }
    assert_eq!(sim.read_state(|s| s.failed_ticket_pushes), 1);
}

#[tokio::test]
async fn the_pusher_pushes_at_start_and_again_when_the_clock_passes_the_interval() {
    let (url, mut rx) = receiver("success").await;
    let sim = sim_pushing_to(url);
    let pusher = sim.spawn_ticket_pusher();
    rx.recv().await.unwrap();
    sim.clock().advance(std::time::Duration::from_secs(600));
    rx.recv().await.unwrap();
    assert_eq!(sim.read_state(|s| s.tickets.len()), 2);
    pusher.abort();
}
