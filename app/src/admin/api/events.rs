//! Server functions for the events page: pushes newest first, filtered by
//! kind, account, state and time; one push as masked XML.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::UiError;

/// A push as the list shows it (formatted on the server).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventRowView {
    pub id: i64,
    pub kind: String,
    pub info_type: String,
    pub appid: String,
    pub received_at: String,
    /// 待处理 / 已处理 / 失败.
    pub state: String,
    pub failed: bool,
    pub attempts: i64,
    /// Why the last attempt failed (also for a push still being retried).
    pub error: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventsPageView {
    pub rows: Vec<EventRowView>,
    pub next_before: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventDetailView {
    pub row: EventRowView,
    pub masked_xml: Option<String>,
    pub unreadable: Option<String>,
}

/// `kind`: an InfoType; `state`: `pending`, `applied` or `failed`; `hours`:
/// received within that many hours; all optional (empty: any).
#[server(prefix = "/api/admin", endpoint = "events/list")]
pub async fn list_events(
    kind: Option<String>,
    appid: Option<String>,
    state: Option<String>,
    hours: Option<i64>,
    before: Option<i64>,
) -> Result<EventsPageView, UiError> {
    let platform = crate::shared::ssr::admin_platform().await?;
    let given = crate::shared::ssr::filled;
    let state = match given(state) {
        None => None,
        Some(name) => Some(ssr::state(&name).ok_or(UiError::NotFound)?),
    };
    let now = platform.component().clock().now();
    let query = platform::events::history::EventQuery {
        info_type: given(kind),
        authorizer_appid: given(appid),
        state,
        since: hours.filter(|h| *h > 0).map(|h| now - h * 3600),
        before_id: before,
    };
    let (rows, next_before) = platform
        .events_page(&query)
        .await
        .map_err(|err| crate::shared::ssr::internal(&err))?;
    Ok(EventsPageView {
        rows: rows.into_iter().map(ssr::row).collect(),
        next_before,
    })
}

#[server(prefix = "/api/admin", endpoint = "events/get")]
pub async fn get_event(id: i64) -> Result<EventDetailView, UiError> {
    let platform = crate::shared::ssr::admin_platform().await?;
    let detail = platform
        .event_detail(id)
        .await
        .map_err(|err| crate::shared::ssr::internal(&err))?
        .ok_or(UiError::NotFound)?;
    Ok(EventDetailView {
        row: ssr::row(detail.summary),
        masked_xml: detail.masked_xml,
        unreadable: detail.unreadable,
    })
}

#[cfg(feature = "ssr")]
mod ssr {
    use platform::events::history::{EventSummary, PushEventState};

    use super::EventRowView;

    pub(super) fn state(name: &str) -> Option<PushEventState> {
        match name {
            "pending" => Some(PushEventState::Pending),
            "applied" => Some(PushEventState::Applied),
            "failed" => Some(PushEventState::Failed),
            _ => None,
        }
    }

    /// An InfoType in words.
    pub(super) fn kind(info_type: &str) -> &'static str {
        match info_type {
            "component_verify_ticket" => crate::i18n::admin_lang().pick("票据推送", "Ticket"),
            "authorized" => crate::i18n::admin_lang().pick("授权成功", "Authorized"),
            "updateauthorized" => {
                crate::i18n::admin_lang().pick("授权变更", "Authorization updated")
            }
            "unauthorized" => crate::i18n::admin_lang().pick("取消授权", "Unauthorized"),
            "notify_third_fasteregister" => {
                crate::i18n::admin_lang().pick("快速注册结果", "Fast registration result")
            }
            _ => crate::i18n::admin_lang().pick("其他推送", "Other push"),
        }
    }

    pub(super) fn row(e: EventSummary) -> EventRowView {
        let (state, failed) = match e.state {
            PushEventState::Pending if e.attempts > 0 => (
                crate::i18n::admin_lang().pick("等待重试", "Waiting to retry"),
                false,
            ),
            PushEventState::Pending => (crate::i18n::admin_lang().pick("待处理", "Pending"), false),
            PushEventState::Applied => (crate::i18n::admin_lang().pick("已处理", "Applied"), false),
            PushEventState::Failed => (crate::i18n::admin_lang().pick("失败", "Failed"), true),
        };
        EventRowView {
            id: e.id,
            kind: kind(&e.info_type).to_owned(),
            info_type: e.info_type,
            appid: e.authorizer_appid.unwrap_or_default(),
            received_at: crate::shared::ssr::format_time(e.received_at),
            state: state.to_owned(),
            failed,
            attempts: e.attempts,
            error: e.error,
        }
    }
}
