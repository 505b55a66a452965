//! The frame of every admin page: brand, navigation, who is signed in with the
//! sign-out button, and the sandbox banner. zh-CN (the dashboard's language
//! switch comes with the dashboard screens).

use leptos::prelude::*;
use leptos_meta::Title;

use crate::admin::api::me::get_signed_in;
use crate::i18n::Lang;
use crate::shared::site::{SandboxBanner, get_site_info};

#[component]
pub fn AdminLayout(children: Children) -> impl IntoView {
    let site = Resource::new(|| (), |_| get_site_info(Some("zh".to_owned())));
    let me = Resource::new(|| (), |_| get_signed_in());

    view! {
        <Title text="微桥 · 第三方平台控制台" />
        <Suspense>
            {move || Suspend::new(async move {
                match site.await {
                    Ok(info) if info.sandbox => Some(view! { <SandboxBanner lang=Lang::Zh /> }),
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
                <a href="/">"概览"</a>
                <a href="/companies">"公司"</a>
                <a href="/accounts">"帐号"</a>
                <a href="/unassigned">"对账"</a>
                <a href="/events">"事件"</a>
                <a href="/api-keys">"API 密钥"</a>
                <a href="/audit">"审计日志"</a>
            </nav>
            <Suspense>
                {move || Suspend::new(async move {
                    me.await.ok().map(|me| view! {
                        <form class="signed-in" method="post" action="/logout">
                            <span class="muted small">"已登录：" {me.login}</span>
                            <button type="submit" class="button small">"退出登录"</button>
                        </form>
                    })
                })}
            </Suspense>
        </header>
        <main class="site-main">{children()}</main>
    }
}
