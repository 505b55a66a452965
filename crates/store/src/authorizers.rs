//! `authorizers` and `authorization_codes`: the accounts that authorized the
//! platform, their sealed tokens and profile. Rows are never deleted.

use crate::StoreError;
use crate::authorizer_history::{self as history, HistoryKind};
use crate::pool::{Pool, with_pool};

/// An authorizer as stored (tokens still sealed).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct AuthorizerRow {
    pub id: i64,
    pub authorizer_appid: String,
    pub company_id: i64,
    pub status: AuthorizerStatus,
    pub nick_name: Option<String>,
    pub head_img: Option<String>,
    pub user_name: Option<String>,
    pub principal_name: Option<String>,
    pub alias: Option<String>,
    pub qrcode_url: Option<String>,
    pub service_type: Option<i64>,
    pub verify_type: Option<i64>,
    pub is_mini_program: bool,
    /// JSON array of permission-set ids.
    pub func_info: String,
    pub refresh_token_sealed: Option<Vec<u8>>,
    pub access_token_sealed: Option<Vec<u8>>,
    pub access_token_expires_at: Option<i64>,
    pub refreshed_at: Option<i64>,
    pub last_error: Option<String>,
    pub authorized_at: i64,
    pub revoked_at: Option<i64>,
    pub updated_at: i64,
    /// Consecutive failed refreshes.
    pub failures: i64,
    /// No refresh before this (unix seconds) after failures.
    pub next_attempt_at: Option<i64>,
}

/// Where an authorizer stands with the platform, stored as its snake_case name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, sqlx::Type)]
#[sqlx(type_name = "TEXT", rename_all = "snake_case")]
pub enum AuthorizerStatus {
    /// Authorized; its tokens are kept fresh.
    Active,
    /// The merchant withdrew the authorization (history kept; a new one revives it).
    Revoked,
    /// Its refresh token no longer works: the merchant must authorize again.
    NeedsReauthorization,
}

/// What an exchanged authorization code gives us, ready to store.
#[derive(Debug, Clone)]
pub struct AuthorizationWrite<'a> {
    pub authorizer_appid: &'a str,
    pub company_id: i64,
    pub func_info_json: &'a str,
    pub refresh_token_sealed: &'a [u8],
    pub access_token_sealed: &'a [u8],
    pub access_token_expires_at: i64,
    pub code_hash: &'a str,
    pub invite_id: Option<i64>,
    pub now: i64,
}

/// How an authorization was stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthorizationStored {
    /// New, updated or revived under the requested company.
    Saved,
    /// The account belongs to another company: its tokens were saved (a refresh
    /// token is never dropped) but its company was left as it was.
    OwnedByAnotherCompany { company_id: i64 },
}

/// Public profile fields from `api_get_authorizer_info`.
#[derive(Debug, Clone, Default)]
pub struct AuthorizerProfile<'a> {
    pub nick_name: Option<&'a str>,
    pub head_img: Option<&'a str>,
    pub user_name: Option<&'a str>,
    pub principal_name: Option<&'a str>,
    pub alias: Option<&'a str>,
    pub qrcode_url: Option<&'a str>,
    pub service_type: Option<i64>,
    pub verify_type: Option<i64>,
    pub is_mini_program: bool,
    pub func_info_json: &'a str,
}

pub struct AuthorizerRepo<'a> {
    pool: &'a Pool,
}

const COLUMNS: &str = "id, authorizer_appid, company_id, status, nick_name, head_img, user_name, \
     principal_name, alias, qrcode_url, service_type, verify_type, is_mini_program, func_info, \
     refresh_token_sealed, access_token_sealed, access_token_expires_at, refreshed_at, last_error, \
     authorized_at, revoked_at, updated_at, failures, next_attempt_at";

impl<'a> AuthorizerRepo<'a> {
    pub(crate) fn new(pool: &'a Pool) -> Self {
        Self { pool }
    }

    /// The authorizer an authorization code was already exchanged for, if any.
    pub async fn code_used(&self, code_hash: &str) -> Result<Option<String>, StoreError> {
        with_pool!(self.pool, |pool| {
            Ok(sqlx::query_scalar::<_, String>(
                "SELECT authorizer_appid FROM authorization_codes WHERE code_hash = $1",
            )
            .bind(code_hash)
            .fetch_optional(pool)
            .await?)
        })
    }

    /// Stores an exchanged authorization in one transaction: the code as used,
    /// and the tokens with the authorizer (inserted, updated or revived).
    pub async fn save_authorization(
        &self,
        w: AuthorizationWrite<'_>,
    ) -> Result<AuthorizationStored, StoreError> {
        with_pool!(self.pool, |pool| {
            let mut tx = pool.begin().await?;
            sqlx::query(
                "INSERT INTO authorization_codes (code_hash, authorizer_appid, invite_id, used_at) \
             VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
            )
            .bind(w.code_hash)
            .bind(w.authorizer_appid)
            .bind(w.invite_id)
            .bind(w.now)
            .execute(&mut *tx)
            .await?;
            let owner: Option<(i64, AuthorizerStatus)> = sqlx::query_as(
                "SELECT company_id, status FROM authorizers WHERE authorizer_appid = $1",
            )
            .bind(w.authorizer_appid)
            .fetch_optional(&mut *tx)
            .await?;
            let stored = match owner {
                Some((company_id, _)) if company_id != w.company_id => {
                    sqlx::query(
                    "UPDATE authorizers SET refresh_token_sealed = $2, access_token_sealed = $3, \
                         access_token_expires_at = $4, refreshed_at = $5, updated_at = $5 \
                     WHERE authorizer_appid = $1",
                )
                .bind(w.authorizer_appid)
                .bind(w.refresh_token_sealed)
                .bind(w.access_token_sealed)
                .bind(w.access_token_expires_at)
                .bind(w.now)
                .execute(&mut *tx)
                .await?;
                    history::history_append!(
                        &mut *tx,
                        w.authorizer_appid,
                        HistoryKind::AuthorizedThroughAnotherCompany,
                        Some(&w.company_id.to_string()),
                        w.now,
                    );
                    AuthorizationStored::OwnedByAnotherCompany { company_id }
                }
                _ => {
                    sqlx::query(
                    "INSERT INTO authorizers (authorizer_appid, company_id, status, func_info, \
                         refresh_token_sealed, access_token_sealed, access_token_expires_at, refreshed_at, \
                         authorized_at, updated_at) \
                     VALUES ($1, $2, 'active', $3, $4, $5, $6, $7, $7, $7) \
                     ON CONFLICT (authorizer_appid) DO UPDATE SET \
                         status = 'active', func_info = excluded.func_info, \
                         refresh_token_sealed = excluded.refresh_token_sealed, \
                         access_token_sealed = excluded.access_token_sealed, \
                         access_token_expires_at = excluded.access_token_expires_at, \
                         refreshed_at = excluded.refreshed_at, last_error = NULL, \
                         failures = 0, next_attempt_at = NULL, \
                         authorized_at = CASE WHEN authorizers.status = 'active' \
                             THEN authorizers.authorized_at ELSE excluded.authorized_at END, \
                         revoked_at = NULL, updated_at = excluded.updated_at",
                )
                .bind(w.authorizer_appid)
                .bind(w.company_id)
                .bind(w.func_info_json)
                .bind(w.refresh_token_sealed)
                .bind(w.access_token_sealed)
                .bind(w.access_token_expires_at)
                .bind(w.now)
                .execute(&mut *tx)
                .await?;
                    let kind = match owner {
                        None => HistoryKind::Authorized,
                        Some((_, AuthorizerStatus::Active)) => HistoryKind::Updated,
                        Some(_) => HistoryKind::Reauthorized,
                    };
                    history::history_append!(&mut *tx, w.authorizer_appid, kind, None, w.now);
                    AuthorizationStored::Saved
                }
            };
            tx.commit().await?;
            Ok(stored)
        })
    }

    /// Stores the public profile from `api_get_authorizer_info`.
    pub async fn save_profile(
        &self,
        appid: &str,
        p: AuthorizerProfile<'_>,
        now: i64,
    ) -> Result<(), StoreError> {
        with_pool!(self.pool, |pool| {
            sqlx::query(
            "UPDATE authorizers SET nick_name = $2, head_img = $3, user_name = $4, principal_name = $5, \
                 alias = $6, qrcode_url = $7, service_type = $8, verify_type = $9, is_mini_program = $10, \
                 func_info = $11, updated_at = $12 \
             WHERE authorizer_appid = $1",
        )
        .bind(appid)
        .bind(p.nick_name)
        .bind(p.head_img)
        .bind(p.user_name)
        .bind(p.principal_name)
        .bind(p.alias)
        .bind(p.qrcode_url)
        .bind(p.service_type)
        .bind(p.verify_type)
        .bind(p.is_mini_program)
        .bind(p.func_info_json)
        .bind(now)
        .execute(pool)
        .await?;
            Ok(())
        })
    }

    pub async fn by_appid(&self, appid: &str) -> Result<Option<AuthorizerRow>, StoreError> {
        with_pool!(self.pool, |pool| {
            Ok(sqlx::query_as::<_, AuthorizerRow>(&format!(
                "SELECT {COLUMNS} FROM authorizers WHERE authorizer_appid = $1"
            ))
            .bind(appid)
            .fetch_optional(pool)
            .await?)
        })
    }

    /// The appid of the account whose original id (`gh_…`) is `user_name`
    /// (pushes at the message URL name the account so).
    pub async fn appid_by_user_name(&self, user_name: &str) -> Result<Option<String>, StoreError> {
        with_pool!(self.pool, |pool| {
            Ok(sqlx::query_scalar::<_, String>(
                "SELECT authorizer_appid FROM authorizers WHERE user_name = $1 \
                 ORDER BY authorized_at DESC LIMIT 1",
            )
            .bind(user_name)
            .fetch_optional(pool)
            .await?)
        })
    }

    /// A company's authorizers, most recently authorized first.
    pub async fn for_company(&self, company_id: i64) -> Result<Vec<AuthorizerRow>, StoreError> {
        with_pool!(self.pool, |pool| {
            Ok(sqlx::query_as::<_, AuthorizerRow>(&format!(
            "SELECT {COLUMNS} FROM authorizers WHERE company_id = $1 ORDER BY authorized_at DESC, id DESC"
        ))
        .bind(company_id)
        .fetch_all(pool)
        .await?)
        })
    }

    /// Moves an authorizer from one company to another; `false` when it is
    /// not (any more) `from`'s.
    pub async fn move_to(
        &self,
        appid: &str,
        from: i64,
        to: i64,
        now: i64,
    ) -> Result<bool, StoreError> {
        with_pool!(self.pool, |pool| {
            let done = sqlx::query(
                "UPDATE authorizers SET company_id = $3, updated_at = $4 \
             WHERE authorizer_appid = $1 AND company_id = $2",
            )
            .bind(appid)
            .bind(from)
            .bind(to)
            .bind(now)
            .execute(pool)
            .await?;
            Ok(done.rows_affected() == 1)
        })
    }

    /// A revoked authorizer that WeChat lists as authorized again (reconcile):
    /// active again, authorized as of `at`; `false` when it was not revoked.
    pub async fn revive(&self, appid: &str, at: i64) -> Result<bool, StoreError> {
        with_pool!(self.pool, |pool| {
            let mut tx = pool.begin().await?;
            let done = sqlx::query(
                "UPDATE authorizers SET status = 'active', revoked_at = NULL, authorized_at = $2, \
                 failures = 0, next_attempt_at = NULL, last_error = NULL, updated_at = $2 \
             WHERE authorizer_appid = $1 AND status = 'revoked'",
            )
            .bind(appid)
            .bind(at)
            .execute(&mut *tx)
            .await?;
            let revived = done.rows_affected() == 1;
            if revived {
                history::history_append!(&mut *tx, appid, HistoryKind::Revived, None, at);
            }
            tx.commit().await?;
            Ok(revived)
        })
    }

    /// Marks an authorizer revoked (it stays, with its history); `why` is
    /// [`HistoryKind::Unauthorized`] or [`HistoryKind::NoLongerListed`].
    /// `false` when it was revoked already.
    pub async fn mark_revoked(
        &self,
        appid: &str,
        at: i64,
        why: HistoryKind,
    ) -> Result<bool, StoreError> {
        with_pool!(self.pool, |pool| {
            let mut tx = pool.begin().await?;
            let done = sqlx::query(
                "UPDATE authorizers SET status = 'revoked', revoked_at = $2, updated_at = $2 \
             WHERE authorizer_appid = $1 AND status != 'revoked'",
            )
            .bind(appid)
            .bind(at)
            .execute(&mut *tx)
            .await?;
            let revoked = done.rows_affected() == 1;
            if revoked {
                history::history_append!(&mut *tx, appid, why, None, at);
            }
            tx.commit().await?;
            Ok(revoked)
        })
    }
}

#[cfg(test)]
mod tests;
