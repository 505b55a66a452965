//! The frame of every admin page: brand, navigation, the language switch,
//! who is signed in with the sign-out button, and the sandbox banner; in the
//! admin's language ([`admin_lang`]), which a `?lang=` link switches and a
//! cookie keeps.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_location;

use crate::admin::api::me::get_signed_in;
use crate::i18n::{Lang, admin_lang};
use crate::shared::site::{SandboxBanner, get_site_info};

#[component]
pub fn AdminLayout(children: Children) -> impl IntoView {
    let lang = admin_lang();
    remember_language();
    let site = Resource::new(|| (), |_| get_site_info(Some("zh".to_owned())));
    let me = Resource::new(|| (), |_| get_signed_in());
    let nav = [
        ("/", lang.pick("概览", "Overview")),
        ("/companies", lang.pick("公司", "Companies")),
        ("/accounts", lang.pick("帐号", "Accounts")),
        ("/unassigned", lang.pick("对账", "Reconcile")),
        ("/fast-registrations", lang.pick("快速注册", "Registration")),
        ("/events", lang.pick("事件", "Events")),
        ("/webhooks", lang.pick("消息推送", "Webhooks")),
        ("/release-check", lang.pick("全网发布", "Release check")),
        ("/api-keys", lang.pick("API 密钥", "API keys")),
        ("/audit", lang.pick("审计日志", "Audit log")),
    ];

    view! {
        <Title text=lang.pick("微桥 · 第三方平台控制台", "Weiqiao · third-party platform console") />
        <Suspense>
            {move || Suspend::new(async move {
                match site.await {
                    Ok(info) if info.sandbox => Some(view! { <SandboxBanner lang /> }),
                    _ => None,
                }
            })}
        </Suspense>
        <header class="site-header" lang=lang.tag()>
            <a class="brand" href="/">
                <span class="brand-mark" aria-hidden="true">"微"</span>
                <span class="brand-name">{lang.pick("微桥", "Weiqiao")}</span>
                <span class="brand-sub">{lang.pick("第三方平台控制台", "Third-party platform console")}</span>
            </a>
            <nav aria-label=lang.pick("主导航", "Main")>
                {nav.into_iter().map(|(href, label)| view! { <a href=href>{label}</a> }).collect_view()}
            </nav>
            <AdminLangSwitch lang />
            <Suspense>
                {move || Suspend::new(async move {
                    me.await.ok().map(|me| view! {
                        <form class="signed-in" method="post" action="/logout">
                            <span class="muted small">{lang.pick("已登录：", "Signed in: ")} {me.login}</span>
                            <button type="submit" class="button small">{lang.pick("退出登录", "Sign out")}</button>
                        </form>
                    })
                })}
            </Suspense>
        </header>
        <main class="site-main" lang=lang.tag()>{children()}</main>
    }
}

/// The link to this page in the other language (its filters kept).
#[component]
fn AdminLangSwitch(lang: Lang) -> impl IntoView {
    let location = use_location();
    let other = lang.other();
    let href = move || {
        let kept: Vec<String> = location
            .search
            .get()
            .trim_start_matches('?')
            .split('&')
            .filter(|pair| !pair.is_empty() && !pair.starts_with("lang="))
            .map(str::to_owned)
            .chain(std::iter::once(format!("lang={}", other.code())))
            .collect();
        format!("{}?{}", location.pathname.get(), kept.join("&"))
    };
    view! {
        <a class="lang-switch-link" href=href hreflang=other.code() lang=other.tag()>
            {other.pick("中文", "English")}
        </a>
    }
}

/// A page asked in a language (`?lang=`) keeps it: the cookie the next pages
/// and the forms' server functions read.
fn remember_language() {
    #[cfg(feature = "ssr")]
    {
        let query = leptos_router::hooks::use_query_map();
        let asked = query.read_untracked().get("lang");
        if let Some(lang) = Lang::from_query(asked.as_deref())
            && let Some(response) = use_context::<leptos_axum::ResponseOptions>()
            && let Ok(cookie) = http::HeaderValue::from_str(&format!(
                "{}={}; Path=/; Max-Age=31536000; SameSite=Lax; HttpOnly",
                crate::i18n::LANG_COOKIE,
                lang.code()
            ))
        {
            response.append_header(http::header::SET_COOKIE, cookie);
        }
    }
}
