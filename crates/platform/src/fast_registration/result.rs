//! A `notify_third_fasteregister` push, once recorded: matched to its
//! request by the entity's name, code and legal representative. Status 0:
//! the auth code is exchanged and the mini program stored under the
//! request's company, like any authorization. Any other status ends the
//! request with the reason. A push that matches no request is kept for the
//! admins; a successful one's account waits for a company with its refresh
//! token, so nothing WeChat handed over is lost.

use store::{FastRegistrationState, RegistrationEntity, UnmatchedResult};
use wechat::Secret;
use wechat::push::FastRegisterInfo;

use super::FastRegistrations;
use crate::events::retry::EventError;

/// The push's fields.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RegistrationResult<'a> {
    pub appid: Option<&'a str>,
    pub status: i64,
    pub auth_code: Option<&'a Secret>,
    pub msg: Option<&'a str>,
    pub info: Option<&'a FastRegisterInfo>,
}

fn entity_of(info: Option<&FastRegisterInfo>) -> RegistrationEntity {
    let field = |f: fn(&FastRegisterInfo) -> &Option<String>| {
        info.and_then(|i| f(i).as_deref())
            .map(str::trim)
            .unwrap_or_default()
            .to_owned()
    };
    RegistrationEntity {
        name: field(|i| &i.name),
        code: field(|i| &i.code),
        code_type: info
            .and_then(|i| i.code_type.as_deref())
            .and_then(|t| t.trim().parse().ok())
            .unwrap_or(0),
        legal_persona_wechat: field(|i| &i.legal_persona_wechat),
        legal_persona_name: field(|i| &i.legal_persona_name),
        component_phone: Some(field(|i| &i.component_phone)).filter(|p| !p.is_empty()),
    }
}

impl FastRegistrations<'_> {
    pub(crate) async fn apply_result(
        &self,
        result: RegistrationResult<'_>,
    ) -> Result<(), EventError> {
        let store = &self.platform.store;
        let entity = entity_of(result.info);
        let some = |s: &str| (!s.is_empty()).then(|| s.to_owned());
        let request = if entity.name.is_empty() {
            None
        } else {
            store
                .fast_registrations()
                .matching(
                    &entity.name,
                    some(&entity.code).as_deref(),
                    some(&entity.legal_persona_wechat).as_deref(),
                    some(&entity.legal_persona_name).as_deref(),
                )
                .await?
        };
        let now = self.now();
        if result.status != 0 {
            return match request.filter(|r| r.state != FastRegistrationState::Registered) {
                Some(request) => {
                    store
                        .fast_registrations()
                        .finish(
                            request.id,
                            FastRegistrationState::Failed,
                            Some(result.status),
                            result.msg,
                            None,
                            now,
                        )
                        .await?;
                    tracing::info!(
                        fast_registration = request.id,
                        status = result.status,
                        "fast registration failed"
                    );
                    Ok(())
                }
                None => self.keep_unmatched(&entity, result, None).await,
            };
        }
        let (Some(appid), Some(code)) = (result.appid, result.auth_code) else {
            return Err(EventError::Permanent(
                "fast registration succeeded without appid or auth_code".into(),
            ));
        };
        let onboarding = self.platform.onboarding();
        let code_hash = crate::onboarding::sha256_hex(code.expose());
        // Not while another delivery of the same push exchanges the code.
        let _single_flight = self.platform.exchanges.lock(&code_hash).await;
        let Some(request) = request else {
            if store
                .fast_registrations()
                .for_authorizer(appid)
                .await?
                .is_some()
            {
                return Ok(()); // a repeat of a result already kept
            }
            let exchanged = onboarding.exchange_unassigned(code.expose()).await?;
            tracing::warn!(authorizer_appid = %exchanged, "fast registration result matched no request: the account waits for a company");
            return self.keep_unmatched(&entity, result, Some(appid)).await;
        };
        let Some(company_id) = request.company_id else {
            return Err(EventError::Permanent("request without a company".into()));
        };
        if store.authorizers().code_used(&code_hash).await?.is_none() {
            onboarding
                .exchange_once(code.expose(), company_id, request.invite_id)
                .await?;
        }
        if store
            .fast_registrations()
            .finish(
                request.id,
                FastRegistrationState::Registered,
                Some(0),
                result.msg,
                Some(appid),
                now,
            )
            .await?
        {
            tracing::info!(fast_registration = request.id, authorizer_appid = %appid, company_id, "fast registration done: mini program authorized");
        }
        Ok(())
    }

    async fn keep_unmatched(
        &self,
        entity: &RegistrationEntity,
        result: RegistrationResult<'_>,
        appid: Option<&str>,
    ) -> Result<(), EventError> {
        let state = if result.status == 0 {
            FastRegistrationState::Registered
        } else {
            FastRegistrationState::Failed
        };
        let id = self
            .platform
            .store
            .fast_registrations()
            .insert_unmatched(UnmatchedResult {
                entity,
                state,
                status: result.status,
                msg: result.msg,
                authorizer_appid: appid,
                now: self.now(),
            })
            .await?;
        tracing::warn!(
            fast_registration = id,
            status = result.status,
            "a fast registration result matched no request; kept for the admins"
        );
        Ok(())
    }
}
