//! The token service's errors: each with its status, a stable code and a
//! message that says what to do, as JSON `{"error", "message"}`.

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use platform::api_keys::{SendError, TokenServiceError};
use platform::authorizers::AuthorizerTokenError;
use platform::component::ComponentTokenError;
use serde::Serialize;

/// Every way a token request can fail, with its status and safe message.
#[derive(Debug)]
pub enum ApiError {
    Unauthorized,
    Forbidden(&'static str),
    BadRequest(String),
    NotFound,
    Conflict {
        code: &'static str,
        message: &'static str,
    },
    Unavailable(String),
    /// WeChat refused a send: status, code and what to do.
    Refused {
        status: StatusCode,
        code: &'static str,
        message: String,
    },
    /// 503 with `Retry-After`: refreshing backs off after failures.
    BackingOff {
        retry_after_secs: i64,
    },
    Internal {
        reference: String,
    },
}

impl ApiError {
    /// Logs the cause once under a fresh reference the caller can quote.
    pub(super) fn internal(cause: &dyn std::fmt::Display) -> Self {
        let reference = format!("{:016x}", rand::random::<u64>());
        tracing::error!(%reference, error = %cause, "token service failed");
        Self::Internal { reference }
    }

    pub(super) fn bad_body(rejection: JsonRejection) -> Self {
        // The rejection says what is wrong with the JSON, never echoes a value.
        Self::BadRequest(rejection.body_text())
    }

    fn parts(&self) -> (StatusCode, &'static str, String) {
        match self {
            Self::Unauthorized => (
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                "send a valid, unrevoked API key as `Authorization: Bearer <key>`".into(),
            ),
            Self::Forbidden(message) => (StatusCode::FORBIDDEN, "forbidden", (*message).into()),
            Self::BadRequest(message) => (StatusCode::BAD_REQUEST, "bad_request", message.clone()),
            Self::NotFound => (
                StatusCode::NOT_FOUND,
                "not_found",
                "no authorizer with this appid".into(),
            ),
            Self::Conflict { code, message } => (StatusCode::CONFLICT, code, (*message).into()),
            Self::Unavailable(message) => (
                StatusCode::SERVICE_UNAVAILABLE,
                "unavailable",
                message.clone(),
            ),
            Self::Refused {
                status,
                code,
                message,
            } => (*status, code, message.clone()),
            Self::BackingOff { retry_after_secs } => (
                StatusCode::SERVICE_UNAVAILABLE,
                "backing_off",
                format!(
                    "the token expired and WeChat failed recently; retry after {retry_after_secs} s"
                ),
            ),
            Self::Internal { reference } => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                format!("internal error, reference {reference}"),
            ),
        }
    }
}

#[derive(Serialize)]
struct ErrorBody<'a> {
    error: &'a str,
    message: String,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, error, message) = self.parts();
        let mut response = (status, Json(ErrorBody { error, message })).into_response();
        if status == StatusCode::UNAUTHORIZED {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        if let Self::BackingOff { retry_after_secs } = self
            && let Ok(value) = HeaderValue::from_str(&retry_after_secs.max(1).to_string())
        {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
        response
    }
}

impl From<TokenServiceError> for ApiError {
    fn from(err: TokenServiceError) -> Self {
        match err {
            TokenServiceError::Forbidden => {
                Self::Forbidden("this API key is not allowed to read this token")
            }
            TokenServiceError::InvalidateForbidden => Self::Forbidden(
                "this API key may read tokens but not invalidate them; create a key with the invalidate permission",
            ),
            TokenServiceError::Authorizer(err) => err.into(),
            TokenServiceError::Component(err) => err.into(),
        }
    }
}

impl From<SendError> for ApiError {
    fn from(err: SendError) -> Self {
        let refused = |status, code, message: &str| Self::Refused {
            status,
            code,
            message: message.to_owned(),
        };
        match err {
            SendError::BadBody => Self::BadRequest(
                "send custom/send's JSON: an object with touser, msgtype and the message".into(),
            ),
            SendError::OutsideWindow => refused(
                StatusCode::CONFLICT,
                "outside_window",
                "WeChat allows customer-service messages only within 48 hours of the user's last message (45015)",
            ),
            SendError::TooMany => refused(
                StatusCode::TOO_MANY_REQUESTS,
                "too_many",
                "the account has sent this user the most messages allowed until the user writes again (45047)",
            ),
            SendError::NotPermitted => refused(
                StatusCode::FORBIDDEN,
                "not_permitted",
                "the account has not granted customer-service messages (消息管理), or its authorization changed: ask it to authorize again (48001)",
            ),
            SendError::InvalidOpenid => refused(
                StatusCode::BAD_REQUEST,
                "invalid_openid",
                "touser is not the openid of a user of this account (40003)",
            ),
            SendError::Refused { errcode } => Self::Refused {
                status: StatusCode::BAD_GATEWAY,
                code: "wechat_refused",
                message: format!("WeChat refused the message with errcode {errcode}"),
            },
            SendError::Unreachable(cause) => {
                tracing::warn!(error = %cause, "custom/send failed");
                Self::Unavailable("WeChat could not be reached; retry shortly".into())
            }
            SendError::Token(err) => err.into(),
        }
    }
}

impl From<AuthorizerTokenError> for ApiError {
    fn from(err: AuthorizerTokenError) -> Self {
        match err {
            AuthorizerTokenError::NotFound => Self::NotFound,
            AuthorizerTokenError::Revoked => Self::Conflict {
                code: "revoked",
                message: "the account revoked its authorization; its tokens are no longer issued",
            },
            AuthorizerTokenError::NeedsReauthorization => Self::Conflict {
                code: "needs_reauthorization",
                message: "the account must authorize the platform again (its refresh token is no longer valid)",
            },
            AuthorizerTokenError::BackingOff { retry_after_secs } => {
                Self::BackingOff { retry_after_secs }
            }
            AuthorizerTokenError::Unavailable(_) | AuthorizerTokenError::Wechat(_) => {
                tracing::warn!(error = %err, "authorizer token unavailable");
                Self::Unavailable(
                    "no valid token right now (WeChat is failing or refusing); retry shortly"
                        .into(),
                )
            }
            other => Self::internal(&other),
        }
    }
}

impl From<ComponentTokenError> for ApiError {
    fn from(err: ComponentTokenError) -> Self {
        match err {
            ComponentTokenError::Unavailable => Self::Unavailable(
                "no valid component token yet (waiting for a ticket or a refresh); retry shortly"
                    .into(),
            ),
            other => Self::internal(&other),
        }
    }
}
