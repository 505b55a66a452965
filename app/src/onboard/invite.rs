//! The merchant's onboarding page (`/onboard/{token}`): who asks, what will
//! happen, and the button to WeChat's authorization page. The button is our
//! own `/onboard/{token}/go`, which creates the pre_auth_code when clicked and
//! redirects to WeChat from this site, as WeChat requires; so the page needs
//! no script and its link never expires.

use crate::shared::public_layout::PublicLayout;
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::i18n::Lang;
use crate::onboard::api::{NextStep, OnboardingPage, OnboardingView, get_onboarding};
use crate::shared::authorizer_card::AuthorizerCard;
use crate::shared::lang_switch::LangSwitch;

#[component]
pub fn OnboardPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let page = Resource::new(
        move || {
            let token = params.read().get("token").unwrap_or_default();
            let query = query.read();
            let mobile = query.get("device").is_some_and(|d| d == "mobile");
            (token, mobile, query.get("lang"))
        },
        |(token, mobile, lang)| get_onboarding(token, mobile, lang),
    );
    view! {
        <PublicLayout>
            <Transition fallback=|| view! { <p class="muted">"加载中…"</p> }>
                {move || Suspend::new(async move {
                    match page.await {
                        Ok(OnboardingPage::Ready(view)) => view! { <Onboarding view /> }.into_any(),
                        Ok(OnboardingPage::Problem { lang, title, detail }) => view! { <InviteProblem lang title detail /> }.into_any(),
                        Err(err) => view! { <p class="notice error" role="alert">{err.to_string()}</p> }.into_any(),
                    }
                })}
            </Transition>
        </PublicLayout>
    }
}

#[component]
fn Onboarding(view: OnboardingView) -> impl IntoView {
    let OnboardingView {
        lang,
        company_name,
        asks_for,
        biz_appid,
        mobile,
        next,
        phone_url,
        phone_qr_svg,
        returned_from_wechat,
        authorized,
        registration,
    } = view;
    let t = move |zh, en| lang.pick(zh, en);
    let scan_step = if mobile {
        t(
            "在微信中确认要授权的帐号和权限",
            "Confirm the account and permissions inside WeChat",
        )
    } else {
        t(
            "用帐号管理员的微信扫码，并在手机上确认授权",
            "Scan the code with the account administrator's WeChat and confirm on the phone",
        )
    };
    view! {
        <LangSwitch lang />
        <section class="page onboarding">
            <header class="page-header">
                <p class="eyebrow">{t("授权邀请", "Authorization invitation")}</p>
                <h1>{match lang {
                    Lang::Zh => format!("为「{company_name}」授权{asks_for}"),
                    Lang::En => format!("Authorize {asks_for} for {company_name}"),
                }}</h1>
                <p class="lead">
                    {t(
                        "授权后，平台即可代表您的帐号调用微信接口。您随时可以在微信公众平台取消授权。",
                        "Once authorized, the platform can call WeChat's APIs on your account's behalf. You can withdraw the authorization at any time on the WeChat Official Accounts Platform.",
                    )}
                </p>
                {biz_appid.map(|appid| view! { <p class="muted">{t("本次仅限授权帐号 ", "Only this account may be authorized: ")} <code>{appid}</code></p> })}
            </header>

            {returned_from_wechat.then(|| view! {
                <p class="notice" role="status">
                    {t(
                        "您从微信授权页返回了，但授权没有完成（可能取消了授权）。如需授权，请再次点击下方按钮。",
                        "You came back from WeChat's page, but the authorization was not completed (perhaps you cancelled). To authorize, click the button below again.",
                    )}
                </p>
            })}

            {match next {
                NextStep::Done => view! {
                    <section class="card" aria-labelledby="steps-title">
                        <h2 id="steps-title">{t("授权已完成", "Authorization complete")}</h2>
                        <p class="notice success" role="status">{t(
                            "邀请指定的帐号已经授权给平台，无需再操作。授权的帐号见下方。",
                            "The account this invitation names is authorized; there is nothing left to do. It is shown below.",
                        )}</p>
                    </section>
                }.into_any(),
                next => view! {
                    <section class="card" aria-labelledby="steps-title">
                        <h2 id="steps-title">{t("授权步骤", "How it works")}</h2>
                        <ol class="steps">
                            <li>{t("点击下方按钮，打开微信的授权页面", "Click the button below to open WeChat's authorization page")}</li>
                            <li>{scan_step}</li>
                            <li>{t("确认后会自动回到本站，显示授权结果", "After confirming you come back here and see the result")}</li>
                        </ol>
                        {match next {
                            NextStep::Authorize { go_url } => view! { <AuthorizeButton go_url mobile lang /> }.into_any(),
                            NextStep::Unavailable(message) => view! { <p class="notice error" role="alert">{message}</p> }.into_any(),
                            NextStep::Done => ().into_any(),
                        }}
                    </section>

                    <section class="card phone" aria-labelledby="phone-title">
                        <h2 id="phone-title">{if mobile { t("换一台手机授权", "Use another phone") } else { t("在手机上授权", "Authorize on a phone") }}</h2>
                        <div class="phone-body">
                            <div class="qr" role="img" aria-label=t("手机授权二维码", "QR code for phones") inner_html=phone_qr_svg></div>
                            <div>
                                <p>{t(
                                    "用微信扫一扫左侧二维码，在手机上打开本页，再点击「在微信中授权」。",
                                    "Scan this QR code with WeChat to open this page on the phone, then tap \"Authorize in WeChat\".",
                                )}</p>
                                <p class="muted small"><a href=phone_url>{t("在本机打开手机版页面", "Open the phone version here")}</a></p>
                            </div>
                        </div>
                    </section>
                }.into_any(),
            }}

            {registration.map(|(register_url, stage)| view! {
                <section class="card" aria-labelledby="register-offer-title">
                    <h2 id="register-offer-title">{t("还没有小程序？", "No mini program yet?")}</h2>
                    <p>{t(
                        "平台可以请微信用贵公司的营业执照信息直接创建一个企业小程序，由法定代表人在微信中确认，创建后自动授权。",
                        "The platform can ask WeChat to create an enterprise mini program from your business licence details; the legal representative confirms in WeChat, and it is authorized automatically.",
                    )}</p>
                    {stage.map(|s| view! { <p class="notice" role="status">{s}</p> })}
                    <p><a class="button" href=register_url>{t("快速注册小程序", "Register a mini program")}</a></p>
                </section>
            })}

            <details class="card faq">
                <summary>{t("微信提示「请确认授权入口页所在域名」？", "WeChat says \"请确认授权入口页所在域名\"?")}</summary>
                <p>{t(
                    "微信只接受从本站页面点击进入的授权。请不要复制或转发授权页的地址，而是打开管理员发给您的邀请链接，在本页点击按钮进入。",
                    "WeChat only accepts authorizations started by clicking on this site. Don't copy or forward the address of WeChat's page; open the invitation link and click the button on this page.",
                )}</p>
            </details>

            {(!authorized.is_empty()).then(|| view! {
                <section class="card" aria-labelledby="done-title">
                    <h2 id="done-title">{t("已授权的帐号", "Accounts already authorized")}</h2>
                    {authorized.into_iter().map(|a| view! { <AuthorizerCard authorizer=a /> }).collect_view()}
                </section>
            })}
        </section>
    }
}

/// The button to WeChat (through our `/go` redirect).
#[component]
fn AuthorizeButton(go_url: String, mobile: bool, lang: Lang) -> impl IntoView {
    view! {
        <p class="cta">
            <a class="button primary big" href=go_url>
                {if mobile { lang.pick("在微信中授权", "Authorize in WeChat") } else { lang.pick("前往微信授权", "Continue to WeChat") }}
            </a>
        </p>
        <p class="muted small">
            {lang.pick(
                "每次点击都会生成新的授权链接，无需担心过期。",
                "Every click creates a fresh authorization link, so it never expires.",
            )}
        </p>
    }
}

/// Why an invite's page cannot be used, and what to do (with the language link).
#[component]
pub(crate) fn InviteProblem(lang: Lang, title: String, detail: String) -> impl IntoView {
    view! {
        <LangSwitch lang />
        <section class="card problem">
            <h1>{title}</h1>
            <p>{detail}</p>
        </section>
    }
}
