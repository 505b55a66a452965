//! The server side of the webhook pages.

use platform::Platform;
use platform::messages::{DeliveryState, EndpointState};
use platform::messages::{EndpointError, EndpointRequest};

use super::{DeliveryView, EndpointView};
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
                DeliveryState::Dead => lang.pick("失败（已停止重试）", "Failed (retries ended)"),
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
