//! The events pages: `/events`, every push received at the authorization
//! event URL, newest first, filtered by kind, account, state and time through
//! a plain GET form; `/events/{id}`, one push as its decrypted XML with every
//! ticket, code and token masked, and why it failed if it did.

use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::admin::api::events::{EventRowView, get_event, list_events};
use crate::admin::layout::AdminLayout;
use crate::i18n::admin_lang;
use crate::shared::views::{Column, failed, list_table, loading};

/// Filter options: (value, zh, en).
type Options = [(&'static str, &'static str, &'static str)];

const KINDS: [(&str, &str, &str); 6] = [
    ("", "全部类型", "All kinds"),
    ("authorized", "授权成功", "Authorized"),
    ("updateauthorized", "授权变更", "Authorization updated"),
    ("unauthorized", "取消授权", "Unauthorized"),
    ("component_verify_ticket", "票据推送", "Ticket"),
    (
        "notify_third_fasteregister",
        "快速注册结果",
        "Fast registration result",
    ),
];

const STATES: [(&str, &str, &str); 4] = [
    ("", "全部状态", "All states"),
    ("pending", "待处理", "Pending"),
    ("applied", "已处理", "Applied"),
    ("failed", "失败", "Failed"),
];

const PERIODS: [(&str, &str, &str); 4] = [
    ("", "全部时间", "Any time"),
    ("1", "最近 1 小时", "Last hour"),
    ("24", "最近 24 小时", "Last 24 hours"),
    ("168", "最近 7 天", "Last 7 days"),
];

#[component]
pub fn EventsPage() -> impl IntoView {
    let lang = admin_lang();
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
    let select = move |name: &'static str, label: &'static str, options: &'static Options| {
        let current = param(name).unwrap_or_default();
        view! {
            <label for=format!("events-{name}")>{label}</label>
            <select id=format!("events-{name}") name=name>
                {options.iter().map(|(value, zh, en)| view! {
                    <option value=*value selected=current == *value>{lang.pick(zh, en)}</option>
                }).collect_view()}
            </select>
        }
    };

    view! {
        <AdminLayout>
            <section class="page">
                <header class="page-header">
                    <h1>{lang.pick("事件", "Events")}</h1>
                    <p class="lead">{lang.pick("微信推送到「授权事件接收URL」的所有事件，最新的在前。处理失败的事件会显示原因。", "Everything WeChat pushed to the authorization event URL, newest first. An event that failed says why.")}</p>
                </header>
                <section class="card" aria-labelledby="events-filter-title">
                    <h2 id="events-filter-title">{lang.pick("筛选", "Filter")}</h2>
                    <form method="get" action="/events" class="filters">
                        <div class="field-row">
                            {move || select("kind", lang.pick("类型", "Kind"), &KINDS)}
                            {move || select("state", lang.pick("状态", "State"), &STATES)}
                            {move || select("hours", lang.pick("时间", "Time"), &PERIODS)}
                        </div>
                        <div class="field-row">
                            <label for="events-appid">{lang.pick("帐号 AppID", "Account AppID")}</label>
                            <input id="events-appid" name="appid" type="text" value=move || param("appid").unwrap_or_default() placeholder=lang.pick("例如：wx1234567890abcdef", "e.g. wx1234567890abcdef") />
                            <button type="submit" class="button">{lang.pick("筛选", "Filter")}</button>
                            <a class="button small" href="/events">{lang.pick("清除", "Clear")}</a>
                        </div>
                    </form>
                </section>
                <section class="card" aria-labelledby="events-list-title">
                    <h2 id="events-list-title">{lang.pick("事件列表", "Events")}</h2>
                    <Transition fallback=move || loading(lang)>
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
                                        view! { <p><a class="button small" href=href>{lang.pick("更早的事件 →", "Older events →")}</a></p> }
                                    });
                                    view! { <EventTable rows=page.rows /> {next} }.into_any()
                                }
                                Err(err) => failed(err).into_any(),
                            }
                        })}
                    </Transition>
                </section>
            </section>
        </AdminLayout>
    }
}

const COLUMNS: [Column; 4] = [
    Column::new("收到时间", "Received"),
    Column::new("类型", "Kind"),
    Column::new("帐号", "Account"),
    Column::new("状态", "State"),
];

#[component]
fn EventTable(rows: Vec<EventRowView>) -> impl IntoView {
    let lang = admin_lang();
    let rows: Vec<_> = rows
        .into_iter()
        .map(|row| {
            view! {
                <tr data-event-id=row.id class:refused=row.failed>
                    <td><a href=format!("/events/{}", row.id)>{row.received_at}</a></td>
                    <td>{row.kind}<br /><code class="muted small">{row.info_type}</code></td>
                    <td><code>{row.appid}</code></td>
                    <td>{row.state}{row.error.map(|e| view! { <br /><span class="muted small">{e}</span> })}</td>
                </tr>
            }
        })
        .collect();
    let empty = lang.pick(
        "没有符合条件的事件。微信每 10 分钟推送一次票据，授权、变更和取消授权时也会推送。",
        "No event matches. WeChat pushes a ticket every 10 minutes, and pushes each authorization, update and withdrawal.",
    );
    list_table(lang, &COLUMNS, rows, empty)
}

#[component]
pub fn EventPage() -> impl IntoView {
    let lang = admin_lang();
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
                <p><a href="/events">{lang.pick("← 全部事件", "← All events")}</a></p>
                <Transition fallback=move || loading(lang)>
                    {move || Suspend::new(async move {
                        match event.await {
                            Ok(detail) => {
                                let row = detail.row;
                                view! {
                                    <header class="page-header">
                                        <h1>{format!("{} #{} · {}", lang.pick("事件", "Event"), row.id, row.kind)}</h1>
                                    </header>
                                    <section class="card">
                                        <dl class="facts">
                                            <dt>{lang.pick("收到时间", "Received")}</dt><dd>{row.received_at}</dd>
                                            <dt>"InfoType"</dt><dd><code>{row.info_type}</code></dd>
                                            <dt>{lang.pick("帐号", "Account")}</dt><dd><code>{row.appid}</code></dd>
                                            <dt>{lang.pick("状态", "State")}</dt><dd>{row.state}{lang.pick(" · 已尝试 ", " · attempts: ")}{row.attempts}{lang.pick(" 次", "")}</dd>
                                        </dl>
                                        {row.error.map(|e| view! { <p class="notice error" role="alert">{lang.pick("处理失败的原因：", "Why it failed: ")} {e}</p> })}
                                    </section>
                                    <section class="card" aria-labelledby="event-xml-title">
                                        <h2 id="event-xml-title">{lang.pick("解密后的内容", "Decrypted content")}</h2>
                                        <p class="muted small">{lang.pick("票据、授权码和令牌已隐去，只显示开头和长度。", "Tickets, codes and tokens are masked: only their start and length are shown.")}</p>
                                        {match (detail.masked_xml, detail.unreadable) {
                                            (Some(xml), _) => view! { <pre class="xml" data-masked-xml="">{xml}</pre> }.into_any(),
                                            (None, reason) => view! { <p class="notice error">{lang.pick("无法读取这条事件：", "This event cannot be read: ")} {reason.unwrap_or_default()}</p> }.into_any(),
                                        }}
                                    </section>
                                }.into_any()
                            }
                            Err(err) => failed(err).into_any(),
                        }
                    })}
                </Transition>
            </section>
        </AdminLayout>
    }
}
