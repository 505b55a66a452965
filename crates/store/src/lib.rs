//! Weiqiao's persistence: the connection pool, the embedded migrations and one
//! repository per aggregate. All SQL of the product lives in this crate; the
//! layers above see row types and [`StoreError`], never `sqlx`.
//!
//! Queries are runtime-checked `query_as` with explicit row types (not the
//! compile-time macros), so the PostgreSQL backend can be added beside SQLite
//! without pinning the code to one database's offline data.

mod admin_sessions;
mod admins;
mod api_keys;
mod audit;
mod auth_code_claims;
mod authorizer_history;
mod authorizer_refresh;
mod authorizers;
mod companies;
mod component;
mod copy;
mod error;
mod events;
mod fast_registrations;
mod group_commit;
mod installation;
mod invites;
mod messages;
mod overview;
mod pool;
mod pre_auth_codes;
mod push_writer;
mod release_check;
#[cfg(test)]
mod schema_check;
#[cfg(any(test, feature = "testing"))]
pub mod testing;
mod unassigned;

pub use admin_sessions::{NewSession, SessionRepo, SessionRow};
pub use admins::{AdminRepo, AdminRow};
pub use api_keys::{ApiKeyRepo, ApiKeyRow, IssuedCount, NewApiKey};
pub use audit::{AuditFilter, AuditRepo, AuditRow, NewAuditEntry};
pub use auth_code_claims::AuthCodeClaimRepo;
pub use authorizer_history::{AuthorizerHistoryRepo, HistoryKind, HistoryRow};
pub use authorizer_refresh::{
    AuthorizerRefreshRepo, DueAuthorizer, LeasedAuthorizer, RefreshFailure, SaveRefreshed,
};
pub use authorizers::{
    AuthorizationStored, AuthorizationWrite, AuthorizerProfile, AuthorizerRepo, AuthorizerRow,
    AuthorizerStatus,
};
pub use companies::{CompanyRepo, CompanyRow, CompanyWithCounts, NewCompany};
pub use component::{ComponentRepo, ComponentTokenProblem, ComponentTokenRow, TicketRow};
pub use copy::{CopyError, CopyReport, TABLES};
pub use error::StoreError;
pub use events::{EventAttemptEnd, EventFilter, PushEventRepo, PushEventRow, PushEventState};
pub use fast_registrations::{
    FastRegistrationRepo, FastRegistrationRow, FastRegistrationState, NewFastRegistration,
    RegistrationEntity, UnmatchedResult,
};
pub use installation::{InstallationRepo, InstallationRow};
pub use invites::{InviteRepo, InviteRow, NewInvite};
pub use messages::{
    ClaimedDelivery, DeliveryAttempt, DeliveryEnd, DeliveryNext, DeliveryRepo, DeliveryRow,
    DeliveryState, EndpointState, MessageDisposition, MessageRecord, MessageRepo, MessageRow,
    MessageWriter, NewDelivery, NewEndpoint, RETRY_WINDOW_SECS, RecordedMessage,
    WebhookEndpointRepo, WebhookEndpointRow,
};
pub use overview::{AccountListRow, OverviewRepo};
pub use pool::{Store, create_postgres_database};
pub use pre_auth_codes::{LinkDevice, NewPreAuthCode, PreAuthCodeRepo, PreAuthCodeRow};
pub use push_writer::{PushRecord, PushWriter, Recorded, TicketWrite};
pub use release_check::{ReleaseCheckRepo, ReleaseCheckStep, ReleaseCheckStepRow};
pub use unassigned::{UnassignedRepo, UnassignedRow};
