//! The admin's view of the platform's connection to WeChat: is the component
//! token fresh, when did the last ticket arrive, what failed last.

use leptos::prelude::*;

use crate::admin::api::status::get_platform_status;

#[component]
pub fn PlatformStatusCard() -> impl IntoView {
    let status = Resource::new(|| (), |_| get_platform_status());
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                status.await.ok().map(|s| view! {
                    <section class="card status" aria-labelledby="status-title">
                        <h2 id="status-title">"平台状态"</h2>
                        <dl class="facts">
                            <dt>"component_access_token"</dt>
                            <dd><span class=if s.healthy { "tag ok" } else { "tag warn" }>{s.state}</span>
                                {s.token_expires_at.map(|t| view! { <span class="muted">" 有效期至 " {t}</span> })}</dd>
                            <dt>"最近一次票据"</dt>
                            <dd>{s.ticket_received_at.unwrap_or_else(|| "尚未收到".into())}</dd>
                        </dl>
                        {s.last_error.map(|e| view! { <p class="notice error" role="alert">"最近的错误：" {e}</p> })}
                    </section>
                })
            })}
        </Transition>
    }
}
