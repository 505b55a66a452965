//! Server functions for the overview (the landing page) and the accounts list.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::UiError;

/// One thing to act on, in words, with where to act.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlertView {
    pub title: String,
    pub advice: String,
    pub link: Option<(String, String)>,
}

/// What the overview shows (formatted on the server).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OverviewView {
    pub alerts: Vec<AlertView>,
    pub active: i64,
    pub needs_reauthorization: i64,
    pub revoked: i64,
    pub unassigned: i64,
    pub failing_refreshes: i64,
    pub pushes_last_hour: i64,
    pub failed_events: i64,
    /// e.g. "23 分钟前", or "尚未收到".
    pub ticket_age: String,
    pub token_expires_at: Option<String>,
    pub token_healthy: bool,
    /// The admin's language, which the texts above are in (the live
    /// refresh renders in the browser, where no request says it).
    pub lang: crate::i18n::Lang,
}

#[server(prefix = "/api/admin", endpoint = "overview")]
pub async fn get_overview() -> Result<OverviewView, UiError> {
    let platform = crate::shared::ssr::admin_platform().await?;
    let overview = platform
        .overview()
        .await
        .map_err(|err| crate::shared::ssr::internal(&err))?;
    Ok(ssr::view(overview))
}

/// An account as the accounts list shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountRowView {
    pub appid: String,
    pub name: String,
    pub kind: String,
    pub company_id: i64,
    pub company: String,
    pub status: String,
    pub problem: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountsPageView {
    pub rows: Vec<AccountRowView>,
    pub next_after: Option<i64>,
}

/// Accounts, optionally of one status (`active`, `needs_reauthorization`,
/// `revoked`) or `failing` (active, last refreshes failed).
#[server(prefix = "/api/admin", endpoint = "accounts/list")]
pub async fn list_accounts(
    status: Option<String>,
    after: Option<i64>,
) -> Result<AccountsPageView, UiError> {
    let platform = crate::shared::ssr::admin_platform().await?;
    use platform::overview::AccountFilter;
    let filter = match status.as_deref().filter(|s| !s.is_empty()) {
        None => AccountFilter::All,
        Some("failing") => AccountFilter::Failing,
        Some(name) => AccountFilter::Status(ssr::status(name).ok_or(UiError::NotFound)?),
    };
    let (rows, next_after) = platform
        .accounts_page(filter, after)
        .await
        .map_err(|err| crate::shared::ssr::internal(&err))?;
    Ok(AccountsPageView {
        rows: rows.into_iter().map(ssr::row).collect(),
        next_after,
    })
}

#[cfg(feature = "ssr")]
mod ssr {
    use platform::authorizers::AuthorizerStatus;
    use platform::overview::{Alert, Overview};

    use super::{AccountRowView, AlertView, OverviewView};
    use crate::i18n::Lang;
    use crate::shared::ssr::format_time;

    pub(super) fn status(name: &str) -> Option<AuthorizerStatus> {
        match name {
            "active" => Some(AuthorizerStatus::Active),
            "needs_reauthorization" => Some(AuthorizerStatus::NeedsReauthorization),
            "revoked" => Some(AuthorizerStatus::Revoked),
            _ => None,
        }
    }

    pub(super) fn status_words(status: AuthorizerStatus) -> &'static str {
        let lang = crate::i18n::admin_lang();
        match status {
            AuthorizerStatus::Active => lang.pick("正常", "Active"),
            AuthorizerStatus::NeedsReauthorization => {
                lang.pick("需要重新授权", "Needs re-authorization")
            }
            AuthorizerStatus::Revoked => lang.pick("已取消授权", "Revoked"),
        }
    }

    pub(super) fn row(row: platform::overview::AccountListRow) -> AccountRowView {
        let lang = crate::i18n::admin_lang();
        AccountRowView {
            name: row
                .nick_name
                .unwrap_or_else(|| row.authorizer_appid.clone()),
            appid: row.authorizer_appid,
            kind: if row.is_mini_program {
                lang.pick("小程序", "Mini program")
            } else {
                lang.pick("公众号", "Official account")
            }
            .to_owned(),
            company_id: row.company_id,
            company: row.company_name,
            status: status_words(row.status).to_owned(),
            problem: (row.failures > 0).then(|| {
                let error = row.last_error.unwrap_or_default();
                match lang {
                    Lang::Zh => format!("连续 {} 次刷新失败：{error}", row.failures),
                    Lang::En => format!("{} refreshes failed in a row: {error}", row.failures),
                }
            }),
        }
    }

    pub(super) fn view(o: Overview) -> OverviewView {
        let lang = crate::i18n::admin_lang();
        let ticket_age = match o.component.ticket_received_at {
            None => lang.pick("尚未收到", "none received yet").to_owned(),
            Some(at) => {
                let minutes = (o.now - at).max(0) / 60;
                match (lang, minutes < 60) {
                    (Lang::Zh, true) => format!("{minutes} 分钟前"),
                    (Lang::Zh, false) => format!("{} 小时前", minutes / 60),
                    (Lang::En, true) => format!("{minutes} min ago"),
                    (Lang::En, false) => format!("{} h ago", minutes / 60),
                }
            }
        };
        OverviewView {
            alerts: o.alerts.into_iter().map(|a| alert(a, lang)).collect(),
            active: o.accounts.active,
            needs_reauthorization: o.accounts.needs_reauthorization,
            revoked: o.accounts.revoked,
            unassigned: o.accounts.unassigned,
            failing_refreshes: o.failing_refreshes,
            pushes_last_hour: o.pushes_last_hour,
            failed_events: o.failed_events,
            ticket_age,
            token_expires_at: o.component.expires_at.map(format_time),
            token_healthy: o.component.state == platform::component::ComponentTokenState::Fresh,
            lang,
        }
    }

    fn alert(alert: Alert, lang: Lang) -> AlertView {
        let (title, advice, link) = match lang {
            Lang::Zh => alert_zh(alert),
            Lang::En => alert_en(alert),
        };
        AlertView {
            title,
            advice,
            link,
        }
    }

    type Words = (String, String, Option<(String, String)>);

    fn alert_en(alert: Alert) -> Words {
        match alert {
            Alert::TicketMissing => (
                "No component_verify_ticket received yet".to_owned(),
                "WeChat pushes a ticket every 10 minutes. Check that the Open Platform's authorization event URL points at this site's /wechat/component/events and that the server is reachable from the internet.".to_owned(),
                None,
            ),
            Alert::TicketStale { hours } => (
                format!("The newest ticket arrived {hours} h ago"),
                "Without a ticket newer than 12 hours the component token cannot be refreshed. Check the authorization event URL and that the server is reachable.".to_owned(),
                None,
            ),
            Alert::IpNotWhitelisted { message } => (
                "WeChat refuses this server's IP (61004)".to_owned(),
                format!("Add the address WeChat saw under the Open Platform's development settings → IP whitelist. {message}"),
                None,
            ),
            Alert::QuotaExhausted => (
                "Today's API quota is used up (45009)".to_owned(),
                "The component token is retried after midnight China time. To recover now, reset the quota in the Open Platform and check how often you call.".to_owned(),
                None,
            ),
            Alert::ComponentTokenFailing { message } => (
                "The component token (component_access_token) cannot be refreshed".to_owned(),
                message,
                None,
            ),
            Alert::NeedsReauthorization { accounts } => (
                format!("{accounts} account(s) need the merchant to authorize again"),
                "Their refresh tokens no longer work, so the platform cannot act for them. Send their companies a new invite (the account page has a button for it).".to_owned(),
                Some(("/accounts?status=needs_reauthorization".to_owned(), "Show these accounts".to_owned())),
            ),
            Alert::UnassignedAccounts { accounts } => (
                format!("{accounts} account(s) authorized at WeChat belong to no company yet"),
                "Reconcile found them in WeChat's authorizer list; no invite brought them in. Attach them to their companies so the platform refreshes their tokens.".to_owned(),
                Some(("/unassigned".to_owned(), "Attach them".to_owned())),
            ),
            Alert::FailedEvents { events } => (
                format!("{events} authorization event(s) could not be processed"),
                "They were retried and still failed; each event says why.".to_owned(),
                Some(("/events?state=failed".to_owned(), "Show these events".to_owned())),
            ),
        }
    }

    fn alert_zh(alert: Alert) -> Words {
        match alert {
            Alert::TicketMissing => (
                "尚未收到 component_verify_ticket".to_owned(),
                "微信每 10 分钟推送一次票据。请确认开放平台「授权事件接收URL」指向本站的 /wechat/component/events，且服务器能从公网访问。".to_owned(),
                None,
            ),
            Alert::TicketStale { hours } => (
                format!("最近一次票据是 {hours} 小时前收到的"),
                "票据超过 12 小时未更新，平台令牌将无法刷新。请检查「授权事件接收URL」和服务器的可达性。".to_owned(),
                None,
            ),
            Alert::IpNotWhitelisted { message } => (
                "微信拒绝了本服务器的 IP（61004）".to_owned(),
                format!("请在开放平台「开发资料 → 白名单 IP」中添加微信看到的地址。{message}"),
                None,
            ),
            Alert::QuotaExhausted => (
                "今日接口调用次数已用完（45009）".to_owned(),
                "平台令牌将在北京时间零点后重试。如需立即恢复，可在开放平台清零配额，并检查调用频率。".to_owned(),
                None,
            ),
            Alert::ComponentTokenFailing { message } => (
                "平台令牌（component_access_token）刷新失败".to_owned(),
                message,
                None,
            ),
            Alert::NeedsReauthorization { accounts } => (
                format!("{accounts} 个帐号需要商户重新授权"),
                "这些帐号的刷新令牌已失效，平台无法再代其调用接口。请给对应公司发送新的授权邀请。".to_owned(),
                Some(("/accounts?status=needs_reauthorization".to_owned(), "查看这些帐号".to_owned())),
            ),
            Alert::UnassignedAccounts { accounts } => (
                format!("{accounts} 个帐号已在微信授权，但还没有归属公司"),
                "对账在微信的授权列表中发现了这些帐号，它们没有经过邀请链接。请把它们归入对应的公司，平台才会为它们刷新令牌。".to_owned(),
                Some(("/unassigned".to_owned(), "去归入公司".to_owned())),
            ),
            Alert::FailedEvents { events } => (
                format!("{events} 条授权事件处理失败"),
                "这些推送已多次重试仍无法处理，原因记录在事件中。".to_owned(),
                Some(("/events?state=failed".to_owned(), "查看这些事件".to_owned())),
            ),
        }
    }
}
