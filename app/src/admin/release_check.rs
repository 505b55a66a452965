//! The 全网发布 page (`/release-check`): whether the built-in responder is
//! on, and each step it answered (newest first). In sandbox mode a form runs
//! the emulator's check against this server and shows WeChat's result items.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::UiError;
use crate::admin::api::release_check::{
    CheckItemView, CheckStepView, RunReleaseCheck, decode_items, release_check_status,
};
use crate::admin::layout::AdminLayout;
use crate::i18n::admin_lang;
use crate::shared::views::{Column, failed, list_table, loading};

#[component]
pub fn ReleaseCheckPage() -> impl IntoView {
    let lang = admin_lang();
    let run = ServerAction::<RunReleaseCheck>::new();
    let status = Resource::new(move || run.version().get(), |_| release_check_status());
    view! {
        <AdminLayout>
            <section class="page">
                <header class="page-header">
                    <h1>{lang.pick("全网发布检测", "Release check (全网发布)")}</h1>
                    <p class="lead">{lang.pick("在微信开放平台点击“全网发布”后，微信用测试帐号自动检测第三方平台：推送 ticket、授权、发送文本消息和事件，最后取消授权。微桥会自动应答每一步，这里记录应答结果。", "When you press 全网发布 in WeChat's console, WeChat tests the platform with its test accounts: a ticket, an authorization, text messages and an event, then the authorization's withdrawal. Weiqiao answers every step itself; this page records how.")}</p>
                </header>
                <Transition fallback=move || loading(lang)>
                    {move || Suspend::new(async move {
                        match status.await {
                            Ok(view) => {
                                let responder = if view.responder_on {
                                    lang.pick("自动应答：已开启。", "Responder: on.")
                                } else {
                                    lang.pick("自动应答：已关闭（WEIQIAO_RELEASE_CHECK=0），检测中的消息步骤将失败。", "Responder: off (WEIQIAO_RELEASE_CHECK=0): the check's message steps will fail.")
                                };
                                view! {
                                    <p class={if view.responder_on { "notice success" } else { "notice error" }} role="status">{responder}</p>
                                    {view.sandbox.then(|| view! { <SandboxRun run /> })}
                                    <section class="card" aria-labelledby="steps-title">
                                        <h2 id="steps-title">{lang.pick("应答记录", "Steps answered")}</h2>
                                        <StepTable steps=view.steps />
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

#[component]
fn SandboxRun(run: ServerAction<RunReleaseCheck>) -> impl IntoView {
    let lang = admin_lang();
    let query = use_query_map();
    view! {
        <section class="card" aria-labelledby="run-title">
            <h2 id="run-title">{lang.pick("在沙箱中运行检测", "Run the check in the sandbox")}</h2>
            <p>{lang.pick("内置模拟器按微信的流程检测本服务，结果项名称与微信一致。", "The built-in emulator runs WeChat's steps against this server; the items are named as WeChat names them.")}</p>
            <ActionForm action=run>
                <div class="field-row">
                    <label for="check-group">{lang.pick("测试帐号组", "Test account group")}</label>
                    <select id="check-group" name="group">
                        {(1..=5).map(|g| view! { <option value=g.to_string()>{g}</option> }).collect_view()}
                    </select>
                </div>
                <div class="field-row">
                    <label for="check-kind">{lang.pick("帐号类型", "Account kind")}</label>
                    <select id="check-kind" name="kind">
                        <option value="oa">{lang.pick("公众号", "Official account")}</option>
                        <option value="mp">{lang.pick("小程序", "Mini program")}</option>
                    </select>
                </div>
                <button type="submit" class="button primary">{lang.pick("开始检测", "Run the check")}</button>
            </ActionForm>
            {move || run.value().get().and_then(Result::err).map(|err: UiError| view! {
                <p class="notice error" role="alert">{err.to_string()}</p>
            })}
            {move || query.read().get("result").map(|text| view! { <CheckItems items=decode_items(&text) /> })}
        </section>
    }
}

#[component]
fn CheckItems(items: Vec<CheckItemView>) -> impl IntoView {
    let lang = admin_lang();
    let all = items.iter().all(|i| i.passed);
    view! {
        <div data-check-result=if all { "passed" } else { "failed" }>
            <p class={if all { "notice success" } else { "notice error" }} role="status">
                {if all { lang.pick("全部通过。", "Every item passed.") } else { lang.pick("有未通过的项目：", "Some items failed:") }}
            </p>
            <ul class="check-items">
                {items.into_iter().map(|i| view! {
                    <li data-passed=i.passed.to_string() data-item=i.name.clone()>
                        {if i.passed { "✔ " } else { "✘ " }}
                        <strong>{i.name.clone()}</strong>
                        {i.why.map(|why| view! { <span class="muted">" — "{why}</span> })}
                    </li>
                }).collect_view()}
            </ul>
        </div>
    }
}

const STEP_COLUMNS: [Column; 5] = [
    Column::new("时间", "When"),
    Column::new("测试帐号", "Test account"),
    Column::new("步骤", "Step"),
    Column::new("结果", "Result"),
    Column::new("说明", "Detail"),
];

#[component]
fn StepTable(steps: Vec<CheckStepView>) -> impl IntoView {
    let lang = admin_lang();
    let rows: Vec<_> = steps
        .into_iter()
        .map(|s| view! {
            <tr>
                <td class="muted">{s.at}</td>
                <td><code>{s.appid}</code></td>
                <td>{s.step}</td>
                <td>{if s.ok { lang.pick("成功", "OK") } else { lang.pick("失败", "Failed") }}</td>
                <td class="small">{s.detail}</td>
            </tr>
        })
        .collect();
    let empty = lang.pick(
        "还没有检测记录：在微信开放平台点击“全网发布”后，这里会出现每一步的结果。",
        "No check yet: press 全网发布 in WeChat's console and each step shows up here.",
    );
    list_table(lang, &STEP_COLUMNS, rows, empty)
}
