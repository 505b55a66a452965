//! The merchant's fast registration page (`/onboard/{token}/register`): for
//! a company without a mini program, the form that asks WeChat to create
//! one, then what happens next: the legal representative confirms in WeChat
//! within 24 hours, and the page refreshes itself until the result is in.
//! Works without JavaScript: the form is a plain post, and the waiting page
//! reloads through a `<meta http-equiv="refresh">`.

use leptos::prelude::*;
use leptos_meta::Meta;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::i18n::Lang;
use crate::onboard::invite::InviteProblem;
use crate::onboard::register_api::{
    FormView, RegistrationPage, RegistrationView, RequestStage, RequestView,
    SubmitFastRegistration, get_registration_page,
};
use crate::shared::authorizer_card::AuthorizerCard;
use crate::shared::lang_switch::LangSwitch;
use crate::shared::public_layout::PublicLayout;

/// Seconds between reloads while the legal representative has not answered.
const REFRESH_SECS: &str = "10";

#[component]
pub fn OnboardRegisterPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let page = Resource::new(
        move || {
            let token = params.read().get("token").unwrap_or_default();
            let q = query.read();
            (token, q.get("lang"), q.get("draft"), q.get("problem"))
        },
        |(token, lang, draft, problem)| get_registration_page(token, lang, draft, problem),
    );
    view! {
        <PublicLayout>
            <Transition fallback=|| view! { <p class="muted">"加载中…"</p> }>
                {move || Suspend::new(async move {
                    match page.await {
                        Ok(RegistrationPage::Ready(view)) => view! { <Registration view=*view /> }.into_any(),
                        Ok(RegistrationPage::Problem { lang, title, detail }) => view! { <InviteProblem lang title detail /> }.into_any(),
                        Err(err) => view! { <p class="notice error" role="alert">{err.to_string()}</p> }.into_any(),
                    }
                })}
            </Transition>
        </PublicLayout>
    }
}

#[component]
fn Registration(view: RegistrationView) -> impl IntoView {
    let RegistrationView {
        lang,
        token,
        company_name,
        invite_url,
        latest,
        form,
        notice,
    } = view;
    let t = move |zh, en| lang.pick(zh, en);
    view! {
        <LangSwitch lang />
        <section class="page onboarding">
            <header class="page-header">
                <p class="eyebrow">{t("快速注册小程序", "Register a mini program")}</p>
                <h1>{match lang {
                    Lang::Zh => format!("为「{company_name}」注册小程序"),
                    Lang::En => format!("Register a mini program for {company_name}"),
                }}</h1>
                <p class="lead">{t(
                    "还没有小程序？微信可以用贵公司的营业执照信息直接创建一个企业小程序，由法定代表人在微信中确认。创建后，小程序自动授权给平台，无需再扫码授权。",
                    "No mini program yet? WeChat can create an enterprise mini program from your business licence details, confirmed by the legal representative in WeChat. Once created, it is authorized to the platform automatically, with no QR code to scan.",
                )}</p>
            </header>
            {notice.map(|n| view! { <p class="notice error" role="alert">{n}</p> })}
            {latest.map(|request| view! { <RequestStatus request lang invite_url=invite_url.clone() /> })}
            {form.map(|form| view! { <RegistrationFormCard form token lang /> })}
            <p class="muted small"><a href=invite_url.clone()>{t("← 返回邀请页面", "← Back to the invitation")}</a></p>
        </section>
    }
}

#[component]
fn RequestStatus(request: RequestView, lang: Lang, invite_url: String) -> impl IntoView {
    let t = move |zh, en| lang.pick(zh, en);
    let RequestView {
        stage,
        enterprise,
        legal_persona_name,
        submitted_at,
        confirm_by,
        reason,
        can_retry,
        authorizer,
    } = request;
    match stage {
        RequestStage::Waiting => view! {
            <Meta http_equiv="refresh" content=REFRESH_SECS />
            <section class="card" aria-labelledby="request-title" data-stage="waiting">
                <h2 id="request-title">{t("等待法人确认", "Waiting for the legal representative")}</h2>
                <p class="notice" role="status">{match lang {
                    Lang::Zh => format!("已向微信提交「{enterprise}」的注册申请（{submitted_at}）。"),
                    Lang::En => format!("The request for {enterprise} was sent to WeChat ({submitted_at})."),
                }}</p>
                <ol class="steps">
                    <li>{match lang {
                        Lang::Zh => format!("法定代表人{legal_persona_name}的微信会收到微信团队发来的确认消息"),
                        Lang::En => format!("The legal representative, {legal_persona_name}, receives a message from WeChat"),
                    }}</li>
                    <li>{match lang {
                        Lang::Zh => format!("法人在消息中确认并完成人脸识别，请在 {confirm_by} 之前完成，超时需重新提交"),
                        Lang::En => format!("They confirm in the message and pass the face check before {confirm_by}; after that, the request must be sent again"),
                    }}</li>
                    <li>{t(
                        "微信创建小程序后，它会自动授权给平台，本页随即显示结果",
                        "Once WeChat creates the mini program, it is authorized to the platform and this page shows it",
                    )}</li>
                </ol>
                <p class="muted small">{t("本页每 10 秒自动刷新，也可以关闭本页，稍后再打开邀请链接查看。", "This page refreshes itself every 10 seconds; you can also close it and open the invitation link later.")}</p>
            </section>
        }.into_any(),
        RequestStage::Registered => view! {
            <section class="card" aria-labelledby="request-title" data-stage="registered">
                <h2 id="request-title">{t("小程序已创建并授权", "Mini program created and authorized")}</h2>
                <p class="notice success" role="status">{match lang {
                    Lang::Zh => format!("微信已为「{enterprise}」创建小程序，并授权给平台，无需再操作。"),
                    Lang::En => format!("WeChat created a mini program for {enterprise} and authorized it to the platform; there is nothing left to do."),
                }}</p>
                {authorizer.map(|a| view! { <AuthorizerCard authorizer=a /> })}
                <p class="muted small">{t(
                    "新小程序尚未认证，名称和头像可在微信公众平台（mp.weixin.qq.com）用法人微信扫码登录后设置。",
                    "The new mini program is not yet verified; set its name and picture on mp.weixin.qq.com after signing in with the legal representative's WeChat.",
                )}</p>
                <p><a class="button" href=invite_url>{t("返回邀请页面", "Back to the invitation")}</a></p>
            </section>
        }.into_any(),
        RequestStage::NotRegistered => view! {
            <section class="card" aria-labelledby="request-title" data-stage="not-registered">
                <h2 id="request-title">{t("注册没有成功", "The registration did not succeed")}</h2>
                <p class="notice error" role="alert" data-reason>{reason.unwrap_or_default()}</p>
                <p class="muted small">{if can_retry {
                    t("请在下方核对并修改信息后重新提交。", "Check and correct the details below, then submit again.")
                } else {
                    t("这个原因无法通过重新提交解决，请联系平台管理员。", "Submitting again cannot fix this; please contact the platform's administrator.")
                }}</p>
            </section>
        }.into_any(),
    }
}

#[component]
fn RegistrationFormCard(form: FormView, token: String, lang: Lang) -> impl IntoView {
    let t = move |zh, en| lang.pick(zh, en);
    let submit = ServerAction::<SubmitFastRegistration>::new();
    let FormView {
        name,
        code,
        code_type,
        legal_persona_wechat,
        legal_persona_name,
        component_phone,
        error,
    } = form;
    // Each field's message, if it is the one refused.
    let message = |field: &str| {
        error
            .as_ref()
            .filter(|(f, _)| f == field)
            .map(|(_, m)| m.clone())
    };
    let [
        name_err,
        code_type_err,
        code_err,
        wechat_err,
        person_err,
        phone_err,
    ] = [
        "name",
        "code_type",
        "code",
        "legal_persona_wechat",
        "legal_persona_name",
        "component_phone",
    ]
    .map(message);
    let invalid = |m: &Option<String>| m.is_some().then_some("true");
    let selected = move |value: u8| code_type == value;
    view! {
        <section class="card" aria-labelledby="register-title">
            <h2 id="register-title">{t("填写企业信息", "Enterprise details")}</h2>
            <p class="muted small">{t(
                "信息须与营业执照一致。提交后，微信会向法定代表人发送确认消息。",
                "The details must match the business licence. WeChat then sends the legal representative a message to confirm.",
            )}</p>
            <ActionForm action=submit>
                <input type="hidden" name="token" value=token />
                <input type="hidden" name="lang" value=lang.code() />
                <div class="form-grid">
                    <label for="fr-name">{t("企业名称", "Enterprise name")}</label>
                    <div>
                        <input id="fr-name" name="name" type="text" required maxlength="100" value=name aria-invalid=invalid(&name_err) placeholder=t("与营业执照上的名称完全一致", "Exactly as on the business licence") />
                        <FieldError message=name_err />
                    </div>
                    <label for="fr-code-type">{t("企业代码类型", "Kind of code")}</label>
                    <div>
                        <select id="fr-code-type" name="code_type" aria-invalid=invalid(&code_type_err)>
                            <option value="1" selected=selected(1)>{t("统一社会信用代码（18 位）", "Unified social credit code (18)")}</option>
                            <option value="2" selected=selected(2)>{t("组织机构代码（xxxxxxxx-x）", "Organisation code (xxxxxxxx-x)")}</option>
                            <option value="3" selected=selected(3)>{t("营业执照注册号（15 位）", "Business licence number (15)")}</option>
                        </select>
                        <FieldError message=code_type_err />
                    </div>
                    <label for="fr-code">{t("企业代码", "Enterprise code")}</label>
                    <div>
                        <input id="fr-code" name="code" type="text" required maxlength="20" autocomplete="off" value=code aria-invalid=invalid(&code_err) />
                        <FieldError message=code_err />
                    </div>
                    <label for="fr-wechat">{t("法人微信号", "Legal representative's WeChat id")}</label>
                    <div>
                        <input id="fr-wechat" name="legal_persona_wechat" type="text" required maxlength="64" autocomplete="off" value=legal_persona_wechat aria-invalid=invalid(&wechat_err) placeholder=t("微信「我」页面显示的微信号", "As shown under Me in WeChat") />
                        <FieldError message=wechat_err />
                    </div>
                    <label for="fr-person">{t("法人姓名", "Legal representative's name")}</label>
                    <div>
                        <input id="fr-person" name="legal_persona_name" type="text" required maxlength="50" value=legal_persona_name aria-invalid=invalid(&person_err) />
                        <FieldError message=person_err />
                    </div>
                    <label for="fr-phone">{t("联系电话（可选）", "Contact phone (optional)")}</label>
                    <div>
                        <input id="fr-phone" name="component_phone" type="tel" maxlength="20" value=component_phone aria-invalid=invalid(&phone_err) />
                        <FieldError message=phone_err />
                    </div>
                </div>
                <button type="submit" class="button primary">{t("提交注册申请", "Send the request")}</button>
            </ActionForm>
        </section>
    }
}

/// A refused field's message, under the field.
#[component]
fn FieldError(message: Option<String>) -> impl IntoView {
    message.map(|message| view! { <p class="field-error error" role="alert">{message}</p> })
}
