//! The API keys page (`/api-keys`): the keys of the operator's other backends
//! for the token service. Create one (shown once, with a copy button), see
//! what each may do, when it was last used and how many tokens it read today,
//! and revoke it after a confirmation. Every form works without JavaScript.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::UiError;
use crate::admin::api::api_keys::{
    ApiKeyView, CreateApiKey, RevokeApiKey, list_api_keys, reveal_api_key,
};
use crate::admin::api::companies::list_companies;
use crate::admin::layout::AdminLayout;
use crate::shared::copy_button::CopyButton;

#[component]
pub fn ApiKeysPage() -> impl IntoView {
    let create = ServerAction::<CreateApiKey>::new();
    let revoke = ServerAction::<RevokeApiKey>::new();
    let query = use_query_map();
    let number = move |name: &str| query.read().get(name).and_then(|v| v.parse::<i64>().ok());
    let keys = Resource::new(|| (), |_| list_api_keys());
    let companies = Resource::new(|| (), |_| list_companies());
    // The key just made, shown once (the server hands it out a single time).
    let created = Resource::new(
        move || number("created"),
        |id| async move {
            match id {
                Some(id) => reveal_api_key(id).await.map(|key| key.map(|key| (id, key))),
                None => Ok(None),
            }
        },
    );

    view! {
        <AdminLayout>
            <section class="page">
                <header class="page-header">
                    <h1>"API 密钥"</h1>
                    <p class="lead">"运营方的其他后端系统用 API 密钥从令牌服务（/api/v1）读取公众号和小程序的 access_token。每个密钥只能读取它被允许的公司。"</p>
                </header>

                <Suspense>
                    {move || Suspend::new(async move {
                        match created.await {
                            Ok(Some((id, key))) => Some(view! {
                                <section class="card notice success" role="status" aria-labelledby="new-key-title">
                                    <h2 id="new-key-title">{format!("已创建密钥 #{id}")}</h2>
                                    <p>"请立即复制并妥善保存这个密钥：它只显示这一次，离开本页后无法再次查看。"</p>
                                    <p><code class="secret" data-new-key="">{key.clone()}</code></p>
                                    <CopyButton text=key label="复制密钥".to_owned() />
                                </section>
                            }.into_any()),
                            Ok(None) if number("created").is_some() => Some(view! {
                                <p class="notice" role="status">"密钥已创建。它只显示一次，已经显示过了；如果没有保存，请吊销它并新建一个。"</p>
                            }.into_any()),
                            Ok(None) => None,
                            Err(err) => Some(view! {
                                <p class="notice error" role="alert">{err.to_string()}</p>
                            }.into_any()),
                        }
                    })}
                </Suspense>
                {move || number("revoked").map(|id| view! {
                    <p class="notice success" role="status">{format!("已吊销密钥 #{id}，令牌服务将在几秒内拒绝它。")}</p>
                })}

                <section class="card" aria-labelledby="create-key-title">
                    <h2 id="create-key-title">"新建密钥"</h2>
                    <ActionForm action=create>
                        <div class="field-row">
                            <label for="key-name">"名称"</label>
                            <input id="key-name" name="name" type="text" required maxlength="100" placeholder="例如：会员系统" />
                        </div>
                        <div class="field-row">
                            <label for="key-scope">"可读取的公司"</label>
                            <select id="key-scope" name="scope" required>
                                <option value="all">"全部公司"</option>
                                <Suspense>
                                    {move || Suspend::new(async move {
                                        companies.await.unwrap_or_default().into_iter().map(|c| view! {
                                            <option value=c.id.to_string()>{format!("仅「{}」", c.name)}</option>
                                        }).collect_view()
                                    })}
                                </Suspense>
                            </select>
                        </div>
                        <div class="field-row">
                            <label><input type="checkbox" name="component" value="on" />" 也可读取平台令牌（component_access_token）"</label>
                        </div>
                        <div class="field-row">
                            <label><input type="checkbox" name="invalidate" value="on" />" 可作废令牌（令牌失效时要求立即刷新）"</label>
                        </div>
                        <div class="field-row">
                            <label for="key-expiry">"有效期（天）"</label>
                            <input id="key-expiry" name="expires_days" type="number" min="1" max="3650" placeholder="留空表示永不过期" />
                        </div>
                        <button type="submit" class="button primary">"创建密钥"</button>
                    </ActionForm>
                    {move || create.value().get().and_then(Result::err).map(|err: UiError| view! {
                        <p class="notice error" role="alert">{err.to_string()}</p>
                    })}
                </section>

                {move || number("confirm_revoke").map(|id| view! {
                    <section class="card notice" role="alertdialog" aria-labelledby="confirm-revoke-title">
                        <h2 id="confirm-revoke-title">{format!("吊销密钥 #{id}？")}</h2>
                        <p>"吊销后，使用这个密钥的系统将无法再读取令牌。此操作不能撤销。"</p>
                        <ActionForm action=revoke>
                            <input type="hidden" name="id" value=id.to_string() />
                            <button type="submit" class="button danger">"确认吊销"</button>
                            " "
                            <a class="button" href="/api-keys">"取消"</a>
                        </ActionForm>
                    </section>
                })}

                <section class="card" aria-labelledby="key-list-title">
                    <h2 id="key-list-title">"密钥列表"</h2>
                    <Transition fallback=|| view! { <p class="muted">"加载中…"</p> }>
                        {move || Suspend::new(async move {
                            match keys.await {
                                Ok(list) => view! { <KeyTable keys=list /> }.into_any(),
                                Err(err) => view! { <p class="error" role="alert">{err.to_string()}</p> }.into_any(),
                            }
                        })}
                    </Transition>
                </section>
            </section>
        </AdminLayout>
    }
}

#[component]
fn KeyTable(keys: Vec<ApiKeyView>) -> impl IntoView {
    if keys.is_empty() {
        return view! { <p class="empty-state">"还没有 API 密钥。在上方创建一个，交给需要读取令牌的系统。"</p> }.into_any();
    }
    view! {
        <table class="table">
            <thead>
                <tr>
                    <th scope="col">"名称"</th>
                    <th scope="col">"密钥开头"</th>
                    <th scope="col">"权限"</th>
                    <th scope="col">"状态"</th>
                    <th scope="col">"最近使用"</th>
                    <th scope="col">"今日读取"</th>
                    <th scope="col">"累计"</th>
                    <th scope="col">"有效期至"</th>
                    <th scope="col"><span class="visually-hidden">"操作"</span></th>
                </tr>
            </thead>
            <tbody>
                {keys
                    .into_iter()
                    .map(|key| {
                        let revoke_href = format!("/api-keys?confirm_revoke={}", key.id);
                        view! {
                            <tr data-key-id=key.id>
                                <td>{key.name.clone()}</td>
                                <td><code>{key.prefix}"…"</code></td>
                                <td>{key.scope}</td>
                                <td>{key.status}</td>
                                <td class="muted">{key.last_used}</td>
                                <td>{key.reads_today}</td>
                                <td>{key.issued_count}</td>
                                <td class="muted">{key.expires_at}</td>
                                <td>{key.active.then(|| view! {
                                    <a class="button small danger" href=revoke_href aria-label=format!("吊销密钥「{}」", key.name)>"吊销"</a>
                                })}</td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}
