//! Server functions for companies: list and create.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::UiError;

/// A company as the companies page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompanySummary {
    pub id: i64,
    pub name: String,
    /// Formatted on the server so SSR and hydration render the same text.
    pub created_at: String,
}

/// One company's name (the companies page names the one just created).
#[server(prefix = "/api/admin", endpoint = "companies/name")]
pub async fn company_name(id: i64) -> Result<Option<String>, UiError> {
    let platform = crate::shared::ssr::admin_platform().await?;
    let company = platform
        .companies()
        .get(id)
        .await
        .map_err(ssr::to_ui_error)?;
    Ok(company.map(|c| c.name))
}

/// A row of the companies list: the company and its accounts by status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompanyRowView {
    pub id: i64,
    pub name: String,
    pub created_at: String,
    pub active: i64,
    pub needs_reauthorization: i64,
    pub revoked: i64,
    pub archived: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompaniesPageView {
    pub rows: Vec<CompanyRowView>,
    /// The next page, newest first: `before=<id>`.
    pub next_before: Option<i64>,
    /// The next page in name order: `after=<name>`.
    pub next_after: Option<String>,
}

/// Companies whose name contains `q` (blank: all), 50 a page: newest first
/// (`before`: the next page's cursor), or with `sort=name` in name order
/// (`after`: the name the page starts after).
#[server(prefix = "/api/admin", endpoint = "companies/page")]
pub async fn companies_page(
    q: Option<String>,
    before: Option<i64>,
    sort: Option<String>,
    after: Option<String>,
) -> Result<CompaniesPageView, UiError> {
    let platform = crate::shared::ssr::admin_platform().await?;
    let companies = platform.companies();
    let (rows, next_before, next_after) = if sort.as_deref() == Some("name") {
        let (rows, next) = companies
            .page_by_name(q.as_deref(), after.as_deref().filter(|a| !a.is_empty()))
            .await
            .map_err(ssr::to_ui_error)?;
        (rows, None, next)
    } else {
        let (rows, next) = companies
            .page(q.as_deref(), before)
            .await
            .map_err(ssr::to_ui_error)?;
        (rows, next, None)
    };
    Ok(CompaniesPageView {
        rows: rows
            .into_iter()
            .map(|c| CompanyRowView {
                id: c.id,
                name: c.name,
                created_at: crate::shared::ssr::format_time(c.created_at),
                active: c.active,
                needs_reauthorization: c.needs_reauthorization,
                revoked: c.revoked,
                archived: c.archived_at.is_some(),
            })
            .collect(),
        next_before,
        next_after,
    })
}

/// Creates a company from the name typed in the form (field `name`).
#[server(prefix = "/api/admin", endpoint = "companies/create")]
pub async fn create_company(name: String) -> Result<CompanySummary, UiError> {
    let admin = crate::shared::ssr::admin().await?;
    let company = admin
        .platform
        .companies()
        .create(&name)
        .await
        .map_err(ssr::to_ui_error)?;
    admin
        .audit(
            platform::audit::AuditAction::CompanyCreated,
            format!("company:{}", company.id),
        )
        .await;
    crate::shared::ssr::redirect_form_post(&format!("/companies?created={}", company.id)).await;
    Ok(ssr::summary(company))
}

/// Renames a company (fields `id`, `name`); back to its page.
#[server(prefix = "/api/admin", endpoint = "companies/rename")]
pub async fn rename_company(id: i64, name: String) -> Result<CompanySummary, UiError> {
    let admin = crate::shared::ssr::admin().await?;
    let company = admin
        .platform
        .companies()
        .rename(id, &name)
        .await
        .map_err(ssr::to_ui_error)?;
    // The new name in the detail: the object's id alone would not say what it became.
    if let Err(err) = admin
        .platform
        .admins()
        .audit()
        .record(
            &admin.actor,
            platform::audit::AuditAction::CompanyRenamed,
            Some(&format!("company:{id}")),
            Some(&company.name),
        )
        .await
    {
        tracing::error!(error = %err, "writing the audit log failed");
    }
    crate::shared::ssr::redirect_form_post(&format!("/companies/{id}?renamed=1")).await;
    Ok(ssr::summary(company))
}

/// Archives a company (field `id`): its invites stop working, its accounts stay.
#[server(prefix = "/api/admin", endpoint = "companies/archive")]
pub async fn archive_company(id: i64) -> Result<(), UiError> {
    let admin = crate::shared::ssr::admin().await?;
    admin
        .platform
        .companies()
        .archive(id)
        .await
        .map_err(ssr::to_ui_error)?;
    admin
        .audit(
            platform::audit::AuditAction::CompanyArchived,
            format!("company:{id}"),
        )
        .await;
    crate::shared::ssr::redirect_form_post(&format!("/companies/{id}?archived=1")).await;
    Ok(())
}

#[cfg(feature = "ssr")]
mod ssr {
    use platform::companies::{Company, CompanyError, CompanyNameError};

    use super::CompanySummary;
    use crate::UiError;

    pub(super) fn summary(company: Company) -> CompanySummary {
        CompanySummary {
            id: company.id,
            name: company.name,
            created_at: crate::shared::ssr::format_time(company.created_at.unix_timestamp()),
        }
    }

    pub(super) fn to_ui_error(err: CompanyError) -> UiError {
        let invalid = |message: String| UiError::Validation {
            field: "name".into(),
            message,
        };
        match err {
            CompanyError::InvalidName(CompanyNameError::Empty) => invalid(
                crate::i18n::admin_lang()
                    .pick("请填写公司名称。", "Enter the company's name.")
                    .into(),
            ),
            CompanyError::InvalidName(CompanyNameError::TooLong) => invalid(format!(
                "{} {} {}",
                crate::i18n::admin_lang().pick("公司名称最多", "A company's name has at most"),
                platform::companies::NAME_MAX_CHARS,
                crate::i18n::admin_lang().pick("个字。", "characters.")
            )),
            CompanyError::InvalidName(CompanyNameError::ControlCharacters) => invalid(
                crate::i18n::admin_lang()
                    .pick(
                        "公司名称含有无法显示的字符。",
                        "The name contains characters that cannot be shown.",
                    )
                    .into(),
            ),
            CompanyError::DuplicateName => UiError::Conflict(
                crate::i18n::admin_lang()
                    .pick(
                        "已有同名公司，请换一个名称。",
                        "A company with this name exists already: choose another name.",
                    )
                    .into(),
            ),
            CompanyError::NotFound => UiError::NotFound,
            CompanyError::Storage(err) => crate::shared::ssr::internal(&err),
        }
    }
}
