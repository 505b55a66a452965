//! Fast registration over HTTP against the real router and the emulator:
//! the merchant's form without JavaScript, WeChat's refusals in words, the
//! result push (matched, unmatched, repeated, in either form), the 24-hour
//! timeout, and who may do what.

use platform::fast_registration::{FastRegistrationState, RegistrationForm, StartedBy};
use platform::onboarding::{AuthType, NewInviteRequest};
use wechat::fast_register::{CreateRefusal, RegistrationOutcome};
use wechat_sim::faults::Fault;

use crate::helpers::{TestApp, spawn_app};
use crate::production::{spawn_production_app, spawn_production_app_configured};

const ENTERPRISE: &str = "深圳快注测试科技有限公司";
const CODE: &str = "91440300MA5D8KXY4A";
const WECHAT_ID: &str = "zhang_san88";

/// A company and an invite offering fast registration; (company id, token).
async fn registration_invite(app: &TestApp, company: &str, offers: bool) -> (i64, String) {
    let company = app.platform.companies().create(company).await.unwrap();
    let invite = app
        .platform
        .onboarding()
        .create_invite(NewInviteRequest {
            company_id: company.id,
            auth_type: AuthType::MiniProgram,
            biz_appid: None,
            valid_days: 7,
            note: None,
            allows_fast_registration: offers,
        })
        .await
        .unwrap();
    (company.id, invite.token)
}

fn fields(code: &str, code_type: &str) -> Vec<(&'static str, String)> {
    vec![
        ("name", ENTERPRISE.to_owned()),
        ("code", code.to_owned()),
        ("code_type", code_type.to_owned()),
        ("legal_persona_wechat", WECHAT_ID.to_owned()),
        ("legal_persona_name", "张三".to_owned()),
        ("component_phone", String::new()),
    ]
}

/// What a browser without JavaScript sends from the register page; returns
/// where it is sent back to.
async fn submit(app: &TestApp, token: &str, fields: Vec<(&'static str, String)>) -> String {
    let page = app.url(&format!("/onboard/{token}/register?lang=zh"));
    let mut form = vec![("token", token.to_owned()), ("lang", "zh".to_owned())];
    form.extend(fields);
    let response = app
        .anonymous_client()
        .post(app.url("/api/onboard/register"))
        .header("accept", "text/html")
        .header("origin", app.url(""))
        .header("referer", page)
        .form(&form)
        .send()
        .await
        .unwrap();
    assert!(
        response.status().is_redirection(),
        "status {}",
        response.status()
    );
    response.headers()["location"].to_str().unwrap().to_owned()
}

fn creates(app: &TestApp) -> Vec<wechat_sim::calllog::CallRecord> {
    app.sim.calls().list(Some("fastregisterweapp_create"))
}

async fn request_state(app: &TestApp, company_id: i64) -> FastRegistrationState {
    app.platform
        .fast_registrations()
        .of_company(company_id)
        .await
        .unwrap()[0]
        .state
}

#[tokio::test]
async fn a_merchant_registers_a_mini_program_from_an_invite_without_javascript() {
    let app = spawn_production_app().await;
    let (company_id, token) = registration_invite(&app, "快注公司", true).await;
    let invite_page = app.html(format!("/onboard/{token}")).await;
    assert!(
        invite_page.contains("还没有小程序？"),
        "the invite offers it"
    );
    assert!(invite_page.contains(&format!("/onboard/{token}/register?lang=zh")));

    // A code that does not fit its type is refused in the form, nothing is
    // sent, and the typed values come back without being readable in the address.
    let back = submit(&app, &token, fields("110000012345678", "1")).await;
    assert!(back.starts_with(&format!(
        "/onboard/{token}/register?lang=zh&problem=invalid&draft="
    )));
    assert!(!back.contains(WECHAT_ID) && !back.contains("110000012345678"));
    let page = app.html(&back).await;
    assert!(page.contains("统一社会信用代码为 18 位"), "{page}");
    assert!(
        page.contains("value=\"110000012345678\"")
            && page.contains(&format!("value=\"{WECHAT_ID}\""))
    );
    assert!(creates(&app).is_empty(), "refused before calling WeChat");

    let back = submit(&app, &token, fields(&CODE.to_lowercase(), "1")).await;
    assert_eq!(back, format!("/onboard/{token}/register?lang=zh"));
    let created = creates(&app);
    assert_eq!(created.len(), 1);
    assert_eq!(created[0].body["code"], CODE, "normalized before sending");
    assert_eq!(created[0].errcode, 0);
    let waiting = app.html(&back).await;
    assert!(waiting.contains("等待法人确认") && waiting.contains("data-stage=\"waiting\""));
    assert!(
        waiting.contains("http-equiv=\"refresh\""),
        "the page refreshes itself"
    );
    assert!(
        !waiting.contains("fr-code"),
        "no second form while one waits"
    );

    // The legal representative confirms in WeChat: the push brings the new appid.
    let answer = app
        .sim_control(
            "/__sim/fast-registrations/confirm",
            serde_json::json!({"name": ENTERPRISE}),
        )
        .await;
    let appid = answer["appid"].as_str().unwrap().to_owned();
    app.eventually("the request is registered", || async {
        request_state(&app, company_id).await == FastRegistrationState::Registered
    })
    .await;
    let stored = app
        .platform
        .onboarding()
        .authorizers_of(company_id)
        .await
        .unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].authorizer_appid, appid);
    let done = app.html(&back).await;
    assert!(done.contains("小程序已创建并授权") && done.contains(&appid));
    assert!(!done.contains("http-equiv=\"refresh\""));
    let company_page = app.html(format!("/companies/{company_id}")).await;
    assert!(company_page.contains("已创建并授权") && company_page.contains(&appid));
    assert!(company_page.contains("商户 · 邀请 #"));
    let account_page = app.html(format!("/accounts/{appid}")).await;
    assert!(
        account_page.contains(&format!("通过快速注册创建：「{ENTERPRISE}」")),
        "the account says where it came from"
    );
    // Its tokens work like any authorizer's.
    let token = app
        .platform
        .authorizer_tokens()
        .access_token(&appid)
        .await
        .unwrap();
    let valid = app.sim.read_state(|s| {
        s.check_authorizer_token(
            token.access_token.expose(),
            app.sim.clock().now(),
            app.sim.config(),
        )
        .is_ok()
    });
    assert!(valid);
    let audit = app.platform.admins().audit().latest(20).await.unwrap();
    assert!(audit.iter().any(|e| {
        e.action == Some(platform::audit::AuditAction::FastRegistrationStarted)
            && e.actor.starts_with("merchant (invite ")
    }));
}

#[tokio::test]
async fn each_create_refusal_comes_back_in_words_and_frees_the_entity() {
    let app = spawn_app().await;
    let (company_id, token) = registration_invite(&app, "快注公司", true).await;
    for errcode in [89249, 89247, 86004, 61070, 89248, 89255, 89253, 89254] {
        app.sim.faults().set(
            "fastregisterweapp_create",
            Fault {
                errcode: Some(errcode),
                times: Some(1),
                ..Fault::default()
            },
        );
        let back = submit(&app, &token, fields(CODE, "1")).await;
        let page = app.html(&back).await;
        let refusal = CreateRefusal::from_errcode(errcode).unwrap();
        assert!(page.contains(refusal.describe_zh()), "{errcode}: {page}");
        assert!(page.contains("data-stage=\"not-registered\""));
        assert!(
            page.contains(&format!("value=\"{WECHAT_ID}\"")),
            "the form is filled again"
        );
        assert_eq!(
            request_state(&app, company_id).await,
            FastRegistrationState::Refused
        );
    }
    // A transient error says to try later, and nothing waits.
    app.sim.faults().set(
        "fastregisterweapp_create",
        Fault {
            errcode: Some(-1),
            times: Some(1),
            ..Fault::default()
        },
    );
    let back = submit(&app, &token, fields(CODE, "1")).await;
    assert!(back.contains("problem=unavailable"));
    assert!(app.html(&back).await.contains("暂时无法连接微信"));
    // The entity is free again at once.
    submit(&app, &token, fields(CODE, "1")).await;
    assert_eq!(
        request_state(&app, company_id).await,
        FastRegistrationState::Pending
    );
    assert_eq!(creates(&app).len(), 10);
    // Ten requests in a day is the invite's limit.
    let back = submit(&app, &token, fields(CODE, "1")).await;
    assert!(back.contains("problem=too_many"), "{back}");
    assert!(app.html(&back).await.contains("已达上限（10 次）"));
    assert_eq!(creates(&app).len(), 10);
}

#[tokio::test]
async fn a_second_request_for_the_same_entity_is_refused_before_calling_wechat() {
    let app = spawn_app().await;
    let (company_id, token) = registration_invite(&app, "快注公司", true).await;
    let form = RegistrationForm {
        name: ENTERPRISE.into(),
        code: CODE.into(),
        code_type: 1,
        legal_persona_wechat: WECHAT_ID.into(),
        legal_persona_name: "张三".into(),
        component_phone: None,
    };
    app.platform
        .fast_registrations()
        .start(
            StartedBy::Admin {
                company_id,
                admin: "operator",
            },
            &form,
        )
        .await
        .unwrap();
    let back = submit(&app, &token, fields(CODE, "1")).await;
    assert!(back.contains("problem=already_pending"), "{back}");
    assert!(app.html(&back).await.contains("已有一个申请在等待法人确认"));
    assert_eq!(creates(&app).len(), 1, "WeChat was called once");
}

#[tokio::test]
async fn a_result_that_matches_no_request_is_kept_and_its_account_waits_for_a_company() {
    let app = spawn_app().await;
    // A task started elsewhere (a script), never through Weiqiao.
    app.sim.with_state(|s, now| {
        s.fast_register_create(
            serde_json::from_value(serde_json::json!({
                "name": "别处申请的公司", "code": CODE, "code_type": 1,
                "legal_persona_wechat": WECHAT_ID, "legal_persona_name": "李四"
            }))
            .unwrap(),
            now,
        )
        .unwrap();
    });
    let answer = app
        .sim_control("/__sim/fast-registrations/confirm", serde_json::json!({}))
        .await;
    let appid = answer["appid"].as_str().unwrap().to_owned();
    app.eventually("the unmatched result is kept", || async {
        !app.platform
            .fast_registrations()
            .recent(10)
            .await
            .unwrap()
            .is_empty()
    })
    .await;
    let kept = &app.platform.fast_registrations().recent(10).await.unwrap()[0];
    assert_eq!(
        (kept.company_id, kept.state),
        (None, FastRegistrationState::Registered)
    );
    assert_eq!(kept.authorizer_appid.as_deref(), Some(appid.as_str()));
    let page = app.html("/fast-registrations").await;
    assert!(
        page.contains("未匹配") && page.contains("别处申请的公司"),
        "{page}"
    );
    // Its refresh token was kept: the account waits on the reconcile page.
    let unassigned = app.html("/unassigned").await;
    assert!(unassigned.contains(&appid), "{unassigned}");
    assert_eq!(app.sim.calls().list(Some("api_query_auth")).len(), 1);
}

#[tokio::test]
async fn a_repeated_result_push_is_processed_once() {
    let app = spawn_app().await;
    let (company_id, token) = registration_invite(&app, "快注公司", true).await;
    submit(&app, &token, fields(CODE, "1")).await;
    let answer = app
        .sim_control("/__sim/fast-registrations/confirm", serde_json::json!({}))
        .await;
    app.eventually("registered", || async {
        request_state(&app, company_id).await == FastRegistrationState::Registered
    })
    .await;
    let xml = answer["push"]["xml"].as_str().unwrap().to_owned();
    // WeChat's retry of the same push, and a re-send with another CreateTime.
    let (status, body) = app.send_push(&app.push_for(&xml)).await;
    assert_eq!((status, body.as_str()), (200, "success"));
    let resent = later_create_time(&xml);
    assert_ne!(resent, xml);
    assert_eq!(app.send_push(&app.push_for(&resent)).await.0, 200);
    // Let both be processed, then: one exchange, one account, one request.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    app.platform.process_due_events().await;
    assert_eq!(app.sim.calls().list(Some("api_query_auth")).len(), 1);
    assert_eq!(
        app.platform
            .onboarding()
            .authorizers_of(company_id)
            .await
            .unwrap()
            .len(),
        1
    );
    let requests = app.platform.fast_registrations().recent(10).await.unwrap();
    assert_eq!(requests.len(), 1, "no unmatched copy");
}

fn later_create_time(xml: &str) -> String {
    let start = xml.find("<CreateTime>").unwrap() + "<CreateTime>".len();
    let end = xml[start..].find('<').unwrap() + start;
    let later: i64 = xml[start..end].parse::<i64>().unwrap() + 5;
    format!("{}{later}{}", &xml[..start], &xml[end..])
}

#[tokio::test]
async fn a_failed_result_shows_the_reason_and_the_merchant_submits_again() {
    let app = spawn_app().await;
    let (company_id, token) = registration_invite(&app, "快注公司", true).await;
    submit(&app, &token, fields(CODE, "1")).await;
    app.sim_control(
        "/__sim/fast-registrations/reject",
        serde_json::json!({"status": 103, "msg": "legal persona name mismatch"}),
    )
    .await;
    app.eventually("failed", || async {
        request_state(&app, company_id).await == FastRegistrationState::Failed
    })
    .await;
    let page = app.html(format!("/onboard/{token}/register?lang=zh")).await;
    assert!(
        page.contains(RegistrationOutcome::describe_zh(103)),
        "{page}"
    );
    assert!(
        page.contains(&format!("value=\"{ENTERPRISE}\"")),
        "filled for a retry"
    );
    let english = app.html(format!("/onboard/{token}/register?lang=en")).await;
    assert!(english.contains("business registry does not match"));
    submit(&app, &token, fields(CODE, "1")).await;
    assert_eq!(
        request_state(&app, company_id).await,
        FastRegistrationState::Pending
    );
}

#[tokio::test]
async fn the_24_hour_timeout_ends_the_request_with_or_without_a_push() {
    let app = spawn_app().await;
    let (company_id, token) = registration_invite(&app, "快注公司", true).await;
    // WeChat's push after 24 hours.
    submit(&app, &token, fields(CODE, "1")).await;
    app.sim_control("/__sim/fast-registrations/timeout", serde_json::json!({}))
        .await;
    app.eventually("failed after 24 h", || async {
        request_state(&app, company_id).await == FastRegistrationState::Failed
    })
    .await;
    let page = app.html(format!("/onboard/{token}/register?lang=zh")).await;
    assert!(page.contains("24 小时内确认"), "{page}");

    // No push at all: the request expires after the 24 hours and the grace.
    renew_component_token(&app).await;
    submit(&app, &token, fields(CODE, "1")).await;
    assert_eq!(
        request_state(&app, company_id).await,
        FastRegistrationState::Pending
    );
    let registrations = app.platform.fast_registrations();
    app.sim
        .clock()
        .advance(std::time::Duration::from_secs(86_400));
    assert_eq!(
        registrations.expire_overdue().await.unwrap(),
        0,
        "the grace is not over"
    );
    app.sim
        .clock()
        .advance(std::time::Duration::from_secs(3_601));
    assert_eq!(registrations.expire_overdue().await.unwrap(), 1);
    let page = app.html(format!("/onboard/{token}/register?lang=zh")).await;
    assert!(page.contains("24 小时内没有收到微信的结果"), "{page}");
    // A result arriving after all still applies.
    renew_component_token(&app).await;
    app.sim_control("/__sim/fast-registrations/confirm", serde_json::json!({}))
        .await;
    app.eventually("a late result applies", || async {
        request_state(&app, company_id).await == FastRegistrationState::Registered
    })
    .await;
}

#[tokio::test]
async fn the_documented_push_form_registers_too() {
    let app = spawn_production_app_configured(&[], |sim| {
        sim.behaviour.fast_register_push = wechat_sim::FastRegisterPushStyle::Documented;
    })
    .await;
    let (company_id, token) = registration_invite(&app, "快注公司", true).await;
    submit(&app, &token, fields(CODE, "1")).await;
    let answer = app
        .sim_control("/__sim/fast-registrations/confirm", serde_json::json!({}))
        .await;
    assert!(
        answer["push"]["xml"]
            .as_str()
            .unwrap()
            .contains("<auth_code>queryauthcode@@@")
    );
    app.eventually("registered", || async {
        request_state(&app, company_id).await == FastRegistrationState::Registered
    })
    .await;
}

#[tokio::test]
async fn only_invites_that_offer_it_and_signed_in_admins_can_start_a_request() {
    let app = spawn_production_app().await;
    let (company_id, token) = registration_invite(&app, "快注公司", false).await;
    let page = app.html(format!("/onboard/{token}")).await;
    assert!(!page.contains("还没有小程序？"));
    assert!(
        app.html(format!("/onboard/{token}/register"))
            .await
            .contains("这个邀请不提供快速注册")
    );
    submit(&app, &token, fields(CODE, "1")).await;
    assert!(creates(&app).is_empty());
    // A revoked invite that offered it: nothing is sent either.
    let (_, offered) = registration_invite(&app, "另一家", true).await;
    let invite_id = app
        .platform
        .onboarding()
        .open_invite(&offered)
        .await
        .unwrap()
        .id;
    app.platform
        .onboarding()
        .revoke_invite(invite_id)
        .await
        .unwrap();
    submit(&app, &offered, fields(CODE, "1")).await;
    assert!(creates(&app).is_empty());
    // A cross-site form post to a merchant's page is refused before anything runs.
    let (_, offered_too) = registration_invite(&app, "第三家", true).await;
    let mut form = vec![("token", offered_too.clone()), ("lang", "zh".to_owned())];
    form.extend(fields(CODE, "1"));
    // (A client of its own: the test browsers send our Origin on every request.)
    let foreign = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    for origin in [Some("https://evil.example"), None] {
        let mut request = foreign
            .post(app.url("/api/onboard/register"))
            .header("accept", "text/html")
            .form(&form);
        if let Some(origin) = origin {
            request = request.header("origin", origin);
        }
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), 403, "{origin:?}");
    }
    assert!(creates(&app).is_empty());
    // The admin side answers 401 without a session.
    let anonymous = app.anonymous_client();
    for path in [
        "/api/admin/fast-registrations/start",
        "/api/admin/fast-registrations/list",
    ] {
        let response = anonymous
            .post(app.url(path))
            .header("origin", app.url(""))
            .form(&[("company_id", company_id.to_string())])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 401, "{path}");
    }
    let page = anonymous
        .get(app.url("/fast-registrations"))
        .send()
        .await
        .unwrap();
    assert!(
        page.status().is_redirection() || page.status() == 401,
        "{}",
        page.status()
    );
    assert!(creates(&app).is_empty());
    // Signed in, the company page's form sends one.
    let response = app
        .client
        .post(app.url("/api/admin/fast-registrations/start"))
        .header("accept", "text/html")
        .header("referer", app.url(&format!("/companies/{company_id}")))
        .form(&[
            ("company_id", company_id.to_string()),
            ("name", ENTERPRISE.to_owned()),
            ("code", CODE.to_owned()),
            ("code_type", "1".to_owned()),
            ("legal_persona_wechat", WECHAT_ID.to_owned()),
            ("legal_persona_name", "张三".to_owned()),
        ])
        .send()
        .await
        .unwrap();
    assert!(response.status().is_redirection());
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    assert!(location.starts_with(&format!("/companies/{company_id}?registration=")));
    let page = app.html(&location).await;
    assert!(page.contains("已向微信提交注册申请") && page.contains("等待法人确认"));
    assert_eq!(creates(&app).len(), 1);
    let audit = app.platform.admins().audit().latest(5).await.unwrap();
    assert!(audit.iter().any(|e| {
        e.action == Some(platform::audit::AuditAction::FastRegistrationStarted)
            && e.actor == crate::helpers::ADMIN_LOGIN
    }));
}

/// A day went by on the clock: WeChat's next ticket, and the component
/// token the refresher would fetch with it on its next tick.
async fn renew_component_token(app: &TestApp) {
    app.sim_control("/__sim/ticket/push", serde_json::json!({}))
        .await;
    app.platform
        .component()
        .refresh_component_token_if_due()
        .await
        .unwrap();
}
