//! The events pages over HTTP, in production mode: pushes newest first with
//! filters, one push as masked XML (no code or ticket in clear), and a failed
//! push with its reason.

use crate::event_retries::foreign_pre_auth_code;
use crate::production::spawn_production_app_configured;

#[tokio::test]
async fn pushes_are_listed_filtered_and_opened_masked_and_a_failure_says_why() {
    let app = spawn_production_app_configured(&[("WEIQIAO_EVENT_GRACE_SECS", "0")], |_| {}).await;
    crate::onboarding::invite(&app, "事件公司").await;
    let appid = app
        .sim
        .read_state(|s| s.accounts.keys().next().cloned().unwrap());
    // An authorization through a link this platform did not make: its push fails.
    let foreign = foreign_pre_auth_code(&app).await;
    let authorized = app
        .sim_control(
            "/__sim/authorize",
            serde_json::json!({ "pre_auth_code": foreign, "authorizer_appid": appid }),
        )
        .await;
    let code = authorized["auth_code"].as_str().unwrap().to_owned();
    app.eventually("the push to fail", || async {
        app.html("/events?state=failed")
            .await
            .contains("data-event-id=")
    })
    .await;

    // Rows name their InfoType in a <code> cell (the filter's options name them too).
    let row = |info_type: &str| format!("small\">{info_type}<");
    let all = app.html("/events").await;
    assert!(
        all.contains(&row("authorized")) && all.contains(&row("component_verify_ticket")),
        "{all}"
    );
    let failed = app.html("/events?state=failed").await;
    assert!(failed.contains("no company is known"), "{failed}");
    assert!(
        failed.contains(&row("authorized")) && !failed.contains(&row("component_verify_ticket"))
    );
    let tickets = app.html("/events?kind=component_verify_ticket").await;
    assert!(
        tickets.contains(&row("component_verify_ticket")) && !tickets.contains(&row("authorized"))
    );
    let of_account = app.html(format!("/events?appid={appid}")).await;
    assert!(
        of_account.contains(&row("authorized"))
            && !of_account.contains(&row("component_verify_ticket"))
    );
    assert!(
        app.html("/events?hours=1")
            .await
            .contains(&row("authorized"))
    );

    let id = failed
        .split("data-event-id=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap()
        .to_owned();
    let detail = app.html(format!("/events/{id}")).await;
    assert!(
        detail.contains("data-masked-xml") && detail.contains("AuthorizationCode"),
        "{detail}"
    );
    assert!(detail.contains(&appid), "the account is not a secret");
    assert!(!detail.contains(&code), "the authorization code is masked");
    assert!(!detail.contains(&foreign), "the pre_auth_code is masked");
    assert!(detail.contains("处理失败的原因"));
    assert!(
        app.html("/events/999999")
            .await
            .contains("找不到请求的内容")
    );
}
