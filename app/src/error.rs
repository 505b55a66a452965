//! The error the UI receives from server functions: safe to show, in zh-CN,
//! never carrying a database or upstream message.

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

/// An error a page can show as it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum UiError {
    /// Input refused; `field` is the form field's `name`.
    #[error("{message}")]
    Validation { field: String, message: String },
    /// The request clashes with what exists (e.g. a duplicate name).
    #[error("{0}")]
    Conflict(String),
    /// The thing asked for does not exist.
    #[error("找不到请求的内容。")]
    NotFound,
    /// Admin pages and functions need a signed-in admin.
    #[error("请先登录管理后台。")]
    Unauthorized,
    /// Something failed on our side; `reference` finds the logged cause.
    #[error("服务器出错了，请稍后重试。如问题持续，请把参考编号 {reference} 告诉管理员。")]
    Internal { reference: String },
    /// The request did not reach the server or its answer was unreadable.
    #[error("请求未能完成，请检查网络后重试。")]
    Transport,
}

impl FromServerFnError for UiError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(_: ServerFnErrorErr) -> Self {
        // The framework's text (URLs, codec errors) is not for merchants' eyes.
        Self::Transport
    }
}
