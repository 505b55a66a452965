//! A transient WeChat error never becomes a permanent state: a single 61003
//! does not revoke an account WeChat still lists, an unreadable list decides
//! nothing, and reconcile revives an account revoked here but authorized there.

use platform::authorizers::{AuthorizerStatus, Refreshed};
use wechat_sim::faults::Fault;

use crate::authorizer_tokens::authorize_accounts;
use crate::helpers::{TestApp, spawn_app};

fn once(errcode: i64) -> Fault {
    Fault {
        errcode: Some(errcode),
        times: Some(1),
        ..Fault::default()
    }
}

async fn status(app: &TestApp) -> AuthorizerStatus {
    let company = app.platform.companies().list().await.unwrap()[0].id;
    let authorizers = app
        .platform
        .onboarding()
        .authorizers_of(company)
        .await
        .unwrap();
    authorizers[0].status
}

async fn refresh(app: &TestApp, appid: &str) -> Refreshed {
    app.platform
        .authorizer_tokens()
        .refresh_one(appid)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_61003_for_an_account_wechat_still_lists_does_not_revoke_it() {
    let app = spawn_app().await;
    let appid = authorize_accounts(&app, 1).await.remove(0);
    app.sim.faults().set("api_authorizer_token", once(61003));
    assert!(matches!(refresh(&app, &appid).await, Refreshed::Failed(_)));
    assert_eq!(status(&app).await, AuthorizerStatus::Active);
    assert_eq!(
        refresh(&app, &appid).await,
        Refreshed::Done,
        "retried later, and it works"
    );
}

#[tokio::test]
async fn a_61003_is_not_applied_while_the_list_cannot_confirm_it() {
    let app = spawn_app().await;
    let appid = authorize_accounts(&app, 1).await.remove(0);
    app.sim.faults().set("api_authorizer_token", once(61003));
    app.sim.faults().set("api_get_authorizer_list", once(-1));
    assert!(matches!(refresh(&app, &appid).await, Refreshed::Failed(_)));
    assert_eq!(status(&app).await, AuthorizerStatus::Active);
    assert_eq!(refresh(&app, &appid).await, Refreshed::Done);
}

#[tokio::test]
async fn a_61023_with_an_unreadable_list_is_retried_not_marked_for_reauthorization() {
    let app = spawn_app().await;
    let appid = authorize_accounts(&app, 1).await.remove(0);
    app.sim.faults().set("api_authorizer_token", once(61023));
    app.sim.faults().set("api_get_authorizer_list", once(-1));
    assert!(matches!(refresh(&app, &appid).await, Refreshed::Failed(_)));
    assert_eq!(status(&app).await, AuthorizerStatus::Active);
    assert_eq!(refresh(&app, &appid).await, Refreshed::Done);
}

#[tokio::test]
async fn reconcile_revives_an_account_revoked_here_that_wechat_lists_as_authorized() {
    let app = spawn_app().await;
    let appid = authorize_accounts(&app, 1).await.remove(0);
    // A revocation recorded here that WeChat does not share (e.g. applied from
    // a one-off answer before this version confirmed them).
    let store = store::Store::connect(&app.database_url).await.unwrap();
    let now = app.platform.component().clock().now();
    assert!(
        store
            .authorizers()
            .mark_revoked(&appid, now, store::HistoryKind::Unauthorized)
            .await
            .unwrap()
    );
    assert_eq!(status(&app).await, AuthorizerStatus::Revoked);

    let report = app.platform.authorizer_tokens().reconcile().await.unwrap();
    assert_eq!(report.revived, std::slice::from_ref(&appid));
    assert!(report.revoked.is_empty());
    assert_eq!(status(&app).await, AuthorizerStatus::Active);
    assert_eq!(refresh(&app, &appid).await, Refreshed::Done);
    let again = app.platform.authorizer_tokens().reconcile().await.unwrap();
    assert!(again.revived.is_empty(), "revived once");
    // In the account's timeline, once.
    let page = app.html(format!("/accounts/{appid}")).await;
    assert_eq!(
        page.matches("对账发现它仍在微信授权中").count(),
        1,
        "{page}"
    );
}
