//! The `notify_third_fasteregister` push's XML, in either form the
//! references show (details §7): lowercase elements, unlike the other pushes.

use serde::Serialize;

use super::Task;
use crate::FastRegisterPushStyle;

/// The `info` element: the request echoed back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RegistrationInfo {
    pub name: String,
    pub code: String,
    pub code_type: u8,
    pub legal_persona_wechat: String,
    pub legal_persona_name: String,
    pub component_phone: String,
    pub taskid: String,
}

impl RegistrationInfo {
    pub(crate) fn of(task: &Task) -> Self {
        let r = &task.request;
        RegistrationInfo {
            name: r.name.clone(),
            code: r.code.clone(),
            code_type: r.code_type,
            legal_persona_wechat: r.legal_persona_wechat.clone(),
            legal_persona_name: r.legal_persona_name.clone(),
            component_phone: r.component_phone.clone(),
            taskid: task.taskid.clone(),
        }
    }
}

/// The fields after `InfoType`: `appid`, `status`, `auth_code` and `msg`
/// (no `appid` or `auth_code` on failure), then `info`.
pub(crate) fn write(
    xml: &mut String,
    appid: Option<&str>,
    status: i64,
    auth_code: Option<&str>,
    msg: &str,
    info: &RegistrationInfo,
    style: FastRegisterPushStyle,
) {
    let live = style == FastRegisterPushStyle::Live;
    if let Some(appid) = appid {
        xml.push_str(&format!("<appid>{appid}</appid>\n"));
    }
    xml.push_str(&format!("<status>{status}</status>\n"));
    if let Some(code) = auth_code {
        if live {
            crate::push::cdata(xml, "auth_code", code);
        } else {
            xml.push_str(&format!("<auth_code>{code}</auth_code>\n"));
        }
    }
    // The template's bare `OK`; anything else (a rejection's message) safely quoted.
    if live || msg.contains(['<', '&']) {
        crate::push::cdata(xml, "msg", msg);
    } else {
        xml.push_str(&format!("<msg>{msg}</msg>\n"));
    }
    xml.push_str("<info>\n");
    let cdata = crate::push::cdata;
    cdata(xml, "name", &info.name);
    cdata(xml, "code", &info.code);
    xml.push_str(&format!("<code_type>{}</code_type>\n", info.code_type));
    cdata(xml, "legal_persona_wechat", &info.legal_persona_wechat);
    cdata(xml, "legal_persona_name", &info.legal_persona_name);
    cdata(xml, "component_phone", &info.component_phone);
    if live {
        xml.push_str(&format!("<taskid>{}</taskid>\n", info.taskid));
    }
    xml.push_str("</info>\n");
}
