//! Companies: the merchants a platform operator serves. Each owns authorizers
//! (official accounts and mini programs) and receives invites to onboard them.

mod name;

pub use name::{CompanyName, CompanyNameError, MAX_CHARS as NAME_MAX_CHARS};

use store::{NewCompany, Store, StoreError};
use time::OffsetDateTime;

/// Companies per page of the companies list.
pub const COMPANIES_PAGE_SIZE: i64 = 50;

pub use store::CompanyWithCounts;

/// A company as the use cases see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Company {
    pub id: i64,
    pub name: String,
    pub created_at: OffsetDateTime,
    /// Archived companies keep their accounts but take no new authorization.
    pub archived_at: Option<i64>,
}

/// Why a company could not be created or read.
#[derive(Debug, thiserror::Error)]
pub enum CompanyError {
    #[error(transparent)]
    InvalidName(#[from] CompanyNameError),
    #[error("a company with this name already exists")]
    DuplicateName,
    #[error("no company with this id")]
    NotFound,
    #[error(transparent)]
    Storage(StoreError),
}

impl From<StoreError> for CompanyError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::Conflict { constraint: "name" } => Self::DuplicateName,
            other => Self::Storage(other),
        }
    }
}

/// The companies use cases.
pub struct Companies<'a> {
    store: &'a Store,
}

impl<'a> Companies<'a> {
    pub(crate) fn new(store: &'a Store) -> Self {
        Self { store }
    }

    /// Creates a company from a raw name typed by an admin.
    pub async fn create(&self, raw_name: &str) -> Result<Company, CompanyError> {
        let name = CompanyName::parse(raw_name)?;
        let row = self
            .store
            .companies()
            .insert(NewCompany {
                name: name.as_str(),
                created_at: OffsetDateTime::now_utc(),
            })
            .await?;
        tracing::info!(company_id = row.id, "company created");
        Ok(to_company(row))
    }

    /// Gives a company another name (the same rules as at creation).
    pub async fn rename(&self, id: i64, raw_name: &str) -> Result<Company, CompanyError> {
        let name = CompanyName::parse(raw_name)?;
        if !self.store.companies().rename(id, name.as_str()).await? {
            return Err(CompanyError::NotFound);
        }
        tracing::info!(company_id = id, "company renamed");
        self.get(id).await?.ok_or(CompanyError::NotFound)
    }

    /// Archives a company: its invites stop working and no new one can be
    /// made; its accounts stay (visible, refreshed).
    pub async fn archive(&self, id: i64) -> Result<(), CompanyError> {
        let now = OffsetDateTime::now_utc().unix_timestamp();
        if !self.store.companies().archive(id, now).await? {
            return Err(CompanyError::NotFound);
        }
        tracing::info!(company_id = id, "company archived");
        Ok(())
    }

    /// One company, `None` when there is none.
    /// The company an admin typed the name of (any case, surrounding spaces ignored).
    pub async fn by_name(&self, name: &str) -> Result<Option<Company>, CompanyError> {
        Ok(self
            .store
            .companies()
            .by_name(name.trim())
            .await?
            .map(to_company))
    }

    pub async fn get(&self, id: i64) -> Result<Option<Company>, CompanyError> {
        Ok(self.store.companies().get(id).await?.map(to_company))
    }

    /// A page of companies whose name contains `search` (blank: all), newest
    /// first, older than `before_id`, with their accounts counted by status;
    /// and the `before_id` of the next page if there is one.
    pub async fn page(
        &self,
        search: Option<&str>,
        before_id: Option<i64>,
    ) -> Result<(Vec<CompanyWithCounts>, Option<i64>), CompanyError> {
        let search = search.map(str::trim).filter(|s| !s.is_empty());
        let rows = self
            .store
            .companies()
            .page(search, before_id, COMPANIES_PAGE_SIZE + 1)
            .await?;
        Ok(crate::paging::keyset_page(
            rows,
            COMPANIES_PAGE_SIZE,
            |row| row.id,
        ))
    }

    /// [`Self::page`] in name order: companies named after `after_name`, and
    /// the name the next page starts after if there is one.
    pub async fn page_by_name(
        &self,
        search: Option<&str>,
        after_name: Option<&str>,
    ) -> Result<(Vec<CompanyWithCounts>, Option<String>), CompanyError> {
        let search = search.map(str::trim).filter(|s| !s.is_empty());
        let rows = self
            .store
            .companies()
            .page_by_name(search, after_name, COMPANIES_PAGE_SIZE + 1)
            .await?;
        Ok(crate::paging::keyset_page(
            rows,
            COMPANIES_PAGE_SIZE,
            |row| row.name.clone(),
        ))
    }

    /// Every company, newest first.
    pub async fn list(&self) -> Result<Vec<Company>, CompanyError> {
        Ok(self
            .store
            .companies()
            .list()
            .await?
            .into_iter()
            .map(to_company)
            .collect())
    }
}

fn to_company(row: store::CompanyRow) -> Company {
    Company {
        id: row.id,
        name: row.name,
        // Rows are written by us from valid timestamps; fall back to the epoch rather than fail a page.
        created_at: OffsetDateTime::from_unix_timestamp(row.created_at)
            .unwrap_or(OffsetDateTime::UNIX_EPOCH),
        archived_at: row.archived_at,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let url = store::testing::database_url(dir.path()).await;
        (dir, Store::connect(&url).await.unwrap())
    }

    #[tokio::test]
    async fn create_trims_the_name_and_lists_the_company() {
        let (_dir, store) = store().await;
        let companies = Companies::new(&store);
        let created = companies.create("  上海某某科技有限公司 ").await.unwrap();
        assert_eq!(created.name, "上海某某科技有限公司");
        assert_eq!(companies.list().await.unwrap(), vec![created]);
    }

    #[tokio::test]
    async fn creating_the_same_name_twice_is_a_duplicate() {
        let (_dir, store) = store().await;
        let companies = Companies::new(&store);
        companies.create("Acme").await.unwrap();
        let err = companies.create("acme").await.unwrap_err();
        assert!(matches!(err, CompanyError::DuplicateName), "{err:?}");
    }

    #[tokio::test]
    async fn an_invalid_name_is_refused_before_touching_the_database() {
        let (_dir, store) = store().await;
        let companies = Companies::new(&store);
        let err = companies.create("   ").await.unwrap_err();
        assert!(
            matches!(err, CompanyError::InvalidName(CompanyNameError::Empty)),
            "{err:?}"
        );
        assert!(companies.list().await.unwrap().is_empty());
    }
}
