//! Fast registration of enterprise mini programs (快速注册企业小程序,
//! `fastregisterweapp`, details §7): the create and search bodies, the
//! entity codes and their formats, the create errors, and the result
//! statuses of the `notify_third_fasteregister` push.

mod status;

use serde::{Deserialize, Serialize};

pub use status::{CreateRefusal, RegistrationOutcome, SearchAnswer};

/// What kind of entity code the merchant gives (`code_type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum CodeType {
    /// 1: unified social credit code (统一社会信用代码), 18 characters.
    CreditCode,
    /// 2: organisation code (组织机构代码), `xxxxxxxx-x`.
    OrganizationCode,
    /// 3: business licence registration number (营业执照注册号), 15 digits.
    BusinessLicence,
}

/// Why a code does not fit its type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CodeError {
    #[error("a unified social credit code has 18 digits or capital letters (not I, O, S, V or Z)")]
    CreditCode,
    #[error("an organisation code is 8 digits or capital letters, a hyphen, then a digit or X")]
    OrganizationCode,
    #[error("a business licence number has 15 digits")]
    BusinessLicence,
}

/// The letters GB 32100 allows in a unified social credit code.
const CREDIT_CODE_CHARS: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";

impl CodeType {
    /// Every type, in the order a form offers them.
    pub const ALL: [CodeType; 3] = [
        CodeType::CreditCode,
        CodeType::OrganizationCode,
        CodeType::BusinessLicence,
    ];

    /// The `code_type` number on the wire.
    pub fn code(self) -> u8 {
        match self {
            CodeType::CreditCode => 1,
            CodeType::OrganizationCode => 2,
            CodeType::BusinessLicence => 3,
        }
    }

    pub fn from_code(code: u8) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.code() == code)
    }

    /// Checks `code` against this type's format and returns it as WeChat
    /// expects it: trimmed, upper case, an organisation code with its hyphen
    /// (added when typed without one).
    pub fn normalize(self, code: &str) -> Result<String, CodeError> {
        let code: String = code.trim().to_ascii_uppercase();
        match self {
            CodeType::CreditCode => {
                let ok = code.chars().count() == 18
                    && code.chars().all(|c| CREDIT_CODE_CHARS.contains(c));
                ok.then_some(code).ok_or(CodeError::CreditCode)
            }
            CodeType::OrganizationCode => {
                let code = match code.len() {
                    9 if code.is_ascii() && !code.contains('-') => {
                        format!("{}-{}", &code[..8], &code[8..])
                    }
                    _ => code,
                };
                let bytes = code.as_bytes();
                let ok = bytes.len() == 10
                    && bytes[..8].iter().all(|b| b.is_ascii_alphanumeric())
                    && bytes[8] == b'-'
                    && (bytes[9].is_ascii_digit() || bytes[9] == b'X');
                ok.then_some(code).ok_or(CodeError::OrganizationCode)
            }
            CodeType::BusinessLicence => {
                let ok = code.len() == 15 && code.bytes().all(|b| b.is_ascii_digit());
                ok.then_some(code).ok_or(CodeError::BusinessLicence)
            }
        }
    }
}

/// `POST /cgi-bin/component/fastregisterweapp?action=create` with the
/// component access token. Answered by an error body only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateRequest {
    /// The enterprise's exact registered name.
    pub name: String,
    pub code: String,
    /// 1, 2 or 3 ([`CodeType::code`]).
    pub code_type: u8,
    /// The legal representative's WeChat id (微信号).
    pub legal_persona_wechat: String,
    pub legal_persona_name: String,
    /// The platform's contact phone; optional, left out when empty.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub component_phone: String,
}

/// `POST /cgi-bin/component/fastregisterweapp?action=search`: the task of
/// an entity and its legal representative.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchRequest {
    pub name: String,
    pub legal_persona_wechat: String,
    pub legal_persona_name: String,
}

#[cfg(test)]
mod tests;
