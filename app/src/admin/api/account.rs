//! Server functions for one account: its details, token health and
//! timeline, and "refresh now". (The other actions: `account_actions`.)

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::UiError;
use crate::shared::views::AuthorizerView;

/// What the account page shows (formatted on the server).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountView {
    pub card: AuthorizerView,
    pub company_id: i64,
    pub company: String,
    pub alias: Option<String>,
    pub qrcode_url: Option<String>,
    pub expires_at: String,
    pub refreshed_at: String,
    pub next_refresh_at: String,
    pub failures: i64,
    pub last_error: Option<String>,
    pub timeline: Vec<TimelineItemView>,
    /// The account was created by fast registration: when, for which
    /// enterprise, and who asked.
    pub registration: Option<String>,
}

/// One entry of the account's timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimelineItemView {
    /// When (the latest of a run), and the span of a run of several.
    pub when: String,
    pub span: Option<String>,
    pub title: String,
    pub detail: Option<String>,
    /// `ok`, `warn`, `bad` or `admin`: how the entry is marked.
    pub tone: String,
    /// Runs of refreshes are folded away by default.
    pub folded: bool,
}

#[server(prefix = "/api/admin", endpoint = "accounts/get")]
pub async fn get_account(appid: String) -> Result<AccountView, UiError> {
    let platform = crate::shared::ssr::admin_platform().await?;
    let account = platform
        .account(&appid)
        .await
        .map_err(|err| crate::shared::ssr::internal(&err))?
        .ok_or(UiError::NotFound)?;
    let timeline = platform
        .account_timeline(&appid)
        .await
        .map_err(|err| crate::shared::ssr::internal(&err))?;
    let registration = platform
        .fast_registrations()
        .of_authorizer(&appid)
        .await
        .map_err(|err| crate::shared::ssr::internal(&err))?;
    Ok(ssr::view(
        account,
        timeline,
        registration.map(ssr::registration_line),
        platform.settings(),
    ))
}

/// Refreshes the account's token now (an operator's request); back to its page.
#[server(prefix = "/api/admin", endpoint = "accounts/refresh")]
pub async fn refresh_account(appid: String) -> Result<(), UiError> {
    let admin = crate::shared::ssr::admin().await?;
    let result = admin.platform.authorizer_tokens().refresh_one(&appid).await;
    admin
        .audit(
            platform::audit::AuditAction::AccountRefreshed,
            format!("authorizer:{appid}"),
        )
        .await;
    let outcome = match result {
        Ok(platform::authorizers::Refreshed::Done) => "done",
        Ok(_) => "skipped",
        Err(platform::authorizers::AuthorizerTokenError::NotFound) => {
            return Err(UiError::NotFound);
        }
        Err(_) => "failed",
    };
    crate::shared::ssr::redirect_form_post(&format!("/accounts/{appid}?refresh={outcome}")).await;
    Ok(())
}

#[cfg(feature = "ssr")]
mod ssr {
    use platform::authorizers::{Account, HistoryKind, TimelineEntry};

    use super::{AccountView, TimelineItemView};
    use crate::shared::ssr::format_time;

    /// "Created by fast registration" in a line.
    pub(super) fn registration_line(r: platform::fast_registration::FastRegistration) -> String {
        let lang = crate::i18n::admin_lang();
        let by = crate::admin::api::fast_registrations::started_by(&r);
        match lang {
            crate::i18n::Lang::Zh => format!(
                "通过快速注册创建：「{}」于 {} 申请，发起人 {by}。",
                r.name,
                format_time(r.created_at)
            ),
            crate::i18n::Lang::En => format!(
                "Created by fast registration: requested for {} on {} by {by}.",
                r.name,
                format_time(r.created_at)
            ),
        }
    }

    pub(super) fn view(
        account: Account,
        timeline: Vec<TimelineEntry>,
        registration: Option<String>,
        settings: &platform::PlatformSettings,
    ) -> AccountView {
        let when = |at: Option<i64>| at.map_or_else(|| "—".to_owned(), format_time);
        let health = account.health;
        AccountView {
            company_id: account.authorizer.company_id,
            card: crate::shared::views::authorizer_view(
                account.authorizer,
                settings,
                crate::i18n::admin_lang(),
            ),
            company: account.company_name,
            alias: account.alias,
            qrcode_url: account.qrcode_url,
            expires_at: when(health.access_token_expires_at),
            refreshed_at: when(health.refreshed_at),
            next_refresh_at: when(health.next_refresh_at),
            failures: health.failures,
            last_error: health.last_error,
            timeline: timeline.into_iter().map(item).collect(),
            registration,
        }
    }

    fn item(entry: TimelineEntry) -> TimelineItemView {
        match entry {
            TimelineEntry::Happened {
                kind,
                at,
                last_at,
                count,
                detail,
            } => {
                let lang = crate::i18n::admin_lang();
                let (title, tone) = happened(kind, count);
                let detail = match kind {
                    HistoryKind::AuthorizedThroughAnotherCompany => detail.map(|id| {
                        lang.pick("邀请来自公司编号 ", "The invite came from company #")
                            .to_owned()
                            + &id
                    }),
                    _ => detail,
                };
                TimelineItemView {
                    when: format_time(last_at),
                    span: (count > 1).then(|| {
                        lang.pick("自 ", "since ").to_owned()
                            + &format_time(at)
                            + lang.pick(" 起", "")
                    }),
                    title,
                    detail,
                    tone: tone.to_owned(),
                    folded: kind == HistoryKind::Refreshed,
                }
            }
            TimelineEntry::Admin {
                action,
                actor,
                at,
                detail,
            } => TimelineItemView {
                when: format_time(at),
                span: None,
                title: format!(
                    "{actor}{}{}",
                    crate::i18n::admin_lang().pick("：", ": "),
                    action.map_or(
                        crate::i18n::admin_lang().pick("（未知操作）", "(unknown action)"),
                        crate::admin::api::audit::ssr::label
                    )
                ),
                detail,
                tone: "admin".to_owned(),
                folded: false,
            },
        }
    }

    /// What happened, in words, and its tone.
    fn happened(kind: HistoryKind, count: i64) -> (String, &'static str) {
        let lang = crate::i18n::admin_lang();
        let (zh, en, tone): (String, String, &'static str) = match kind {
            HistoryKind::Authorized => ("首次授权".into(), "Authorized".into(), "ok"),
            HistoryKind::Reauthorized => (
                "商户重新授权，恢复正常".into(),
                "Authorized again by the merchant: active".into(),
                "ok",
            ),
            HistoryKind::Updated => (
                "商户更新了授权（权限集可能有变化）".into(),
                "The merchant updated the authorization (permission sets may have changed)".into(),
                "ok",
            ),
            HistoryKind::AuthorizedThroughAnotherCompany => (
                "通过另一家公司的邀请授权：令牌已保存，帐号仍属于本公司".into(),
                "Authorized through another company's invite: tokens stored, the account stays with its company".into(),
                "warn",
            ),
            HistoryKind::Unauthorized => (
                "商户取消了授权".into(),
                "The merchant withdrew the authorization".into(),
                "bad",
            ),
            HistoryKind::NoLongerListed => (
                "微信的授权列表中已没有此帐号：标记为已取消授权".into(),
                "No longer in WeChat's authorizer list: marked revoked".into(),
                "bad",
            ),
            HistoryKind::Revived => (
                "对账发现它仍在微信授权中：恢复为正常".into(),
                "Reconcile found it still authorized at WeChat: active again".into(),
                "ok",
            ),
            HistoryKind::RefreshTokenRecovered => (
                "从微信的授权列表找回了 refresh_token".into(),
                "refresh_token recovered from WeChat's authorizer list".into(),
                "ok",
            ),
            HistoryKind::RefreshFailed if count > 1 => (
                format!("刷新失败（连续 {count} 次）"),
                format!("Refresh failed ({count} in a row)"),
                "warn",
            ),
            HistoryKind::RefreshFailed => ("刷新失败".into(), "Refresh failed".into(), "warn"),
            HistoryKind::NeedsReauthorization => (
                "refresh_token 已失效：需要商户重新授权".into(),
                "refresh_token dead: the merchant must authorize again".into(),
                "bad",
            ),
            HistoryKind::Refreshed if count > 1 => (
                format!("令牌刷新 {count} 次"),
                format!("Token refreshed {count} times"),
                "ok",
            ),
            HistoryKind::Refreshed => ("令牌已刷新".into(), "Token refreshed".into(), "ok"),
        };
        (
            match lang {
                crate::i18n::Lang::Zh => zh,
                crate::i18n::Lang::En => en,
            },
            tone,
        )
    }
}
