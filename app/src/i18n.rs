//! Languages of the merchant-facing pages: zh-CN by default, English on
//! request (`?lang=en`, or a browser that prefers English). The server decides
//! and sends its choice with the page data, so hydration renders the same text.

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

#[cfg(test)]
mod tests {
    use super::Lang;

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
