//! Rules of authorizations, codes and authorizer tokens.

use super::*;
use crate::accounts::demo_accounts;

const OA: &str = "wx5d3e1a2b3c4d5e6f";

fn setup() -> (State, SimConfig) {
    let mut state = State::default();
    state.add_accounts(demo_accounts());
    (
        state,
        SimConfig::new("wxcomponent", "secret", "token", "a".repeat(43)),
    )
}

fn authorize(state: &mut State, config: &SimConfig, now: i64) -> AuthorizeOutcome {
    let pre = state
        .create_pre_auth_code("wxcomponent", now, config)
        .unwrap();
    state
        .authorize(&pre.value, OA, vec![1, 15], now, config)
        .unwrap()
}

#[test]
fn a_first_authorization_yields_an_authorized_event_with_the_same_code() {
    let (mut state, config) = setup();
    let out = authorize(&mut state, &config, 1000);
    assert_eq!(out.expires_in, 3600);
    match out.event {
        Event::Authorized {
            auth_code,
            auth_code_expired_time,
            ..
        } => {
            assert_eq!(auth_code, out.auth_code);
            assert_eq!(auth_code_expired_time, 4600);
        }
        other => panic!("expected authorized, got {other:?}"),
    }
}

#[test]
fn re_authorizing_an_authorized_account_is_an_update_that_keeps_the_refresh_token() {
    let (mut state, config) = setup();
    authorize(&mut state, &config, 1000);
    let before = state.authorizations[OA].refresh_token.clone();
    let out = authorize(&mut state, &config, 1100);
    assert!(matches!(out.event, Event::UpdateAuthorized { .. }));
    assert_eq!(state.authorizations[OA].refresh_token, before);
}

#[test]
fn a_pre_auth_code_is_consumed_by_default_and_reusable_when_configured() {
    let (mut state, mut config) = setup();
    let pre = state
        .create_pre_auth_code("wxcomponent", 1000, &config)
        .unwrap();
    state
        .authorize(&pre.value, OA, vec![1], 1000, &config)
        .unwrap();
    assert!(
        state
            .authorize(&pre.value, OA, vec![1], 1001, &config)
            .is_err()
    );
    config.behaviour.pre_auth_code_single_use = false;
    let pre = state
        .create_pre_auth_code("wxcomponent", 1000, &config)
        .unwrap();
    state
        .authorize(&pre.value, OA, vec![1], 1000, &config)
        .unwrap();
    assert!(
        state
            .authorize(&pre.value, OA, vec![1], 1001, &config)
            .is_ok()
    );
}

#[test]
fn an_auth_code_exchanges_once_then_answers_61009() {
    let (mut state, config) = setup();
    let out = authorize(&mut state, &config, 1000);
    let got = state
        .query_auth("wxcomponent", &out.auth_code, 1000, &config)
        .unwrap();
    assert_eq!(got.authorizer_appid, OA);
    assert_eq!(got.func_ids, vec![1, 15]);
    assert!(got.refresh_token.starts_with("refreshtoken@@@"));
    let again = state.query_auth("wxcomponent", &out.auth_code, 1001, &config);
    assert_eq!(again.unwrap_err().errcode, 61009);
}

#[test]
fn an_auth_code_can_be_configured_reusable() {
    let (mut state, mut config) = setup();
    config.behaviour.auth_code_reuse = AuthCodeReuse::Reusable;
    let out = authorize(&mut state, &config, 1000);
    state
        .query_auth("wxcomponent", &out.auth_code, 1000, &config)
        .unwrap();
    assert!(
        state
            .query_auth("wxcomponent", &out.auth_code, 1001, &config)
            .is_ok()
    );
}

#[test]
fn an_expired_auth_code_answers_61010_and_an_unknown_one_61009() {
    let (mut state, config) = setup();
    let out = authorize(&mut state, &config, 1000);
    assert_eq!(
        state
            .query_auth("wxcomponent", &out.auth_code, 4600, &config)
            .unwrap_err()
            .errcode,
        61010
    );
    assert_eq!(
        state
            .query_auth("wxcomponent", "queryauthcode@@@x", 1000, &config)
            .unwrap_err()
            .errcode,
        61009
    );
    assert_eq!(
        state
            .query_auth("wxother", &out.auth_code, 1000, &config)
            .unwrap_err()
            .errcode,
        61011
    );
}

#[test]
fn a_refresh_returns_a_new_access_token_and_the_same_refresh_token() {
    let (mut state, config) = setup();
    let out = authorize(&mut state, &config, 1000);
    let first = state
        .query_auth("wxcomponent", &out.auth_code, 1000, &config)
        .unwrap();
    let refreshed = state
        .authorizer_token("wxcomponent", OA, &first.refresh_token, 2000, &config)
        .unwrap();
    assert_ne!(refreshed.access_token.value, first.access_token.value);
    assert_eq!(refreshed.refresh_token, first.refresh_token);
    // The superseded token keeps working for the grace period, then fails.
    assert!(
        state
            .check_authorizer_token(&first.access_token.value, 2299, &config)
            .is_ok()
    );
    assert_eq!(
        state
            .check_authorizer_token(&first.access_token.value, 2300, &config)
            .unwrap_err()
            .errcode,
        40001
    );
}

#[test]
fn with_rotation_the_old_refresh_token_works_for_its_grace_period_only() {
    let (mut state, mut config) = setup();
    config.behaviour.refresh_token_rotation = RefreshTokenRotation::EveryRefresh;
    let out = authorize(&mut state, &config, 1000);
    let first = state
        .query_auth("wxcomponent", &out.auth_code, 1000, &config)
        .unwrap();
    let refreshed = state
        .authorizer_token("wxcomponent", OA, &first.refresh_token, 2000, &config)
        .unwrap();
    assert_ne!(refreshed.refresh_token, first.refresh_token);
    assert!(
        state
            .authorizer_token("wxcomponent", OA, &first.refresh_token, 2100, &config)
            .is_ok()
    );
    let late = state.authorizer_token("wxcomponent", OA, &first.refresh_token, 2400, &config);
    assert_eq!(late.unwrap_err().errcode, 61023);
}

#[test]
fn a_wrong_or_empty_refresh_token_answers_61023() {
    let (mut state, config) = setup();
    authorize(&mut state, &config, 1000);
    assert_eq!(
        state
            .authorizer_token("wxcomponent", OA, "refreshtoken@@@x", 1000, &config)
            .unwrap_err()
            .errcode,
        61023
    );
    assert_eq!(
        state
            .authorizer_token("wxcomponent", OA, "", 1000, &config)
            .unwrap_err()
            .errcode,
        61023
    );
}

#[test]
fn revocation_kills_tokens_and_re_authorization_issues_a_new_refresh_token() {
    let (mut state, config) = setup();
    let out = authorize(&mut state, &config, 1000);
    let first = state
        .query_auth("wxcomponent", &out.auth_code, 1000, &config)
        .unwrap();
    let event = state.revoke(OA, 1100).unwrap();
    assert_eq!(
        event,
        Event::Unauthorized {
            authorizer_appid: OA.to_owned()
        }
    );
    assert_eq!(
        state
            .authorizer_token("wxcomponent", OA, &first.refresh_token, 1100, &config)
            .unwrap_err()
            .errcode,
        61003
    );
    assert!(
        state
            .check_authorizer_token(&first.access_token.value, 1100, &config)
            .is_err()
    );
    assert_eq!(
        state
            .authorizer_info("wxcomponent", OA, &config)
            .unwrap_err()
            .errcode,
        61003
    );
    assert_eq!(
        state
            .authorizer_list("wxcomponent", 0, 100, &config)
            .unwrap()
            .0,
        0
    );

    let again = authorize(&mut state, &config, 1200);
    assert!(matches!(again.event, Event::Authorized { .. }));
    let second = state
        .query_auth("wxcomponent", &again.auth_code, 1200, &config)
        .unwrap();
    assert_ne!(second.refresh_token, first.refresh_token);
    assert_eq!(
        state
            .authorizer_token("wxcomponent", OA, &first.refresh_token, 1200, &config)
            .unwrap_err()
            .errcode,
        61023
    );
}

#[test]
fn the_list_omits_refresh_tokens_until_a_code_is_exchanged_and_pages() {
    let (mut state, config) = setup();
    let out = authorize(&mut state, &config, 1000);
    let pre = state
        .create_pre_auth_code("wxcomponent", 1001, &config)
        .unwrap();
    state
        .authorize(&pre.value, "wx8a614d5e6f708192", vec![18], 1001, &config)
        .unwrap();
    state
        .query_auth("wxcomponent", &out.auth_code, 1002, &config)
        .unwrap();
    let (total, page) = state.authorizer_list("wxcomponent", 0, 1, &config).unwrap();
    assert_eq!((total, page.len()), (2, 1));
    assert!(page[0].code_exchanged);
    let (_, rest) = state
        .authorizer_list("wxcomponent", 1, 10, &config)
        .unwrap();
    assert!(!rest[0].code_exchanged);
    assert_eq!(
        state
            .authorizer_list("wxcomponent", 0, 501, &config)
            .unwrap_err()
            .errcode,
        40170
    );
}

#[test]
fn changing_permissions_is_an_update_with_a_new_code() {
    let (mut state, config) = setup();
    authorize(&mut state, &config, 1000);
    let out = state
        .change_permissions(OA, vec![1], 1100, &config)
        .unwrap();
    assert!(matches!(out.event, Event::UpdateAuthorized { .. }));
    assert_eq!(state.authorizations[OA].func_ids, vec![1]);
    assert_eq!(
        state
            .change_permissions("wxnone", vec![1], 1100, &config)
            .unwrap_err()
            .errcode,
        61003
    );
}

#[test]
fn options_have_defaults_and_reject_unknown_names_and_values() {
    let (mut state, config) = setup();
    authorize(&mut state, &config, 1000);
    assert_eq!(
        state
            .authorizer_option("wxcomponent", OA, "voice_recognize", &config)
            .unwrap(),
        "0"
    );
    state
        .set_authorizer_option("wxcomponent", OA, "location_report", "2", &config)
        .unwrap();
    assert_eq!(
        state
            .authorizer_option("wxcomponent", OA, "location_report", &config)
            .unwrap(),
        "2"
    );
    assert_eq!(
        state
            .set_authorizer_option("wxcomponent", OA, "nope", "1", &config)
            .unwrap_err()
            .errcode,
        61012
    );
    assert_eq!(
        state
            .set_authorizer_option("wxcomponent", OA, "voice_recognize", "2", &config)
            .unwrap_err()
            .errcode,
        61013
    );
}
