//! Fast registration through the router: create's rules, search, the legal
//! representative's answers, and the push in both forms, read back with the
//! protocol crate's parser.

use serde_json::{Value, json};
use wechat::push::ComponentPush;

use crate::FastRegisterPushStyle;
use crate::testutil::{APPID, component_token, config, get, post, sim};
use crate::{Simulator, tokens};

fn entity(code: &str) -> Value {
    json!({
        "name": "深圳快注测试科技有限公司",
        "code": code,
        "code_type": 1,
        "legal_persona_wechat": "zhang_san88",
        "legal_persona_name": "张三",
    })
}

const CODE: &str = "91440300MA5D8KXY4A";

async fn create(sim: &Simulator, token: &str, body: Value) -> i64 {
    let uri = format!(
        "/cgi-bin/component/fastregisterweapp?action=create&component_access_token={token}"
    );
    post(sim, &uri, body).await["errcode"].as_i64().unwrap()
}

async fn search(sim: &Simulator, token: &str) -> i64 {
    let uri = format!("/cgi-bin/component/fastregisterweapp?action=search&access_token={token}");
    let body = json!({"name": "深圳快注测试科技有限公司", "legal_persona_wechat": "zhang_san88", "legal_persona_name": "张三"});
    post(sim, &uri, body).await["errcode"].as_i64().unwrap()
}

#[tokio::test]
async fn create_checks_fields_code_and_wechat_id_and_refuses_a_second_task_for_the_entity() {
    let sim = sim();
    let token = component_token(&sim).await;
    let mut missing = entity(CODE);
    missing["legal_persona_name"] = json!(" ");
    assert_eq!(create(&sim, &token, missing).await, 89253);
    let mut bad_type = entity(CODE);
    bad_type["code_type"] = json!(4);
    assert_eq!(create(&sim, &token, bad_type).await, 89248);
    assert_eq!(create(&sim, &token, entity("12345")).await, 89255);
    let mut bad_id = entity(CODE);
    bad_id["legal_persona_wechat"] = json!("13800138000");
    assert_eq!(create(&sim, &token, bad_id).await, 86004);
    assert_eq!(create(&sim, &token, entity("bad")).await, 89255);
    // Without a token: WeChat's token error, nothing created.
    assert_eq!(create(&sim, "nope", entity(CODE)).await, 40001);
    assert!(sim.read_state(|s| s.fast_registrations.is_empty()));

    assert_eq!(create(&sim, &token, entity(CODE)).await, 0);
    // The same entity (code typed in lower case) while the task waits.
    assert_eq!(
        create(&sim, &token, entity(&CODE.to_lowercase())).await,
        89249
    );
    // After the 24 hours the entity may try again.
    sim.clock().advance(std::time::Duration::from_secs(86_400));
    let token = component_token(&sim).await;
    assert_eq!(create(&sim, &token, entity(CODE)).await, 0);
    assert_eq!(sim.read_state(|s| s.fast_registrations.len()), 2);
}

#[tokio::test]
async fn search_says_waiting_then_done_and_nothing_for_an_unknown_entity() {
    let sim = sim();
    let token = component_token(&sim).await;
    assert_eq!(search(&sim, &token).await, 89250);
    assert_eq!(create(&sim, &token, entity(CODE)).await, 0);
    assert_eq!(search(&sim, &token).await, 89251);
    post(&sim, "/__sim/fast-registrations/confirm", json!({})).await;
    assert_eq!(search(&sim, &token).await, 0);
}

#[tokio::test]
async fn confirming_creates_an_unverified_mini_program_whose_code_authorizes_the_platform() {
    let sim = sim();
    let token = component_token(&sim).await;
    assert_eq!(create(&sim, &token, entity(CODE)).await, 0);
    let answer = post(
        &sim,
        "/__sim/fast-registrations/confirm",
        json!({"name": "深圳快注测试科技有限公司"}),
    )
    .await;
    let appid = answer["appid"].as_str().unwrap().to_owned();
    let xml = answer["push"]["xml"].as_str().unwrap();
    let ComponentPush::FastRegister {
        appid: pushed,
        status,
        auth_code,
        info,
        ..
    } = ComponentPush::parse(xml).unwrap()
    else {
        panic!("{xml}");
    };
    assert_eq!(pushed.as_deref(), Some(appid.as_str()));
    assert_eq!(status, 0);
    let info = info.unwrap();
    assert_eq!(info.name.as_deref(), Some("深圳快注测试科技有限公司"));
    assert_eq!(info.code.as_deref(), Some(CODE));
    assert_eq!(info.legal_persona_wechat.as_deref(), Some("zhang_san88"));
    let account = sim.read_state(|s| s.accounts[&appid].clone());
    assert_eq!(account.kind, crate::accounts::AccountKind::MiniProgram);
    assert_eq!(account.principal_name, "深圳快注测试科技有限公司");
    assert_eq!(account.verify_type, -1);
    // The push's code is exchanged like any authorization's.
    let uri = format!("/cgi-bin/component/api_query_auth?component_access_token={token}");
    let body = json!({"component_appid": APPID, "authorization_code": auth_code.unwrap().expose()});
    let exchanged = post(&sim, &uri, body).await;
    assert_eq!(
        exchanged["authorization_info"]["authorizer_appid"],
        appid.as_str()
    );
    assert!(exchanged["authorization_info"]["authorizer_refresh_token"].is_string());
    // Nothing left to answer.
    let again = post(&sim, "/__sim/fast-registrations/confirm", json!({})).await;
    assert!(again["error"].as_str().unwrap().contains("no waiting"));
}

#[tokio::test]
async fn a_rejection_pushes_its_status_without_appid_or_auth_code() {
    let sim = sim();
    let token = component_token(&sim).await;
    assert_eq!(create(&sim, &token, entity(CODE)).await, 0);
    let refused = post(&sim, "/__sim/fast-registrations/reject", json!({})).await;
    assert!(refused["error"].as_str().unwrap().contains("status"));
    let answer = post(
        &sim,
        "/__sim/fast-registrations/reject",
        json!({"status": 103}),
    )
    .await;
    assert_eq!(answer["appid"], Value::Null);
    let xml = answer["push"]["xml"].as_str().unwrap();
    assert!(
        !xml.contains("<appid>") && !xml.contains("<auth_code>"),
        "{xml}"
    );
    let ComponentPush::FastRegister {
        status,
        appid,
        auth_code,
        msg,
        ..
    } = ComponentPush::parse(xml).unwrap()
    else {
        panic!("{xml}");
    };
    assert_eq!((status, appid, auth_code.is_none()), (103, None, true));
    assert_eq!(msg.as_deref(), Some("open verity failed"));
    let state = sim.read_state(|s| s.fast_registrations[0].state.clone());
    assert_eq!(state, super::TaskState::Failed { status: 103 });
}

#[tokio::test]
async fn a_timeout_lets_24_hours_pass_on_the_emulator_clock_then_pushes_100003() {
    let sim = sim();
    let token = component_token(&sim).await;
    assert_eq!(create(&sim, &token, entity(CODE)).await, 0);
    let before = sim.clock().now();
    let answer = post(&sim, "/__sim/fast-registrations/timeout", json!({})).await;
    assert!(sim.clock().now() >= before + 86_400);
    let xml = answer["push"]["xml"].as_str().unwrap();
    assert!(xml.contains("<status>100003</status>"), "{xml}");
    // Directly, before the 24 hours: refused.
    let config = config();
    sim.with_state(|s, now| {
        s.fast_register_create(
            serde_json::from_value(entity("91440300MA5D8KXY4B")).unwrap(),
            now,
        )
        .unwrap();
        let early = s.fast_register_answer(None, super::Answer::Timeout, now + 86_399, &config);
        assert!(early.unwrap_err().contains("24 hours"));
        assert!(
            s.fast_register_answer(None, super::Answer::Timeout, now + 86_400, &config)
                .is_ok()
        );
    });
}

#[test]
fn both_push_forms_parse_to_the_same_result() {
    let task = super::Task {
        taskid: tokens::alnum(8),
        request: serde_json::from_value(entity(CODE)).unwrap(),
        created_at: 1,
        state: super::TaskState::Waiting,
    };
    let info = super::RegistrationInfo::of(&task);
    let event = |style| crate::push::Event::FastRegister {
        appid: Some("wxnew0123456789ab".into()),
        status: 0,
        auth_code: Some("queryauthcode@@@abc".into()),
        msg: "OK".into(),
        info: info.clone(),
        style,
    };
    let documented = event(FastRegisterPushStyle::Documented).to_xml(APPID, 5);
    let live = event(FastRegisterPushStyle::Live).to_xml(APPID, 5);
    assert!(documented.contains("<auth_code>queryauthcode@@@abc</auth_code>"));
    assert!(documented.contains("<msg>OK</msg>") && !documented.contains("<taskid>"));
    assert!(live.contains("<auth_code><![CDATA[queryauthcode@@@abc]]></auth_code>"));
    assert!(live.contains(&format!("<taskid>{}</taskid>", task.taskid)));
    let parsed = |xml: &str| match ComponentPush::parse(xml).unwrap() {
        ComponentPush::FastRegister {
            appid,
            status,
            auth_code,
            info,
            ..
        } => (
            appid,
            status,
            auth_code.map(|c| c.expose().to_owned()),
            info,
        ),
        other => panic!("{other:?}"),
    };
    assert_eq!(parsed(&documented), parsed(&live));
    assert_eq!(parsed(&live).2.as_deref(), Some("queryauthcode@@@abc"));
}

#[tokio::test]
async fn the_task_list_shows_every_task_with_its_state() {
    let sim = sim();
    let token = component_token(&sim).await;
    assert_eq!(create(&sim, &token, entity(CODE)).await, 0);
    let list = get(&sim, "/__sim/fast-registrations").await;
    assert_eq!(list["tasks"][0]["state"]["state"], "waiting");
    assert_eq!(list["tasks"][0]["request"]["code"], CODE);
}
