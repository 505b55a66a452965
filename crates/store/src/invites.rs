//! `invites`: onboarding links, one company each.

use crate::StoreError;
use crate::pool::{Pool, with_pool};

/// An invite joined with its company's name.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct InviteRow {
    pub id: i64,
    pub company_id: i64,
    pub company_name: String,
    pub token_sealed: Vec<u8>,
    pub auth_type: i64,
    pub biz_appid: Option<String>,
    pub created_at: i64,
    pub expires_at: i64,
    pub revoked_at: Option<i64>,
    pub note: Option<String>,
    /// How often its link was opened.
    pub opened: i64,
    /// Accounts authorized through its link.
    pub brought_in: i64,
    /// The merchant may ask for a new mini program (fast registration).
    pub allows_fast_registration: bool,
}

#[derive(Debug, Clone)]
pub struct NewInvite<'a> {
    pub company_id: i64,
    pub token_hash: &'a str,
    pub token_sealed: &'a [u8],
    pub auth_type: i64,
    pub biz_appid: Option<&'a str>,
    pub created_at: i64,
    pub expires_at: i64,
    pub note: Option<&'a str>,
    pub allows_fast_registration: bool,
}

pub struct InviteRepo<'a> {
    pool: &'a Pool,
}

const SELECT: &str = "SELECT i.id, i.company_id, c.name AS company_name, i.token_sealed, i.auth_type, \
     i.biz_appid, i.created_at, i.expires_at, i.revoked_at, i.note, i.opened, i.allows_fast_registration, \
     (SELECT COUNT(DISTINCT a.authorizer_appid) FROM authorization_codes a WHERE a.invite_id = i.id) AS brought_in \
     FROM invites i JOIN companies c ON c.id = i.company_id";

impl<'a> InviteRepo<'a> {
    pub(crate) fn new(pool: &'a Pool) -> Self {
        Self { pool }
    }

    pub async fn insert(&self, new: NewInvite<'_>) -> Result<i64, StoreError> {
        with_pool!(self.pool, |pool| {
            Ok(sqlx::query_scalar::<_, i64>(
            "INSERT INTO invites (company_id, token_hash, token_sealed, auth_type, biz_appid, created_at, expires_at, note, \
             allows_fast_registration) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        )
        .bind(new.company_id)
        .bind(new.token_hash)
        .bind(new.token_sealed)
        .bind(new.auth_type)
        .bind(new.biz_appid)
        .bind(new.created_at)
        .bind(new.expires_at)
        .bind(new.note)
        .bind(new.allows_fast_registration)
        .fetch_one(pool)
        .await?)
        })
    }

    pub async fn by_token_hash(&self, token_hash: &str) -> Result<Option<InviteRow>, StoreError> {
        with_pool!(self.pool, |pool| {
            Ok(
                sqlx::query_as::<_, InviteRow>(&format!("{SELECT} WHERE i.token_hash = $1"))
                    .bind(token_hash)
                    .fetch_optional(pool)
                    .await?,
            )
        })
    }

    pub async fn by_id(&self, id: i64) -> Result<Option<InviteRow>, StoreError> {
        with_pool!(self.pool, |pool| {
            Ok(
                sqlx::query_as::<_, InviteRow>(&format!("{SELECT} WHERE i.id = $1"))
                    .bind(id)
                    .fetch_optional(pool)
                    .await?,
            )
        })
    }

    /// A company's invites, newest first.
    pub async fn for_company(&self, company_id: i64) -> Result<Vec<InviteRow>, StoreError> {
        with_pool!(self.pool, |pool| {
            Ok(sqlx::query_as::<_, InviteRow>(&format!(
                "{SELECT} WHERE i.company_id = $1 ORDER BY i.created_at DESC, i.id DESC"
            ))
            .bind(company_id)
            .fetch_all(pool)
            .await?)
        })
    }

    /// Counts one opening of the invite's link.
    pub async fn count_opened(&self, id: i64) -> Result<(), StoreError> {
        with_pool!(self.pool, |pool| {
            sqlx::query("UPDATE invites SET opened = opened + 1 WHERE id = $1")
                .bind(id)
                .execute(pool)
                .await?;
            Ok(())
        })
    }

    /// Revokes an invite; returns whether it existed and was not already revoked.
    pub async fn revoke(&self, id: i64, at: i64) -> Result<bool, StoreError> {
        with_pool!(self.pool, |pool| {
            let done = sqlx::query(
                "UPDATE invites SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL",
            )
            .bind(id)
            .bind(at)
            .execute(pool)
            .await?;
            Ok(done.rows_affected() == 1)
        })
    }
}
