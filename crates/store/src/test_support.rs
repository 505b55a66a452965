//! A fresh database per repository test: a SQLite file in a temporary
//! directory, or, when `WEIQIAO_TEST_BACKEND=postgres` (set by `cargo xtask
//! test` for its PostgreSQL pass), a new database in the throwaway cluster at
//! `WEIQIAO_TEST_POSTGRES_URL`. The same tests run on both.

use crate::Store;

/// A migrated store; keep the directory alive for the test.
pub(crate) async fn store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = database_url(&dir).await;
    let store = Store::connect(&url).await.expect("store");
    (dir, store)
}

/// The URL of a new, empty database for one test.
pub(crate) async fn database_url(dir: &tempfile::TempDir) -> String {
    if std::env::var("WEIQIAO_TEST_BACKEND").as_deref() != Ok("postgres") {
        return format!("sqlite://{}", dir.path().join("t.db").display());
    }
    let admin = std::env::var("WEIQIAO_TEST_POSTGRES_URL")
        .expect("WEIQIAO_TEST_POSTGRES_URL: run the PostgreSQL pass through `cargo xtask test`");
    let name = format!(
        "t_{}",
        dir.path()
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("x")
            .to_ascii_lowercase()
            .replace(|c: char| !c.is_ascii_alphanumeric(), "_")
    );
    let pool = sqlx::PgPool::connect(&admin)
        .await
        .expect("the test cluster");
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&pool)
        .await
        .expect("a database for the test");
    pool.close().await;
    let base = admin
        .rsplit_once('/')
        .map_or(admin.as_str(), |(base, _)| base);
    format!("{base}/{name}")
}
