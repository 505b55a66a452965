//! The events pages: `/events`, every push received at the authorization
//! event URL, newest first, filtered by kind, account, state and time through
//! a plain GET form; `/events/{id}`, one push as its decrypted XML with every
//! ticket, code and token masked, and why it failed if it did.

use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::admin::api::events::{EventRowView, get_event, list_events};
use crate::admin::layout::AdminLayout;

const KINDS: [(&str, &str); 6] = [
    ("", "全部类型"),
    ("authorized", "授权成功"),
    ("updateauthorized", "授权变更"),
    ("unauthorized", "取消授权"),
    ("component_verify_ticket", "票据推送"),
    ("notify_third_fasteregister", "快速注册结果"),
];
const STATES: [(&str, &str); 4] = [
    ("", "全部状态"),
    ("pending", "待处理"),
    ("applied", "已处理"),
    ("failed", "失败"),
];
const PERIODS: [(&str, &str); 4] = [
    ("", "全部时间"),
    ("1", "最近 1 小时"),
    ("24", "最近 24 小时"),
    ("168", "最近 7 天"),
];

#[component]
pub fn EventsPage() -> impl IntoView {
    let query = use_query_map();
    let param = move |name: &str| query.read().get(name).filter(|v| !v.trim().is_empty());
    let page = Resource::new(
        move || {
            (
                param("kind"),
                param("appid"),
                param("state"),
                param("hours").and_then(|h| h.parse::<i64>().ok()),
                param("before").and_then(|b| b.parse::<i64>().ok()),
            )
        },
        |(kind, appid, state, hours, before)| list_events(kind, appid, state, hours, before),
    );
    let select = move |name: &'static str,
                       label: &'static str,
                       options: &'static [(&'static str, &'static str)]| {
        let current = param(name).unwrap_or_default();
        view! {
            <label for=format!("events-{name}")>{label}</label>
            <select id=format!("events-{name}") name=name>
                {options.iter().map(|(value, text)| view! {
                    <option value=*value selected=current == *value>{*text}</option>
                }).collect_view()}
            </select>
        }
    };

    view! {
        <AdminLayout>
            <section class="page">
                <header class="page-header">
                    <h1>"事件"</h1>
                    <p class="lead">"微信推送到「授权事件接收URL」的所有事件，最新的在前。处理失败的事件会显示原因。"</p>
                </header>
                <section class="card" aria-labelledby="events-filter-title">
                    <h2 id="events-filter-title">"筛选"</h2>
                    <form method="get" action="/events" class="filters">
                        <div class="field-row">
                            {move || select("kind", "类型", &KINDS)}
                            {move || select("state", "状态", &STATES)}
                            {move || select("hours", "时间", &PERIODS)}
                        </div>
                        <div class="field-row">
                            <label for="events-appid">"帐号 AppID"</label>
                            <input id="events-appid" name="appid" type="text" value=move || param("appid").unwrap_or_default() placeholder="例如：wx1234567890abcdef" />
                            <button type="submit" class="button">"筛选"</button>
                            <a class="button small" href="/events">"清除"</a>
                        </div>
                    </form>
                </section>
                <section class="card" aria-labelledby="events-list-title">
                    <h2 id="events-list-title">"事件列表"</h2>
                    <Transition fallback=|| view! { <p class="muted">"加载中…"</p> }>
                        {move || Suspend::new(async move {
                            match page.await {
                                Ok(page) => {
                                    let next = page.next_before.map(|before| {
                                        let mut href = format!("/events?before={before}");
                                        for name in ["kind", "appid", "state", "hours"] {
                                            if let Some(value) = param(name) {
                                                href.push_str(&format!("&{name}={}", crate::admin::audit::urlencoding(&value)));
                                            }
                                        }
                                        view! { <p><a class="button small" href=href>"更早的事件 →"</a></p> }
                                    });
                                    view! { <EventTable rows=page.rows /> {next} }.into_any()
                                }
                                Err(err) => view! { <p class="error" role="alert">{err.to_string()}</p> }.into_any(),
                            }
                        })}
                    </Transition>
                </section>
            </section>
        </AdminLayout>
    }
}

#[component]
fn EventTable(rows: Vec<EventRowView>) -> impl IntoView {
    if rows.is_empty() {
        return view! { <p class="empty-state">"没有符合条件的事件。微信每 10 分钟推送一次票据，授权、变更和取消授权时也会推送。"</p> }.into_any();
    }
    view! {
        <table class="table">
            <thead>
                <tr>
                    <th scope="col">"收到时间"</th>
                    <th scope="col">"类型"</th>
                    <th scope="col">"帐号"</th>
                    <th scope="col">"状态"</th>
                </tr>
            </thead>
            <tbody>
                {rows.into_iter().map(|row| view! {
                    <tr data-event-id=row.id class:refused=row.failed>
                        <td><a href=format!("/events/{}", row.id)>{row.received_at}</a></td>
                        <td>{row.kind}<br /><code class="muted small">{row.info_type}</code></td>
                        <td><code>{row.appid}</code></td>
                        <td>{row.state}{row.error.map(|e| view! { <br /><span class="muted small">{e}</span> })}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

#[component]
pub fn EventPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || {
        params
            .read()
            .get("id")
            .and_then(|id| id.parse::<i64>().ok())
            .unwrap_or(0)
    };
    let event = Resource::new(id, get_event);
    view! {
        <AdminLayout>
            <section class="page">
                <p><a href="/events">"← 全部事件"</a></p>
                <Transition fallback=|| view! { <p class="muted">"加载中…"</p> }>
                    {move || Suspend::new(async move {
                        match event.await {
                            Ok(detail) => {
                                let row = detail.row;
                                view! {
                                    <header class="page-header">
                                        <h1>{format!("事件 #{} · {}", row.id, row.kind)}</h1>
                                    </header>
                                    <section class="card">
                                        <dl class="facts">
                                            <dt>"收到时间"</dt><dd>{row.received_at}</dd>
                                            <dt>"InfoType"</dt><dd><code>{row.info_type}</code></dd>
                                            <dt>"帐号"</dt><dd><code>{row.appid}</code></dd>
                                            <dt>"状态"</dt><dd>{row.state}" · 已尝试 "{row.attempts}" 次"</dd>
                                        </dl>
                                        {row.error.map(|e| view! { <p class="notice error" role="alert">"处理失败的原因：" {e}</p> })}
                                    </section>
                                    <section class="card" aria-labelledby="event-xml-title">
                                        <h2 id="event-xml-title">"解密后的内容"</h2>
                                        <p class="muted small">"票据、授权码和令牌已隐去，只显示开头和长度。"</p>
                                        {match (detail.masked_xml, detail.unreadable) {
                                            (Some(xml), _) => view! { <pre class="xml" data-masked-xml="">{xml}</pre> }.into_any(),
                                            (None, reason) => view! { <p class="notice error">"无法读取这条事件：" {reason.unwrap_or_default()}</p> }.into_any(),
                                        }}
                                    </section>
                                }.into_any()
                            }
                            Err(err) => view! { <p class="error" role="alert">{err.to_string()}</p> }.into_any(),
                        }
                    })}
                </Transition>
            </section>
        </AdminLayout>
    }
}
