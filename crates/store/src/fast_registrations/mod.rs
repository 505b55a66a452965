//! `fast_registrations`: every request to create a mini program for a
//! merchant (快速注册企业小程序), with WeChat's answer, and the result
//! pushes that matched none. At most one request per entity code is pending
//! (a partial unique index), so a second is refused before calling WeChat.

use crate::StoreError;
use crate::pool::{Pool, with_pool};

/// Where a request stands, stored as its snake_case name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, sqlx::Type)]
#[sqlx(type_name = "TEXT", rename_all = "snake_case")]
pub enum FastRegistrationState {
    /// WeChat accepted it; the legal representative has 24 h to confirm.
    Pending,
    /// WeChat refused the create call (`wechat_code` is its errcode), or
    /// never answered it.
    Refused,
    /// The mini program exists and is authorized (`authorizer_appid`).
    Registered,
    /// The result push said no (`wechat_code` is its status).
    Failed,
    /// No result within 24 h and the grace after.
    Expired,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct FastRegistrationRow {
    pub id: i64,
    /// `None`: a result push that matched no request.
    pub company_id: Option<i64>,
    pub company_name: Option<String>,
    pub invite_id: Option<i64>,
    pub started_by: Option<String>,
    pub name: String,
    pub code: String,
    pub code_type: i64,
    pub legal_persona_wechat: String,
    pub legal_persona_name: String,
    pub component_phone: Option<String>,
    pub state: FastRegistrationState,
    pub wechat_code: Option<i64>,
    pub wechat_msg: Option<String>,
    pub authorizer_appid: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

/// The entity as the request (or a push's `info`) names it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RegistrationEntity {
    pub name: String,
    pub code: String,
    pub code_type: i64,
    pub legal_persona_wechat: String,
    pub legal_persona_name: String,
    pub component_phone: Option<String>,
}

/// A request about to be sent to WeChat.
#[derive(Debug, Clone)]
pub struct NewFastRegistration<'a> {
    pub company_id: i64,
    pub invite_id: Option<i64>,
    pub started_by: Option<&'a str>,
    pub entity: &'a RegistrationEntity,
    pub now: i64,
}

/// A result push that matched no request.
#[derive(Debug, Clone)]
pub struct UnmatchedResult<'a> {
    pub entity: &'a RegistrationEntity,
    pub state: FastRegistrationState,
    pub status: i64,
    pub msg: Option<&'a str>,
    pub authorizer_appid: Option<&'a str>,
    pub now: i64,
}

/// Every column of a new row.
struct Insert<'a> {
    company_id: Option<i64>,
    invite_id: Option<i64>,
    started_by: Option<&'a str>,
    entity: &'a RegistrationEntity,
    state: FastRegistrationState,
    wechat_code: Option<i64>,
    wechat_msg: Option<&'a str>,
    authorizer_appid: Option<&'a str>,
    now: i64,
}

const SELECT: &str = "SELECT f.id, f.company_id, c.name AS company_name, f.invite_id, f.started_by, \
     f.name, f.code, f.code_type, f.legal_persona_wechat, f.legal_persona_name, f.component_phone, \
     f.state, f.wechat_code, f.wechat_msg, f.authorizer_appid, f.created_at, f.updated_at \
     FROM fast_registrations f LEFT JOIN companies c ON c.id = f.company_id";

pub struct FastRegistrationRepo<'a> {
    pool: &'a Pool,
}

impl<'a> FastRegistrationRepo<'a> {
    pub(crate) fn new(pool: &'a Pool) -> Self {
        Self { pool }
    }

    /// Stores a request as pending, before WeChat is called.
    /// [`StoreError::Conflict`] when the entity's code already has one pending.
    pub async fn insert_pending(&self, new: NewFastRegistration<'_>) -> Result<i64, StoreError> {
        let row = Insert {
            company_id: Some(new.company_id),
            invite_id: new.invite_id,
            started_by: new.started_by,
            entity: new.entity,
            state: FastRegistrationState::Pending,
            wechat_code: None,
            wechat_msg: None,
            authorizer_appid: None,
            now: new.now,
        };
        self.insert(row).await.map_err(|err| match err {
            StoreError::Database(err) => StoreError::from_write(err, "pending fast registration"),
            other => other,
        })
    }

    /// Ends a request with WeChat's answer: `registered` (with its appid),
    /// `refused` / `failed` (with the code and message), or `expired`.
    /// `false` when the request is already in that state with that result
    /// (a duplicate push).
    pub async fn finish(
        &self,
        id: i64,
        state: FastRegistrationState,
        wechat_code: Option<i64>,
        wechat_msg: Option<&str>,
        authorizer_appid: Option<&str>,
        now: i64,
    ) -> Result<bool, StoreError> {
        with_pool!(self.pool, |pool| {
            let done = sqlx::query(
                "UPDATE fast_registrations SET state = $2, wechat_code = $3, wechat_msg = $4, \
                 authorizer_appid = COALESCE($5, authorizer_appid), updated_at = $6 \
                 WHERE id = $1 AND NOT (state = $2 AND wechat_code IS NOT DISTINCT FROM $3 \
                 AND authorizer_appid IS NOT DISTINCT FROM COALESCE($5, authorizer_appid))",
            )
            .bind(id)
            .bind(state)
            .bind(wechat_code)
            .bind(wechat_msg)
            .bind(authorizer_appid)
            .bind(now)
            .execute(pool)
            .await?;
            Ok(done.rows_affected() == 1)
        })
    }

    /// Keeps a result push that matched no request, for the admins.
    pub async fn insert_unmatched(&self, result: UnmatchedResult<'_>) -> Result<i64, StoreError> {
        self.insert(Insert {
            company_id: None,
            invite_id: None,
            started_by: None,
            entity: result.entity,
            state: result.state,
            wechat_code: Some(result.status),
            wechat_msg: result.msg,
            authorizer_appid: result.authorizer_appid,
            now: result.now,
        })
        .await
    }

    async fn insert(&self, row: Insert<'_>) -> Result<i64, StoreError> {
        let e = row.entity;
        with_pool!(self.pool, |pool| {
            Ok(sqlx::query_scalar::<_, i64>(
                "INSERT INTO fast_registrations (company_id, invite_id, started_by, name, code, \
                 code_type, legal_persona_wechat, legal_persona_name, component_phone, state, \
                 wechat_code, wechat_msg, authorizer_appid, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14) \
                 RETURNING id",
            )
            .bind(row.company_id)
            .bind(row.invite_id)
            .bind(row.started_by)
            .bind(&e.name)
            .bind(&e.code)
            .bind(e.code_type)
            .bind(&e.legal_persona_wechat)
            .bind(&e.legal_persona_name)
            .bind(e.component_phone.as_deref())
            .bind(row.state)
            .bind(row.wechat_code)
            .bind(row.wechat_msg)
            .bind(row.authorizer_appid)
            .bind(row.now)
            .fetch_one(pool)
            .await?)
        })
    }

    pub async fn by_id(&self, id: i64) -> Result<Option<FastRegistrationRow>, StoreError> {
        with_pool!(self.pool, |pool| {
            Ok(
                sqlx::query_as::<_, FastRegistrationRow>(&format!("{SELECT} WHERE f.id = $1"))
                    .bind(id)
                    .fetch_optional(pool)
                    .await?,
            )
        })
    }

    /// The request a result push is about: the entity's fields the push
    /// carries must match (a failure push may carry the name alone). A
    /// pending request wins; otherwise the newest that matched (one that
    /// expired, or whose create answer was lost, still gets its result).
    pub async fn matching(
        &self,
        name: &str,
        code: Option<&str>,
        legal_persona_wechat: Option<&str>,
        legal_persona_name: Option<&str>,
    ) -> Result<Option<FastRegistrationRow>, StoreError> {
        with_pool!(self.pool, |pool| {
            Ok(sqlx::query_as::<_, FastRegistrationRow>(&format!(
                "{SELECT} WHERE f.company_id IS NOT NULL AND f.name = $1 \
                 AND ($2 IS NULL OR f.code = $2) \
                 AND ($3 IS NULL OR f.legal_persona_wechat = $3) \
                 AND ($4 IS NULL OR f.legal_persona_name = $4) \
                 ORDER BY CASE WHEN f.state = 'pending' THEN 0 ELSE 1 END, f.id DESC LIMIT 1"
            ))
            .bind(name)
            .bind(code)
            .bind(legal_persona_wechat)
            .bind(legal_persona_name)
            .fetch_optional(pool)
            .await?)
        })
    }

    /// A company's requests, newest first.
    pub async fn for_company(
        &self,
        company_id: i64,
    ) -> Result<Vec<FastRegistrationRow>, StoreError> {
        self.list("WHERE f.company_id = $1", company_id, 200).await
    }

    /// An invite's requests, newest first.
    pub async fn for_invite(&self, invite_id: i64) -> Result<Vec<FastRegistrationRow>, StoreError> {
        self.list("WHERE f.invite_id = $1", invite_id, 50).await
    }

    /// Every request and unmatched result, newest first.
    pub async fn recent(&self, limit: i64) -> Result<Vec<FastRegistrationRow>, StoreError> {
        self.list("WHERE $1 = $1", 0, limit).await
    }

    /// The request that created the mini program `appid`.
    pub async fn for_authorizer(
        &self,
        appid: &str,
    ) -> Result<Option<FastRegistrationRow>, StoreError> {
        with_pool!(self.pool, |pool| {
            Ok(sqlx::query_as::<_, FastRegistrationRow>(&format!(
                "{SELECT} WHERE f.authorizer_appid = $1 ORDER BY f.id DESC LIMIT 1"
            ))
            .bind(appid)
            .fetch_optional(pool)
            .await?)
        })
    }

    async fn list(
        &self,
        filter: &str,
        value: i64,
        limit: i64,
    ) -> Result<Vec<FastRegistrationRow>, StoreError> {
        with_pool!(self.pool, |pool| {
            Ok(sqlx::query_as::<_, FastRegistrationRow>(&format!(
                "{SELECT} {filter} ORDER BY f.id DESC LIMIT $2"
            ))
            .bind(value)
            .bind(limit)
            .fetch_all(pool)
            .await?)
        })
    }

    /// Requests an invite made since `since` (the merchant's rate limit).
    pub async fn count_for_invite_since(
        &self,
        invite_id: i64,
        since: i64,
    ) -> Result<i64, StoreError> {
        with_pool!(self.pool, |pool| {
            Ok(sqlx::query_scalar(
                "SELECT COUNT(*) FROM fast_registrations WHERE invite_id = $1 AND created_at >= $2",
            )
            .bind(invite_id)
            .bind(since)
            .fetch_one(pool)
            .await?)
        })
    }

    /// Pending requests created before `before` become expired; returns how many.
    pub async fn expire_pending(&self, before: i64, now: i64) -> Result<u64, StoreError> {
        with_pool!(self.pool, |pool| {
            let done = sqlx::query(
                "UPDATE fast_registrations SET state = 'expired', updated_at = $2 \
                 WHERE state = 'pending' AND created_at < $1",
            )
            .bind(before)
            .bind(now)
            .execute(pool)
            .await?;
            Ok(done.rows_affected())
        })
    }
}

#[cfg(test)]
mod tests;
