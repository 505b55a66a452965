//! A company's page: its invites (create, copy, QR, revoke) and the accounts
//! it has authorized. Server-rendered: the forms post to their server
//! functions, which send the browser back to this page.

use crate::admin::layout::AdminLayout;
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::admin::api::companies::{ArchiveCompany, RenameCompany};
use crate::admin::api::fast_registrations::{StartFastRegistration, list_fast_registrations};
use crate::admin::api::invites::{CreateInvite, InviteView, RevokeInvite, get_company_detail};
use crate::admin::fast_registrations::{RegistrationTable, StartRegistrationForm};
use crate::i18n::admin_lang;
use crate::shared::authorizer_card::AuthorizerCard;
use crate::shared::copy_button::CopyButton;
use crate::shared::views::loading;

#[component]
pub fn CompanyPage() -> impl IntoView {
    let lang = admin_lang();
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
    let register = ServerAction::<StartFastRegistration>::new();
    let registrations = Resource::new(
        move || (company_id(), register.version().get()),
        |(id, _)| list_fast_registrations(Some(id)),
    );
    let registration_sent = move || query.read().get("registration").is_some();

    view! {
        <AdminLayout>
            <p class="breadcrumb"><a href="/companies">{lang.pick("← 全部公司", "← All companies")}</a></p>
            <Transition fallback=move || loading(lang)>
                {move || Suspend::new(async move {
                    match detail.await {
                        Ok(Some(company)) => view! {
                            <section class="page">
                                <header class="page-header">
                                    <h1>{company.name.clone()}</h1>
                                    <p class="lead">{lang.pick("把邀请链接发给这家公司的管理员：对方打开链接、用微信确认授权即可。", "Send the invite link to this company's admin: they open it and confirm in WeChat.")}</p>
                                </header>
                                {move || renamed().then(|| view! { <p class="notice success" role="status">{lang.pick("已更新公司名称。", "The company's name was changed.")}</p> })}
                                {move || reinvited().map(|appid| view! {
                                    <p class="notice success" role="status">{lang.pick("已为帐号 ", "A re-authorization invite for ")} <code>{appid}</code> {lang.pick(" 创建重新授权邀请：把下方最新的链接或二维码发给商户。", " was created: send the merchant the newest link or QR code below.")}</p>
                                })}
                                {move || archived_now().then(|| view! { <p class="notice success" role="status">{lang.pick("已归档公司：它的邀请链接已失效，帐号仍然保留。", "Company archived: its invite links no longer work; its accounts stay.")}</p> })}
                                {company.archived.then(|| view! {
                                    <p class="notice" role="note"><span class="tag warn">{lang.pick("已归档", "Archived")}</span>{lang.pick(" 这家公司不再接受新的授权；已授权的帐号照常刷新令牌。", " This company takes no new authorization; its accounts' tokens are still refreshed.")}</p>
                                })}
                                <details class="card">
                                    <summary>{lang.pick("重命名公司", "Rename the company")}</summary>
                                    <ActionForm action=rename>
                                        <input type="hidden" name="id" value=company.id />
                                        <div class="field-row">
                                            <label for="company-rename">{lang.pick("新名称", "New name")}</label>
                                            <input id="company-rename" name="name" type="text" required maxlength="100" value=company.name.clone() />
                                            <button type="submit" class="button">{lang.pick("保存名称", "Save the name")}</button>
                                        </div>
                                    </ActionForm>
                                    {move || rename.value().get().and_then(Result::err).map(|err: crate::UiError| view! {
                                        <p class="notice error" role="alert">{err.to_string()}</p>
                                    })}
                                </details>
                                {(!company.archived).then(|| view! {
                                    <details class="card">
                                        <summary>{lang.pick("归档公司", "Archive the company")}</summary>
                                        <p>{lang.pick("归档后，这家公司的所有邀请链接立即失效，也不能再创建新的邀请；已授权的帐号保留并照常刷新令牌。", "Archiving stops every invite link of this company at once and allows no new one; its authorized accounts stay and their tokens are still refreshed.")}</p>
                                        <ActionForm action=archive>
                                            <input type="hidden" name="id" value=company.id />
                                            <button type="submit" class="button danger">{lang.pick("确认归档", "Archive it")}</button>
                                        </ActionForm>
                                    </details>
                                })}
                                <section class="card" aria-labelledby="new-invite-title">
                                    <h2 id="new-invite-title">{lang.pick("创建邀请链接", "New invite link")}</h2>
                                    <ActionForm action=create>
                                        <input type="hidden" name="company_id" value=company.id />
                                        <div class="form-grid">
                                            <label for="auth-type">{lang.pick("授权的帐号类型", "Kinds of account")}</label>
                                            <select id="auth-type" name="auth_type">
                                                <option value="3" selected>{lang.pick("公众号或小程序", "Official accounts or mini programs")}</option>
                                                <option value="1">{lang.pick("仅公众号", "Official accounts only")}</option>
                                                <option value="2">{lang.pick("仅小程序", "Mini programs only")}</option>
                                                <option value="6">{lang.pick("全部类型", "All kinds")}</option>
                                            </select>
                                            <label for="biz-appid">{lang.pick("指定帐号 AppID（可选）", "One account's AppID (optional)")}</label>
                                            <input id="biz-appid" name="biz_appid" type="text" placeholder=lang.pick("wx 开头，留空则不限", "Starts with wx; empty for any") autocomplete="off" />
                                            <label for="valid-days">{lang.pick("有效期", "Valid for")}</label>
                                            <select id="valid-days" name="valid_days">
                                                <option value="1">{lang.pick("1 天", "1 day")}</option>
                                                <option value="7" selected>{lang.pick("7 天", "7 days")}</option>
                                                <option value="30">{lang.pick("30 天", "30 days")}</option>
                                                <option value="90">{lang.pick("90 天", "90 days")}</option>
                                            </select>
                                            <label for="invite-note">{lang.pick("备注（可选）", "Note (optional)")}</label>
                                            <input id="invite-note" name="note" type="text" maxlength="200" placeholder=lang.pick("例如：发给财务部张经理", "e.g. for Ms Zhang in finance") autocomplete="off" />
                                            <span></span>
                                            <label class="checkbox">
                                                <input type="checkbox" name="allows_fast_registration" value="on" />
                                                {lang.pick(" 允许商户申请快速注册小程序（没有小程序的商户可在邀请页面填写企业信息，由微信直接创建）", " Offer fast registration (a merchant without a mini program can ask WeChat to create one from the invitation)")}
                                            </label>
                                        </div>
                                        <button type="submit" class="button primary">{lang.pick("创建邀请", "Create invite")}</button>
                                    </ActionForm>
                                    {move || create.value().get().and_then(Result::err).map(|err| view! {
                                        <p class="notice error" role="alert">{err.to_string()}</p>
                                    })}
                                </section>
                                <section class="card" aria-labelledby="invites-title">
                                    <h2 id="invites-title">{lang.pick("邀请链接", "Invite links")}</h2>
                                    {if company.invites.is_empty() {
                                        view! { <p class="empty-state">{lang.pick("还没有邀请链接。", "No invite link yet.")}</p> }.into_any()
                                    } else {
                                        view! {
                                            <ul class="invites">
                                                {company.invites.into_iter().map(|invite| view! { <InviteItem invite revoke /> }).collect_view()}
                                            </ul>
                                        }.into_any()
                                    }}
                                </section>
                                <section class="card" aria-labelledby="registrations-title">
                                    <h2 id="registrations-title">{lang.pick("快速注册小程序", "Fast registration")}</h2>
                                    {move || registration_sent().then(|| view! {
                                        <p class="notice success" role="status">{lang.pick("已向微信提交注册申请：法人会在微信中收到确认消息，须在 24 小时内确认。", "The request was sent to WeChat: the legal representative receives a message and must confirm within 24 hours.")}</p>
                                    })}
                                    <Transition fallback=move || loading(lang)>
                                        {move || Suspend::new(async move {
                                            match registrations.await {
                                                Ok(rows) => view! { <RegistrationTable rows show_company=false /> }.into_any(),
                                                Err(err) => view! { <p class="notice error" role="alert">{err.to_string()}</p> }.into_any(),
                                            }
                                        })}
                                    </Transition>
                                </section>
                                {(!company.archived).then(|| view! { <StartRegistrationForm company_id=company.id action=register /> })}
                                <section class="card" aria-labelledby="authorizers-title">
                                    <h2 id="authorizers-title">{lang.pick("已授权帐号", "Authorized accounts")}</h2>
                                    {if company.authorizers.is_empty() {
                                        view! { <p class="empty-state">{lang.pick("这家公司还没有授权任何帐号。", "This company has not authorized any account yet.")}</p> }.into_any()
                                    } else {
                                        company.authorizers.into_iter().map(|a| view! { <AuthorizerCard authorizer=a /> }).collect_view().into_any()
                                    }}
                                </section>
                            </section>
                        }.into_any(),
                        Ok(None) => view! { <section class="card"><h1>{lang.pick("找不到这家公司", "No such company")}</h1></section> }.into_any(),
                        Err(err) => view! { <p class="notice error" role="alert">{err.to_string()}</p> }.into_any(),
                    }
                })}
            </Transition>
        </AdminLayout>
    }
}

#[component]
fn InviteItem(invite: InviteView, revoke: ServerAction<RevokeInvite>) -> impl IntoView {
    let lang = admin_lang();
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
        allows_fast_registration,
        ..
    } = invite;
    view! {
        <li class="invite" class:inactive=!active>
            <div class="invite-body">
                <p>
                    <span class=if active || fulfilled { "tag ok" } else { "tag warn" }>{status}</span>
                    <span class="tag">{asks_for}</span>
                    {biz_appid.map(|a| view! { <span class="tag">{lang.pick("指定 ", "Only ")} {a}</span> })}
                    {allows_fast_registration.then(|| view! { <span class="tag">{lang.pick("可快速注册", "Offers registration")}</span> })}
                    <span class="muted">{lang.pick("有效期至 ", "Valid until ")} {expires_at}</span>
                </p>
                {note.map(|n| view! { <p class="invite-note">{n}</p> })}
                <p class="muted small" data-invite-stats>
                    {lang.pick("打开 ", "Opened ")} <span data-count="opened">{opened}</span> {lang.pick(" 次 · 带来 ", " times · brought in ")}
                    <span data-count="brought_in">{brought_in}</span> {lang.pick(" 个授权帐号", " authorized account(s)")}
                </p>
                <div class="link-row">
                    <input type="text" readonly value=url.clone() aria-label=lang.pick("邀请链接", "Invite link") class="link-input" />
                    <CopyButton text=url.clone() lang />
                    <a class="button" href=url target="_blank" rel="noopener">{lang.pick("打开", "Open")}</a>
                </div>
                {active.then(|| view! {
                    <ActionForm action=revoke>
                        <input type="hidden" name="invite_id" value=id />
                        <button type="submit" class="button danger">{lang.pick("撤销此链接", "Revoke this link")}</button>
                    </ActionForm>
                })}
            </div>
            {active.then(|| view! { <div class="qr" role="img" aria-label=lang.pick("邀请链接二维码", "The invite link's QR code") inner_html=qr_svg></div> })}
        </li>
    }
}
