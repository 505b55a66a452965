//! The message URL against the real router: pushes built and encrypted as
//! WeChat sends them, recorded once, delivered to a webhook endpoint (a
//! local sink plays the operator's backend) with a valid signature, retried
//! and dead-lettered when the endpoint fails, replayed, answered with a
//! passive reply by a synchronous endpoint, and refused when forged.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::http::{HeaderMap, StatusCode};
use platform::messages::{EndpointRequest, signing};
use wechat::crypto::MessageCrypto;
use wechat::message::{Message, MessageKind};

use crate::helpers::TestApp;

/// A request the sink received: its headers and body.
type Received = Arc<Mutex<Vec<(HeaderMap, Vec<u8>)>>>;

/// What the sink answers, and what it received.
#[derive(Clone, Default)]
pub(crate) struct Sink {
    pub received: Received,
    /// Status and body to answer with, and a delay.
    pub answer: Arc<Mutex<(u16, String, u64)>>,
    pub url: String,
}

impl Sink {
    pub(crate) async fn start() -> Self {
        let mut sink = Sink {
            answer: Arc::new(Mutex::new((200, String::new(), 0))),
            ..Sink::default()
        };
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        sink.url = format!("http://{}/hook", listener.local_addr().unwrap());
        let state = sink.clone();
        let app = axum::Router::new().route(
            "/hook",
            axum::routing::post(move |headers: HeaderMap, body: axum::body::Bytes| {
                let state = state.clone();
                async move {
                    state
                        .received
                        .lock()
                        .unwrap()
                        .push((headers, body.to_vec()));
                    let (status, answer, delay) = state.answer.lock().unwrap().clone();
                    tokio::time::sleep(Duration::from_millis(delay)).await;
                    (StatusCode::from_u16(status).unwrap(), answer)
                }
            }),
        );
        tokio::spawn(async move { axum::serve(listener, app).await });
        sink
    }

    pub(crate) fn set(&self, status: u16, body: &str, delay_ms: u64) {
        *self.answer.lock().unwrap() = (status, body.to_owned(), delay_ms);
    }

    pub(crate) fn bodies(&self) -> Vec<serde_json::Value> {
        self.received
            .lock()
            .unwrap()
            .iter()
            .map(|(_, body)| serde_json::from_slice(body).unwrap())
            .collect()
    }
}

/// A user's message to `appid`, encrypted and signed as WeChat sends it.
pub(crate) fn message_push(app: &TestApp, appid: &str, xml: &str) -> (String, String) {
    let crypto =
        MessageCrypto::new(&app.token, &app.encoding_aes_key, &app.component_appid).unwrap();
    let push = crypto.build_push(xml, "1700000000", "4242").unwrap();
    let mut query = serde_urlencoded::to_string(&push.query).unwrap();
    query.push_str("&openid=o_user_1");
    // Message pushes carry ToUserName in the envelope instead of AppId.
    let body = push
        .body
        .replace("<AppId>", "<ToUserName>")
        .replace("</AppId>", "</ToUserName>");
    (
        format!("{}/wechat/authorizers/{appid}/events?{query}", app.address),
        body,
    )
}

pub(crate) fn text_xml(content: &str, msg_id: u64) -> String {
    Message {
        to_user_name: "gh_account".into(),
        from_user_name: "o_user_1".into(),
        create_time: 1_700_000_000,
        kind: MessageKind::Text {
            msg_id: Some(msg_id.to_string()),
            content: content.into(),
        },
    }
    .to_xml()
}

pub(crate) async fn post(url: &str, body: &str) -> (u16, String) {
    let response = reqwest::Client::new()
        .post(url)
        .body(body.to_owned())
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

async fn endpoint(app: &TestApp, sink: &Sink, synchronous: bool) -> (i64, String) {
    let (endpoint, secret) = app
        .platform
        .messages()
        .endpoints()
        .create(EndpointRequest {
            url: sink.url.clone(),
            synchronous,
            reply_budget_ms: Some(1000),
            ..EndpointRequest::default()
        })
        .await
        .unwrap();
    (endpoint.id, secret)
}

async fn until(what: &str, check: impl Fn() -> bool) {
    for _ in 0..300 {
        if check() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("{what}: not within 6 s");
}

#[tokio::test]
async fn a_user_message_is_recorded_once_and_delivered_signed_to_the_endpoint() {
    let app = crate::helpers::spawn_app().await;
    let (company_id, appid) = crate::token_service::authorized_account(&app, "消息公司").await;
    let sink = Sink::start().await;
    let (_, secret) = endpoint(&app, &sink, false).await;
    let (url, body) = message_push(&app, &appid, &text_xml("你好，微桥", 1));
    assert_eq!(post(&url, &body).await, (200, "success".into()));
    // WeChat retries what it thinks went unanswered: recorded once.
    assert_eq!(post(&url, &body).await, (200, "success".into()));
    until("the delivery", || sink.received.lock().unwrap().len() == 1).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let received = sink.received.lock().unwrap().clone();
    assert_eq!(received.len(), 1, "a duplicate is delivered once");
    let (headers, raw) = &received[0];
    let header = headers[signing::SIGNATURE_HEADER].to_str().unwrap();
    let now = app.platform.component().clock().now();
    assert!(signing::verify(&secret, header, raw, now, 300), "{header}");
    assert!(!signing::verify("whsec_other", header, raw, now, 300));
    let delivered: serde_json::Value = serde_json::from_slice(raw).unwrap();
    assert_eq!(delivered["appid"], appid.as_str());
    assert_eq!(delivered["company_id"], company_id);
    assert_eq!(delivered["message"]["msg_type"], "text");
    assert_eq!(delivered["message"]["content"], "你好，微桥");
    assert_eq!(delivered["message"]["from_user_name"], "o_user_1");
    assert!(
        delivered["raw_xml"]
            .as_str()
            .unwrap()
            .contains("你好，微桥")
    );
    assert!(
        delivered["event_id"]
            .as_str()
            .is_some_and(|id| !id.is_empty())
    );
    // The content is sealed at rest.
    if !store::testing::on_postgres() {
        let bytes = std::fs::read(app.database_path()).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        assert!(!text.contains("你好，微桥") && !text.contains("o_user_1"));
    }
}

#[tokio::test]
async fn forged_or_malformed_pushes_get_a_bare_400_and_record_nothing() {
    let app = crate::helpers::spawn_app().await;
    let (_, appid) = crate::token_service::authorized_account(&app, "伪造公司").await;
    let (url, body) = message_push(&app, &appid, &text_xml("x", 2));
    let tampered = url.replace("msg_signature=", "msg_signature=0");
    assert_eq!(post(&tampered, &body).await.0, 400);
    let (bad_appid, _) = message_push(&app, "wx<script>", &text_xml("x", 3));
    assert_eq!(post(&bad_appid, &body).await.0, 400);
    let crypto =
        MessageCrypto::new(&app.token, &app.encoding_aes_key, &app.component_appid).unwrap();
    let not_a_message = crypto.build_push("<xml><A>1</A></xml>", "1", "2").unwrap();
    let query = serde_urlencoded::to_string(&not_a_message.query).unwrap();
    let url = format!("{}/wechat/authorizers/{appid}/events?{query}", app.address);
    assert_eq!(post(&url, &not_a_message.body).await, (400, String::new()));
    let store = store::Store::connect(&app.database_url).await.unwrap();
    assert_eq!(store.messages().count().await.unwrap(), 0);
}

#[tokio::test]
async fn a_message_for_an_account_not_authorized_here_is_kept_and_not_delivered() {
    let app = crate::helpers::spawn_app().await;
    let sink = Sink::start().await;
    endpoint(&app, &sink, false).await;
    let (url, body) = message_push(&app, "wxnotauthorized01", &text_xml("谁", 4));
    assert_eq!(post(&url, &body).await, (200, "success".into()));
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(sink.received.lock().unwrap().is_empty());
    let store = store::Store::connect(&app.database_url).await.unwrap();
    let kept = store.messages().newest(None, 10).await.unwrap();
    assert_eq!(kept.len(), 1);
    assert_eq!(
        kept[0].disposition,
        store::MessageDisposition::NotAuthorized
    );
}

#[tokio::test]
async fn a_failing_endpoint_is_retried_then_dead_lettered_and_a_replay_delivers() {
    let app = crate::helpers::spawn_app().await;
    let (_, appid) = crate::token_service::authorized_account(&app, "重试公司").await;
    let sink = Sink::start().await;
    let (endpoint_id, _) = endpoint(&app, &sink, false).await;
    sink.set(500, "down", 0);
    let (url, body) = message_push(&app, &appid, &text_xml("重试", 5));
    assert_eq!(post(&url, &body).await.0, 200);
    until("the first attempt", || {
        !sink.received.lock().unwrap().is_empty()
    })
    .await;
    let store = store::Store::connect(&app.database_url).await.unwrap();
    let deliveries = store.deliveries();
    let first = deliveries
        .for_endpoint(endpoint_id, None, None, 10)
        .await
        .unwrap();
    assert_eq!(first.len(), 1);
    let id = first[0].id;
    // 5 s later (the emulator's clock, which sandbox Weiqiao follows) it is tried again.
    app.sim.clock().advance(Duration::from_secs(6));
    until("the second attempt", || {
        sink.received.lock().unwrap().len() >= 2
    })
    .await;
    // Past the 24-hour window: dead.
    app.sim.clock().advance(Duration::from_secs(25 * 3600));
    for _ in 0..300 {
        let row = deliveries.by_id(id).await.unwrap().unwrap();
        if row.state == store::DeliveryState::Dead {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let dead = deliveries.by_id(id).await.unwrap().unwrap();
    assert_eq!(dead.state, store::DeliveryState::Dead);
    assert_eq!(dead.last_status, Some(500));
    let log = deliveries.attempts(id).await.unwrap();
    assert_eq!(
        log.len(),
        sink.received.lock().unwrap().len(),
        "every attempt is logged: {log:?}"
    );
    assert!(log.len() >= 2);
    assert!(log.iter().all(|a| a.status == Some(500)));
    // The endpoint is mended; an admin replays the dead delivery.
    sink.set(204, "", 0);
    let before = sink.received.lock().unwrap().len();
    app.platform.messages().replay(id).await.unwrap();
    until("the replay", || {
        sink.received.lock().unwrap().len() > before
    })
    .await;
    for _ in 0..300 {
        if deliveries.by_id(id).await.unwrap().unwrap().state == store::DeliveryState::Delivered {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("the replayed delivery was not marked delivered");
}

#[tokio::test]
async fn a_synchronous_endpoint_replies_to_the_user_and_a_slow_one_falls_back_to_success() {
    let app = crate::helpers::spawn_app().await;
    let (_, appid) = crate::token_service::authorized_account(&app, "同步公司").await;
    let sink = Sink::start().await;
    endpoint(&app, &sink, true).await;
    sink.set(
        200,
        r#"{"reply":{"type":"text","content":"您好，已收到"}}"#,
        0,
    );
    let (url, body) = message_push(&app, &appid, &text_xml("在吗", 6));
    let (status, answer) = post(&url, &body).await;
    assert_eq!(status, 200);
    // WeChat's side: the reply envelope verifies and decrypts to a text for the user.
    let crypto =
        MessageCrypto::new(&app.token, &app.encoding_aes_key, &app.component_appid).unwrap();
    let reply = crypto.open_reply(&answer).unwrap();
    let reply = Message::parse(&reply).unwrap();
    assert_eq!(reply.to_user_name, "o_user_1");
    assert_eq!(reply.from_user_name, "gh_account");
    assert!(
        matches!(reply.kind, MessageKind::Text { ref content, .. } if content == "您好，已收到")
    );
    // Slower than its 1 s budget: WeChat gets `success` in time, and the
    // message is still delivered (again, by the queue).
    sink.set(200, r#"{"reply":{"type":"text","content":"太迟了"}}"#, 1500);
    let before = sink.received.lock().unwrap().len();
    let (url, body) = message_push(&app, &appid, &text_xml("慢", 7));
    let started = std::time::Instant::now();
    assert_eq!(post(&url, &body).await, (200, "success".into()));
    assert!(
        started.elapsed() < Duration::from_millis(1400),
        "{:?}",
        started.elapsed()
    );
    sink.set(200, "", 0);
    until("the queued delivery", || {
        sink.received.lock().unwrap().len() >= before + 2
    })
    .await;
    let bodies = sink.bodies();
    assert!(
        bodies
            .iter()
            .filter(|b| b["message"]["content"] == "慢")
            .count()
            >= 2
    );
}

#[tokio::test]
async fn every_message_type_the_emulator_pushes_is_parsed_and_delivered_typed() {
    let app = crate::helpers::spawn_app().await;
    let (_, appid) = crate::token_service::authorized_account(&app, "类型公司").await;
    let sink = Sink::start().await;
    endpoint(&app, &sink, false).await;
    let cases = [
        ("text", None),
        ("image", None),
        ("voice", None),
        ("video", None),
        ("shortvideo", None),
        ("location", None),
        ("link", None),
        ("event", Some("subscribe")),
        ("event", Some("unsubscribe")),
        ("event", Some("SCAN")),
        ("event", Some("LOCATION")),
        ("event", Some("CLICK")),
        ("event", Some("VIEW")),
        ("event", Some("TEMPLATESENDJOBFINISH")),
        ("event", Some("weapp_audit_success")),
    ];
    for (n, (msg_type, event)) in cases.iter().enumerate() {
        let answer = app
            .client
            .post(format!("{}/__sim/messages", app.sim_url))
            .json(&serde_json::json!({
                "authorizer_appid": appid,
                "openid": format!("o_user_{n}"),
                "msg_type": msg_type,
                "event": event,
                "event_key": "KEY_1",
            }))
            .send()
            .await
            .unwrap();
        let pushed: serde_json::Value = answer.json().await.unwrap();
        assert_eq!(pushed["answered"], true, "{pushed}");
        assert_eq!(pushed["attempts"].as_array().unwrap().len(), 1, "{pushed}");
    }
    until("every delivery", || {
        sink.received.lock().unwrap().len() == cases.len()
    })
    .await;
    let bodies = sink.bodies();
    for (msg_type, event) in cases {
        let found = bodies.iter().find(|b| {
            b["message"]["msg_type"] == msg_type && event.is_none_or(|e| b["message"]["event"] == e)
        });
        let body = found.unwrap_or_else(|| panic!("{msg_type} {event:?} not delivered"));
        assert!(body["raw_xml"].as_str().unwrap().contains("<MsgType>"));
        match msg_type {
            "text" => assert!(body["message"]["content"].is_string()),
            "image" | "voice" | "video" | "shortvideo" => {
                assert!(body["message"]["media_id"].is_string())
            }
            "location" => assert_eq!(body["message"]["location_x"], "23.134521"),
            "link" => assert!(body["message"]["url"].is_string()),
            _ => {}
        }
    }
    let click = bodies
        .iter()
        .find(|b| b["message"]["event"] == "CLICK")
        .unwrap();
    assert_eq!(click["message"]["event_key"], "KEY_1");
    // Each user's messages in order, and all of them with their account.
    assert!(bodies.iter().all(|b| b["appid"] == appid.as_str()));
}
