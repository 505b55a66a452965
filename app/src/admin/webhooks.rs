//! The webhooks pages: `/webhooks` registers the operator's endpoints for
//! the message gateway (URL, whose accounts, filters, synchronous replies),
//! shows the signing secret on request, turns endpoints on and off; and
//! `/webhooks/{id}` is an endpoint's delivery log, where a failed delivery
//! is sent again. Every form works without JavaScript.

use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::UiError;
use crate::admin::api::webhooks::{
    CreateEndpoint, DeleteEndpoint, DeliveryView, EndpointView, ReplayDelivery, SetEndpointActive,
    endpoint_secret, list_deliveries, list_endpoints,
};
use crate::admin::layout::AdminLayout;
use crate::i18n::{Lang, admin_lang};
use crate::shared::copy_button::CopyButton;
use crate::shared::views::{Column, failed, list_table, loading};

#[component]
pub fn WebhooksPage() -> impl IntoView {
    let lang = admin_lang();
    let create = ServerAction::<CreateEndpoint>::new();
    let state = ServerAction::<SetEndpointActive>::new();
    let delete = ServerAction::<DeleteEndpoint>::new();
    let query = use_query_map();
    let number = move |name: &str| query.read().get(name).and_then(|v| v.parse::<i64>().ok());
    let endpoints = Resource::new(
        move || {
            (
                create.version().get(),
                state.version().get(),
                delete.version().get(),
            )
        },
        |_| list_endpoints(),
    );
    let secret = Resource::new(
        move || number("secret"),
        |id| async move {
            match id {
                Some(id) => endpoint_secret(id).await.map(|s| Some((id, s))),
                None => Ok(None),
            }
        },
    );
    let error = move || {
        create
            .value()
            .get()
            .and_then(Result::err)
            .or_else(|| state.value().get().and_then(Result::err))
            .or_else(|| delete.value().get().and_then(Result::err))
            .map(
                |err: UiError| view! { <p class="notice error" role="alert">{err.to_string()}</p> },
            )
    };

    view! {
        <AdminLayout>
            <section class="page">
                <header class="page-header">
                    <h1>{lang.pick("消息推送（Webhook）", "Message webhooks")}</h1>
                    <p class="lead">{lang.pick("已授权帐号收到的用户消息和事件，会签名后推送到这里登记的地址。推送至少送达一次：失败会按指数退避重试 24 小时，之后可在投递记录里重新投递。", "User messages and events of authorized accounts are signed and pushed to the addresses registered here, at least once: failures are retried with exponential backoff for 24 hours, then can be replayed from the delivery log.")}</p>
                </header>
                {error}
                <Suspense>
                    {move || Suspend::new(async move {
                        match secret.await {
                            Ok(Some((id, secret))) => Some(view! {
                                <section class="card notice success" role="status" aria-labelledby="secret-title">
                                    <h2 id="secret-title">{format!("{} #{id}", lang.pick("签名密钥：地址", "Signing secret of endpoint"))}</h2>
                                    <p>{lang.pick("接收方用这个密钥校验 Weiqiao-Signature 请求头（HMAC-SHA256，见 README）。请只保存在接收方的服务器上。", "The receiver checks the Weiqiao-Signature header with this secret (HMAC-SHA256, see the README). Keep it on the receiving server only.")}</p>
                                    <p><code class="secret" data-webhook-secret="">{secret.clone()}</code></p>
                                    <CopyButton text=secret label=lang.pick("复制密钥", "Copy the secret").to_owned() lang />
                                </section>
                            }.into_any()),
                            Ok(None) => None,
                            Err(err) => Some(view! { <p class="notice error" role="alert">{err.to_string()}</p> }.into_any()),
                        }
                    })}
                </Suspense>
                {move || number("deleted").map(|id| view! {
                    <p class="notice success" role="status">{match lang { Lang::Zh => format!("已删除地址 #{id} 及其投递记录。"), Lang::En => format!("Endpoint #{id} and its deliveries deleted.") }}</p>
                })}

                <section class="card" aria-labelledby="new-endpoint-title">
                    <h2 id="new-endpoint-title">{lang.pick("登记新地址", "Register an endpoint")}</h2>
                    <ActionForm action=create>
                        <div class="field-row">
                            <label for="endpoint-url">{lang.pick("接收地址", "URL")}</label>
                            <input id="endpoint-url" name="url" type="url" required maxlength="500" placeholder="https://backend.example.com/wechat/messages" />
                        </div>
                        <div class="field-row">
                            <label for="endpoint-company">{lang.pick("公司名称（留空表示全部公司）", "Company name (empty: all companies)")}</label>
                            <input id="endpoint-company" name="company" type="text" maxlength="100" autocomplete="off" />
                        </div>
                        <div class="field-row">
                            <label for="endpoint-types">{lang.pick("消息类型（逗号分隔，留空表示全部）", "Message types (comma-separated, empty: all)")}</label>
                            <input id="endpoint-types" name="msg_types" type="text" maxlength="200" placeholder="text, image, event" />
                        </div>
                        <div class="field-row">
                            <label for="endpoint-events">{lang.pick("事件（逗号分隔，留空表示全部）", "Events (comma-separated, empty: all)")}</label>
                            <input id="endpoint-events" name="events" type="text" maxlength="200" placeholder="subscribe, CLICK" />
                        </div>
                        <div class="field-row">
                            <label for="endpoint-appids">{lang.pick("只推送这些帐号（appid，逗号分隔，留空表示全部）", "Only these accounts (appids, comma-separated, empty: all)")}</label>
                            <input id="endpoint-appids" name="appids" type="text" maxlength="2000" />
                        </div>
                        <div class="field-row">
                            <label><input type="checkbox" name="synchronous" value="on" />{lang.pick(" 同步回复：等待接收方的回复并作为被动回复发给用户", " Synchronous: wait for the receiver's answer and send it to the user as a passive reply")}</label>
                        </div>
                        <div class="field-row">
                            <label for="endpoint-budget">{lang.pick("同步等待时间（毫秒，最多 4000）", "Reply budget (ms, at most 4000)")}</label>
                            <input id="endpoint-budget" name="budget_ms" type="number" min="100" max="4000" placeholder="3000" />
                        </div>
                        <button type="submit" class="button primary">{lang.pick("登记地址", "Register")}</button>
                    </ActionForm>
                </section>

                {move || number("confirm_delete").map(|id| view! {
                    <section class="card notice" role="alertdialog" aria-labelledby="confirm-delete-title">
                        <h2 id="confirm-delete-title">{match lang { Lang::Zh => format!("删除地址 #{id}？"), Lang::En => format!("Delete endpoint #{id}?") }}</h2>
                        <p>{lang.pick("删除后，尚未送达的消息不会再推送到这个地址，投递记录也一并删除。只想暂停请选择“停用”。", "Messages not yet delivered will no longer go to this address, and its delivery log is deleted too. To pause it, disable it instead.")}</p>
                        <ActionForm action=delete>
                            <input type="hidden" name="id" value=id.to_string() />
                            <button type="submit" class="button danger">{lang.pick("确认删除", "Delete it")}</button>
                            " "
                            <a class="button" href="/webhooks">{lang.pick("取消", "Cancel")}</a>
                        </ActionForm>
                    </section>
                })}

                <section class="card" aria-labelledby="endpoint-list-title">
                    <h2 id="endpoint-list-title">{lang.pick("已登记的地址", "Endpoints")}</h2>
                    <Transition fallback=move || loading(lang)>
                        {move || Suspend::new(async move {
                            match endpoints.await {
                                Ok(list) => view! { <EndpointTable endpoints=list state /> }.into_any(),
                                Err(err) => failed(err).into_any(),
                            }
                        })}
                    </Transition>
                </section>
            </section>
        </AdminLayout>
    }
}

const ENDPOINT_COLUMNS: [Column; 7] = [
    Column::new("地址", "URL"),
    Column::new("公司", "Companies"),
    Column::new("推送内容", "What"),
    Column::new("方式", "Mode"),
    Column::new("状态", "Status"),
    Column::new("待投递 / 已送达 / 失败", "Pending / delivered / failed"),
    Column::hidden("操作", "Actions"),
];

#[component]
fn EndpointTable(
    endpoints: Vec<EndpointView>,
    state: ServerAction<SetEndpointActive>,
) -> impl IntoView {
    let lang = admin_lang();
    let rows: Vec<_> = endpoints
        .into_iter()
        .map(|e| {
            let toggle = if e.active { "0" } else { "1" };
            view! {
                <tr data-endpoint-id=e.id>
                    <td><a href=format!("/webhooks/{}", e.id)><code>{e.url.clone()}</code></a></td>
                    <td>{e.scope}</td>
                    <td class="small">{e.filters}</td>
                    <td>{if e.synchronous { lang.pick("同步回复", "Synchronous") } else { lang.pick("异步", "Asynchronous") }}</td>
                    <td>{if e.active { lang.pick("启用", "Active") } else { lang.pick("已停用", "Disabled") }}</td>
                    <td>{format!("{} / {} / {}", e.pending, e.delivered, e.dead)}</td>
                    <td class="actions">
                        <a class="button small" href=format!("/webhooks/{}", e.id)>{lang.pick("投递记录", "Deliveries")}</a>
                        " "
                        <a class="button small" href=format!("/webhooks?secret={}", e.id)>{lang.pick("签名密钥", "Secret")}</a>
                        " "
                        <ActionForm action=state>
                            <input type="hidden" name="id" value=e.id.to_string() />
                            <input type="hidden" name="active" value=toggle />
                            <button type="submit" class="button small">{if e.active { lang.pick("停用", "Disable") } else { lang.pick("启用", "Enable") }}</button>
                        </ActionForm>
                        " "
                        <a class="button small danger" href=format!("/webhooks?confirm_delete={}", e.id)>{lang.pick("删除", "Delete")}</a>
                    </td>
                </tr>
            }
        })
        .collect();
    let empty = lang.pick(
        "还没有登记地址：消息已记录，但不会推送给任何后端。在上方登记一个。",
        "No endpoint yet: messages are recorded but pushed to no backend. Register one above.",
    );
    list_table(lang, &ENDPOINT_COLUMNS, rows, empty)
}

#[component]
pub fn WebhookPage() -> impl IntoView {
    let lang = admin_lang();
    let params = use_params_map();
    let query = use_query_map();
    let id = move || {
        params
            .read()
            .get("id")
            .and_then(|v| v.parse::<i64>().ok())
            .unwrap_or(0)
    };
    let dead_only = move || query.read().get("dead").is_some();
    let replay = ServerAction::<ReplayDelivery>::new();
    let deliveries = Resource::new(
        move || (id(), dead_only(), replay.version().get()),
        |(id, dead, _)| list_deliveries(id, dead),
    );
    view! {
        <AdminLayout>
            <section class="page">
                <header class="page-header">
                    <p><a href="/webhooks">{lang.pick("← 全部地址", "← All endpoints")}</a></p>
                    <h1>{move || format!("{} #{}", lang.pick("投递记录：地址", "Deliveries of endpoint"), id())}</h1>
                    <p class="lead">{lang.pick("最近 100 条投递，最新的在前。失败的投递已停止重试，可以重新投递（重新开始 24 小时的重试）。", "The last 100 deliveries, newest first. A failed delivery's retries have ended; replaying it starts 24 hours of retries again.")}</p>
                    <p>
                        <a class="button small" href=move || format!("/webhooks/{}", id())>{lang.pick("全部", "All")}</a>
                        " "
                        <a class="button small" href=move || format!("/webhooks/{}?dead=1", id())>{lang.pick("只看失败", "Failed only")}</a>
                    </p>
                </header>
                {move || query.read().get("replayed").map(|d| view! {
                    <p class="notice success" role="status">{match lang { Lang::Zh => format!("投递 #{d} 已重新排队，马上推送。"), Lang::En => format!("Delivery #{d} is queued again and goes out now.") }}</p>
                })}
                {move || replay.value().get().and_then(Result::err).map(|err: UiError| view! { <p class="notice error" role="alert">{err.to_string()}</p> })}
                <section class="card">
                    <Transition fallback=move || loading(lang)>
                        {move || Suspend::new(async move {
                            match deliveries.await {
                                Ok(list) => view! { <DeliveryTable deliveries=list endpoint=id() replay /> }.into_any(),
                                Err(err) => failed(err).into_any(),
                            }
                        })}
                    </Transition>
                </section>
            </section>
        </AdminLayout>
    }
}

const DELIVERY_COLUMNS: [Column; 9] = [
    Column::new("时间", "When"),
    Column::new("消息", "Message"),
    Column::new("帐号", "Account"),
    Column::new("内容", "Type"),
    Column::new("状态", "Status"),
    Column::new("尝试次数", "Attempts"),
    Column::new("最后状态码", "Last status"),
    Column::new("耗时 / 错误", "Time / error"),
    Column::hidden("操作", "Actions"),
];

#[component]
fn DeliveryTable(
    deliveries: Vec<DeliveryView>,
    endpoint: i64,
    replay: ServerAction<ReplayDelivery>,
) -> impl IntoView {
    let lang = admin_lang();
    let rows: Vec<_> = deliveries
        .into_iter()
        .map(|d| view! {
            <tr data-delivery-id=d.id data-state=if d.dead { "dead" } else { "" }>
                <td class="muted">{d.at}</td>
                <td>{format!("#{}", d.message_id)}</td>
                <td><code>{d.appid}</code></td>
                <td>{d.what}</td>
                <td>{d.state}</td>
                <td>{d.attempts}</td>
                <td>{d.last_status}</td>
                <td class="small">{d.duration}" "{d.error}</td>
                <td>{d.dead.then(|| view! {
                    <ActionForm action=replay>
                        <input type="hidden" name="endpoint" value=endpoint.to_string() />
                        <input type="hidden" name="id" value=d.id.to_string() />
                        <button type="submit" class="button small">{lang.pick("重新投递", "Replay")}</button>
                    </ActionForm>
                })}</td>
            </tr>
        })
        .collect();
    let empty = lang.pick("还没有投递记录。", "No delivery yet.");
    list_table(lang, &DELIVERY_COLUMNS, rows, empty)
}
