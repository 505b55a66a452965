//! Writing push XML the way WeChat does: strings in CDATA, numbers bare,
//! one element per line. Hand-written because serde serializers do not emit
//! CDATA.

use super::{ComponentPush, FastRegisterInfo};

/// Appends `<name><![CDATA[value]]></name>`. A `]]>` inside the value is
/// split across two CDATA sections, the standard escape.
pub(crate) fn push_cdata(out: &mut String, name: &str, value: &str) {
    out.push('<');
    out.push_str(name);
    out.push_str("><![CDATA[");
    out.push_str(&value.replace("]]>", "]]]]><![CDATA[>"));
    out.push_str("]]></");
    out.push_str(name);
    out.push('>');
}

/// Appends `<name>number</name>`.
pub(crate) fn push_number(out: &mut String, name: &str, value: i64) {
    out.push('<');
    out.push_str(name);
    out.push('>');
    out.push_str(&value.to_string());
    out.push_str("</");
    out.push_str(name);
    out.push('>');
}

impl ComponentPush {
    /// Writes the push as WeChat does: CDATA strings, bare numbers, one
    /// element per line. Unknown pushes are returned verbatim. `parse`
    /// round-trips the result, except that XML parsing turns `\r`, `\r\n`,
    /// U+0085 and U+2028 into `\n` (never present in WeChat's values).
    pub fn to_xml(&self) -> String {
        let mut out = String::from("<xml>\n");
        match self {
            Self::Unknown { raw_xml, .. } => return raw_xml.clone(),
            Self::VerifyTicket {
                app_id,
                create_time,
                ticket,
            } => {
                self.write_head(&mut out, app_id, *create_time);
                cdata_line(&mut out, "ComponentVerifyTicket", ticket.expose());
            }
            Self::Unauthorized {
                app_id,
                create_time,
                authorizer_appid,
            } => {
                self.write_head(&mut out, app_id, *create_time);
                cdata_line(&mut out, "AuthorizerAppid", authorizer_appid);
            }
            Self::Authorized {
                app_id,
                create_time,
                authorizer_appid,
                authorization_code,
                authorization_code_expired_time,
                pre_auth_code,
            }
            | Self::UpdateAuthorized {
                app_id,
                create_time,
                authorizer_appid,
                authorization_code,
                authorization_code_expired_time,
                pre_auth_code,
            } => {
                self.write_head(&mut out, app_id, *create_time);
                cdata_line(&mut out, "AuthorizerAppid", authorizer_appid);
                cdata_line(&mut out, "AuthorizationCode", authorization_code.expose());
                number_line(
                    &mut out,
                    "AuthorizationCodeExpiredTime",
                    *authorization_code_expired_time,
                );
                if let Some(code) = pre_auth_code {
                    cdata_line(&mut out, "PreAuthCode", code.expose());
                }
            }
            Self::FastRegister {
                app_id,
                create_time,
                appid,
                status,
                auth_code,
                msg,
                info,
            } => {
                self.write_head(&mut out, app_id, *create_time);
                if let Some(appid) = appid {
                    cdata_line(&mut out, "appid", appid);
                }
                number_line(&mut out, "status", *status);
                if let Some(code) = auth_code {
                    cdata_line(&mut out, "auth_code", code.expose());
                }
                if let Some(msg) = msg {
                    cdata_line(&mut out, "msg", msg);
                }
                if let Some(info) = info {
                    write_info(&mut out, info);
                }
            }
        }
        out.push_str("</xml>");
        out
    }

    fn write_head(&self, out: &mut String, app_id: &str, create_time: i64) {
        cdata_line(out, "AppId", app_id);
        number_line(out, "CreateTime", create_time);
        cdata_line(out, "InfoType", self.info_type());
    }
}

fn cdata_line(out: &mut String, name: &str, value: &str) {
    push_cdata(out, name, value);
    out.push('\n');
}

fn number_line(out: &mut String, name: &str, value: i64) {
    push_number(out, name, value);
    out.push('\n');
}

fn write_info(out: &mut String, info: &FastRegisterInfo) {
    out.push_str("<info>\n");
    let fields = [
        ("name", &info.name),
        ("code", &info.code),
        ("code_type", &info.code_type),
        ("legal_persona_wechat", &info.legal_persona_wechat),
        ("legal_persona_name", &info.legal_persona_name),
        ("component_phone", &info.component_phone),
    ];
    for (name, value) in fields {
        if let Some(value) = value {
            cdata_line(out, name, value);
        }
    }
    out.push_str("</info>\n");
}
