//! Unassigned accounts (`/unassigned`): what reconcile found authorized at
//! WeChat that no invite brought in, each with "attach to company"; and the
//! button that runs reconcile now and shows its report.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::admin::api::account_actions::{
    AttachAccount, RunReconcile, UnassignedView, list_unassigned,
};
use crate::admin::layout::AdminLayout;

#[component]
pub fn UnassignedPage() -> impl IntoView {
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
                    <h1>"对账与待归属帐号"</h1>
                    <p class="lead">"对账会读取微信的授权列表：找回丢失的 refresh_token，标记已在微信取消的授权，并列出没有经过邀请链接、平台还不知道归属的帐号。"</p>
                </header>
                {move || report().map(|(recovered, unknown, revoked, revived)| view! {
                    <section class="notice success" role="status" data-reconcile-report>
                        <p>"对账完成："</p>
                        <ul>
                            <li>"找回 refresh_token：" {recovered} " 个"</li>
                            <li>"待归属（微信已授权、平台不知道归属）：" {unknown} " 个"</li>
                            <li>"已在微信取消授权、现标记为已取消：" {revoked} " 个"</li>
                            <li>"恢复为正常：" {revived} " 个"</li>
                        </ul>
                    </section>
                })}
                {error}
                <section class="card">
                    <ActionForm action=reconcile>
                        <button type="submit" class="button primary">"立即对账"</button>
                    </ActionForm>
                </section>
                <section class="card" aria-labelledby="unassigned-title">
                    <h2 id="unassigned-title">"待归属帐号"</h2>
                    <Transition fallback=|| view! { <p class="muted">"加载中…"</p> }>
                        {move || Suspend::new(async move {
                            match rows.await {
                                Ok(rows) => view! { <UnassignedTable rows attach /> }.into_any(),
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
fn UnassignedTable(
    rows: Vec<UnassignedView>,
    attach: ServerAction<AttachAccount>,
) -> impl IntoView {
    if rows.is_empty() {
        return view! { <p class="empty-state">"没有待归属的帐号。对账发现微信已授权、但没有经过邀请链接的帐号时，会列在这里。"</p> }.into_any();
    }
    view! {
        <table class="table">
            <thead>
                <tr>
                    <th scope="col">"AppID"</th>
                    <th scope="col">"首次发现"</th>
                    <th scope="col">"最近一次对账"</th>
                    <th scope="col">"归入公司"</th>
                </tr>
            </thead>
            <tbody>
                {rows.into_iter().map(|row| {
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
                                    <label for=field.clone() class="visually-hidden">"公司名称"</label>
                                    <input id=field name="company" type="text" required maxlength="100" placeholder="公司的完整名称" autocomplete="off" />
                                    <button type="submit" class="button small">"归入公司"</button>
                                </ActionForm>
                            </td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}
