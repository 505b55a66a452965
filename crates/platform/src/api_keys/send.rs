//! The send API for backends: a customer-service message (客服消息) through
//! `cgi-bin/message/custom/send` with the account's stored token, so a
//! backend answering a delivered message needs no token of its own. A
//! token WeChat calls invalid (40001, 42001) is refreshed and the send
//! retried once; WeChat's refusals come back as typed errors.

use wechat::error::WechatError;

use super::ApiKey;
use super::tokens::{TokenService, TokenServiceError};

/// Why a message was not sent.
#[derive(Debug, thiserror::Error)]
pub enum SendError {
    #[error("the request body must be a JSON object with touser and msgtype")]
    BadBody,
    #[error("outside the 48-hour window after the user's last message (45015)")]
    OutsideWindow,
    #[error("the account sent this user the most messages allowed (45047)")]
    TooMany,
    #[error(
        "the account did not grant customer-service messages, or its authorization changed (48001)"
    )]
    NotPermitted,
    #[error("touser is not an openid of this account's users (40003)")]
    InvalidOpenid,
    #[error("WeChat refused the message: errcode {errcode}")]
    Refused { errcode: i64 },
    #[error("WeChat could not be reached: {0}")]
    Unreachable(String),
    #[error(transparent)]
    Token(#[from] TokenServiceError),
}

impl From<WechatError> for SendError {
    fn from(err: WechatError) -> Self {
        match err {
            WechatError::Api { errcode: 45015, .. } => Self::OutsideWindow,
            WechatError::Api { errcode: 45047, .. } => Self::TooMany,
            WechatError::Api { errcode: 48001, .. } => Self::NotPermitted,
            WechatError::Api { errcode: 40003, .. } => Self::InvalidOpenid,
            WechatError::Api { errcode, .. } => Self::Refused { errcode },
            other => Self::Unreachable(other.to_string()),
        }
    }
}

fn token_refused(err: &WechatError) -> bool {
    matches!(
        err,
        WechatError::Api {
            errcode: 40001 | 42001,
            ..
        }
    )
}

impl TokenService<'_> {
    /// Sends `body` (custom/send's JSON: `touser`, `msgtype` and its object)
    /// as `appid`, within the key's companies.
    pub async fn send_custom_message(
        &self,
        key: &ApiKey,
        appid: &str,
        body: &serde_json::Value,
    ) -> Result<(), SendError> {
        let well_formed = body["touser"].as_str().is_some_and(|t| !t.is_empty())
            && body["msgtype"].as_str().is_some_and(|t| !t.is_empty());
        if !well_formed {
            return Err(SendError::BadBody);
        }
        self.check_scope(key, appid).await?;
        let token = self.current_authorizer_token(appid).await?;
        let client = self.platform().component().client();
        match client.message_custom_send(&token.access_token, body).await {
            Ok(()) => Ok(()),
            Err(err) if token_refused(&err) => {
                // Refreshed once however many senders saw it refused.
                let fresh = self
                    .platform()
                    .authorizer_tokens()
                    .invalidate(appid, token.access_token.expose())
                    .await
                    .map_err(TokenServiceError::from)?;
                self.cache().put_authorizer(&fresh);
                Ok(client
                    .message_custom_send(&fresh.access_token, body)
                    .await?)
            }
            Err(err) => Err(err.into()),
        }
    }
}
