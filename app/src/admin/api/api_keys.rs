//! Server functions for the token service's API keys: list, create (the key is
//! shown once, see `platform::api_keys::reveal`), reveal, revoke. Creation and
//! revocation are in the audit log.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::UiError;

/// A key as the API keys page shows it (never the key itself).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiKeyView {
    pub id: i64,
    pub name: String,
    pub prefix: String,
    /// What it may read and do, in words.
    pub scope: String,
    pub active: bool,
    /// 启用 / 已吊销 / 已过期.
    pub status: String,
    pub created_at: String,
    pub expires_at: String,
    pub last_used: String,
    pub issued_count: i64,
    /// Tokens handed out since midnight (China time).
    pub reads_today: i64,
    /// Tokens handed out on each of the last 7 days (China time), oldest
    /// first: (month-day, count).
    pub reads_by_day: Vec<(String, i64)>,
}

/// Every key, newest first.
#[server(prefix = "/api/admin", endpoint = "api-keys/list")]
pub async fn list_api_keys() -> Result<Vec<ApiKeyView>, UiError> {
    let platform = crate::shared::ssr::admin_platform().await?;
    ssr::list(&platform).await
}

/// Creates a key from the form: `scope` is `all` or a company id; the
/// checkboxes `component` and `invalidate` grant those permissions;
/// `expires_days` (empty: never). Sends the browser to the page that shows it once.
#[server(prefix = "/api/admin", endpoint = "api-keys/create")]
pub async fn create_api_key(
    name: String,
    scope: String,
    company: Option<String>,
    component: Option<String>,
    invalidate: Option<String>,
    expires_days: Option<String>,
) -> Result<i64, UiError> {
    let admin = crate::shared::ssr::admin().await?;
    // `one`: the company named in `company` (a list of 10,000 names is no form).
    let scope = match (scope.as_str(), company.as_deref().map(str::trim)) {
        ("one", Some(name)) if !name.is_empty() => admin
            .platform
            .companies()
            .by_name(name)
            .await
            .map_err(|err| crate::shared::ssr::internal(&err))?
            .map(|c| c.id.to_string())
            .ok_or_else(|| UiError::Validation {
                field: "company".into(),
                message: crate::i18n::admin_lang()
                    .pick(
                        "没有这个名称的公司：请输入公司的完整名称。",
                        "No company has this name: type the company's full name.",
                    )
                    .into(),
            })?,
        _ => scope,
    };
    let id = ssr::create(
        &admin,
        &name,
        &scope,
        component.is_some(),
        invalidate.is_some(),
        expires_days.as_deref(),
    )
    .await?;
    crate::shared::ssr::redirect_form_post(&format!("/api-keys?created={id}")).await;
    Ok(id)
}

/// The key just created by this admin, once; `None` once it was shown (or
/// after ten minutes).
#[server(prefix = "/api/admin", endpoint = "api-keys/reveal")]
pub async fn reveal_api_key(id: i64) -> Result<Option<String>, UiError> {
    let admin = crate::shared::ssr::admin().await?;
    let key = admin
        .platform
        .reveal_api_key(admin.session.admin_id, id)
        .await
        .map_err(|err| crate::shared::ssr::internal(&err))?;
    Ok(key.map(|key| key.expose().to_owned()))
}

/// Revokes a key: the token service refuses it within seconds.
#[server(prefix = "/api/admin", endpoint = "api-keys/revoke")]
pub async fn revoke_api_key(id: i64) -> Result<(), UiError> {
    let admin = crate::shared::ssr::admin().await?;
    admin
        .platform
        .api_keys()
        .revoke(id)
        .await
        .map_err(ssr::to_ui_error)?;
    admin
        .audit(
            platform::audit::AuditAction::ApiKeyRevoked,
            format!("api_key:{id}"),
        )
        .await;
    crate::shared::ssr::redirect_form_post(&format!("/api-keys?revoked={id}")).await;
    Ok(())
}

#[cfg(feature = "ssr")]
mod ssr {
    use platform::Platform;
    use platform::api_keys::{ApiKeyError, ApiKeyInfo, KeyScope};
    use platform::audit::AuditAction;

    use super::ApiKeyView;
    use crate::UiError;
    use crate::shared::ssr::{Admin, format_time, internal};

    pub(super) async fn list(platform: &Platform) -> Result<Vec<ApiKeyView>, UiError> {
        let keys = platform.api_keys();
        let infos = keys.list().await.map_err(to_ui_error)?;
        let now = keys.clock().now();
        let per_day = keys.reads_per_day(DAYS).await.map_err(to_ui_error)?;
        // The last DAYS days' labels (China time), oldest first.
        let labels: Vec<String> = (0..DAYS)
            .rev()
            .map(|back| {
                let at = now - i64::try_from(back).unwrap_or(0) * 86_400;
                crate::shared::ssr::format_time(at)
                    .get(5..10)
                    .unwrap_or_default()
                    .to_owned()
            })
            .collect();
        Ok(infos
            .into_iter()
            .map(|info| {
                let reads = per_day
                    .get(&info.id)
                    .cloned()
                    .unwrap_or_else(|| vec![0; DAYS]);
                let by_day = labels.iter().cloned().zip(reads).collect();
                view(info, now, by_day)
            })
            .collect())
    }

    /// Days of reads the list shows per key.
    const DAYS: usize = 7;

    fn view(info: ApiKeyInfo, now: i64, reads_by_day: Vec<(String, i64)>) -> ApiKeyView {
        let reads_today = reads_by_day.last().map_or(0, |(_, n)| *n);
        let expired = info.expires_at.is_some_and(|at| at <= now);
        let (active, status) = match (info.revoked_at, expired) {
            (Some(_), _) => (false, crate::i18n::admin_lang().pick("已吊销", "Revoked")),
            (None, true) => (false, crate::i18n::admin_lang().pick("已过期", "Expired")),
            (None, false) => (true, crate::i18n::admin_lang().pick("启用", "Active")),
        };
        ApiKeyView {
            id: info.id,
            scope: scope_words(&info.scope),
            name: info.name,
            prefix: info.prefix,
            active,
            status: status.to_owned(),
            created_at: format_time(info.created_at),
            expires_at: info.expires_at.map_or_else(
                || {
                    crate::i18n::admin_lang()
                        .pick("永不过期", "Never expires")
                        .to_owned()
                },
                format_time,
            ),
            last_used: info.last_used_at.map_or_else(
                || {
                    crate::i18n::admin_lang()
                        .pick("从未使用", "Never used")
                        .to_owned()
                },
                format_time,
            ),
            issued_count: info.issued_count,
            reads_today,
            reads_by_day,
        }
    }

    fn scope_words(scope: &KeyScope) -> String {
        let mut words = if scope.all_companies {
            crate::i18n::admin_lang()
                .pick("全部公司", "All companies")
                .to_owned()
        } else {
            let ids: Vec<String> = scope
                .company_ids
                .iter()
                .map(|id| format!("#{id}"))
                .collect();
            format!(
                "{}{}",
                crate::i18n::admin_lang().pick("公司 ", "companies "),
                ids.join(crate::i18n::admin_lang().pick("、", ", "))
            )
        };
        if scope.component {
            words.push_str(crate::i18n::admin_lang().pick(" · 平台令牌", " · component token"));
        }
        if scope.invalidate {
            words.push_str(
                crate::i18n::admin_lang().pick(" · 可作废令牌", " · may invalidate tokens"),
            );
        }
        words
    }

    pub(super) async fn create(
        admin: &Admin,
        name: &str,
        scope: &str,
        component: bool,
        invalidate: bool,
        expires_days: Option<&str>,
    ) -> Result<i64, UiError> {
        let reach = match scope {
            "all" => KeyScope {
                all_companies: true,
                ..KeyScope::default()
            },
            id => match id.parse::<i64>() {
                Ok(id) => KeyScope::companies(&[id]),
                Err(_) => {
                    return Err(invalid(
                        "scope",
                        crate::i18n::admin_lang().pick(
                            "请选择密钥可以读取哪些公司。",
                            "Choose which companies the key may read.",
                        ),
                    ));
                }
            },
        };
        let reach = KeyScope {
            component,
            invalidate,
            ..reach
        };
        let keys = admin.platform.api_keys();
        let expires_at = match expires_days.map(str::trim).filter(|d| !d.is_empty()) {
            None => None,
            Some(days) => match days.parse::<i64>() {
                Ok(days) if (1..=3650).contains(&days) => Some(keys.clock().now() + days * 86_400),
                _ => {
                    return Err(invalid(
                        "expires_days",
                        crate::i18n::admin_lang().pick("有效期请填写 1 到 3650 之间的天数，或留空表示永不过期。", "Give the validity in days, 1 to 3650, or leave it empty for a key that never expires."),
                    ));
                }
            },
        };
        let info = admin
            .platform
            .create_api_key_to_reveal(admin.session.admin_id, name, &reach, expires_at)
            .await
            .map_err(to_ui_error)?;
        admin
            .audit(AuditAction::ApiKeyCreated, format!("api_key:{}", info.id))
            .await;
        Ok(info.id)
    }

    fn invalid(field: &str, message: &str) -> UiError {
        UiError::Validation {
            field: field.into(),
            message: message.into(),
        }
    }

    pub(super) fn to_ui_error(err: ApiKeyError) -> UiError {
        match err {
            ApiKeyError::InvalidName => invalid(
                "name",
                crate::i18n::admin_lang().pick(
                    "请填写密钥名称（最多 100 个字），例如使用它的系统名。",
                    "Name the key (at most 100 characters), e.g. after the system that uses it.",
                ),
            ),
            ApiKeyError::UnknownCompany => invalid(
                "scope",
                crate::i18n::admin_lang()
                    .pick("所选公司不存在。", "The chosen company does not exist."),
            ),
            ApiKeyError::InvalidScope => invalid(
                "scope",
                crate::i18n::admin_lang().pick(
                    "请选择密钥可以读取哪些公司。",
                    "Choose which companies the key may read.",
                ),
            ),
            ApiKeyError::InvalidExpiry => invalid(
                "expires_days",
                crate::i18n::admin_lang()
                    .pick("有效期必须在未来。", "The expiry must be in the future."),
            ),
            ApiKeyError::NotFound => UiError::NotFound,
            ApiKeyError::Unauthorized => UiError::Unauthorized,
            ApiKeyError::Storage(err) => internal(&err),
        }
    }
}
