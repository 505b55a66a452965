//! Bodies of api_query_auth (exchange an authorization code) and
//! api_authorizer_token (refresh an authorizer token), and `func_info`.

use crate::Secret;
use serde::{Deserialize, Serialize};

/// `POST /cgi-bin/component/api_query_auth?component_access_token=…`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueryAuthRequest {
    /// The platform's appid.
    pub component_appid: String,
    /// `queryauthcode@@@…` from the redirect or the `authorized` push.
    pub authorization_code: Secret,
}

/// Answer of api_query_auth.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueryAuthResponse {
    /// The authorization.
    pub authorization_info: AuthorizationInfo,
}

/// `authorization_info`, in api_query_auth and api_get_authorizer_info.
/// The tokens are returned only when the account granted API permissions,
/// and api_get_authorizer_info never returns the access token.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthorizationInfo {
    /// The authorizer's appid. (The old doc's table says
    /// `authorization_appid`; its examples and live traffic use this name.)
    #[serde(alias = "authorization_appid")]
    pub authorizer_appid: String,
    /// The authorizer's access token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authorizer_access_token: Option<Secret>,
    /// Seconds (7200).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_in: Option<u64>,
    /// `refreshtoken@@@…`; store every value returned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authorizer_refresh_token: Option<Secret>,
    /// The granted permission sets.
    #[serde(default)]
    pub func_info: Vec<FuncInfo>,
}

/// One granted permission set.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FuncInfo {
    /// The set.
    pub funcscope_category: FuncscopeCategory,
    /// Present on some mini-program sets (live captures).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confirm_info: Option<ConfirmInfo>,
}

/// `funcscope_category`: the id, plus optional `name`/`desc` on newer pages.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FuncscopeCategory {
    /// Permission-set id; see [`crate::permissions`].
    pub id: i64,
    /// Name, when WeChat sends one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Description, when WeChat sends one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub desc: Option<String>,
}

/// `confirm_info` beside some `funcscope_category` entries.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfirmInfo {
    /// 1 when the set needs the admin's confirmation.
    #[serde(default)]
    pub need_confirm: i64,
    /// 1 when already confirmed.
    #[serde(default)]
    pub already_confirm: i64,
    /// 1 when it can be confirmed.
    #[serde(default)]
    pub can_confirm: i64,
}

impl FuncInfo {
    /// A bare entry with just the id.
    pub fn with_id(id: i64) -> Self {
        Self {
            funcscope_category: FuncscopeCategory {
                id,
                ..FuncscopeCategory::default()
            },
            confirm_info: None,
        }
    }
}

/// `POST /cgi-bin/component/api_authorizer_token?component_access_token=…`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthorizerTokenRequest {
    /// The platform's appid.
    pub component_appid: String,
    /// The authorizer's appid.
    pub authorizer_appid: String,
    /// Never empty or `null` (WeChat answers 61023).
    pub authorizer_refresh_token: Secret,
}

/// Answer of api_authorizer_token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthorizerTokenResponse {
    /// The new access token.
    pub authorizer_access_token: Secret,
    /// Seconds (7200).
    pub expires_in: u64,
    /// Normally unchanged; when it changes the old one works ~5 more
    /// minutes. Optional to be lenient: keep the old one when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authorizer_refresh_token: Option<Secret>,
}
