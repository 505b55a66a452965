//! The platform's own credentials: component_verify_ticket, component_access_token,
//! pre_auth_code, and how a token on the query string is judged.

use super::{Issued, PreAuthCode, State, WxError};
use crate::SimConfig;
use crate::clock::secs;
use crate::tokens;

/// Which token a query string carried, when it is one the emulator issued.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenOwner {
    Component,
    Authorizer(String),
}

impl State {
    /// Mint a fresh ticket (each push carries a different one) and remember it.
    pub fn issue_ticket(&mut self, now: i64, config: &SimConfig) -> String {
        let value = tokens::ticket();
        self.tickets.push(Issued::new(
            value.clone(),
            now,
            secs(config.lifetimes.ticket),
        ));
        self.prune(now);
        value
    }

    /// The newest ticket, if any was minted.
    pub fn latest_ticket(&self) -> Option<&Issued> {
        self.tickets.last()
    }

    /// api_component_token: check credentials and ticket, mint a new token.
    /// Every call mints a new one and supersedes the previous (staff, C-multitoken).
    pub fn component_token(
        &mut self,
        appid: &str,
        secret: &str,
        ticket: &str,
        now: i64,
        config: &SimConfig,
    ) -> Result<Issued, WxError> {
        if appid != config.component_appid {
            return Err(WxError::invalid_appid());
        }
        if secret.is_empty() {
            return Err(WxError::appsecret_missing());
        }
        // The docs list both 40001 and 40125 for a wrong secret; 40125 is the specific one.
        if secret != config.component_appsecret {
            return Err(WxError::invalid_appsecret());
        }
        // Known-but-expired → 61005, unknown or empty → 61006 (mapping inferred from errmsgs).
        match self.tickets.iter().find(|t| t.value == ticket) {
            None => return Err(WxError::ticket_invalid()),
            Some(t) if now >= t.expires_at => return Err(WxError::ticket_expired()),
            Some(_) => {}
        }
        for old in self.component_tokens.iter_mut() {
            old.superseded_at.get_or_insert(now);
        }
        let token = Issued::new(
            tokens::access_token(),
            now,
            secs(config.lifetimes.component_token),
        );
        self.component_tokens.push(token.clone());
        self.prune(now);
        Ok(token)
    }

    /// Judge the token a component API call carried.
    pub fn check_component_token(
        &self,
        token: Option<&str>,
        now: i64,
        config: &SimConfig,
    ) -> Result<(), WxError> {
        let token = match token {
            Some(t) if !t.is_empty() => t,
            _ => return Err(WxError::token_missing()),
        };
        match self.component_tokens.iter().find(|t| t.value == token) {
            Some(issued) => issued.check(now, secs(config.behaviour.component_token_grace)),
            None => match self.token_owner(token) {
                Some(TokenOwner::Authorizer(_)) => Err(WxError::must_use_component_token()),
                _ => Err(WxError::invalid_credential()),
            },
        }
    }

    /// Whose token this is, if the emulator issued it.
    pub fn token_owner(&self, token: &str) -> Option<TokenOwner> {
        if self.component_tokens.iter().any(|t| t.value == token) {
            return Some(TokenOwner::Component);
        }
        self.authorizations
            .values()
            .find(|a| a.access_tokens.iter().any(|t| t.value == token))
            .map(|a| TokenOwner::Authorizer(a.authorizer_appid.clone()))
    }

    /// api_create_preauthcode.
    pub fn create_pre_auth_code(
        &mut self,
        component_appid: &str,
        now: i64,
        config: &SimConfig,
    ) -> Result<PreAuthCode, WxError> {
        check_component_appid(component_appid, config)?;
        if config.behaviour.new_pre_auth_code_invalidates_old {
            for old in self.pre_auth_codes.iter_mut() {
                old.invalidated = true;
            }
        }
        let code = PreAuthCode {
            value: tokens::pre_auth_code(),
            expires_at: now.saturating_add(secs(config.lifetimes.pre_auth_code)),
            used: false,
            invalidated: false,
        };
        self.pre_auth_codes.push(code.clone());
        self.prune(now);
        Ok(code)
    }

    /// Whether the authorization page may proceed with this pre_auth_code.
    pub fn check_pre_auth_code(
        &self,
        value: &str,
        now: i64,
    ) -> Result<&PreAuthCode, PreAuthProblem> {
        let code = self
            .pre_auth_codes
            .iter()
            .find(|c| c.value == value)
            .ok_or(PreAuthProblem::Unknown)?;
        if now >= code.expires_at {
            Err(PreAuthProblem::Expired)
        } else if code.used || code.invalidated {
            Err(PreAuthProblem::Used)
        } else {
            Ok(code)
        }
    }

    /// api_start_push_ticket: check credentials; returns whether pushes had stopped.
    pub fn start_push_ticket(
        &mut self,
        appid: &str,
        secret: &str,
        config: &SimConfig,
    ) -> Result<bool, WxError> {
        if appid != config.component_appid {
            return Err(WxError::invalid_appid());
        }
        if secret != config.component_appsecret {
            return Err(WxError::invalid_appsecret());
        }
        let was_stopped = self.ticket_push_stopped;
        self.ticket_push_stopped = false;
        self.failed_ticket_pushes = 0;
        Ok(was_stopped)
    }
}

/// Why the authorization page refuses a pre_auth_code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PreAuthProblem {
    Unknown,
    Expired,
    Used,
}

/// Token-authenticated calls name the component in the body too; a mismatch is 61011.
pub(crate) fn check_component_appid(appid: &str, config: &SimConfig) -> Result<(), WxError> {
    if appid == config.component_appid {
        Ok(())
    } else {
        Err(WxError::invalid_component())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> SimConfig {
        SimConfig::new("wxcomponent", "secret", "token", "a".repeat(43))
    }

    #[test]
    fn a_fresh_ticket_buys_a_component_token() {
        let (mut state, config) = (State::default(), config());
        let ticket = state.issue_ticket(1000, &config);
        let token = state
            .component_token("wxcomponent", "secret", &ticket, 1000, &config)
            .unwrap();
        assert_eq!(token.expires_at - token.issued_at, 7200);
        assert!(
            state
                .check_component_token(Some(&token.value), 1000, &config)
                .is_ok()
        );
    }

    #[test]
    fn wrong_credentials_and_tickets_get_their_errcodes() {
        let (mut state, config) = (State::default(), config());
        let ticket = state.issue_ticket(1000, &config);
        let code = |r: Result<Issued, WxError>| r.unwrap_err().errcode;
        assert_eq!(
            code(state.component_token("wxother", "secret", &ticket, 1000, &config)),
            40013
        );
        assert_eq!(
            code(state.component_token("wxcomponent", "", &ticket, 1000, &config)),
            41004
        );
        assert_eq!(
            code(state.component_token("wxcomponent", "wrong", &ticket, 1000, &config)),
            40125
        );
        assert_eq!(
            code(state.component_token("wxcomponent", "secret", "ticket@@@nope", 1000, &config)),
            61006
        );
        assert_eq!(
            code(state.component_token("wxcomponent", "secret", "", 1000, &config)),
            61006
        );
        let later = 1000 + 12 * 3600;
        assert_eq!(
            code(state.component_token("wxcomponent", "secret", &ticket, later, &config)),
            61005
        );
    }

    #[test]
    fn a_new_component_token_leaves_the_old_one_working_for_the_grace_period() {
        let (mut state, config) = (State::default(), config());
        let ticket = state.issue_ticket(1000, &config);
        let old = state
            .component_token("wxcomponent", "secret", &ticket, 1000, &config)
            .unwrap();
        state
            .component_token("wxcomponent", "secret", &ticket, 2000, &config)
            .unwrap();
        assert!(
            state
                .check_component_token(Some(&old.value), 2299, &config)
                .is_ok()
        );
        let err = state
            .check_component_token(Some(&old.value), 2300, &config)
            .unwrap_err();
        assert_eq!(err.errcode, 40001);
    }

    #[test]
    fn missing_unknown_and_expired_component_tokens_get_their_errcodes() {
        let (mut state, config) = (State::default(), config());
        let ticket = state.issue_ticket(1000, &config);
        let token = state
            .component_token("wxcomponent", "secret", &ticket, 1000, &config)
            .unwrap();
        assert_eq!(
            state
                .check_component_token(None, 1000, &config)
                .unwrap_err()
                .errcode,
            41001
        );
        assert_eq!(
            state
                .check_component_token(Some("x"), 1000, &config)
                .unwrap_err()
                .errcode,
            40001
        );
        let expired = state.check_component_token(Some(&token.value), 8200, &config);
        assert_eq!(expired.unwrap_err().errcode, 42001);
    }

    #[test]
    fn a_pre_auth_code_lives_1800_seconds() {
        let (mut state, config) = (State::default(), config());
        let code = state
            .create_pre_auth_code("wxcomponent", 1000, &config)
            .unwrap();
        assert!(state.check_pre_auth_code(&code.value, 2799).is_ok());
        assert_eq!(
            state.check_pre_auth_code(&code.value, 2800).unwrap_err(),
            PreAuthProblem::Expired
        );
        assert_eq!(
            state
                .check_pre_auth_code("preauthcode@@@x", 1000)
                .unwrap_err(),
            PreAuthProblem::Unknown
        );
    }

    #[test]
    fn a_new_pre_auth_code_can_be_configured_to_invalidate_older_ones() {
        let (mut state, mut config) = (State::default(), config());
        config.behaviour.new_pre_auth_code_invalidates_old = true;
        let first = state
            .create_pre_auth_code("wxcomponent", 1000, &config)
            .unwrap();
        state
            .create_pre_auth_code("wxcomponent", 1001, &config)
            .unwrap();
        assert_eq!(
            state.check_pre_auth_code(&first.value, 1002).unwrap_err(),
            PreAuthProblem::Used
        );
    }

    #[test]
    fn start_push_ticket_reports_whether_pushes_had_stopped() {
        let (mut state, config) = (State::default(), config());
        state.ticket_push_stopped = true;
        assert!(
            state
                .start_push_ticket("wxcomponent", "secret", &config)
                .unwrap()
        );
        assert!(
            !state
                .start_push_ticket("wxcomponent", "secret", &config)
                .unwrap()
        );
        assert_eq!(
            state
                .start_push_ticket("wxx", "secret", &config)
                .unwrap_err()
                .errcode,
            40013
        );
    }
}
