//! The companies page: the list of merchants and the form that adds one.
//! The seed of the admin dashboard.

use crate::admin::layout::AdminLayout;
use leptos::prelude::*;

use crate::UiError;
use crate::admin::api::companies::{CompanySummary, CreateCompany, list_companies};
use crate::admin::platform_status::PlatformStatusCard;

#[component]
pub fn CompaniesPage() -> impl IntoView {
    let create = ServerAction::<CreateCompany>::new();
    // Reload the list whenever a creation finishes.
    let companies = Resource::new(move || create.version().get(), |_| list_companies());

    view! {
        <AdminLayout>
            <section class="page">
                <header class="page-header">
                    <h1>"公司"</h1>
                    <p class="lead">"每个商户对应一家公司。先创建公司，再为它生成授权邀请链接。"</p>
                </header>

                <PlatformStatusCard />

                <section class="card" aria-labelledby="create-company-title">
                    <h2 id="create-company-title">"新建公司"</h2>
                    <ActionForm action=create>
                        <div class="field-row">
                            <label for="company-name">"公司名称"</label>
                            <input
                                id="company-name"
                                name="name"
                                type="text"
                                required
                                maxlength="100"
                                autocomplete="organization"
                                placeholder="例如：上海某某科技有限公司"
                            />
                            <button type="submit" class="button primary">"创建公司"</button>
                        </div>
                    </ActionForm>
                    <CreateOutcome outcome=create.value() />
                </section>

                <section class="card" aria-labelledby="company-list-title">
                    <h2 id="company-list-title">"公司列表"</h2>
                    <Transition fallback=|| view! { <p class="muted">"加载中…"</p> }>
                        {move || Suspend::new(async move {
                            match companies.await {
                                Ok(list) => view! { <CompanyList companies=list /> }.into_any(),
                                Err(err) => view! { <p class="error" role="alert">{err.to_string()}</p> }.into_any(),
                            }
                        })}
                    </Transition>
                </section>
            </section>
        </AdminLayout>
    }
}

/// The message under the form after a submission.
#[component]
fn CreateOutcome(
    #[prop(into)] outcome: Signal<Option<Result<CompanySummary, UiError>>>,
) -> impl IntoView {
    move || {
        outcome.get().map(|result| match result {
            Ok(company) => view! {
                <p class="notice success" role="status">"已创建公司「" {company.name} "」。"</p>
            }
            .into_any(),
            Err(err) => {
                view! { <p class="notice error" role="alert">{err.to_string()}</p> }.into_any()
            }
        })
    }
}

#[component]
fn CompanyList(companies: Vec<CompanySummary>) -> impl IntoView {
    if companies.is_empty() {
        return view! {
            <p class="empty-state">"还没有公司。在上方填写名称，创建第一家公司。"</p>
        }
        .into_any();
    }
    view! {
        <table class="table">
            <thead>
                <tr>
                    <th scope="col">"公司名称"</th>
                    <th scope="col">"创建时间"</th>
                </tr>
            </thead>
            <tbody>
                {companies
                    .into_iter()
                    .map(|company| view! {
                        <tr>
                            <td><a href=format!("/companies/{}", company.id)>{company.name}</a></td>
                            <td class="muted">{company.created_at}</td>
                        </tr>
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}
