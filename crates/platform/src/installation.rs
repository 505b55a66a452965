//! The installation check at start: a database belongs to the component
//! (AppID), the mode (sandbox or real) and the master key it was created with.
//! Starting with other credentials would act on someone else's authorizers
//! (a staging copy pointed at production data could revoke real accounts), so
//! the server stops instead, unless the operator adopts the database on purpose.

use store::{Store, StoreError};

use crate::audit::{Actor, Audit, AuditAction};
use crate::clock::Clock;
use crate::vault::Vault;

/// What this process runs with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstallationFacts {
    pub component_appid: String,
    pub sandbox: bool,
}

/// Why the database refuses this process. Each message is one line that says what to do.
#[derive(Debug, thiserror::Error)]
pub enum InstallationError {
    #[error(
        "this database belongs to component AppID {recorded}, but WECHAT_COMPONENT_APPID is {configured}; \
         point WEIQIAO_DATABASE_URL at that platform's database, or set WEIQIAO_ADOPT_DATABASE=1 to adopt this one on purpose"
    )]
    OtherComponent {
        recorded: String,
        configured: String,
    },
    #[error(
        "this database holds a real platform's data (component AppID {recorded}); sandbox mode would hand it to the emulator. \
         Use another WEIQIAO_DATABASE_URL for the sandbox, or set WEIQIAO_ADOPT_DATABASE=1 to adopt it on purpose"
    )]
    SandboxOnRealData { recorded: String },
    #[error(
        "WEIQIAO_SECRET_KEY is not the key this database was created with, so none of its stored tokens can be read; \
         start with the original key"
    )]
    OtherKey,
    #[error(transparent)]
    Storage(#[from] StoreError),
}

/// The sealed value that proves the master key.
const KEY_CHECK_CONTEXT: &str = "installation_key_check";
const KEY_CHECK_PLAINTEXT: &str = "weiqiao";

/// Records the installation on first start; afterwards refuses a mismatch
/// unless `adopt`. The key cannot be adopted: sealed secrets need the old one.
pub(crate) async fn check(
    store: &Store,
    vault: &Vault,
    clock: &Clock,
    facts: &InstallationFacts,
    adopt: bool,
) -> Result<(), InstallationError> {
    let repo = store.installation();
    let key_check = hex::encode(vault.seal(KEY_CHECK_CONTEXT, KEY_CHECK_PLAINTEXT));
    let now = clock.now();
    if repo
        .insert(&facts.component_appid, facts.sandbox, &key_check, now)
        .await?
    {
        return Ok(());
    }
    let Some(recorded) = repo.get().await? else {
        return Ok(());
    };
    let key_matches = hex::decode(&recorded.key_check)
        .ok()
        .and_then(|sealed| vault.open(KEY_CHECK_CONTEXT, &sealed).ok())
        .is_some_and(|plain| plain == KEY_CHECK_PLAINTEXT);
    if !key_matches {
        return Err(InstallationError::OtherKey);
    }
    let mismatch = if recorded.component_appid != facts.component_appid {
        Some(InstallationError::OtherComponent {
            recorded: recorded.component_appid.clone(),
            configured: facts.component_appid.clone(),
        })
    } else if facts.sandbox && !recorded.sandbox {
        Some(InstallationError::SandboxOnRealData {
            recorded: recorded.component_appid.clone(),
        })
    } else {
        None
    };
    match mismatch {
        None => Ok(()),
        Some(err) if !adopt => Err(err),
        Some(_) => {
            repo.adopt(&facts.component_appid, facts.sandbox, now)
                .await?;
            let detail = format!(
                "from {} (sandbox: {}) to {} (sandbox: {})",
                recorded.component_appid, recorded.sandbox, facts.component_appid, facts.sandbox
            );
            Audit::new(store.clone(), clock.clone())
                .record(
                    &Actor::command_line(),
                    AuditAction::DatabaseAdopted,
                    None,
                    Some(&detail),
                )
                .await?;
            tracing::warn!(%detail, "database adopted on purpose (WEIQIAO_ADOPT_DATABASE=1)");
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(appid: &str, sandbox: bool) -> InstallationFacts {
        InstallationFacts {
            component_appid: appid.into(),
            sandbox,
        }
    }

    #[tokio::test]
    async fn a_database_refuses_other_credentials_a_sandbox_and_another_key_unless_adopted() {
        let dir = tempfile::tempdir().unwrap();
        let url = store::testing::database_url(dir.path()).await;
        let store = Store::connect(&url).await.unwrap();
        let vault = Vault::new(&[7; 32]);
        let clock = Clock::default();
        let run = |f: InstallationFacts, adopt: bool, vault: Vault| {
            let (store, clock) = (store.clone(), clock.clone());
            async move { check(&store, &vault, &clock, &f, adopt).await }
        };
        run(facts("wxreal", false), false, vault.clone())
            .await
            .unwrap();
        run(facts("wxreal", false), false, vault.clone())
            .await
            .unwrap();
        let err = run(facts("wxother", false), false, vault.clone())
            .await
            .unwrap_err();
        assert!(
            matches!(err, InstallationError::OtherComponent { .. }),
            "{err}"
        );
        assert!(err.to_string().contains("wxreal") && !err.to_string().contains('\n'));
        let err = run(facts("wxreal", true), false, vault.clone())
            .await
            .unwrap_err();
        assert!(
            matches!(err, InstallationError::SandboxOnRealData { .. }),
            "{err}"
        );
        let err = run(facts("wxreal", false), true, Vault::new(&[8; 32]))
            .await
            .unwrap_err();
        assert!(matches!(err, InstallationError::OtherKey), "{err}");

        run(facts("wxother", false), true, vault.clone())
            .await
            .unwrap();
        run(facts("wxother", false), false, vault.clone())
            .await
            .unwrap();
        let err = run(facts("wxreal", false), false, vault.clone())
            .await
            .unwrap_err();
        assert!(
            matches!(err, InstallationError::OtherComponent { .. }),
            "{err}"
        );
        // A sandbox database may become a real one: nothing real is at stake.
        let sandbox_dir = tempfile::tempdir().unwrap();
        let url = store::testing::database_url(sandbox_dir.path()).await;
        let sandbox_store = Store::connect(&url).await.unwrap();
        check(&sandbox_store, &vault, &clock, &facts("wxsim", true), false)
            .await
            .unwrap();
        let err = check(
            &sandbox_store,
            &vault,
            &clock,
            &facts("wxreal", false),
            false,
        )
        .await
        .unwrap_err();
        assert!(
            matches!(err, InstallationError::OtherComponent { .. }),
            "{err}"
        );
    }
}
