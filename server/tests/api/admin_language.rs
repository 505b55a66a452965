//! The admin pages in English, in production mode: `?lang=en` switches and a
//! cookie keeps the choice for the next pages and for the forms' server
//! functions (their errors too); `?lang=zh` switches back. zh-CN otherwise.

use crate::account_page::call;
use crate::authorizer_tokens::authorize_accounts;
use crate::production::spawn_production_app;

#[tokio::test]
async fn english_is_asked_once_then_kept_for_pages_and_forms_until_switched_back() {
    let app = spawn_production_app().await;
    let appids = authorize_accounts(&app, 1).await;
    let chinese = app.html("/").await;
    assert!(
        chinese.contains("概览") && chinese.contains(">English<"),
        "{chinese}"
    );

    let response = app.client.get(app.url("/?lang=en")).send().await.unwrap();
    let cookie = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("weiqiao_lang="))
        .unwrap_or_default()
        .to_owned();
    assert!(
        cookie.starts_with("weiqiao_lang=en;") && cookie.contains("HttpOnly"),
        "{cookie}"
    );
    let english = response.text().await.unwrap();
    assert!(english.contains("<h1>Overview"), "{english}");
    assert!(english.contains("lang=\"en\"") && english.contains(">中文<"));
    assert!(!english.contains("一切正常"));

    // Kept: the next pages, without ?lang, are in English.
    let companies = app.html("/companies").await;
    assert!(
        companies.contains("No company's name") || companies.contains("Create company"),
        "{companies}"
    );
    let account = app.html(format!("/accounts/{}", appids[0])).await;
    assert!(
        account.contains("Token health") && account.contains("History"),
        "{account}"
    );
    assert!(
        account.contains("Authorized"),
        "the timeline in English: {account}"
    );
    // A form's error, in English.
    let (status, body) = call(&app, "/api/admin/companies/create", &[("name", "  ")]).await;
    assert!(status >= 400);
    assert_eq!(
        body["Validation"]["message"], "Enter the company's name.",
        "{body}"
    );

    // The switch keeps the page's filters.
    let accounts = app.html("/accounts?status=active").await;
    assert!(
        accounts.contains("href=\"/accounts?status=active&amp;lang=zh\""),
        "{accounts}"
    );
    // And back.
    assert!(app.html("/?lang=zh").await.contains("<h1>概览"));
    assert!(app.html("/companies").await.contains("创建公司"));
    let (_, body) = call(&app, "/api/admin/companies/create", &[("name", "  ")]).await;
    assert_eq!(body["Validation"]["message"], "请填写公司名称。");
}
