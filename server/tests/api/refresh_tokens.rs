//! No refresh token is lost, in production mode against the emulator's
//! unusual answers: refresh tokens rotating on every refresh, and an empty
//! refresh token in an answer.

use std::time::Duration;

use platform::authorizers::Refreshed;
use wechat_sim::RefreshTokenRotation;

use crate::authorizer_tokens::authorize_accounts;
use crate::production::spawn_production_app_configured;

/// Refreshes `appid` now, `times` times, each after the emulator forgot the
/// previous refresh token (its grace ran out), so only the newest one works.
async fn refresh_repeatedly(app: &crate::helpers::TestApp, appid: &str, times: usize) {
    for round in 0..times {
        app.sim.clock().advance(Duration::from_secs(600));
        app.platform.component().clock().advance(600);
        let refreshed = app.platform.authorizer_tokens().refresh_one(appid).await;
        assert!(
            matches!(refreshed, Ok(Refreshed::Done)),
            "round {round}: {refreshed:?}"
        );
    }
}

#[tokio::test]
async fn with_refresh_tokens_rotating_on_every_refresh_the_newest_is_always_stored() {
    let app = spawn_production_app_configured(&[], |sim| {
        sim.behaviour.refresh_token_rotation = RefreshTokenRotation::EveryRefresh;
    })
    .await;
    let appid = authorize_accounts(&app, 1).await.remove(0);
    // Had any refresh kept an older token, the next would fail with 61023.
    refresh_repeatedly(&app, &appid, 4).await;
    let rotated = app
        .sim
        .read_state(|s| s.authorizations[&appid].refresh_token.clone());
    let first_call = &app.sim.calls().list(Some("api_authorizer_token"))[0];
    assert_ne!(
        first_call.body["authorizer_refresh_token"],
        rotated.as_str(),
        "it did rotate"
    );
}

#[tokio::test]
async fn an_empty_refresh_token_in_an_answer_is_never_stored() {
    let app = spawn_production_app_configured(&[], |sim| {
        sim.behaviour.empty_refresh_token_in_answer = true;
    })
    .await;
    let appid = authorize_accounts(&app, 1).await.remove(0);
    // The stored refresh token stays the one from the authorization, so every
    // refresh keeps working; storing "" would make the next one fail (61023).
    refresh_repeatedly(&app, &appid, 3).await;
    let sent: Vec<String> = app
        .sim
        .calls()
        .list(Some("api_authorizer_token"))
        .iter()
        .map(|c| {
            c.body["authorizer_refresh_token"]
                .as_str()
                .unwrap_or_default()
                .to_owned()
        })
        .collect();
    assert_eq!(sent.len(), 3);
    assert!(
        sent.iter().all(|t| !t.is_empty() && *t == sent[0]),
        "{sent:?}"
    );
}

#[tokio::test]
async fn a_refresh_that_outlives_its_lease_writes_nothing_over_the_refresh_that_followed() {
    let app = spawn_production_app_configured(&[], |sim| {
        sim.behaviour.refresh_token_rotation = RefreshTokenRotation::EveryRefresh;
    })
    .await;
    let appid = authorize_accounts(&app, 1).await.remove(0);
    let stored = || async {
        app.platform
            .authorizer_tokens()
            .access_token(&appid)
            .await
            .unwrap()
            .access_token
            .expose()
            .to_owned()
    };
    let before = stored().await;
    // WeChat answers this refresh slowly; meanwhile the lease (60 s) runs out.
    app.sim.faults().set(
        "api_authorizer_token",
        wechat_sim::faults::Fault {
            latency_ms: Some(1500),
            times: Some(1),
            ..Default::default()
        },
    );
    let platform = app.platform.clone();
    let target = appid.clone();
    let slow = tokio::spawn(async move { platform.authorizer_tokens().refresh_one(&target).await });
    app.eventually("the slow refresh to be in flight", || async {
        !app.sim.faults().list().contains_key("api_authorizer_token")
    })
    .await;
    app.platform.component().clock().advance(61);
    // Its answer arrives after the lease: discarded, nothing stored.
    assert_eq!(slow.await.unwrap().unwrap(), Refreshed::Skipped);
    assert_eq!(stored().await, before, "the late result was not written");
    // Whatever WeChat rotated in that lost answer, the refresh token stored is
    // still one WeChat accepts (within its grace), so the next refresh works
    // and stores the newest.
    let next = app
        .platform
        .authorizer_tokens()
        .refresh_one(&appid)
        .await
        .unwrap();
    assert_eq!(next, Refreshed::Done);
    refresh_repeatedly(&app, &appid, 2).await;
}

#[tokio::test]
async fn at_shutdown_a_scheduled_refresh_under_way_finishes_and_no_new_one_starts() {
    let app = spawn_production_app_configured(&[], |sim| {
        sim.behaviour.refresh_token_rotation = RefreshTokenRotation::EveryRefresh;
    })
    .await;
    let appids = authorize_accounts(&app, 2).await;
    // Both come due; WeChat answers the first refresh slowly.
    app.platform.component().clock().advance(7200 - 60);
    app.sim.faults().set(
        "api_authorizer_token",
        wechat_sim::faults::Fault {
            latency_ms: Some(1500),
            ..Default::default()
        },
    );
    let calls = || app.sim.calls().list(Some("api_authorizer_token")).len();
    let before = calls();
    let platform = app.platform.clone();
    let pass = tokio::spawn(async move { platform.authorizer_tokens().refresh_due().await });
    // Both refreshes are under way (concurrency 16): the shutdown begins.
    tokio::time::sleep(Duration::from_millis(300)).await;
    app.platform.stop_refreshing();
    let refreshed = pass.await.unwrap().unwrap();
    assert_eq!(refreshed, 2, "the refreshes under way finished");
    assert_eq!(calls(), before + 2);
    // Every rotated refresh token was stored: the emulator's current ones.
    for appid in &appids {
        let current = app
            .sim
            .read_state(|s| s.authorizations[appid].refresh_token.clone());
        let sent_next = {
            app.sim.faults().clear_all();
            app.platform
                .authorizer_tokens()
                .refresh_one(appid)
                .await
                .unwrap();
            app.sim
                .calls()
                .list(Some("api_authorizer_token"))
                .last()
                .unwrap()
                .body["authorizer_refresh_token"]
                .as_str()
                .unwrap()
                .to_owned()
        };
        assert_eq!(
            sent_next, current,
            "{appid}: the stored refresh token is WeChat's newest"
        );
    }
    // After the shutdown began, a scheduler pass starts nothing.
    app.platform.component().clock().advance(7200);
    let later = calls();
    assert_eq!(
        app.platform
            .authorizer_tokens()
            .refresh_due()
            .await
            .unwrap(),
        0
    );
    assert_eq!(calls(), later);
}
