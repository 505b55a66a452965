//! The audit log page over HTTP: what admins did and every sign-in, filtered by
//! who acted and by object, a page at a time; refused sign-ins stand out.

use crate::helpers::{ADMIN_LOGIN, spawn_app};

#[tokio::test]
async fn the_audit_log_shows_actions_and_refused_sign_ins_and_filters_them() {
    let app = spawn_app().await;
    // An admin action, through the form as a browser posts it.
    let created = app
        .client
        .post(app.url("/api/admin/companies/create"))
        .header("accept", "text/html")
        .form(&[("name", "审计测试公司")])
        .send()
        .await
        .unwrap();
    assert!(created.status().is_redirection());
    let company = app.platform.companies().list().await.unwrap()[0].id;
    // A refused sign-in from someone else.
    let stranger = app.anonymous_client();
    let refused = app.sign_in(&stranger, "intruder", "not the password").await;
    assert!(
        refused.status().is_redirection(),
        "back to the form, with the error"
    );

    let html = app.html("/audit").await;
    assert!(html.contains("审计日志"), "{html}");
    assert!(html.contains("创建公司") && html.contains(&format!("company:{company}")));
    assert!(html.contains("登录失败") && html.contains("intruder"));
    assert!(html.contains("class=\"refused\""), "the refusal is marked");
    assert!(html.contains(ADMIN_LOGIN));

    let mine = app.html(format!("/audit?actor={ADMIN_LOGIN}")).await;
    assert!(mine.contains("创建公司") && !mine.contains("intruder"));
    let of_company = app.html(format!("/audit?object=company:{company}")).await;
    assert!(of_company.contains("创建公司") && !of_company.contains("登录失败"));
    let nobody = app.html("/audit?actor=nobody").await;
    assert!(nobody.contains("没有符合条件的记录"));
}

#[tokio::test]
async fn the_audit_log_pages_fifty_at_a_time_and_cannot_be_changed() {
    let app = spawn_app().await;
    let audit = app.platform.admins().audit();
    let pager = platform::audit::Actor {
        admin_id: None,
        name: "pager".into(),
        client_addr: Some("192.0.2.1".into()),
    };
    for n in 0..60 {
        audit
            .record(
                &pager,
                platform::audit::AuditAction::InviteCreated,
                Some(&format!("invite:{n}")),
                None,
            )
            .await
            .unwrap();
    }
    let first = app.html("/audit?actor=pager").await;
    assert_eq!(first.matches("data-audit-id=").count(), 50);
    assert!(first.contains("invite:59") && !first.contains("invite:9<"));
    let next = first
        .split("href=\"")
        .find(|s| s.starts_with("/audit?before="))
        .and_then(|s| s.split('"').next())
        .expect("a link to older entries")
        .replace("&amp;", "&");
    assert!(next.contains("actor=pager"), "the filter is kept: {next}");
    let second = app.html(&next).await;
    assert_eq!(second.matches("data-audit-id=").count(), 10);
    assert!(second.contains("invite:0<") && !second.contains("更早的记录"));

    // Nothing changes the log from the UI: its only server function lists it.
    let functions: Vec<String> = leptos::server_fn::axum::server_fn_paths()
        .map(|(path, _)| path.to_owned())
        .filter(|path| path.contains("audit"))
        .collect();
    assert_eq!(functions, ["/api/admin/audit/list"]);
}
