//! The result page (`/onboard/{token}/result/{appid}`): the account that was
//! just authorized, its permissions, and the way to authorize another.

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use crate::api::onboarding::get_authorization_result;
use crate::components::authorizer_card::AuthorizerCard;

#[component]
pub fn OnboardResultPage() -> impl IntoView {
    let params = use_params_map();
    let token = move || params.read().get("token").unwrap_or_default();
    let result = Resource::new(
        move || (token(), params.read().get("appid").unwrap_or_default()),
        |(token, appid)| get_authorization_result(token, appid),
    );
    view! {
        <Transition fallback=|| view! { <p class="muted">"加载中…"</p> }>
            {move || Suspend::new(async move {
                match result.await {
                    Ok(Some(authorizer)) => view! {
                        <section class="page">
                            <header class="page-header">
                                <p class="eyebrow success-text">"授权成功"</p>
                                <h1>"「" {authorizer.nick_name.clone()} "」已授权"</h1>
                                <p class="lead">"平台已经可以代表这个帐号调用微信接口。"</p>
                            </header>
                            <AuthorizerCard authorizer />
                            <p class="cta">
                                <a class="button" href=format!("/onboard/{}", token())>"再授权一个帐号"</a>
                            </p>
                        </section>
                    }.into_any(),
                    Ok(None) | Err(_) => view! {
                        <section class="card problem">
                            <h1>"找不到这次授权的结果"</h1>
                            <p>"请重新打开管理员发给您的邀请链接查看已授权的帐号。"</p>
                        </section>
                    }.into_any(),
                }
            })}
        </Transition>
    }
}
