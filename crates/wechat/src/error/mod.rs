//! Errors of the component API client ([`WechatError`]), and the
//! [`ErrorClass`] that tells a caller what to do about one (in `class.rs`).
//!
//! No variant contains a token, secret, ticket or code: reqwest errors are
//! stripped of their URL (which carries `component_access_token`), and
//! decode errors keep only serde's category and position.

mod class;

pub use class::{ErrorClass, classify, parse_request_ip};

/// A failed component API call.
#[derive(Debug, thiserror::Error)]
pub enum WechatError {
    /// WeChat answered `{"errcode":N,"errmsg":"…"}` with N ≠ 0.
    #[error("WeChat {endpoint} answered errcode {errcode}: {errmsg}")]
    Api {
        /// The endpoint, e.g. `api_query_auth`.
        endpoint: &'static str,
        /// WeChat's errcode.
        errcode: i64,
        /// WeChat's errmsg (truncated to 256 characters).
        errmsg: String,
    },
    /// No answer within the request timeout.
    #[error("WeChat {endpoint} timed out")]
    Timeout {
        /// The endpoint.
        endpoint: &'static str,
    },
    /// The connection could not be made.
    #[error("could not connect to WeChat for {endpoint}")]
    Connect {
        /// The endpoint.
        endpoint: &'static str,
        /// The cause, without the URL.
        #[source]
        source: reqwest::Error,
    },
    /// Any other transport failure.
    #[error("transport error calling WeChat {endpoint}")]
    Transport {
        /// The endpoint.
        endpoint: &'static str,
        /// The cause, without the URL.
        #[source]
        source: reqwest::Error,
    },
    /// WeChat (or a proxy) answered with a non-200 HTTP status.
    #[error("WeChat {endpoint} answered HTTP {status}")]
    Http {
        /// The endpoint.
        endpoint: &'static str,
        /// The HTTP status.
        status: u16,
    },
    /// A 200 answer whose body is not the JSON we expect.
    #[error("WeChat {endpoint} answered an undecodable body: {reason}")]
    Decode {
        /// The endpoint.
        endpoint: &'static str,
        /// serde's category and position (never the content).
        reason: String,
    },
    /// The client could not be built (bad base URL, TLS set-up).
    #[error("invalid WeChat client configuration: {0}")]
    Config(String),
}

impl WechatError {
    /// WeChat's errcode, for API errors.
    pub fn errcode(&self) -> Option<i64> {
        match self {
            Self::Api { errcode, .. } => Some(*errcode),
            _ => None,
        }
    }

    /// What the caller should do.
    pub fn class(&self) -> ErrorClass {
        match self {
            Self::Api {
                endpoint,
                errcode,
                errmsg,
            } => classify(endpoint, *errcode, errmsg),
            Self::Timeout { .. } | Self::Connect { .. } | Self::Transport { .. } => {
                ErrorClass::Retryable
            }
            Self::Http { status, .. } if *status >= 500 => ErrorClass::Retryable,
            Self::Http { .. } | Self::Decode { .. } | Self::Config(_) => ErrorClass::Other,
        }
    }

    /// Shorthand for `self.class().advice_zh()`.
    pub fn advice_zh(&self) -> &'static str {
        self.class().advice_zh()
    }

    /// Shorthand for `self.class().advice_en()`.
    pub fn advice_en(&self) -> &'static str {
        self.class().advice_en()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_errors_are_retryable_and_client_errors_are_not() {
        assert_eq!(
            WechatError::Http {
                endpoint: "x",
                status: 502
            }
            .class(),
            ErrorClass::Retryable
        );
        assert_eq!(
            WechatError::Http {
                endpoint: "x",
                status: 404
            }
            .class(),
            ErrorClass::Other
        );
    }

    #[test]
    fn api_errors_expose_their_errcode_and_advice() {
        let err = WechatError::Api {
            endpoint: "api_query_auth",
            errcode: 45009,
            errmsg: "reach max api daily quota limit".into(),
        };
        assert_eq!(err.errcode(), Some(45009));
        assert_eq!(err.advice_en(), ErrorClass::Quota.advice_en());
    }
}
