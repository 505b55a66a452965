//! First-load page weight: what a browser with an empty cache moves over the
//! wire to show the onboarding page and the sign-in page: the HTML, the
//! stylesheet, the JS glue, the wasm and the icon, each as the server sends it
//! to a browser that accepts brotli and gzip (bodies only; headers excluded).

use std::fmt::Write as _;
use std::net::SocketAddr;

use anyhow::Context as _;

/// The bytes of one page's first load, by kind.
#[derive(Debug, Default)]
pub struct PageWeight {
    pub page: &'static str,
    pub html: usize,
    pub css: usize,
    pub js: usize,
    pub wasm: usize,
    pub other: usize,
}

impl PageWeight {
    pub fn total(&self) -> usize {
        self.html + self.css + self.js + self.wasm + self.other
    }
}

/// Signs in as the sandbox's demo admin, creates an invite, then weighs its
/// onboarding page and the sign-in page.
pub async fn measure(address: SocketAddr, admin_password: &str) -> anyhow::Result<Vec<PageWeight>> {
    let base = format!("http://{address}");
    let admin = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()?;
    let signed_in = admin
        .post(format!("{base}/login"))
        .header("origin", &base)
        .form(&[("login", "demo"), ("password", admin_password)])
        .send()
        .await?;
    anyhow::ensure!(
        signed_in.status().as_u16() == 303,
        "sign-in failed: {}",
        signed_in.status()
    );
    let company: serde_json::Value = admin
        .post(format!("{base}/api/admin/companies/create"))
        .header("origin", &base)
        .form(&[("name", "页面体积测试")])
        .send()
        .await?
        .json()
        .await
        .context("creating the company")?;
    let company_id = company["id"].as_i64().context("company id")?.to_string();
    let invite: serde_json::Value = admin
        .post(format!("{base}/api/admin/invites/create"))
        .header("origin", &base)
        .form(&[
            ("company_id", company_id.as_str()),
            ("auth_type", "3"),
            ("biz_appid", ""),
            ("valid_days", "7"),
        ])
        .send()
        .await?
        .json()
        .await
        .context("creating the invite")?;
    let invite_url = invite["url"].as_str().context("invite url")?;
    let invite_path = url_path(invite_url);

    let mut pages = Vec::new();
    for (page, path) in [
        ("onboarding page", invite_path.as_str()),
        ("sign-in page", "/login"),
    ] {
        pages.push(weigh(&base, page, path).await?);
    }
    Ok(pages)
}

fn url_path(url: &str) -> String {
    url.splitn(4, '/')
        .nth(3)
        .map(|rest| format!("/{rest}"))
        .unwrap_or_else(|| "/".into())
}

/// A fresh browser: no cookies, accepts brotli and gzip, decompresses nothing
/// (reqwest is built without decompression), so `bytes()` is the wire body.
async fn weigh(base: &str, page: &'static str, path: &str) -> anyhow::Result<PageWeight> {
    let browser = reqwest::Client::new();
    let get = |path: String| {
        browser
            .get(format!("{base}{path}"))
            .header("accept-encoding", "br, gzip")
            .header("accept-language", "zh-CN,zh;q=0.9")
            .send()
    };
    let mut weight = PageWeight {
        page,
        ..PageWeight::default()
    };
    let response = get(path.to_owned()).await?;
    anyhow::ensure!(
        response.status().is_success(),
        "{path}: {}",
        response.status()
    );
    weight.html = response.bytes().await?.len();
    // The same page uncompressed, to find what it loads.
    let html = browser
        .get(format!("{base}{path}"))
        .send()
        .await?
        .text()
        .await?;
    for asset in assets(&html) {
        let response = get(asset.clone()).await?;
        anyhow::ensure!(
            response.status().is_success(),
            "{asset}: {}",
            response.status()
        );
        let bytes = response.bytes().await?.len();
        match asset.rsplit('.').next() {
            Some("css") => weight.css += bytes,
            Some("js") => weight.js += bytes,
            Some("wasm") => weight.wasm += bytes,
            _ => weight.other += bytes,
        }
    }
    Ok(weight)
}

/// What a browser fetches on its own: `/pkg/…` files and the icon, once each.
fn assets(html: &str) -> Vec<String> {
    let mut found = Vec::new();
    for quoted in html.split('"').skip(1).step_by(2) {
        let wanted = quoted.starts_with("/pkg/") || quoted == "/favicon.svg";
        if wanted && !found.iter().any(|f| f == quoted) {
            found.push(quoted.to_owned());
        }
    }
    found
}

/// The table for `bench/results.md`.
pub fn report(pages: &[PageWeight]) -> anyhow::Result<String> {
    let kb = |bytes: usize| format!("{:.1}", bytes as f64 / 1000.0);
    let mut out = String::new();
    writeln!(out, "\n## First-load page weight\n")?;
    writeln!(
        out,
        "Release build, an empty cache accepting brotli and gzip: response bodies in kB (1 kB = 1,000 bytes), headers excluded. Target: ≤ 200 kB in all.\n"
    )?;
    writeln!(
        out,
        "| page | HTML | CSS | JS | wasm | icon | total | target |"
    )?;
    writeln!(out, "|---|---|---|---|---|---|---|---|")?;
    for page in pages {
        let verdict = if page.total() <= 200_000 {
            "≤ 200 ✔"
        } else {
            "≤ 200 ✘"
        };
        writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | **{}** | {verdict} |",
            page.page,
            kb(page.html),
            kb(page.css),
            kb(page.js),
            kb(page.wasm),
            kb(page.other),
            kb(page.total())
        )?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn assets_are_the_pkg_files_and_the_icon_once_each() {
        let html = r#"<link rel="modulepreload" href="/pkg/weiqiao.js"><link rel="preload" href="/pkg/weiqiao.wasm"><link href="/pkg/weiqiao.css"><a href="/companies">x</a><link href="/favicon.svg"><script>import("/pkg/weiqiao.js")</script>"#;
        assert_eq!(
            assets(html),
            [
                "/pkg/weiqiao.js",
                "/pkg/weiqiao.wasm",
                "/pkg/weiqiao.css",
                "/favicon.svg"
            ]
        );
        assert_eq!(
            url_path("http://127.0.0.1:3000/onboard/abc"),
            "/onboard/abc"
        );
    }
}
