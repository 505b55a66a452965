//! `webhook_endpoints`: where an operator's backends receive messages.

use crate::StoreError;
use crate::pool::{Pool, with_pool};

/// Whether an endpoint receives deliveries, stored as its snake_case name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, sqlx::Type)]
#[sqlx(type_name = "TEXT", rename_all = "snake_case")]
pub enum EndpointState {
    Active,
    /// Receives nothing new; what is queued for it waits (a replay resumes it).
    Disabled,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct WebhookEndpointRow {
    pub id: i64,
    pub company_id: Option<i64>,
    pub url: String,
    pub secret_sealed: Vec<u8>,
    /// JSON arrays; `None` accepts everything.
    pub appids: Option<String>,
    pub msg_types: Option<String>,
    pub events: Option<String>,
    pub synchronous: bool,
    pub reply_budget_ms: i64,
    pub max_in_flight: i64,
    pub state: EndpointState,
    pub created_at: i64,
    pub updated_at: i64,
}

/// A new endpoint.
#[derive(Debug, Clone)]
pub struct NewEndpoint<'a> {
    pub company_id: Option<i64>,
    pub url: &'a str,
    pub secret_sealed: &'a [u8],
    pub appids: Option<&'a str>,
    pub msg_types: Option<&'a str>,
    pub events: Option<&'a str>,
    pub synchronous: bool,
    pub reply_budget_ms: i64,
    pub max_in_flight: i64,
    pub now: i64,
}

const COLUMNS: &str = "id, company_id, url, secret_sealed, appids, msg_types, events, \
                       synchronous, reply_budget_ms, max_in_flight, state, created_at, updated_at";

pub struct WebhookEndpointRepo<'a> {
    pool: &'a Pool,
}

impl<'a> WebhookEndpointRepo<'a> {
    pub(crate) fn new(pool: &'a Pool) -> Self {
        Self { pool }
    }

    pub async fn insert(&self, new: NewEndpoint<'_>) -> Result<WebhookEndpointRow, StoreError> {
        let sql = format!(
            "INSERT INTO webhook_endpoints (company_id, url, secret_sealed, appids, msg_types, \
             events, synchronous, reply_budget_ms, max_in_flight, state, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'active', $10, $10) RETURNING {COLUMNS}"
        );
        with_pool!(self.pool, |pool| {
            Ok(sqlx::query_as::<_, WebhookEndpointRow>(&sql)
                .bind(new.company_id)
                .bind(new.url)
                .bind(new.secret_sealed)
                .bind(new.appids)
                .bind(new.msg_types)
                .bind(new.events)
                .bind(new.synchronous)
                .bind(new.reply_budget_ms)
                .bind(new.max_in_flight)
                .bind(new.now)
                .fetch_one(pool)
                .await?)
        })
    }

    pub async fn by_id(&self, id: i64) -> Result<Option<WebhookEndpointRow>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM webhook_endpoints WHERE id = $1");
        with_pool!(self.pool, |pool| {
            Ok(sqlx::query_as::<_, WebhookEndpointRow>(&sql)
                .bind(id)
                .fetch_optional(pool)
                .await?)
        })
    }

    /// Every endpoint, oldest first.
    pub async fn all(&self) -> Result<Vec<WebhookEndpointRow>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM webhook_endpoints ORDER BY id");
        with_pool!(self.pool, |pool| {
            Ok(sqlx::query_as::<_, WebhookEndpointRow>(&sql)
                .fetch_all(pool)
                .await?)
        })
    }

    /// Turns an endpoint on or off; whether it exists.
    pub async fn set_state(
        &self,
        id: i64,
        state: EndpointState,
        now: i64,
    ) -> Result<bool, StoreError> {
        with_pool!(self.pool, |pool| {
            let done = sqlx::query(
                "UPDATE webhook_endpoints SET state = $2, updated_at = $3 WHERE id = $1",
            )
            .bind(id)
            .bind(state)
            .bind(now)
            .execute(pool)
            .await?;
            Ok(done.rows_affected() == 1)
        })
    }

    /// Deletes an endpoint and its deliveries; whether it existed.
    pub async fn delete(&self, id: i64) -> Result<bool, StoreError> {
        with_pool!(self.pool, |pool| {
            let done = sqlx::query("DELETE FROM webhook_endpoints WHERE id = $1")
                .bind(id)
                .execute(pool)
                .await?;
            Ok(done.rows_affected() == 1)
        })
    }
}
