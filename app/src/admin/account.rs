//! One account (`/accounts/{appid}`): who it is, its permission sets (the
//! required ones marked), its token health and why it stopped working if it
//! did, the operator's actions (plain forms), and its timeline.

use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::admin::api::account::{RefreshAccount, TimelineItemView, get_account};
use crate::admin::api::account_actions::{
    MoveAccount, RefetchAccountInfo, SendReauthorizationInvite,
};
use crate::admin::layout::AdminLayout;
use crate::i18n::admin_lang;
use crate::shared::authorizer_card::AuthorizerCard;
use crate::shared::views::{failed, loading};

#[component]
pub fn AccountPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let appid = move || params.read().get("appid").unwrap_or_default();
    let account = Resource::new(appid, get_account);
    let refresh = ServerAction::<RefreshAccount>::new();
    let refetch = ServerAction::<RefetchAccountInfo>::new();
    let reinvite = ServerAction::<SendReauthorizationInvite>::new();
    let move_to = ServerAction::<MoveAccount>::new();
    let lang = admin_lang();
    let outcome = move || {
        let q = query.read();
        let (class, zh, en) = match (
            q.get("refresh").as_deref(),
            q.get("info").as_deref(),
            q.get("moved").is_some(),
            q.get("attached").is_some(),
        ) {
            (Some("done"), ..) => (
                "notice success",
                "已刷新：新的 access_token 已保存。",
                "Refreshed: the new access_token is stored.",
            ),
            (Some("skipped"), ..) => (
                "notice",
                "没有刷新：帐号不是正常状态，或另一处刚刚刷新过。",
                "Not refreshed: the account is not active, or it was refreshed elsewhere a moment ago.",
            ),
            (Some("failed"), ..) => (
                "notice error",
                "刷新失败，原因见下方「令牌状态」。",
                "The refresh failed; the reason is under \"Token health\" below.",
            ),
            (_, Some("done"), ..) => (
                "notice success",
                "已从微信重新获取帐号资料和权限集。",
                "The profile and permission sets were fetched from WeChat again.",
            ),
            (_, Some("failed"), ..) => (
                "notice error",
                "没能从微信获取帐号资料：请稍后再试（平台令牌的状态见概览页）。",
                "WeChat did not give the profile: try again later (the overview shows the component token's state).",
            ),
            (_, _, true, _) => (
                "notice success",
                "已把帐号移到新的公司。",
                "The account now belongs to the new company.",
            ),
            (_, _, _, true) => (
                "notice success",
                "已把帐号归入公司：令牌已开始刷新，资料已从微信获取。",
                "The account is attached: its token is refreshed and its profile fetched from WeChat.",
            ),
            _ => return None,
        };
        Some((class, lang.pick(zh, en)))
    };

    view! {
        <AdminLayout>
            <section class="page">
                <p><a href="/accounts">{lang.pick("← 全部帐号", "← All accounts")}</a></p>
                {move || outcome().map(|(class, text)| view! { <p class=class role="status">{text}</p> })}
                <Transition fallback=move || loading(lang)>
                    {move || Suspend::new(async move {
                        match account.await {
                            Ok(a) => {
                                let appid = a.card.authorizer_appid.clone();
                                let active = a.card.active;
                                let actions_appid = appid.clone();
                                let timeline_appid = appid.clone();
                                view! {
                                    <header class="page-header">
                                        <h1>{a.card.nick_name.clone()}</h1>
                                        <p class="lead">{lang.pick("所属公司：", "Company: ")} <a href=format!("/companies/{}", a.company_id)>{a.company}</a></p>
                                        {a.registration.map(|line| view! { <p class="muted" data-registration>{line}</p> })}
                                    </header>
                                    <AuthorizerCard authorizer=a.card />
                                    <section class="card" aria-labelledby="account-more-title">
                                        <h2 id="account-more-title">{lang.pick("更多信息", "More")}</h2>
                                        <dl class="facts">
                                            <dt>{lang.pick("微信号", "WeChat ID")}</dt><dd>{a.alias.unwrap_or_else(|| "—".into())}</dd>
                                            <dt>{lang.pick("二维码", "QR code")}</dt>
                                            <dd>{match a.qrcode_url {
                                                Some(url) => view! { <a href=url rel="noreferrer" referrerpolicy="no-referrer">{lang.pick("查看二维码", "Show the QR code")}</a> }.into_any(),
                                                None => view! { "—" }.into_any(),
                                            }}</dd>
                                        </dl>
                                    </section>
                                    <section class="card" aria-labelledby="account-token-title">
                                        <h2 id="account-token-title">{lang.pick("令牌状态", "Token health")}</h2>
                                        <dl class="facts">
                                            <dt>{lang.pick("access_token 有效期至", "access_token valid until")}</dt><dd data-health="expires_at">{a.expires_at}</dd>
                                            <dt>{lang.pick("上次刷新", "Last refresh")}</dt><dd>{a.refreshed_at}</dd>
                                            <dt>{lang.pick("下次刷新", "Next refresh")}</dt><dd>{a.next_refresh_at}</dd>
                                            <dt>{lang.pick("连续失败次数", "Failures in a row")}</dt><dd data-health="failures">{a.failures}</dd>
                                        </dl>
                                        {a.last_error.map(|e| view! { <p class="notice error" role="alert">{lang.pick("最近的错误：", "Last error: ")} {e}</p> })}
                                        <ActionForm action=refresh>
                                            <input type="hidden" name="appid" value=appid.clone() />
                                            <button type="submit" class="button">{lang.pick("立即刷新令牌", "Refresh the token now")}</button>
                                        </ActionForm>
                                    </section>
                                    <AccountActions appid=actions_appid active refetch reinvite move_to />
                                    <Timeline items=a.timeline appid=timeline_appid />
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

/// Refetch info, a re-authorization invite (for an account that needs one),
/// and moving it to another company with a confirmation.
#[component]
fn AccountActions(
    appid: String,
    active: bool,
    refetch: ServerAction<RefetchAccountInfo>,
    reinvite: ServerAction<SendReauthorizationInvite>,
    move_to: ServerAction<MoveAccount>,
) -> impl IntoView {
    let lang = admin_lang();
    let error = move || {
        [
            refetch.value().get().and_then(Result::err),
            reinvite.value().get().and_then(Result::err),
            move_to.value().get().and_then(Result::err),
        ]
        .into_iter()
        .flatten()
        .next()
        .map(|err: crate::UiError| view! { <p class="notice error" role="alert">{err.to_string()}</p> })
    };
    let refetch_appid = appid.clone();
    let reinvite_form = (!active).then(|| {
        let appid = appid.clone();
        view! {
            <ActionForm action=reinvite>
                <input type="hidden" name="appid" value=appid />
                <button type="submit" class="button primary">{lang.pick("发送重新授权邀请", "Send a re-authorization invite")}</button>
            </ActionForm>
        }
    });
    view! {
        <section class="card" aria-labelledby="account-actions-title">
            <h2 id="account-actions-title">{lang.pick("操作", "Actions")}</h2>
            {error}
            <div class="actions-row">
                <ActionForm action=refetch>
                    <input type="hidden" name="appid" value=refetch_appid />
                    <button type="submit" class="button">{lang.pick("重新获取帐号资料", "Fetch the profile again")}</button>
                </ActionForm>
                {reinvite_form}
            </div>
            <details>
                <summary>{lang.pick("移到另一家公司", "Move to another company")}</summary>
                <p class="muted small">{lang.pick("帐号的令牌和历史保持不变；令牌服务按新公司的范围发放。", "Its tokens and history stay; the token service hands them out under the new company's scope.")}</p>
                <ActionForm action=move_to>
                    <input type="hidden" name="appid" value=appid />
                    <div class="form-grid">
                        <label for="move-company">{lang.pick("目标公司名称", "Target company's name")}</label>
                        <input id="move-company" name="company" type="text" required maxlength="100" autocomplete="off" />
                    </div>
                    <p>
                        <label>
                            <input type="checkbox" name="confirm" value="yes" required />
                            {lang.pick(" 我确认把这个帐号移到上面填写的公司", " I confirm moving this account to the company above")}
                        </label>
                    </p>
                    <button type="submit" class="button danger">{lang.pick("移动帐号", "Move the account")}</button>
                </ActionForm>
            </details>
        </section>
    }
}

/// The account's history, newest first; runs of refreshes folded away.
#[component]
fn Timeline(items: Vec<TimelineItemView>, appid: String) -> impl IntoView {
    let lang = admin_lang();
    let body = if items.is_empty() {
        view! { <p class="empty-state">{lang.pick("还没有记录。", "Nothing recorded yet.")}</p> }
            .into_any()
    } else {
        view! {
            <ol class="timeline">
                {items.into_iter().map(|item| {
                    let class = format!("timeline-item tone-{}", item.tone);
                    let content = view! {
                        <p class="timeline-title">{item.title}</p>
                        {item.detail.map(|d| view! { <p class="muted small timeline-detail">{d}</p> })}
                    };
                    view! {
                        <li class=class>
                            <time class="muted small">{item.when}{item.span.map(|s| format!("（{s}）"))}</time>
                            {if item.folded {
                                view! { <details><summary>{lang.pick("令牌刷新", "Token refreshes")}</summary>{content}</details> }.into_any()
                            } else {
                                content.into_any()
                            }}
                        </li>
                    }
                }).collect_view()}
            </ol>
        }
        .into_any()
    };
    view! {
        <section class="card" aria-labelledby="account-timeline-title">
            <h2 id="account-timeline-title">{lang.pick("历史", "History")}</h2>
            {body}
            <p class="muted small"><a href=format!("/audit?object=authorizer:{appid}")>{lang.pick("在审计日志中查看对这个帐号的全部操作", "Every action on this account in the audit log")}</a></p>
        </section>
    }
}
