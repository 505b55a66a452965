//! An account's timeline: its history (authorized, updated, revoked, revived,
//! runs of refreshes and of failures) merged with the admin actions on it
//! from the audit log, newest first.

use store::{AuditFilter, HistoryKind, StoreError};

use crate::Platform;
use crate::audit::AuditAction;

/// Entries the account page shows.
pub const TIMELINE_LENGTH: i64 = 50;

/// One entry of an account's timeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TimelineEntry {
    /// Something that happened to the account.
    Happened {
        kind: HistoryKind,
        /// The first and the last occurrence of a run, and how many.
        at: i64,
        last_at: i64,
        count: i64,
        detail: Option<String>,
    },
    /// An admin (or reconcile, or the command line) acted on it.
    Admin {
        /// `None`: an action this version does not know.
        action: Option<AuditAction>,
        actor: String,
        at: i64,
        detail: Option<String>,
    },
}

impl TimelineEntry {
    /// When it happened (the latest occurrence of a run).
    pub fn at(&self) -> i64 {
        match self {
            Self::Happened { last_at, .. } => *last_at,
            Self::Admin { at, .. } => *at,
        }
    }
}

impl Platform {
    /// The newest [`TIMELINE_LENGTH`] entries of `appid`'s timeline.
    pub async fn account_timeline(&self, appid: &str) -> Result<Vec<TimelineEntry>, StoreError> {
        let history = self
            .store
            .authorizer_history()
            .latest(appid, TIMELINE_LENGTH)
            .await?;
        let object = format!("authorizer:{appid}");
        let admin = self
            .store
            .audit()
            .page(
                AuditFilter {
                    actor: None,
                    object: Some(&object),
                    before_id: None,
                },
                TIMELINE_LENGTH,
            )
            .await?;
        let mut entries: Vec<TimelineEntry> = history
            .into_iter()
            .map(|row| TimelineEntry::Happened {
                kind: row.kind,
                at: row.at,
                last_at: row.last_at,
                count: row.count,
                detail: row.detail,
            })
            .chain(admin.into_iter().map(|row| TimelineEntry::Admin {
                action: AuditAction::parse(&row.action),
                actor: row.actor,
                at: row.at,
                detail: row.detail,
            }))
            .collect();
        // Stable: entries of the same second keep their sources' newest-first order.
        entries.sort_by_key(|entry| std::cmp::Reverse(entry.at()));
        entries.truncate(usize::try_from(TIMELINE_LENGTH).unwrap_or(0));
        Ok(entries)
    }
}
