//! The operator's overview: the component's health, accounts by status, what
//! is failing, and one alert per thing an operator must act on. The alert
//! rules are pure ([`alerts`]) and pinned by tests.

pub use store::AccountListRow;
use store::{AuthorizerStatus, ComponentTokenProblem, StoreError};

use crate::Platform;
use crate::component::ComponentTokenStatus;

/// A ticket older than this is an alert (WeChat pushes one every 10 minutes).
pub const TICKET_ALERT_SECS: i64 = 12 * 3600;
/// Accounts per page of the accounts list.
pub const ACCOUNTS_PAGE_SIZE: i64 = 50;

/// Which accounts a page of the accounts list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountFilter {
    All,
    Status(AuthorizerStatus),
    /// Active accounts whose last refreshes failed (the overview's count).
    Failing,
}

/// Accounts by status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AccountCounts {
    pub active: i64,
    pub needs_reauthorization: i64,
    pub revoked: i64,
    /// Authorized at WeChat, found by reconcile, not attached to a company yet.
    pub unassigned: i64,
}

/// What the overview shows.
#[derive(Debug, Clone)]
pub struct Overview {
    pub now: i64,
    pub component: ComponentTokenStatus,
    pub accounts: AccountCounts,
    /// Active accounts whose last refresh failed.
    pub failing_refreshes: i64,
    pub pushes_last_hour: i64,
    /// Pushes whose processing failed for good.
    pub failed_events: i64,
    pub alerts: Vec<Alert>,
}

/// Something an operator must act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Alert {
    /// No component_verify_ticket has arrived yet.
    TicketMissing,
    /// The newest ticket is this many hours old.
    TicketStale { hours: i64 },
    /// WeChat refuses this server's IP (61004); the message names the IP it saw.
    IpNotWhitelisted { message: String },
    /// The daily quota is used up (45009).
    QuotaExhausted,
    /// The component token cannot be refreshed, with why.
    ComponentTokenFailing { message: String },
    /// Accounts whose merchants must authorize again.
    NeedsReauthorization { accounts: i64 },
    /// Pushes that could not be processed.
    FailedEvents { events: i64 },
    /// Accounts reconcile found that no company owns yet.
    UnassignedAccounts { accounts: i64 },
}

/// The alerts for these facts at `now`, most urgent first.
pub fn alerts(
    component: &ComponentTokenStatus,
    accounts: &AccountCounts,
    failed_events: i64,
    now: i64,
) -> Vec<Alert> {
    let mut alerts = Vec::new();
    match component.ticket_received_at {
        None => alerts.push(Alert::TicketMissing),
        Some(at) if now - at > TICKET_ALERT_SECS => alerts.push(Alert::TicketStale {
            hours: (now - at) / 3600,
        }),
        Some(_) => {}
    }
    let message = component.last_error.clone().unwrap_or_default();
    match component.problem {
        Some(ComponentTokenProblem::IpNotWhitelisted) => {
            alerts.push(Alert::IpNotWhitelisted { message });
        }
        Some(ComponentTokenProblem::QuotaExhausted) => alerts.push(Alert::QuotaExhausted),
        Some(ComponentTokenProblem::RefreshFailed) => {
            alerts.push(Alert::ComponentTokenFailing { message });
        }
        Some(ComponentTokenProblem::WaitingForTicket) | None => {}
    }
    if accounts.needs_reauthorization > 0 {
        alerts.push(Alert::NeedsReauthorization {
            accounts: accounts.needs_reauthorization,
        });
    }
    if failed_events > 0 {
        alerts.push(Alert::FailedEvents {
            events: failed_events,
        });
    }
    if accounts.unassigned > 0 {
        alerts.push(Alert::UnassignedAccounts {
            accounts: accounts.unassigned,
        });
    }
    alerts
}

impl Platform {
    /// The overview, from indexed counts.
    pub async fn overview(&self) -> Result<Overview, StoreError> {
        let now = self.component().clock().now();
        let component = self.component().component_token_status().await?;
        let repo = self.store.overview();
        let mut accounts = AccountCounts::default();
        for (status, count) in repo.accounts_by_status().await? {
            match status {
                AuthorizerStatus::Active => accounts.active = count,
                AuthorizerStatus::NeedsReauthorization => accounts.needs_reauthorization = count,
                AuthorizerStatus::Revoked => accounts.revoked = count,
            }
        }
        accounts.unassigned = self.store.unassigned().count().await?;
        let failed_events = repo.failed_events().await?;
        Ok(Overview {
            now,
            alerts: alerts(&component, &accounts, failed_events, now),
            component,
            accounts,
            failing_refreshes: repo.failing_refreshes().await?,
            pushes_last_hour: repo.pushes_since(now - 3600).await?,
            failed_events,
        })
    }

    /// A page of the accounts `filter` selects after `after_id`, and the
    /// `after_id` of the next page if there is one.
    pub async fn accounts_page(
        &self,
        filter: AccountFilter,
        after_id: Option<i64>,
    ) -> Result<(Vec<AccountListRow>, Option<i64>), StoreError> {
        let (status, failing) = match filter {
            AccountFilter::All => (None, false),
            AccountFilter::Status(status) => (Some(status), false),
            AccountFilter::Failing => (Some(AuthorizerStatus::Active), true),
        };
        let rows = self
            .store
            .overview()
            .accounts(status, failing, after_id, ACCOUNTS_PAGE_SIZE + 1)
            .await?;
        Ok(crate::paging::keyset_page(
            rows,
            ACCOUNTS_PAGE_SIZE,
            |row| row.id,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::component::ComponentTokenState;

    fn healthy(now: i64) -> ComponentTokenStatus {
        ComponentTokenStatus {
            state: ComponentTokenState::Fresh,
            expires_at: Some(now + 3600),
            refreshed_at: Some(now),
            last_error: None,
            problem: None,
            ticket_received_at: Some(now - 600),
        }
    }

    #[test]
    fn a_healthy_platform_has_no_alert() {
        assert!(alerts(&healthy(100_000), &AccountCounts::default(), 0, 100_000).is_empty());
    }

    #[test]
    fn unassigned_accounts_are_an_alert_with_their_count() {
        let one = AccountCounts {
            unassigned: 1,
            ..AccountCounts::default()
        };
        assert_eq!(
            alerts(&healthy(100_000), &one, 0, 100_000),
            [Alert::UnassignedAccounts { accounts: 1 }]
        );
    }

    #[test]
    fn a_missing_ticket_or_one_older_than_12_hours_is_an_alert() {
        let now = 100_000;
        let missing = ComponentTokenStatus {
            ticket_received_at: None,
            ..healthy(now)
        };
        assert_eq!(
            alerts(&missing, &AccountCounts::default(), 0, now),
            [Alert::TicketMissing]
        );
        let at_limit = ComponentTokenStatus {
            ticket_received_at: Some(now - 12 * 3600),
            ..healthy(now)
        };
        assert!(alerts(&at_limit, &AccountCounts::default(), 0, now).is_empty());
        let stale = ComponentTokenStatus {
            ticket_received_at: Some(now - 12 * 3600 - 1),
            ..healthy(now)
        };
        assert_eq!(
            alerts(&stale, &AccountCounts::default(), 0, now),
            [Alert::TicketStale { hours: 12 }]
        );
    }

    #[test]
    fn each_component_problem_has_its_alert_with_the_message() {
        let now = 100_000;
        let with = |problem| ComponentTokenStatus {
            problem: Some(problem),
            last_error: Some("errcode 61004: … 1.2.3.4".into()),
            ..healthy(now)
        };
        let none = AccountCounts::default();
        assert_eq!(
            alerts(
                &with(ComponentTokenProblem::IpNotWhitelisted),
                &none,
                0,
                now
            ),
            [Alert::IpNotWhitelisted {
                message: "errcode 61004: … 1.2.3.4".into()
            }]
        );
        assert_eq!(
            alerts(&with(ComponentTokenProblem::QuotaExhausted), &none, 0, now),
            [Alert::QuotaExhausted]
        );
        assert!(matches!(
            alerts(&with(ComponentTokenProblem::RefreshFailed), &none, 0, now)[..],
            [Alert::ComponentTokenFailing { .. }]
        ));
        assert!(
            alerts(
                &with(ComponentTokenProblem::WaitingForTicket),
                &none,
                0,
                now
            )
            .is_empty()
        );
    }

    #[test]
    fn accounts_needing_reauthorization_and_failed_events_are_alerts() {
        let now = 100_000;
        let counts = AccountCounts {
            active: 5,
            needs_reauthorization: 2,
            revoked: 1,
            unassigned: 0,
        };
        assert_eq!(
            alerts(&healthy(now), &counts, 3, now),
            [
                Alert::NeedsReauthorization { accounts: 2 },
                Alert::FailedEvents { events: 3 }
            ]
        );
        let one = AccountCounts {
            needs_reauthorization: 1,
            ..AccountCounts::default()
        };
        assert_eq!(
            alerts(&healthy(now), &one, 1, now),
            [
                Alert::NeedsReauthorization { accounts: 1 },
                Alert::FailedEvents { events: 1 }
            ]
        );
    }
}
