//! The facade handed to the web layers: one cloneable value holding every service.

use store::Store;

use crate::companies::Companies;
use crate::component::ComponentService;
use crate::onboarding::Onboarding;
use crate::onboarding::state::StateSigner;
use crate::vault::Vault;

/// Facts about this deployment that the UI shows and the use cases consult.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlatformSettings {
    /// Running against the built-in WeChat emulator with generated credentials.
    pub sandbox: bool,
    /// External base URL of this deployment, e.g. `https://weiqiao.example.com`.
    pub public_url: String,
    /// Permission sets an official account must grant (shown as missing otherwise).
    pub required_official_account_permissions: Vec<i64>,
    /// Permission sets a mini program must grant.
    pub required_mini_program_permissions: Vec<i64>,
}

impl PlatformSettings {
    /// Defaults: 消息管理 and 自定义菜单 for official accounts, 开发管理与数据分析 for mini programs.
    pub fn new(sandbox: bool, public_url: String) -> Self {
        Self {
            sandbox,
            public_url,
            required_official_account_permissions: vec![1, 15],
            required_mini_program_permissions: vec![18],
        }
    }

    /// The required permission sets for an account kind.
    pub fn required_permissions(&self, mini_program: bool) -> &[i64] {
        if mini_program {
            &self.required_mini_program_permissions
        } else {
            &self.required_official_account_permissions
        }
    }
}

/// Every use case of the product, cheap to clone (shared pools inside).
#[derive(Debug, Clone)]
pub struct Platform {
    store: Store,
    settings: PlatformSettings,
    component: ComponentService,
    vault: Vault,
    signer: StateSigner,
}

/// Whether the parts the product depends on answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Health {
    pub database: bool,
}

impl Platform {
    /// `master_key` is `WEIQIAO_SECRET_KEY`: it seals secrets at rest and signs callback states.
    pub fn new(
        store: Store,
        settings: PlatformSettings,
        component: ComponentService,
        master_key: &[u8; 32],
    ) -> Self {
        Self {
            store,
            settings,
            component,
            vault: Vault::new(master_key),
            signer: StateSigner::new(master_key),
        }
    }

    /// Merchant self-onboarding: invites, authorization links, callbacks.
    pub fn onboarding(&self) -> Onboarding<'_> {
        Onboarding {
            store: &self.store,
            vault: &self.vault,
            signer: &self.signer,
            component: &self.component,
            settings: &self.settings,
        }
    }

    /// The component: pushes, ticket and component token.
    pub fn component(&self) -> &ComponentService {
        &self.component
    }

    pub fn settings(&self) -> &PlatformSettings {
        &self.settings
    }

    /// Companies: the merchants served by the platform.
    pub fn companies(&self) -> Companies<'_> {
        Companies::new(&self.store)
    }

    /// Checks the dependencies; never fails, it reports.
    pub async fn health(&self) -> Health {
        let database = match self.store.ping().await {
            Ok(()) => true,
            Err(err) => {
                tracing::warn!(error = %err, "database health check failed");
                false
            }
        };
        Health { database }
    }

    /// Releases the database at shutdown.
    pub async fn close(&self) {
        self.store.close().await;
    }
}
