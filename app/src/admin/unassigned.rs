//! Unassigned accounts (`/unassigned`): what reconcile found authorized at
//! WeChat that no invite brought in, each with "attach to company"; and the
//! button that runs reconcile now and shows its report.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::admin::api::account_actions::{
    AttachAccount, RunReconcile, UnassignedView, list_unassigned,
};
use crate::admin::layout::AdminLayout;
use crate::i18n::admin_lang;
use crate::shared::views::{Column, failed, list_table, loading};

#[component]
pub fn UnassignedPage() -> impl IntoView {
    let lang = admin_lang();
    let query = use_query_map();
    let reconcile = ServerAction::<RunReconcile>::new();
    let attach = ServerAction::<AttachAccount>::new();
    let rows = Resource::new(
        move || (reconcile.version().get(), attach.version().get()),
        |_| list_unassigned(),
    );
    // The report, from the redirect after a reconcile run without JavaScript.
    let report = move || {
        let q = query.read();
        let count = |key: &str| q.get(key).and_then(|v| v.parse::<u64>().ok());
        Some((
            count("recovered")?,
            count("unknown")?,
            count("revoked")?,
            count("revived")?,
        ))
    };
    let error = move || {
        reconcile
            .value()
            .get()
            .and_then(Result::err)
            .or_else(|| attach.value().get().and_then(Result::err))
            .map(|err: crate::UiError| view! { <p class="notice error" role="alert">{err.to_string()}</p> })
    };

    view! {
        <AdminLayout>
            <section class="page">
                <header class="page-header">
                    <h1>{lang.pick("对账与待归属帐号", "Reconcile and unassigned accounts")}</h1>
                    <p class="lead">{lang.pick("对账会读取微信的授权列表：找回丢失的 refresh_token，标记已在微信取消的授权，并列出没有经过邀请链接、平台还不知道归属的帐号。", "Reconcile reads WeChat's authorizer list: it recovers lost refresh_tokens, marks authorizations withdrawn at WeChat, and lists accounts no invite brought in, whose company is not known here.")}</p>
                </header>
                {move || report().map(|(recovered, unknown, revoked, revived)| view! {
                    <section class="notice success" role="status" data-reconcile-report>
                        <p>{lang.pick("对账完成：", "Reconciled:")}</p>
                        <ul>
                            <li>{lang.pick("找回 refresh_token：", "refresh_tokens recovered: ")} {recovered}</li>
                            <li>{lang.pick("待归属（微信已授权、平台不知道归属）：", "Unassigned (authorized at WeChat, no company known here): ")} {unknown}</li>
                            <li>{lang.pick("已在微信取消授权、现标记为已取消：", "Withdrawn at WeChat, now marked revoked: ")} {revoked}</li>
                            <li>{lang.pick("恢复为正常：", "Active again: ")} {revived}</li>
                        </ul>
                    </section>
                })}
                {error}
                <section class="card">
                    <ActionForm action=reconcile>
                        <button type="submit" class="button primary">{lang.pick("立即对账", "Reconcile now")}</button>
                    </ActionForm>
                </section>
                <section class="card" aria-labelledby="unassigned-title">
                    <h2 id="unassigned-title">{lang.pick("待归属帐号", "Unassigned accounts")}</h2>
                    <Transition fallback=move || loading(lang)>
                        {move || Suspend::new(async move {
                            match rows.await {
                                Ok(rows) => view! { <UnassignedTable rows attach /> }.into_any(),
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
    Column::new("AppID", "AppID"),
    Column::new("首次发现", "First found"),
    Column::new("最近一次对账", "Last seen"),
    Column::new("归入公司", "Attach to company"),
];

#[component]
fn UnassignedTable(
    rows: Vec<UnassignedView>,
    attach: ServerAction<AttachAccount>,
) -> impl IntoView {
    let lang = admin_lang();
    let rows: Vec<_> = rows
        .into_iter()
        .map(|row| {
            let field = format!("attach-{}", row.appid);
            let (data_appid, shown) = (row.appid.clone(), row.appid.clone());
            view! {
                <tr data-appid=data_appid>
                    <td><code>{shown}</code></td>
                    <td>{row.found_at}</td>
                    <td>{row.last_seen_at}</td>
                    <td>
                        <ActionForm action=attach>
                            <input type="hidden" name="appid" value=row.appid />
                            <label for=field.clone() class="visually-hidden">{lang.pick("公司名称", "Company name")}</label>
                            <input id=field name="company" type="text" required maxlength="100" placeholder=lang.pick("公司的完整名称", "The company's full name") autocomplete="off" />
                            <button type="submit" class="button small">{lang.pick("归入公司", "Attach to company")}</button>
                        </ActionForm>
                    </td>
                </tr>
            }
        })
        .collect();
    let empty = lang.pick(
        "没有待归属的帐号。对账发现微信已授权、但没有经过邀请链接的帐号时，会列在这里。",
        "No unassigned account. Accounts authorized at WeChat without an invite link appear here when reconcile finds them.",
    );
    list_table(lang, &COLUMNS, rows, empty)
}
