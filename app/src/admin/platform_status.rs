//! The admin's view of the platform's connection to WeChat: is the component
//! token fresh, when did the last ticket arrive, what failed last.

use leptos::prelude::*;

use crate::admin::api::status::get_platform_status;
use crate::i18n::admin_lang;

#[component]
pub fn PlatformStatusCard() -> impl IntoView {
    let lang = admin_lang();
    let status = Resource::new(|| (), |_| get_platform_status());
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                status.await.ok().map(|s| view! {
                    <section class="card status" aria-labelledby="status-title">
                        <h2 id="status-title">{lang.pick("平台状态", "Platform status")}</h2>
                        <dl class="facts">
                            <dt>"component_access_token"</dt>
                            <dd><span class=if s.healthy { "tag ok" } else { "tag warn" }>{s.state}</span>
                                {s.token_expires_at.map(|t| view! { <span class="muted">{lang.pick(" 有效期至 ", " valid until ")} {t}</span> })}</dd>
                            <dt>{lang.pick("最近一次票据", "Newest ticket")}</dt>
                            <dd>{s.ticket_received_at.unwrap_or_else(|| lang.pick("尚未收到", "none received yet").into())}</dd>
                        </dl>
                        {s.last_error.map(|e| view! { <p class="notice error" role="alert">{lang.pick("最近的错误：", "Last error: ")} {e}</p> })}
                    </section>
                })
            })}
        </Transition>
    }
}
