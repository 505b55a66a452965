//! Facts about the deployment that every page shows (sandbox banner, version),
//! and the page language as the server decided it. Public: the sign-in and
//! merchant pages show them too.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::UiError;
use crate::i18n::Lang;

/// What the layouts need to know about this deployment and this request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SiteInfo {
    /// Running against the built-in WeChat emulator.
    pub sandbox: bool,
    pub version: String,
    /// `?lang=` if given, else the browser's preference.
    pub lang: Lang,
}

#[server(prefix = "/api/public", endpoint = "site")]
pub async fn get_site_info(lang: Option<String>) -> Result<SiteInfo, UiError> {
    let platform = crate::shared::ssr::platform()?;
    Ok(SiteInfo {
        sandbox: platform.settings().sandbox,
        version: env!("CARGO_PKG_VERSION").to_owned(),
        lang: crate::shared::ssr::lang(lang).await,
    })
}

/// The sandbox banner, in the page's language.
#[component]
pub fn SandboxBanner(lang: Lang) -> impl IntoView {
    view! {
        <div class="sandbox-banner" role="status">
            <strong>{lang.pick("沙箱模式", "Sandbox mode")}</strong>
            {lang.pick(
                " · 当前连接的是内置的微信模拟器，不会访问真实的微信。",
                " · Connected to the built-in WeChat emulator; real WeChat is never contacted.",
            )}
        </div>
    }
}
