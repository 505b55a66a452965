//! What the onboarding and company pages show of an authorizer; shared by
//! both areas' server functions.

use serde::{Deserialize, Serialize};

/// An authorized account, ready to display.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthorizerView {
    pub authorizer_appid: String,
    pub nick_name: String,
    pub head_img: Option<String>,
    /// 公众号 / 小程序
    pub kind: String,
    /// e.g. 服务号, 订阅号
    pub service: Option<String>,
    /// e.g. 微信认证, 未认证
    pub verification: String,
    pub principal_name: Option<String>,
    /// 已授权 / 已取消授权 / 需要重新授权
    pub status: String,
    pub active: bool,
    pub permissions: Vec<PermissionView>,
    /// Names of required permission sets that were not granted.
    pub missing_required: Vec<String>,
    pub authorized_at: String,
    /// The language the labels above are in.
    pub lang: crate::i18n::Lang,
}

/// One permission set (权限集).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PermissionView {
    pub id: i64,
    pub name: String,
    pub required: bool,
}

/// `settings` says which permission sets are required for the account's kind.
#[cfg(feature = "ssr")]
pub(crate) fn authorizer_view(
    a: platform::onboarding::Authorizer,
    settings: &platform::PlatformSettings,
    lang: crate::i18n::Lang,
) -> AuthorizerView {
    use wechat::permissions::{name_en, name_zh};

    let required = settings.required_permissions(a.is_mini_program);
    let name = |id: i64| match lang {
        crate::i18n::Lang::Zh => name_zh(id).into_owned(),
        crate::i18n::Lang::En => name_en(id).into_owned(),
    };
    let kind = if a.is_mini_program {
        lang.pick("小程序", "Mini program")
    } else {
        lang.pick("公众号", "Official account")
    };
    let service = match (a.is_mini_program, a.service_type) {
        (false, Some(0 | 1)) => Some(lang.pick("订阅号", "Subscription account")),
        (false, Some(2)) => Some(lang.pick("服务号", "Service account")),
        _ => None,
    };
    let verification = match a.verify_type {
        Some(-1) | None => lang.pick("未认证", "Not verified"),
        Some(0) => lang.pick("微信认证", "WeChat verified"),
        Some(1) => lang.pick("新浪微博认证", "Sina Weibo verified"),
        Some(2) => lang.pick("腾讯微博认证", "Tencent Weibo verified"),
        Some(_) => lang.pick("资质认证", "Qualification verified"),
    };
    use platform::authorizers::AuthorizerStatus;
    let status = match a.status {
        AuthorizerStatus::Active => lang.pick("已授权", "Authorized"),
        AuthorizerStatus::Revoked => lang.pick("已取消授权", "Revoked"),
        AuthorizerStatus::NeedsReauthorization => {
            lang.pick("需要重新授权", "Needs re-authorization")
        }
    };
    let permissions = a
        .permissions
        .iter()
        .map(|&id| PermissionView {
            id,
            name: name(id),
            required: required.contains(&id),
        })
        .collect();
    let missing_required = required
        .iter()
        .filter(|id| !a.permissions.contains(id))
        .map(|&id| name(id))
        .collect();
    AuthorizerView {
        nick_name: a
            .nick_name
            .clone()
            .unwrap_or_else(|| a.authorizer_appid.clone()),
        authorizer_appid: a.authorizer_appid,
        head_img: a.head_img,
        kind: kind.to_owned(),
        service: service.map(str::to_owned),
        verification: verification.to_owned(),
        principal_name: a.principal_name,
        active: a.status == AuthorizerStatus::Active,
        status: status.to_owned(),
        permissions,
        missing_required,
        authorized_at: crate::shared::ssr::format_time(a.authorized_at),
        lang,
    }
}

/// The label of an invite's `auth_type`.
#[cfg(feature = "ssr")]
pub(crate) fn auth_type_label(
    auth_type: wechat::links::AuthType,
    lang: crate::i18n::Lang,
) -> &'static str {
    use wechat::links::AuthType;
    match auth_type {
        AuthType::OfficialAccount => lang.pick("公众号", "an official account"),
        AuthType::MiniProgram => lang.pick("小程序", "a mini program"),
        AuthType::Both => lang.pick("公众号或小程序", "an official account or mini program"),
        AuthType::All => lang.pick(
            "公众号、小程序及其他帐号",
            "an official account, mini program or other account",
        ),
    }
}

/// What a list shows while its data loads, in the page's language.
pub fn loading(lang: crate::i18n::Lang) -> impl leptos::IntoView {
    use leptos::prelude::*;
    view! { <p class="muted">{lang.pick("加载中…", "Loading…")}</p> }
}

/// What a page shows when its data could not be read.
pub fn failed(err: crate::UiError) -> impl leptos::IntoView {
    use leptos::prelude::*;
    view! { <p class="error" role="alert">{err.to_string()}</p> }
}

/// A column of a list's table: its name in both languages; a `hidden` one
/// is named for screen readers only (a column of buttons).
#[derive(Debug, Clone, Copy)]
pub struct Column {
    zh: &'static str,
    en: &'static str,
    hidden: bool,
}

impl Column {
    pub const fn new(zh: &'static str, en: &'static str) -> Self {
        Self {
            zh,
            en,
            hidden: false,
        }
    }

    pub const fn hidden(zh: &'static str, en: &'static str) -> Self {
        Self {
            zh,
            en,
            hidden: true,
        }
    }
}

/// A list's table: the header row in the page's language over `rows` (each
/// a `<tr>`), or, with no row, the empty state `empty` (what to do next).
pub fn list_table<R: leptos::IntoView + 'static>(
    lang: crate::i18n::Lang,
    columns: &[Column],
    rows: Vec<R>,
    empty: &str,
) -> leptos::prelude::AnyView {
    use leptos::prelude::*;
    if rows.is_empty() {
        return view! { <p class="empty-state">{empty.to_owned()}</p> }.into_any();
    }
    let header = columns
        .iter()
        .map(|column| {
            let name = lang.pick(column.zh, column.en);
            if column.hidden {
                view! { <th scope="col"><span class="visually-hidden">{name}</span></th> }
                    .into_any()
            } else {
                view! { <th scope="col">{name}</th> }.into_any()
            }
        })
        .collect_view();
    view! {
        <table class="table">
            <thead>
                <tr>{header}</tr>
            </thead>
            <tbody>{rows}</tbody>
        </table>
    }
    .into_any()
}
