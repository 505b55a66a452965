//! A company's page: its invites (create, copy, QR, revoke) and the accounts
//! it has authorized. Server-rendered: the forms post to their server
//! functions, which send the browser back to this page.

use crate::admin::layout::AdminLayout;
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::admin::api::companies::{ArchiveCompany, RenameCompany};
use crate::admin::api::invites::{CreateInvite, InviteView, RevokeInvite, get_company_detail};
use crate::shared::authorizer_card::AuthorizerCard;
use crate::shared::copy_button::CopyButton;

#[component]
pub fn CompanyPage() -> impl IntoView {
    let params = use_params_map();
    let company_id = move || {
        params
            .read()
            .get("id")
            .and_then(|id| id.parse::<i64>().ok())
            .unwrap_or_default()
    };
    let query = use_query_map();
    let renamed = move || query.read().get("renamed").is_some();
    let rename = ServerAction::<RenameCompany>::new();
    let archive = ServerAction::<ArchiveCompany>::new();
    let archived_now = move || query.read().get("archived").is_some();
    let reinvited = move || query.read().get("reinvited");
    let create = ServerAction::<CreateInvite>::new();
    let revoke = ServerAction::<RevokeInvite>::new();
    let detail = Resource::new(
        move || (company_id(), create.version().get(), revoke.version().get()),
        |(id, _, _)| get_company_detail(id),
    );

    view! {
        <AdminLayout>
            <p class="breadcrumb"><a href="/companies">"← 全部公司"</a></p>
            <Transition fallback=|| view! { <p class="muted">"加载中…"</p> }>
                {move || Suspend::new(async move {
                    match detail.await {
                        Ok(Some(company)) => view! {
                            <section class="page">
                                <header class="page-header">
                                    <h1>{company.name.clone()}</h1>
                                    <p class="lead">"把邀请链接发给这家公司的管理员：对方打开链接、用微信确认授权即可。"</p>
                                </header>
                                {move || renamed().then(|| view! { <p class="notice success" role="status">"已更新公司名称。"</p> })}
                                {move || reinvited().map(|appid| view! {
                                    <p class="notice success" role="status">"已为帐号 " <code>{appid}</code> " 创建重新授权邀请：把下方最新的链接或二维码发给商户。"</p>
                                })}
                                {move || archived_now().then(|| view! { <p class="notice success" role="status">"已归档公司：它的邀请链接已失效，帐号仍然保留。"</p> })}
                                {company.archived.then(|| view! {
                                    <p class="notice" role="note"><span class="tag warn">"已归档"</span>" 这家公司不再接受新的授权；已授权的帐号照常刷新令牌。"</p>
                                })}
                                <details class="card">
                                    <summary>"重命名公司"</summary>
                                    <ActionForm action=rename>
                                        <input type="hidden" name="id" value=company.id />
                                        <div class="field-row">
                                            <label for="company-rename">"新名称"</label>
                                            <input id="company-rename" name="name" type="text" required maxlength="100" value=company.name.clone() />
                                            <button type="submit" class="button">"保存名称"</button>
                                        </div>
                                    </ActionForm>
                                    {move || rename.value().get().and_then(Result::err).map(|err: crate::UiError| view! {
                                        <p class="notice error" role="alert">{err.to_string()}</p>
                                    })}
                                </details>
                                {(!company.archived).then(|| view! {
                                    <details class="card">
                                        <summary>"归档公司"</summary>
                                        <p>"归档后，这家公司的所有邀请链接立即失效，也不能再创建新的邀请；已授权的帐号保留并照常刷新令牌。"</p>
                                        <ActionForm action=archive>
                                            <input type="hidden" name="id" value=company.id />
                                            <button type="submit" class="button danger">"确认归档"</button>
                                        </ActionForm>
                                    </details>
                                })}
                                <section class="card" aria-labelledby="new-invite-title">
                                    <h2 id="new-invite-title">"创建邀请链接"</h2>
                                    <ActionForm action=create>
                                        <input type="hidden" name="company_id" value=company.id />
                                        <div class="form-grid">
                                            <label for="auth-type">"授权的帐号类型"</label>
                                            <select id="auth-type" name="auth_type">
                                                <option value="3" selected>"公众号或小程序"</option>
                                                <option value="1">"仅公众号"</option>
                                                <option value="2">"仅小程序"</option>
                                                <option value="6">"全部类型"</option>
                                            </select>
                                            <label for="biz-appid">"指定帐号 AppID（可选）"</label>
                                            <input id="biz-appid" name="biz_appid" type="text" placeholder="wx 开头，留空则不限" autocomplete="off" />
                                            <label for="valid-days">"有效期"</label>
                                            <select id="valid-days" name="valid_days">
                                                <option value="1">"1 天"</option>
                                                <option value="7" selected>"7 天"</option>
                                                <option value="30">"30 天"</option>
                                                <option value="90">"90 天"</option>
                                            </select>
                                            <label for="invite-note">"备注（可选）"</label>
                                            <input id="invite-note" name="note" type="text" maxlength="200" placeholder="例如：发给财务部张经理" autocomplete="off" />
                                        </div>
                                        <button type="submit" class="button primary">"创建邀请"</button>
                                    </ActionForm>
                                    {move || create.value().get().and_then(Result::err).map(|err| view! {
                                        <p class="notice error" role="alert">{err.to_string()}</p>
                                    })}
                                </section>
                                <section class="card" aria-labelledby="invites-title">
                                    <h2 id="invites-title">"邀请链接"</h2>
                                    {if company.invites.is_empty() {
                                        view! { <p class="empty-state">"还没有邀请链接。"</p> }.into_any()
                                    } else {
                                        view! {
                                            <ul class="invites">
                                                {company.invites.into_iter().map(|invite| view! { <InviteItem invite revoke /> }).collect_view()}
                                            </ul>
                                        }.into_any()
                                    }}
                                </section>
                                <section class="card" aria-labelledby="authorizers-title">
                                    <h2 id="authorizers-title">"已授权帐号"</h2>
                                    {if company.authorizers.is_empty() {
                                        view! { <p class="empty-state">"这家公司还没有授权任何帐号。"</p> }.into_any()
                                    } else {
                                        company.authorizers.into_iter().map(|a| view! { <AuthorizerCard authorizer=a /> }).collect_view().into_any()
                                    }}
                                </section>
                            </section>
                        }.into_any(),
                        Ok(None) => view! { <section class="card"><h1>"找不到这家公司"</h1></section> }.into_any(),
                        Err(err) => view! { <p class="notice error" role="alert">{err.to_string()}</p> }.into_any(),
                    }
                })}
            </Transition>
        </AdminLayout>
    }
}

#[component]
fn InviteItem(invite: InviteView, revoke: ServerAction<RevokeInvite>) -> impl IntoView {
    let InviteView {
        id,
        url,
        qr_svg,
        asks_for,
        biz_appid,
        expires_at,
        status,
        active,
        fulfilled,
        note,
        opened,
        brought_in,
        ..
    } = invite;
    view! {
        <li class="invite" class:inactive=!active>
            <div class="invite-body">
                <p>
                    <span class=if active || fulfilled { "tag ok" } else { "tag warn" }>{status}</span>
                    <span class="tag">{asks_for}</span>
                    {biz_appid.map(|a| view! { <span class="tag">"指定 " {a}</span> })}
                    <span class="muted">"有效期至 " {expires_at}</span>
                </p>
                {note.map(|n| view! { <p class="invite-note">{n}</p> })}
                <p class="muted small" data-invite-stats>
                    "打开 " <span data-count="opened">{opened}</span> " 次 · 带来 "
                    <span data-count="brought_in">{brought_in}</span> " 个授权帐号"
                </p>
                <div class="link-row">
                    <input type="text" readonly value=url.clone() aria-label="邀请链接" class="link-input" />
                    <CopyButton text=url.clone() />
                    <a class="button" href=url target="_blank" rel="noopener">"打开"</a>
                </div>
                {active.then(|| view! {
                    <ActionForm action=revoke>
                        <input type="hidden" name="invite_id" value=id />
                        <button type="submit" class="button danger">"撤销此链接"</button>
                    </ActionForm>
                })}
            </div>
            {active.then(|| view! { <div class="qr" role="img" aria-label="邀请链接二维码" inner_html=qr_svg></div> })}
        </li>
    }
}
