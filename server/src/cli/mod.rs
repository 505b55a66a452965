//! Admin subcommands of the `server` binary: `server admin …` (in [`admin`]),
//! `server api-key create | list | revoke`, `server webhook …` (in
//! [`webhook`]) and `server reconcile`.
//! They open the configured database (`WEIQIAO_DATABASE_URL`, from the
//! environment or `.env`, as the server reads it), act, print and exit; a
//! running server sees a revoked key within `KEY_CACHE_TTL`.

pub mod admin;
mod db;
mod webhook;

pub use db::{DbCommand, db, db_copy};
pub use webhook::{WebhookCommand, webhook, webhook_with};

use std::process::ExitCode;

use clap::Subcommand;
use platform::api_keys::{ApiKeyError, ApiKeyInfo, ApiKeyService, KeyScope};
use platform::clock::Clock;
use store::Store;

use crate::config::DEFAULT_DATABASE_URL;

/// API keys of the operator's other backends (the token service at `/api/v1`).
#[derive(Debug, Subcommand)]
pub enum ApiKeyCommand {
    /// Creates a key and prints it once on stdout; only its hash is kept.
    Create {
        /// Who uses the key, e.g. `billing`.
        #[arg(long)]
        name: String,
        /// The key reads this company's accounts (repeat for several).
        #[arg(long = "company", value_name = "ID", conflicts_with = "all_companies")]
        companies: Vec<i64>,
        /// The key reads every company's accounts.
        #[arg(long)]
        all_companies: bool,
        /// The key may also read the component token.
        #[arg(long)]
        component: bool,
        /// The key may also invalidate the tokens it reads (forcing a refresh).
        #[arg(long)]
        invalidate: bool,
        /// The key stops working after this many days (default: never).
        #[arg(long, value_name = "DAYS", value_parser = clap::value_parser!(u32).range(1..=3650))]
        expires_in_days: Option<u32>,
    },
    /// Lists every key with its scope and how many tokens it was handed.
    List,
    /// Revokes a key by id; a running server refuses it within seconds.
    Revoke {
        /// The key's id, as `api-key list` shows it.
        id: i64,
    },
}

/// Runs one `api-key` subcommand on the configured database.
pub async fn api_key(command: ApiKeyCommand) -> ExitCode {
    api_key_on(&database_url(), command).await
}

/// Runs one `api-key` subcommand on the database at `url`.
pub async fn api_key_on(url: &str, command: ApiKeyCommand) -> ExitCode {
    let store = match Store::connect(url).await {
        Ok(store) => store,
        Err(err) => {
            eprintln!("weiqiao: cannot open the database: {err}");
            return ExitCode::FAILURE;
        }
    };
    let keys = ApiKeyService::new(store.clone(), Clock::default());
    let result = run(&keys, command).await;
    store.close().await;
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("weiqiao: {err}");
            ExitCode::FAILURE
        }
    }
}

async fn run(keys: &ApiKeyService, command: ApiKeyCommand) -> Result<(), ApiKeyError> {
    match command {
        ApiKeyCommand::Create {
            name,
            companies,
            all_companies,
            component,
            invalidate,
            expires_in_days,
        } => {
            let reach = KeyScope {
                all_companies,
                company_ids: companies,
                component,
                invalidate,
            };
            let expires_at =
                expires_in_days.map(|days| keys.clock().now() + i64::from(days) * 86_400);
            let created = keys.create(&name, &reach, expires_at).await?;
            // The key alone on stdout, so `KEY=$(server api-key create …)` works;
            // the rest goes to stderr.
            eprintln!(
                "API key {} created for {:?} ({}). It is shown only now: store it safely.",
                created.info.id,
                created.info.name,
                scope(&created.info)
            );
            println!("{}", created.key.expose());
        }
        ApiKeyCommand::List => {
            println!(
                "{:>4}  {:<20}  {:<12}  {:<10}  {:>8}  {:<12}  scope",
                "id", "name", "prefix", "status", "issued", "last used"
            );
            for key in keys.list().await? {
                println!(
                    "{:>4}  {:<20}  {:<12}  {:<10}  {:>8}  {:<12}  {}",
                    key.id,
                    key.name,
                    key.prefix,
                    if key.revoked_at.is_some() {
                        "revoked"
                    } else if key.expires_at.is_some_and(|at| at <= keys.clock().now()) {
                        "expired"
                    } else {
                        "active"
                    },
                    key.issued_count,
                    key.last_used_at.map_or("never".into(), |t| t.to_string()),
                    scope(&key)
                );
            }
        }
        ApiKeyCommand::Revoke { id } => {
            keys.revoke(id).await?;
            println!("API key {id} revoked.");
        }
    }
    Ok(())
}

fn scope(key: &ApiKeyInfo) -> String {
    let companies = if key.scope.all_companies {
        "all companies".to_owned()
    } else {
        let ids: Vec<String> = key.scope.company_ids.iter().map(i64::to_string).collect();
        format!("companies {}", ids.join(", "))
    };
    let mut scope = companies;
    if key.scope.component {
        scope.push_str(" + component token");
    }
    if key.scope.invalidate {
        scope.push_str(" + invalidate");
    }
    if let Some(at) = key.expires_at {
        scope.push_str(&format!(", expires {at}"));
    }
    scope
}

/// `server migrate`: applies the pending migrations of the database at `url`.
pub async fn migrate_on(url: &str) -> ExitCode {
    match store::Store::connect(url).await {
        Ok(store) => {
            let backend = if store.is_postgres() {
                "PostgreSQL"
            } else {
                "SQLite"
            };
            store.close().await;
            println!("{backend} database migrated");
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("weiqiao: migrating failed: {err}");
            ExitCode::FAILURE
        }
    }
}

/// `WEIQIAO_DATABASE_URL` from the environment, else `.env`, else the default.
pub fn database_url() -> String {
    if let Ok(url) = std::env::var("WEIQIAO_DATABASE_URL") {
        return url;
    }
    dotenvy::dotenv_iter()
        .ok()
        .and_then(|iter| {
            iter.filter_map(Result::ok)
                .find(|(key, _)| key == "WEIQIAO_DATABASE_URL")
                .map(|(_, value)| value)
        })
        .unwrap_or_else(|| DEFAULT_DATABASE_URL.to_owned())
}

/// `server reconcile`: compares the authorizers with WeChat's list
/// (`api_get_authorizer_list`), repairs drift and prints what it did.
pub async fn reconcile() -> ExitCode {
    match crate::config::Config::from_env() {
        Ok(config) => reconcile_with(config).await,
        Err(err) => {
            eprintln!("weiqiao: configuration error: {err}");
            ExitCode::from(2)
        }
    }
}

/// [`reconcile`] with a given configuration.
pub async fn reconcile_with(config: crate::config::Config) -> ExitCode {
    let platform = match crate::startup::admin_platform(config).await {
        Ok(platform) => platform,
        Err(err) => {
            eprintln!("weiqiao: {err:#}");
            return ExitCode::FAILURE;
        }
    };
    let outcome = platform.authorizer_tokens().reconcile().await;
    platform.close().await;
    match outcome {
        Ok(report) => {
            println!("refresh tokens recovered: {}", list(&report.recovered));
            println!(
                "revoked (no longer listed by WeChat): {}",
                list(&report.revoked)
            );
            println!(
                "revived (revoked here, authorized at WeChat): {}",
                list(&report.revived)
            );
            println!(
                "authorized at WeChat but unknown here (send their company an invite): {}",
                list(&report.unknown)
            );
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("weiqiao: reconcile failed: {err}");
            ExitCode::FAILURE
        }
    }
}

fn list(appids: &[String]) -> String {
    if appids.is_empty() {
        "none".to_owned()
    } else {
        appids.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn migrate_applies_every_migration_to_a_new_database_and_is_idempotent() {
        let dir = tempfile::tempdir().unwrap();
        let url = store::testing::database_url(dir.path()).await;
        assert_eq!(migrate_on(&url).await, ExitCode::SUCCESS);
        assert_eq!(migrate_on(&url).await, ExitCode::SUCCESS);
        let store = store::Store::connect(&url).await.unwrap();
        assert!(store.unassigned().list().await.unwrap().is_empty());
        assert_eq!(migrate_on("mysql://nowhere").await, ExitCode::FAILURE);
    }

    #[tokio::test]
    async fn db_copy_moves_a_sqlite_installation_into_an_empty_postgresql_database_once() {
        let from_dir = tempfile::tempdir().unwrap();
        let from = format!(
            "sqlite://{}",
            store::testing::sqlite_path(from_dir.path()).display()
        );
        assert_eq!(migrate_on(&from).await, ExitCode::SUCCESS);
        let source = store::Store::connect(&from).await.unwrap();
        source.admins().insert("alice", "hash", 1).await.unwrap();
        source.close().await;
        // Refused before anything is opened: the target must be PostgreSQL.
        assert_eq!(db_copy(&from, &from).await, ExitCode::from(2));
        if !store::testing::on_postgres() {
            return; // the PostgreSQL pass copies for real
        }
        let to_dir = tempfile::tempdir().unwrap();
        let to = store::testing::database_url(to_dir.path()).await;
        assert_eq!(db_copy(&from, &to).await, ExitCode::SUCCESS);
        let target = store::Store::connect(&to).await.unwrap();
        assert!(target.admins().by_login("ALICE").await.unwrap().is_some());
        assert_eq!(
            db_copy(&from, &to).await,
            ExitCode::FAILURE,
            "the target is not empty now"
        );
    }

    #[tokio::test]
    async fn keys_are_created_listed_and_revoked_by_the_subcommands() {
        let dir = tempfile::tempdir().unwrap();
        let url = store::testing::database_url(dir.path()).await;
        let create = ApiKeyCommand::Create {
            name: "billing".into(),
            companies: vec![],
            all_companies: true,
            component: true,
            invalidate: true,
            expires_in_days: Some(30),
        };
        assert_eq!(api_key_on(&url, create).await, ExitCode::SUCCESS);
        assert_eq!(
            api_key_on(&url, ApiKeyCommand::List).await,
            ExitCode::SUCCESS
        );
        assert_eq!(
            api_key_on(&url, ApiKeyCommand::Revoke { id: 1 }).await,
            ExitCode::SUCCESS
        );
        assert_eq!(
            api_key_on(&url, ApiKeyCommand::Revoke { id: 1 }).await,
            ExitCode::FAILURE,
            "a key is revoked once"
        );
        let unknown_company = ApiKeyCommand::Create {
            name: "crm".into(),
            companies: vec![42],
            all_companies: false,
            component: false,
            invalidate: false,
            expires_in_days: None,
        };
        assert_eq!(api_key_on(&url, unknown_company).await, ExitCode::FAILURE);
        let no_scope = ApiKeyCommand::Create {
            name: "crm".into(),
            companies: vec![],
            all_companies: false,
            component: true,
            invalidate: false,
            expires_in_days: None,
        };
        assert_eq!(
            api_key_on(&url, no_scope).await,
            ExitCode::FAILURE,
            "a scope must be chosen"
        );
    }
}
