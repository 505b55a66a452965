//! The component token: fetched as soon as a ticket arrives, kept sealed.
//! (`spawn_app` returns once the start-up ticket has produced a fresh token.)

use platform::component::RefreshOutcome;

use crate::helpers::spawn_app;

#[tokio::test]
async fn the_emulators_ticket_push_leads_to_a_component_token_fetched_once() {
    let app = spawn_app().await;
    let token = app.platform.component().component_token().await.unwrap();
    assert!(!token.expose().is_empty());
    assert_eq!(app.sim.calls().list(Some("api_component_token")).len(), 1);

    // Not due again: a second pass calls nothing.
    let again = app
        .platform
        .component()
        .refresh_component_token_if_due()
        .await
        .unwrap();
    assert_eq!(again, RefreshOutcome::NotDue);
    assert_eq!(app.sim.calls().list(Some("api_component_token")).len(), 1);
}

#[tokio::test]
async fn the_token_is_refreshed_ahead_of_expiry_not_after() {
    let app = spawn_app().await;
    let component = app.platform.component();
    let first = component.component_token().await.unwrap();
    let expires_at = component
        .component_token_status()
        .await
        .unwrap()
        .expires_at
        .unwrap();

    // 25 minutes before expiry: outside the 20-minute refresh margin. In sandbox
    // mode Weiqiao's clock follows the emulator's, so one advance moves both.
    let now = component.clock().now();
    app.sim.clock().advance(std::time::Duration::from_secs(
        (expires_at - now - 25 * 60) as u64,
    ));
    assert!(matches!(
        component.refresh_component_token_if_due().await.unwrap(),
        RefreshOutcome::NotDue
    ));
    // 19 minutes before expiry: inside the margin.
    app.sim
        .clock()
        .advance(std::time::Duration::from_secs(6 * 60));
    // The background loop may get there first (the emulator pushes a ticket as
    // its clock moves); either way exactly one refresh happens.
    let outcome = component.refresh_component_token_if_due().await.unwrap();
    assert!(
        matches!(
            outcome,
            RefreshOutcome::Refreshed { .. } | RefreshOutcome::NotDue
        ),
        "{outcome:?}"
    );
    let second = component.component_token().await.unwrap();
    assert_ne!(first.expose(), second.expose());
    assert_eq!(app.sim.calls().list(Some("api_component_token")).len(), 2);
}

#[tokio::test]
async fn the_database_file_contains_no_plaintext_ticket_or_token() {
    let app = spawn_app().await;
    let token = app.platform.component().component_token().await.unwrap();
    let ticket = app
        .sim
        .read_state(|state| state.tickets.last().map(|t| t.value.clone()))
        .unwrap();
    app.assert_not_stored_in_clear(&[token.expose(), ticket.as_str()])
        .await;
}

#[tokio::test]
async fn a_cold_start_with_a_stored_ticket_needs_no_push() {
    let app = spawn_app().await;
    let calls = |endpoint: &str| app.sim.calls().list(Some(endpoint)).len();
    let pushes_asked = calls("api_start_push_ticket");

    // Another process starts on the same database: the stored token serves it.
    let second = crate::helpers::spawn_second_instance(&app).await;
    assert_eq!(
        second
            .platform
            .component()
            .refresh_component_token_if_due()
            .await
            .unwrap(),
        RefreshOutcome::NotDue
    );
    // Even with the token lost, the stored ticket is enough: no push is requested.
    let pool = app.raw_database().await.unwrap();
    sqlx::query("UPDATE component_tokens SET token_sealed = NULL, expires_at = NULL")
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
    let outcome = second
        .platform
        .component()
        .refresh_component_token_if_due()
        .await
        .unwrap();
    // (Either instance's background refresher may get there first: one refresh
    // in all, from the stored ticket, is what counts.)
    assert!(
        matches!(
            outcome,
            RefreshOutcome::Refreshed { .. } | RefreshOutcome::NotDue
        ),
        "{outcome:?}"
    );
    let status = second
        .platform
        .component()
        .component_token_status()
        .await
        .unwrap();
    assert_eq!(
        status.state,
        platform::component::ComponentTokenState::Fresh
    );
    assert_eq!(calls("api_start_push_ticket"), pushes_asked);
    assert_eq!(calls("api_component_token"), 2);
}

/// Moves the component token (and the emulator) to 10 minutes before its
/// expiry, inside the refresh margin.
fn make_due(app: &crate::helpers::TestApp) {
    app.sim
        .clock()
        .advance(std::time::Duration::from_secs(7200 - 600));
}

#[tokio::test]
async fn after_failures_the_component_refresher_backs_off_doubling() {
    let app = spawn_app().await;
    let component = app.platform.component();
    let calls = || app.sim.calls().list(Some("api_component_token")).len();
    make_due(&app);
    app.sim.faults().set(
        "api_component_token",
        wechat_sim::faults::Fault {
            errcode: Some(-1),
            times: Some(2),
            ..Default::default()
        },
    );
    let before = calls();
    let now = || component.clock().now();
    // The wait counts from the failure; the clock moves with real time too,
    // so the failure's second is known only between two readings.
    let failed_at = || async {
        let start = now();
        let outcome = component.refresh_component_token_if_due().await.unwrap();
        assert!(
            matches!(outcome, RefreshOutcome::Failed { .. }),
            "{outcome:?}"
        );
        start..=now()
    };
    let backing_off_until = || async {
        match component.refresh_component_token_if_due().await.unwrap() {
            RefreshOutcome::BackingOff { until } => until,
            other => panic!("expected a backoff, got {other:?}"),
        }
    };
    let first = failed_at().await;
    let until = backing_off_until().await;
    assert!(
        (first.start() + 30..=first.end() + 30).contains(&until),
        "{until}"
    );
    assert_eq!(calls(), before + 1, "no call while backing off");

    app.sim.clock().advance(std::time::Duration::from_secs(30));
    let second = failed_at().await;
    let until = backing_off_until().await;
    assert!(
        (second.start() + 60..=second.end() + 60).contains(&until),
        "the wait doubles: {until}"
    );
    app.sim.clock().advance(std::time::Duration::from_secs(60));
    assert!(matches!(
        component.refresh_component_token_if_due().await.unwrap(),
        RefreshOutcome::Refreshed { .. }
    ));
    // A success resets the backoff: the next due refresh is not delayed.
    make_due(&app);
    assert!(matches!(
        component.refresh_component_token_if_due().await.unwrap(),
        RefreshOutcome::Refreshed { .. }
    ));
}

#[tokio::test]
async fn a_quota_error_stops_the_component_refresher_until_midnight_in_china() {
    let app = spawn_app().await;
    let component = app.platform.component();
    make_due(&app);
    app.sim.faults().set(
        "api_component_token",
        wechat_sim::faults::Fault {
            errcode: Some(45009),
            ..Default::default()
        },
    );
    assert!(matches!(
        component.refresh_component_token_if_due().await.unwrap(),
        RefreshOutcome::Failed {
            class: wechat::error::ErrorClass::Quota
        }
    ));
    let now = component.clock().now();
    let RefreshOutcome::BackingOff { until } =
        component.refresh_component_token_if_due().await.unwrap()
    else {
        panic!("backing off");
    };
    assert!(until > now && until - now <= 24 * 3600);
    assert_eq!((until + 8 * 3600) % (24 * 3600), 0, "midnight, China time");
    let status = component.component_token_status().await.unwrap();
    assert!(
        status.last_error.unwrap().contains("45009"),
        "the operator sees why"
    );
}

#[tokio::test]
async fn ticket_errors_ask_wechat_for_a_ticket_at_most_every_ten_minutes() {
    let app = spawn_app().await;
    let component = app.platform.component();
    let asked = || app.sim.calls().list(Some("api_start_push_ticket")).len();
    make_due(&app);
    app.sim.faults().set(
        "api_component_token",
        wechat_sim::faults::Fault {
            errcode: Some(61006),
            ..Default::default()
        },
    );
    let before = asked();
    // Attempts forced past the backoff (as a consumer's invalidation does),
    // spread over 9 minutes: one request to push a ticket.
    let current = component.component_token().await.unwrap();
    for _ in 0..6 {
        let _ = component.invalidate_component_token(current.expose()).await;
        app.sim.clock().advance(std::time::Duration::from_secs(90));
    }
    assert_eq!(asked(), before + 1, "one request within ten minutes");
    app.sim.clock().advance(std::time::Duration::from_secs(60));
    let _ = component.invalidate_component_token(current.expose()).await;
    assert_eq!(asked(), before + 2);
}

#[tokio::test]
async fn a_component_token_wechat_refuses_early_is_refreshed_once_and_the_calls_retried() {
    let app = spawn_app().await;
    let calls = |endpoint: &str| app.sim.calls().list(Some(endpoint)).len();
    let token = crate::onboarding::invite(&app, "令牌公司").await;
    // A staging copy with the same credentials refreshed the component token at
    // WeChat, and the old one's grace ran out: WeChat refuses the stored token.
    // (Not a fault injected per call: a call made after our refresh succeeds,
    // however the five calls below interleave.)
    app.sim.with_state(|state, now| {
        let config = app.sim.config();
        let ticket = state.latest_ticket().unwrap().value.clone();
        state
            .component_token(
                &config.component_appid,
                &config.component_appsecret,
                &ticket,
                now,
                config,
            )
            .unwrap();
    });
    app.sim.clock().advance(
        app.sim.config().behaviour.component_token_grace + std::time::Duration::from_secs(1),
    );
    let refreshes = calls("api_component_token");
    // Five merchants click at once.
    let link = || async {
        app.platform
            .onboarding()
            .authorization_link(&token, platform::onboarding::Device::Pc)
            .await
    };
    let links = futures::future::join_all((0..5).map(|_| link())).await;
    assert!(links.iter().all(Result::is_ok), "{links:?}");
    assert_eq!(
        calls("api_component_token"),
        refreshes + 1,
        "one refresh for all five"
    );
    // Each call WeChat refused was retried once; a call that started after
    // the refresh (the five interleave under load) went through at once.
    let made = calls("api_create_preauthcode");
    assert!(
        (6..=10).contains(&made),
        "{made} calls: at least one refused and retried, none retried twice"
    );

    // The same for a refresh of an authorizer token made with the component token.
    let appid = crate::authorizer_tokens::authorize_accounts(&app, 1)
        .await
        .remove(0);
    app.sim.faults().set(
        "api_authorizer_token",
        wechat_sim::faults::Fault {
            errcode: Some(42001),
            times: Some(1),
            ..Default::default()
        },
    );
    let refreshed = app
        .platform
        .authorizer_tokens()
        .refresh_one(&appid)
        .await
        .unwrap();
    assert_eq!(refreshed, platform::authorizers::Refreshed::Done);
    assert_eq!(calls("api_component_token"), refreshes + 2);
}
