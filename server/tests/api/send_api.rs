//! `POST /api/v1/authorizers/{appid}/messages/custom`: a backend answers a
//! user through the customer-service API with the stored token. WeChat's
//! refusals come back as clear JSON errors; a token WeChat calls invalid is
//! refreshed and the send retried once.

use std::time::Duration;

use serde_json::{Value, json};
use wechat::message::{Message, MessageKind};
use wechat_sim::faults::Fault;

use crate::helpers::TestApp;
use crate::token_service::{authorized_account, new_key};

async fn send(app: &TestApp, key: &str, appid: &str, to: &str, text: &str) -> (u16, Value) {
    let response = app
        .client
        .post(app.url(&format!("/api/v1/authorizers/{appid}/messages/custom")))
        .bearer_auth(key)
        .json(&json!({ "touser": to, "msgtype": "text", "text": { "content": text } }))
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.json().await.unwrap())
}

/// The user writes to the account (which opens the 48-hour window).
async fn user_writes(app: &TestApp, appid: &str, openid: &str) {
    let user_name = app.sim.read_state(|s| s.accounts[appid].user_name.clone());
    let message = Message {
        to_user_name: user_name,
        from_user_name: openid.into(),
        create_time: app.sim.clock().now(),
        kind: MessageKind::Text {
            msg_id: Some("1".into()),
            content: "在吗".into(),
        },
    };
    let pushed = app.sim.push_message(appid, &message).await;
    assert!(pushed.answered, "{pushed:?}");
}

#[tokio::test]
async fn a_backend_answers_a_user_and_wechat_s_limits_come_back_as_clear_errors() {
    let app = crate::helpers::spawn_app().await;
    let (company, appid) = authorized_account(&app, "客服公司").await;
    let key = new_key(&app, &[company]).await;
    // Nobody wrote yet: WeChat does not know this user for the account.
    let (status, body) = send(&app, &key, &appid, "o_stranger", "你好").await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_openid")),
        "{body}"
    );
    user_writes(&app, &appid, "o_fan").await;
    for n in 1..=5 {
        let (status, body) = send(&app, &key, &appid, "o_fan", &format!("第{n}条")).await;
        assert_eq!((status, body), (200, json!({ "ok": true })));
    }
    let sent = app.sim.custom_messages();
    assert_eq!(sent.len(), 5);
    assert_eq!(sent[0].content.as_deref(), Some("第1条"));
    assert_eq!(sent[0].authorizer_appid, appid);
    let (status, body) = send(&app, &key, &appid, "o_fan", "第6条").await;
    assert_eq!(
        (status, body["error"].as_str()),
        (429, Some("too_many")),
        "{body}"
    );
    // Two days later the window has closed.
    app.sim.clock().advance(Duration::from_secs(49 * 3600));
    // (Tickets and tokens have expired meanwhile: WeChat pushes a new ticket.)
    app.sim.push_ticket_now().await;
    app.platform
        .component()
        .refresh_component_token_if_due()
        .await
        .unwrap();
    let (status, body) = send(&app, &key, &appid, "o_fan", "迟到").await;
    assert_eq!(
        (status, body["error"].as_str()),
        (409, Some("outside_window")),
        "{body}"
    );
    assert!(body["message"].as_str().unwrap().contains("48"));
}

#[tokio::test]
async fn a_refused_token_is_refreshed_once_and_other_refusals_are_named() {
    let app = crate::helpers::spawn_app().await;
    let (company, appid) = authorized_account(&app, "令牌公司").await;
    let key = new_key(&app, &[company]).await;
    user_writes(&app, &appid, "o_fan").await;
    let refreshes = || app.sim.calls().list(Some("api_authorizer_token")).len();
    let before = refreshes();
    app.sim.faults().set(
        "message_custom_send",
        Fault {
            errcode: Some(40001),
            times: Some(1),
            ..Fault::default()
        },
    );
    assert_eq!(send(&app, &key, &appid, "o_fan", "重试").await.0, 200);
    assert_eq!(
        refreshes(),
        before + 1,
        "one refresh, then the send went through"
    );
    assert_eq!(app.sim.custom_messages().len(), 1);
    app.sim.faults().set(
        "message_custom_send",
        Fault {
            errcode: Some(48001),
            ..Fault::default()
        },
    );
    let (status, body) = send(&app, &key, &appid, "o_fan", "x").await;
    assert_eq!(
        (status, body["error"].as_str()),
        (403, Some("not_permitted")),
        "{body}"
    );
    app.sim.faults().set(
        "message_custom_send",
        Fault {
            errcode: Some(45009),
            ..Fault::default()
        },
    );
    let (status, body) = send(&app, &key, &appid, "o_fan", "x").await;
    assert_eq!(
        (status, body["error"].as_str()),
        (502, Some("wechat_refused")),
        "{body}"
    );
    assert!(body["message"].as_str().unwrap().contains("45009"));
}

#[tokio::test]
async fn another_company_s_key_cannot_send_as_the_account_and_a_bad_body_is_400() {
    let app = crate::helpers::spawn_app().await;
    let (_, appid) = authorized_account(&app, "甲公司").await;
    let other = app.platform.companies().create("乙公司").await.unwrap();
    let key = new_key(&app, &[other.id]).await;
    user_writes(&app, &appid, "o_fan").await;
    let (status, body) = send(&app, &key, &appid, "o_fan", "越权").await;
    assert_eq!(
        (status, body["error"].as_str()),
        (404, Some("not_found")),
        "{body}"
    );
    assert!(app.sim.custom_messages().is_empty());
    let response = app
        .client
        .post(app.url(&format!("/api/v1/authorizers/{appid}/messages/custom")))
        .bearer_auth(&key)
        .json(&json!({ "msgtype": "text" }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let anonymous = app
        .client
        .post(app.url(&format!("/api/v1/authorizers/{appid}/messages/custom")))
        .json(&json!({ "touser": "o_fan", "msgtype": "text", "text": { "content": "x" } }))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 401);
}
