//! The overview (`/`, the landing page after sign-in): one banner per thing
//! the operator must act on, the component's health, accounts by status, and
//! the traffic of the last hour. Rendered whole on the server; once the page
//! has hydrated, an island fetches the figures again every 30 s, so an
//! overview left open on a screen stays current.

use leptos::prelude::*;

use crate::admin::api::overview::{OverviewView, get_overview};
use crate::admin::layout::AdminLayout;
use crate::i18n::admin_lang;
use crate::shared::views::{failed, loading};

/// How often an open overview fetches its figures again.
pub const LIVE_REFRESH_SECS: u64 = 30;

#[component]
pub fn OverviewPage() -> impl IntoView {
    let lang = admin_lang();
    let overview = Resource::new(|| (), |_| get_overview());
    view! {
        <AdminLayout>
            <section class="page">
                <header class="page-header">
                    <h1>{lang.pick("概览", "Overview")}</h1>
                    <p class="lead">{lang.pick(
                        "平台与微信的连接、已授权帐号的状态，以及需要处理的事项。",
                        "The platform's connection to WeChat, the authorized accounts, and what needs your attention.",
                    )}</p>
                </header>
                <Transition fallback=move || loading(lang)>
                    {move || Suspend::new(async move {
                        match overview.await {
                            Ok(o) => view! { <LiveOverview initial=o /> }.into_any(),
                            Err(err) => failed(err).into_any(),
                        }
                    })}
                </Transition>
            </section>
        </AdminLayout>
    }
}

/// The figures, fetched again every [`LIVE_REFRESH_SECS`] while the page is
/// open (a failed fetch keeps the last figures).
#[island]
fn LiveOverview(initial: OverviewView) -> impl IntoView {
    let overview = RwSignal::new(initial);
    #[cfg(feature = "hydrate")]
    {
        let interval = set_interval_with_handle(
            move || {
                leptos::task::spawn_local(async move {
                    if let Ok(fresh) = get_overview().await {
                        overview.set(fresh);
                    }
                });
            },
            std::time::Duration::from_secs(LIVE_REFRESH_SECS),
        );
        if let Ok(interval) = interval {
            on_cleanup(move || interval.clear());
        }
    }
    view! {
        <div data-live-overview>
            {move || view! { <OverviewBody overview=overview.get() /> }}
        </div>
    }
}

#[component]
fn OverviewBody(overview: OverviewView) -> impl IntoView {
    let o = overview;
    let lang = o.lang;
    let alerts = if o.alerts.is_empty() {
        view! { <p class="notice success" role="status">{lang.pick("一切正常，没有需要处理的事项。", "All is well: nothing needs your attention.")}</p> }
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
    let healthy = if o.token_healthy {
        lang.pick("正常", "Healthy")
    } else {
        lang.pick("异常", "Failing")
    };
    let expiry = match (o.token_expires_at, lang) {
        (Some(t), crate::i18n::Lang::Zh) => format!("有效期至 {t}"),
        (Some(t), crate::i18n::Lang::En) => format!("Valid until {t}"),
        (None, _) => lang.pick("尚未获取", "Not fetched yet").to_owned(),
    };
    view! {
        <div class="alerts">{alerts}</div>
        <div class="stat-grid">
            <section class="card stat" aria-labelledby="stat-component">
                <h2 id="stat-component">{lang.pick("平台令牌", "Component token")}</h2>
                <p class="stat-value">
                    <span class=if o.token_healthy { "tag ok" } else { "tag warn" }>{healthy}</span>
                </p>
                <p class="muted small">{expiry}</p>
                <p class="muted small">{lang.pick("最近一次票据：", "Newest ticket: ")} {o.ticket_age}</p>
            </section>
            <section class="card stat" aria-labelledby="stat-accounts">
                <h2 id="stat-accounts">{lang.pick("授权帐号", "Authorized accounts")}</h2>
                <dl class="facts">
                    <dt><a href="/accounts?status=active">{lang.pick("正常", "Active")}</a></dt><dd data-count="active">{o.active}</dd>
                    <dt><a href="/accounts?status=needs_reauthorization">{lang.pick("需要重新授权", "Needs re-authorization")}</a></dt><dd data-count="needs_reauthorization">{o.needs_reauthorization}</dd>
                    <dt><a href="/accounts?status=revoked">{lang.pick("已取消授权", "Revoked")}</a></dt><dd data-count="revoked">{o.revoked}</dd>
                    <dt><a href="/unassigned">{lang.pick("待归属", "Unassigned")}</a></dt><dd data-count="unassigned">{o.unassigned}</dd>
                </dl>
            </section>
            <section class="card stat" aria-labelledby="stat-traffic">
                <h2 id="stat-traffic">{lang.pick("运行情况", "Activity")}</h2>
                <dl class="facts">
                    <dt><a href="/accounts?status=failing">{lang.pick("刷新失败中的帐号", "Accounts failing to refresh")}</a></dt><dd data-count="failing_refreshes">{o.failing_refreshes}</dd>
                    <dt>{lang.pick("最近一小时收到的推送", "Pushes in the last hour")}</dt><dd data-count="pushes_last_hour">{o.pushes_last_hour}</dd>
                    <dt>{lang.pick("处理失败的事件", "Events that failed")}</dt><dd data-count="failed_events">{o.failed_events}</dd>
                </dl>
            </section>
        </div>
    }
}
