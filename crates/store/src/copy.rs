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
pub const TABLES: [&str; 28] = [
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
    "messages",
    "webhook_endpoints",
    "deliveries",
    "delivery_attempts",
    "release_check_accounts",
    "release_check_steps",
    "fast_registrations",
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
        let (Pool::Sqlite(from, _), Pool::Postgres(to)) = (&self.pool, &target.pool) else {
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
mod tests;
