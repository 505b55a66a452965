//! The overview (`/`, the landing page after sign-in): one banner per thing
//! the operator must act on, the component's health, accounts by status, and
//! the traffic of the last hour.

use leptos::prelude::*;

use crate::admin::api::overview::{OverviewView, get_overview};
use crate::admin::layout::AdminLayout;

#[component]
pub fn OverviewPage() -> impl IntoView {
    let overview = Resource::new(|| (), |_| get_overview());
    view! {
        <AdminLayout>
            <section class="page">
                <header class="page-header">
                    <h1>"概览"</h1>
                    <p class="lead">"平台与微信的连接、已授权帐号的状态，以及需要处理的事项。"</p>
                </header>
                <Transition fallback=|| view! { <p class="muted">"加载中…"</p> }>
                    {move || Suspend::new(async move {
                        match overview.await {
                            Ok(o) => view! { <OverviewBody overview=o /> }.into_any(),
                            Err(err) => view! { <p class="error" role="alert">{err.to_string()}</p> }.into_any(),
                        }
                    })}
                </Transition>
            </section>
        </AdminLayout>
    }
}

#[component]
fn OverviewBody(overview: OverviewView) -> impl IntoView {
    let o = overview;
    let alerts = if o.alerts.is_empty() {
        view! { <p class="notice success" role="status">"一切正常，没有需要处理的事项。"</p> }
            .into_any()
    } else {
        o.alerts
            .into_iter()
            .map(|alert| {
                view! {
                    <section class="card notice error alert-banner" role="alert">
                        <h2>{alert.title}</h2>
                        <p>{alert.advice}</p>
                        {alert.link.map(|(href, text)| view! { <p><a class="button small" href=href>{text}</a></p> })}
                    </section>
                }
            })
            .collect_view()
            .into_any()
    };
    view! {
        <div class="alerts">{alerts}</div>
        <div class="stat-grid">
            <section class="card stat" aria-labelledby="stat-component">
                <h2 id="stat-component">"平台令牌"</h2>
                <p class="stat-value">
                    <span class=if o.token_healthy { "tag ok" } else { "tag warn" }>{if o.token_healthy { "正常" } else { "异常" }}</span>
                </p>
                <p class="muted small">{o.token_expires_at.map(|t| format!("有效期至 {t}")).unwrap_or_else(|| "尚未获取".into())}</p>
                <p class="muted small">"最近一次票据：" {o.ticket_age}</p>
            </section>
            <section class="card stat" aria-labelledby="stat-accounts">
                <h2 id="stat-accounts">"授权帐号"</h2>
                <dl class="facts">
                    <dt><a href="/accounts?status=active">"正常"</a></dt><dd data-count="active">{o.active}</dd>
                    <dt><a href="/accounts?status=needs_reauthorization">"需要重新授权"</a></dt><dd data-count="needs_reauthorization">{o.needs_reauthorization}</dd>
                    <dt><a href="/accounts?status=revoked">"已取消授权"</a></dt><dd data-count="revoked">{o.revoked}</dd>
                </dl>
            </section>
            <section class="card stat" aria-labelledby="stat-traffic">
                <h2 id="stat-traffic">"运行情况"</h2>
                <dl class="facts">
                    <dt>"刷新失败中的帐号"</dt><dd data-count="failing_refreshes">{o.failing_refreshes}</dd>
                    <dt>"最近一小时收到的推送"</dt><dd data-count="pushes_last_hour">{o.pushes_last_hour}</dd>
                    <dt>"处理失败的事件"</dt><dd data-count="failed_events">{o.failed_events}</dd>
                </dl>
            </section>
        </div>
    }
}
