//! The authorization links an admin follows to authorize the platform: the
//! PC page (`/cgi-bin/componentloginpage` on the MP host, shows a QR code)
//! and the mobile page (`/wxaopen/safe/bindcomponent` on the OPEN host,
//! opened inside WeChat).
//!
//! Both only work when followed from a page on the 授权发起页域名 (WeChat
//! checks the Referer), and `redirect_uri` must be on that domain too.
//! Values are percent-encoded like JavaScript's `encodeURIComponent`, as
//! every SDK does for `redirect_uri`.

/// Which accounts the page offers (`auth_type`). Weiqiao offers these four;
/// WeChat also knows 4, 5 and 8.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AuthType {
    /// 1: official accounts only.
    OfficialAccount,
    /// 2: mini programs only.
    MiniProgram,
    /// 3: both (the historical default).
    #[default]
    Both,
    /// 6: official accounts, mini programs and Channels.
    All,
}

impl AuthType {
    /// The wire value.
    pub fn code(self) -> u8 {
        match self {
            Self::OfficialAccount => 1,
            Self::MiniProgram => 2,
            Self::Both => 3,
            Self::All => 6,
        }
    }

    /// Parses a wire value; `None` for values Weiqiao does not offer.
    pub fn from_code(code: u8) -> Option<Self> {
        match code {
            1 => Some(Self::OfficialAccount),
            2 => Some(Self::MiniProgram),
            3 => Some(Self::Both),
            6 => Some(Self::All),
            _ => None,
        }
    }
}

/// What goes into an authorization link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthLink<'a> {
    /// The platform's appid.
    pub component_appid: &'a str,
    /// From api_create_preauthcode (not secret once in a link, but short-lived).
    pub pre_auth_code: &'a str,
    /// Where WeChat sends the browser with `auth_code` and `expires_in`;
    /// avoid fragments (WeChat's handling of them is inconsistent).
    pub redirect_uri: &'a str,
    /// Which accounts to offer.
    pub auth_type: AuthType,
    /// Restrict to one account (wins over a conflicting `auth_type`).
    pub biz_appid: Option<&'a str>,
    /// Restrict to these permission sets (joined with `|`); empty = all.
    pub category_id_list: &'a [i64],
}

impl AuthLink<'_> {
    fn query(&self) -> String {
        let mut q = format!(
            "component_appid={}&pre_auth_code={}&redirect_uri={}&auth_type={}",
            encode_component(self.component_appid),
            encode_component(self.pre_auth_code),
            encode_component(self.redirect_uri),
            self.auth_type.code()
        );
        if let Some(biz) = self.biz_appid {
            q.push_str("&biz_appid=");
            q.push_str(&encode_component(biz));
        }
        if !self.category_id_list.is_empty() {
            let ids: Vec<String> = self.category_id_list.iter().map(i64::to_string).collect();
            q.push_str("&category_id_list=");
            q.push_str(&encode_component(&ids.join("|")));
        }
        q
    }

    /// The PC link on `mp_base` (normally `https://mp.weixin.qq.com`).
    pub fn pc_url(&self, mp_base: &str) -> String {
        format!(
            "{}/cgi-bin/componentloginpage?{}",
            mp_base.trim_end_matches('/'),
            self.query()
        )
    }

    /// The mobile link on `open_base` (normally `https://open.weixin.qq.com`).
    pub fn mobile_url(&self, open_base: &str) -> String {
        format!(
            "{}/wxaopen/safe/bindcomponent?action=bindcomponent&no_scan=1&{}#wechat_redirect",
            open_base.trim_end_matches('/'),
            self.query()
        )
    }
}

/// `encodeURIComponent`: everything but `A–Z a–z 0–9 - _ . ! ~ * ' ( )`
/// is percent-encoded as UTF-8 bytes.
pub fn encode_component(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for &b in value.as_bytes() {
        if b.is_ascii_alphanumeric() || b"-_.!~*'()".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn link() -> AuthLink<'static> {
        AuthLink {
            component_appid: "wxc",
            pre_auth_code: "preauthcode@@@abc",
            redirect_uri: "https://www.example.com/cb?invite=7&x=a b",
            auth_type: AuthType::Both,
            biz_appid: None,
            category_id_list: &[],
        }
    }

    #[test]
    fn the_pc_link_is_on_the_mp_host_with_an_encoded_redirect_uri() {
        assert_eq!(
            link().pc_url("https://mp.weixin.qq.com/"),
            "https://mp.weixin.qq.com/cgi-bin/componentloginpage?component_appid=wxc&pre_auth_code=preauthcode%40%40%40abc&redirect_uri=https%3A%2F%2Fwww.example.com%2Fcb%3Finvite%3D7%26x%3Da%20b&auth_type=3"
        );
    }

    #[test]
    fn the_mobile_link_has_bindcomponent_no_scan_and_the_fragment() {
        let mut l = link();
        l.auth_type = AuthType::All;
        l.biz_appid = Some("wxbiz");
        l.category_id_list = &[17, 18];
        let url = l.mobile_url("https://open.weixin.qq.com");
        assert!(url.starts_with(
            "https://open.weixin.qq.com/wxaopen/safe/bindcomponent?action=bindcomponent&no_scan=1&component_appid=wxc&"
        ));
        assert!(url.contains("&auth_type=6&biz_appid=wxbiz&category_id_list=17%7C18"));
        assert!(url.ends_with("#wechat_redirect"));
    }

    #[test]
    fn the_redirect_uri_decodes_back_to_the_original() {
        let url = url::Url::parse(&link().pc_url("https://mp.weixin.qq.com")).unwrap();
        let redirect = url
            .query_pairs()
            .find(|(k, _)| k == "redirect_uri")
            .unwrap()
            .1;
        assert_eq!(redirect, "https://www.example.com/cb?invite=7&x=a b");
    }

    #[test]
    fn auth_type_codes_round_trip() {
        for t in [
            AuthType::OfficialAccount,
            AuthType::MiniProgram,
            AuthType::Both,
            AuthType::All,
        ] {
            assert_eq!(AuthType::from_code(t.code()), Some(t));
        }
        assert_eq!(AuthType::from_code(4), None);
    }
}
