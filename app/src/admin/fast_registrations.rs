//! Fast registration on the admin side: the page of every request
//! (`/fast-registrations`, with the results that matched none), the table
//! the company page shows too, and the company page's form to start one.

use leptos::prelude::*;

use crate::admin::api::fast_registrations::{
    RegistrationRow, StartFastRegistration, list_fast_registrations,
};
use crate::admin::layout::AdminLayout;
use crate::i18n::admin_lang;
use crate::shared::views::{Column, failed, list_table, loading};

#[component]
pub fn FastRegistrationsPage() -> impl IntoView {
    let lang = admin_lang();
    let rows = Resource::new(|| (), |_| list_fast_registrations(None));
    view! {
        <AdminLayout>
            <section class="page">
                <header class="page-header">
                    <h1>{lang.pick("快速注册小程序", "Fast registration")}</h1>
                    <p class="lead">{lang.pick(
                        "为没有小程序的商户向微信申请创建企业小程序：法人在微信中确认后，小程序自动授权给平台。申请可在公司页面或允许快速注册的邀请页面发起。",
                        "Mini programs created by WeChat for merchants without one: once the legal representative confirms in WeChat, the mini program is authorized to the platform. Requests start on a company's page or on an invitation that offers it.",
                    )}</p>
                </header>
                <Transition fallback=move || loading(lang)>
                    {move || Suspend::new(async move {
                        match rows.await {
                            Ok(rows) => {
                                let unmatched = rows.iter().filter(|r| r.company.is_none()).count();
                                view! {
                                    {(unmatched > 0).then(|| view! {
                                        <p class="notice" role="status">{match lang {
                                            crate::i18n::Lang::Zh => format!("有 {unmatched} 条微信推送的注册结果没有匹配到任何申请：成功创建的小程序已在「对账」页面等待分配公司。"),
                                            crate::i18n::Lang::En => format!("{unmatched} result(s) pushed by WeChat matched no request: mini programs created that way wait on the Reconcile page for a company."),
                                        }}</p>
                                    })}
                                    <section class="card">
                                        <RegistrationTable rows show_company=true />
                                    </section>
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

/// Requests, newest first, with their state and why.
#[component]
pub fn RegistrationTable(rows: Vec<RegistrationRow>, show_company: bool) -> impl IntoView {
    let lang = admin_lang();
    let mut columns = vec![
        Column::new("申请时间", "Requested"),
        Column::new("企业", "Enterprise"),
        Column::new("法人", "Legal representative"),
        Column::new("发起人", "Started by"),
        Column::new("状态", "State"),
        Column::new("小程序", "Mini program"),
    ];
    if show_company {
        columns.insert(1, Column::new("公司", "Company"));
    }
    let rows = rows
        .into_iter()
        .map(|r| {
            let company = show_company.then(|| {
                view! {
                    <td>{match r.company.clone() {
                        Some((id, name)) => view! { <a href=format!("/companies/{id}")>{name}</a> }.into_any(),
                        None => view! { <span class="tag warn">{lang.pick("未匹配", "Unmatched")}</span> }.into_any(),
                    }}</td>
                }
            });
            view! {
                <tr data-registration=r.id>
                    <td>{r.created_at}</td>
                    {company}
                    <td>{r.enterprise}<br /><code class="small">{r.code}</code></td>
                    <td>{r.legal_persona}</td>
                    <td>{r.started_by}</td>
                    <td>
                        <span class=format!("tag {}", r.state_class)>{r.state}</span>
                        {r.reason.map(|reason| view! { <p class="small" data-reason>{reason}</p> })}
                    </td>
                    <td>{r.authorizer_appid.map(|appid| view! { <a href=format!("/accounts/{appid}")><code>{appid.clone()}</code></a> })}</td>
                </tr>
            }
        })
        .collect::<Vec<_>>();
    list_table(
        lang,
        &columns,
        rows,
        lang.pick("还没有快速注册申请。", "No fast registration request yet."),
    )
}

/// The company page's form: the same details a merchant fills in.
#[component]
pub fn StartRegistrationForm(
    company_id: i64,
    action: ServerAction<StartFastRegistration>,
) -> impl IntoView {
    let lang = admin_lang();
    view! {
        <details class="card">
            <summary>{lang.pick("为这家公司快速注册小程序", "Register a mini program for this company")}</summary>
            <p class="muted small">{lang.pick(
                "信息须与营业执照一致。提交后，微信会向法人发送确认消息，法人须在 24 小时内确认并完成人脸识别。也可以在创建邀请时勾选「允许快速注册」，由商户自己填写。",
                "The details must match the business licence. WeChat then messages the legal representative, who must confirm with a face check within 24 hours. Invitations can also offer this, for merchants to fill in themselves.",
            )}</p>
            <ActionForm action>
                <input type="hidden" name="company_id" value=company_id />
                <div class="form-grid">
                    <label for="afr-name">{lang.pick("企业名称", "Enterprise name")}</label>
                    <input id="afr-name" name="name" type="text" required maxlength="100" />
                    <label for="afr-code-type">{lang.pick("企业代码类型", "Kind of code")}</label>
                    <select id="afr-code-type" name="code_type">
                        <option value="1" selected>{lang.pick("统一社会信用代码（18 位）", "Unified social credit code (18)")}</option>
                        <option value="2">{lang.pick("组织机构代码（xxxxxxxx-x）", "Organisation code (xxxxxxxx-x)")}</option>
                        <option value="3">{lang.pick("营业执照注册号（15 位）", "Business licence number (15)")}</option>
                    </select>
                    <label for="afr-code">{lang.pick("企业代码", "Enterprise code")}</label>
                    <input id="afr-code" name="code" type="text" required maxlength="20" autocomplete="off" />
                    <label for="afr-wechat">{lang.pick("法人微信号", "Legal representative's WeChat id")}</label>
                    <input id="afr-wechat" name="legal_persona_wechat" type="text" required maxlength="64" autocomplete="off" />
                    <label for="afr-person">{lang.pick("法人姓名", "Legal representative's name")}</label>
                    <input id="afr-person" name="legal_persona_name" type="text" required maxlength="50" />
                    <label for="afr-phone">{lang.pick("联系电话（可选）", "Contact phone (optional)")}</label>
                    <input id="afr-phone" name="component_phone" type="tel" maxlength="20" />
                </div>
                <button type="submit" class="button primary">{lang.pick("提交注册申请", "Send the request")}</button>
            </ActionForm>
            {move || action.value().get().and_then(Result::err).map(|err| view! {
                <p class="notice error" role="alert">{err.to_string()}</p>
            })}
        </details>
    }
}
