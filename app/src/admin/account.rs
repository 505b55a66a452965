//! One account (`/accounts/{appid}`): who it is, its permission sets (the
//! required ones marked), its token health and why it stopped working if it
//! did, and "refresh now" (a plain form).

use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::admin::api::account::{RefreshAccount, get_account};
use crate::admin::layout::AdminLayout;
use crate::shared::authorizer_card::AuthorizerCard;

#[component]
pub fn AccountPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let appid = move || params.read().get("appid").unwrap_or_default();
    let account = Resource::new(appid, get_account);
    let refresh = ServerAction::<RefreshAccount>::new();
    let outcome = move || match query.read().get("refresh").as_deref() {
        Some("done") => Some(("notice success", "已刷新：新的 access_token 已保存。")),
        Some("skipped") => Some(("notice", "没有刷新：帐号不是正常状态，或另一处刚刚刷新过。")),
        Some("failed") => Some(("notice error", "刷新失败，原因见下方「令牌状态」。")),
        _ => None,
    };

    view! {
        <AdminLayout>
            <section class="page">
                <p><a href="/accounts">"← 全部帐号"</a></p>
                {move || outcome().map(|(class, text)| view! { <p class=class role="status">{text}</p> })}
                <Transition fallback=|| view! { <p class="muted">"加载中…"</p> }>
                    {move || Suspend::new(async move {
                        match account.await {
                            Ok(a) => {
                                let appid = a.card.authorizer_appid.clone();
                                view! {
                                    <header class="page-header">
                                        <h1>{a.card.nick_name.clone()}</h1>
                                        <p class="lead">"所属公司：" <a href=format!("/companies/{}", a.company_id)>{a.company}</a></p>
                                    </header>
                                    <AuthorizerCard authorizer=a.card />
                                    <section class="card" aria-labelledby="account-more-title">
                                        <h2 id="account-more-title">"更多信息"</h2>
                                        <dl class="facts">
                                            <dt>"微信号"</dt><dd>{a.alias.unwrap_or_else(|| "—".into())}</dd>
                                            <dt>"二维码"</dt>
                                            <dd>{match a.qrcode_url {
                                                Some(url) => view! { <a href=url rel="noreferrer" referrerpolicy="no-referrer">"查看二维码"</a> }.into_any(),
                                                None => view! { "—" }.into_any(),
                                            }}</dd>
                                        </dl>
                                    </section>
                                    <section class="card" aria-labelledby="account-token-title">
                                        <h2 id="account-token-title">"令牌状态"</h2>
                                        <dl class="facts">
                                            <dt>"access_token 有效期至"</dt><dd data-health="expires_at">{a.expires_at}</dd>
                                            <dt>"上次刷新"</dt><dd>{a.refreshed_at}</dd>
                                            <dt>"下次刷新"</dt><dd>{a.next_refresh_at}</dd>
                                            <dt>"连续失败次数"</dt><dd data-health="failures">{a.failures}</dd>
                                        </dl>
                                        {a.last_error.map(|e| view! { <p class="notice error" role="alert">"最近的错误：" {e}</p> })}
                                        <ActionForm action=refresh>
                                            <input type="hidden" name="appid" value=appid />
                                            <button type="submit" class="button">"立即刷新令牌"</button>
                                        </ActionForm>
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
