//! Server functions for the message gateway's pages: webhook endpoints
//! (list, create, enable or disable, delete, show the signing secret), an
//! endpoint's delivery log with replay, and the release check's record (and,
//! in sandbox mode, a run of the emulator's check). Every change is audited.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::UiError;

/// An endpoint as the webhooks page shows it (never its secret).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EndpointView {
    pub id: i64,
    pub url: String,
    /// Whose accounts, in words.
    pub scope: String,
    /// The filters, in words (empty: everything).
    pub filters: String,
    pub synchronous: bool,
    pub active: bool,
    pub pending: i64,
    pub delivered: i64,
    pub dead: i64,
}

/// One delivery in an endpoint's log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryView {
    pub id: i64,
    pub message_id: i64,
    pub appid: String,
    /// `text`, or `event: subscribe`.
    pub what: String,
    pub state: String,
    pub dead: bool,
    pub attempts: i64,
    pub last_status: String,
    pub duration: String,
    pub error: String,
    pub at: String,
}

/// One step the release-check responder took.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckStepView {
    pub appid: String,
    pub step: String,
    pub ok: bool,
    pub detail: String,
    pub at: String,
}

/// The release check page's facts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReleaseCheckView {
    pub responder_on: bool,
    pub sandbox: bool,
    pub steps: Vec<CheckStepView>,
}

/// One result item of a sandbox run, as the emulator names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckItemView {
    pub name: String,
    pub passed: bool,
    pub why: Option<String>,
}

#[server(prefix = "/api/admin", endpoint = "webhooks/list")]
pub async fn list_endpoints() -> Result<Vec<EndpointView>, UiError> {
    let platform = crate::shared::ssr::admin_platform().await?;
    ssr::list(&platform).await
}

/// Registers an endpoint: `company` names one company (empty: all);
/// `msg_types`, `events` and `appids` are comma-separated filters.
#[server(prefix = "/api/admin", endpoint = "webhooks/create")]
pub async fn create_endpoint(
    url: String,
    company: Option<String>,
    msg_types: Option<String>,
    events: Option<String>,
    appids: Option<String>,
    synchronous: Option<String>,
    budget_ms: Option<String>,
) -> Result<i64, UiError> {
    let admin = crate::shared::ssr::admin().await?;
    let id = ssr::create(
        &admin,
        ssr::Form {
            url,
            company,
            msg_types,
            events,
            appids,
            synchronous: synchronous.is_some(),
            budget_ms,
        },
    )
    .await?;
    crate::shared::ssr::redirect_form_post(&format!("/webhooks?secret={id}")).await;
    Ok(id)
}

/// An endpoint's signing secret, for the admin setting up the receiver.
#[server(prefix = "/api/admin", endpoint = "webhooks/secret")]
pub async fn endpoint_secret(id: i64) -> Result<String, UiError> {
    let admin = crate::shared::ssr::admin().await?;
    let endpoints = admin
        .platform
        .messages()
        .endpoints()
        .list()
        .await
        .map_err(|e| crate::shared::ssr::internal(&e))?;
    let secret = endpoints
        .iter()
        .find(|e| e.id == id)
        .map(|e| e.secret.clone())
        .ok_or(UiError::NotFound)?;
    admin
        .audit(
            platform::audit::AuditAction::WebhookSecretShown,
            format!("webhook:{id}"),
        )
        .await;
    Ok(secret)
}

/// `active`: `1` turns it on, anything else off.
#[server(prefix = "/api/admin", endpoint = "webhooks/state")]
pub async fn set_endpoint_active(id: i64, active: String) -> Result<(), UiError> {
    let admin = crate::shared::ssr::admin().await?;
    let on = active == "1";
    admin
        .platform
        .messages()
        .endpoints()
        .set_active(id, on)
        .await
        .map_err(ssr::to_ui_error)?;
    let action = if on {
        platform::audit::AuditAction::WebhookEnabled
    } else {
        platform::audit::AuditAction::WebhookDisabled
    };
    admin.audit(action, format!("webhook:{id}")).await;
    crate::shared::ssr::redirect_form_post("/webhooks").await;
    Ok(())
}

#[server(prefix = "/api/admin", endpoint = "webhooks/delete")]
pub async fn delete_endpoint(id: i64) -> Result<(), UiError> {
    let admin = crate::shared::ssr::admin().await?;
    admin
        .platform
        .messages()
        .endpoints()
        .delete(id)
        .await
        .map_err(ssr::to_ui_error)?;
    admin
        .audit(
            platform::audit::AuditAction::WebhookDeleted,
            format!("webhook:{id}"),
        )
        .await;
    crate::shared::ssr::redirect_form_post(&format!("/webhooks?deleted={id}")).await;
    Ok(())
}

/// An endpoint's deliveries, newest first; `dead_only` shows the dead letters.
#[server(prefix = "/api/admin", endpoint = "webhooks/deliveries")]
pub async fn list_deliveries(endpoint: i64, dead_only: bool) -> Result<Vec<DeliveryView>, UiError> {
    let platform = crate::shared::ssr::admin_platform().await?;
    ssr::deliveries(&platform, endpoint, dead_only).await
}

/// Sends a dead delivery again (a new 24-hour window).
#[server(prefix = "/api/admin", endpoint = "webhooks/replay")]
pub async fn replay_delivery(endpoint: i64, id: i64) -> Result<(), UiError> {
    let admin = crate::shared::ssr::admin().await?;
    let replayed = admin
        .platform
        .messages()
        .replay(id)
        .await
        .map_err(|e| crate::shared::ssr::internal(&e))?;
    if !replayed {
        return Err(UiError::Conflict(
            crate::i18n::admin_lang()
                .pick(
                    "这条投递不是失败状态，无需重新投递。",
                    "This delivery has not failed: there is nothing to replay.",
                )
                .into(),
        ));
    }
    admin
        .audit(
            platform::audit::AuditAction::DeliveryReplayed,
            format!("delivery:{id}"),
        )
        .await;
    crate::shared::ssr::redirect_form_post(&format!("/webhooks/{endpoint}?replayed={id}")).await;
    Ok(())
}

#[server(prefix = "/api/admin", endpoint = "release-check/status")]
pub async fn release_check_status() -> Result<ReleaseCheckView, UiError> {
    let platform = crate::shared::ssr::admin_platform().await?;
    ssr::release_check(&platform).await
}

/// Sandbox only: the emulator plays WeChat's check for `group` (1–5) and
/// `kind` (`oa` or `mp`) against this server; its items.
#[server(prefix = "/api/admin", endpoint = "release-check/run")]
pub async fn run_release_check(group: u8, kind: String) -> Result<Vec<CheckItemView>, UiError> {
    let admin = crate::shared::ssr::admin().await?;
    let items = ssr::run_check(&admin.platform, group, &kind).await?;
    admin
        .audit(
            platform::audit::AuditAction::ReleaseCheckRun,
            format!("group:{group}:{kind}"),
        )
        .await;
    // The page is plain HTML: the result travels in the redirect's query.
    let encoded = percent_encoding::utf8_percent_encode(
        &encode_items(&items),
        percent_encoding::NON_ALPHANUMERIC,
    )
    .to_string();
    crate::shared::ssr::redirect_form_post(&format!("/release-check?result={encoded}")).await;
    Ok(items)
}

/// Items as lines of `passed \t name \t why` (for the redirect's query).
pub fn encode_items(items: &[CheckItemView]) -> String {
    items
        .iter()
        .map(|i| {
            let why = i.why.clone().unwrap_or_default().replace(['\t', '\n'], " ");
            format!("{}\t{}\t{why}", u8::from(i.passed), i.name)
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// [`encode_items`] read back; lines that do not parse are left out.
pub fn decode_items(text: &str) -> Vec<CheckItemView> {
    text.lines()
        .filter_map(|line| {
            let mut parts = line.splitn(3, '\t');
            let passed = parts.next()? == "1";
            let name = parts.next()?.to_owned();
            let why = parts.next().filter(|w| !w.is_empty()).map(str::to_owned);
            Some(CheckItemView { name, passed, why })
        })
        .collect()
}

#[cfg(feature = "ssr")]
mod ssr {
    use platform::Platform;
    use platform::messages::{DeliveryState, EndpointState, ReleaseCheckStep};
    use platform::messages::{EndpointError, EndpointRequest};

    use super::{CheckItemView, CheckStepView, DeliveryView, EndpointView, ReleaseCheckView};
    use crate::UiError;
    use crate::i18n::admin_lang;
    use crate::shared::ssr::{Admin, format_time, internal};

    pub(super) struct Form {
        pub url: String,
        pub company: Option<String>,
        pub msg_types: Option<String>,
        pub events: Option<String>,
        pub appids: Option<String>,
        pub synchronous: bool,
        pub budget_ms: Option<String>,
    }

    fn list_of(text: Option<&str>) -> Vec<String> {
        text.unwrap_or_default()
            .split([',', '，', ' '])
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect()
    }

    pub(super) fn to_ui_error(err: EndpointError) -> UiError {
        let lang = admin_lang();
        let invalid = |field: &str, zh: &'static str, en: &'static str| UiError::Validation {
            field: field.into(),
            message: lang.pick(zh, en).into(),
        };
        match err {
            EndpointError::BadUrl => invalid(
                "url",
                "请填写以 http:// 或 https:// 开头的完整地址。",
                "Give a full address starting with http:// or https://.",
            ),
            EndpointError::BadBudget => invalid(
                "budget_ms",
                "同步等待时间须在 100 到 4000 毫秒之间（微信只等 5 秒）。",
                "The reply budget must be 100 to 4000 ms (WeChat waits 5 s in all).",
            ),
            EndpointError::BadConcurrency => invalid(
                "max_in_flight",
                "并发数须在 1 到 256 之间。",
                "Concurrency must be 1 to 256.",
            ),
            EndpointError::NoSuchCompany => invalid(
                "company",
                "没有这个名称的公司：请输入公司的完整名称，或留空表示全部公司。",
                "No company has this name: type its full name, or leave it empty for all companies.",
            ),
            EndpointError::NotFound => UiError::NotFound,
            EndpointError::Store(err) => internal(&err),
        }
    }

    pub(super) async fn create(admin: &Admin, form: Form) -> Result<i64, UiError> {
        let company_id = match form
            .company
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty())
        {
            None => None,
            Some(name) => Some(
                admin
                    .platform
                    .companies()
                    .by_name(name)
                    .await
                    .map_err(|e| internal(&e))?
                    .map(|c| c.id)
                    .ok_or_else(|| to_ui_error(EndpointError::NoSuchCompany))?,
            ),
        };
        let budget = match form
            .budget_ms
            .as_deref()
            .map(str::trim)
            .filter(|b| !b.is_empty())
        {
            None => None,
            Some(text) => Some(
                text.parse::<i64>()
                    .map_err(|_| to_ui_error(EndpointError::BadBudget))?,
            ),
        };
        let (endpoint, _) = admin
            .platform
            .messages()
            .endpoints()
            .create(EndpointRequest {
                company_id,
                url: form.url,
                appids: list_of(form.appids.as_deref()),
                msg_types: list_of(form.msg_types.as_deref()),
                events: list_of(form.events.as_deref()),
                synchronous: form.synchronous,
                reply_budget_ms: budget,
                max_in_flight: None,
            })
            .await
            .map_err(to_ui_error)?;
        admin
            .audit(
                platform::audit::AuditAction::WebhookCreated,
                format!("webhook:{}", endpoint.id),
            )
            .await;
        Ok(endpoint.id)
    }

    pub(super) async fn list(platform: &Platform) -> Result<Vec<EndpointView>, UiError> {
        let lang = admin_lang();
        let endpoints = platform
            .messages()
            .endpoints()
            .list()
            .await
            .map_err(to_ui_error)?;
        let mut views = Vec::new();
        for e in endpoints.iter() {
            let (pending, delivered, dead) = platform
                .messages()
                .delivery_counts(e.id)
                .await
                .map_err(|e| internal(&e))?;
            let scope = match e.company_id {
                None => lang.pick("全部公司", "All companies").to_owned(),
                Some(id) => platform
                    .companies()
                    .get(id)
                    .await
                    .ok()
                    .flatten()
                    .map_or_else(|| format!("#{id}"), |c| c.name),
            };
            let mut filters = Vec::new();
            if !e.msg_types.is_empty() {
                filters.push(format!(
                    "{}{}",
                    lang.pick("类型：", "types: "),
                    e.msg_types.join(", ")
                ));
            }
            if !e.events.is_empty() {
                filters.push(format!(
                    "{}{}",
                    lang.pick("事件：", "events: "),
                    e.events.join(", ")
                ));
            }
            if !e.appids.is_empty() {
                filters.push(format!(
                    "{}{}",
                    lang.pick("帐号：", "accounts: "),
                    e.appids.join(", ")
                ));
            }
            views.push(EndpointView {
                id: e.id,
                url: e.url.clone(),
                scope,
                filters: if filters.is_empty() {
                    lang.pick("全部消息和事件", "every message and event")
                        .to_owned()
                } else {
                    filters.join("；")
                },
                synchronous: e.synchronous,
                active: e.state == EndpointState::Active,
                pending,
                delivered,
                dead,
            });
        }
        Ok(views)
    }

    pub(super) async fn deliveries(
        platform: &Platform,
        endpoint: i64,
        dead_only: bool,
    ) -> Result<Vec<DeliveryView>, UiError> {
        let lang = admin_lang();
        let state = dead_only.then_some(DeliveryState::Dead);
        let rows = platform
            .messages()
            .deliveries(endpoint, state, 100)
            .await
            .map_err(|e| internal(&e))?;
        Ok(rows
            .into_iter()
            .map(|d| DeliveryView {
                id: d.id,
                message_id: d.message_id,
                appid: d.authorizer_appid,
                what: match d.event {
                    Some(event) => format!("event: {event}"),
                    None => d.msg_type,
                },
                state: match d.state {
                    DeliveryState::Pending if d.attempts == 0 => lang.pick("等待投递", "Waiting"),
                    DeliveryState::Pending => lang.pick("重试中", "Retrying"),
                    DeliveryState::Delivered => lang.pick("已送达", "Delivered"),
                    DeliveryState::Dead => {
                        lang.pick("失败（已停止重试）", "Failed (retries ended)")
                    }
                }
                .to_owned(),
                dead: d.state == DeliveryState::Dead,
                attempts: d.attempts,
                last_status: d
                    .last_status
                    .map_or_else(|| "—".to_owned(), |s| s.to_string()),
                duration: d
                    .last_duration_ms
                    .map_or_else(|| "—".to_owned(), |ms| format!("{ms} ms")),
                error: d.last_error.unwrap_or_default(),
                at: format_time(d.finished_at.unwrap_or(d.created_at)),
            })
            .collect())
    }

    pub(super) async fn release_check(platform: &Platform) -> Result<ReleaseCheckView, UiError> {
        let lang = admin_lang();
        let steps = platform
            .messages()
            .release_check_steps(50)
            .await
            .map_err(|e| internal(&e))?;
        Ok(ReleaseCheckView {
            responder_on: platform.messages().settings().release_check,
            sandbox: platform.settings().sandbox,
            steps: steps
                .into_iter()
                .map(|s| CheckStepView {
                    appid: s.authorizer_appid,
                    step: match s.step {
                        ReleaseCheckStep::Authorized => lang.pick("授权", "Authorized"),
                        ReleaseCheckStep::TextReply => {
                            lang.pick("返回普通文本消息", "Plain text reply")
                        }
                        ReleaseCheckStep::ApiReply => {
                            lang.pick("返回Api文本消息", "API text reply")
                        }
                        ReleaseCheckStep::EventReply => lang.pick("发送事件消息", "Event reply"),
                        ReleaseCheckStep::Unauthorized => lang.pick("取消授权", "Unauthorized"),
                    }
                    .to_owned(),
                    ok: s.ok,
                    detail: s.detail.unwrap_or_default(),
                    at: format_time(s.at),
                })
                .collect(),
        })
    }

    pub(super) async fn run_check(
        platform: &Platform,
        group: u8,
        kind: &str,
    ) -> Result<Vec<CheckItemView>, UiError> {
        let lang = admin_lang();
        if !platform.settings().sandbox {
            return Err(UiError::Conflict(lang.pick("只有沙箱模式能在这里运行检测；正式环境请在微信开放平台点击“全网发布”。", "Only sandbox mode runs the check here; in production, press 全网发布 in WeChat's console.").into()));
        }
        if !(1..=5).contains(&group) || !matches!(kind, "oa" | "mp") {
            return Err(UiError::Validation {
                field: "group".into(),
                message: lang
                    .pick(
                        "请选择 1 到 5 组，公众号或小程序。",
                        "Choose group 1 to 5, official account or mini program.",
                    )
                    .into(),
            });
        }
        let items = platform
            .messages()
            .run_sandbox_release_check(group, kind)
            .await
            .map_err(|e| internal(&e))?;
        Ok(items
            .into_iter()
            .map(|(name, passed, why)| CheckItemView { name, passed, why })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::{CheckItemView, decode_items, encode_items};

    #[test]
    fn check_items_survive_the_redirect_s_query() {
        let items = vec![
            CheckItemView {
                name: "组件ticket正确接收".into(),
                passed: true,
                why: None,
            },
            CheckItemView {
                name: "返回Api文本消息".into(),
                passed: false,
                why: Some("no custom message\twithin\n2 s".into()),
            },
        ];
        let back = decode_items(&encode_items(&items));
        assert_eq!(back[0], items[0]);
        assert_eq!(back[1].name, "返回Api文本消息");
        assert!(!back[1].passed);
        assert_eq!(back[1].why.as_deref(), Some("no custom message within 2 s"));
        assert!(decode_items("garbage").is_empty());
    }
}
