//! The guard, proven by a crawl in production mode: every admin page and every
//! registered server function, taken from the router's own lists (not a
//! hand-kept one), refuses a request without a session, and a merchant's
//! invite token opens nothing admin.

use reqwest::StatusCode;

use crate::onboarding::invite;
use crate::production::spawn_production_app;

/// A concrete path for a route template (`/companies/{id}` → `/companies/1`).
fn concrete(template: &str, token: &str) -> String {
    template
        .split('/')
        .map(|segment| match segment {
            "{token}" => token.to_owned(),
            s if s.starts_with('{') => "1".to_owned(),
            s => s.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("/")
}

#[tokio::test]
async fn every_admin_page_and_server_function_refuses_a_request_without_a_session() {
    let app = spawn_production_app().await;
    let token = invite(&app, "爬虫测试公司").await;
    let anonymous = app.anonymous_client();
    let cookie_name = "weiqiao_session";

    // Pages, from the route list the router was built from.
    let mut admin_pages = Vec::new();
    for listing in server::router::route_list() {
        let template = listing.path().to_owned();
        let path = concrete(&template, &token);
        let response = anonymous.get(app.url(&path)).send().await.unwrap();
        let location = response
            .headers()
            .get("location")
            .map(|v| v.to_str().unwrap().to_owned());
        let public = template == "/login" || template.starts_with("/onboard");
        if public {
            assert_ne!(
                response.status(),
                StatusCode::SEE_OTHER,
                "{template} is public"
            );
            continue;
        }
        admin_pages.push(template.clone());
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{template}");
        let expected = format!("/login?next={}", urlencode(&path));
        assert_eq!(location.as_deref(), Some(expected.as_str()), "{template}");
        // The invite token as a session cookie opens nothing either.
        let response = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap()
            .get(app.url(&path))
            .header("cookie", format!("{cookie_name}={token}"))
            .send()
            .await
            .unwrap();
        assert_eq!(
            response.status(),
            StatusCode::SEE_OTHER,
            "{template} with an invite token"
        );
    }
    for expected in ["/", "/companies", "/companies/{id}"] {
        assert!(
            admin_pages.iter().any(|p| p == expected),
            "{expected} in {admin_pages:?}"
        );
    }

    // Server functions, from server_fn's own registry.
    let mut admin_functions = 0;
    for (path, method) in leptos::server_fn::axum::server_fn_paths() {
        assert!(
            ["/api/admin/", "/api/onboard/", "/api/public/"]
                .iter()
                .any(|prefix| path.starts_with(prefix)),
            "{path} is outside the admin, onboard and public prefixes"
        );
        if !path.starts_with("/api/admin/") {
            continue;
        }
        admin_functions += 1;
        let attempts = [
            anonymous
                .request(method.clone(), app.url(path))
                .form(&[("company_id", "1")]),
            anonymous
                .request(method.clone(), app.url(&format!("{path}?token={token}")))
                .header("cookie", format!("{cookie_name}={token}"))
                .header("authorization", format!("Bearer {token}"))
                .form(&[("token", token.as_str())]),
        ];
        for attempt in attempts {
            let response = attempt.send().await.unwrap();
            assert_eq!(
                response.status(),
                StatusCode::UNAUTHORIZED,
                "{method} {path}"
            );
            assert!(
                response.text().await.unwrap().is_empty(),
                "{path}: no data in a refusal"
            );
        }
    }
    assert!(
        admin_functions >= 7,
        "found {admin_functions} admin server functions"
    );

    // Signed in, the same functions answer.
    let response = app
        .client
        .post(app.url("/api/admin/companies/page"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.text().await.unwrap().contains("爬虫测试公司"));
}

#[tokio::test]
async fn admin_responses_are_never_cached_and_merchant_pages_show_no_admin_navigation() {
    let app = spawn_production_app().await;
    let response = app.client.get(app.url("/companies")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["cache-control"], "no-store");
    let html = response.text().await.unwrap();
    assert!(html.contains("退出登录") && html.contains(crate::helpers::ADMIN_LOGIN));

    let token = invite(&app, "导航测试公司").await;
    for lang in ["zh", "en"] {
        let html = app
            .anonymous_client()
            .get(app.url(&format!("/onboard/{token}?lang={lang}")))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(html.contains("导航测试公司"), "{lang}");
        assert!(
            !html.contains("href=\"/companies\"") && !html.contains("/logout"),
            "{lang}"
        );
        assert!(
            !html.contains("第三方平台控制台"),
            "{lang}: no console chrome"
        );
        if lang == "en" {
            assert!(
                html.contains("Weiqiao") && !html.contains("微桥</span>"),
                "header in English"
            );
        }
    }
}

fn urlencode(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}
