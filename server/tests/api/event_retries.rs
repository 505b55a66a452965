//! Processing authorization pushes under failure, in production mode: a
//! transient failure is retried durably with backoff, the 8th makes the event
//! `failed`, a permanent one fails at once, a push for a new account whose
//! callback never came finds its invite through `PreAuthCode`, and a shutdown
//! lets the event being processed finish.

use std::time::Duration;

use platform::events::retry::{FIRST_RETRY_DELAY_SECS, MAX_ATTEMPTS, retry_delay};
use store::{PushEventRow, PushEventState};
use wechat_sim::faults::Fault;

use crate::authorizer_tokens::authorize_accounts;
use crate::helpers::TestApp;
use crate::onboarding::{authorization_link, invite};
use crate::pre_auth_codes::pre_auth_code_of;
use crate::production::spawn_production_app_configured;

async fn app() -> TestApp {
    spawn_production_app_configured(&[("WEIQIAO_EVENT_GRACE_SECS", "0")], |_| {}).await
}

async fn events(app: &TestApp) -> Vec<PushEventRow> {
    let store = store::Store::connect(&app.database_url).await.unwrap();
    let events = store.push_events().recent(100).await.unwrap();
    store.close().await;
    events
}

/// The newest push of `info_type`, once its first attempt has ended.
async fn attempted(app: &TestApp, info_type: &str) -> PushEventRow {
    app.eventually("the push's first attempt", || async {
        events(app).await.iter().any(|e| {
            e.info_type == info_type && (e.state != PushEventState::Pending || e.error.is_some())
        })
    })
    .await;
    events(app)
        .await
        .into_iter()
        .find(|e| e.info_type == info_type)
        .unwrap()
}

/// The merchant adds 用户管理 (2) in WeChat: WeChat pushes `updateauthorized`.
async fn change_permissions(app: &TestApp, appid: &str) {
    app.sim_control(
        &format!("/__sim/authorizations/{appid}/permissions"),
        serde_json::json!({ "func_ids": [1, 2, 15] }),
    )
    .await;
}

fn query_auth_fails(app: &TestApp, errcode: i64) {
    app.sim.faults().set(
        "api_query_auth",
        Fault {
            errcode: Some(errcode),
            ..Fault::default()
        },
    );
}

async fn permissions(app: &TestApp, appid: &str) -> Vec<i64> {
    let company = app.platform.companies().list().await.unwrap()[0].id;
    app.platform
        .onboarding()
        .authorizers_of(company)
        .await
        .unwrap()
        .into_iter()
        .find(|a| a.authorizer_appid == appid)
        .unwrap()
        .permissions
}

#[tokio::test]
async fn a_transiently_failed_push_is_retried_after_its_backoff_and_then_applied() {
    let app = app().await;
    let appid = authorize_accounts(&app, 1).await.remove(0);
    query_auth_fails(&app, -1);
    change_permissions(&app, &appid).await;
    let event = attempted(&app, "updateauthorized").await;
    assert_eq!((event.state, event.attempts), (PushEventState::Pending, 1));
    let now = app.platform.component().clock().now();
    assert!(
        (now..=now + FIRST_RETRY_DELAY_SECS).contains(&event.next_attempt_at),
        "retried after {FIRST_RETRY_DELAY_SECS} s: {event:?}"
    );
    assert!(!permissions(&app, &appid).await.contains(&2));

    // WeChat recovers; nothing happens before the backoff ends.
    app.sim.faults().clear("api_query_auth");
    app.platform.process_due_events().await;
    assert_eq!(events(&app).await[0].attempts, 1, "not before its time");
    app.platform
        .component()
        .clock()
        .advance(FIRST_RETRY_DELAY_SECS);
    app.platform.process_due_events().await;
    let event = events(&app).await.remove(0);
    assert_eq!(
        (event.state, event.attempts, event.error),
        (PushEventState::Applied, 2, None)
    );
    assert!(permissions(&app, &appid).await.contains(&2));
}

#[tokio::test]
async fn a_push_that_keeps_failing_is_marked_failed_after_the_last_attempt() {
    let app = app().await;
    let appid = authorize_accounts(&app, 1).await.remove(0);
    query_auth_fails(&app, -1);
    let calls_before = app.sim.calls().list(Some("api_query_auth")).len();
    change_permissions(&app, &appid).await;
    attempted(&app, "updateauthorized").await;
    for attempt in 1..MAX_ATTEMPTS {
        app.platform
            .component()
            .clock()
            .advance(retry_delay(attempt));
        app.platform.process_due_events().await;
    }
    let event = events(&app).await.remove(0);
    assert_eq!(
        (event.state, event.attempts),
        (PushEventState::Failed, MAX_ATTEMPTS)
    );
    assert!(
        event
            .error
            .as_deref()
            .is_some_and(|e| e.starts_with("gave up after 8 attempts")),
        "{event:?}"
    );
    let calls = app.sim.calls().list(Some("api_query_auth")).len() - calls_before;
    assert_eq!(calls, 8, "one exchange per attempt");
    // Failed is final: no further attempt, however long one waits.
    app.platform.component().clock().advance(86_400);
    app.platform.process_due_events().await;
    assert_eq!(events(&app).await[0].attempts, MAX_ATTEMPTS);
}

#[tokio::test]
async fn a_permanent_failure_fails_the_push_at_once() {
    let app = app().await;
    let appid = authorize_accounts(&app, 1).await.remove(0);
    // 61009: the code is invalid; asking again cannot help.
    query_auth_fails(&app, 61009);
    change_permissions(&app, &appid).await;
    let event = attempted(&app, "updateauthorized").await;
    assert_eq!((event.state, event.attempts), (PushEventState::Failed, 1));
}

#[tokio::test]
async fn an_authorized_push_without_a_callback_is_tied_to_the_invite_of_its_link() {
    let app = app().await;
    let token = invite(&app, "只有推送公司").await;
    let company = app.platform.companies().list().await.unwrap()[0].id;
    let (_, link) = authorization_link(&app, &token).await;
    let appid = app
        .sim
        .read_state(|s| s.accounts.keys().next().cloned().unwrap());
    // The merchant confirms, but the redirect never reaches us: only the push does.
    app.sim_control(
        "/__sim/authorize",
        serde_json::json!({ "pre_auth_code": pre_auth_code_of(&link), "authorizer_appid": appid }),
    )
    .await;
    let event = attempted(&app, "authorized").await;
    assert_eq!(event.state, PushEventState::Applied, "{event:?}");
    let stored = app
        .platform
        .onboarding()
        .authorizers_of(company)
        .await
        .unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].authorizer_appid, appid);
    assert!(
        app.platform
            .authorizer_tokens()
            .access_token(&appid)
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn an_authorized_push_through_a_link_we_did_not_make_fails_visibly_and_stores_nothing() {
    let app = app().await;
    invite(&app, "无关公司").await;
    let appid = app
        .sim
        .read_state(|s| s.accounts.keys().next().cloned().unwrap());
    // A pre_auth_code made outside this platform (another copy of it, say).
    let foreign = foreign_pre_auth_code(&app).await;
    app.sim_control(
        "/__sim/authorize",
        serde_json::json!({ "pre_auth_code": foreign, "authorizer_appid": appid }),
    )
    .await;
    let event = attempted(&app, "authorized").await;
    assert_eq!((event.state, event.attempts), (PushEventState::Failed, 1));
    assert!(
        event
            .error
            .as_deref()
            .is_some_and(|e| e.contains("no company is known")),
        "{event:?}"
    );
    assert!(
        app.platform
            .authorizer_tokens()
            .access_token(&appid)
            .await
            .is_err()
    );
}

/// A pre_auth_code asked of WeChat directly, not through an invite.
pub(crate) async fn foreign_pre_auth_code(app: &TestApp) -> String {
    let token = app.platform.component().component_token().await.unwrap();
    let answer: serde_json::Value = reqwest::Client::new()
        .post(format!(
            "{}/cgi-bin/component/api_create_preauthcode?component_access_token={}",
            app.sim_url,
            token.expose()
        ))
        .json(&serde_json::json!({ "component_appid": app.component_appid }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    answer["pre_auth_code"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn a_shutdown_waits_for_the_push_being_processed() {
    let app = app().await;
    let appid = authorize_accounts(&app, 1).await.remove(0);
    // The exchange takes a while.
    app.sim.faults().set(
        "api_query_auth",
        Fault {
            latency_ms: Some(1500),
            ..Fault::default()
        },
    );
    change_permissions(&app, &appid).await;
    app.eventually("the push to be claimed", || async {
        events(&app).await.first().is_some_and(|e| e.attempts == 1)
    })
    .await;
    assert_eq!(events(&app).await[0].state, PushEventState::Pending);
    app.platform
        .finish_event_work(Duration::from_secs(10))
        .await;
    assert_eq!(
        events(&app).await[0].state,
        PushEventState::Applied,
        "finished before the shutdown went on"
    );
}
