//! The audit log: every sign-in (success and failure) and every admin action,
//! with who, when, from which address, what and on which object. Entries are
//! only ever added.

use store::{AuditFilter, NewAuditEntry, Store, StoreError};

use crate::clock::Clock;

/// What was done. Stored as its [`AuditAction::as_str`] name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuditAction {
    SignedIn,
    SignInFailed,
    /// A sign-in attempted while the login or address was locked.
    SignInLocked,
    SignedOut,
    AdminCreated,
    AdminDisabled,
    PasswordReset,
    CompanyCreated,
    InviteCreated,
    InviteRevoked,
    DatabaseAdopted,
    ApiKeyCreated,
    ApiKeyRevoked,
    AccountRefreshed,
    CompanyRenamed,
    CompanyArchived,
    /// Reconcile found a revoked account authorized at WeChat again (written
    /// by earlier versions; the account's history records it now).
    AccountRevived,
    AccountInfoRefetched,
    AccountMoved,
    ReauthorizationInviteCreated,
    AccountAttached,
    ReconcileRun,
    WebhookCreated,
    WebhookEnabled,
    WebhookDisabled,
    WebhookDeleted,
    WebhookSecretShown,
    DeliveryReplayed,
    ReleaseCheckRun,
    /// A request to create a mini program for a merchant (fast registration).
    FastRegistrationStarted,
}

impl AuditAction {
    pub const ALL: [Self; 30] = [
        Self::SignedIn,
        Self::SignInFailed,
        Self::SignInLocked,
        Self::SignedOut,
        Self::AdminCreated,
        Self::AdminDisabled,
        Self::PasswordReset,
        Self::CompanyCreated,
        Self::InviteCreated,
        Self::InviteRevoked,
        Self::DatabaseAdopted,
        Self::ApiKeyCreated,
        Self::ApiKeyRevoked,
        Self::AccountRefreshed,
        Self::CompanyRenamed,
        Self::CompanyArchived,
        Self::AccountRevived,
        Self::AccountInfoRefetched,
        Self::AccountMoved,
        Self::ReauthorizationInviteCreated,
        Self::AccountAttached,
        Self::ReconcileRun,
        Self::WebhookCreated,
        Self::WebhookEnabled,
        Self::WebhookDisabled,
        Self::WebhookDeleted,
        Self::WebhookSecretShown,
        Self::DeliveryReplayed,
        Self::ReleaseCheckRun,
        Self::FastRegistrationStarted,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::SignedIn => "signed_in",
            Self::SignInFailed => "sign_in_failed",
            Self::SignInLocked => "sign_in_locked",
            Self::SignedOut => "signed_out",
            Self::AdminCreated => "admin_created",
            Self::AdminDisabled => "admin_disabled",
            Self::PasswordReset => "password_reset",
            Self::CompanyCreated => "company_created",
            Self::InviteCreated => "invite_created",
            Self::InviteRevoked => "invite_revoked",
            Self::DatabaseAdopted => "database_adopted",
            Self::ApiKeyCreated => "api_key_created",
            Self::ApiKeyRevoked => "api_key_revoked",
            Self::AccountRefreshed => "account_refreshed",
            Self::CompanyRenamed => "company_renamed",
            Self::CompanyArchived => "company_archived",
            Self::AccountRevived => "account_revived",
            Self::AccountInfoRefetched => "account_info_refetched",
            Self::AccountMoved => "account_moved",
            Self::ReauthorizationInviteCreated => "reauthorization_invite_created",
            Self::AccountAttached => "account_attached",
            Self::ReconcileRun => "reconcile_run",
            Self::WebhookCreated => "webhook_created",
            Self::WebhookEnabled => "webhook_enabled",
            Self::WebhookDisabled => "webhook_disabled",
            Self::WebhookDeleted => "webhook_deleted",
            Self::WebhookSecretShown => "webhook_secret_shown",
            Self::DeliveryReplayed => "delivery_replayed",
            Self::ReleaseCheckRun => "release_check_run",
            Self::FastRegistrationStarted => "fast_registration_started",
        }
    }

    /// The action named `name`, as stored.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|action| action.as_str() == name)
    }
}

/// The address a request came from, as the server resolved it (see the
/// server's trusted proxies); `None` when there was no network peer.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ClientAddr(pub Option<std::net::IpAddr>);

impl std::fmt::Display for ClientAddr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0 {
            Some(ip) => ip.fmt(f),
            None => f.write_str("unknown"),
        }
    }
}

/// Who acted: an admin, the command line, or someone typing a login.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub admin_id: Option<i64>,
    /// The admin's login, `cli` for the command line, or the login typed.
    pub name: String,
    pub client_addr: Option<String>,
}

impl Actor {
    /// Reconcile, comparing the accounts with WeChat's list.
    pub fn reconcile() -> Self {
        Self {
            admin_id: None,
            name: "reconcile".to_owned(),
            client_addr: None,
        }
    }

    /// The `server` command line on the machine itself.
    pub fn command_line() -> Self {
        Self {
            admin_id: None,
            name: "cli".to_owned(),
            client_addr: None,
        }
    }
}

/// One entry as read back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    pub id: i64,
    pub at: i64,
    pub actor: String,
    pub client_addr: Option<String>,
    /// `None` for a name this version does not know (written by a newer one).
    pub action: Option<AuditAction>,
    pub object: Option<String>,
    pub detail: Option<String>,
}

/// Writes and reads the audit log.
#[derive(Debug, Clone)]
pub struct Audit {
    store: Store,
    clock: Clock,
}

impl Audit {
    pub(crate) fn new(store: Store, clock: Clock) -> Self {
        Self { store, clock }
    }

    /// Records an action. `object` names what it acted on, e.g. `company:3`.
    pub async fn record(
        &self,
        actor: &Actor,
        action: AuditAction,
        object: Option<&str>,
        detail: Option<&str>,
    ) -> Result<(), StoreError> {
        self.store
            .audit()
            .insert(NewAuditEntry {
                at: self.clock.now(),
                admin_id: actor.admin_id,
                actor: &actor.name,
                client_addr: actor.client_addr.as_deref(),
                action: action.as_str(),
                object,
                detail,
            })
            .await
    }

    /// The newest `limit` entries, newest first.
    pub async fn latest(&self, limit: i64) -> Result<Vec<AuditEntry>, StoreError> {
        let rows = self.store.audit().latest(limit).await?;
        Ok(rows.into_iter().map(entry).collect())
    }

    /// One page of entries matching `query`, newest first, and where the next
    /// page starts if there is one. Exact matches on who acted and on the object.
    pub async fn page(&self, query: &AuditQuery) -> Result<AuditPage, StoreError> {
        let filter = AuditFilter {
            actor: query.actor.as_deref(),
            object: query.object.as_deref(),
            before_id: query.before_id,
        };
        let rows = self.store.audit().page(filter, AUDIT_PAGE_SIZE + 1).await?;
        let (rows, next_before) = crate::paging::keyset_page(rows, AUDIT_PAGE_SIZE, |row| row.id);
        Ok(AuditPage {
            entries: rows.into_iter().map(entry).collect(),
            next_before,
        })
    }
}

/// Entries per page of the audit log.
pub const AUDIT_PAGE_SIZE: i64 = 50;

/// What the audit log page asks for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditQuery {
    pub actor: Option<String>,
    pub object: Option<String>,
    pub before_id: Option<i64>,
}

/// A page of the audit log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditPage {
    pub entries: Vec<AuditEntry>,
    /// `before_id` of the next (older) page, if there is one.
    pub next_before: Option<i64>,
}

fn entry(row: store::AuditRow) -> AuditEntry {
    AuditEntry {
        id: row.id,
        at: row.at,
        actor: row.actor,
        client_addr: row.client_addr,
        action: AuditAction::parse(&row.action),
        object: row.object,
        detail: row.detail,
    }
}

#[cfg(test)]
mod tests {
    use super::AuditAction;

    #[test]
    fn every_action_reads_back_as_itself_and_names_are_distinct() {
        let mut names = std::collections::HashSet::new();
        for action in AuditAction::ALL {
            assert_eq!(AuditAction::parse(action.as_str()), Some(action));
            assert!(names.insert(action.as_str()));
        }
        assert_eq!(AuditAction::parse("dropped_tables"), None);
    }
}
