//! `release_check_accounts` and `release_check_steps`: WeChat's 全网发布
//! test accounts, kept apart from every company, and what the responder did.

use crate::StoreError;
use crate::pool::{Pool, with_pool};

/// A step of a release check, stored as its snake_case name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, sqlx::Type)]
#[sqlx(type_name = "TEXT", rename_all = "snake_case")]
pub enum ReleaseCheckStep {
    /// The `authorized` push's code exchanged (授权).
    Authorized,
    /// The passive `TESTCOMPONENT_MSG_TYPE_TEXT_callback` (返回普通文本消息).
    TextReply,
    /// `<code>_from_api` through the customer-service API (返回Api文本消息).
    ApiReply,
    /// The passive `<Event>from_callback` (发送事件消息).
    EventReply,
    /// The `unauthorized` push (取消授权).
    Unauthorized,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ReleaseCheckStepRow {
    pub id: i64,
    pub authorizer_appid: String,
    pub at: i64,
    pub step: ReleaseCheckStep,
    pub ok: bool,
    pub detail: Option<String>,
}

pub struct ReleaseCheckRepo<'a> {
    pool: &'a Pool,
}

impl<'a> ReleaseCheckRepo<'a> {
    pub(crate) fn new(pool: &'a Pool) -> Self {
        Self { pool }
    }

    /// Stores (or replaces) a test account's tokens from an exchange.
    pub async fn authorized(
        &self,
        appid: &str,
        access_token_sealed: Option<&[u8]>,
        refresh_token_sealed: Option<&[u8]>,
        now: i64,
    ) -> Result<(), StoreError> {
        with_pool!(self.pool, |pool| {
            sqlx::query(
                "INSERT INTO release_check_accounts (authorizer_appid, access_token_sealed, \
                 refresh_token_sealed, authorized_at) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (authorizer_appid) DO UPDATE SET \
                 access_token_sealed = excluded.access_token_sealed, \
                 refresh_token_sealed = excluded.refresh_token_sealed, \
                 authorized_at = excluded.authorized_at, unauthorized_at = NULL",
            )
            .bind(appid)
            .bind(access_token_sealed)
            .bind(refresh_token_sealed)
            .bind(now)
            .execute(pool)
            .await?;
            Ok(())
        })
    }

    /// The sealed access token of the last exchange, while authorized.
    pub async fn access_token(&self, appid: &str) -> Result<Option<Vec<u8>>, StoreError> {
        with_pool!(self.pool, |pool| {
            Ok(sqlx::query_scalar::<_, Option<Vec<u8>>>(
                "SELECT access_token_sealed FROM release_check_accounts \
                 WHERE authorizer_appid = $1 AND unauthorized_at IS NULL",
            )
            .bind(appid)
            .fetch_optional(pool)
            .await?
            .flatten())
        })
    }

    /// The check ended for the account: its tokens are dead, forget them.
    pub async fn unauthorized(&self, appid: &str, now: i64) -> Result<bool, StoreError> {
        with_pool!(self.pool, |pool| {
            let done = sqlx::query(
                "UPDATE release_check_accounts SET unauthorized_at = $2, \
                 access_token_sealed = NULL, refresh_token_sealed = NULL \
                 WHERE authorizer_appid = $1",
            )
            .bind(appid)
            .bind(now)
            .execute(pool)
            .await?;
            Ok(done.rows_affected() == 1)
        })
    }

    pub async fn record_step(
        &self,
        appid: &str,
        step: ReleaseCheckStep,
        ok: bool,
        detail: Option<&str>,
        now: i64,
    ) -> Result<(), StoreError> {
        with_pool!(self.pool, |pool| {
            sqlx::query(
                "INSERT INTO release_check_steps (authorizer_appid, at, step, ok, detail) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(appid)
            .bind(now)
            .bind(step)
            .bind(ok)
            .bind(detail)
            .execute(pool)
            .await?;
            Ok(())
        })
    }

    /// The newest steps first.
    pub async fn recent_steps(&self, limit: i64) -> Result<Vec<ReleaseCheckStepRow>, StoreError> {
        with_pool!(self.pool, |pool| {
            Ok(sqlx::query_as::<_, ReleaseCheckStepRow>(
                "SELECT id, authorizer_appid, at, step, ok, detail FROM release_check_steps \
                 ORDER BY id DESC LIMIT $1",
            )
            .bind(limit)
            .fetch_all(pool)
            .await?)
        })
    }
}
