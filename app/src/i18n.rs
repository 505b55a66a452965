//! Languages of the pages: zh-CN by default, English on request.
//! Merchant pages follow `?lang=` or a browser that prefers English; the
//! server decides and sends its choice with the page data, so hydration
//! renders the same text. Admin pages follow `?lang=` and then keep the
//! choice in a cookie ([`admin_lang`]): an operator switches once.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Lang {
    #[default]
    Zh,
    En,
}

impl Lang {
    /// The text in this language.
    pub fn pick(self, zh: &'static str, en: &'static str) -> &'static str {
        match self {
            Self::Zh => zh,
            Self::En => en,
        }
    }

    /// `zh` / `en`, as in `?lang=`.
    pub fn code(self) -> &'static str {
        self.pick("zh", "en")
    }

    /// As in an HTML `lang` attribute.
    pub fn tag(self) -> &'static str {
        self.pick("zh-CN", "en")
    }

    /// The other language, for the switch link.
    pub fn other(self) -> Self {
        self.pick_lang(Self::En, Self::Zh)
    }

    fn pick_lang(self, zh: Self, en: Self) -> Self {
        match self {
            Self::Zh => zh,
            Self::En => en,
        }
    }

    /// From a `?lang=` value; `None` when absent or unknown.
    pub fn from_query(value: Option<&str>) -> Option<Self> {
        match value.map(str::to_ascii_lowercase).as_deref() {
            Some("en" | "en-us" | "en-gb") => Some(Self::En),
            Some("zh" | "zh-cn" | "cn") => Some(Self::Zh),
            _ => None,
        }
    }

    /// From an `Accept-Language` header: English only when preferred over Chinese.
    pub fn from_accept_language(header: &str) -> Self {
        for tag in header.split(',').map(|t| {
            t.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        }) {
            if tag.starts_with("zh") {
                return Self::Zh;
            }
            if tag.starts_with("en") {
                return Self::En;
            }
        }
        Self::Zh
    }
}

/// The cookie that keeps an admin's language.
pub const LANG_COOKIE: &str = "weiqiao_lang";

/// The admin pages' language for this request: `?lang=` when given, else
/// the [`LANG_COOKIE`], else zh-CN. Admin pages render on the server only
/// (their interactive parts are islands), so the request decides; server
/// functions called by a form read the cookie the same way.
pub fn admin_lang() -> Lang {
    #[cfg(feature = "ssr")]
    {
        leptos::prelude::use_context::<http::request::Parts>()
            .map(|parts| {
                let cookies = parts
                    .headers
                    .get_all(http::header::COOKIE)
                    .iter()
                    .filter_map(|v| v.to_str().ok())
                    .collect::<Vec<_>>()
                    .join(";");
                admin_lang_of(parts.uri.query(), &cookies)
            })
            .unwrap_or_default()
    }
    #[cfg(not(feature = "ssr"))]
    {
        Lang::Zh
    }
}

/// [`admin_lang`] from a query string and a `Cookie` header.
pub fn admin_lang_of(query: Option<&str>, cookies: &str) -> Lang {
    let asked = query
        .unwrap_or("")
        .split('&')
        .find_map(|pair| pair.strip_prefix("lang="));
    let kept = cookies
        .split(';')
        .find_map(|c| c.trim().strip_prefix(LANG_COOKIE)?.strip_prefix('='));
    Lang::from_query(asked)
        .or_else(|| Lang::from_query(kept))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::{Lang, admin_lang_of};

    #[test]
    fn the_admin_language_is_asked_then_kept_then_chinese() {
        assert_eq!(admin_lang_of(Some("a=1&lang=en"), ""), Lang::En);
        assert_eq!(admin_lang_of(Some("lang=zh"), "weiqiao_lang=en"), Lang::Zh);
        assert_eq!(admin_lang_of(None, "x=1; weiqiao_lang=en"), Lang::En);
        assert_eq!(admin_lang_of(Some("lang=xx"), "weiqiao_lang=de"), Lang::Zh);
        assert_eq!(admin_lang_of(None, "weiqiao_langx=en"), Lang::Zh);
        assert_eq!(admin_lang_of(None, ""), Lang::Zh);
    }

    #[test]
    fn english_is_chosen_only_when_preferred_over_chinese() {
        assert_eq!(
            Lang::from_accept_language("en-US,en;q=0.9,zh-CN;q=0.8"),
            Lang::En
        );
        assert_eq!(
            Lang::from_accept_language("zh-CN,zh;q=0.9,en;q=0.8"),
            Lang::Zh
        );
        assert_eq!(Lang::from_accept_language("fr-FR"), Lang::Zh);
        assert_eq!(Lang::from_query(Some("EN")), Some(Lang::En));
        assert_eq!(Lang::from_query(Some("de")), None);
        assert_eq!(Lang::En.other(), Lang::Zh);
    }
}
