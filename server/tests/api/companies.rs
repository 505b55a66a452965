//! Companies through HTTP: the server functions behind the form, and the page.

use crate::helpers::spawn_app;

const CREATE: &str = "/api/admin/companies/create";

#[tokio::test]
async fn the_companies_page_shows_an_empty_state_on_a_fresh_database() {
    let app = spawn_app().await;
    let page = app.client.get(app.url("/companies")).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("还没有公司"), "empty state missing");
    assert!(html.contains("沙箱模式"), "sandbox banner missing");
    // The platform status card: the component token fetched at start-up is fresh.
    assert!(
        html.contains("平台状态") && html.contains("正常"),
        "platform status missing"
    );
}

#[tokio::test]
async fn a_company_created_without_javascript_redirects_back_and_is_listed() {
    let app = spawn_app().await;
    // What a browser without JavaScript sends when the form is submitted.
    let response = app
        .client
        .post(app.url(CREATE))
        .header("accept", "text/html")
        .header("referer", app.url("/companies"))
        .form(&[("name", "  上海测试科技有限公司  ")])
        .send()
        .await
        .unwrap();
    assert!(
        response.status().is_redirection(),
        "status {}",
        response.status()
    );
    // Back to the companies page, which then says what was created.
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let id = app.platform.companies().list().await.unwrap()[0].id;
    assert_eq!(location, format!("/companies?created={id}"));

    let html = app.html(&location).await;
    assert!(
        html.contains("已创建公司「上海测试科技有限公司」"),
        "{html}"
    );
    assert!(!html.contains("还没有公司"));
    let plain = app.html("/companies").await;
    assert!(plain.contains("上海测试科技有限公司") && !plain.contains("已创建公司"));
}

#[tokio::test]
async fn a_duplicate_name_posted_without_javascript_comes_back_with_the_message_on_the_page() {
    let app = spawn_app().await;
    app.platform.companies().create("Acme").await.unwrap();
    let response = app
        .client
        .post(app.url(CREATE))
        .header("accept", "text/html")
        .header("referer", app.url("/companies"))
        .form(&[("name", "Acme")])
        .send()
        .await
        .unwrap();
    assert!(response.status().is_redirection(), "{}", response.status());
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    assert!(
        location.starts_with(&app.url("/companies?")) && location.contains("__err="),
        "{location}"
    );
    let html = app.html(&location).await;
    assert!(
        html.contains("已有同名公司，请换一个名称。"),
        "the page shows the error"
    );
}

#[tokio::test]
async fn a_duplicate_name_is_refused_with_a_message_for_people() {
    let app = spawn_app().await;
    for expected_ok in [true, false] {
        let response = app
            .client
            .post(app.url(CREATE))
            .form(&[("name", "Acme")])
            .send()
            .await
            .unwrap();
        assert_eq!(
            response.status().is_success(),
            expected_ok,
            "status {}",
            response.status()
        );
        let body = response.text().await.unwrap();
        if !expected_ok {
            assert!(body.contains("已有同名公司"), "{body}");
        }
    }
}

#[tokio::test]
async fn a_blank_name_is_a_validation_error_on_the_name_field() {
    let app = spawn_app().await;
    let response = app
        .client
        .post(app.url(CREATE))
        .form(&[("name", "   ")])
        .send()
        .await
        .unwrap();
    assert!(response.status().is_server_error() || response.status().is_client_error());
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["Validation"]["field"], "name");
    assert_eq!(body["Validation"]["message"], "请填写公司名称。");
}

/// Several applications in one process (as in this test binary): pages keep
/// rendering while others start. Route-list generation at start suppresses
/// every Resource in the process while it runs (leptos-rs/leptos#4773); the
/// server generates it once per process so no render can hang on it.
#[tokio::test]
async fn pages_render_while_other_apps_start_in_the_same_process() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

    let app = spawn_app().await;
    app.platform
        .companies()
        .create("并发渲染公司")
        .await
        .unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let started = Arc::new(AtomicUsize::new(0));
    let starter = {
        let (stop, started) = (stop.clone(), started.clone());
        // Its own thread and runtime, like a test running in parallel.
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async {
                while !stop.load(Ordering::Relaxed) {
                    drop(spawn_app().await);
                    started.fetch_add(1, Ordering::Relaxed);
                }
            });
        })
    };
    let mut renders = 0;
    while started.load(Ordering::Relaxed) < 8 {
        let html = tokio::time::timeout(std::time::Duration::from_secs(10), app.html("/companies"))
            .await
            .expect("a render completes while another app starts");
        assert!(html.contains("并发渲染公司"));
        renders += 1;
    }
    stop.store(true, Ordering::Relaxed);
    starter.join().unwrap();
    assert!(renders > 8, "renders overlapped the starts: {renders}");
}

#[tokio::test]
async fn the_companies_list_searches_pages_and_counts_accounts_by_status() {
    let app = spawn_app().await;
    for n in 0..55 {
        app.platform
            .companies()
            .create(&format!("批量公司{n:02}"))
            .await
            .unwrap();
    }
    app.platform
        .companies()
        .create("上海检索公司")
        .await
        .unwrap();
    let first = app.html("/companies").await;
    assert_eq!(first.matches("data-company-id=").count(), 50);
    let next = first
        .split("href=\"")
        .find(|s| s.starts_with("/companies?before="))
        .and_then(|s| s.split('"').next())
        .expect("a link to older companies")
        .to_owned();
    let second = app.html(&next).await;
    assert_eq!(second.matches("data-company-id=").count(), 6);
    assert!(second.contains("批量公司00"));

    let found = app.html("/companies?q=检索").await;
    assert_eq!(found.matches("data-company-id=").count(), 1);
    assert!(found.contains("上海检索公司"));
    assert!(
        app.html("/companies?q=不存在")
            .await
            .contains("没有名称包含这些文字的公司")
    );

    // Counts by status: one account authorized through an invite.
    let token = crate::onboarding::invite(&app, "计数公司").await;
    let (appid, _) = crate::onboarding::demo_official_account(&app);
    let (page, link) = crate::onboarding::authorization_link(&app, &token).await;
    let callback = crate::onboarding::confirm_on_wechat(&app, &link, &page, &appid).await;
    assert!(
        crate::onboarding::location(&app, &callback)
            .await
            .contains("/result/")
    );
    let row = app.html("/companies?q=计数公司").await;
    assert!(
        row.contains("data-count=\"active\">1<"),
        "one active account"
    );
    assert!(
        row.contains("data-count=\"needs_reauthorization\" class=\"\">0<")
            || row.contains("data-count=\"needs_reauthorization\">0<")
    );
    assert!(row.contains("data-count=\"revoked\">0<"));
}

#[tokio::test]
async fn a_company_is_renamed_from_its_page_a_taken_name_is_refused_and_the_log_says_what_it_became()
 {
    let app = spawn_app().await;
    let id = app
        .platform
        .companies()
        .create("旧名公司")
        .await
        .unwrap()
        .id;
    app.platform.companies().create("已占用公司").await.unwrap();
    let rename = |name: &'static str| {
        app.client
            .post(app.url("/api/admin/companies/rename"))
            .header("accept", "text/html")
            .header("referer", app.url(&format!("/companies/{id}")))
            .form(&[("id", id.to_string()), ("name", name.to_owned())])
            .send()
    };
    let response = rename("  新名公司 ").await.unwrap();
    assert_eq!(
        response.headers()["location"].to_str().unwrap(),
        format!("/companies/{id}?renamed=1")
    );
    let page = app.html(format!("/companies/{id}?renamed=1")).await;
    assert!(
        page.contains("已更新公司名称") && page.contains("<h1>新名公司"),
        "{page}"
    );

    let taken = rename("已占用公司").await.unwrap();
    let location = taken.headers()["location"].to_str().unwrap().to_owned();
    let page = app.html(&location).await;
    assert!(page.contains("已有同名公司"), "{location}: {page}");
    assert_eq!(
        app.platform
            .companies()
            .get(id)
            .await
            .unwrap()
            .unwrap()
            .name,
        "新名公司"
    );
    let audit = app.html(format!("/audit?object=company:{id}")).await;
    assert!(audit.contains("重命名公司") && audit.contains("新名公司"));
}

#[tokio::test]
async fn an_archived_company_keeps_its_accounts_but_its_invites_stop_and_no_new_one_is_made() {
    let app = spawn_app().await;
    let token = crate::onboarding::invite(&app, "归档公司").await;
    let (appid, _) = crate::onboarding::demo_official_account(&app);
    let (page, link) = crate::onboarding::authorization_link(&app, &token).await;
    let callback = crate::onboarding::confirm_on_wechat(&app, &link, &page, &appid).await;
    assert!(
        crate::onboarding::location(&app, &callback)
            .await
            .contains("/result/")
    );
    let id = app.platform.companies().list().await.unwrap()[0].id;

    let response = app
        .client
        .post(app.url("/api/admin/companies/archive"))
        .header("accept", "text/html")
        .form(&[("id", id.to_string())])
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.headers()["location"].to_str().unwrap(),
        format!("/companies/{id}?archived=1")
    );
    // The merchant's link no longer offers authorization.
    let invite_page = app.html(format!("/onboard/{token}")).await;
    assert!(invite_page.contains("邀请链接已被撤销"), "{invite_page}");
    assert!(!invite_page.contains("前往微信授权"));
    // No new invite.
    let refused = app
        .platform
        .onboarding()
        .create_invite(platform::onboarding::NewInviteRequest {
            company_id: id,
            auth_type: platform::onboarding::AuthType::Both,
            biz_appid: None,
            valid_days: 7,
            note: None,
            allows_fast_registration: false,
        })
        .await;
    assert!(matches!(
        refused,
        Err(platform::onboarding::InviteError::CompanyArchived)
    ));
    // The company and its account stay visible.
    let detail = app.html(format!("/companies/{id}")).await;
    assert!(detail.contains("已归档") && detail.contains(&appid));
    assert!(!detail.contains("确认归档"), "archived once");
    assert!(app.html("/companies?q=归档").await.contains("已归档"));
    assert!(
        app.platform
            .authorizer_tokens()
            .access_token(&appid)
            .await
            .is_ok()
    );
    assert!(
        app.html(format!("/audit?object=company:{id}"))
            .await
            .contains("归档公司")
    );
}

#[tokio::test]
async fn an_invite_shows_its_note_how_often_it_was_opened_and_what_it_brought_in() {
    let app = crate::production::spawn_production_app().await;
    let company = app
        .platform
        .companies()
        .create("邀请统计公司")
        .await
        .unwrap();
    let long_note = "备".repeat(201);
    let (status, body) = crate::account_page::call(
        &app,
        "/api/admin/invites/create",
        &[
            ("company_id", &company.id.to_string()),
            ("auth_type", "3"),
            ("biz_appid", ""),
            ("valid_days", "7"),
            ("note", &long_note),
        ],
    )
    .await;
    assert!(status >= 400, "{status}");
    assert_eq!(body["Validation"]["field"], "note", "{body}");
    let (status, body) = crate::account_page::call(
        &app,
        "/api/admin/invites/create",
        &[
            ("company_id", &company.id.to_string()),
            ("auth_type", "3"),
            ("biz_appid", ""),
            ("valid_days", "7"),
            ("note", "  发给财务部张经理 "),
        ],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let invite = app
        .platform
        .onboarding()
        .invites_of(company.id)
        .await
        .unwrap()
        .remove(0);
    assert_eq!(invite.note.as_deref(), Some("发给财务部张经理"));

    // The merchant opens the link twice and authorizes one account through it.
    app.html(format!("/onboard/{}", invite.token)).await;
    let (appid, _) = crate::onboarding::demo_official_account(&app);
    let (page, link) = crate::onboarding::authorization_link(&app, &invite.token).await;
    let callback = crate::onboarding::confirm_on_wechat(&app, &link, &page, &appid).await;
    assert!(
        crate::onboarding::location(&app, &callback)
            .await
            .contains("/result/")
    );

    let html = app.html(format!("/companies/{}", company.id)).await;
    assert!(html.contains("发给财务部张经理"), "{html}");
    assert!(html.contains("data-count=\"opened\">2<"), "{html}");
    assert!(html.contains("data-count=\"brought_in\">1<"), "{html}");
}

#[tokio::test]
async fn the_companies_list_sorts_by_name_page_by_page_and_keeps_the_search() {
    let app = spawn_app().await;
    // 52 names, created in reverse name order, so newest-first differs from name order.
    for i in (0..52).rev() {
        app.platform
            .companies()
            .create(&format!("排序公司{i:02}"))
            .await
            .unwrap();
    }
    let rows = |html: &str| -> Vec<String> {
        html.split("<a href=\"/companies/")
            .skip(1)
            .filter_map(|a| a.split_once('>')?.1.split('<').next().map(str::to_owned))
            .collect()
    };
    let newest = app.html("/companies").await;
    assert_eq!(rows(&newest)[0], "排序公司00");
    let first = app.html("/companies?sort=name").await;
    let names = rows(&first);
    assert_eq!(names.len(), 50);
    assert_eq!(
        (names[0].as_str(), names[49].as_str()),
        ("排序公司00", "排序公司49")
    );
    assert!(first.contains("aria-current=\"page\""));
    let at = first
        .find("sort=name&amp;after=")
        .expect("a next page in name order");
    let href = &first[first[..at].rfind("href=\"").unwrap() + 6..];
    let href = href[..href.find('"').unwrap()].replace("&amp;", "&");
    let second = app.html(&href).await;
    assert_eq!(rows(&second), ["排序公司50", "排序公司51"]);
    // A search in name order.
    let searched = app.html("/companies?q=%E5%85%AC%E5%8F%B84&sort=name").await;
    assert_eq!(rows(&searched)[0], "排序公司40");
    assert!(rows(&searched).iter().all(|n| n.starts_with("排序公司4")));
}
