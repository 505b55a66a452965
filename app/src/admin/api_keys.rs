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
use crate::admin::layout::AdminLayout;
use crate::i18n::{Lang, admin_lang};
use crate::shared::copy_button::CopyButton;
use crate::shared::views::{Column, failed, list_table, loading};

#[component]
pub fn ApiKeysPage() -> impl IntoView {
    let lang = admin_lang();
    let create = ServerAction::<CreateApiKey>::new();
    let revoke = ServerAction::<RevokeApiKey>::new();
    let query = use_query_map();
    let number = move |name: &str| query.read().get(name).and_then(|v| v.parse::<i64>().ok());
    let keys = Resource::new(|| (), |_| list_api_keys());
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
                    <h1>{lang.pick("API 密钥", "API keys")}</h1>
                    <p class="lead">{lang.pick("运营方的其他后端系统用 API 密钥从令牌服务（/api/v1）读取公众号和小程序的 access_token。每个密钥只能读取它被允许的公司。", "Your other backends read official accounts' and mini programs' access_tokens from the token service (/api/v1) with an API key. Each key reads only the companies it is allowed.")}</p>
                </header>

                <Suspense>
                    {move || Suspend::new(async move {
                        match created.await {
                            Ok(Some((id, key))) => Some(view! {
                                <section class="card notice success" role="status" aria-labelledby="new-key-title">
                                    <h2 id="new-key-title">{format!("{} #{id}", lang.pick("已创建密钥", "Key created:"))}</h2>
                                    <p>{lang.pick("请立即复制并妥善保存这个密钥：它只显示这一次，离开本页后无法再次查看。", "Copy this key now and keep it safe: it is shown this once, never again after you leave this page.")}</p>
                                    <p><code class="secret" data-new-key="">{key.clone()}</code></p>
                                    <CopyButton text=key label=lang.pick("复制密钥", "Copy the key").to_owned() lang />
                                </section>
                            }.into_any()),
                            Ok(None) if number("created").is_some() => Some(view! {
                                <p class="notice" role="status">{lang.pick("密钥已创建。它只显示一次，已经显示过了；如果没有保存，请吊销它并新建一个。", "The key was created and shown once already; if you did not keep it, revoke it and create another.")}</p>
                            }.into_any()),
                            Ok(None) => None,
                            Err(err) => Some(view! {
                                <p class="notice error" role="alert">{err.to_string()}</p>
                            }.into_any()),
                        }
                    })}
                </Suspense>
                {move || number("revoked").map(|id| view! {
                    <p class="notice success" role="status">{match lang { Lang::Zh => format!("已吊销密钥 #{id}，令牌服务将在几秒内拒绝它。"), Lang::En => format!("Key #{id} revoked: the token service refuses it within seconds.") }}</p>
                })}

                <section class="card" aria-labelledby="create-key-title">
                    <h2 id="create-key-title">{lang.pick("新建密钥", "New key")}</h2>
                    <ActionForm action=create>
                        <div class="field-row">
                            <label for="key-name">{lang.pick("名称", "Name")}</label>
                            <input id="key-name" name="name" type="text" required maxlength="100" placeholder=lang.pick("例如：会员系统", "e.g. membership system") />
                        </div>
                        <div class="field-row">
                            <label for="key-scope">{lang.pick("可读取的公司", "Companies it may read")}</label>
                            <select id="key-scope" name="scope" required>
                                <option value="all">{lang.pick("全部公司", "All companies")}</option>
                                <option value="one">{lang.pick("仅下面填写的公司", "Only the company named below")}</option>
                            </select>
                        </div>
                        <div class="field-row">
                            <label for="key-company">{lang.pick("公司名称（仅一家公司时）", "Company name (for one company)")}</label>
                            <input id="key-company" name="company" type="text" maxlength="100" autocomplete="off" placeholder=lang.pick("公司的完整名称", "The company's full name") />
                        </div>
                        <div class="field-row">
                            <label><input type="checkbox" name="component" value="on" />{lang.pick(" 也可读取平台令牌（component_access_token）", " May also read the component token (component_access_token)")}</label>
                        </div>
                        <div class="field-row">
                            <label><input type="checkbox" name="invalidate" value="on" />{lang.pick(" 可作废令牌（令牌失效时要求立即刷新）", " May invalidate tokens (ask for a refresh when one stops working)")}</label>
                        </div>
                        <div class="field-row">
                            <label for="key-expiry">{lang.pick("有效期（天）", "Valid for (days)")}</label>
                            <input id="key-expiry" name="expires_days" type="number" min="1" max="3650" placeholder=lang.pick("留空表示永不过期", "Empty: never expires") />
                        </div>
                        <button type="submit" class="button primary">{lang.pick("创建密钥", "Create key")}</button>
                    </ActionForm>
                    {move || create.value().get().and_then(Result::err).map(|err: UiError| view! {
                        <p class="notice error" role="alert">{err.to_string()}</p>
                    })}
                </section>

                {move || number("confirm_revoke").map(|id| view! {
                    <section class="card notice" role="alertdialog" aria-labelledby="confirm-revoke-title">
                        <h2 id="confirm-revoke-title">{match lang { Lang::Zh => format!("吊销密钥 #{id}？"), Lang::En => format!("Revoke key #{id}?") }}</h2>
                        <p>{lang.pick("吊销后，使用这个密钥的系统将无法再读取令牌。此操作不能撤销。", "Once revoked, systems using this key can no longer read tokens. This cannot be undone.")}</p>
                        <ActionForm action=revoke>
                            <input type="hidden" name="id" value=id.to_string() />
                            <button type="submit" class="button danger">{lang.pick("确认吊销", "Revoke it")}</button>
                            " "
                            <a class="button" href="/api-keys">{lang.pick("取消", "Cancel")}</a>
                        </ActionForm>
                    </section>
                })}

                <section class="card" aria-labelledby="key-list-title">
                    <h2 id="key-list-title">{lang.pick("密钥列表", "Keys")}</h2>
                    <Transition fallback=move || loading(lang)>
                        {move || Suspend::new(async move {
                            match keys.await {
                                Ok(list) => view! { <KeyTable keys=list /> }.into_any(),
                                Err(err) => failed(err).into_any(),
                            }
                        })}
                    </Transition>
                </section>
            </section>
        </AdminLayout>
    }
}

const COLUMNS: [Column; 10] = [
    Column::new("名称", "Name"),
    Column::new("密钥开头", "Starts with"),
    Column::new("权限", "Permissions"),
    Column::new("状态", "Status"),
    Column::new("最近使用", "Last used"),
    Column::new("今日读取", "Reads today"),
    Column::new("近 7 天（每日）", "Last 7 days (per day)"),
    Column::new("累计", "In all"),
    Column::new("有效期至", "Expires"),
    Column::hidden("操作", "Actions"),
];

#[component]
fn KeyTable(keys: Vec<ApiKeyView>) -> impl IntoView {
    let lang = admin_lang();
    let rows: Vec<_> = keys
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
                    <td class="muted small daily-reads">{key.reads_by_day.into_iter().map(|(day, n)| view! {
                        <span title=day>{n}</span>
                    }).collect_view()}</td>
                    <td>{key.issued_count}</td>
                    <td class="muted">{key.expires_at}</td>
                    <td>{key.active.then(|| view! {
                        <a class="button small danger" href=revoke_href aria-label=match lang { Lang::Zh => format!("吊销密钥「{}」", key.name), Lang::En => format!("Revoke key \"{}\"", key.name) }>{lang.pick("吊销", "Revoke")}</a>
                    })}</td>
                </tr>
            }
        })
        .collect();
    let empty = lang.pick(
        "还没有 API 密钥。在上方创建一个，交给需要读取令牌的系统。",
        "No API key yet: create one above and give it to the system that reads tokens.",
    );
    list_table(lang, &COLUMNS, rows, empty)
}
