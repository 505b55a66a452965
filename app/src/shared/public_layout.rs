//! The frame of pages anyone may open (the merchant's pages, sign-in): the
//! brand and the sandbox banner in the page's language, and no admin navigation.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::i18n::Lang;
use crate::shared::site::{SandboxBanner, get_site_info};

#[component]
pub fn PublicLayout(children: Children) -> impl IntoView {
    let query = use_query_map();
    let site = Resource::new(move || query.read().get("lang"), get_site_info);
    let lang = move || {
        site.get()
            .and_then(Result::ok)
            .map(|info| info.lang)
            .unwrap_or_default()
    };
    view! {
        <Title text=move || lang().pick("微桥", "Weiqiao") />
        <Suspense>
            {move || Suspend::new(async move {
                match site.await {
                    Ok(info) if info.sandbox => Some(view! { <SandboxBanner lang=info.lang /> }),
                    _ => None,
                }
            })}
        </Suspense>
        <header class="site-header">
            <span class="brand">
                <span class="brand-mark" aria-hidden="true">"微"</span>
                <span class="brand-name">{move || lang().pick("微桥", "Weiqiao")}</span>
            </span>
        </header>
        <main class="site-main">{children()}</main>
    }
}

/// The language the page was asked in, for pages that have no data of their own.
pub fn requested_lang() -> impl Fn() -> Lang + Copy {
    let query = use_query_map();
    move || Lang::from_query(query.read().get("lang").as_deref()).unwrap_or_default()
}
