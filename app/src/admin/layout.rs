//! The frame around every page: brand, navigation and the sandbox banner.

use leptos::prelude::*;

use crate::api::site::get_site_info;

/// Header, optional sandbox banner, and the page below.
#[component]
pub fn Layout(children: Children) -> impl IntoView {
    let site = Resource::new(|| (), |_| get_site_info());

    view! {
        <Suspense>
            {move || Suspend::new(async move {
                match site.await {
                    Ok(info) if info.sandbox => Some(view! {
                        <div class="sandbox-banner" role="status">
                            <strong>"沙箱模式"</strong>
                            " · 当前连接的是内置的微信模拟器，不会访问真实的微信。"
                        </div>
                    }),
                    _ => None,
                }
            })}
        </Suspense>
        <header class="site-header">
            <a class="brand" href="/">
                <span class="brand-mark" aria-hidden="true">"微"</span>
                <span class="brand-name">"微桥"</span>
                <span class="brand-sub">"第三方平台控制台"</span>
            </a>
            <nav aria-label="主导航">
                <a href="/companies">"公司"</a>
            </nav>
        </header>
        <main class="site-main">{children()}</main>
    }
}
