//! `POST /wechat/authorizers/{appid}/events` (and `/wechat/authorizers/events`
//! without the appid): the message URL (消息与事件接收URL), configured in
//! WeChat as `…/wechat/authorizers/$APPID$/events`. Every authorized
//! account's user messages and events arrive here; each is recorded before
//! the answer, which is `success`, an empty body, or an encrypted passive reply.

use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};
use platform::Platform;
use platform::messages::Answer;
use wechat::crypto::PushQuery;

pub async fn receive_for(
    State(platform): State<Platform>,
    Path(appid): Path<String>,
    RawQuery(query): RawQuery,
    body: String,
) -> Response {
    receive(&platform, Some(&appid), query, &body).await
}

pub async fn receive_without_appid(
    State(platform): State<Platform>,
    RawQuery(query): RawQuery,
    body: String,
) -> Response {
    receive(&platform, None, query, &body).await
}

/// A bad push gets a bare 400 (which check failed is logged, never echoed);
/// one we could not record a 503, so WeChat delivers it again.
async fn receive(
    platform: &Platform,
    appid: Option<&str>,
    query: Option<String>,
    body: &str,
) -> Response {
    metrics::counter!(super::metrics::MESSAGES_RECEIVED).increment(1);
    let Ok(query) = serde_urlencoded::from_str::<PushQuery>(query.as_deref().unwrap_or_default())
    else {
        tracing::warn!(check = "query string", "message push rejected");
        return StatusCode::BAD_REQUEST.into_response();
    };
    match platform.messages().receive(appid, &query, body).await {
        Ok(Answer::Success) => (StatusCode::OK, "success").into_response(),
        Ok(Answer::Empty) => StatusCode::OK.into_response(),
        Ok(Answer::Reply(envelope)) => {
            ([(CONTENT_TYPE, "application/xml; charset=utf-8")], envelope).into_response()
        }
        Err(rejected) if rejected.is_bad_request() => {
            tracing::warn!(check = %rejected, "message push rejected");
            metrics::counter!(super::metrics::MESSAGES_REJECTED).increment(1);
            StatusCode::BAD_REQUEST.into_response()
        }
        Err(failed) => {
            tracing::error!(error = %failed, "message push could not be recorded");
            StatusCode::SERVICE_UNAVAILABLE.into_response()
        }
    }
}
