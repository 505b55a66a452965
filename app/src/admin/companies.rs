//! The companies page: the list of merchants and the form that adds one.
//! The seed of the admin dashboard. The form posts to its server function,
//! which sends the browser back here with `?created=<id>` (or, on an error,
//! with the error for `ServerAction` to show).

use crate::admin::layout::AdminLayout;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::UiError;
use crate::admin::api::companies::{CompanyRowView, CreateCompany, companies_page, company_name};
use crate::admin::platform_status::PlatformStatusCard;
use crate::i18n::{Lang, admin_lang};
use crate::shared::views::{Column, failed, list_table, loading};

#[component]
pub fn CompaniesPage() -> impl IntoView {
    let lang = admin_lang();
    let create = ServerAction::<CreateCompany>::new();
    let query = use_query_map();
    let search = move || query.read().get("q").filter(|q| !q.trim().is_empty());
    let before = move || {
        query
            .read()
            .get("before")
            .and_then(|b| b.parse::<i64>().ok())
    };
    let by_name = move || query.read().get("sort").as_deref() == Some("name");
    let after = move || query.read().get("after");
    let page = Resource::new(
        move || (search(), before(), by_name(), after()),
        |(q, before, by_name, after)| {
            companies_page(q, before, by_name.then(|| "name".to_owned()), after)
        },
    );
    // A list address: the search kept, in an order, from a cursor.
    let list_href = move |name_order: bool, cursor: Option<String>| {
        let mut parts = Vec::new();
        if let Some(q) = search() {
            parts.push(format!("q={}", crate::admin::audit::urlencoding(&q)));
        }
        if name_order {
            parts.push("sort=name".to_owned());
        }
        parts.extend(cursor);
        if parts.is_empty() {
            "/companies".to_owned()
        } else {
            format!("/companies?{}", parts.join("&"))
        }
    };
    let created = move || {
        query
            .read()
            .get("created")
            .and_then(|id| id.parse::<i64>().ok())
    };

    // Only after a creation (`?created=<id>`): that one company's name.
    let created_name = Resource::new(created, |id| async move {
        match id {
            Some(id) => company_name(id).await.ok().flatten(),
            None => None,
        }
    });

    view! {
        <AdminLayout>
            <section class="page">
                <header class="page-header">
                    <h1>{lang.pick("公司", "Companies")}</h1>
                    <p class="lead">{lang.pick("每个商户对应一家公司。先创建公司，再为它生成授权邀请链接。", "Each merchant is a company: create the company, then make it an invite link.")}</p>
                </header>

                <PlatformStatusCard />

                <section class="card" aria-labelledby="create-company-title">
                    <h2 id="create-company-title">{lang.pick("新建公司", "New company")}</h2>
                    <ActionForm action=create>
                        <div class="field-row">
                            <label for="company-name">{lang.pick("公司名称", "Company name")}</label>
                            <input
                                id="company-name"
                                name="name"
                                type="text"
                                required
                                maxlength="100"
                                autocomplete="organization"
                                placeholder=lang.pick("例如：上海某某科技有限公司", "e.g. Shanghai Example Technology Co., Ltd.")
                            />
                            <button type="submit" class="button primary">{lang.pick("创建公司", "Create company")}</button>
                        </div>
                    </ActionForm>
                    {move || create.value().get().and_then(Result::err).map(|err: UiError| view! {
                        <p class="notice error" role="alert">{err.to_string()}</p>
                    })}
                    <Suspense>
                        {move || Suspend::new(async move {
                            created_name.await.map(|name| view! {
                                <p class="notice success" role="status">{match lang { Lang::Zh => format!("已创建公司「{name}」。"), Lang::En => format!("Company \"{name}\" created.") }}</p>
                            })
                        })}
                    </Suspense>
                </section>

                <section class="card" aria-labelledby="company-list-title">
                    <h2 id="company-list-title">{lang.pick("公司列表", "Companies")}</h2>
                    <form method="get" action="/companies" class="filters" role="search">
                        <div class="field-row">
                            <label for="company-search">{lang.pick("搜索公司", "Search companies")}</label>
                            <input id="company-search" name="q" type="search" value=move || search().unwrap_or_default() placeholder=lang.pick("公司名称中的文字", "Words in the company's name") />
                            {move || by_name().then(|| view! { <input type="hidden" name="sort" value="name" /> })}
                            <button type="submit" class="button">{lang.pick("搜索", "Search")}</button>
                        </div>
                    </form>
                    <nav class="tabs" aria-label=lang.pick("排序", "Order")>
                        {move || [(false, lang.pick("最新创建", "Newest")), (true, lang.pick("按名称", "By name"))].into_iter().map(|(name_order, label)| {
                            let current = by_name() == name_order;
                            view! { <a href=list_href(name_order, None) aria-current=current.then_some("page") class:current=current>{label}</a> }
                        }).collect_view()}
                    </nav>
                    <Transition fallback=move || loading(lang)>
                        {move || Suspend::new(async move {
                            match page.await {
                                Ok(page) => {
                                    let next = match (page.next_before, page.next_after) {
                                        (Some(before), _) => Some((list_href(false, Some(format!("before={before}"))), lang.pick("更早的公司 →", "Older companies →"))),
                                        (_, Some(after)) => Some((list_href(true, Some(format!("after={}", crate::admin::audit::urlencoding(&after)))), lang.pick("下一页 →", "Next page →"))),
                                        _ => None,
                                    }
                                    .map(|(href, label)| view! { <p><a class="button small" href=href>{label}</a></p> });
                                    let searching = search().is_some();
                                    view! { <CompanyList companies=page.rows searching=searching /> {next} }.into_any()
                                }
                                Err(err) => failed(err).into_any(),
                            }
                        })}
                    </Transition>
                </section>
            </section>
        </AdminLayout>
    }
}

const COLUMNS: [Column; 5] = [
    Column::new("公司名称", "Company name"),
    Column::new("正常帐号", "Active accounts"),
    Column::new("需要重新授权", "Needs re-authorization"),
    Column::new("已取消授权", "Revoked"),
    Column::new("创建时间", "Created"),
];

#[component]
fn CompanyList(companies: Vec<CompanyRowView>, searching: bool) -> impl IntoView {
    let lang = admin_lang();
    let rows: Vec<_> = companies
        .into_iter()
        .map(|company| {
            let attention = company.needs_reauthorization > 0;
            view! {
                <tr data-company-id=company.id>
                    <td>
                        <a href=format!("/companies/{}", company.id)>{company.name}</a>
                        {company.archived.then(|| view! { " " <span class="tag warn">{lang.pick("已归档", "Archived")}</span> })}
                    </td>
                    <td data-count="active">{company.active}</td>
                    <td data-count="needs_reauthorization" class:warn=attention>{company.needs_reauthorization}</td>
                    <td data-count="revoked">{company.revoked}</td>
                    <td class="muted">{company.created_at}</td>
                </tr>
            }
        })
        .collect();
    let empty = if searching {
        lang.pick(
            "没有名称包含这些文字的公司。",
            "No company's name contains these words.",
        )
    } else {
        lang.pick(
            "还没有公司。在上方填写名称，创建第一家公司。",
            "No company yet: type a name above to create the first one.",
        )
    };
    list_table(lang, &COLUMNS, rows, empty)
}
