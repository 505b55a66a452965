//! Authorizer tokens against the emulator: refreshed ahead of expiry exactly
//! once even with two instances racing, dead refresh tokens, revocations,
//! injected errors, a crash mid-refresh, and nothing readable at rest.

use std::time::Duration;

use platform::authorizers::AuthorizerTokenError;
use wechat_sim::faults::Fault;

use crate::helpers::{TestApp, spawn_app, spawn_second_instance};
use crate::onboarding::{authorization_link, confirm_on_wechat, invite, location};

/// Authorizes `count` of the emulator's seeded accounts for one company; returns their appids.
pub(crate) async fn authorize_accounts(app: &TestApp, count: usize) -> Vec<String> {
    let token = invite(app, "刷新测试公司").await;
    let appids: Vec<String> = app
        .sim
        .read_state(|s| s.accounts.keys().take(count).cloned().collect());
    assert_eq!(appids.len(), count, "enough seeded accounts");
    for appid in &appids {
        let (page, link) = authorization_link(app, &token).await;
        let callback = confirm_on_wechat(app, &link, &page, appid).await;
        assert!(location(app, &callback).await.contains("/result/"));
    }
    appids
}

/// Moves the emulator (and so sandbox Weiqiao) to `secs_before_expiry` before the tokens expire.
fn move_to_before_expiry(app: &TestApp, secs_before_expiry: u64) {
    app.sim
        .clock()
        .advance(Duration::from_secs(7200 - secs_before_expiry));
}

fn refresh_calls(app: &TestApp, appid: &str) -> usize {
    app.sim
        .calls()
        .list(Some("api_authorizer_token"))
        .iter()
        .filter(|c| c.body["authorizer_appid"] == appid && c.errcode == 0)
        .count()
}

fn token_is_valid(app: &TestApp, token: &str) -> bool {
    let config = app.sim.config().clone();
    let now = app.sim.clock().now();
    app.sim
        .read_state(|s| s.check_authorizer_token(token, now, &config).is_ok())
}

#[tokio::test]
async fn tokens_are_refreshed_ahead_of_expiry_exactly_once_with_two_instances_racing() {
    let app = spawn_app().await;
    let appids = authorize_accounts(&app, 3).await;
    let second = spawn_second_instance(&app).await;

    // Not due yet: nothing is called.
    assert_eq!(
        app.platform
            .authorizer_tokens()
            .refresh_due()
            .await
            .unwrap(),
        0
    );

    // Inside the 20-minute margin (plus at most 5 minutes of jitter) on both instances.
    move_to_before_expiry(&app, 10 * 60);
    second.platform.component().clock().advance(7200 - 10 * 60);
    let first_pass = app.platform.authorizer_tokens();
    let second_pass = second.platform.authorizer_tokens();
    let (a, b) = tokio::join!(first_pass.refresh_due(), second_pass.refresh_due());
    // The instances' own background schedulers may take some, and a pass
    // finds nothing to claim while a background pass holds the batch: wait
    // for that pass too. The emulator's call log is the arbiter: one refresh
    // per authorizer, in all.
    let (a, b) = (a.unwrap(), b.unwrap());
    assert!(
        a + b <= appids.len(),
        "no authorizer refreshed twice ({a} + {b})"
    );
    app.eventually("every authorizer refreshed and stored", || async {
        let now = app.platform.component().clock().now();
        for appid in &appids {
            let stored = app.platform.authorizer_tokens().access_token(appid).await;
            if !stored.is_ok_and(|token| token.expires_at > now + 7000) {
                return false;
            }
        }
        true
    })
    .await;
    // A second pass on each instance now finds nothing due.
    let (a, b) = tokio::join!(first_pass.refresh_due(), second_pass.refresh_due());
    assert_eq!((a.unwrap(), b.unwrap()), (0, 0), "nothing left due");
    for appid in &appids {
        assert_eq!(
            refresh_calls(&app, appid),
            1,
            "{appid} refreshed exactly once"
        );
        let token = app
            .platform
            .authorizer_tokens()
            .access_token(appid)
            .await
            .unwrap();
        assert!(token_is_valid(&app, token.access_token.expose()));
        assert!(token.expires_at > app.platform.component().clock().now() + 7000);
    }
}

#[tokio::test]
async fn a_pass_goes_on_batch_after_batch_until_nothing_due_is_left() {
    let app = spawn_app().await;
    let appids = authorize_accounts(&app, 5).await;
    move_to_before_expiry(&app, 60);
    // Batches of two: five due accounts take three batches in one pass.
    let small_batches =
        app.platform
            .clone()
            .with_scheduler(platform::authorizers::SchedulerConfig {
                batch: 2,
                ..platform::authorizers::SchedulerConfig::default()
            });
    small_batches
        .authorizer_tokens()
        .refresh_due()
        .await
        .unwrap();
    for appid in &appids {
        assert_eq!(refresh_calls(&app, appid), 1, "{appid} refreshed once");
    }
}

#[tokio::test]
async fn a_pass_refreshes_every_due_authorizer_never_more_at_once_than_its_concurrency() {
    let app = spawn_app().await;
    let appids = authorize_accounts(&app, 3).await;
    // Only this test's pass refreshes: the background scheduler stops (the
    // pass it may be in finds nothing due yet).
    app.platform.stop_refreshing();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let one_at_a_time =
        app.platform
            .clone()
            .with_scheduler(platform::authorizers::SchedulerConfig {
                concurrency: 1,
                ..platform::authorizers::SchedulerConfig::default()
            });
    let latency_ms = 150;
    app.sim.faults().set(
        "api_authorizer_token",
        Fault {
            latency_ms: Some(latency_ms),
            ..Fault::default()
        },
    );
    move_to_before_expiry(&app, 60);
    let started = std::time::Instant::now();
    let refreshed = one_at_a_time
        .authorizer_tokens()
        .refresh_due()
        .await
        .unwrap();
    let elapsed = started.elapsed();
    assert_eq!(refreshed, appids.len(), "every due authorizer in one pass");
    for appid in &appids {
        assert_eq!(refresh_calls(&app, appid), 1, "{appid} refreshed once");
    }
    // Concurrency 1: the three answers' latencies add up.
    assert!(
        elapsed >= Duration::from_millis(3 * latency_ms),
        "one refresh at a time: {elapsed:?}"
    );
}

#[tokio::test]
async fn without_a_component_token_a_pass_charges_no_authorizer_a_failure() {
    let app = spawn_app().await;
    let appids = authorize_accounts(&app, 2).await;
    app.sim.faults().set(
        "api_component_token",
        Fault {
            errcode: Some(-1),
            ..Fault::default()
        },
    );
    // Past the component token's expiry and the authorizers': all due, none possible.
    app.sim.clock().advance(Duration::from_secs(7300));
    assert_eq!(
        app.platform
            .authorizer_tokens()
            .refresh_due()
            .await
            .unwrap(),
        0
    );
    let store = store::Store::connect(&app.database_url).await.unwrap();
    for appid in &appids {
        let row = store.authorizers().by_appid(appid).await.unwrap().unwrap();
        assert_eq!(
            (row.failures, row.last_error, row.next_attempt_at),
            (0, None, None),
            "{appid} is not backing off for our missing token"
        );
    }
}

#[tokio::test]
async fn a_dead_refresh_token_marks_the_authorizer_for_reauthorization() {
    let app = spawn_app().await;
    let appid = authorize_accounts(&app, 1).await.remove(0);
    app.sim.faults().set(
        "api_authorizer_token",
        Fault {
            errcode: Some(61023),
            ..Fault::default()
        },
    );
    move_to_before_expiry(&app, 60);
    assert_eq!(
        app.platform
            .authorizer_tokens()
            .refresh_due()
            .await
            .unwrap(),
        0
    );

    // Recovery was tried through the authorizer list before giving up.
    assert!(
        !app.sim
            .calls()
            .list(Some("api_get_authorizer_list"))
            .is_empty()
    );
    let err = app
        .platform
        .authorizer_tokens()
        .access_token(&appid)
        .await
        .unwrap_err();
    assert!(
        matches!(err, AuthorizerTokenError::NeedsReauthorization),
        "{err:?}"
    );
    let company = app.platform.companies().list().await.unwrap()[0].id;
    let authorizer = app
        .platform
        .onboarding()
        .authorizers_of(company)
        .await
        .unwrap()
        .remove(0);
    assert_eq!(
        authorizer.status,
        platform::authorizers::AuthorizerStatus::NeedsReauthorization
    );

    // Refreshing stops: the next pass calls nothing more.
    let calls = app.sim.calls().list(Some("api_authorizer_token")).len();
    app.platform
        .authorizer_tokens()
        .refresh_due()
        .await
        .unwrap();
    assert_eq!(
        app.sim.calls().list(Some("api_authorizer_token")).len(),
        calls
    );
}

#[tokio::test]
async fn an_unauthorized_push_revokes_the_authorizer_and_refreshing_stops() {
    let app = spawn_app().await;
    let appid = authorize_accounts(&app, 1).await.remove(0);
    app.sim_control(
        &format!("/__sim/authorizations/{appid}/revoke"),
        serde_json::json!({}),
    )
    .await;
    app.eventually("the authorizer to be revoked", || async {
        matches!(
            app.platform.authorizer_tokens().access_token(&appid).await,
            Err(AuthorizerTokenError::Revoked)
        )
    })
    .await;

    move_to_before_expiry(&app, 60);
    app.platform
        .authorizer_tokens()
        .refresh_due()
        .await
        .unwrap();
    assert_eq!(refresh_calls(&app, &appid), 0);
    // History is kept: the row is still there, marked revoked.
    let company = app.platform.companies().list().await.unwrap()[0].id;
    assert_eq!(
        app.platform
            .onboarding()
            .authorizers_of(company)
            .await
            .unwrap()[0]
            .status,
        platform::authorizers::AuthorizerStatus::Revoked
    );
}

#[tokio::test]
async fn thirty_percent_injected_errors_still_end_with_every_token_valid() {
    let app = spawn_app().await;
    let appids = authorize_accounts(&app, 4).await;
    app.sim.faults().set(
        "api_authorizer_token",
        Fault {
            errcode: Some(-1),
            probability: Some(0.3),
            ..Fault::default()
        },
    );
    move_to_before_expiry(&app, 19 * 60 + 30);
    for _ in 0..30 {
        app.platform
            .authorizer_tokens()
            .refresh_due()
            .await
            .unwrap();
        if appids.iter().all(|a| refresh_calls(&app, a) == 1) {
            break;
        }
        // Past the longest backoff reached so far; still before expiry.
        app.sim.clock().advance(Duration::from_secs(30));
    }
    for appid in &appids {
        assert_eq!(
            refresh_calls(&app, appid),
            1,
            "{appid}: one successful refresh"
        );
        let token = app
            .platform
            .authorizer_tokens()
            .access_token(appid)
            .await
            .unwrap();
        assert!(token_is_valid(&app, token.access_token.expose()), "{appid}");
    }
}

#[tokio::test]
async fn a_crash_mid_refresh_loses_no_refresh_token() {
    let app = spawn_app().await;
    let appid = authorize_accounts(&app, 1).await.remove(0);
    let victim = spawn_second_instance(&app).await;
    app.sim.faults().set(
        "api_authorizer_token",
        Fault {
            hang: true,
            times: Some(1),
            ..Fault::default()
        },
    );

    // The second instance starts a refresh that hangs inside WeChat, then dies.
    let platform = victim.platform.clone();
    let target = appid.clone();
    let stuck =
        tokio::spawn(async move { platform.authorizer_tokens().refresh_one(&target).await });
    app.eventually("the refresh to be in flight", || async {
        // A fault with `times: 1` is removed when it fires.
        !app.sim.faults().list().contains_key("api_authorizer_token")
    })
    .await;
    stuck.abort();
    victim.kill();

    // The lease it held expires; the survivor refreshes with the stored refresh token.
    app.sim.clock().advance(Duration::from_secs(61));
    let refreshed = app
        .platform
        .authorizer_tokens()
        .refresh_one(&appid)
        .await
        .unwrap();
    assert_eq!(refreshed, platform::authorizers::Refreshed::Done);
    let token = app
        .platform
        .authorizer_tokens()
        .access_token(&appid)
        .await
        .unwrap();
    assert!(token_is_valid(&app, token.access_token.expose()));
    // And the stored refresh token still works for the next refresh.
    assert_eq!(
        app.platform
            .authorizer_tokens()
            .refresh_one(&appid)
            .await
            .unwrap(),
        platform::authorizers::Refreshed::Done
    );
}

#[tokio::test]
async fn the_database_file_holds_no_authorizer_token_in_clear() {
    let app = spawn_app().await;
    let appid = authorize_accounts(&app, 1).await.remove(0);
    let access = app
        .platform
        .authorizer_tokens()
        .access_token(&appid)
        .await
        .unwrap();
    let refresh = app
        .sim
        .read_state(|s| s.authorizations[&appid].refresh_token.clone());
    app.assert_not_stored_in_clear(&[access.access_token.expose(), refresh.as_str()])
        .await;
}

#[tokio::test]
async fn reconcile_recovers_lost_refresh_tokens_reports_unknown_and_marks_delisted() {
    let app = spawn_app().await;
    let appids = authorize_accounts(&app, 2).await;
    let (lost, delisted) = (&appids[0], &appids[1]);

    // Our copy of one refresh token is lost.
    let pool = app.raw_database().await.unwrap();
    sqlx::query("UPDATE authorizers SET refresh_token_sealed = NULL WHERE authorizer_appid = $1")
        .bind(lost)
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
    // WeChat dropped the other without us hearing of it (no push).
    app.sim
        .with_state(|s, now| s.revoke(delisted, now))
        .unwrap();
    // And an account authorized the platform without ever coming through an invite.
    let stranger: String = app
        .sim
        .read_state(|s| s.accounts.keys().nth(3).cloned())
        .unwrap();
    let component_token = app.platform.component().component_token().await.unwrap();
    let pre_auth = app
        .platform
        .component()
        .client()
        .api_create_preauthcode(&component_token)
        .await
        .unwrap();
    app.sim_control(
        "/__sim/authorize",
        serde_json::json!({ "pre_auth_code": pre_auth.pre_auth_code.expose(), "authorizer_appid": stranger }),
    )
    .await;

    let report = app.platform.authorizer_tokens().reconcile().await.unwrap();
    assert_eq!(report.recovered, vec![lost.clone()]);
    assert_eq!(report.revoked, vec![delisted.clone()]);
    assert_eq!(report.unknown, vec![stranger]);

    // The recovered refresh token works.
    let refreshed = app
        .platform
        .authorizer_tokens()
        .refresh_one(lost)
        .await
        .unwrap();
    assert_eq!(refreshed, platform::authorizers::Refreshed::Done);
    assert!(matches!(
        app.platform
            .authorizer_tokens()
            .access_token(delisted)
            .await,
        Err(AuthorizerTokenError::Revoked)
    ));
}

#[tokio::test]
async fn the_reconcile_subcommand_repairs_a_lost_refresh_token() {
    let app = spawn_app().await;
    let appid = authorize_accounts(&app, 1).await.remove(0);
    let pool = app.raw_database().await.unwrap();
    sqlx::query("UPDATE authorizers SET refresh_token_sealed = NULL")
        .execute(&pool)
        .await
        .unwrap();

    let exit = server::cli::reconcile_with(crate::helpers::second_instance_config(&app)).await;
    assert_eq!(exit, std::process::ExitCode::SUCCESS);
    let (restored,): (Option<Vec<u8>>,) =
        sqlx::query_as("SELECT refresh_token_sealed FROM authorizers WHERE authorizer_appid = $1")
            .bind(&appid)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert!(
        restored.is_some(),
        "the refresh token came back from api_get_authorizer_list"
    );
    pool.close().await;
}
