//! WeChat's errcodes and errmsg texts (details §10), as the emulator answers them.

use serde::Serialize;

/// An API error as WeChat reports it: HTTP 200 with `{"errcode","errmsg"}`.
/// The API layer appends the ` rid: …` suffix modern errmsgs carry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WxError {
    pub errcode: i64,
    pub errmsg: String,
}

impl WxError {
    /// Any errcode with any message (used by fault injection).
    pub fn new(errcode: i64, errmsg: impl Into<String>) -> Self {
        WxError {
            errcode,
            errmsg: errmsg.into(),
        }
    }

    /// WeChat's own errmsg for a known errcode, so injected faults look real.
    pub fn from_code(errcode: i64) -> Self {
        let errmsg = match errcode {
            -1 => "system error",
            40001 => "invalid credential, access_token is invalid or not latest",
            40013 => "invalid appid",
            40014 => "invalid access_token",
            40125 => "invalid appsecret",
            40170 => "args count exceed count limit",
            41001 => "access_token missing",
            41004 => "appsecret missing",
            42001 => "access_token expired",
            45009 => "reach max api daily quota limit",
            45011 => "api minute-quota reach limit",
            47001 => "data format error",
            48001 => "api unauthorized",
            61003 => "component is not authorized by this account",
            61004 => "access clientip is not registered",
            61005 => "component ticket is expired",
            61006 => "component ticket is invalid",
            61007 => "api is unauthorized to component",
            61009 => "code is invalid",
            61010 => "code is expired",
            61011 => "invalid component",
            61012 => "invalid option name",
            61013 => "invalid option value",
            61014 => "must use component token for component api",
            61023 => "refresh_token is invalid",
            61070 => "name, wechat name not in accordance",
            86004 => "invalid wechat",
            89247 => "inner error",
            89248 => "invalid code type",
            89249 => "task running",
            89250 => "not found task",
            89251 => "legal person checking",
            89252 => "front checking",
            89253 => "lack of some params",
            89254 => "lack of some component rights",
            89255 => "code is invalid",
            _ => "emulated error",
        };
        WxError::new(errcode, errmsg)
    }

    pub fn system_error() -> Self {
        Self::from_code(-1)
    }
    pub fn invalid_credential() -> Self {
        Self::from_code(40001)
    }
    pub fn invalid_appid() -> Self {
        Self::from_code(40013)
    }
    pub fn invalid_appsecret() -> Self {
        Self::from_code(40125)
    }
    pub fn token_missing() -> Self {
        Self::from_code(41001)
    }
    pub fn appsecret_missing() -> Self {
        Self::from_code(41004)
    }
    pub fn token_expired() -> Self {
        Self::from_code(42001)
    }
    pub fn data_format() -> Self {
        Self::from_code(47001)
    }
    pub fn not_authorized() -> Self {
        Self::from_code(61003)
    }
    /// 61004 carries the caller's address, as live errmsgs do.
    pub fn ip_not_registered(ip: &str) -> Self {
        WxError::new(
            61004,
            format!("access clientip is not registered requestIP: {ip}"),
        )
    }
    pub fn ticket_expired() -> Self {
        Self::from_code(61005)
    }
    pub fn ticket_invalid() -> Self {
        Self::from_code(61006)
    }
    pub fn code_invalid() -> Self {
        Self::from_code(61009)
    }
    pub fn code_expired() -> Self {
        Self::from_code(61010)
    }
    pub fn invalid_component() -> Self {
        Self::from_code(61011)
    }
    pub fn invalid_option_name() -> Self {
        Self::from_code(61012)
    }
    pub fn invalid_option_value() -> Self {
        Self::from_code(61013)
    }
    pub fn must_use_component_token() -> Self {
        Self::from_code(61014)
    }
    pub fn refresh_token_invalid() -> Self {
        Self::from_code(61023)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_codes_carry_wechats_own_wording() {
        assert_eq!(WxError::from_code(61023).errmsg, "refresh_token is invalid");
        assert_eq!(
            WxError::ip_not_registered("10.0.0.1").errmsg,
            "access clientip is not registered requestIP: 10.0.0.1"
        );
    }
}
