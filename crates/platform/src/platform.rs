//! The facade handed to the web layers: one cloneable value holding every service.

use store::Store;

use crate::admins::{AdminService, SessionPolicy};
use crate::api_keys::ApiKeyService;
use crate::companies::Companies;
use crate::installation::{InstallationError, InstallationFacts};
use std::sync::Arc;

use tokio_util::task::TaskTracker;

use crate::authorizers::{AuthorizerRefresh, AuthorizerTokens, SchedulerConfig};
use crate::component::ComponentService;
use crate::messages::{GatewaySettings, MessageGateway};
use crate::onboarding::Onboarding;
use crate::onboarding::state::StateSigner;
use crate::single_flight::KeyedLocks;
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
    /// How long an `authorized` push waits for the merchant's callback to
    /// exchange its code before the push exchanges it itself.
    pub event_grace_secs: u64,
    /// How long admin sessions live.
    pub session_policy: SessionPolicy,
}

impl PlatformSettings {
    /// 消息管理 and 自定义菜单.
    pub const DEFAULT_REQUIRED_OFFICIAL_ACCOUNT_PERMISSIONS: &[i64] = &[1, 15];
    /// 开发管理与数据分析.
    pub const DEFAULT_REQUIRED_MINI_PROGRAM_PERMISSIONS: &[i64] = &[18];
    pub const DEFAULT_EVENT_GRACE_SECS: u64 = 5;

    /// With the defaults above (the server overrides them from its configuration).
    pub fn new(sandbox: bool, public_url: String) -> Self {
        Self {
            sandbox,
            public_url,
            required_official_account_permissions:
                Self::DEFAULT_REQUIRED_OFFICIAL_ACCOUNT_PERMISSIONS.to_vec(),
            required_mini_program_permissions: Self::DEFAULT_REQUIRED_MINI_PROGRAM_PERMISSIONS
                .to_vec(),
            event_grace_secs: Self::DEFAULT_EVENT_GRACE_SECS,
            session_policy: SessionPolicy::default(),
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

/// Every use case of the product. Cheap to clone: one reference count (the
/// web layers clone it for every request).
#[derive(Debug, Clone)]
pub struct Platform(Arc<Services>);

impl std::ops::Deref for Platform {
    type Target = Services;

    fn deref(&self) -> &Services {
        &self.0
    }
}

/// What a [`Platform`] holds.
#[derive(Debug, Clone)]
pub struct Services {
    pub(crate) store: Store,
    pub(crate) settings: PlatformSettings,
    component: ComponentService,
    pub(crate) vault: Vault,
    signer: StateSigner,
    pub(crate) refresh: Arc<AuthorizerRefresh>,
    api_keys: ApiKeyService,
    admins: AdminService,
    /// One exchange per auth_code at a time in this process (callback and push).
    pub(crate) exchanges: Arc<KeyedLocks>,
    /// Push processing started beside requests, awaited at shutdown.
    pub(crate) event_tasks: TaskTracker,
    /// The message URL and the webhook deliveries.
    messages: MessageGateway,
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
        let clock = component.clock().clone();
        let vault = Vault::new(master_key);
        let instance = instance_id();
        Self(Arc::new(Services {
            messages: MessageGateway::new(
                store.clone(),
                vault.clone(),
                component.clone(),
                GatewaySettings::default(),
                instance.clone(),
            ),
            // Before `store` moves into its field.
            api_keys: ApiKeyService::new(store.clone(), clock.clone()),
            admins: AdminService::new(store.clone(), clock, settings.session_policy),
            store,
            settings,
            component,
            vault,
            signer: StateSigner::new(master_key),
            refresh: Arc::new(AuthorizerRefresh::new(SchedulerConfig::default(), instance)),
            exchanges: Arc::default(),
            event_tasks: TaskTracker::new(),
        }))
    }

    /// Replaces the message gateway's settings (from the configuration).
    pub fn with_gateway_settings(mut self, settings: GatewaySettings) -> Self {
        let services = Arc::make_mut(&mut self.0);
        services.messages = MessageGateway::new(
            services.store.clone(),
            services.vault.clone(),
            services.component.clone(),
            settings,
            services.refresh.instance_id.clone(),
        );
        self
    }

    /// The message URL, webhook endpoints and deliveries.
    pub fn messages(&self) -> &MessageGateway {
        &self.messages
    }

    /// Replaces the scheduler's settings (tests and benchmarks).
    pub fn with_scheduler(mut self, config: SchedulerConfig) -> Self {
        Arc::make_mut(&mut self.0).refresh =
            Arc::new(AuthorizerRefresh::new(config, instance_id()));
        self
    }

    /// Authorizer tokens: reads for the token service, refreshes, the scheduler.
    pub fn authorizer_tokens(&self) -> AuthorizerTokens<'_> {
        AuthorizerTokens {
            store: &self.store,
            vault: &self.vault,
            component: &self.component,
            engine: &self.refresh,
        }
    }

    /// Refreshes every due authorizer token each tick, until
    /// [`Self::stop_refreshing`]: then the refreshes under way finish and it returns.
    pub async fn run_authorizer_scheduler(self) {
        let stopping = self.refresh.stopping.clone();
        while !stopping.is_cancelled() {
            match self.authorizer_tokens().refresh_due().await {
                Ok(0) => {}
                Ok(n) => tracing::info!(refreshed = n, "authorizer tokens refreshed"),
                Err(err) => tracing::error!(error = %err, "authorizer scheduler pass failed"),
            }
            tokio::select! {
                () = tokio::time::sleep(self.refresh.config.tick) => {}
                () = stopping.cancelled() => {}
            }
        }
    }

    /// At shutdown: no scheduled refresh starts any more; those under way finish.
    pub fn stop_refreshing(&self) {
        self.refresh.stopping.cancel();
    }

    /// Merchant self-onboarding: invites, authorization links, callbacks.
    pub fn onboarding(&self) -> Onboarding<'_> {
        Onboarding {
            store: &self.store,
            vault: &self.vault,
            signer: &self.signer,
            component: &self.component,
            settings: &self.settings,
            exchanges: &self.exchanges,
        }
    }

    /// The component: pushes, ticket and component token.
    pub fn component(&self) -> &ComponentService {
        &self.component
    }

    pub fn settings(&self) -> &PlatformSettings {
        &self.settings
    }

    /// API keys of the token service's consumers.
    pub fn api_keys(&self) -> &ApiKeyService {
        &self.api_keys
    }

    /// Admins of the dashboard: accounts, sign-in, sessions, and the audit log.
    pub fn admins(&self) -> &AdminService {
        &self.admins
    }

    /// Stops a start on a database that belongs to another component, mode or
    /// key; records the installation on first start. `adopt` takes the database
    /// over on purpose (`WEIQIAO_ADOPT_DATABASE=1`).
    pub async fn check_installation(&self, adopt: bool) -> Result<(), InstallationError> {
        let facts = InstallationFacts {
            component_appid: self.component.component_appid().to_owned(),
            sandbox: self.settings.sandbox,
        };
        crate::installation::check(
            &self.store,
            &self.vault,
            self.component.clock(),
            &facts,
            adopt,
        )
        .await
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

/// Names this process in database leases.
fn instance_id() -> String {
    format!("{:016x}", rand::random::<u64>())
}
