//! The audit log page (`/audit`): every admin action and sign-in, newest first,
//! filtered by who acted and by object through a plain GET form (works without
//! JavaScript), a page of 50 at a time. Nothing here can change the log.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

use crate::admin::api::audit::{AuditEntryView, list_audit};
use crate::admin::layout::AdminLayout;
use crate::i18n::admin_lang;
use crate::shared::views::{Column, failed, list_table, loading};

#[component]
pub fn AuditPage() -> impl IntoView {
    let lang = admin_lang();
    let query = use_query_map();
    let param = move |name: &str| query.read().get(name).filter(|v| !v.trim().is_empty());
    let filters = move || {
        (
            param("actor"),
            param("object"),
            param("before").and_then(|b| b.parse::<i64>().ok()),
        )
    };
    let page = Resource::new(filters, |(actor, object, before)| {
        list_audit(actor, object, before)
    });

    view! {
        <AdminLayout>
            <section class="page">
                <header class="page-header">
                    <h1>{lang.pick("审计日志", "Audit log")}</h1>
                    <p class="lead">{lang.pick("所有管理操作和登录（包括失败的登录）：谁、何时、从哪个地址、做了什么、对哪个对象。日志只能查看，不能修改。", "Every admin action and sign-in (failed ones too): who, when, from which address, what, and on which object. The log can be read, never changed.")}</p>
                </header>

                <section class="card" aria-labelledby="audit-filter-title">
                    <h2 id="audit-filter-title">{lang.pick("筛选", "Filter")}</h2>
                    <form method="get" action="/audit" class="filters">
                        <div class="field-row">
                            <label for="audit-actor">{lang.pick("操作人", "Who")}</label>
                            <input id="audit-actor" name="actor" type="text" value=move || param("actor").unwrap_or_default() placeholder=lang.pick("例如：operator", "e.g. operator") />
                            <label for="audit-object">{lang.pick("对象", "Object")}</label>
                            <input id="audit-object" name="object" type="text" value=move || param("object").unwrap_or_default() placeholder=lang.pick("例如：company:3", "e.g. company:3") />
                            <button type="submit" class="button">{lang.pick("筛选", "Filter")}</button>
                            <a class="button small" href="/audit">{lang.pick("清除", "Clear")}</a>
                        </div>
                    </form>
                </section>

                <section class="card" aria-labelledby="audit-list-title">
                    <h2 id="audit-list-title">{lang.pick("记录", "Entries")}</h2>
                    <Transition fallback=move || loading(lang)>
                        {move || Suspend::new(async move {
                            match page.await {
                                Ok(page) => {
                                    let next = page.next_before.map(|before| {
                                        let mut href = format!("/audit?before={before}");
                                        for name in ["actor", "object"] {
                                            if let Some(value) = param(name) {
                                                href.push_str(&format!("&{name}={}", urlencoding(&value)));
                                            }
                                        }
                                        view! { <p><a class="button small" href=href>{lang.pick("更早的记录 →", "Older entries →")}</a></p> }
                                    });
                                    view! { <AuditTable entries=page.entries /> {next} }.into_any()
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

/// What a query value in a link keeps as is: what URLs never escape, and `:`
/// (objects are named `company:3`).
const QUERY_VALUE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~')
    .remove(b':');

/// Percent-encodes a query value (filters carry `:` and may carry anything typed).
pub(crate) fn urlencoding(value: &str) -> String {
    utf8_percent_encode(value, QUERY_VALUE).to_string()
}

const COLUMNS: [Column; 5] = [
    Column::new("时间", "When"),
    Column::new("操作人", "Who"),
    Column::new("地址", "Address"),
    Column::new("操作", "Action"),
    Column::new("对象", "Object"),
];

#[component]
fn AuditTable(entries: Vec<AuditEntryView>) -> impl IntoView {
    let lang = admin_lang();
    let rows: Vec<_> = entries
        .into_iter()
        .map(|entry| {
            let actor_href = format!("/audit?actor={}", urlencoding(&entry.actor));
            let object_href = format!("/audit?object={}", urlencoding(&entry.object));
            let has_object = !entry.object.is_empty();
            view! {
                <tr class:refused=entry.refused data-audit-id=entry.id>
                    <td class="muted">{entry.at}</td>
                    <td><a href=actor_href>{entry.actor}</a></td>
                    <td class="muted">{entry.client_addr}</td>
                    <td>{entry.action}{(!entry.detail.is_empty()).then(|| view! { <span class="muted small">{format!("（{}）", entry.detail)}</span> })}</td>
                    <td>{has_object.then(|| view! { <a href=object_href><code>{entry.object}</code></a> })}</td>
                </tr>
            }
        })
        .collect();
    list_table(
        lang,
        &COLUMNS,
        rows,
        lang.pick("没有符合条件的记录。", "No entry matches."),
    )
}

#[cfg(test)]
mod tests {
    use super::urlencoding;

    #[test]
    fn filter_values_are_percent_encoded_except_what_objects_use() {
        assert_eq!(urlencoding("company:3"), "company:3");
        assert_eq!(urlencoding("a b&c=d"), "a%20b%26c%3Dd");
        assert_eq!(urlencoding("运营"), "%E8%BF%90%E8%90%A5");
    }
}
