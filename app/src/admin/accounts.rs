//! The accounts list (`/accounts`): every authorized account, or those of one
//! status (the overview links here), 50 at a time, with its company and why
//! its refreshes fail if they do.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::admin::api::overview::{AccountRowView, list_accounts};
use crate::admin::layout::AdminLayout;
use crate::i18n::{Lang, admin_lang};
use crate::shared::views::{Column, failed, list_table, loading};

/// The status filters: (value, zh, en).
const FILTERS: [(&str, &str, &str); 5] = [
    ("", "全部", "All"),
    ("active", "正常", "Active"),
    ("failing", "刷新失败中", "Failing to refresh"),
    (
        "needs_reauthorization",
        "需要重新授权",
        "Needs re-authorization",
    ),
    ("revoked", "已取消授权", "Revoked"),
];

#[component]
pub fn AccountsPage() -> impl IntoView {
    let lang = admin_lang();
    let query = use_query_map();
    let status = move || query.read().get("status").unwrap_or_default();
    let after = move || {
        query
            .read()
            .get("after")
            .and_then(|a| a.parse::<i64>().ok())
    };
    let page = Resource::new(
        move || (status(), after()),
        |(status, after)| list_accounts(Some(status), after),
    );

    view! {
        <AdminLayout>
            <section class="page">
                <header class="page-header">
                    <h1>{lang.pick("授权帐号", "Accounts")}</h1>
                    <p class="lead">{lang.pick("所有授权给平台的公众号和小程序。", "Every official account and mini program authorized to the platform.")}</p>
                </header>
                <nav class="tabs" aria-label=lang.pick("按状态筛选", "By status")>
                    {move || FILTERS.iter().map(|(value, zh, en)| {
                        let label = lang.pick(zh, en);
                        let href = if value.is_empty() { "/accounts".to_owned() } else { format!("/accounts?status={value}") };
                        let current = status() == *value;
                        view! { <a href=href aria-current=current.then_some("page") class:current=current>{label}</a> }
                    }).collect_view()}
                </nav>
                <section class="card">
                    <Transition fallback=move || loading(lang)>
                        {move || Suspend::new(async move {
                            match page.await {
                                Ok(page) => {
                                    let next = page.next_after.map(|after| {
                                        let status = status();
                                        let href = if status.is_empty() { format!("/accounts?after={after}") } else { format!("/accounts?status={status}&after={after}") };
                                        view! { <p><a class="button small" href=href>{lang.pick("下一页 →", "Next page →")}</a></p> }
                                    });
                                    view! { <AccountTable rows=page.rows lang /> {next} }.into_any()
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
    Column::new("帐号", "Account"),
    Column::new("类型", "Type"),
    Column::new("公司", "Company"),
    Column::new("状态", "Status"),
];

#[component]
fn AccountTable(rows: Vec<AccountRowView>, lang: Lang) -> impl IntoView {
    let rows: Vec<_> = rows
        .into_iter()
        .map(|row| {
            let appid = row.appid.clone();
            view! {
                <tr data-appid=appid>
                    <td><a href=format!("/accounts/{}", row.appid)>{row.name}</a><br /><code class="muted small">{row.appid}</code></td>
                    <td>{row.kind}</td>
                    <td><a href=format!("/companies/{}", row.company_id)>{row.company}</a></td>
                    <td>{row.status}{row.problem.map(|p| view! { <br /><span class="muted small">{p}</span> })}</td>
                </tr>
            }
        })
        .collect();
    let empty = lang.pick(
        "没有这种状态的帐号。帐号由商户通过公司的授权邀请链接授权后出现在这里。",
        "No account in this state. Accounts appear here once a merchant authorizes them through a company's invite link.",
    );
    list_table(lang, &COLUMNS, rows, empty)
}
