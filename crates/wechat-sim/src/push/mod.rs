//! Pushes to the platform's 授权事件接收URL: the events WeChat sends ([`Event`]),
//! their XML, encrypted delivery with retries ([`deliver`]), the push log and
//! the ticket schedule ([`ticket`]).
//!
//! The inner XML is written here, not with the client crate's push types, so the
//! client's parser is checked against an independent writer.

mod deliver;
pub mod ticket;

use serde::Serialize;

pub use deliver::{Attempt, PushLog, PushRecord, deliver, envelope};

/// An event WeChat pushes to the authorization event URL (reference §3, §5).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "info_type", rename_all = "snake_case")]
pub enum Event {
    ComponentVerifyTicket {
        ticket: String,
    },
    Authorized {
        authorizer_appid: String,
        auth_code: String,
        auth_code_expired_time: i64,
        pre_auth_code: String,
    },
    #[serde(rename = "updateauthorized")]
    UpdateAuthorized {
        authorizer_appid: String,
        auth_code: String,
        auth_code_expired_time: i64,
        pre_auth_code: String,
    },
    Unauthorized {
        authorizer_appid: String,
    },
    /// The result of a fast registration (details §7).
    #[serde(rename = "notify_third_fasteregister")]
    FastRegister {
        /// The new mini program (absent on failure).
        appid: Option<String>,
        status: i64,
        /// An authorization code for api_query_auth (absent on failure).
        auth_code: Option<String>,
        msg: String,
        info: crate::fast_register::RegistrationInfo,
        #[serde(skip)]
        style: crate::FastRegisterPushStyle,
    },
}

impl Event {
    /// The `InfoType` value.
    pub fn info_type(&self) -> &'static str {
        match self {
            Event::ComponentVerifyTicket { .. } => "component_verify_ticket",
            Event::Authorized { .. } => "authorized",
            Event::UpdateAuthorized { .. } => "updateauthorized",
            Event::Unauthorized { .. } => "unauthorized",
            Event::FastRegister { .. } => "notify_third_fasteregister",
        }
    }

    /// The authorizer the event is about, if any.
    pub fn authorizer_appid(&self) -> Option<&str> {
        match self {
            Event::ComponentVerifyTicket { .. } => None,
            Event::FastRegister { appid, .. } => appid.as_deref(),
            Event::Authorized {
                authorizer_appid, ..
            }
            | Event::UpdateAuthorized {
                authorizer_appid, ..
            }
            | Event::Unauthorized { authorizer_appid } => Some(authorizer_appid),
        }
    }

    /// The decrypted XML as live pushes look: CDATA strings, bare numbers, one element per line.
    pub fn to_xml(&self, component_appid: &str, create_time: i64) -> String {
        let mut xml = String::from("<xml>\n");
        cdata(&mut xml, "AppId", component_appid);
        xml.push_str(&format!("<CreateTime>{create_time}</CreateTime>\n"));
        cdata(&mut xml, "InfoType", self.info_type());
        match self {
            Event::ComponentVerifyTicket { ticket } => {
                cdata(&mut xml, "ComponentVerifyTicket", ticket)
            }
            Event::Authorized {
                authorizer_appid,
                auth_code,
                auth_code_expired_time,
                pre_auth_code,
            }
            | Event::UpdateAuthorized {
                authorizer_appid,
                auth_code,
                auth_code_expired_time,
                pre_auth_code,
            } => {
                cdata(&mut xml, "AuthorizerAppid", authorizer_appid);
                cdata(&mut xml, "AuthorizationCode", auth_code);
                xml.push_str(&format!(
                    "<AuthorizationCodeExpiredTime>{auth_code_expired_time}</AuthorizationCodeExpiredTime>\n"
                ));
                cdata(&mut xml, "PreAuthCode", pre_auth_code);
            }
            Event::Unauthorized { authorizer_appid } => {
                cdata(&mut xml, "AuthorizerAppid", authorizer_appid)
            }
            Event::FastRegister {
                appid,
                status,
                auth_code,
                msg,
                info,
                style,
            } => crate::fast_register::write_push(
                &mut xml,
                appid.as_deref(),
                *status,
                auth_code.as_deref(),
                msg,
                info,
                *style,
            ),
        }
        xml.push_str("</xml>");
        xml
    }
}

/// `<Name><![CDATA[value]]></Name>`; a `]]>` inside the value is split across two sections.
pub(crate) fn cdata(xml: &mut String, name: &str, value: &str) {
    let value = value.replace("]]>", "]]]]><![CDATA[>");
    xml.push_str(&format!("<{name}><![CDATA[{value}]]></{name}>\n"));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ticket_event_has_the_documented_fields_in_live_form() {
        let xml = Event::ComponentVerifyTicket {
            ticket: "ticket@@@abc".into(),
        }
        .to_xml("wxc", 1472650983);
        assert_eq!(
            xml,
            "<xml>\n<AppId><![CDATA[wxc]]></AppId>\n<CreateTime>1472650983</CreateTime>\n\
             <InfoType><![CDATA[component_verify_ticket]]></InfoType>\n\
             <ComponentVerifyTicket><![CDATA[ticket@@@abc]]></ComponentVerifyTicket>\n</xml>"
        );
    }

    #[test]
    fn an_authorized_event_carries_code_expiry_and_pre_auth_code() {
        let xml = Event::Authorized {
            authorizer_appid: "wxa".into(),
            auth_code: "queryauthcode@@@q".into(),
            auth_code_expired_time: 1413196360,
            pre_auth_code: "preauthcode@@@p".into(),
        }
        .to_xml("wxc", 1413192760);
        assert!(xml.contains("<InfoType><![CDATA[authorized]]></InfoType>"));
        assert!(xml.contains("<AuthorizerAppid><![CDATA[wxa]]></AuthorizerAppid>"));
        assert!(
            xml.contains("<AuthorizationCodeExpiredTime>1413196360</AuthorizationCodeExpiredTime>")
        );
        assert!(xml.contains("<PreAuthCode><![CDATA[preauthcode@@@p]]></PreAuthCode>"));
    }

    #[test]
    fn an_unauthorized_event_has_only_four_fields() {
        let xml = Event::Unauthorized {
            authorizer_appid: "wxa".into(),
        }
        .to_xml("wxc", 1);
        assert_eq!(xml.matches("</").count(), 5); // four fields and </xml>
    }

    #[test]
    fn cdata_terminators_inside_values_cannot_break_out() {
        let xml = Event::Unauthorized {
            authorizer_appid: "a]]>b".into(),
        }
        .to_xml("wxc", 1);
        assert!(xml.contains("<![CDATA[a]]]]><![CDATA[>b]]>"));
    }
}

#[cfg(test)]
mod receiver_tests;
