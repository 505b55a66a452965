//! Bodies of the token endpoints: api_component_token,
//! api_start_push_ticket and api_create_preauthcode.

use crate::Secret;
use serde::{Deserialize, Serialize};

/// `POST /cgi-bin/component/api_component_token` (no token).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ComponentTokenRequest {
    /// The platform's appid.
    pub component_appid: String,
    /// The platform's AppSecret.
    pub component_appsecret: Secret,
    /// The newest pushed ticket; never empty (WeChat answers 61006).
    pub component_verify_ticket: Secret,
}

/// Answer of api_component_token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ComponentTokenResponse {
    /// Valid for `expires_in` seconds (7200).
    pub component_access_token: Secret,
    /// Seconds.
    pub expires_in: u64,
}

/// `POST /cgi-bin/component/api_start_push_ticket` (no token). Note the
/// field is `component_secret` here, not `component_appsecret`. Answered by
/// an [`super::ErrorBody`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StartPushTicketRequest {
    /// The platform's appid.
    pub component_appid: String,
    /// The platform's AppSecret.
    pub component_secret: Secret,
}

/// `POST /cgi-bin/component/api_create_preauthcode?component_access_token=…`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreAuthCodeRequest {
    /// The platform's appid.
    pub component_appid: String,
}

/// Answer of api_create_preauthcode.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreAuthCodeResponse {
    /// `preauthcode@@@…` (78 or 100 characters in captures).
    pub pre_auth_code: Secret,
    /// Seconds; live answers say 1800 (the doc's example says 600).
    pub expires_in: u64,
}
