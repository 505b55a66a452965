//! Starting a request: checked, stored as pending (one per entity), then
//! sent to WeChat; WeChat's refusal or silence ends it at once, so the
//! merchant can correct and submit again.

use store::{FastRegistrationState, NewFastRegistration, StoreError};
use wechat::fast_register::{CreateRefusal, CreateRequest};

use super::form::FieldError;
use super::{
    FastRegistration, FastRegistrations, INVITE_REQUESTS_PER_DAY, RegistrationForm, entity_of,
};
use crate::component::ComponentCallError;
use crate::onboarding::{InviteError, InviteStatus};

/// Who asks.
#[derive(Debug, Clone, Copy)]
pub enum StartedBy<'a> {
    /// The merchant, on the page of an invite that offers it.
    Merchant { invite_token: &'a str },
    /// An admin, from the company's page.
    Admin { company_id: i64, admin: &'a str },
}

/// Why a request was not sent, or what WeChat said to it.
#[derive(Debug, thiserror::Error)]
pub enum FastRegistrationError {
    #[error("{}", .0.en)]
    Invalid(FieldError),
    #[error(transparent)]
    Invite(#[from] InviteError),
    #[error("this invite does not offer fast registration")]
    NotOffered,
    #[error("no such company")]
    UnknownCompany,
    #[error("the company is archived")]
    CompanyArchived,
    #[error("a request for this enterprise is already waiting for its legal representative")]
    AlreadyPending,
    #[error("this invite made {INVITE_REQUESTS_PER_DAY} requests in the last 24 hours")]
    TooMany,
    #[error("WeChat refused the request: {}", .0.describe_en())]
    Refused(CreateRefusal),
    /// WeChat did not take it (timeout, system error, our component token):
    /// nothing is waiting; trying again later is safe.
    #[error("WeChat did not take the request: {0}")]
    Unavailable(String),
    #[error(transparent)]
    Storage(#[from] StoreError),
}

impl FastRegistrations<'_> {
    /// Checks `form`, stores the request and sends it to WeChat. `Ok`: the
    /// legal representative now has 24 hours to confirm in WeChat.
    pub async fn start(
        &self,
        started_by: StartedBy<'_>,
        form: &RegistrationForm,
    ) -> Result<FastRegistration, FastRegistrationError> {
        let valid = form.validate().map_err(FastRegistrationError::Invalid)?;
        let store = &self.platform.store;
        let now = self.now();
        let (company_id, invite_id, admin) = match started_by {
            StartedBy::Merchant { invite_token } => {
                let invite = self.platform.onboarding().open_invite(invite_token).await?;
                if invite.status != InviteStatus::Active || !invite.allows_fast_registration {
                    return Err(FastRegistrationError::NotOffered);
                }
                let recent = store
                    .fast_registrations()
                    .count_for_invite_since(invite.id, now - 86_400)
                    .await?;
                if recent >= INVITE_REQUESTS_PER_DAY {
                    return Err(FastRegistrationError::TooMany);
                }
                (invite.company_id, Some(invite.id), None)
            }
            StartedBy::Admin { company_id, admin } => {
                match store.companies().get(company_id).await? {
                    None => return Err(FastRegistrationError::UnknownCompany),
                    Some(c) if c.archived_at.is_some() => {
                        return Err(FastRegistrationError::CompanyArchived);
                    }
                    Some(_) => (company_id, None, Some(admin)),
                }
            }
        };
        let entity = entity_of(&valid);
        let id = store
            .fast_registrations()
            .insert_pending(NewFastRegistration {
                company_id,
                invite_id,
                started_by: admin,
                entity: &entity,
                now,
            })
            .await
            .map_err(|err| match err {
                StoreError::Conflict { .. } => FastRegistrationError::AlreadyPending,
                other => other.into(),
            })?;
        let request = CreateRequest {
            name: valid.name,
            code: valid.code,
            code_type: valid.code_type.code(),
            legal_persona_wechat: valid.legal_persona_wechat,
            legal_persona_name: valid.legal_persona_name,
            component_phone: valid.component_phone.unwrap_or_default(),
        };
        let client = self.platform.component().client();
        let request = &request;
        let sent = self
            .platform
            .component()
            .with_component_token(|token| async move {
                client.fastregisterweapp_create(&token, request).await
            })
            .await;
        let refused = match sent {
            Ok(()) => {
                tracing::info!(
                    fast_registration = id,
                    company_id,
                    "fast registration sent to WeChat"
                );
                return self.by_id(id).await?.ok_or(FastRegistrationError::Storage(
                    StoreError::Batch("the request vanished".into()),
                ));
            }
            Err(ComponentCallError::Wechat(err))
                if let Some(refusal) = err.errcode().and_then(CreateRefusal::from_errcode) =>
            {
                let errmsg = match &err {
                    wechat::error::WechatError::Api { errmsg, .. } => Some(errmsg.clone()),
                    _ => None,
                };
                (
                    err.errcode(),
                    errmsg,
                    FastRegistrationError::Refused(refusal),
                )
            }
            Err(other) => {
                let text = other.to_string();
                (
                    None,
                    Some(text.clone()),
                    FastRegistrationError::Unavailable(text),
                )
            }
        };
        let (code, msg, error) = refused;
        tracing::warn!(fast_registration = id, error = %error, "fast registration not taken by WeChat");
        // The request ends here, so the entity can be sent again at once. If
        // WeChat did take it after all (an answer lost on the way), its result
        // push still finds this request (see `result`).
        if let Err(err) = store
            .fast_registrations()
            .finish(
                id,
                FastRegistrationState::Refused,
                code,
                msg.as_deref(),
                None,
                self.now(),
            )
            .await
        {
            tracing::error!(fast_registration = id, error = %err, "could not record WeChat's refusal; the request expires by itself");
        }
        Err(error)
    }
}
