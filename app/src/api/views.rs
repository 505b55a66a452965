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
}

/// One permission set (权限集).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PermissionView {
    pub id: i64,
    pub name: String,
    pub required: bool,
}

#[cfg(feature = "ssr")]
pub(crate) fn authorizer_view(
    a: platform::onboarding::Authorizer,
    required: &[i64],
) -> AuthorizerView {
    use wechat::permissions::name_zh;

    let kind = if a.is_mini_program {
        "小程序"
    } else {
        "公众号"
    };
    let service = match (a.is_mini_program, a.service_type) {
        (false, Some(0 | 1)) => Some("订阅号"),
        (false, Some(2)) => Some("服务号"),
        _ => None,
    };
    let verification = match a.verify_type {
        Some(-1) | None => "未认证",
        Some(0) => "微信认证",
        Some(1) => "新浪微博认证",
        Some(2) => "腾讯微博认证",
        Some(_) => "资质认证",
    };
    let status = match a.status.as_str() {
        "active" => "已授权",
        "revoked" => "已取消授权",
        _ => "需要重新授权",
    };
    let permissions = a
        .permissions
        .iter()
        .map(|&id| PermissionView {
            id,
            name: name_zh(id).into_owned(),
            required: required.contains(&id),
        })
        .collect();
    let missing_required = required
        .iter()
        .filter(|id| !a.permissions.contains(id))
        .map(|&id| name_zh(id).into_owned())
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
        active: a.status == "active",
        status: status.to_owned(),
        permissions,
        missing_required,
        authorized_at: super::ssr::format_time(a.authorized_at),
    }
}

/// The label of an invite's `auth_type`.
#[cfg(feature = "ssr")]
pub(crate) fn auth_type_label(auth_type: wechat::links::AuthType) -> &'static str {
    use wechat::links::AuthType;
    match auth_type {
        AuthType::OfficialAccount => "公众号",
        AuthType::MiniProgram => "小程序",
        AuthType::Both => "公众号或小程序",
        AuthType::All => "公众号、小程序及其他帐号",
    }
}
