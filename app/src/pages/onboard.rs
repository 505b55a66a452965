//! The merchant's onboarding page (`/onboard/{token}`): who asks, what will
//! happen, and the button to WeChat's authorization page. The link is built
//! fresh for every visit (pre_auth_codes expire) and followed from this page,
//! as WeChat requires.

use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::api::onboarding::{OnboardingPage, OnboardingView, get_onboarding};
use crate::components::authorizer_card::AuthorizerCard;

#[component]
pub fn OnboardPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let page = Resource::new(
        move || {
            let token = params.read().get("token").unwrap_or_default();
            let mobile = query.read().get("device").is_some_and(|d| d == "mobile");
            (token, mobile)
        },
        |(token, mobile)| get_onboarding(token, mobile),
    );
    view! {
        <Transition fallback=|| view! { <p class="muted">"加载中…"</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(OnboardingPage::Ready(view)) => view! { <Onboarding view /> }.into_any(),
                    Ok(OnboardingPage::Problem { title, detail }) => view! {
                        <section class="card problem">
                            <h1>{title}</h1>
                            <p>{detail}</p>
                        </section>
                    }.into_any(),
                    Err(err) => view! { <p class="notice error" role="alert">{err.to_string()}</p> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn Onboarding(view: OnboardingView) -> impl IntoView {
    let OnboardingView {
        company_name,
        asks_for,
        biz_appid,
        mobile,
        link,
        phone_url,
        phone_qr_svg,
        returned_from_wechat,
        authorized,
    } = view;
    let scan_step = if mobile {
        "在微信中确认要授权的帐号和权限"
    } else {
        "用帐号管理员的微信扫码，并在手机上确认授权"
    };
    view! {
        <section class="page onboarding">
            <header class="page-header">
                <p class="eyebrow">"授权邀请"</p>
                <h1>"为「" {company_name} "」授权" {asks_for.clone()}</h1>
                <p class="lead">
                    "授权后，平台即可代表您的" {asks_for} "调用微信接口。您随时可以在微信公众平台取消授权。"
                </p>
                {biz_appid.map(|appid| view! { <p class="muted">"本次仅限授权帐号 " <code>{appid}</code></p> })}
            </header>

            {returned_from_wechat.then(|| view! {
                <p class="notice" role="status">
                    "您从微信授权页返回了，但授权没有完成（可能取消了授权）。如需授权，请再次点击下方按钮。"
                </p>
            })}

            <section class="card" aria-labelledby="steps-title">
                <h2 id="steps-title">"授权步骤"</h2>
                <ol class="steps">
                    <li>"点击下方按钮，打开微信的授权页面"</li>
                    <li>{scan_step}</li>
                    <li>"确认后会自动回到本站，显示授权结果"</li>
                </ol>
                {match link {
                    Ok(link) => view! {
                        <p class="cta">
                            // The full page URL as Referer: WeChat checks its domain, and its
                            // "back" link (after a cancel) can return to this very page.
                            <a class="button primary big" href=link.url referrerpolicy="no-referrer-when-downgrade">
                                {if mobile { "在微信中授权" } else { "前往微信授权" }}
                            </a>
                        </p>
                        <p class="muted small">"授权页在 " {link.expires_at} " 前有效，过期请刷新本页。"</p>
                    }.into_any(),
                    Err(message) => view! { <p class="notice error" role="alert">{message}</p> }.into_any(),
                }}
            </section>

            <section class="card phone" aria-labelledby="phone-title">
                <h2 id="phone-title">{if mobile { "换一台手机授权" } else { "在手机上授权" }}</h2>
                <div class="phone-body">
                    <div class="qr" role="img" aria-label="手机授权二维码" inner_html=phone_qr_svg></div>
                    <div>
                        <p>"用微信扫一扫左侧二维码，在手机上打开本页，再点击「在微信中授权」。"</p>
                        <p class="muted small"><a href=phone_url>"在本机打开手机版页面"</a></p>
                    </div>
                </div>
            </section>

            <details class="card faq">
                <summary>"微信提示「请确认授权入口页所在域名」？"</summary>
                <p>
                    "微信只接受从本站页面点击进入的授权。请不要复制或转发授权页的地址，"
                    "而是打开管理员发给您的邀请链接，在本页点击按钮进入。"
                </p>
            </details>

            {(!authorized.is_empty()).then(|| view! {
                <section class="card" aria-labelledby="done-title">
                    <h2 id="done-title">"已授权的帐号"</h2>
                    {authorized.into_iter().map(|a| view! { <AuthorizerCard authorizer=a /> }).collect_view()}
                </section>
            })}
        </section>
    }
}
