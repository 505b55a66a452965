//! The events list for operators: pushes newest first, filtered, a page at a
//! time; one push opens as its decrypted XML with every ticket, code and
//! token masked, with its processing state and, if it failed, why.

pub use store::PushEventState;
use store::{EventFilter, PushEventRow, StoreError};

use crate::Platform;

/// Pushes per page of the events list.
pub const EVENTS_PAGE_SIZE: i64 = 50;

/// What the events page asks for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EventQuery {
    pub info_type: Option<String>,
    pub authorizer_appid: Option<String>,
    pub state: Option<PushEventState>,
    pub since: Option<i64>,
    pub before_id: Option<i64>,
}

/// A push as the list shows it (no payload).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventSummary {
    pub id: i64,
    pub info_type: String,
    pub authorizer_appid: Option<String>,
    pub received_at: i64,
    pub state: PushEventState,
    pub attempts: i64,
    pub next_attempt_at: i64,
    pub error: Option<String>,
}

/// One push opened: its summary and its masked XML (`None` if it could not
/// be read back: the reason is then in `unreadable`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventDetail {
    pub summary: EventSummary,
    pub masked_xml: Option<String>,
    pub unreadable: Option<String>,
}

fn summary(row: PushEventRow) -> EventSummary {
    EventSummary {
        id: row.id,
        info_type: row.info_type,
        authorizer_appid: row.authorizer_appid,
        received_at: row.received_at,
        state: row.state,
        attempts: row.attempts,
        next_attempt_at: row.next_attempt_at,
        error: row.error,
    }
}

impl Platform {
    /// A page of pushes, newest first, and the `before_id` of the next page.
    pub async fn events_page(
        &self,
        query: &EventQuery,
    ) -> Result<(Vec<EventSummary>, Option<i64>), StoreError> {
        let filter = EventFilter {
            info_type: query.info_type.as_deref(),
            authorizer_appid: query.authorizer_appid.as_deref(),
            state: query.state,
            since: query.since,
            before_id: query.before_id,
        };
        let rows = self
            .store
            .push_events()
            .page(filter, EVENTS_PAGE_SIZE + 1)
            .await?;
        let (rows, next) = crate::paging::keyset_page(rows, EVENTS_PAGE_SIZE, |row| row.id);
        Ok((rows.into_iter().map(summary).collect(), next))
    }

    /// One push, decrypted and masked.
    pub async fn event_detail(&self, id: i64) -> Result<Option<EventDetail>, StoreError> {
        let Some(row) = self.store.push_events().by_id(id).await? else {
            return Ok(None);
        };
        let opened = self
            .vault
            .open("push_event", &row.payload_sealed)
            .map_err(|e| e.to_string())
            .and_then(|xml| wechat::push::masked_xml(&xml).map_err(|e| e.to_string()));
        let (masked_xml, unreadable) = match opened {
            Ok(xml) => (Some(xml), None),
            Err(reason) => (None, Some(reason)),
        };
        Ok(Some(EventDetail {
            summary: summary(row),
            masked_xml,
            unreadable,
        }))
    }
}
