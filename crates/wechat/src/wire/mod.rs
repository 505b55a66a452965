//! Request and response bodies of the component API with exactly WeChat's
//! JSON field names. Both directions derive Serialize and Deserialize: the
//! client sends requests and reads responses, the emulator the reverse.
//!
//! Lenient like WeChat's own clients: unknown fields are ignored, fields that
//! WeChat omits in some cases are `Option` or defaulted, and optional fields
//! are left out when serializing rather than sent as `null`.

mod auth;
mod authorizer;
mod token;

pub use auth::{
    AuthorizationInfo, AuthorizerTokenRequest, AuthorizerTokenResponse, ConfirmInfo, FuncInfo,
    FuncscopeCategory, QueryAuthRequest, QueryAuthResponse,
};
pub use authorizer::{
    AuthorizerInfo, AuthorizerInfoRequest, AuthorizerInfoResponse, AuthorizerListItem,
    AuthorizerListRequest, AuthorizerListResponse, AuthorizerOptionRequest,
    AuthorizerOptionResponse, BasicConfig, BusinessInfo, MiniProgramCategory, MiniProgramInfo,
    SetAuthorizerOptionRequest, TypeInfo,
};
pub use token::{
    ComponentTokenRequest, ComponentTokenResponse, PreAuthCodeRequest, PreAuthCodeResponse,
    StartPushTicketRequest,
};

use serde::{Deserialize, Serialize};

/// `{"errcode":N,"errmsg":"…"}`: every error body, and the whole success
/// body of action APIs (`{"errcode":0,"errmsg":"ok"}`). Both fields default
/// because data APIs omit them on success.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    /// 0 or absent = success.
    #[serde(default)]
    pub errcode: i64,
    /// WeChat's message; modern ones end with ` rid: …`.
    #[serde(default)]
    pub errmsg: String,
}

impl ErrorBody {
    /// The success body of action APIs.
    pub fn ok() -> Self {
        Self {
            errcode: 0,
            errmsg: "ok".into(),
        }
    }

    /// True when `errcode` is 0 (or was absent).
    pub fn is_ok(&self) -> bool {
        self.errcode == 0
    }
}

#[cfg(test)]
mod tests;
