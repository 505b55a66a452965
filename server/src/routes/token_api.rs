//! The token service for the operator's other backends (`/api/v1/…`): the
//! stored authorizer and component tokens, and the invalidation a consumer
//! calls when WeChat refused a token (40001). Every request carries
//! `Authorization: Bearer <api key>`; every error is JSON
//! `{"error": code, "message": text}` and never carries a secret.

use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRef, FromRequestParts, Path, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::{Json, Router, routing};
use platform::Platform;
use platform::api_keys::{ApiKey, ApiKeyError, ComponentAccessToken, TokenServiceError};
use platform::authorizers::{AccessToken, AuthorizerTokenError};
use platform::component::ComponentTokenError;
use serde::{Deserialize, Serialize};

/// The routes, to be nested under `/api/v1`.
pub fn routes<S>() -> Router<S>
where
    S: Clone + Send + Sync + 'static,
    Platform: FromRef<S>,
{
    Router::new()
        .route(
            "/authorizers/{appid}/access_token",
            routing::get(authorizer_token),
        )
        .route(
            "/authorizers/{appid}/access_token/invalidate",
            routing::post(invalidate_authorizer_token),
        )
        .route("/component/access_token", routing::get(component_token))
        .route(
            "/component/access_token/invalidate",
            routing::post(invalidate_component_token),
        )
}

#[derive(Debug, Serialize)]
pub struct AuthorizerTokenBody {
    pub authorizer_appid: String,
    pub access_token: String,
    pub expires_at: i64,
}

#[derive(Debug, Serialize)]
pub struct ComponentTokenBody {
    pub component_appid: String,
    pub component_access_token: String,
    pub expires_at: i64,
}

/// `{"access_token": "<the token WeChat refused>"}`.
#[derive(Debug, Deserialize)]
pub struct FailedAuthorizerToken {
    access_token: String,
}

/// `{"component_access_token": "<the token WeChat refused>"}`.
#[derive(Debug, Deserialize)]
pub struct FailedComponentToken {
    #[serde(alias = "access_token")]
    component_access_token: String,
}

pub async fn authorizer_token(
    State(platform): State<Platform>,
    Consumer(key): Consumer,
    Path(appid): Path<String>,
) -> Result<Response, ApiError> {
    let token = platform
        .token_service()
        .authorizer_token(&key, &appid)
        .await?;
    Ok(authorizer_answer(token))
}

pub async fn invalidate_authorizer_token(
    State(platform): State<Platform>,
    Consumer(key): Consumer,
    Path(appid): Path<String>,
    body: Result<Json<FailedAuthorizerToken>, JsonRejection>,
) -> Result<Response, ApiError> {
    let Json(failed) = body.map_err(ApiError::bad_body)?;
    let token = platform
        .token_service()
        .invalidate_authorizer_token(&key, &appid, &failed.access_token)
        .await?;
    Ok(authorizer_answer(token))
}

pub async fn component_token(
    State(platform): State<Platform>,
    Consumer(key): Consumer,
) -> Result<Response, ApiError> {
    let token = platform.token_service().component_token(&key).await?;
    Ok(component_answer(token))
}

pub async fn invalidate_component_token(
    State(platform): State<Platform>,
    Consumer(key): Consumer,
    body: Result<Json<FailedComponentToken>, JsonRejection>,
) -> Result<Response, ApiError> {
    let Json(failed) = body.map_err(ApiError::bad_body)?;
    let token = platform
        .token_service()
        .invalidate_component_token(&key, &failed.component_access_token)
        .await?;
    Ok(component_answer(token))
}

fn authorizer_answer(token: AccessToken) -> Response {
    no_store(Json(AuthorizerTokenBody {
        authorizer_appid: token.authorizer_appid,
        access_token: token.access_token.into_exposed(),
        expires_at: token.expires_at,
    }))
}

fn component_answer(token: ComponentAccessToken) -> Response {
    no_store(Json(ComponentTokenBody {
        component_appid: token.component_appid,
        component_access_token: token.component_access_token.into_exposed(),
        expires_at: token.expires_at,
    }))
}

/// Tokens must not linger in a proxy or a client cache.
fn no_store(body: impl IntoResponse) -> Response {
    let mut response = body.into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// The authenticated API key of the request.
pub struct Consumer(pub ApiKey);

impl<S> FromRequestParts<S> for Consumer
where
    S: Send + Sync,
    Platform: FromRef<S>,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let bearer = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().split_once(' '))
            // The scheme is case-insensitive (RFC 9110).
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
            .map(|(_, key)| key.trim())
            .ok_or(ApiError::Unauthorized)?;
        let platform = Platform::from_ref(state);
        match platform.api_keys().authenticate(bearer).await {
            Ok(key) => Ok(Self(key)),
            Err(ApiKeyError::Storage(err)) => Err(ApiError::internal(&err)),
            Err(_) => Err(ApiError::Unauthorized),
        }
    }
}

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
    fn internal(cause: &dyn std::fmt::Display) -> Self {
        let reference = format!("{:016x}", rand::random::<u64>());
        tracing::error!(%reference, error = %cause, "token service failed");
        Self::Internal { reference }
    }

    fn bad_body(rejection: JsonRejection) -> Self {
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
