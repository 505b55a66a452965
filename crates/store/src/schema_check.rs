//! The two backends' migrations describe one schema: the same tables with
//! the same columns, and the same nullability. Runs in the PostgreSQL pass
//! of `cargo xtask test`, where both backends are at hand.

use std::collections::BTreeSet;

use crate::pool::Pool;
use crate::testing;

/// (table, column, nullable) of every table the migrations made.
type Columns = BTreeSet<(String, String, bool)>;

async fn columns(pool: &Pool) -> Columns {
    let rows: Vec<(String, String, bool)> = match pool {
        Pool::Sqlite(p, _) => sqlx::query_as(
            "SELECT m.name, c.name, c.\"notnull\" = 0 AND c.pk = 0 \
             FROM sqlite_master m JOIN pragma_table_info(m.name) c \
             WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name != '_sqlx_migrations'",
        )
        .fetch_all(p)
        .await
        .unwrap(),
        Pool::Postgres(p) => sqlx::query_as(
            "SELECT table_name::text, column_name::text, is_nullable = 'YES' \
             FROM information_schema.columns \
             WHERE table_schema = 'public' AND table_name != '_sqlx_migrations'",
        )
        .fetch_all(p)
        .await
        .unwrap(),
    };
    rows.into_iter().collect()
}

#[tokio::test]
async fn sqlite_and_postgresql_migrations_make_the_same_tables_and_columns() {
    if !testing::on_postgres() {
        // The SQLite pass has no PostgreSQL to compare with; the PostgreSQL pass does.
        return;
    }
    let (_pg_dir, postgres) = testing::store().await;
    let sqlite_dir = tempfile::tempdir().unwrap();
    let sqlite = crate::Store::connect(&format!(
        "sqlite://{}",
        testing::sqlite_path(sqlite_dir.path()).display()
    ))
    .await
    .unwrap();
    assert!(postgres.is_postgres() && !sqlite.is_postgres());
    let (on_sqlite, on_postgres) = (columns(sqlite.pool()).await, columns(postgres.pool()).await);
    assert!(on_sqlite.len() > 100, "{on_sqlite:?}");
    let only_sqlite: Vec<_> = on_sqlite.difference(&on_postgres).collect();
    let only_postgres: Vec<_> = on_postgres.difference(&on_sqlite).collect();
    assert!(
        only_sqlite.is_empty() && only_postgres.is_empty(),
        "only in SQLite: {only_sqlite:?}\nonly in PostgreSQL: {only_postgres:?}"
    );
}
