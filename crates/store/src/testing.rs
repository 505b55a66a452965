//! A fresh database per test, for this crate's tests and the upper crates'
//! (feature `testing`): a SQLite file in the test's temporary directory, or,
//! when `WEIQIAO_TEST_BACKEND=postgres` (set by `cargo xtask test` for its
//! PostgreSQL pass), a new database in the throwaway cluster at
//! `WEIQIAO_TEST_POSTGRES_URL`. The same tests run on both.

use crate::Store;

/// Whether this test run's databases are PostgreSQL's.
pub fn on_postgres() -> bool {
    std::env::var("WEIQIAO_TEST_BACKEND").as_deref() == Ok("postgres")
}

/// A migrated store; keep the directory alive for the test.
pub async fn store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = database_url(dir.path()).await;
    let store = Store::connect(&url).await.expect("store");
    (dir, store)
}

/// Where a test's SQLite database lives in its directory.
pub fn sqlite_path(dir: &std::path::Path) -> std::path::PathBuf {
    dir.join("weiqiao.db")
}

/// The URL of a new, empty database for one test.
pub async fn database_url(dir: &std::path::Path) -> String {
    if !on_postgres() {
        return format!("sqlite://{}", sqlite_path(dir).display());
    }
    let admin = std::env::var("WEIQIAO_TEST_POSTGRES_URL")
        .expect("WEIQIAO_TEST_POSTGRES_URL: run the PostgreSQL pass through `cargo xtask test`");
    let name = format!(
        "t_{}",
        dir.file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("x")
            .to_ascii_lowercase()
            .replace(|c: char| !c.is_ascii_alphanumeric(), "_")
    );
    crate::create_postgres_database(&admin, &name)
        .await
        .expect("a database for the test")
}

/// A company named `name` in `store`; its id.
pub async fn company(store: &Store, name: &str) -> i64 {
    store
        .companies()
        .insert(crate::NewCompany {
            name,
            created_at: time::OffsetDateTime::UNIX_EPOCH,
        })
        .await
        .expect("a company")
        .id
}
