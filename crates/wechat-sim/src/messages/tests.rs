use std::sync::{Arc, Mutex};
use std::time::Duration;

use wechat::message::{Message, MessageKind, Reply};

use crate::testutil::{APPID, KEY, TOKEN, config};
use crate::{Simulator, messages};

/// A platform that answers each push with the next scripted (status, body, delay).
async fn platform(script: Vec<(u16, String, u64)>) -> (String, Arc<Mutex<usize>>) {
    let calls = Arc::new(Mutex::new(0usize));
    let counter = calls.clone();
    let script = Arc::new(script);
    let app = axum::Router::new().route(
        "/wechat/authorizers/{appid}/events",
        axum::routing::post(move || {
            let (counter, script) = (counter.clone(), script.clone());
            async move {
                let n = {
                    let mut calls = counter.lock().unwrap();
                    *calls += 1;
                    *calls - 1
                };
                let (status, body, delay) = script[n.min(script.len() - 1)].clone();
                tokio::time::sleep(Duration::from_millis(delay)).await;
                (axum::http::StatusCode::from_u16(status).unwrap(), body)
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!(
        "http://{}/wechat/authorizers/$APPID$/events",
        listener.local_addr().unwrap()
    );
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, calls)
}

fn sim_for(url: &str, adjust: impl FnOnce(&mut crate::SimConfig)) -> Simulator {
    let mut config = config().with_message_url(url);
    config.messages.timeout = Duration::from_millis(300);
    config.messages.retry_delay = Duration::ZERO;
    adjust(&mut config);
    let sim = Simulator::new(config).unwrap();
    sim.seed_demo_accounts();
    sim
}

fn account(sim: &Simulator) -> (String, String) {
    sim.read_state(|s| {
        let a = s.accounts.values().next().unwrap();
        (a.appid.clone(), a.user_name.clone())
    })
}

fn text(user_name: &str) -> Message {
    Message {
        to_user_name: user_name.into(),
        from_user_name: "o_fan".into(),
        create_time: 1,
        kind: MessageKind::Text {
            msg_id: Some("1".into()),
            content: "hi".into(),
        },
    }
}

fn reply_envelope(to: &str, from: &str, content: &str) -> String {
    let crypto = wechat::crypto::MessageCrypto::new(TOKEN, KEY, APPID).unwrap();
    let xml = Reply::Text {
        content: content.into(),
    }
    .to_xml(to, from, 1);
    crypto.encrypt_reply(&xml, "1", "2").unwrap()
}

#[tokio::test]
async fn success_or_an_empty_body_ends_a_push_after_one_delivery() {
    for body in ["success", ""] {
        let (url, calls) = platform(vec![(200, body.into(), 0)]).await;
        let sim = sim_for(&url, |_| {});
        let (appid, user_name) = account(&sim);
        let pushed = sim.push_message(&appid, &text(&user_name)).await;
        assert!(pushed.answered && pushed.notice.is_none(), "{pushed:?}");
        assert_eq!(*calls.lock().unwrap(), 1);
        assert!(
            pushed
                .url
                .unwrap()
                .contains(&format!("/wechat/authorizers/{appid}/events?"))
        );
    }
}

#[tokio::test]
async fn failures_and_timeouts_are_retried_up_to_the_attempts_then_the_user_sees_the_notice() {
    let (url, calls) = platform(vec![
        (500, "oops".into(), 0),
        (200, "success".into(), 600),
        (200, "SUCCESS".into(), 0),
    ])
    .await;
    let sim = sim_for(&url, |_| {});
    let (appid, user_name) = account(&sim);
    let pushed = sim.push_message(&appid, &text(&user_name)).await;
    assert!(!pushed.answered);
    assert_eq!(pushed.attempts.len(), 3, "3 deliveries in all by default");
    assert!(
        pushed.attempts[1].error.as_deref().unwrap().contains("5 s"),
        "a slow answer is a timeout"
    );
    assert_eq!(*calls.lock().unwrap(), 3);
    assert_eq!(
        pushed.notice.as_deref(),
        Some(messages::NOTICE_OFFICIAL_ACCOUNT)
    );
    // The other reading: one delivery and three retries.
    let (url, calls) = platform(vec![(500, String::new(), 0)]).await;
    let sim = sim_for(&url, |c| c.messages.attempts = 4);
    let (appid, user_name) = account(&sim);
    assert_eq!(
        sim.push_message(&appid, &text(&user_name))
            .await
            .attempts
            .len(),
        4
    );
    assert_eq!(*calls.lock().unwrap(), 4);
}

#[tokio::test]
async fn a_passive_reply_is_decrypted_and_must_swap_the_users() {
    let (probe, _) = platform(vec![]).await;
    let sim = sim_for(&probe, |_| {});
    let (appid, user_name) = account(&sim);
    let good = reply_envelope("o_fan", &user_name, "收到");
    let (url, _) = platform(vec![(200, good, 0)]).await;
    let sim = sim_for(&url, |_| {});
    let pushed = sim.push_message(&appid, &text(&user_name)).await;
    assert!(pushed.answered);
    let reply = pushed.reply.unwrap();
    assert!(reply.valid);
    assert_eq!(reply.content.as_deref(), Some("收到"));
    // Not swapped: refused, counted as a failure, retried.
    let wrong = reply_envelope(&user_name, "o_fan", "收到");
    let (url, calls) = platform(vec![(200, wrong, 0)]).await;
    let sim = sim_for(&url, |_| {});
    let pushed = sim.push_message(&appid, &text(&user_name)).await;
    assert!(!pushed.answered);
    assert!(pushed.reply.unwrap().why.unwrap().contains("not swapped"));
    assert_eq!(*calls.lock().unwrap(), 3);
    // Not encrypted at all (JSON, say): refused.
    let (url, _) = platform(vec![(200, "{\"reply\":\"hi\"}".into(), 0)]).await;
    let sim = sim_for(&url, |_| {});
    let pushed = sim.push_message(&appid, &text(&user_name)).await;
    assert!(!pushed.answered && !pushed.reply.unwrap().valid);
}

#[tokio::test]
async fn repeated_failures_suppress_pushes_for_a_while() {
    let (url, calls) = platform(vec![(500, String::new(), 0)]).await;
    let sim = sim_for(&url, |c| {
        c.messages.mark_fail_after = 2;
        c.messages.attempts = 1;
    });
    let (appid, user_name) = account(&sim);
    assert!(!sim.push_message(&appid, &text(&user_name)).await.suppressed);
    assert!(!sim.push_message(&appid, &text(&user_name)).await.suppressed);
    let third = sim.push_message(&appid, &text(&user_name)).await;
    assert!(third.suppressed && third.attempts.is_empty());
    assert_eq!(*calls.lock().unwrap(), 2);
    sim.clear_suppression();
    assert!(!sim.push_message(&appid, &text(&user_name)).await.suppressed);
}

#[tokio::test]
async fn custom_send_needs_a_user_who_wrote_within_48_hours_and_counts_per_window() {
    let sim = crate::testutil::sim();
    let config = sim.config().clone();
    let (appid, _) = account(&sim);
    let token = sim.with_state(|state, now| {
        let granted = state
            .grant_by_wechat(&appid, vec![1], now, &config)
            .unwrap();
        state
            .query_auth(APPID, &granted.auth_code, now, &config)
            .unwrap()
            .access_token
            .value
    });
    let body =
        serde_json::json!({ "touser": "o_fan", "msgtype": "text", "text": { "content": "x" } });
    let send = |token: Option<&str>| {
        let memory = sim.clone();
        sim.with_state(|state, now| {
            messages::custom::send(state, &mut memory.messages(), token, &body, now, &config)
                .map_err(|e| e.errcode)
        })
    };
    assert_eq!(send(Some(&token)), Err(40003));
    assert_eq!(send(None), Err(41001));
    assert_eq!(send(Some("not-a-token")), Err(40001));
    sim.messages().conversations.insert(
        (appid.clone(), "o_fan".into()),
        messages::custom::Conversation {
            last_message_at: sim.clock().now(),
            sent: 0,
        },
    );
    for _ in 0..messages::custom::PER_WINDOW {
        assert_eq!(send(Some(&token)), Ok(()));
    }
    assert_eq!(send(Some(&token)), Err(45047));
    sim.messages().conversations.insert(
        (appid.clone(), "o_fan".into()),
        messages::custom::Conversation {
            last_message_at: sim.clock().now() - 48 * 3600 - 1,
            sent: 0,
        },
    );
    assert_eq!(send(Some(&token)), Err(45015));
    sim.messages().conversations.insert(
        (appid.clone(), "o_fan".into()),
        messages::custom::Conversation {
            last_message_at: sim.clock().now(),
            sent: 0,
        },
    );
    sim.with_state(|state, now| state.revoke(&appid, now).unwrap());
    assert_eq!(send(Some(&token)), Err(48001));
    assert_eq!(
        sim.custom_messages().len(),
        messages::custom::PER_WINDOW as usize
    );
}
