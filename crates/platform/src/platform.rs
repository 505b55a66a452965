//! The facade handed to the web layers: one cloneable value holding every service.

use store::Store;

use crate::companies::Companies;
use crate::component::ComponentService;

/// Facts about this deployment that the UI shows and the use cases consult.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlatformSettings {
    /// Running against the built-in WeChat emulator with generated credentials.
    pub sandbox: bool,
    /// External base URL of this deployment, e.g. `https://weiqiao.example.com`.
    pub public_url: String,
}

/// Every use case of the product, cheap to clone (shared pools inside).
#[derive(Debug, Clone)]
pub struct Platform {
    store: Store,
    settings: PlatformSettings,
    component: ComponentService,
}

/// Whether the parts the product depends on answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Health {
    pub database: bool,
}

impl Platform {
    pub fn new(store: Store, settings: PlatformSettings, component: ComponentService) -> Self {
        Self {
            store,
            settings,
            component,
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
