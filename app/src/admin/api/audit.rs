//! Server function for the audit log: one page of entries, filtered by who
//! acted and by object. Read only: nothing in the log can be changed from here.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::UiError;

/// An entry as the audit log page shows it (formatted on the server).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntryView {
    pub id: i64,
    pub at: String,
    pub actor: String,
    pub client_addr: String,
    /// What was done, in words.
    pub action: String,
    /// Whether it was a refusal (a failed or locked sign-in), to mark it.
    pub refused: bool,
    pub object: String,
    pub detail: String,
}

/// One page, and the `before` of the next (older) page if there is one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditPageView {
    pub entries: Vec<AuditEntryView>,
    pub next_before: Option<i64>,
}

/// The newest entries matching the filters (empty text: any).
#[server(prefix = "/api/admin", endpoint = "audit/list")]
pub async fn list_audit(
    actor: Option<String>,
    object: Option<String>,
    before: Option<i64>,
) -> Result<AuditPageView, UiError> {
    let platform = crate::shared::ssr::admin_platform().await?;
    let filled = crate::shared::ssr::filled;
    let query = platform::audit::AuditQuery {
        actor: filled(actor),
        object: filled(object),
        before_id: before,
    };
    let page = platform
        .admins()
        .audit()
        .page(&query)
        .await
        .map_err(|err| crate::shared::ssr::internal(&err))?;
    Ok(AuditPageView {
        entries: page.entries.into_iter().map(ssr::view).collect(),
        next_before: page.next_before,
    })
}

#[cfg(feature = "ssr")]
pub(crate) mod ssr {
    use platform::audit::{AuditAction, AuditEntry};

    use super::AuditEntryView;

    pub(super) fn view(entry: AuditEntry) -> AuditEntryView {
        AuditEntryView {
            id: entry.id,
            at: crate::shared::ssr::format_time(entry.at),
            actor: entry.actor,
            client_addr: entry.client_addr.unwrap_or_else(|| "—".into()),
            action: entry
                .action
                .map_or(
                    crate::i18n::admin_lang().pick("（未知操作）", "(unknown action)"),
                    label,
                )
                .to_owned(),
            refused: matches!(
                entry.action,
                Some(AuditAction::SignInFailed | AuditAction::SignInLocked)
            ),
            object: entry.object.unwrap_or_default(),
            detail: entry.detail.unwrap_or_default(),
        }
    }

    /// What an action means, for operators, in the admin's language.
    pub(crate) fn label(action: AuditAction) -> &'static str {
        let (zh, en) = words(action);
        crate::i18n::admin_lang().pick(zh, en)
    }

    /// (zh, en) for an action.
    fn words(action: AuditAction) -> (&'static str, &'static str) {
        match action {
            AuditAction::SignedIn => ("登录", "Signed in"),
            AuditAction::SignInFailed => ("登录失败", "Sign-in failed"),
            AuditAction::SignInLocked => ("登录被暂时锁定", "Sign-in locked for a while"),
            AuditAction::SignedOut => ("退出登录", "Signed out"),
            AuditAction::AdminCreated => ("创建管理员", "Admin created"),
            AuditAction::AdminDisabled => ("停用管理员", "Admin disabled"),
            AuditAction::PasswordReset => ("重置密码", "Password reset"),
            AuditAction::CompanyCreated => ("创建公司", "Company created"),
            AuditAction::InviteCreated => ("创建邀请链接", "Invite created"),
            AuditAction::InviteRevoked => ("撤销邀请链接", "Invite revoked"),
            AuditAction::DatabaseAdopted => ("接管数据库", "Database adopted"),
            AuditAction::ApiKeyCreated => ("创建 API 密钥", "API key created"),
            AuditAction::ApiKeyRevoked => ("吊销 API 密钥", "API key revoked"),
            AuditAction::AccountRefreshed => ("立即刷新帐号令牌", "Account token refreshed now"),
            AuditAction::CompanyRenamed => ("重命名公司", "Company renamed"),
            AuditAction::CompanyArchived => ("归档公司", "Company archived"),
            AuditAction::AccountRevived => ("对账后恢复帐号", "Account revived by reconcile"),
            AuditAction::AccountInfoRefetched => {
                ("重新获取帐号资料", "Account profile fetched again")
            }
            AuditAction::AccountMoved => {
                ("把帐号移到另一家公司", "Account moved to another company")
            }
            AuditAction::ReauthorizationInviteCreated => {
                ("发送重新授权邀请", "Re-authorization invite created")
            }
            AuditAction::AccountAttached => (
                "把对账发现的帐号归入公司",
                "Account found by reconcile attached to a company",
            ),
            AuditAction::ReconcileRun => (
                "与微信授权列表对账",
                "Reconciled with WeChat's authorizer list",
            ),
            AuditAction::WebhookCreated => ("创建 Webhook 地址", "Webhook endpoint created"),
            AuditAction::WebhookEnabled => ("启用 Webhook 地址", "Webhook endpoint enabled"),
            AuditAction::WebhookDisabled => ("停用 Webhook 地址", "Webhook endpoint disabled"),
            AuditAction::WebhookDeleted => ("删除 Webhook 地址", "Webhook endpoint deleted"),
            AuditAction::WebhookSecretShown => {
                ("查看 Webhook 签名密钥", "Webhook signing secret shown")
            }
            AuditAction::DeliveryReplayed => ("重新投递消息", "Delivery replayed"),
            AuditAction::ReleaseCheckRun => {
                ("运行全网发布检测（沙箱）", "Release check run (sandbox)")
            }
            AuditAction::FastRegistrationStarted => {
                ("申请快速注册小程序", "Fast registration requested")
            }
        }
    }

    #[cfg(test)]
    mod tests {
        #[test]
        fn every_action_has_its_own_words_in_each_language() {
            for pick in [
                |w: (&'static str, &'static str)| w.0,
                |w: (&'static str, &'static str)| w.1,
            ] {
                let mut labels: Vec<_> = platform::audit::AuditAction::ALL
                    .into_iter()
                    .map(|action| pick(super::words(action)))
                    .collect();
                labels.sort_unstable();
                labels.dedup();
                assert_eq!(labels.len(), platform::audit::AuditAction::ALL.len());
            }
        }
    }
}
