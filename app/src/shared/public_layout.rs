//! The frame of pages anyone may open (the merchant's pages, sign-in): the
//! brand and the sandbox banner in the page's language, and no admin navigation.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::shared::site::{SandboxBanner, get_site_info};

#[component]
pub fn PublicLayout(children: Children) -> impl IntoView {
    let query = use_query_map();
    let site = Resource::new(move || query.read().get("lang"), get_site_info);
    view! {
        <Suspense fallback=|| view! { <header class="site-header"></header> }>
            {move || Suspend::new(async move {
                let info = site.await.ok();
                let lang = info.as_ref().map(|info| info.lang).unwrap_or_default();
                let sandbox = info.is_some_and(|info| info.sandbox);
                view! {
                    <Title text=lang.pick("微桥", "Weiqiao") />
                    {sandbox.then(|| view! { <SandboxBanner lang /> })}
                    <header class="site-header">
                        <span class="brand">
                            <span class="brand-mark" aria-hidden="true">"微"</span>
                            <span class="brand-name">{lang.pick("微桥", "Weiqiao")}</span>
                        </span>
                    </header>
                }
            })}
        </Suspense>
        <main class="site-main">{children()}</main>
    }
}
