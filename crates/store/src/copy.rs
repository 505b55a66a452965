//! Moving an installation from SQLite to PostgreSQL (`server db copy`):
//! every row of every table, in an order the foreign keys accept, with
//! sealed secrets copied as the bytes they are (never opened). The target
//! must be empty; the source is only read. Counts are compared at the end.

use sqlx::{Column as _, Row as _, TypeInfo as _};

use crate::Store;
use crate::StoreError;
use crate::pool::Pool;

/// Every table, parents before children. The two counter tables are left
/// out: the target's triggers fill them from the rows copied.
pub const TABLES: [&str; 21] = [
    "companies",
    "admins",
    "installation",
    "component_tickets",
    "component_tokens",
    "invites",
    "authorizers",
    "authorization_codes",
    "authorizer_history",
    "unassigned_authorizers",
    "pre_auth_codes",
    "push_events",
    "admin_sessions",
    "sign_in_failures",
    "audit_log",
    "api_keys",
    "api_key_companies",
    "api_key_reads",
    "auth_code_claims",
    "authorizer_status_counts",
    "push_minutes",
];

/// Tables kept by triggers on the target: compared, not copied.
const DERIVED: [&str; 2] = ["authorizer_status_counts", "push_minutes"];

/// Rows per INSERT on the target.
const CHUNK: usize = 500;

/// What a copy moved: (table, rows) in copy order.
pub type CopyReport = Vec<(&'static str, i64)>;

/// Why a copy did not happen or did not verify.
#[derive(Debug, thiserror::Error)]
pub enum CopyError {
    #[error("copy from a sqlite:// database to a postgres:// one")]
    WrongDirection,
    #[error("the target database is not empty ({table} has rows): nothing was copied")]
    TargetNotEmpty { table: &'static str },
    #[error("{table}: {source_rows} rows in the source, {target_rows} in the target")]
    CountsDiffer {
        table: &'static str,
        source_rows: i64,
        target_rows: i64,
    },
    #[error(transparent)]
    Storage(#[from] StoreError),
}

impl From<sqlx::Error> for CopyError {
    fn from(err: sqlx::Error) -> Self {
        Self::Storage(StoreError::Database(err))
    }
}

/// A value read from SQLite, bound on PostgreSQL as the target column's type.
enum Value {
    Int(Option<i64>),
    Bool(Option<bool>),
    Text(Option<String>),
    Bytes(Option<Vec<u8>>),
}

impl Store {
    /// Copies every row of this (SQLite) store into `target` (PostgreSQL,
    /// migrated and empty), then compares the counts of every table.
    pub async fn copy_to(&self, target: &Store) -> Result<CopyReport, CopyError> {
        let (Pool::Sqlite(from), Pool::Postgres(to)) = (&self.pool, &target.pool) else {
            return Err(CopyError::WrongDirection);
        };
        for table in TABLES {
            if count(&target.pool, table).await? > 0 {
                return Err(CopyError::TargetNotEmpty { table });
            }
        }
        let mut tx = to.begin().await?;
        for table in TABLES.iter().filter(|t| !DERIVED.contains(t)) {
            // The target column types decide how each value is bound.
            let types: Vec<(String, String)> = sqlx::query_as(
                "SELECT column_name::text, data_type::text FROM information_schema.columns \
                 WHERE table_schema = 'public' AND table_name = $1 ORDER BY ordinal_position",
            )
            .bind(table)
            .fetch_all(&mut *tx)
            .await?;
            let columns: Vec<&str> = types.iter().map(|(c, _)| c.as_str()).collect();
            let rows = sqlx::query(&format!("SELECT {} FROM {table}", columns.join(", ")))
                .fetch_all(from)
                .await?;
            for chunk in rows.chunks(CHUNK) {
                let mut insert = sqlx::QueryBuilder::new(format!(
                    "INSERT INTO {table} ({}) ",
                    columns.join(", ")
                ));
                let mut values = Vec::with_capacity(chunk.len());
                for row in chunk {
                    let mut row_values = Vec::with_capacity(types.len());
                    for (i, (_, data_type)) in types.iter().enumerate() {
                        row_values.push(read(row, i, data_type)?);
                    }
                    values.push(row_values);
                }
                insert.push_values(values, |mut b, row| {
                    for value in row {
                        match value {
                            Value::Int(v) => b.push_bind(v),
                            Value::Bool(v) => b.push_bind(v),
                            Value::Text(v) => b.push_bind(v),
                            Value::Bytes(v) => b.push_bind(v),
                        };
                    }
                });
                insert.build().execute(&mut *tx).await?;
            }
            // Identity columns continue after the copied ids.
            if columns.contains(&"id") && *table != "installation" {
                sqlx::query(&format!(
                    "SELECT setval(pg_get_serial_sequence('{table}', 'id'), \
                     COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)"
                ))
                .execute(&mut *tx)
                .await?;
            }
        }
        tx.commit().await?;

        let mut report = Vec::new();
        for table in TABLES {
            let (source_rows, target_rows) = (
                count(&self.pool, table).await?,
                count(&target.pool, table).await?,
            );
            if source_rows != target_rows {
                return Err(CopyError::CountsDiffer {
                    table,
                    source_rows,
                    target_rows,
                });
            }
            report.push((table, target_rows));
        }
        Ok(report)
    }
}

/// Column `i` of a SQLite row, as the PostgreSQL column's `data_type` wants it.
fn read(row: &sqlx::sqlite::SqliteRow, i: usize, data_type: &str) -> Result<Value, sqlx::Error> {
    Ok(match data_type {
        "bigint" | "integer" | "smallint" => Value::Int(row.try_get(i)?),
        // SQLite keeps flags as 0/1.
        "boolean" => Value::Bool(row.try_get::<Option<i64>, _>(i)?.map(|v| v != 0)),
        "bytea" => Value::Bytes(row.try_get(i)?),
        "text" | "character varying" => Value::Text(row.try_get(i)?),
        other => {
            return Err(sqlx::Error::ColumnDecode {
                index: format!(
                    "{} ({})",
                    row.column(i).name(),
                    row.column(i).type_info().name()
                ),
                source: format!("no copy rule for PostgreSQL type {other}").into(),
            });
        }
    })
}

async fn count(pool: &Pool, table: &str) -> Result<i64, StoreError> {
    let sql = format!("SELECT COUNT(*) FROM {table}");
    crate::pool::with_pool!(pool, |pool| {
        Ok(sqlx::query_scalar::<_, i64>(&sql).fetch_one(pool).await?)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{AuthorizationWrite, NewCompany, PushRecord, testing};

    /// A SQLite store with a row or more in the tables that matter.
    async fn source(dir: &std::path::Path) -> (String, Store) {
        let url = format!("sqlite://{}", testing::sqlite_path(dir).display());
        let store = Store::connect(&url).await.unwrap();
        let company = store
            .companies()
            .insert(NewCompany {
                name: "迁移公司",
                created_at: time::OffsetDateTime::UNIX_EPOCH,
            })
            .await
            .unwrap()
            .id;
        store.admins().insert("alice", "hash", 1).await.unwrap();
        store
            .authorizers()
            .save_authorization(AuthorizationWrite {
                authorizer_appid: "wxcopy0000000001",
                company_id: company,
                func_info_json: "[1]",
                refresh_token_sealed: b"\x00sealed-refresh\xff",
                access_token_sealed: b"\x01sealed-access",
                access_token_expires_at: 7200,
                code_hash: "code",
                invite_id: None,
                now: 1,
            })
            .await
            .unwrap();
        store
            .push_writer()
            .record(PushRecord {
                dedup_key: "k".into(),
                info_type: "authorized".into(),
                authorizer_appid: Some("wxcopy0000000001".into()),
                create_time: Some(1),
                received_at: 120,
                payload_sealed: b"\x02payload".to_vec(),
                ticket: None,
            })
            .await
            .unwrap();
        (url, store)
    }

    #[tokio::test]
    async fn every_row_moves_sealed_bytes_stay_sealed_and_the_source_is_untouched() {
        if !testing::on_postgres() {
            // Needs the PostgreSQL pass of `cargo xtask test` for its target.
            return;
        }
        let dir = tempfile::tempdir().unwrap();
        let (url, written) = source(dir.path()).await;
        written.close().await;
        let before = std::fs::read(testing::sqlite_path(dir.path())).unwrap();
        let from = Store::open_sqlite_read_only(&url).await.unwrap();
        let (_target_dir, to) = testing::store().await;

        // Every table of the schema is in the copy's list.
        let Pool::Postgres(pg) = &to.pool else {
            unreachable!("the PostgreSQL pass")
        };
        let mut tables: Vec<String> = sqlx::query_scalar(
            "SELECT table_name::text FROM information_schema.tables \
             WHERE table_schema = 'public' AND table_name != '_sqlx_migrations'",
        )
        .fetch_all(pg)
        .await
        .unwrap();
        tables.sort();
        let mut listed: Vec<&str> = TABLES.to_vec();
        listed.sort_unstable();
        assert_eq!(tables, listed);

        let report = from.copy_to(&to).await.unwrap();
        let rows = |table: &str| report.iter().find(|(t, _)| *t == table).unwrap().1;
        assert_eq!(
            (
                rows("companies"),
                rows("authorizers"),
                rows("push_events"),
                rows("admins")
            ),
            (1, 1, 1, 1)
        );
        assert_eq!(rows("authorizer_history"), 1, "the Authorized entry");
        assert_eq!(
            rows("push_minutes"),
            1,
            "counted again by the target's trigger"
        );
        let copied = to
            .authorizers()
            .by_appid("wxcopy0000000001")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            copied.refresh_token_sealed.as_deref(),
            Some(&b"\x00sealed-refresh\xff"[..])
        );
        assert!(!copied.is_mini_program);
        assert_eq!(to.overview().accounts_by_status().await.unwrap().len(), 1);
        // New rows continue after the copied ids.
        let next = to
            .companies()
            .insert(NewCompany {
                name: "新公司",
                created_at: time::OffsetDateTime::UNIX_EPOCH,
            })
            .await
            .unwrap();
        assert!(next.id > copied.company_id);
        // A second copy finds the target not empty, and copies nothing.
        assert!(matches!(
            from.copy_to(&to).await,
            Err(CopyError::TargetNotEmpty { .. })
        ));
        from.close().await;
        assert_eq!(
            std::fs::read(testing::sqlite_path(dir.path())).unwrap(),
            before
        );
    }

    #[tokio::test]
    async fn only_sqlite_to_postgresql_and_only_at_this_schema() {
        let dir = tempfile::tempdir().unwrap();
        let (url, store) = source(dir.path()).await;
        let other = tempfile::tempdir().unwrap();
        let (_, sqlite_target) = source(other.path()).await;
        assert!(matches!(
            store.copy_to(&sqlite_target).await,
            Err(CopyError::WrongDirection)
        ));
        assert!(
            Store::open_sqlite_read_only("postgres://x/y")
                .await
                .is_err()
        );
        assert!(Store::open_sqlite_read_only(&url).await.is_ok());
        assert_eq!(TABLES.len(), 21);
    }
}
