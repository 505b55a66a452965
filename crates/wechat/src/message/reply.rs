//! Passive replies: what a push at the message URL may be answered with
//! inside its 5 seconds, written as WeChat's reply XML (then encrypted with
//! [`crate::crypto::MessageCrypto::encrypt_reply`]). A backend names one as
//! JSON, `{"type": "text", "content": "…"}`.

use serde::{Deserialize, Serialize};

use super::xml::{Writer, element_cdata};

/// A passive reply to the user who sent the push.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum Reply {
    Text {
        content: String,
    },
    Image {
        media_id: String,
    },
    Voice {
        media_id: String,
    },
    Video {
        media_id: String,
        #[serde(default)]
        title: Option<String>,
        #[serde(default)]
        description: Option<String>,
    },
    Music {
        #[serde(default)]
        title: Option<String>,
        #[serde(default)]
        description: Option<String>,
        #[serde(default)]
        music_url: Option<String>,
        #[serde(default)]
        hq_music_url: Option<String>,
        thumb_media_id: String,
    },
    News {
        articles: Vec<Article>,
    },
    /// Hands the conversation to the customer-service system.
    TransferCustomerService {
        /// A specific agent (`kf2001@gh_…`), else any.
        #[serde(default)]
        kf_account: Option<String>,
    },
}

/// One item of a news reply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Article {
    pub title: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub pic_url: Option<String>,
    pub url: String,
}

/// Most articles one news reply may carry (WeChat's current limit is 8, or
/// 1 in reply to a user's text, picture, video, news or location: the
/// stricter rule is WeChat's to apply, the looser one ours to check).
pub const MAX_ARTICLES: usize = 8;

/// Why a reply cannot be sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReplyError {
    #[error("a text reply needs content")]
    EmptyText,
    #[error("a news reply needs 1 to {MAX_ARTICLES} articles, not {0}")]
    ArticleCount(usize),
    #[error("a media reply needs a media_id")]
    NoMedia,
}

impl Reply {
    /// Checks what WeChat would refuse (or show as the "cannot serve" notice).
    pub fn validate(&self) -> Result<(), ReplyError> {
        match self {
            Self::Text { content } if content.trim().is_empty() => Err(ReplyError::EmptyText),
            Self::News { articles } if articles.is_empty() || articles.len() > MAX_ARTICLES => {
                Err(ReplyError::ArticleCount(articles.len()))
            }
            Self::Image { media_id } | Self::Voice { media_id } | Self::Video { media_id, .. }
                if media_id.trim().is_empty() =>
            {
                Err(ReplyError::NoMedia)
            }
            _ => Ok(()),
        }
    }

    /// The plaintext reply: `to_user` is the user's openid (the push's
    /// `FromUserName`), `from_user` the account's `gh_` id (its `ToUserName`).
    pub fn to_xml(&self, to_user: &str, from_user: &str, create_time: i64) -> String {
        let mut out = Writer::new();
        out.cdata("ToUserName", to_user);
        out.cdata("FromUserName", from_user);
        out.number("CreateTime", create_time);
        match self {
            Self::Text { content } => {
                out.cdata("MsgType", "text");
                out.cdata("Content", content);
            }
            Self::Image { media_id } => {
                out.cdata("MsgType", "image");
                out.raw(&format!(
                    "<Image>{}</Image>",
                    element_cdata("MediaId", media_id)
                ));
            }
            Self::Voice { media_id } => {
                out.cdata("MsgType", "voice");
                out.raw(&format!(
                    "<Voice>{}</Voice>",
                    element_cdata("MediaId", media_id)
                ));
            }
            Self::Video {
                media_id,
                title,
                description,
            } => {
                out.cdata("MsgType", "video");
                let mut inner = element_cdata("MediaId", media_id);
                inner.push_str(&optional("Title", title.as_deref()));
                inner.push_str(&optional("Description", description.as_deref()));
                out.raw(&format!("<Video>{inner}</Video>"));
            }
            Self::Music {
                title,
                description,
                music_url,
                hq_music_url,
                thumb_media_id,
            } => {
                out.cdata("MsgType", "music");
                let mut inner = optional("Title", title.as_deref());
                inner.push_str(&optional("Description", description.as_deref()));
                inner.push_str(&optional("MusicUrl", music_url.as_deref()));
                inner.push_str(&optional("HQMusicUrl", hq_music_url.as_deref()));
                inner.push_str(&element_cdata("ThumbMediaId", thumb_media_id));
                out.raw(&format!("<Music>{inner}</Music>"));
            }
            Self::News { articles } => {
                out.cdata("MsgType", "news");
                out.number("ArticleCount", articles.len() as i64);
                let items: String = articles
                    .iter()
                    .map(|a| {
                        format!(
                            "<item>{}{}{}{}</item>",
                            element_cdata("Title", &a.title),
                            optional("Description", a.description.as_deref()),
                            optional("PicUrl", a.pic_url.as_deref()),
                            element_cdata("Url", &a.url)
                        )
                    })
                    .collect();
                out.raw(&format!("<Articles>{items}</Articles>"));
            }
            Self::TransferCustomerService { kf_account } => {
                out.cdata("MsgType", "transfer_customer_service");
                if let Some(account) = kf_account {
                    out.raw(&format!(
                        "<TransInfo>{}</TransInfo>",
                        element_cdata("KfAccount", account)
                    ));
                }
            }
        }
        out.finish()
    }
}

fn optional(name: &str, value: Option<&str>) -> String {
    value.map(|v| element_cdata(name, v)).unwrap_or_default()
}
