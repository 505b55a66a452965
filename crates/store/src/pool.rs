//! Opening the database: URL parsing, SQLite pragmas, and migrations at
//! start-up; and [`Pool`], the one connection pool of either backend that
//! every repository runs its SQL on (one SQL text for both, `$N` placeholders).

use std::str::FromStr;
use std::time::Duration;

use sqlx::SqlitePool;
use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

use crate::{
    AdminRepo, ApiKeyRepo, AuditRepo, AuthCodeClaimRepo, AuthorizerHistoryRepo,
    AuthorizerRefreshRepo, AuthorizerRepo, CompanyRepo, ComponentRepo, DeliveryRepo,
    InstallationRepo, InviteRepo, MessageRepo, MessageWriter, OverviewRepo, PreAuthCodeRepo,
    PushEventRepo, PushWriter, ReleaseCheckRepo, SessionRepo, StoreError, UnassignedRepo,
    WebhookEndpointRepo,
};

/// Migrations are compiled into the binary, so a deployed server never needs the source tree.
static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
/// PostgreSQL's own: sqlx runs them under an advisory lock, so instances
/// starting together do not race.
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// The pool of the backend the URL chose.
#[derive(Clone, Debug)]
pub(crate) enum Pool {
    Sqlite(SqlitePool, WriteGate),
    Postgres(PgPool),
}

/// SQLite has one writer at a time; a second waits in SQLite's busy handler,
/// which sleeps 1, 2, 5, 10… ms between tries. The busy writers (the push and
/// message writers, the delivery queue's claims and results) take turns here
/// instead, in order and without sleeping.
#[derive(Clone, Debug, Default)]
pub(crate) struct WriteGate(std::sync::Arc<tokio::sync::Mutex<()>>);

impl Pool {
    /// This writer's turn at SQLite's write lock (hold it across the
    /// transaction); PostgreSQL's writers do not need one.
    pub(crate) async fn write_turn(&self) -> Option<tokio::sync::OwnedMutexGuard<()>> {
        match self {
            Pool::Sqlite(_, gate) => Some(gate.0.clone().lock_owned().await),
            Pool::Postgres(_) => None,
        }
    }
}

/// Runs `$body` with `$pool` bound to the backend's own pool: the body is
/// compiled once per backend, with the same SQL text and row types.
macro_rules! with_pool {
    ($pool:expr, |$p:ident| $body:block) => {
        match $pool {
            $crate::pool::Pool::Sqlite($p, _) => $body,
            $crate::pool::Pool::Postgres($p) => $body,
        }
    };
}
pub(crate) use with_pool;

/// Bytes of the database file SQLite reads through a memory map: 256 MiB.
const MMAP_SIZE: &str = "268435456";

/// Pages (4 KiB) of WAL after which a commit checkpoints by itself: 64 MiB.
const WAL_AUTOCHECKPOINT_PAGES: &str = "16384";

/// A handle on the database; cheap to clone (it is a pool).
#[derive(Clone, Debug)]
pub struct Store {
    pub(crate) pool: Pool,
    push_writer: PushWriter,
    message_writer: MessageWriter,
}

impl Store {
    /// Opens (creating if missing) the database at `url`, and applies pending migrations.
    /// A failed migration is an error: the application must not start half-migrated.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        let pool = if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Pool::Postgres(connect_postgres(url).await?)
        } else if url.starts_with("sqlite:") {
            Pool::Sqlite(connect_sqlite(url).await?, WriteGate::default())
        } else {
            // sqlx would take any other string for a file name; refuse it instead.
            return Err(StoreError::InvalidUrl(
                "use a sqlite:// or postgres:// URL".into(),
            ));
        };
        let push_writer = PushWriter::spawn(pool.clone());
        let message_writer = MessageWriter::spawn(pool.clone());
        Ok(Self {
            pool,
            push_writer,
            message_writer,
        })
    }

    /// Opens a SQLite database read-only, without migrating it: the source
    /// of `server db copy`, left exactly as it was. It must be at this
    /// version's schema (`server migrate` brings an older one there).
    pub async fn open_sqlite_read_only(url: &str) -> Result<Self, StoreError> {
        if !url.starts_with("sqlite:") {
            return Err(StoreError::InvalidUrl(
                "the source must be a sqlite:// URL".into(),
            ));
        }
        let options = SqliteConnectOptions::from_str(url)
            .map_err(|e| StoreError::InvalidUrl(e.to_string()))?
            .read_only(true);
        let pool = SqlitePoolOptions::new()
            .max_connections(2)
            .connect_with(options)
            .await?;
        let applied: Option<i64> =
            sqlx::query_scalar("SELECT MAX(version) FROM _sqlx_migrations WHERE success")
                .fetch_one(&pool)
                .await?;
        let latest = SQLITE_MIGRATIONS.iter().map(|m| m.version).max();
        if applied != latest {
            return Err(StoreError::InvalidUrl(format!(
                "the source database is at migration {applied:?}, this version at {latest:?}: \
                 run `server migrate` on it first"
            )));
        }
        let pool = Pool::Sqlite(pool, WriteGate::default());
        let push_writer = PushWriter::spawn(pool.clone());
        let message_writer = MessageWriter::spawn(pool.clone());
        Ok(Self {
            pool,
            push_writer,
            message_writer,
        })
    }

    /// Which backend this store runs on.
    pub fn is_postgres(&self) -> bool {
        matches!(self.pool, Pool::Postgres(_))
    }

    /// Answers whether the database responds to a trivial query.
    pub async fn ping(&self) -> Result<(), StoreError> {
        with_pool!(&self.pool, |pool| {
            sqlx::query("SELECT 1").execute(pool).await?;
        });
        Ok(())
    }
    /// Companies: the merchants the platform serves.
    pub fn companies(&self) -> CompanyRepo<'_> {
        CompanyRepo::new(&self.pool)
    }

    /// The component's ticket and token.
    pub fn component(&self) -> ComponentRepo<'_> {
        ComponentRepo::new(&self.pool)
    }

    /// The pool itself, for tests of crate-internal writers.
    #[cfg(test)]
    pub(crate) fn pool(&self) -> &Pool {
        &self.pool
    }

    /// Records pushes with group commit (see `PushWriter`).
    pub fn push_writer(&self) -> &PushWriter {
        &self.push_writer
    }

    /// Records messages with group commit (see `MessageWriter`).
    pub fn message_writer(&self) -> &MessageWriter {
        &self.message_writer
    }

    /// Pushes received at the message URL.
    pub fn messages(&self) -> MessageRepo<'_> {
        MessageRepo::new(&self.pool)
    }

    /// The operator's webhook endpoints.
    pub fn webhook_endpoints(&self) -> WebhookEndpointRepo<'_> {
        WebhookEndpointRepo::new(&self.pool)
    }

    /// The delivery queue and its log.
    pub fn deliveries(&self) -> DeliveryRepo<'_> {
        DeliveryRepo::new(&self.pool)
    }

    /// WeChat's release-check test accounts and the steps answered.
    pub fn release_check(&self) -> ReleaseCheckRepo<'_> {
        ReleaseCheckRepo::new(&self.pool)
    }

    /// Pushes received at the authorization event URL.
    pub fn push_events(&self) -> PushEventRepo<'_> {
        PushEventRepo::new(&self.pool)
    }

    /// Onboarding invites.
    pub fn overview(&self) -> OverviewRepo<'_> {
        OverviewRepo::new(&self.pool)
    }

    pub fn pre_auth_codes(&self) -> PreAuthCodeRepo<'_> {
        PreAuthCodeRepo::new(&self.pool)
    }

    pub fn invites(&self) -> InviteRepo<'_> {
        InviteRepo::new(&self.pool)
    }

    /// Authorized accounts and the codes exchanged for them.
    pub fn authorizers(&self) -> AuthorizerRepo<'_> {
        AuthorizerRepo::new(&self.pool)
    }

    /// What happened to each account, for its timeline.
    pub fn authorizer_history(&self) -> AuthorizerHistoryRepo<'_> {
        AuthorizerHistoryRepo::new(&self.pool)
    }

    /// The claims instances take on auth_codes while exchanging them.
    pub fn auth_code_claims(&self) -> AuthCodeClaimRepo<'_> {
        AuthCodeClaimRepo::new(&self.pool)
    }

    /// Requests to create mini programs for merchants (fast registration).
    pub fn fast_registrations(&self) -> crate::FastRegistrationRepo<'_> {
        crate::FastRegistrationRepo::new(&self.pool)
    }

    /// Accounts reconcile found at WeChat that no invite brought in.
    pub fn unassigned(&self) -> UnassignedRepo<'_> {
        UnassignedRepo::new(&self.pool)
    }

    /// Refresh bookkeeping of authorizer tokens.
    pub fn authorizer_refresh(&self) -> AuthorizerRefreshRepo<'_> {
        AuthorizerRefreshRepo::new(&self.pool)
    }

    /// API keys of the token service's consumers.
    pub fn api_keys(&self) -> ApiKeyRepo<'_> {
        ApiKeyRepo::new(&self.pool)
    }

    /// Admins of the dashboard.
    pub fn admins(&self) -> AdminRepo<'_> {
        AdminRepo::new(&self.pool)
    }

    /// Signed-in admins' sessions.
    pub fn admin_sessions(&self) -> SessionRepo<'_> {
        SessionRepo::new(&self.pool)
    }

    /// The audit log and the failed sign-ins that count towards a limit.
    pub fn audit(&self) -> AuditRepo<'_> {
        AuditRepo::new(&self.pool)
    }

    /// The record tying this database to one component.
    pub fn installation(&self) -> InstallationRepo<'_> {
        InstallationRepo::new(&self.pool)
    }

    /// Closes every connection; used at shutdown so WAL is checkpointed.
    pub async fn close(&self) {
        with_pool!(&self.pool, |pool| {
            pool.close().await;
        });
    }
}

/// SQLite: WAL, NORMAL sync, foreign keys, and its migrations.
async fn connect_sqlite(url: &str) -> Result<SqlitePool, StoreError> {
    let options = SqliteConnectOptions::from_str(url)
        .map_err(|e| StoreError::InvalidUrl(e.to_string()))?
        .create_if_missing(true)
        // WAL lets readers proceed during writes; NORMAL is durable across
        // application crashes with WAL (only an OS crash can lose the last commit).
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(5))
        // The push writer checkpoints beside the commits (push_writer.rs);
        // SQLite's default (1,000 pages) would checkpoint inside a commit.
        // The high threshold stays as a bound on the WAL should that stop.
        .pragma("wal_autocheckpoint", WAL_AUTOCHECKPOINT_PAGES)
        // Reads through a memory map instead of a read() per page: the
        // delivery queue and the dashboards read much of a large file.
        .pragma("mmap_size", MMAP_SIZE);
    if let Some(parent) = options.get_filename().parent()
        && !parent.as_os_str().is_empty()
    {
        std::fs::create_dir_all(parent).map_err(|e| StoreError::Database(e.into()))?;
    }
    let pool = SqlitePoolOptions::new()
        .max_connections(8)
        .connect_with(options)
        .await?;
    SQLITE_MIGRATIONS.run(&pool).await?;
    Ok(pool)
}

/// Creates the empty database `name` (letters, digits and `_`) in the
/// PostgreSQL cluster that `cluster_url` (an admin's URL) reaches, and returns
/// the new database's URL: tests and benchmarks start from nothing this way.
pub async fn create_postgres_database(cluster_url: &str, name: &str) -> Result<String, StoreError> {
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Err(StoreError::InvalidUrl(format!(
            "not a database name: {name}"
        )));
    }
    let pool = PgPool::connect(cluster_url).await?;
    let created = sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&pool)
        .await;
    pool.close().await;
    created?;
    let base = cluster_url
        .rsplit_once('/')
        .map_or(cluster_url, |(base, _)| base);
    Ok(format!("{base}/{name}"))
}

/// Connections per PostgreSQL pool, unless `WEIQIAO_DATABASE_MAX_CONNECTIONS` says otherwise.
const POSTGRES_MAX_CONNECTIONS: u32 = 16;

/// PostgreSQL: a pool, and its migrations (under sqlx's advisory lock).
async fn connect_postgres(url: &str) -> Result<PgPool, StoreError> {
    let max = std::env::var("WEIQIAO_DATABASE_MAX_CONNECTIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(POSTGRES_MAX_CONNECTIONS);
    let pool = PgPoolOptions::new()
        .max_connections(max)
        .acquire_timeout(Duration::from_secs(10))
        .connect(url)
        .await?;
    POSTGRES_MIGRATIONS.run(&pool).await?;
    Ok(pool)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn connect_creates_the_file_and_its_directory_and_migrates() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nested/weiqiao.db");
        let store = Store::connect(&format!("sqlite://{}", path.display()))
            .await
            .unwrap();
        store.ping().await.unwrap();
        assert!(path.exists());
        assert!(store.companies().list().await.unwrap().is_empty());
    }

    #[tokio::test]
    async fn connecting_twice_to_the_same_file_does_not_reapply_migrations() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("w.db").display());
        Store::connect(&url).await.unwrap().close().await;
        Store::connect(&url).await.unwrap().ping().await.unwrap();
    }

    #[tokio::test]
    async fn a_malformed_url_is_an_invalid_url_error() {
        let err = Store::connect("mysql://localhost/weiqiao")
            .await
            .unwrap_err();
        assert!(matches!(err, StoreError::InvalidUrl(_)), "{err:?}");
    }
}
