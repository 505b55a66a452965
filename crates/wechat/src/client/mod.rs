//! [`ComponentClient`]: an async client for the component API
//! (`/cgi-bin/component/…` on api.weixin.qq.com or the emulator).
//!
//! One method per endpoint (in `endpoints.rs`). Every call is a JSON POST;
//! the component token travels as the query parameter
//! `component_access_token` (what every SDK sends; newer doc pages write
//! `access_token`). WeChat answers errors with HTTP 200 and
//! `{"errcode":N,"errmsg":"…"}`; errcode 0 or absent is success. The client
//! does not retry: the [`crate::error::ErrorClass`] of an error says whether
//! and how the caller should.
//!
//! ```no_run
//! # async fn demo() -> Result<(), wechat::error::WechatError> {
//! use wechat::{Secret, client::{ClientConfig, ComponentClient}};
//! let client = ComponentClient::new(ClientConfig::default(), "wx0123456789abcdef", Secret::new("app-secret"))?;
//! let token = Secret::new("component-access-token");
//! let auth = client.api_query_auth(&token, &Secret::new("queryauthcode@@@…")).await?;
//! println!("authorized by {}", auth.authorization_info.authorizer_appid);
//! # Ok(()) }
//! ```

mod endpoints;
mod fast_register;

use crate::Secret;
use crate::error::WechatError;
use crate::wire::ErrorBody;
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::time::Duration;

/// Where and how to reach WeChat.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientConfig {
    /// The API host; the emulator's base URL in tests and sandbox mode.
    pub api_base: String,
    /// Host of the PC authorization page.
    pub mp_base: String,
    /// Host of the mobile authorization page.
    pub open_base: String,
    /// TCP + TLS connect timeout.
    pub connect_timeout: Duration,
    /// Whole-request timeout.
    pub request_timeout: Duration,
}

impl Default for ClientConfig {
    fn default() -> Self {
        Self {
            api_base: "https://api.weixin.qq.com".into(),
            mp_base: "https://mp.weixin.qq.com".into(),
            open_base: "https://open.weixin.qq.com".into(),
            connect_timeout: Duration::from_secs(5),
            request_timeout: Duration::from_secs(15),
        }
    }
}

/// The component API client for one platform (component appid + secret).
#[derive(Debug, Clone)]
pub struct ComponentClient {
    http: reqwest::Client,
    config: ClientConfig,
    component_appid: String,
    component_appsecret: Secret,
}

/// Largest answer body accepted; real answers are a few KiB.
const MAX_RESPONSE_LEN: usize = 1024 * 1024;

impl ComponentClient {
    /// Builds a client (rustls, the configured timeouts).
    pub fn new(
        config: ClientConfig,
        component_appid: impl Into<String>,
        component_appsecret: Secret,
    ) -> Result<Self, WechatError> {
        for base in [&config.api_base, &config.mp_base, &config.open_base] {
            url::Url::parse(base).map_err(|_| WechatError::Config(format!("not a URL: {base}")))?;
        }
        let http = reqwest::Client::builder()
            .connect_timeout(config.connect_timeout)
            .timeout(config.request_timeout)
            .build()
            .map_err(|e| WechatError::Config(e.without_url().to_string()))?;
        Ok(Self {
            http,
            config,
            component_appid: component_appid.into(),
            component_appsecret,
        })
    }

    /// The platform's appid.
    pub fn component_appid(&self) -> &str {
        &self.component_appid
    }

    /// The configuration.
    pub fn config(&self) -> &ClientConfig {
        &self.config
    }

    /// POSTs `body` to `/cgi-bin/component/{endpoint}` and decodes the
    /// answer, turning a non-zero errcode into [`WechatError::Api`].
    async fn post<B: Serialize, R: DeserializeOwned>(
        &self,
        endpoint: &'static str,
        token: Option<&Secret>,
        body: &B,
    ) -> Result<R, WechatError> {
        let path = format!("cgi-bin/component/{endpoint}");
        let token = token.map(|t| ("component_access_token", t));
        self.post_to(endpoint, &path, token, body).await
    }

    /// POSTs `body` as JSON to `path` under the API base, with the token in
    /// the query under its name, and decodes the answer of `endpoint`.
    async fn post_to<B: Serialize, R: DeserializeOwned>(
        &self,
        endpoint: &'static str,
        path: &str,
        token: Option<(&'static str, &Secret)>,
        body: &B,
    ) -> Result<R, WechatError> {
        let url = format!("{}/{path}", self.config.api_base.trim_end_matches('/'));
        let mut request = self.http.post(url).json(body);
        if let Some((name, token)) = token {
            request = request.query(&[(name, token.expose())]);
        }
        let transport = |e: reqwest::Error| {
            let e = e.without_url(); // the URL carries the token
            if e.is_timeout() {
                WechatError::Timeout { endpoint }
            } else if e.is_connect() {
                WechatError::Connect {
                    endpoint,
                    source: e,
                }
            } else {
                WechatError::Transport {
                    endpoint,
                    source: e,
                }
            }
        };
        let response = request.send().await.map_err(transport)?;
        let status = response.status();
        if status != reqwest::StatusCode::OK {
            return Err(WechatError::Http {
                endpoint,
                status: status.as_u16(),
            });
        }
        if response
            .content_length()
            .is_some_and(|len| len > MAX_RESPONSE_LEN as u64)
        {
            return Err(WechatError::Decode {
                endpoint,
                reason: "answer too large".into(),
            });
        }
        let bytes = response.bytes().await.map_err(transport)?;
        decode(endpoint, &bytes)
    }
}

/// Decodes an answer of `endpoint`: errcode first (any non-zero one is
/// [`WechatError::Api`]), then the expected shape. Public for the fuzz targets:
/// every byte of an answer is untrusted input.
pub fn decode<R: DeserializeOwned>(endpoint: &'static str, bytes: &[u8]) -> Result<R, WechatError> {
    let decode_error = |e: serde_json::Error| WechatError::Decode {
        endpoint,
        // Category and position only: serde's message can quote values.
        reason: format!(
            "{:?} at line {} column {}",
            e.classify(),
            e.line(),
            e.column()
        ),
    };
    let status: ErrorBody = serde_json::from_slice(bytes).map_err(decode_error)?;
    if !status.is_ok() {
        let errmsg: String = status.errmsg.chars().take(256).collect();
        tracing::debug!(endpoint, errcode = status.errcode, %errmsg, "WeChat API error");
        return Err(WechatError::Api {
            endpoint,
            errcode: status.errcode,
            errmsg,
        });
    }
    serde_json::from_slice(bytes).map_err(decode_error)
}

#[cfg(test)]
mod failure_tests;
#[cfg(test)]
mod tests;
