//! Facts about the deployment that every page shows (sandbox banner, version).

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::UiError;

/// What the layout needs to know about this deployment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SiteInfo {
    /// Running against the built-in WeChat emulator.
    pub sandbox: bool,
    pub version: String,
}

#[server(prefix = "/api", endpoint = "ui/site")]
pub async fn get_site_info() -> Result<SiteInfo, UiError> {
    let platform = super::ssr::platform()?;
    Ok(SiteInfo {
        sandbox: platform.settings().sandbox,
        version: env!("CARGO_PKG_VERSION").to_owned(),
    })
}
