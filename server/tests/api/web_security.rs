//! Web security over HTTP in production mode: cross-site requests, foreign
//! hosts, security headers, body limits and the token service's own listener.

use reqwest::StatusCode;
use reqwest::header::{HOST, ORIGIN, REFERER};

use crate::helpers::{ADMIN_LOGIN, ADMIN_PASSWORD};
use crate::production::{spawn_production_app, spawn_production_app_with};

const CREATE: &str = "/api/admin/companies/create";

#[tokio::test]
async fn a_cross_site_post_is_refused_even_with_a_valid_session() {
    let app = spawn_production_app().await;
    // A signed-in browser whose requests carry only what we set on each.
    let browser = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .cookie_store(true)
        .build()
        .unwrap();
    let signed_in = browser
        .post(app.url("/login"))
        .header(ORIGIN, &app.address)
        .form(&[("login", ADMIN_LOGIN), ("password", ADMIN_PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(signed_in.status(), StatusCode::SEE_OTHER);

    // A form on another site, posting into ours with the admin's cookie.
    let forged = browser
        .post(app.url(CREATE))
        .header(ORIGIN, "https://evil.example")
        .form(&[("name", "跨站伪造公司")])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    // Neither Origin nor Referer: refused too.
    let bare = browser
        .post(app.url(CREATE))
        .form(&[("name", "无来源公司")])
        .send()
        .await
        .unwrap();
    assert_eq!(bare.status(), StatusCode::FORBIDDEN);
    // A forged sign-out or sign-in is refused as well.
    for path in ["/logout", "/login"] {
        let forged = browser
            .post(app.url(path))
            .header(REFERER, "https://evil.example/page")
            .form(&[("login", ADMIN_LOGIN), ("password", ADMIN_PASSWORD)])
            .send()
            .await
            .unwrap();
        assert_eq!(forged.status(), StatusCode::FORBIDDEN, "{path}");
    }
    let names: Vec<String> = app
        .platform
        .companies()
        .list()
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.name)
        .collect();
    assert!(names.is_empty(), "nothing was created: {names:?}");

    // From our own page (a Referer without Origin, as older browsers send): accepted.
    let ours = browser
        .post(app.url(CREATE))
        .header(REFERER, app.url("/companies"))
        .form(&[("name", "本站公司")])
        .send()
        .await
        .unwrap();
    assert_eq!(ours.status(), StatusCode::OK);
    // WeChat's pushes carry no Origin and are not refused for it (their signature is checked).
    let push = browser
        .post(app.url("/wechat/component/events"))
        .body("x")
        .send()
        .await
        .unwrap();
    assert_ne!(push.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_request_for_another_host_is_refused() {
    let app = spawn_production_app().await;
    let port = app.address.rsplit(':').next().unwrap().to_owned();
    for host in [
        "evil.example",
        "rebind.evil.example:80",
        &format!("evil.example:{port}"),
    ] {
        let response = app
            .client
            .get(app.url("/login"))
            .header(HOST, host)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::MISDIRECTED_REQUEST, "{host}");
    }
    for host in [format!("127.0.0.1:{port}"), format!("localhost:{port}")] {
        let response = app
            .client
            .get(app.url("/healthz"))
            .header(HOST, &host)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{host}");
    }
    // The public URL's host, as a reverse proxy passes it on.
    let app =
        spawn_production_app_with(&[("WEIQIAO_PUBLIC_URL", "https://weiqiao.example.com")]).await;
    let response = app
        .client
        .get(app.url("/healthz"))
        .header(HOST, "weiqiao.example.com")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn pages_carry_a_nonce_csp_and_the_other_security_headers() {
    let app = spawn_production_app().await;
    let response = app
        .anonymous_client()
        .get(app.url("/login"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let headers = response.headers().clone();
    let csp = headers["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        csp.contains("'wasm-unsafe-eval'") && csp.contains("frame-ancestors 'none'"),
        "{csp}"
    );
    assert!(!csp.contains("unsafe-inline"), "{csp}");
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(headers["x-frame-options"], "DENY");
    assert_eq!(headers["referrer-policy"], "same-origin");
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .and_then(|rest| rest.split('\'').next())
        .unwrap()
        .to_owned();
    let html = response.text().await.unwrap();
    // Every inline script carries the header's nonce, so the browser runs it.
    let scripts = html.matches("<script").count();
    assert!(scripts > 0, "hydration scripts present");
    assert_eq!(
        html.matches(&format!("nonce=\"{nonce}\"")).count(),
        scripts,
        "{html}"
    );

    // Another request, another nonce.
    let again = app
        .anonymous_client()
        .get(app.url("/login"))
        .send()
        .await
        .unwrap();
    assert_ne!(
        again.headers()["content-security-policy"].to_str().unwrap(),
        csp
    );
    // The merchant's pages send WeChat the origin only.
    let onboard = app
        .anonymous_client()
        .get(app.url("/onboard/unknown-token"))
        .send()
        .await
        .unwrap();
    assert_eq!(onboard.headers()["referrer-policy"], "strict-origin");
}

#[tokio::test]
async fn an_oversized_body_is_refused_before_any_handler() {
    let app = spawn_production_app().await;
    let name = "名".repeat(200_000);
    let response = app
        .client
        .post(app.url(CREATE))
        .form(&[("name", name)])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
}

#[tokio::test]
async fn the_token_service_can_live_on_its_own_listener_only() {
    let app = spawn_production_app_with(&[("WEIQIAO_API_ADDR", "127.0.0.1:0")]).await;
    let api = app.api_address.clone().expect("API listener");
    let path = "/api/v1/component/access_token";
    let main = app.client.get(app.url(path)).send().await.unwrap();
    assert_eq!(
        main.status(),
        StatusCode::NOT_FOUND,
        "not on the public listener"
    );
    let internal = reqwest::get(format!("{api}{path}")).await.unwrap();
    assert_eq!(
        internal.status(),
        StatusCode::UNAUTHORIZED,
        "there, behind its API keys"
    );
    // The internal listener serves nothing else.
    let page = reqwest::get(format!("{api}/login")).await.unwrap();
    assert_eq!(page.status(), StatusCode::NOT_FOUND);
}
