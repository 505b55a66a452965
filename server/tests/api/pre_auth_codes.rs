//! pre_auth_codes behind the authorization button: a valid one is reused for
//! the same invite and device, new ones are limited per invite, and the
//! platform's links keep working under each reading of WeChat's unsettled
//! rules (a code consumed by its authorization or not; a new code voiding
//! the older ones or not), set through the emulator's behaviour switches.

use crate::helpers::TestApp;
use crate::onboarding::{authorization_link, confirm_on_wechat, invite, location};
use crate::production::spawn_production_app_configured;

/// The `pre_auth_code` parameter of a link to WeChat's page.
pub(crate) fn pre_auth_code_of(link: &str) -> String {
    url::Url::parse(link)
        .expect("a link")
        .query_pairs()
        .find(|(k, _)| k == "pre_auth_code")
        .expect("a pre_auth_code")
        .1
        .into_owned()
}

fn created(app: &TestApp) -> usize {
    app.sim.calls().list(Some("api_create_preauthcode")).len()
}

/// Follows the button for `device` and returns where it redirects.
async fn click(app: &TestApp, token: &str, device: &str) -> String {
    let response = app
        .client
        .get(app.url(&format!("/onboard/{token}/go?device={device}")))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    response.headers()["location"].to_str().unwrap().to_owned()
}

/// Two seeded official accounts of the emulator.
fn two_accounts(app: &TestApp) -> (String, String) {
    let appids: Vec<String> = app.sim.read_state(|s| {
        s.accounts
            .values()
            .filter(|a| a.kind == wechat_sim::accounts::AccountKind::OfficialAccount)
            .map(|a| a.appid.clone())
            .take(2)
            .collect()
    });
    (appids[0].clone(), appids[1].clone())
}

#[tokio::test]
async fn a_code_is_reused_per_invite_and_device_and_a_reused_code_authorizes() {
    let app = spawn_production_app_configured(&[], |_| {}).await;
    let token = invite(&app, "复用公司").await;
    let first = click(&app, &token, "pc").await;
    let again = click(&app, &token, "pc").await;
    assert_eq!(pre_auth_code_of(&first), pre_auth_code_of(&again));
    assert_eq!(created(&app), 1);
    // The phone page is another link: a code of its own.
    let mobile = click(&app, &token, "mobile").await;
    assert_ne!(pre_auth_code_of(&mobile), pre_auth_code_of(&first));
    assert_eq!(created(&app), 2);

    // The reused link works on WeChat's page.
    let (referer, link) = authorization_link(&app, &token).await;
    let (appid, _) = two_accounts(&app);
    let callback = confirm_on_wechat(&app, &link, &referer, &appid).await;
    assert!(location(&app, &callback).await.contains("/result/"));
}

#[tokio::test]
async fn a_code_is_not_reused_once_it_expires_within_the_margin() {
    let app = spawn_production_app_configured(&[], |_| {}).await;
    let token = invite(&app, "过期公司").await;
    let first = click(&app, &token, "pc").await;
    // 1800 s codes, reused while 15 minutes are left: not after 15 minutes and 1 s.
    app.platform.component().clock().advance(900);
    assert_eq!(
        pre_auth_code_of(&click(&app, &token, "pc").await),
        pre_auth_code_of(&first)
    );
    app.platform.component().clock().advance(1);
    assert_ne!(
        pre_auth_code_of(&click(&app, &token, "pc").await),
        pre_auth_code_of(&first)
    );
    assert_eq!(created(&app), 2);
}

/// Under both readings of "does an authorization consume its code", an
/// invite's next authorization gets a link that WeChat accepts.
#[tokio::test]
async fn after_an_authorization_the_next_link_works_whether_or_not_wechat_consumed_the_code() {
    for single_use in [true, false] {
        let app = spawn_production_app_configured(&[], |sim| {
            sim.behaviour.pre_auth_code_single_use = single_use;
        })
        .await;
        let token = invite(&app, "两次授权公司").await;
        let (first_appid, second_appid) = two_accounts(&app);
        let (referer, link) = authorization_link(&app, &token).await;
        let callback = confirm_on_wechat(&app, &link, &referer, &first_appid).await;
        assert!(location(&app, &callback).await.contains("/result/"));

        let (referer, next) = authorization_link(&app, &token).await;
        assert_ne!(
            pre_auth_code_of(&next),
            pre_auth_code_of(&link),
            "single_use={single_use}: a used code is not offered again"
        );
        let callback = confirm_on_wechat(&app, &next, &referer, &second_appid).await;
        assert!(
            location(&app, &callback).await.contains("/result/"),
            "single_use={single_use}"
        );
    }
}

/// If WeChat voids older codes when it makes a new one, a code made for
/// another invite in between is never reused; under the other reading the
/// same rule only costs a code.
#[tokio::test]
async fn a_code_is_not_reused_after_a_newer_one_was_made_for_another_invite() {
    for invalidates_old in [true, false] {
        let app = spawn_production_app_configured(&[], |sim| {
            sim.behaviour.new_pre_auth_code_invalidates_old = invalidates_old;
        })
        .await;
        let first_invite = invite(&app, "甲公司").await;
        let other_invite = invite(&app, "乙公司").await;
        let before = click(&app, &first_invite, "pc").await;
        click(&app, &other_invite, "pc").await;
        let (referer, link) = authorization_link(&app, &first_invite).await;
        assert_ne!(pre_auth_code_of(&link), pre_auth_code_of(&before));
        assert_eq!(created(&app), 3, "invalidates_old={invalidates_old}");
        let (appid, _) = two_accounts(&app);
        let callback = confirm_on_wechat(&app, &link, &referer, &appid).await;
        assert!(
            location(&app, &callback).await.contains("/result/"),
            "invalidates_old={invalidates_old}"
        );
    }
}

#[tokio::test]
async fn new_codes_per_invite_are_limited_per_hour_and_the_page_says_so() {
    let app = spawn_production_app_configured(&[], |_| {}).await;
    let token = invite(&app, "限流公司").await;
    let limit = usize::try_from(platform::onboarding::pre_auth::MAX_NEW_CODES_PER_HOUR).unwrap();
    // Alternating devices makes every click need a new code.
    for n in 0..limit {
        click(&app, &token, if n % 2 == 0 { "pc" } else { "mobile" }).await;
    }
    assert_eq!(created(&app), limit);
    let refused = click(&app, &token, "pc").await;
    assert!(
        refused.contains("/onboard/error?reason=too_many_links"),
        "{refused}"
    );
    assert_eq!(created(&app), limit, "no code beyond the limit");
    let page = app.html(&refused).await;
    assert!(page.contains("授权尝试次数过多"), "{page}");
    // Another invite is not affected; the limit lifts after an hour.
    let other = invite(&app, "另一家公司").await;
    assert!(click(&app, &other, "pc").await.contains("pre_auth_code="));
    app.platform.component().clock().advance(3601);
    assert!(click(&app, &token, "pc").await.contains("pre_auth_code="));
}
