//! The webhooks pages over HTTP, as a browser without JavaScript uses them:
//! register an endpoint with a form (bad input refused in words), see its
//! signing secret, watch a message's delivery in the log, disable the
//! endpoint, replay a failed delivery; and none of it without a session.

use std::time::Duration;

use crate::api_keys_page::post_form;
use crate::message_gateway::{Sink, message_push, post, text_xml};

/// The text of the element marked `marker` (its first text node).
fn marked(html: &str, marker: &str) -> Option<String> {
    let element = html.find(marker)?;
    let at = element + html[element..].find('>')? + 1;
    Some(html[at..at + html[at..].find('<')?].to_owned())
}

#[tokio::test]
async fn an_admin_registers_an_endpoint_and_follows_a_message_into_the_delivery_log() {
    let app = crate::helpers::spawn_app().await;
    let (_, appid) = crate::token_service::authorized_account(&app, "推送公司").await;
    let sink = Sink::start().await;
    // A wrong budget is refused in words, nothing registered.
    let refused = app
        .client
        .post(app.url("/api/admin/webhooks/create"))
        .form(&[
            ("url", sink.url.as_str()),
            ("budget_ms", "9000"),
            ("synchronous", "on"),
        ])
        .send()
        .await
        .unwrap();
    assert!(refused.status().is_server_error() || refused.status().is_client_error());
    assert!(refused.text().await.unwrap().contains("4000"));
    let location = post_form(
        &app,
        &app.client,
        "/api/admin/webhooks/create",
        &[
            ("url", sink.url.as_str()),
            ("msg_types", "text, event"),
            ("company", ""),
        ],
    )
    .await;
    let id: i64 = location
        .strip_prefix("/webhooks?secret=")
        .and_then(|id| id.parse().ok())
        .unwrap_or_else(|| panic!("{location}"));
    let page = app.html(&location).await;
    let secret = marked(&page, "data-webhook-secret").expect("the secret is shown");
    assert!(secret.starts_with("whsec_"));
    let list = app.html("/webhooks").await;
    assert!(
        list.contains(&sink.url) && list.contains("text, event"),
        "{list}"
    );

    let (url, body) = message_push(&app, &appid, &text_xml("日志里见", 11));
    assert_eq!(post(&url, &body).await.0, 200);
    for _ in 0..300 {
        if app
            .html(&format!("/webhooks/{id}"))
            .await
            .contains("已送达")
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let log = app.html(&format!("/webhooks/{id}")).await;
    assert!(log.contains("已送达") && log.contains(&appid), "{log}");
    let header = sink.received.lock().unwrap()[0].0["Weiqiao-Signature"]
        .to_str()
        .unwrap()
        .to_owned();
    let raw = sink.received.lock().unwrap()[0].1.clone();
    let now = app.platform.component().clock().now();
    assert!(platform::messages::signing::verify(
        &secret, &header, &raw, now, 300
    ));

    // Disabled: new messages are not delivered.
    post_form(
        &app,
        &app.client,
        "/api/admin/webhooks/state",
        &[("id", &id.to_string()), ("active", "0")],
    )
    .await;
    assert!(app.html("/webhooks").await.contains("已停用"));
    let (url, body) = message_push(&app, &appid, &text_xml("停用后", 12));
    assert_eq!(post(&url, &body).await.0, 200);
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(sink.received.lock().unwrap().len(), 1);
    // The audit log names who did it.
    let audit = app.html("/audit").await;
    assert!(
        audit.contains("创建 Webhook 地址")
            && audit.contains("停用 Webhook 地址")
            && audit.contains("查看 Webhook 签名密钥")
    );
}

#[tokio::test]
async fn a_dead_delivery_is_replayed_from_the_log() {
    let app = crate::helpers::spawn_app().await;
    let (_, appid) = crate::token_service::authorized_account(&app, "重投公司").await;
    let sink = Sink::start().await;
    sink.set(503, "", 0);
    let location = post_form(
        &app,
        &app.client,
        "/api/admin/webhooks/create",
        &[("url", sink.url.as_str())],
    )
    .await;
    let id = location.trim_start_matches("/webhooks?secret=").to_owned();
    let (url, body) = message_push(&app, &appid, &text_xml("重投", 13));
    assert_eq!(post(&url, &body).await.0, 200);
    app.sim.clock().advance(Duration::from_secs(25 * 3600));
    // A day later the admin's session has ended too.
    let signed_in = app
        .sign_in(
            &app.client,
            crate::helpers::ADMIN_LOGIN,
            crate::helpers::ADMIN_PASSWORD,
        )
        .await;
    assert_eq!(signed_in.status(), 303);
    let mut dead = None;
    for _ in 0..300 {
        let log = app.html(&format!("/webhooks/{id}?dead=1")).await;
        if let Some(at) = log.find("data-delivery-id=\"") {
            let rest = &log[at + 18..];
            dead = rest[..rest.find('"').unwrap()].parse::<i64>().ok();
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let dead = dead.expect("a failed delivery in the log");
    sink.set(200, "", 0);
    let before = sink.received.lock().unwrap().len();
    let location = post_form(
        &app,
        &app.client,
        "/api/admin/webhooks/replay",
        &[("endpoint", &id), ("id", &dead.to_string())],
    )
    .await;
    assert!(location.contains(&format!("replayed={dead}")));
    for _ in 0..300 {
        if sink.received.lock().unwrap().len() > before {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("the replayed delivery did not arrive");
}

#[tokio::test]
async fn without_a_session_the_webhook_pages_and_functions_are_closed() {
    let app = crate::helpers::spawn_app().await;
    let anonymous = app.anonymous_client();
    for path in ["/webhooks", "/webhooks/1", "/release-check"] {
        let response = anonymous.get(app.url(path)).send().await.unwrap();
        assert_eq!(response.status(), 303, "{path}");
    }
    let response = anonymous
        .post(app.url("/api/admin/webhooks/create"))
        .form(&[("url", "https://attacker.example/hook")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
    assert!(
        app.platform
            .messages()
            .endpoints()
            .list()
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn the_webhook_subcommand_registers_lists_disables_and_deletes() {
    let app = crate::helpers::spawn_app().await;
    let config = || crate::helpers::second_instance_config(&app);
    use server::cli::{WebhookCommand, webhook_with};
    let create = WebhookCommand::Create {
        url: "https://backend.example.com/wechat".into(),
        company: None,
        msg_types: vec!["text".into()],
        events: vec![],
        appids: vec![],
        synchronous: false,
        budget_ms: None,
    };
    assert_eq!(
        webhook_with(config(), create).await,
        std::process::ExitCode::SUCCESS
    );
    let endpoints = app.platform.messages().endpoints().list().await.unwrap();
    assert_eq!(endpoints.len(), 1);
    let id = endpoints[0].id;
    assert_eq!(endpoints[0].msg_types, ["text"]);
    assert!(endpoints[0].secret.starts_with("whsec_"));
    assert_eq!(
        webhook_with(config(), WebhookCommand::List).await,
        std::process::ExitCode::SUCCESS
    );
    assert_eq!(
        webhook_with(config(), WebhookCommand::Disable { id }).await,
        std::process::ExitCode::SUCCESS
    );
    let listed = app.platform.messages().endpoints().list().await.unwrap();
    assert_eq!(listed[0].state, platform::messages::EndpointState::Disabled);
    // A bad URL and an unknown delivery are refused with a failure exit.
    let bad = WebhookCommand::Create {
        url: "ftp://x".into(),
        company: None,
        msg_types: vec![],
        events: vec![],
        appids: vec![],
        synchronous: false,
        budget_ms: None,
    };
    assert_eq!(
        webhook_with(config(), bad).await,
        std::process::ExitCode::FAILURE
    );
    assert_eq!(
        webhook_with(config(), WebhookCommand::Replay { delivery: 999 }).await,
        std::process::ExitCode::FAILURE
    );
    assert_eq!(
        webhook_with(config(), WebhookCommand::Delete { id }).await,
        std::process::ExitCode::SUCCESS
    );
    assert!(
        app.platform
            .messages()
            .endpoints()
            .list()
            .await
            .unwrap()
            .is_empty()
    );
}
