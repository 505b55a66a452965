//! `server db …`: moving an installation between databases.

use std::process::ExitCode;

/// `server db …`.
#[derive(Debug, clap::Subcommand)]
pub enum DbCommand {
    /// Copies every row of a SQLite installation into an empty, migrated
    /// PostgreSQL database (sealed secrets stay sealed: the same
    /// WEIQIAO_SECRET_KEY opens them there) and compares the counts. The
    /// SQLite file is only read.
    Copy {
        /// The SQLite database, e.g. sqlite://data/weiqiao.db
        #[arg(long)]
        from: String,
        /// The PostgreSQL database, e.g. postgres://weiqiao@db/weiqiao
        #[arg(long)]
        to: String,
    },
}

/// Runs a `server db` subcommand.
pub async fn db(command: DbCommand) -> ExitCode {
    match command {
        DbCommand::Copy { from, to } => db_copy(&from, &to).await,
    }
}

/// `server db copy`: prints a line per table and the total.
pub async fn db_copy(from: &str, to: &str) -> ExitCode {
    let source = match store::Store::open_sqlite_read_only(from).await {
        Ok(source) => source,
        Err(err) => {
            eprintln!("weiqiao: opening the source failed: {err}");
            return ExitCode::FAILURE;
        }
    };
    if !(to.starts_with("postgres:") || to.starts_with("postgresql:")) {
        eprintln!("weiqiao: the target must be a postgres:// URL");
        return ExitCode::from(2);
    }
    let target = match store::Store::connect(to).await {
        Ok(target) => target,
        Err(err) => {
            eprintln!("weiqiao: opening the target failed: {err}");
            return ExitCode::FAILURE;
        }
    };
    match source.copy_to(&target).await {
        Ok(report) => {
            for (table, rows) in &report {
                println!("{table:<26} {rows:>10}");
            }
            let total: i64 = report.iter().map(|(_, rows)| rows).sum();
            println!("copied and verified: {total} rows; {from} was only read");
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("weiqiao: copy failed: {err}");
            ExitCode::FAILURE
        }
    }
}
