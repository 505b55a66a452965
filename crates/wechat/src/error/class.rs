//! [`ErrorClass`]: what a caller should do about a failed call (retry,
//! refresh a token, wait for a ticket, fix the whitelist, ...), with one line
//! of operator advice per class in zh-CN and English, and the errcode
//! mapping (`wechat-open-platform.md` §6, `wechat-protocol-details.md` §10).

use std::net::IpAddr;

/// What a caller should do about an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorClass {
    /// -1, 45011, timeouts, connection errors, HTTP 5xx: retry with backoff.
    Retryable,
    /// 40001 / 40014 / 42001: the access token is invalid, superseded or
    /// expired: re-read the stored token, refresh it if it is the failing
    /// one, retry once.
    TokenInvalid,
    /// 61005 / 61006: the verify ticket is expired or invalid: wait for a
    /// new push or call api_start_push_ticket.
    Ticket,
    /// 61023: the refresh token is invalid: recover it from
    /// api_get_authorizer_list, else ask for re-authorization.
    RefreshTokenInvalid,
    /// 61004: our egress IP is not whitelisted; `ip` is parsed from errmsg.
    IpNotWhitelisted {
        /// The IP WeChat saw, when errmsg names it.
        ip: Option<IpAddr>,
    },
    /// 45009: the daily quota is used up.
    Quota,
    /// 61003 / 61007 / 61009 / 61010 / 48001: the authorization is revoked,
    /// lacks a permission set, or the code is bad or expired.
    Authorization,
    /// Everything else (configuration errors, bugs, unknown codes).
    Other,
}

impl ErrorClass {
    /// One line of operator advice in zh-CN.
    pub fn advice_zh(&self) -> &'static str {
        match self {
            Self::Retryable => "微信服务暂时不可用，系统将稍后自动重试。",
            Self::TokenInvalid => "接口调用令牌已失效，系统将刷新令牌后重试一次。",
            Self::Ticket => {
                "component_verify_ticket 已过期或无效：请等待微信推送新票据，或调用启动票据推送服务。"
            }
            Self::RefreshTokenInvalid => {
                "授权方刷新令牌无效：请尝试从授权列表恢复，否则请商户重新授权。"
            }
            Self::IpNotWhitelisted { .. } => {
                "服务器出口 IP 不在第三方平台的白名单中：请在开放平台「开发资料」中添加该 IP。"
            }
            Self::Quota => "今日接口调用次数已用完：请停止调用并检查调用频率，必要时清零配额。",
            Self::Authorization => "授权已取消、缺少所需权限集或授权码无效：请商户重新授权。",
            Self::Other => {
                "微信返回了错误：请检查第三方平台配置（AppID、AppSecret 等）或查看日志。"
            }
        }
    }

    /// One line of operator advice in English.
    pub fn advice_en(&self) -> &'static str {
        match self {
            Self::Retryable => {
                "WeChat is temporarily unavailable; the call will be retried with backoff."
            }
            Self::TokenInvalid => {
                "The access token is no longer valid; it will be refreshed and the call retried once."
            }
            Self::Ticket => {
                "The component_verify_ticket is expired or invalid: wait for the next push or call api_start_push_ticket."
            }
            Self::RefreshTokenInvalid => {
                "The authorizer's refresh token is invalid: recover it from the authorizer list, otherwise ask the merchant to re-authorize."
            }
            Self::IpNotWhitelisted { .. } => {
                "The server's egress IP is not whitelisted: add it in the Open Platform console (开发资料)."
            }
            Self::Quota => {
                "The daily API quota is used up: stop calling, check the call rate, and clear the quota if needed."
            }
            Self::Authorization => {
                "The authorization was revoked, lacks a permission set, or the code is invalid: ask the merchant to re-authorize."
            }
            Self::Other => {
                "WeChat returned an error: check the platform configuration (AppID, AppSecret) or the logs."
            }
        }
    }
}

impl ErrorClass {
    /// Whether the failure says nothing lasting about the account or the
    /// platform: WeChat or the network was briefly unavailable (-1, 45011,
    /// timeouts, 5xx), or the daily quota ran out (45009). Such a failure is
    /// retried later; it never becomes a permanent state.
    pub fn is_transient(&self) -> bool {
        matches!(self, Self::Retryable | Self::Quota)
    }
}

/// Maps an errcode to its class. On api_component_token 40001 means a wrong
/// AppSecret, not a stale token, so it is a configuration error there.
pub fn classify(endpoint: &str, errcode: i64, errmsg: &str) -> ErrorClass {
    match errcode {
        -1 | 45011 => ErrorClass::Retryable,
        40001 if endpoint == "api_component_token" => ErrorClass::Other,
        40001 | 40014 | 42001 => ErrorClass::TokenInvalid,
        61005 | 61006 => ErrorClass::Ticket,
        61023 => ErrorClass::RefreshTokenInvalid,
        61004 => ErrorClass::IpNotWhitelisted {
            ip: parse_request_ip(errmsg),
        },
        45009 => ErrorClass::Quota,
        61003 | 61007 | 61009 | 61010 | 48001 => ErrorClass::Authorization,
        _ => ErrorClass::Other,
    }
}

/// Finds the caller IP in a 61004 errmsg such as
/// `access clientip is not registered requestIP: 27.18.103.5 rid: …`.
/// Accepts `requestIP`, `request ip`, `clientip` in any case, with or
/// without `:`/`=` and spaces, IPv4 or IPv6.
pub fn parse_request_ip(errmsg: &str) -> Option<IpAddr> {
    let lower = errmsg.to_ascii_lowercase();
    for marker in [
        "requestip",
        "request ip",
        "request_ip",
        "clientip",
        "client ip",
    ] {
        let mut from = 0;
        while let Some(at) = lower[from..].find(marker) {
            let start = from + at + marker.len();
            let rest = errmsg[start..].trim_start_matches([' ', ':', '=', '：', '[', '(']);
            let candidate: String = rest
                .chars()
                .take_while(|c| c.is_ascii_hexdigit() || *c == '.' || *c == ':')
                .collect();
            if let Ok(ip) = candidate.trim_end_matches([':', '.']).parse() {
                return Some(ip);
            }
            from = start;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_unavailability_and_the_quota_are_transient() {
        for code in [-1, 45011, 45009] {
            assert!(
                classify("api_authorizer_token", code, "").is_transient(),
                "{code}"
            );
        }
        for code in [40001, 61005, 61023, 61004, 61003, 48001, 0, 12345] {
            assert!(
                !classify("api_authorizer_token", code, "").is_transient(),
                "{code}"
            );
        }
    }

    #[test]
    fn the_ip_is_parsed_from_the_live_61004_message() {
        let msg = "access clientip is not registered requestIP: 27.18.103.5 rid: 62a9a3ac-204f22d9-196a7580";
        assert_eq!(parse_request_ip(msg), Some("27.18.103.5".parse().unwrap()));
        assert_eq!(
            classify("api_create_preauthcode", 61004, msg),
            ErrorClass::IpNotWhitelisted {
                ip: Some("27.18.103.5".parse().unwrap())
            }
        );
    }

    #[test]
    fn ip_variants_without_space_or_in_other_spellings_are_parsed() {
        assert_eq!(
            parse_request_ip("requestIP:1.2.3.4"),
            Some("1.2.3.4".parse().unwrap())
        );
        assert_eq!(
            parse_request_ip("invalid ip 1.2.3.4, request ip = 5.6.7.8"),
            Some("5.6.7.8".parse().unwrap())
        );
        assert_eq!(
            parse_request_ip("clientip: 2001:db8::1 rid: x"),
            Some("2001:db8::1".parse().unwrap())
        );
        assert_eq!(
            parse_request_ip("access clientip is not registered hint: [x]"),
            None
        );
    }

    #[test]
    fn errcodes_map_to_the_documented_classes() {
        let cases = [
            (-1, ErrorClass::Retryable),
            (40001, ErrorClass::TokenInvalid),
            (40014, ErrorClass::TokenInvalid),
            (42001, ErrorClass::TokenInvalid),
            (61005, ErrorClass::Ticket),
            (61006, ErrorClass::Ticket),
            (61023, ErrorClass::RefreshTokenInvalid),
            (45009, ErrorClass::Quota),
            (61003, ErrorClass::Authorization),
            (61007, ErrorClass::Authorization),
            (40013, ErrorClass::Other),
        ];
        for (code, class) in cases {
            assert_eq!(classify("api_query_auth", code, ""), class, "{code}");
        }
    }

    #[test]
    fn errcode_40001_on_api_component_token_is_a_configuration_error() {
        assert_eq!(
            classify("api_component_token", 40001, ""),
            ErrorClass::Other
        );
    }

    #[test]
    fn every_class_has_advice_in_both_languages() {
        let classes = [
            ErrorClass::Retryable,
            ErrorClass::TokenInvalid,
            ErrorClass::Ticket,
            ErrorClass::RefreshTokenInvalid,
            ErrorClass::IpNotWhitelisted { ip: None },
            ErrorClass::Quota,
            ErrorClass::Authorization,
            ErrorClass::Other,
        ];
        for class in classes {
            assert!(!class.advice_zh().is_empty() && class.advice_zh().is_char_boundary(3));
            assert!(!class.advice_en().is_empty());
        }
    }
}
