//! The frame of pages anyone may open (the merchant's pages, sign-in): the
//! brand and the sandbox banner in the page's language, and no admin navigation.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::UiError;
use crate::shared::site::{SandboxBanner, SiteInfo, get_site_info};

/// The site facts for the page's `?lang=`, as the frame loads them.
pub type SiteResource = Resource<Result<SiteInfo, UiError>>;

/// The site facts for this request's `?lang=` (a page that needs the language
/// too passes the same resource to [`PublicLayout`], so it loads once).
pub fn site_resource() -> SiteResource {
    let query = use_query_map();
    Resource::new(move || query.read().get("lang"), get_site_info)
}

#[component]
pub fn PublicLayout(
    children: Children,
    /// The page's own [`site_resource`], if it has one.
    #[prop(optional)]
    site: Option<SiteResource>,
) -> impl IntoView {
    let site = site.unwrap_or_else(site_resource);
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
