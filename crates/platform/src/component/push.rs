//! Ingesting a push at the authorization event URL: verify, decrypt, record
//! durably (once, however often WeChat retries), then act on it. The caller
//! answers WeChat `success` as soon as this returns `Ok`.

use sha2::{Digest as _, Sha256};
use store::{PushRecord, Recorded, TicketWrite};
use wechat::crypto::{CryptoError, PushQuery};
use wechat::push::ComponentPush;

use super::ComponentService;

/// What happened to an accepted push.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PushOutcome {
    /// First delivery: recorded (and, for a ticket, stored). `pending` is the
    /// event to process next (authorization events), outside WeChat's 5 s.
    Recorded {
        info_type: String,
        pending: Option<i64>,
    },
    /// The same push was already recorded: nothing changed.
    Duplicate { info_type: String },
}

/// Why a push was refused. The variants name the failed check for the log;
/// none carries a secret or the message content.
#[derive(Debug, thiserror::Error)]
pub enum PushRejected {
    #[error("push failed verification: {0}")]
    Crypto(#[from] CryptoError),
    #[error("push is for component {found:?}, not ours")]
    WrongAppId { found: String },
    #[error("storage failed while recording the push: {0}")]
    Storage(#[from] store::StoreError),
}

impl PushRejected {
    /// Whether WeChat sent something wrong (4xx), as opposed to us failing (5xx, WeChat retries).
    pub fn is_bad_request(&self) -> bool {
        !matches!(self, Self::Storage(_))
    }

    /// Which check refused the push, as a metrics label.
    pub fn reason(&self) -> &'static str {
        match self {
            Self::Crypto(CryptoError::BadSignature) => "signature",
            Self::Crypto(CryptoError::AppidMismatch { .. }) | Self::WrongAppId { .. } => "appid",
            Self::Crypto(CryptoError::BadXml(_)) => "xml",
            Self::Crypto(CryptoError::BadKey(_)) => "key",
            Self::Crypto(_) => "decrypt",
            Self::Storage(_) => "storage",
        }
    }
}

impl ComponentService {
    /// Verifies, decrypts, records and applies one push.
    pub async fn ingest_push(
        &self,
        query: &PushQuery,
        body: &str,
    ) -> Result<PushOutcome, PushRejected> {
        let inner = &self.inner;
        let plaintext = inner.crypto.open_push(query, body)?;
        let push = ComponentPush::parse(&plaintext)?;
        let info_type = push.info_type().to_owned();
        if let Some(app_id) = push.app_id()
            && app_id != self.component_appid()
        {
            return Err(PushRejected::WrongAppId {
                found: app_id.to_owned(),
            });
        }

        let now = inner.clock.now();
        let (authorizer_appid, create_time) = summary(&push);
        let dedup_key = dedup_key(create_time, &plaintext);
        let sealed = inner.vault.seal("push_event", &plaintext);
        // A ticket is stored in the same transaction as its event (and the event
        // recorded as processed); pushes are group-committed by the store's writer.
        let ticket = match &push {
            ComponentPush::VerifyTicket {
                create_time,
                ticket,
                ..
            } => Some(TicketWrite {
                component_appid: self.component_appid().to_owned(),
                ticket_sealed: inner.vault.seal(&self.ticket_context(), ticket.expose()),
                create_time: *create_time,
            }),
            _ => None,
        };
        let is_ticket = ticket.is_some();
        let recorded = inner
            .store
            .push_writer()
            .record(PushRecord {
                dedup_key,
                info_type: info_type.clone(),
                authorizer_appid: authorizer_appid.map(str::to_owned),
                create_time,
                received_at: now,
                payload_sealed: sealed,
                ticket,
            })
            .await?;
        let event_id = match recorded {
            Recorded::Duplicate => {
                tracing::info!(%info_type, "duplicate push ignored");
                return Ok(PushOutcome::Duplicate { info_type });
            }
            Recorded::New {
                event_id,
                newest_ticket,
            } => {
                if is_ticket {
                    tracing::info!(newest = ?newest_ticket, "component_verify_ticket stored");
                    if inner
                        .needs_ticket
                        .load(std::sync::atomic::Ordering::Relaxed)
                    {
                        inner.ticket_arrived.notify_one();
                    }
                    return Ok(PushOutcome::Recorded {
                        info_type,
                        pending: None,
                    });
                }
                event_id
            }
        };
        tracing::info!(%info_type, authorizer_appid = ?authorizer_appid, "push recorded");
        Ok(PushOutcome::Recorded {
            info_type,
            pending: Some(event_id),
        })
    }
}

/// Identifies a push across deliveries: its encryption differs per delivery,
/// its decrypted XML does not. The CreateTime prefix keeps new keys together
/// in the unique index (migration 0006 explains why that matters).
fn dedup_key(create_time: Option<i64>, plaintext: &str) -> String {
    format!(
        "{:010}-{}",
        create_time.unwrap_or(0),
        hex::encode(Sha256::digest(plaintext.as_bytes()))
    )
}

fn summary(push: &ComponentPush) -> (Option<&str>, Option<i64>) {
    match push {
        ComponentPush::VerifyTicket { create_time, .. } => (None, Some(*create_time)),
        ComponentPush::Authorized {
            authorizer_appid,
            create_time,
            ..
        }
        | ComponentPush::UpdateAuthorized {
            authorizer_appid,
            create_time,
            ..
        }
        | ComponentPush::Unauthorized {
            authorizer_appid,
            create_time,
            ..
        } => (Some(authorizer_appid.as_str()), Some(*create_time)),
        ComponentPush::FastRegister {
            appid, create_time, ..
        } => (appid.as_deref(), Some(*create_time)),
        ComponentPush::Unknown { .. } => (None, None),
    }
}

#[cfg(test)]
mod tests {
    use super::dedup_key;

    #[test]
    fn a_dedup_key_is_the_same_for_the_same_xml_and_orders_by_create_time() {
        let xml = "<xml><CreateTime>1700000000</CreateTime></xml>";
        assert_eq!(
            dedup_key(Some(1_700_000_000), xml),
            dedup_key(Some(1_700_000_000), xml)
        );
        assert_ne!(
            dedup_key(Some(1_700_000_000), xml),
            dedup_key(Some(1_700_000_000), "<xml/>")
        );
        assert!(dedup_key(Some(1_700_000_001), "<a/>") > dedup_key(Some(1_700_000_000), "<b/>"));
        assert!(dedup_key(None, xml).starts_with("0000000000-"));
    }
}
