//! [`ComponentPush`]: the decrypted pushes at the authorization-event URL,
//! parsed from and written back to WeChat's XML.
//!
//! Field names follow WeChat's elements (named in each doc comment). Strings
//! may or may not be wrapped in CDATA; numbers are bare. An InfoType we do not
//! know is kept as [`ComponentPush::Unknown`] so the endpoint can still answer
//! `success` and log it.

use super::precheck_xml;
use crate::Secret;
use crate::crypto::CryptoError;
use serde::Deserialize;

/// A decrypted push to the platform itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ComponentPush {
    /// InfoType `component_verify_ticket`, every 10 minutes; valid 12 hours.
    VerifyTicket {
        /// `AppId`: the component appid.
        app_id: String,
        /// `CreateTime`: Unix seconds.
        create_time: i64,
        /// `ComponentVerifyTicket`: `ticket@@@…`.
        ticket: Secret,
    },
    /// InfoType `authorized`: a new authorization.
    Authorized {
        /// `AppId`: the component appid.
        app_id: String,
        /// `CreateTime`: Unix seconds.
        create_time: i64,
        /// `AuthorizerAppid`: the account that authorized.
        authorizer_appid: String,
        /// `AuthorizationCode`: `queryauthcode@@@…`, for api_query_auth.
        authorization_code: Secret,
        /// `AuthorizationCodeExpiredTime`: an absolute Unix time (live pushes
        /// show CreateTime + 3600), although the doc says "seconds".
        authorization_code_expired_time: i64,
        /// `PreAuthCode`: the pre-auth code of the link the admin used; ties
        /// the push to our invitation. Optional to be lenient.
        pre_auth_code: Option<Secret>,
    },
    /// InfoType `updateauthorized`: the permission sets changed; same fields
    /// as [`ComponentPush::Authorized`].
    UpdateAuthorized {
        /// `AppId`.
        app_id: String,
        /// `CreateTime`.
        create_time: i64,
        /// `AuthorizerAppid`.
        authorizer_appid: String,
        /// `AuthorizationCode`.
        authorization_code: Secret,
        /// `AuthorizationCodeExpiredTime` (absolute Unix time).
        authorization_code_expired_time: i64,
        /// `PreAuthCode`.
        pre_auth_code: Option<Secret>,
    },
    /// InfoType `unauthorized`: the account revoked; its tokens stop working.
    Unauthorized {
        /// `AppId`.
        app_id: String,
        /// `CreateTime`.
        create_time: i64,
        /// `AuthorizerAppid`.
        authorizer_appid: String,
    },
    /// InfoType `notify_third_fasteregister`: result of fast mini-program
    /// registration. Lowercase element names, unlike the other pushes.
    FastRegister {
        /// `AppId`.
        app_id: String,
        /// `CreateTime`.
        create_time: i64,
        /// `appid`: the new mini program (absent on failure).
        appid: Option<String>,
        /// `status`: 0 success, otherwise a failure code.
        status: i64,
        /// `auth_code`: an authorization code for api_query_auth (on success).
        auth_code: Option<Secret>,
        /// `msg`: WeChat's message.
        msg: Option<String>,
        /// `info`: the registration request echoed back.
        info: Option<FastRegisterInfo>,
    },
    /// Any other InfoType, kept verbatim.
    Unknown {
        /// `InfoType` as sent.
        info_type: String,
        /// The whole decrypted XML.
        raw_xml: String,
    },
}

/// `info` of `notify_third_fasteregister`; every field optional (live
/// pushes vary: the personal variant adds `taskid`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct FastRegisterInfo {
    /// `name`: company name.
    pub name: Option<String>,
    /// `code`: company code.
    pub code: Option<String>,
    /// `code_type`: 1 credit code, 2 organisation code, 3 licence number.
    pub code_type: Option<String>,
    /// `legal_persona_wechat`.
    pub legal_persona_wechat: Option<String>,
    /// `legal_persona_name`.
    pub legal_persona_name: Option<String>,
    /// `component_phone`.
    pub component_phone: Option<String>,
}

#[derive(Deserialize)]
struct InfoTypeOnly {
    #[serde(rename = "InfoType")]
    info_type: Option<String>,
}

#[derive(Deserialize)]
struct RawPush {
    #[serde(rename = "AppId")]
    app_id: Option<String>,
    #[serde(rename = "CreateTime")]
    create_time: Option<String>,
    #[serde(rename = "ComponentVerifyTicket")]
    ticket: Option<String>,
    #[serde(rename = "AuthorizerAppid")]
    authorizer_appid: Option<String>,
    #[serde(rename = "AuthorizationCode")]
    authorization_code: Option<String>,
    #[serde(rename = "AuthorizationCodeExpiredTime")]
    authorization_code_expired_time: Option<String>,
    #[serde(rename = "PreAuthCode")]
    pre_auth_code: Option<String>,
    appid: Option<String>,
    status: Option<String>,
    auth_code: Option<String>,
    msg: Option<String>,
    info: Option<FastRegisterInfo>,
}

fn required(value: Option<String>, missing: &'static str) -> Result<String, CryptoError> {
    value
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty())
        .ok_or(CryptoError::BadXml(missing))
}

fn number(value: Option<String>, missing: &'static str) -> Result<i64, CryptoError> {
    required(value, missing)?
        .parse()
        .map_err(|_| CryptoError::BadXml(missing))
}

fn optional(value: Option<String>) -> Option<String> {
    value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
}

impl ComponentPush {
    /// Parses a decrypted push (size-checked, no DTDs).
    pub fn parse(xml: &str) -> Result<Self, CryptoError> {
        precheck_xml(xml)?;
        let head: InfoTypeOnly = quick_xml::de::from_str(xml)
            .map_err(|_| CryptoError::BadXml("push is not well-formed"))?;
        let info_type = required(head.info_type, "push has no InfoType")?;
        let known = matches!(
            info_type.as_str(),
            "component_verify_ticket"
                | "authorized"
                | "updateauthorized"
                | "unauthorized"
                | "notify_third_fasteregister"
        );
        if !known {
            return Ok(Self::Unknown {
                info_type,
                raw_xml: xml.to_owned(),
            });
        }
        let raw: RawPush = quick_xml::de::from_str(xml)
            .map_err(|_| CryptoError::BadXml("push fields are malformed"))?;
        let app_id = required(raw.app_id, "push has no AppId")?;
        let create_time = number(raw.create_time, "CreateTime missing or not a number")?;
        let push = match info_type.as_str() {
            "component_verify_ticket" => Self::VerifyTicket {
                app_id,
                create_time,
                ticket: required(raw.ticket, "ComponentVerifyTicket missing")?.into(),
            },
            "unauthorized" => Self::Unauthorized {
                app_id,
                create_time,
                authorizer_appid: required(raw.authorizer_appid, "AuthorizerAppid missing")?,
            },
            "notify_third_fasteregister" => Self::FastRegister {
                app_id,
                create_time,
                appid: optional(raw.appid),
                status: number(raw.status, "status missing or not a number")?,
                auth_code: optional(raw.auth_code).map(Secret::from),
                msg: optional(raw.msg),
                info: raw.info,
            },
            _ => {
                let authorizer_appid = required(raw.authorizer_appid, "AuthorizerAppid missing")?;
                let authorization_code: Secret =
                    required(raw.authorization_code, "AuthorizationCode missing")?.into();
                let authorization_code_expired_time = number(
                    raw.authorization_code_expired_time,
                    "AuthorizationCodeExpiredTime missing or not a number",
                )?;
                let pre_auth_code = optional(raw.pre_auth_code).map(Secret::from);
                if info_type == "authorized" {
                    Self::Authorized {
                        app_id,
                        create_time,
                        authorizer_appid,
                        authorization_code,
                        authorization_code_expired_time,
                        pre_auth_code,
                    }
                } else {
                    Self::UpdateAuthorized {
                        app_id,
                        create_time,
                        authorizer_appid,
                        authorization_code,
                        authorization_code_expired_time,
                        pre_auth_code,
                    }
                }
            }
        };
        Ok(push)
    }

    /// The `InfoType` string.
    pub fn info_type(&self) -> &str {
        match self {
            Self::VerifyTicket { .. } => "component_verify_ticket",
            Self::Authorized { .. } => "authorized",
            Self::UpdateAuthorized { .. } => "updateauthorized",
            Self::Unauthorized { .. } => "unauthorized",
            Self::FastRegister { .. } => "notify_third_fasteregister",
            Self::Unknown { info_type, .. } => info_type,
        }
    }

    /// `AppId` (the component appid); `None` for unknown pushes.
    pub fn app_id(&self) -> Option<&str> {
        match self {
            Self::VerifyTicket { app_id, .. }
            | Self::Authorized { app_id, .. }
            | Self::UpdateAuthorized { app_id, .. }
            | Self::Unauthorized { app_id, .. }
            | Self::FastRegister { app_id, .. } => Some(app_id),
            Self::Unknown { .. } => None,
        }
    }
}

#[cfg(test)]
#[path = "component_tests.rs"]
mod tests;
