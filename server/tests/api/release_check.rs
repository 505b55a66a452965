//! WeChat's 全网发布 check, played by the emulator against the production
//! router: every item passes for an official account's group and a mini
//! program's, under both readings of which code the `QUERY_AUTH_CODE:`
//! message carries; with the responder off, the items it answers fail.

use wechat_sim::accounts::AccountKind;
use wechat_sim::messages::release::CheckItem;
use wechat_sim::{AuthCodeReuse, ReleaseCheckCode};

use crate::production::{spawn_production_app_configured, spawn_production_app_with};

fn names(items: &[CheckItem], passed: bool) -> Vec<&'static str> {
    items
        .iter()
        .filter(|i| i.passed == passed)
        .map(|i| i.name)
        .collect()
}

#[tokio::test]
async fn an_official_account_group_passes_every_item_when_the_code_was_already_used() {
    // The doc's reading: the message carries the `authorized` push's code,
    // which (single-use codes) no longer exchanges: the responder falls back
    // on the token it got from the push.
    let app = spawn_production_app_configured(&[], |sim| {
        sim.behaviour.auth_code_reuse = AuthCodeReuse::SingleUse;
        sim.messages.release_check_code = ReleaseCheckCode::SameAsAuthorized;
    })
    .await;
    let items = app
        .sim
        .run_release_check(1, AccountKind::OfficialAccount)
        .await
        .unwrap();
    assert_eq!(
        names(&items, true),
        [
            "组件ticket正确接收",
            "授权",
            "返回普通文本消息",
            "返回Api文本消息",
            "发送事件消息",
            "取消授权"
        ],
        "{items:?}"
    );
    let sent = app.sim.custom_messages();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].touser, wechat_sim::messages::release::TEST_FAN);
    assert!(sent[0].content.as_deref().unwrap().ends_with("_from_api"));
    // The dashboard's record says which token it used.
    let steps = app
        .platform
        .messages()
        .release_check_steps(20)
        .await
        .unwrap();
    let api = steps
        .iter()
        .find(|s| s.step == store::ReleaseCheckStep::ApiReply)
        .unwrap();
    assert!(api.ok);
    assert!(
        api.detail.as_deref().unwrap().contains("authorized push"),
        "{api:?}"
    );
    // The `unauthorized` push is applied after its answer.
    app.eventually("the check's end recorded", || async {
        let steps = app
            .platform
            .messages()
            .release_check_steps(20)
            .await
            .unwrap();
        steps
            .iter()
            .any(|s| s.step == store::ReleaseCheckStep::Unauthorized)
    })
    .await;
    // The test account belongs to no company.
    let store = store::Store::connect(&app.database_url).await.unwrap();
    assert!(
        store
            .authorizers()
            .by_appid("wx570bc396a51b8ff8")
            .await
            .unwrap()
            .is_none()
    );
}

#[tokio::test]
async fn a_mini_program_group_passes_with_a_fresh_code_in_the_message() {
    let app = spawn_production_app_configured(&[], |sim| {
        sim.messages.release_check_code = ReleaseCheckCode::Fresh;
    })
    .await;
    let items = app
        .sim
        .run_release_check(3, AccountKind::MiniProgram)
        .await
        .unwrap();
    // Mini programs are checked without the passive-reply items.
    assert_eq!(
        names(&items, true),
        ["组件ticket正确接收", "授权", "返回Api文本消息", "取消授权"],
        "{items:?}"
    );
    assert!(names(&items, false).is_empty());
    let steps = app
        .platform
        .messages()
        .release_check_steps(20)
        .await
        .unwrap();
    let api = steps
        .iter()
        .find(|s| s.step == store::ReleaseCheckStep::ApiReply)
        .unwrap();
    assert!(
        api.detail.as_deref().unwrap().contains("message's code"),
        "{api:?}"
    );
}

#[tokio::test]
async fn with_the_responder_off_the_items_it_answers_fail_with_why() {
    let app = spawn_production_app_with(&[("WEIQIAO_RELEASE_CHECK", "0")]).await;
    let items = app
        .sim
        .run_release_check(2, AccountKind::OfficialAccount)
        .await
        .unwrap();
    assert_eq!(
        names(&items, true),
        ["组件ticket正确接收", "取消授权"],
        "{items:?}"
    );
    assert_eq!(
        names(&items, false),
        [
            "授权",
            "返回普通文本消息",
            "返回Api文本消息",
            "发送事件消息"
        ]
    );
    assert!(items.iter().filter(|i| !i.passed).all(|i| i.why.is_some()));
}
