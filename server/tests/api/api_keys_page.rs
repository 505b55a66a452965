//! The API keys page over HTTP, as a browser without JavaScript uses it:
//! create a key (shown once, only to its creator), use it, revoke it after
//! the confirmation, and find both actions in the audit log.

use crate::helpers::{TestApp, spawn_app};

/// Posts a form to an admin server function as a browser does; returns the redirect.
pub(crate) async fn post_form(
    app: &TestApp,
    client: &reqwest::Client,
    path: &str,
    form: &[(&str, &str)],
) -> String {
    let response = client
        .post(app.url(path))
        .header("accept", "text/html")
        .form(form)
        .send()
        .await
        .unwrap();
    assert!(
        response.status().is_redirection(),
        "{path}: {}",
        response.status()
    );
    response.headers()["location"].to_str().unwrap().to_owned()
}

/// The key shown in the page's "created" box, if any.
fn new_key(html: &str) -> Option<String> {
    let element = html.find("data-new-key")?;
    let at = element + html[element..].find('>')? + 1;
    Some(html[at..at + html[at..].find('<')?].to_owned())
}

#[tokio::test]
async fn a_key_is_created_shown_once_to_its_creator_used_and_revoked() {
    let app = spawn_app().await;
    let location = post_form(
        &app,
        &app.client,
        "/api/admin/api-keys/create",
        &[
            ("name", "会员系统"),
            ("scope", "all"),
            ("component", "on"),
            ("expires_days", ""),
        ],
    )
    .await;
    let id: i64 = location
        .strip_prefix("/api-keys?created=")
        .and_then(|id| id.parse().ok())
        .unwrap_or_else(|| panic!("{location}"));

    // Another admin opening the same address sees no key.
    app.platform
        .admins()
        .create(
            "second",
            "second admin's long password",
            &platform::audit::Actor::command_line(),
        )
        .await
        .unwrap();
    let other = app.anonymous_client();
    assert_eq!(
        app.sign_in(&other, "second", "second admin's long password")
            .await
            .status(),
        303
    );
    let theirs = other
        .get(app.url(&location))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(new_key(&theirs), None);

    let page = app.html(&location).await;
    let key = new_key(&page).expect("the key, once");
    assert!(key.starts_with("wq_") && page.contains("复制密钥"));
    let again = app.html(&location).await;
    assert_eq!(new_key(&again), None, "shown only once");
    assert!(again.contains("已经显示过了"));

    // It reads the component token; the list shows its use.
    let read = reqwest::Client::new()
        .get(app.url("/api/v1/component/access_token"))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap();
    assert_eq!(read.status(), 200);
    let list = app.html("/api-keys").await;
    assert!(
        list.contains("会员系统") && list.contains("全部公司 · 平台令牌") && list.contains("启用")
    );
    assert!(!list.contains("从未使用"), "its last use is shown");
    // Today's read, last of the seven days.
    let row = &list[list.find(&format!("data-key-id=\"{id}\"")).unwrap()..];
    let daily = &row[row.find("daily-reads").unwrap()..row.find("</tr>").unwrap()];
    let counts: Vec<&str> = daily
        .split("<span title=")
        .skip(1)
        .filter_map(|span| span.split_once('>')?.1.split('<').next())
        .collect();
    assert_eq!(counts, ["0", "0", "0", "0", "0", "0", "1"], "{daily}");

    // Revoking asks first, then the key stops working.
    let confirm = app.html(format!("/api-keys?confirm_revoke={id}")).await;
    assert!(confirm.contains("确认吊销"));
    let location = post_form(
        &app,
        &app.client,
        "/api/admin/api-keys/revoke",
        &[("id", &id.to_string())],
    )
    .await;
    assert_eq!(location, format!("/api-keys?revoked={id}"));
    let refused = reqwest::Client::new()
        .get(app.url("/api/v1/component/access_token"))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 401);
    assert!(app.html("/api-keys").await.contains("已吊销"));

    let audit = app.html(format!("/audit?object=api_key:{id}")).await;
    assert!(
        audit.contains("创建 API 密钥") && audit.contains("吊销 API 密钥"),
        "{audit}"
    );
}

#[tokio::test]
async fn a_key_for_one_company_reads_only_that_company() {
    let app = spawn_app().await;
    let company = app
        .platform
        .companies()
        .create("只读一家")
        .await
        .unwrap()
        .id;
    let location = post_form(
        &app,
        &app.client,
        "/api/admin/api-keys/create",
        &[
            ("name", "客服系统"),
            ("scope", "one"),
            ("company", " 只读一家 "),
        ],
    )
    .await;
    let key = new_key(&app.html(&location).await).unwrap();
    let info = app.platform.api_keys().authenticate(&key).await.unwrap();
    assert_eq!(info.scope.company_ids, [company]);
    assert!(!info.scope.all_companies && !info.scope.component && !info.scope.invalidate);
    assert!(
        app.html("/api-keys")
            .await
            .contains(&format!("公司 #{company}"))
    );
    // A name no company has is refused, and no key is made.
    let keys_before = app.platform.api_keys().list().await.unwrap().len();
    let (status, body) = crate::account_page::call(
        &app,
        "/api/admin/api-keys/create",
        &[
            ("name", "另一个"),
            ("scope", "one"),
            ("company", "没有这家"),
        ],
    )
    .await;
    assert!(status >= 400, "{status}");
    assert_eq!(body["Validation"]["field"], "company", "{body}");
    assert_eq!(
        app.platform.api_keys().list().await.unwrap().len(),
        keys_before
    );
}
