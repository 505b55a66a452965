//! The component's own credentials: the newest ticket and the component token.
//! Values arrive sealed (see `platform::vault`); this module never sees plaintext.

use crate::StoreError;
use crate::pool::{Pool, with_pool};

/// The stored ticket.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct TicketRow {
    pub ticket_sealed: Vec<u8>,
    pub create_time: i64,
    pub received_at: i64,
}

/// What keeps the component token from being fresh, stored as its snake_case name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, sqlx::Type)]
#[sqlx(type_name = "TEXT", rename_all = "snake_case")]
pub enum ComponentTokenProblem {
    /// No usable component_verify_ticket: nothing to refresh with yet.
    WaitingForTicket,
    /// WeChat refused or did not answer the last refresh (`last_error` says how).
    RefreshFailed,
    /// 61004: WeChat refuses calls from this server's IP (`last_error` names it).
    IpNotWhitelisted,
    /// 45009: the daily quota is used up; refreshing waits for midnight China time.
    QuotaExhausted,
}

/// The stored component token and its health.
#[derive(Debug, Clone, PartialEq, Eq, Default, sqlx::FromRow)]
pub struct ComponentTokenRow {
    pub token_sealed: Option<Vec<u8>>,
    pub expires_at: Option<i64>,
    pub refreshed_at: Option<i64>,
    pub problem: Option<ComponentTokenProblem>,
    pub last_error: Option<String>,
    pub last_error_at: Option<i64>,
    pub lease_holder: Option<String>,
    pub lease_until: Option<i64>,
}

/// Stores `ticket` unless a ticket with a later `create_time` is stored, on
/// `$conn` (a `&mut` connection of either backend, inside a transaction or
/// not: a macro, so one text serves both). Evaluates to whether it was stored.
macro_rules! save_ticket_in {
    ($conn:expr, $component_appid:expr, $ticket_sealed:expr, $create_time:expr, $received_at:expr $(,)?) => {{
        let done = sqlx::query(
            "INSERT INTO component_tickets (component_appid, ticket_sealed, create_time, received_at) \
             VALUES ($1, $2, $3, $4) \
             ON CONFLICT (component_appid) DO UPDATE SET \
                 ticket_sealed = excluded.ticket_sealed, \
                 create_time = excluded.create_time, \
                 received_at = excluded.received_at \
             WHERE excluded.create_time >= component_tickets.create_time",
        )
        .bind($component_appid)
        .bind($ticket_sealed)
        .bind($create_time)
        .bind($received_at)
        .execute($conn)
        .await?;
        done.rows_affected() == 1
    }};
}
pub(crate) use save_ticket_in;

/// Queries on `component_tickets` and `component_tokens`.
pub struct ComponentRepo<'a> {
    pool: &'a Pool,
}

impl<'a> ComponentRepo<'a> {
    pub(crate) fn new(pool: &'a Pool) -> Self {
        Self { pool }
    }

    /// Stores `ticket` unless a ticket with a later `create_time` is already
    /// stored (pushes can arrive out of order). Returns whether it was stored.
    pub async fn save_ticket(
        &self,
        component_appid: &str,
        ticket_sealed: &[u8],
        create_time: i64,
        received_at: i64,
    ) -> Result<bool, StoreError> {
        with_pool!(self.pool, |pool| {
            let mut conn = pool.acquire().await?;
            Ok(save_ticket_in!(
                &mut *conn,
                component_appid,
                ticket_sealed,
                create_time,
                received_at
            ))
        })
    }

    pub async fn ticket(&self, component_appid: &str) -> Result<Option<TicketRow>, StoreError> {
        with_pool!(self.pool, |pool| {
            Ok(sqlx::query_as::<_, TicketRow>(
                "SELECT ticket_sealed, create_time, received_at FROM component_tickets \
             WHERE component_appid = $1",
            )
            .bind(component_appid)
            .fetch_optional(pool)
            .await?)
        })
    }

    pub async fn token(
        &self,
        component_appid: &str,
    ) -> Result<Option<ComponentTokenRow>, StoreError> {
        with_pool!(self.pool, |pool| {
            Ok(sqlx::query_as::<_, ComponentTokenRow>(
            "SELECT token_sealed, expires_at, refreshed_at, problem, last_error, last_error_at, \
                    lease_holder, lease_until \
             FROM component_tokens WHERE component_appid = $1",
        )
        .bind(component_appid)
        .fetch_optional(pool)
        .await?)
        })
    }

    /// Takes the refresh lease if it is free, expired, or already ours, and only
    /// if the token still expires at `observed_expires_at` (what the caller saw
    /// when it decided to refresh; `None` for no token): a refresh finished by
    /// another instance meanwhile makes this one step back.
    /// The lease lives in the database so that several instances (and a
    /// crashed holder, once `lease_until` passes) agree on who refreshes.
    pub async fn try_lease(
        &self,
        component_appid: &str,
        holder: &str,
        now: i64,
        until: i64,
        observed_expires_at: Option<i64>,
    ) -> Result<bool, StoreError> {
        with_pool!(self.pool, |pool| {
            sqlx::query(
                "INSERT INTO component_tokens (component_appid) VALUES ($1) ON CONFLICT DO NOTHING",
            )
            .bind(component_appid)
            .execute(pool)
            .await?;
            let done = sqlx::query(
            "UPDATE component_tokens SET lease_holder = $2, lease_until = $4 \
             WHERE component_appid = $1 AND expires_at IS NOT DISTINCT FROM $5 \
               AND (lease_holder IS NULL OR lease_until IS NULL OR lease_until < $3 OR lease_holder = $2)",
        )
        .bind(component_appid)
        .bind(holder)
        .bind(now)
        .bind(until)
        .bind(observed_expires_at)
        .execute(pool)
        .await?;
            Ok(done.rows_affected() == 1)
        })
    }

    /// Stores a fresh token, clears the error and releases `holder`'s lease.
    pub async fn save_token(
        &self,
        component_appid: &str,
        holder: &str,
        token_sealed: &[u8],
        expires_at: i64,
        refreshed_at: i64,
    ) -> Result<(), StoreError> {
        with_pool!(self.pool, |pool| {
            sqlx::query(
            "UPDATE component_tokens SET token_sealed = $3, expires_at = $4, refreshed_at = $5, \
                 problem = NULL, last_error = NULL, last_error_at = NULL, \
                 lease_holder = CASE WHEN lease_holder = $2 THEN NULL ELSE lease_holder END, \
                 lease_until = CASE WHEN lease_holder = $2 THEN NULL ELSE lease_until END \
             WHERE component_appid = $1",
        )
        .bind(component_appid)
        .bind(holder)
        .bind(token_sealed)
        .bind(expires_at)
        .bind(refreshed_at)
        .execute(pool)
        .await?;
            Ok(())
        })
    }

    /// Records why the last refresh failed (the problem, and a message for
    /// operators) and releases `holder`'s lease.
    pub async fn record_error(
        &self,
        component_appid: &str,
        holder: &str,
        problem: ComponentTokenProblem,
        error: &str,
        at: i64,
    ) -> Result<(), StoreError> {
        with_pool!(self.pool, |pool| {
            sqlx::query(
                "INSERT INTO component_tokens (component_appid) VALUES ($1) ON CONFLICT DO NOTHING",
            )
            .bind(component_appid)
            .execute(pool)
            .await?;
            sqlx::query(
                "UPDATE component_tokens SET last_error = $3, last_error_at = $4, problem = $5, \
                 lease_holder = CASE WHEN lease_holder = $2 THEN NULL ELSE lease_holder END, \
                 lease_until = CASE WHEN lease_holder = $2 THEN NULL ELSE lease_until END \
             WHERE component_appid = $1",
            )
            .bind(component_appid)
            .bind(holder)
            .bind(error)
            .bind(at)
            .bind(problem)
            .execute(pool)
            .await?;
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::ComponentTokenProblem;
    use crate::Store;

    async fn store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let url = crate::testing::database_url(dir.path()).await;
        (dir, Store::connect(&url).await.unwrap())
    }

    #[tokio::test]
    async fn the_newest_ticket_wins_even_when_an_older_one_arrives_later() {
        let (_dir, store) = store().await;
        let repo = store.component();
        assert!(repo.save_ticket("wxc", b"new", 200, 1000).await.unwrap());
        assert!(!repo.save_ticket("wxc", b"old", 100, 1001).await.unwrap());
        let ticket = repo.ticket("wxc").await.unwrap().unwrap();
        assert_eq!(
            (ticket.ticket_sealed.as_slice(), ticket.create_time),
            (&b"new"[..], 200)
        );
        assert_eq!(repo.ticket("other").await.unwrap(), None);
    }

    #[tokio::test]
    async fn only_one_holder_gets_the_lease_until_it_expires_or_is_released() {
        let (_dir, store) = store().await;
        let repo = store.component();
        assert!(repo.try_lease("wxc", "a", 100, 130, None).await.unwrap());
        assert!(!repo.try_lease("wxc", "b", 110, 140, None).await.unwrap());
        assert!(
            repo.try_lease("wxc", "b", 131, 160, None).await.unwrap(),
            "an expired lease is free"
        );
        repo.save_token("wxc", "b", b"sealed", 7300, 131)
            .await
            .unwrap();
        assert!(
            repo.try_lease("wxc", "a", 132, 160, Some(7300))
                .await
                .unwrap(),
            "released on save"
        );
        let row = repo.token("wxc").await.unwrap().unwrap();
        assert_eq!(row.expires_at, Some(7300));
        assert_eq!(row.lease_holder.as_deref(), Some("a"));
    }

    #[tokio::test]
    async fn an_error_is_recorded_and_cleared_by_the_next_success() {
        let (_dir, store) = store().await;
        let repo = store.component();
        repo.record_error(
            "wxc",
            "a",
            ComponentTokenProblem::WaitingForTicket,
            "no ticket yet",
            10,
        )
        .await
        .unwrap();
        let row = repo.token("wxc").await.unwrap().unwrap();
        assert_eq!(
            (row.problem, row.last_error.as_deref(), row.last_error_at),
            (
                Some(ComponentTokenProblem::WaitingForTicket),
                Some("no ticket yet"),
                Some(10)
            )
        );
        assert!(repo.try_lease("wxc", "a", 11, 40, None).await.unwrap());
        repo.save_token("wxc", "a", b"t", 100, 11).await.unwrap();
        let row = repo.token("wxc").await.unwrap().unwrap();
        assert_eq!((row.problem, row.last_error), (None, None));
    }
}
