//! Signing in and out over HTTP in production mode: the form, the limits, the
//! cookie, sessions ending, the client address behind proxies, and a server
//! that refuses a database made for another platform.

use reqwest::StatusCode;

use crate::helpers::{ADMIN_LOGIN, ADMIN_PASSWORD};
use crate::production::{spawn_production_app, spawn_production_app_with};

fn location(response: &reqwest::Response) -> String {
    response.headers()["location"].to_str().unwrap().to_owned()
}

/// The newest `n` audit-log actions, newest first.
async fn audit_actions(app: &crate::helpers::TestApp, n: i64) -> Vec<platform::audit::AuditAction> {
    let entries = app.platform.admins().audit().latest(n).await.unwrap();
    entries.into_iter().filter_map(|e| e.action).collect()
}

fn set_cookie(response: &reqwest::Response) -> String {
    response.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn a_wrong_password_says_so_and_after_the_limit_the_page_states_the_wait() {
    let app = spawn_production_app().await;
    let client = app.anonymous_client();
    for attempt in 1..=5 {
        let response = app.sign_in(&client, ADMIN_LOGIN, "not the password").await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        let to = location(&response);
        if attempt < 5 {
            assert!(
                to.starts_with("/login?error=credentials"),
                "{attempt}: {to}"
            );
        } else {
            assert!(to.starts_with("/login?error=locked&wait="), "{to}");
        }
    }
    let page = client
        .get(app.url("/login?error=credentials"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("登录名或密码不正确"));
    // Locked: even the right password is refused, with the wait.
    let response = app.sign_in(&client, ADMIN_LOGIN, ADMIN_PASSWORD).await;
    let to = location(&response);
    assert!(to.starts_with("/login?error=locked&wait="), "{to}");
    let page = client
        .get(app.url(&to))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("登录失败次数过多") && page.contains("15 分钟"),
        "{page}"
    );
    let english = client
        .get(app.url(&format!("{to}&lang=en")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(english.contains("Too many failed sign-ins"));
    // Every failure is in the audit log, with the login typed and the address.
    let audit = app.platform.admins().audit().latest(50).await.unwrap();
    let failed: Vec<_> = audit
        .iter()
        .filter(|e| e.action == Some(platform::audit::AuditAction::SignInFailed))
        .collect();
    assert_eq!(failed.len(), 5);
    assert!(
        failed
            .iter()
            .all(|e| e.actor == ADMIN_LOGIN && e.client_addr.as_deref() == Some("127.0.0.1"))
    );
}

#[tokio::test]
async fn signing_in_goes_where_the_admin_was_going_but_never_off_site() {
    let app = spawn_production_app().await;
    let client = app.anonymous_client();
    let to = location(&client.get(app.url("/companies?q=1")).send().await.unwrap());
    assert_eq!(to, "/login?next=%2Fcompanies%3Fq%3D1");
    let signed_in = client
        .post(app.url("/login"))
        .form(&[
            ("login", ADMIN_LOGIN),
            ("password", ADMIN_PASSWORD),
            ("next", "/companies?q=1"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(location(&signed_in), "/companies?q=1");
    for next in [
        "//evil.example/x",
        "https://evil.example",
        "/\\evil.example",
    ] {
        let response = client
            .post(app.url("/login"))
            .form(&[
                ("login", ADMIN_LOGIN),
                ("password", ADMIN_PASSWORD),
                ("next", next),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(location(&response), "/", "{next}");
    }
}

#[tokio::test]
async fn the_cookie_is_http_only_lax_and_new_at_every_sign_in() {
    let app = spawn_production_app().await;
    let response = app
        .sign_in(&app.anonymous_client(), ADMIN_LOGIN, ADMIN_PASSWORD)
        .await;
    let cookie = set_cookie(&response);
    assert!(
        cookie.starts_with("weiqiao_session=")
            && cookie.contains("HttpOnly")
            && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    assert!(!cookie.contains("Secure"), "plain http: {cookie}");
    // A session id planted before sign-in (fixation) is not kept.
    let planted = "weiqiao_session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
    let response = app
        .anonymous_client()
        .post(app.url("/login"))
        .header("cookie", planted)
        .form(&[("login", ADMIN_LOGIN), ("password", ADMIN_PASSWORD)])
        .send()
        .await
        .unwrap();
    let fresh = set_cookie(&response);
    assert!(!fresh.contains("AAAAAAAA") && fresh != cookie, "{fresh}");

    let https =
        spawn_production_app_with(&[("WEIQIAO_PUBLIC_URL", "https://weiqiao.example.com")]).await;
    let response = https
        .sign_in(&https.anonymous_client(), ADMIN_LOGIN, ADMIN_PASSWORD)
        .await;
    let cookie = set_cookie(&response);
    assert!(
        cookie.starts_with("__Host-weiqiao_session=")
            && cookie.contains("; Secure")
            && cookie.contains("Path=/"),
        "{cookie}"
    );
}

#[tokio::test]
async fn sign_out_ends_the_session_on_the_server() {
    let app = spawn_production_app().await;
    let response = app
        .sign_in(&app.anonymous_client(), ADMIN_LOGIN, ADMIN_PASSWORD)
        .await;
    let pair = set_cookie(&response).split(';').next().unwrap().to_owned();
    let with_cookie = |path: &str| {
        app.anonymous_client()
            .get(app.url(path))
            .header("cookie", pair.clone())
            .send()
    };
    assert_eq!(
        with_cookie("/companies").await.unwrap().status(),
        StatusCode::OK
    );
    let out = app
        .anonymous_client()
        .post(app.url("/logout"))
        .header("cookie", pair.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(location(&out), "/login?signed_out=1");
    assert!(set_cookie(&out).contains("Max-Age=0"));
    // The old cookie, replayed, opens nothing.
    assert_eq!(
        with_cookie("/companies").await.unwrap().status(),
        StatusCode::SEE_OTHER
    );
    let actions = audit_actions(&app, 10).await;
    assert_eq!(
        actions.first(),
        Some(&platform::audit::AuditAction::SignedOut)
    );
}

#[tokio::test]
async fn an_idle_session_expires() {
    let app = spawn_production_app_with(&[("WEIQIAO_SESSION_IDLE_MINUTES", "1")]).await;
    let companies = || app.client.get(app.url("/companies")).send();
    assert_eq!(companies().await.unwrap().status(), StatusCode::OK);
    app.platform.component().clock().advance(50);
    assert_eq!(companies().await.unwrap().status(), StatusCode::OK);
    app.platform.component().clock().advance(61);
    let response = companies().await.unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert!(location(&response).starts_with("/login"));
}

/// The client address the audit log recorded for the last failed sign-in.
async fn last_failure_address(app: &crate::helpers::TestApp, forwarded_for: &str) -> String {
    let response = app
        .anonymous_client()
        .post(app.url("/login"))
        .header("x-forwarded-for", forwarded_for)
        .form(&[("login", "somebody"), ("password", "wrong")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let latest = app.platform.admins().audit().latest(1).await.unwrap();
    latest[0].client_addr.clone().unwrap()
}

#[tokio::test]
async fn an_untrusted_forwarded_for_is_ignored_and_a_trusted_proxys_is_used() {
    let app = spawn_production_app().await;
    assert_eq!(last_failure_address(&app, "203.0.113.9").await, "127.0.0.1");
    let behind_proxy = spawn_production_app_with(&[("WEIQIAO_TRUSTED_PROXIES", "127.0.0.1")]).await;
    assert_eq!(
        last_failure_address(&behind_proxy, "6.6.6.6, 203.0.113.9").await,
        "203.0.113.9"
    );
}

#[tokio::test]
async fn a_server_refuses_a_database_created_for_another_component() {
    let app = spawn_production_app().await;
    let database = app.database_url.clone();
    let credentials = server::sandbox::load_or_create(&app.dir.path().join("credentials")).unwrap();
    let other = server::sandbox::load_or_create(&app.dir.path().join("other")).unwrap();
    let vars = |appid: &str, key: &str, extra: &[(&str, &str)]| {
        let mut vars: std::collections::HashMap<String, String> = [
            ("LEPTOS_SITE_ADDR", "127.0.0.1:0"),
            ("WEIQIAO_DATABASE_URL", database.as_str()),
            ("WEIQIAO_SECRET_KEY", key),
            ("WECHAT_COMPONENT_APPID", appid),
            ("WECHAT_COMPONENT_APPSECRET", "secret"),
            ("WECHAT_COMPONENT_TOKEN", "token"),
            (
                "WECHAT_COMPONENT_ENCODING_AES_KEY",
                credentials.encoding_aes_key.as_str(),
            ),
            ("WECHAT_API_BASE", app.sim_url.as_str()),
        ]
        .into_iter()
        .chain(extra.iter().copied())
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        vars.insert("WECHAT_MP_BASE".into(), app.sim_url.clone());
        server::config::Config::from_vars(&vars, &app.dir.path().join("data2")).unwrap()
    };
    let build = |config| async move {
        match server::startup::Application::build(config).await {
            Ok(_) => Ok(()),
            Err(err) => Err(format!("{err:#}")),
        }
    };
    let err = build(vars(&other.component_appid, &credentials.secret_key, &[]))
        .await
        .unwrap_err();
    assert!(
        err.contains(&credentials.component_appid) && err.contains("WEIQIAO_ADOPT_DATABASE"),
        "{err}"
    );
    let err = build(vars(&credentials.component_appid, &other.secret_key, &[]))
        .await
        .unwrap_err();
    assert!(err.contains("WEIQIAO_SECRET_KEY"), "{err}");
    let mut sandbox = vars(&credentials.component_appid, &credentials.secret_key, &[]);
    sandbox.sandbox = server::config::Config::from_vars(
        &[
            ("WEIQIAO_SANDBOX".to_owned(), "1".to_owned()),
            ("WECHAT_SIM_LISTEN".to_owned(), "127.0.0.1:0".to_owned()),
        ]
        .into(),
        &app.dir.path().join("sandbox-data"),
    )
    .unwrap()
    .sandbox;
    let err = build(sandbox).await.unwrap_err();
    assert!(
        err.contains("sandbox mode would hand it to the emulator"),
        "{err}"
    );
    // Nobody was revoked or touched by the refused starts; adopting on purpose works.
    build(vars(
        &other.component_appid,
        &credentials.secret_key,
        &[("WEIQIAO_ADOPT_DATABASE", "1")],
    ))
    .await
    .unwrap();
    let actions = audit_actions(&app, 5).await;
    assert!(actions.contains(&platform::audit::AuditAction::DatabaseAdopted));
}
