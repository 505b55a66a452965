//! The token service for the operator's other backends (`/api/v1/…`): the
//! stored authorizer and component tokens, and the invalidation a consumer
//! calls when WeChat refused a token (40001). Every request carries
//! `Authorization: Bearer <api key>`; every error is JSON
//! `{"error": code, "message": text}` and never carries a secret.

use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRef, FromRequestParts, Path, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::{Json, Router, routing};
use platform::Platform;
use platform::api_keys::{ApiKey, ApiKeyError, ComponentAccessToken};
use platform::authorizers::AccessToken;
use serde::{Deserialize, Serialize};

mod error;
pub use error::ApiError;

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
        .route(
            "/authorizers/{appid}/messages/custom",
            routing::post(send_custom_message),
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

/// `POST /api/v1/authorizers/{appid}/messages/custom`: custom/send's JSON
/// (`touser`, `msgtype` and its object) sent as the account; `{"ok": true}`.
pub async fn send_custom_message(
    State(platform): State<Platform>,
    Consumer(key): Consumer,
    Path(appid): Path<String>,
    body: Result<Json<serde_json::Value>, JsonRejection>,
) -> Result<Response, ApiError> {
    let Json(body) = body.map_err(ApiError::bad_body)?;
    platform
        .token_service()
        .send_custom_message(&key, &appid, &body)
        .await?;
    Ok(no_store(Json(serde_json::json!({ "ok": true }))))
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
