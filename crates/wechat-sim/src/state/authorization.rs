//! Authorizations: the confirm on the authorization page, auth_code exchange,
//! authorizer token refresh, revocation, permission changes, the authorizer list
//! and options.

use super::component::check_component_appid;
use super::{AuthCode, Authorization, Issued, State, WxError};
use crate::clock::secs;
use crate::config::{AuthCodeReuse, RefreshTokenRotation};
use crate::push::Event;
use crate::{SimConfig, tokens};

/// What confirming the authorization page produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthorizeOutcome {
    pub auth_code: String,
    pub expires_in: i64,
    /// `authorized` or `updateauthorized`, to push.
    pub event: Event,
}

/// api_query_auth's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryAuthOutcome {
    pub authorizer_appid: String,
    pub access_token: Issued,
    pub refresh_token: String,
    pub func_ids: Vec<u32>,
}

/// api_authorizer_token's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefreshOutcome {
    pub access_token: Issued,
    pub refresh_token: String,
}

/// The options api_get/set_authorizer_option know, with their allowed values and default.
const OPTIONS: &[(&str, &[&str], &str)] = &[
    ("location_report", &["0", "1", "2"], "0"),
    ("voice_recognize", &["0", "1"], "0"),
    ("customer_service", &["0", "1"], "0"),
];

impl State {
    /// The admin confirmed the authorization page: consume the pre_auth_code (if so
    /// configured), record the grant and mint an auth_code.
    pub fn authorize(
        &mut self,
        pre_auth_code: &str,
        authorizer_appid: &str,
        func_ids: Vec<u32>,
        now: i64,
        config: &SimConfig,
    ) -> Result<AuthorizeOutcome, String> {
        self.check_pre_auth_code(pre_auth_code, now)
            .map_err(|p| format!("{p:?}"))?;
        if !self.accounts.contains_key(authorizer_appid) {
            return Err("unknown account".to_owned());
        }
        if config.behaviour.pre_auth_code_single_use
            && let Some(code) = self
                .pre_auth_codes
                .iter_mut()
                .find(|c| c.value == pre_auth_code)
        {
            code.used = true;
        }
        Ok(self.grant(authorizer_appid, func_ids, pre_auth_code, now, config))
    }

    /// An authorization that reached WeChat without our link and whose push
    /// never arrived (another tool's link, or a lost push): only WeChat's
    /// authorizer list knows it. `exchanged`: someone exchanged its code
    /// (another tool), so the list carries its refresh token (C-listrt);
    /// otherwise the list shows the account without one.
    pub fn grant_unseen(
        &mut self,
        authorizer_appid: &str,
        func_ids: Vec<u32>,
        exchanged: bool,
        now: i64,
        config: &SimConfig,
    ) -> Result<(), String> {
        if !self.accounts.contains_key(authorizer_appid) {
            return Err("unknown account".to_owned());
        }
        self.grant(authorizer_appid, func_ids, "", now, config);
        if let Some(auth) = self.authorizations.get_mut(authorizer_appid) {
            auth.code_exchanged |= exchanged;
        }
        Ok(())
    }

    /// WeChat authorizes an account itself (the release check's test
    /// accounts): no link, no pre-auth code; the push's code is minted.
    pub fn grant_by_wechat(
        &mut self,
        authorizer_appid: &str,
        func_ids: Vec<u32>,
        now: i64,
        config: &SimConfig,
    ) -> Result<AuthorizeOutcome, String> {
        if !self.accounts.contains_key(authorizer_appid) {
            return Err("unknown account".to_owned());
        }
        Ok(self.grant(authorizer_appid, func_ids, "", now, config))
    }

    /// Record a grant (new, renewed after revocation, or changed) and mint its auth_code.
    fn grant(
        &mut self,
        appid: &str,
        func_ids: Vec<u32>,
        pre_auth_code: &str,
        now: i64,
        config: &SimConfig,
    ) -> AuthorizeOutcome {
        let existing = self.authorizations.get_mut(appid).filter(|a| a.is_active());
        let update = existing.is_some();
        match existing {
            // Re-authorizing an active grant keeps its refresh token (staff, C-rtsame).
            Some(auth) => auth.func_ids = func_ids,
            // New, or renewed after revocation: a new refresh token (C-rtexp).
            None => {
                self.authorizations.insert(
                    appid.to_owned(),
                    Authorization {
                        authorizer_appid: appid.to_owned(),
                        func_ids,
                        auth_time: now,
                        revoked_at: None,
                        refresh_token: tokens::refresh_token(),
                        previous_refresh_token: None,
                        code_exchanged: false,
                        access_tokens: Vec::new(),
                    },
                );
            }
        }
        let lifetime = secs(config.lifetimes.auth_code);
        let code = AuthCode {
            value: tokens::auth_code(),
            authorizer_appid: appid.to_owned(),
            expires_at: now.saturating_add(lifetime),
            exchanges: 0,
        };
        self.auth_codes.push(code.clone());
        self.prune(now);
        let (appid, auth_code, expired_time) =
            (appid.to_owned(), code.value.clone(), code.expires_at);
        let pre_auth_code = pre_auth_code.to_owned();
        let event = if update {
            Event::UpdateAuthorized {
                authorizer_appid: appid,
                auth_code,
                auth_code_expired_time: expired_time,
                pre_auth_code,
            }
        } else {
            Event::Authorized {
                authorizer_appid: appid,
                auth_code,
                auth_code_expired_time: expired_time,
                pre_auth_code,
            }
        };
        AuthorizeOutcome {
            auth_code: code.value,
            expires_in: lifetime,
            event,
        }
    }

    /// The merchant changed the permission sets (control API): same as re-authorizing.
    pub fn change_permissions(
        &mut self,
        appid: &str,
        func_ids: Vec<u32>,
        now: i64,
        config: &SimConfig,
    ) -> Result<AuthorizeOutcome, WxError> {
        if !self
            .authorizations
            .get(appid)
            .is_some_and(Authorization::is_active)
        {
            return Err(WxError::not_authorized());
        }
        // A real change comes from scanning a fresh link; mint the consumed code it would carry.
        let pre = self.create_pre_auth_code(&config.component_appid, now, config)?;
        if let Some(code) = self
            .pre_auth_codes
            .iter_mut()
            .find(|c| c.value == pre.value)
        {
            code.used = true;
        }
        Ok(self.grant(appid, func_ids, &pre.value, now, config))
    }

    /// The merchant revoked the authorization (control API): its tokens stop working.
    pub fn revoke(&mut self, appid: &str, now: i64) -> Result<Event, WxError> {
        let auth = self
            .authorizations
            .get_mut(appid)
            .filter(|a| a.is_active())
            .ok_or_else(WxError::not_authorized)?;
        auth.revoked_at = Some(now);
        let dead: Vec<String> = auth.access_tokens.drain(..).map(|t| t.value).collect();
        self.revoked_tokens.extend(dead);
        let excess = self.revoked_tokens.len().saturating_sub(1000);
        self.revoked_tokens.drain(..excess);
        auth.previous_refresh_token = None;
        Ok(Event::Unauthorized {
            authorizer_appid: appid.to_owned(),
        })
    }

    /// api_query_auth.
    pub fn query_auth(
        &mut self,
        component_appid: &str,
        code: &str,
        now: i64,
        config: &SimConfig,
    ) -> Result<QueryAuthOutcome, WxError> {
        check_component_appid(component_appid, config)?;
        let entry = self
            .auth_codes
            .iter_mut()
            .find(|c| c.value == code)
            .ok_or_else(WxError::code_invalid)?;
        if now >= entry.expires_at {
            return Err(WxError::code_expired());
        }
        // Single use is one user's report (§13.1); the errcode for reuse is a guess.
        if entry.exchanges > 0 && config.behaviour.auth_code_reuse == AuthCodeReuse::SingleUse {
            return Err(WxError::code_invalid());
        }
        entry.exchanges += 1;
        let appid = entry.authorizer_appid.clone();
        let auth = self
            .authorizations
            .get_mut(&appid)
            .filter(|a| a.is_active())
            .ok_or_else(WxError::not_authorized)?;
        auth.code_exchanged = true;
        let access_token = mint_authorizer_token(auth, now, config);
        Ok(QueryAuthOutcome {
            authorizer_appid: appid,
            access_token,
            refresh_token: auth.refresh_token.clone(),
            func_ids: auth.func_ids.clone(),
        })
    }

    /// api_authorizer_token.
    pub fn authorizer_token(
        &mut self,
        component_appid: &str,
        appid: &str,
        refresh_token: &str,
        now: i64,
        config: &SimConfig,
    ) -> Result<RefreshOutcome, WxError> {
        check_component_appid(component_appid, config)?;
        let auth = self
            .authorizations
            .get_mut(appid)
            .filter(|a| a.is_active())
            .ok_or_else(WxError::not_authorized)?;
        let current = !refresh_token.is_empty() && refresh_token == auth.refresh_token;
        let previous = auth
            .previous_refresh_token
            .as_ref()
            .is_some_and(|(old, until)| old == refresh_token && now < *until);
        if !current && !previous {
            return Err(WxError::refresh_token_invalid());
        }
        let access_token = mint_authorizer_token(auth, now, config);
        if config.behaviour.refresh_token_rotation == RefreshTokenRotation::EveryRefresh {
            let until = now.saturating_add(secs(config.behaviour.refresh_token_grace));
            let old = std::mem::replace(&mut auth.refresh_token, tokens::refresh_token());
            auth.previous_refresh_token = Some((old, until));
        }
        Ok(RefreshOutcome {
            access_token,
            refresh_token: auth.refresh_token.clone(),
        })
    }

    /// The active authorization of `appid` with its account (api_get_authorizer_info).
    pub fn authorizer_info(
        &self,
        component_appid: &str,
        appid: &str,
        config: &SimConfig,
    ) -> Result<(&crate::accounts::Account, &Authorization), WxError> {
        check_component_appid(component_appid, config)?;
        let auth = self
            .authorizations
            .get(appid)
            .filter(|a| a.is_active())
            .ok_or_else(WxError::not_authorized)?;
        let account = self
            .accounts
            .get(appid)
            .ok_or_else(WxError::not_authorized)?;
        Ok((account, auth))
    }

    /// api_get_authorizer_list: active authorizations, oldest first, and the total.
    pub fn authorizer_list(
        &self,
        component_appid: &str,
        offset: u64,
        count: u64,
        config: &SimConfig,
    ) -> Result<(usize, Vec<&Authorization>), WxError> {
        check_component_appid(component_appid, config)?;
        // 40170 for count > 500 comes from a community-compiled table (unsure).
        if count > 500 {
            return Err(WxError::from_code(40170));
        }
        let mut active: Vec<&Authorization> = self
            .authorizations
            .values()
            .filter(|a| a.is_active())
            .collect();
        active.sort_by_key(|a| (a.auth_time, a.authorizer_appid.clone()));
        let total = active.len();
        let page = active
            .into_iter()
            .skip(usize::try_from(offset).unwrap_or(usize::MAX))
            .take(usize::try_from(count).unwrap_or(usize::MAX))
            .collect();
        Ok((total, page))
    }

    /// api_get_authorizer_option.
    pub fn authorizer_option(
        &self,
        component_appid: &str,
        appid: &str,
        name: &str,
        config: &SimConfig,
    ) -> Result<String, WxError> {
        self.authorizer_info(component_appid, appid, config)?;
        let (_, _, default) = OPTIONS
            .iter()
            .find(|(n, _, _)| *n == name)
            .ok_or_else(WxError::invalid_option_name)?;
        Ok(self
            .options
            .get(appid)
            .and_then(|o| o.get(name))
            .cloned()
            .unwrap_or_else(|| (*default).to_owned()))
    }

    /// api_set_authorizer_option.
    pub fn set_authorizer_option(
        &mut self,
        component_appid: &str,
        appid: &str,
        name: &str,
        value: &str,
        config: &SimConfig,
    ) -> Result<(), WxError> {
        self.authorizer_info(component_appid, appid, config)?;
        let (_, allowed, _) = OPTIONS
            .iter()
            .find(|(n, _, _)| *n == name)
            .ok_or_else(WxError::invalid_option_name)?;
        if !allowed.contains(&value) {
            return Err(WxError::invalid_option_value());
        }
        self.options
            .entry(appid.to_owned())
            .or_default()
            .insert(name.to_owned(), value.to_owned());
        Ok(())
    }

    /// Judge an authorizer_access_token (control API: lets tests see revocation kill tokens).
    pub fn check_authorizer_token(
        &self,
        token: &str,
        now: i64,
        config: &SimConfig,
    ) -> Result<String, WxError> {
        let auth = self
            .authorizations
            .values()
            .find(|a| a.access_tokens.iter().any(|t| t.value == token))
            .ok_or_else(WxError::invalid_credential)?;
        let issued = auth
            .access_tokens
            .iter()
            .find(|t| t.value == token)
            .ok_or_else(WxError::invalid_credential)?;
        issued.check(now, secs(config.behaviour.authorizer_token_grace))?;
        Ok(auth.authorizer_appid.clone())
    }
}

/// A new authorizer_access_token supersedes the previous ones (their grace is configurable).
fn mint_authorizer_token(auth: &mut Authorization, now: i64, config: &SimConfig) -> Issued {
    for old in auth.access_tokens.iter_mut() {
        old.superseded_at.get_or_insert(now);
    }
    let token = Issued::new(
        tokens::access_token(),
        now,
        secs(config.lifetimes.authorizer_token),
    );
    auth.access_tokens.push(token.clone());
    token
}

#[cfg(test)]
mod tests;
