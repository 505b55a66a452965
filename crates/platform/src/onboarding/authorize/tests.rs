//! The callback's use case against the WeChat emulator on a local port: an
//! auth_code is exchanged once however often the callback arrives (reload,
//! duplicate request, or after the `authorized` push already did it).

use std::collections::HashMap;

use store::Store;
use wechat::Secret;
use wechat::client::{ClientConfig, ComponentClient};
use wechat::crypto::MessageCrypto;
use wechat::push::ComponentPush;
use wechat_sim::{SimConfig, Simulator};

use super::*;
use crate::clock::Clock;
use crate::component::ComponentService;
use crate::onboarding::{InviteStatus, NewInviteRequest};
use crate::vault::Vault;
use crate::{Platform, PlatformSettings};

const APPID: &str = "wxcomponenttest01";
const SECRET: &str = "component-secret";
const TOKEN: &str = "push-token";
const AES_KEY: &str = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";
const MASTER_KEY: [u8; 32] = [7; 32];

struct Harness {
    platform: Platform,
    sim: Simulator,
    _dir: tempfile::TempDir,
}

impl Harness {
    /// What the `unauthorized` push does.
    async fn store_revocation(&self, appid: &str) {
        let now = self.platform.component().clock().now();
        self.platform
            .store
            .authorizers()
            .mark_revoked(appid, now, store::HistoryKind::Unauthorized)
            .await
            .unwrap();
    }
}

/// A platform with a fresh SQLite file, talking to an emulator that has pushed
/// its ticket, with the component token fetched.
async fn harness() -> Harness {
    let sim = Simulator::new(SimConfig::new(APPID, SECRET, TOKEN, AES_KEY)).unwrap();
    sim.seed_demo_accounts();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(sim.clone().serve(listener));

    let dir = tempfile::tempdir().unwrap();
    let store = Store::connect(&store::testing::database_url(dir.path()).await)
        .await
        .unwrap();
    let client = ComponentClient::new(
        ClientConfig {
            api_base: base.clone(),
            mp_base: base.clone(),
            open_base: base,
            ..ClientConfig::default()
        },
        APPID.to_owned(),
        Secret::new(SECRET),
    )
    .unwrap();
    let component = ComponentService::new(
        store.clone(),
        Vault::new(&MASTER_KEY),
        client,
        MessageCrypto::new(TOKEN, AES_KEY, APPID).unwrap(),
        Clock::default(),
        "test-instance".into(),
    );
    let platform = Platform::new(
        store,
        PlatformSettings::new(true, "http://weiqiao.test".into()),
        component,
        &MASTER_KEY,
    );

    // The ticket WeChat would push, delivered as a push.
    let ticket = sim.with_state(|state, now| (state.issue_ticket(now, sim.config()), now));
    let xml = ComponentPush::VerifyTicket {
        app_id: APPID.into(),
        create_time: ticket.1,
        ticket: Secret::new(ticket.0),
    }
    .to_xml();
    let push = MessageCrypto::new(TOKEN, AES_KEY, APPID)
        .unwrap()
        .build_push(&xml, &ticket.1.to_string(), "nonce")
        .unwrap();
    platform
        .component()
        .ingest_push(&push.query, &push.body)
        .await
        .unwrap();
    platform
        .component()
        .refresh_component_token_if_due()
        .await
        .unwrap();
    Harness {
        platform,
        sim,
        _dir: dir,
    }
}

fn demo_official_account(h: &Harness) -> String {
    h.sim.read_state(|s| {
        s.accounts
            .values()
            .find(|a| a.kind == wechat_sim::accounts::AccountKind::OfficialAccount)
            .unwrap()
            .appid
            .clone()
    })
}

/// A company and its invite; the merchant confirms a demo official account on
/// the emulator's page. Returns (company id, state, auth_code, appid).
async fn merchant_confirms(h: &Harness) -> (i64, String, String, String) {
    let company = h.platform.companies().create("回调测试公司").await.unwrap();
    let invite = h
        .platform
        .onboarding()
        .create_invite(NewInviteRequest {
            company_id: company.id,
            auth_type: AuthType::Both,
            biz_appid: None,
            valid_days: 7,
            note: None,
            allows_fast_registration: false,
        })
        .await
        .unwrap();
    let (state, auth_code, appid) = confirm(h, &invite.token).await;
    (company.id, state, auth_code, appid)
}

/// The merchant follows the invite's link and confirms the demo official
/// account. Returns (state, auth_code, appid).
async fn confirm(h: &Harness, invite_token: &str) -> (String, String, String) {
    let link = h
        .platform
        .onboarding()
        .authorization_link(invite_token, Device::Pc)
        .await
        .unwrap();
    let query: HashMap<String, String> = url::Url::parse(&link.url)
        .unwrap()
        .query_pairs()
        .into_owned()
        .collect();
    let redirect = url::Url::parse(&query["redirect_uri"]).unwrap();
    let state = redirect
        .query_pairs()
        .find(|(k, _)| k == "state")
        .unwrap()
        .1
        .into_owned();
    let appid = demo_official_account(h);
    let outcome = h
        .sim
        .with_state(|s, now| {
            s.authorize(
                &query["pre_auth_code"],
                &appid,
                vec![1, 15],
                now,
                h.sim.config(),
            )
        })
        .unwrap();
    (state, outcome.auth_code, appid)
}

fn query_auth_calls(h: &Harness) -> usize {
    h.sim.calls().list(Some("api_query_auth")).len()
}

#[tokio::test]
async fn a_reloaded_callback_returns_the_same_authorizer_and_exchanges_the_code_once() {
    let h = harness().await;
    let (company_id, state, auth_code, appid) = merchant_confirms(&h).await;
    let onboarding = h.platform.onboarding();

    let first = onboarding
        .complete_authorization(&state, &auth_code)
        .await
        .unwrap();
    let again = onboarding
        .complete_authorization(&state, &auth_code)
        .await
        .unwrap();
    assert_eq!(first.1.authorizer_appid, appid);
    assert_eq!(first, again, "same invite token and authorizer");
    assert_eq!(
        query_auth_calls(&h),
        1,
        "the reload did not exchange the code again"
    );
    assert_eq!(
        onboarding.authorizers_of(company_id).await.unwrap().len(),
        1
    );
}

#[tokio::test]
async fn duplicated_callbacks_at_once_both_succeed_with_one_authorizer() {
    let h = harness().await;
    let (company_id, state, auth_code, appid) = merchant_confirms(&h).await;
    let onboarding = h.platform.onboarding();

    let (a, b) = tokio::join!(
        onboarding.complete_authorization(&state, &auth_code),
        onboarding.complete_authorization(&state, &auth_code),
    );
    assert_eq!(a.unwrap().1.authorizer_appid, appid);
    assert_eq!(b.unwrap().1.authorizer_appid, appid);
    let stored = onboarding.authorizers_of(company_id).await.unwrap();
    assert_eq!(stored.len(), 1, "{stored:?}");
    assert_eq!(query_auth_calls(&h), 1, "the second waited for the first");
}

#[tokio::test]
async fn a_callback_after_the_push_exchanged_the_code_shows_that_authorizer() {
    let h = harness().await;
    let (company_id, state, auth_code, appid) = merchant_confirms(&h).await;
    let onboarding = h.platform.onboarding();

    // What the `authorized` push does when it comes first.
    onboarding
        .exchange_code(&auth_code, company_id, None)
        .await
        .unwrap();
    let (_, authorizer) = onboarding
        .complete_authorization(&state, &auth_code)
        .await
        .unwrap();
    assert_eq!(
        (authorizer.authorizer_appid.as_str(), authorizer.company_id),
        (appid.as_str(), company_id)
    );
    assert_eq!(query_auth_calls(&h), 1);
}

#[tokio::test]
async fn a_tampered_state_is_refused_before_calling_wechat() {
    let h = harness().await;
    let (_, state, auth_code, _) = merchant_confirms(&h).await;
    let tampered = format!("{state}x");
    let err = h
        .platform
        .onboarding()
        .complete_authorization(&tampered, &auth_code)
        .await
        .unwrap_err();
    assert!(matches!(err, OnboardingError::StateInvalid), "{err:?}");
    assert_eq!(query_auth_calls(&h), 0);
}

#[tokio::test]
async fn an_invite_naming_one_account_is_fulfilled_once_it_is_authorized() {
    let h = harness().await;
    let appid = demo_official_account(&h);
    let company = h.platform.companies().create("指定帐号公司").await.unwrap();
    let onboarding = h.platform.onboarding();
    let invite = onboarding
        .create_invite(NewInviteRequest {
            company_id: company.id,
            auth_type: AuthType::OfficialAccount,
            biz_appid: Some(appid.clone()),
            valid_days: 7,
            note: None,
            allows_fast_registration: false,
        })
        .await
        .unwrap();
    assert_eq!(invite.status, InviteStatus::Active);

    let (state, auth_code, confirmed) = confirm(&h, &invite.token).await;
    assert_eq!(confirmed, appid);
    onboarding
        .complete_authorization(&state, &auth_code)
        .await
        .unwrap();

    let opened = onboarding.open_invite(&invite.token).await.unwrap();
    assert_eq!(
        opened.status,
        InviteStatus::Fulfilled,
        "its page still opens"
    );
    let err = onboarding
        .authorization_link(&invite.token, Device::Pc)
        .await
        .unwrap_err();
    assert!(
        matches!(err, OnboardingError::Invite(InviteError::Fulfilled)),
        "{err:?}"
    );
    // A reload of the callback still shows the result.
    assert!(
        onboarding
            .complete_authorization(&state, &auth_code)
            .await
            .is_ok()
    );

    // Once the merchant revokes the account, the invite is usable again.
    h.store_revocation(&appid).await;
    assert_eq!(
        onboarding.invites_of(company.id).await.unwrap()[0].status,
        InviteStatus::Active
    );
}

#[tokio::test]
async fn an_invite_for_kinds_of_account_stays_open_for_another_account() {
    let h = harness().await;
    let (company_id, state, auth_code, _) = merchant_confirms(&h).await;
    let onboarding = h.platform.onboarding();
    onboarding
        .complete_authorization(&state, &auth_code)
        .await
        .unwrap();
    let invite = &onboarding.invites_of(company_id).await.unwrap()[0];
    assert_eq!(invite.status, InviteStatus::Active);
    assert!(
        onboarding
            .authorization_link(&invite.token, Device::Pc)
            .await
            .is_ok()
    );
}
