//! Bodies of api_get_authorizer_info, api_get_authorizer_list and the
//! authorizer options (api_get_authorizer_option / api_set_authorizer_option).

use super::AuthorizationInfo;
use crate::Secret;
use serde::{Deserialize, Deserializer, Serialize};

/// `POST /cgi-bin/component/api_get_authorizer_info?component_access_token=…`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthorizerInfoRequest {
    /// The platform's appid.
    pub component_appid: String,
    /// The authorizer's appid.
    pub authorizer_appid: String,
}

/// Answer of api_get_authorizer_info. `authorization_info` is optional
/// because a user reports answers without it (unsure why).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuthorizerInfoResponse {
    /// The account.
    pub authorizer_info: AuthorizerInfo,
    /// The authorization (no access token here).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authorization_info: Option<AuthorizationInfo>,
}

/// `authorizer_info`. Official accounts and mini programs differ; every
/// field is defaulted so either shape decodes.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AuthorizerInfo {
    /// Display name.
    #[serde(default)]
    pub nick_name: String,
    /// Avatar URL.
    #[serde(default)]
    pub head_img: String,
    /// Official account: 0 subscription, 1 upgraded legacy, 2 service.
    /// Mini program: 0 normal, 12 trial, 4 mini game, ...
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_type_info: Option<TypeInfo>,
    /// -1 unverified, 0 WeChat verified, 1–5 other verification kinds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verify_type_info: Option<TypeInfo>,
    /// Original id `gh_…`.
    #[serde(default)]
    pub user_name: String,
    /// Entity name ("个人" for individuals).
    #[serde(default)]
    pub principal_name: String,
    /// Official-account WeChat id; may be empty.
    #[serde(default)]
    pub alias: String,
    /// QR code URL.
    #[serde(default)]
    pub qrcode_url: String,
    /// Mini-program description.
    #[serde(default)]
    pub signature: String,
    /// Feature flags (0/1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub business_info: Option<BusinessInfo>,
    /// Present only for mini programs.
    #[serde(
        rename = "MiniProgramInfo",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub mini_program_info: Option<MiniProgramInfo>,
    /// Mini programs: how the account was registered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub register_type: Option<i64>,
    /// 1 normal, 14 deregistered, 16 banned, 18 warned, 19 frozen.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_status: Option<i64>,
    /// Mini programs: whether phone and email are configured.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub basic_config: Option<BasicConfig>,
}

/// `{"id": N, "name": "…"}` in `service_type_info` / `verify_type_info`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TypeInfo {
    /// The enumeration value.
    pub id: i64,
    /// A name, when WeChat sends one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// `business_info`: numbers 0/1 (not strings, unlike one SDK's types).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BusinessInfo {
    /// Stores.
    #[serde(default)]
    pub open_store: i64,
    /// Scan.
    #[serde(default)]
    pub open_scan: i64,
    /// Payments.
    #[serde(default)]
    pub open_pay: i64,
    /// Cards.
    #[serde(default)]
    pub open_card: i64,
    /// Shake.
    #[serde(default)]
    pub open_shake: i64,
}

/// `MiniProgramInfo`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MiniProgramInfo {
    /// Server domains by kind (`RequestDomain`, `WsRequestDomain`, …); kept
    /// as JSON because the set of kinds keeps growing.
    #[serde(default)]
    pub network: serde_json::Map<String, serde_json::Value>,
    /// Service categories.
    #[serde(default)]
    pub categories: Vec<MiniProgramCategory>,
    /// Deprecated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub visit_status: Option<i64>,
}

/// One `{"first","second"}` category.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MiniProgramCategory {
    /// First level.
    #[serde(default)]
    pub first: String,
    /// Second level.
    #[serde(default)]
    pub second: String,
}

/// `basic_config`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BasicConfig {
    /// Phone configured.
    #[serde(default)]
    pub is_phone_configured: bool,
    /// Email configured.
    #[serde(default)]
    pub is_email_configured: bool,
}

/// `POST /cgi-bin/component/api_get_authorizer_list?component_access_token=…`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthorizerListRequest {
    /// The platform's appid.
    pub component_appid: String,
    /// Start index.
    pub offset: u32,
    /// At most 500.
    pub count: u32,
}

/// Answer of api_get_authorizer_list: how lost refresh tokens are recovered.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthorizerListResponse {
    /// All authorizers.
    #[serde(default)]
    pub total_count: u64,
    /// This page.
    #[serde(default)]
    pub list: Vec<AuthorizerListItem>,
}

/// One authorizer in the list.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthorizerListItem {
    /// The authorizer's appid.
    pub authorizer_appid: String,
    /// Named `refresh_token` here; absent or empty when no code was ever
    /// exchanged.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<Secret>,
    /// Unix seconds.
    #[serde(default)]
    pub auth_time: i64,
}

/// `POST /cgi-bin/component/api_get_authorizer_option?component_access_token=…`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthorizerOptionRequest {
    /// The platform's appid.
    pub component_appid: String,
    /// The authorizer's appid.
    pub authorizer_appid: String,
    /// `location_report`, `voice_recognize` or `customer_service`.
    pub option_name: String,
}

/// `POST /cgi-bin/component/api_set_authorizer_option?component_access_token=…`,
/// answered by an [`super::ErrorBody`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetAuthorizerOptionRequest {
    /// The platform's appid.
    pub component_appid: String,
    /// The authorizer's appid.
    pub authorizer_appid: String,
    /// The option.
    pub option_name: String,
    /// The new value, as a string ("0", "1", "2").
    #[serde(deserialize_with = "string_or_number")]
    pub option_value: String,
}

/// Answer of api_get_authorizer_option.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthorizerOptionResponse {
    /// The authorizer's appid.
    #[serde(default)]
    pub authorizer_appid: String,
    /// The option.
    #[serde(default)]
    pub option_name: String,
    /// The value; documented as a string, accepted as a number too.
    #[serde(deserialize_with = "string_or_number")]
    pub option_value: String,
}

fn string_or_number<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Value {
        S(String),
        N(i64),
    }
    Ok(match Value::deserialize(d)? {
        Value::S(s) => s,
        Value::N(n) => n.to_string(),
    })
}
