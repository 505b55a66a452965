//! Companies through HTTP: the server functions behind the form, and the page.

use crate::helpers::spawn_app;

const CREATE: &str = "/api/ui/companies/create";

#[tokio::test]
async fn the_companies_page_shows_an_empty_state_on_a_fresh_database() {
    let app = spawn_app().await;
    let page = app.client.get(app.url("/")).send().await.unwrap();
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
    // Leptos sends the browser back to the page the form was on.
    let location = response.headers()["location"].to_str().unwrap();
    assert!(location.starts_with(&app.url("/companies")), "{location}");

    let html = app.html("/companies").await;
    assert!(html.contains("上海测试科技有限公司"));
    assert!(!html.contains("还没有公司"));
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
