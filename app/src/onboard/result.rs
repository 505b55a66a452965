//! The result page (`/onboard/{token}/result/{appid}`): the account that was
//! just authorized, its permissions, and the way to authorize another.

use crate::shared::public_layout::PublicLayout;
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::i18n::Lang;
use crate::onboard::api::{AuthorizationResult, get_authorization_result};
use crate::shared::authorizer_card::AuthorizerCard;
use crate::shared::lang_switch::LangSwitch;

#[component]
pub fn OnboardResultPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let token = move || params.read().get("token").unwrap_or_default();
    let result = Resource::new(
        move || {
            (
                token(),
                params.read().get("appid").unwrap_or_default(),
                query.read().get("lang"),
            )
        },
        |(token, appid, lang)| get_authorization_result(token, appid, lang),
    );
    view! {
        <PublicLayout>
            <Transition fallback=|| view! { <p class="muted">"加载中…"</p> }>
                {move || Suspend::new(async move {
                    match result.await {
                        Ok(AuthorizationResult { lang, authorizer: Some(authorizer), invite_open }) => view! {
                            <LangSwitch lang />
                            <section class="page">
                                <header class="page-header">
                                    <p class="eyebrow success-text">{lang.pick("授权成功", "Authorized")}</p>
                                    <h1>{match lang {
                                        Lang::Zh => format!("「{}」已授权", authorizer.nick_name),
                                        Lang::En => format!("{} is authorized", authorizer.nick_name),
                                    }}</h1>
                                    <p class="lead">{lang.pick(
                                        "平台已经可以代表这个帐号调用微信接口。",
                                        "The platform can now call WeChat's APIs on this account's behalf.",
                                    )}</p>
                                </header>
                                <AuthorizerCard authorizer />
                                {if invite_open {
                                    view! {
                                        <p class="cta">
                                            <a class="button" href=format!("/onboard/{}?lang={}", token(), lang.code())>
                                                {lang.pick("再授权一个帐号", "Authorize another account")}
                                            </a>
                                        </p>
                                    }.into_any()
                                } else {
                                    view! {
                                        <p class="muted">{lang.pick(
                                            "这个邀请已完成。如需授权其他帐号，请联系平台管理员获取新的邀请链接。",
                                            "This invitation is complete. To authorize another account, ask the platform's administrator for a new invitation.",
                                        )}</p>
                                    }.into_any()
                                }}
                            </section>
                        }.into_any(),
                        Ok(AuthorizationResult { lang, authorizer: None, .. }) => not_found(lang).into_any(),
                        Err(_) => not_found(Lang::Zh).into_any(),
                    }
                })}
            </Transition>
        </PublicLayout>
    }
}

fn not_found(lang: Lang) -> impl IntoView {
    view! {
        <section class="card problem">
            <h1>{lang.pick("找不到这次授权的结果", "No result for this authorization")}</h1>
            <p>{lang.pick(
                "请重新打开管理员发给您的邀请链接查看已授权的帐号。",
                "Open the invitation link again to see the accounts already authorized.",
            )}</p>
        </section>
    }
}
