//! HTML for the authorization pages. Every interpolated value is escaped; ids and
//! labels are stable so browser tests can click by role and label.

use crate::accounts::{Account, AccountKind, permission_set_kind, permission_set_name};
use crate::html::escape;

/// What the authorization form needs to render.
pub struct FormView<'a> {
    pub component_name: &'a str,
    pub accounts: Vec<&'a Account>,
    pub kinds: Vec<AccountKind>,
    pub func_ids: Vec<u32>,
    /// Hidden fields carried to the confirm/cancel POST.
    pub hidden: Vec<(&'static str, String)>,
    pub error: Option<&'a str>,
}

const STYLE: &str = "body{font-family:-apple-system,'PingFang SC','Microsoft YaHei',sans-serif;background:#f7f7f7;margin:0;color:#191919}\
.banner{background:#fa9d3b;color:#fff;text-align:center;padding:6px;font-size:13px}\
main{max-width:560px;margin:24px auto;background:#fff;border-radius:8px;padding:24px}\
h1{font-size:20px}fieldset{border:1px solid #e5e5e5;border-radius:6px;margin:16px 0}\
.account{display:flex;align-items:center;gap:8px;margin:8px 0}.account img{width:32px;height:32px;border-radius:4px}\
.meta{color:#888;font-size:12px}.error{color:#fa5151}\
button{padding:8px 24px;border-radius:4px;border:0;font-size:16px;margin-right:12px}\
.primary{background:#07c160;color:#fff}.secondary{background:#f2f2f2;color:#191919}";

/// A complete page with the emulator banner.
pub fn page(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
<title>{title}</title><style>{STYLE}</style></head><body>\
<div class=\"banner\" role=\"note\">微信模拟器 · WeChat emulator</div><main>{body}</main></body></html>",
        title = escape(title),
    )
}

/// An error page in WeChat's wording, with an optional link.
pub fn message(title: &str, text: &str, link: Option<(&str, &str)>) -> String {
    let link = link
        .map(|(href, label)| format!("<p><a href=\"{}\">{}</a></p>", escape(href), escape(label)))
        .unwrap_or_default();
    page(
        title,
        &format!(
            "<h1>{}</h1><p id=\"message\">{}</p>{link}",
            escape(title),
            escape(text)
        ),
    )
}

/// The "scan with WeChat and confirm" stand-in.
pub fn form(view: &FormView<'_>) -> String {
    let mut body = format!(
        "<h1>授权{}</h1><p>{} 请求获得以下帐号的授权。公众号或小程序管理员确认后，该第三方平台将代为管理帐号。</p>",
        escape(view.component_name),
        escape(view.component_name)
    );
    if let Some(error) = view.error {
        body.push_str(&format!(
            "<p class=\"error\" role=\"alert\">{}</p>",
            escape(error)
        ));
    }
    body.push_str("<form method=\"post\" action=\"/cgi-bin/componentloginpage/confirm\">");
    for (name, value) in &view.hidden {
        body.push_str(&format!(
            "<input type=\"hidden\" name=\"{name}\" value=\"{}\">",
            escape(value)
        ));
    }
    body.push_str(&accounts_fieldset(view));
    body.push_str(&permissions_fieldsets(view));
    body.push_str(
        "<p><button type=\"submit\" class=\"primary\" name=\"action\" value=\"confirm\">确认授权</button>\
<button type=\"submit\" class=\"secondary\" formaction=\"/cgi-bin/componentloginpage/cancel\" formnovalidate>取消</button></p></form>",
    );
    page("公众号/小程序授权", &body)
}

fn accounts_fieldset(view: &FormView<'_>) -> String {
    let mut html = String::from("<fieldset><legend>选择授权的帐号</legend>");
    if view.accounts.is_empty() {
        html.push_str("<p class=\"meta\">没有可授权的帐号，可在下方新建一个。</p>");
    }
    for account in &view.accounts {
        let id = format!("account-{}", escape(&account.appid));
        html.push_str(&format!(
            "<div class=\"account\"><input type=\"radio\" name=\"authorizer_appid\" id=\"{id}\" value=\"{appid}\">\
<img src=\"{img}\" alt=\"\"><label for=\"{id}\">{nick}</label>\
<span class=\"meta\">{kind} · {principal} · {appid}</span></div>",
            appid = escape(&account.appid),
            img = escape(&account.head_img),
            nick = escape(&account.nick_name),
            kind = account.kind.label(),
            principal = escape(&account.principal_name),
        ));
    }
    if !view.kinds.is_empty() {
        html.push_str(
            "<div class=\"account\"><input type=\"radio\" name=\"authorizer_appid\" id=\"account-new\" value=\"__new__\">\
<label for=\"account-new\">新建帐号</label></div>\
<p><label for=\"new_nick_name\">新帐号名称</label> <input type=\"text\" id=\"new_nick_name\" name=\"new_nick_name\" maxlength=\"30\"></p>\
<p><label for=\"new_kind\">新帐号类型</label> <select id=\"new_kind\" name=\"new_kind\">",
        );
        for kind in &view.kinds {
            let value = match kind {
                AccountKind::OfficialAccount => "official_account",
                AccountKind::MiniProgram => "mini_program",
            };
            html.push_str(&format!(
                "<option value=\"{value}\">{}</option>",
                kind.label()
            ));
        }
        html.push_str("</select></p>");
    }
    html.push_str("</fieldset>");
    html
}

fn permissions_fieldsets(view: &FormView<'_>) -> String {
    let mut html = String::new();
    let groups = [
        (Some(AccountKind::OfficialAccount), "公众号权限集"),
        (Some(AccountKind::MiniProgram), "小程序权限集"),
        (None, "其他权限集"),
    ];
    for (kind, legend) in groups {
        let ids: Vec<u32> = view
            .func_ids
            .iter()
            .copied()
            .filter(|id| permission_set_kind(*id) == kind)
            .collect();
        if ids.is_empty() {
            continue;
        }
        html.push_str(&format!("<fieldset><legend>{legend}</legend>"));
        for id in ids {
            html.push_str(&format!(
                "<div><input type=\"checkbox\" name=\"func\" id=\"func-{id}\" value=\"{id}\" checked>\
<label for=\"func-{id}\">{}</label></div>",
                escape(&permission_set_name(id))
            ));
        }
        html.push_str("</fieldset>");
    }
    html
}
