//! Who is signed in, for the admin layout.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::UiError;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedIn {
    pub login: String,
}

#[server(prefix = "/api/admin", endpoint = "me")]
pub async fn get_signed_in() -> Result<SignedIn, UiError> {
    let admin = crate::shared::ssr::admin().await?;
    Ok(SignedIn {
        login: admin.session.login,
    })
}
