//! Server functions for the merchant's fast registration page
//! (`/onboard/{token}/register`): the newest request of the invite, the
//! form, and sending it. A plain form post: every outcome comes back as the
//! page's address (`problem`, and the typed values sealed in `draft`).

#![allow(
    clippy::too_many_arguments,
    reason = "a server function takes one argument per form field"
)]

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::UiError;
use crate::i18n::Lang;
use crate::shared::views::AuthorizerView;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum RegistrationPage {
    Ready(Box<RegistrationView>),
    /// The invite cannot be used for this; `title` and `detail` say why.
    Problem {
        lang: Lang,
        title: String,
        detail: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegistrationView {
    pub lang: Lang,
    pub token: String,
    pub company_name: String,
    /// The invite's page, in the same language.
    pub invite_url: String,
    /// The newest request made through this invite.
    pub latest: Option<RequestView>,
    /// The form, unless a request is waiting or done.
    pub form: Option<FormView>,
    /// Why the last submission was not sent, in words.
    pub notice: Option<String>,
}

/// Where a request stands, for the merchant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RequestStage {
    /// Waiting for the legal representative (the page refreshes itself).
    Waiting,
    Registered,
    /// Refused, failed or expired: `reason` says why.
    NotRegistered,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestView {
    pub stage: RequestStage,
    pub enterprise: String,
    pub legal_persona_name: String,
    pub submitted_at: String,
    /// When the legal representative's 24 hours end.
    pub confirm_by: String,
    pub reason: Option<String>,
    /// Whether correcting the details and submitting again can help.
    pub can_retry: bool,
    /// The new mini program, once registered.
    pub authorizer: Option<AuthorizerView>,
}

/// The form's values and the one field refused, if any.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormView {
    pub name: String,
    pub code: String,
    pub code_type: u8,
    pub legal_persona_wechat: String,
    pub legal_persona_name: String,
    pub component_phone: String,
    /// `(field name, message)`.
    pub error: Option<(String, String)>,
}

/// What a submission led to (callers without a browser read it; browsers
/// are sent back to the page, which shows it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum SubmitOutcome {
    /// Sent: the legal representative has 24 hours to confirm.
    Sent,
    /// Not sent, or refused by WeChat: `problem` names why, `message` says it.
    NotSent { problem: String, message: String },
}

/// The page for an invite token. `draft` and `problem` come from a
/// submission that was sent back.
#[server(prefix = "/api/onboard", endpoint = "register/page")]
pub async fn get_registration_page(
    token: String,
    lang: Option<String>,
    draft: Option<String>,
    problem: Option<String>,
) -> Result<RegistrationPage, UiError> {
    ssr::page(token, lang, draft, problem).await
}

/// Sends a request to create a mini program for the invite's company.
#[server(prefix = "/api/onboard", endpoint = "register")]
pub async fn submit_fast_registration(
    token: String,
    lang: Option<String>,
    name: String,
    code: String,
    code_type: String,
    legal_persona_wechat: String,
    legal_persona_name: String,
    component_phone: Option<String>,
) -> Result<SubmitOutcome, UiError> {
    let form = platform::fast_registration::RegistrationForm {
        name,
        code,
        code_type: code_type.trim().parse().unwrap_or(0),
        legal_persona_wechat,
        legal_persona_name,
        component_phone,
    };
    ssr::submit(token, lang, form).await
}

#[cfg(feature = "ssr")]
mod ssr;
