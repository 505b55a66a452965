//! Permission sets (`funcscope_category.id`): decoding `func_info` into ids
//! and naming them in zh-CN and English for the console.
//!
//! Names follow `wechat-open-platform.md` §4 where it lists an id, and the
//! fuller table in `wechat-protocol-details.md` §9 otherwise. WeChat keeps
//! adding sets, so an id missing here is not an error: it renders as
//! "权限集 N" / "Permission set N" (unsure: names for ids beyond the table).

use crate::wire::FuncInfo;
use std::borrow::Cow;

/// One known permission set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PermissionSet {
    /// `funcscope_category.id`.
    pub id: i64,
    /// WeChat's Chinese name.
    pub zh: &'static str,
    /// An English rendering.
    pub en: &'static str,
}

const fn set(id: i64, zh: &'static str, en: &'static str) -> PermissionSet {
    PermissionSet { id, zh, en }
}

/// Known sets, ordered by id.
pub const PERMISSION_SETS: &[PermissionSet] = &[
    set(1, "消息管理", "Message management"),
    set(2, "用户管理", "User management"),
    set(3, "帐号服务", "Account services"),
    set(4, "网页服务", "Web services"),
    set(5, "微信小店", "WeChat Store"),
    set(6, "微信多客服", "Multi-agent customer service"),
    set(7, "群发与通知", "Broadcasts and notifications"),
    set(8, "微信卡券", "Cards and coupons"),
    set(9, "微信扫一扫", "Scan"),
    set(10, "微信连WIFI", "Wi-Fi"),
    set(11, "素材管理", "Media management"),
    set(12, "微信摇周边", "Shake nearby"),
    set(13, "微信门店", "Stores"),
    set(15, "自定义菜单", "Custom menu"),
    set(
        17,
        "获取小程序码",
        "Mini program codes (formerly account management)",
    ),
    set(
        18,
        "开发管理与数据分析",
        "Development management and analytics",
    ),
    set(19, "客服消息管理", "Customer service messages"),
    set(22, "城市服务", "City services"),
    set(23, "广告管理", "Advertising"),
    set(24, "开放平台帐号管理", "Open Platform account management"),
    set(
        25,
        "开放平台帐号管理",
        "Open Platform account management (mini program)",
    ),
    set(26, "微信电子发票", "E-invoices"),
    set(27, "快速注册小程序", "Fast mini-program registration"),
    set(30, "小程序基本信息设置", "Mini program basic settings"),
    set(31, "小程序认证", "Mini program verification"),
    set(33, "小程序管理", "Mini program management"),
    set(34, "微信商品库管理", "Product library"),
    set(37, "附近地点", "Nearby places"),
    set(40, "插件管理", "Plug-in management"),
    set(41, "好物圈管理", "Haowuquan management"),
    set(44, "好物圈", "Haowuquan"),
    set(45, "微信物流服务", "Logistics"),
    set(46, "微信一物一码", "One item one code"),
    set(47, "微信财政电子票据", "Fiscal e-receipts"),
    set(
        48,
        "微信财政电子票据管理",
        "Fiscal e-receipts (mini program)",
    ),
    set(49, "云开发管理", "Cloud development"),
    set(51, "小程序即时配送", "Instant delivery"),
    set(52, "小程序直播管理", "Live streaming"),
    set(54, "服务号对话管理", "Service account conversations"),
    set(65, "小程序广告管理", "Mini program advertising"),
    set(66, "微信服务市场管理", "Service market (official account)"),
    set(67, "微信服务市场管理", "Service market (mini program)"),
    set(76, "违规与交易投诉管理", "Violations and trade complaints"),
    set(
        81,
        "试用小程序快速认证",
        "Trial mini program fast verification",
    ),
    set(89, "服务号订阅通知", "Subscription notifications"),
    set(113, "就医助手", "Medical assistant"),
];

/// The distinct ids of `func_info`, sorted.
pub fn permission_ids(func_info: &[FuncInfo]) -> Vec<i64> {
    let mut ids: Vec<i64> = func_info.iter().map(|f| f.funcscope_category.id).collect();
    ids.sort_unstable();
    ids.dedup();
    ids
}

/// The known set with this id.
pub fn lookup(id: i64) -> Option<&'static PermissionSet> {
    PERMISSION_SETS
        .binary_search_by_key(&id, |s| s.id)
        .ok()
        .and_then(|i| PERMISSION_SETS.get(i))
}

/// Chinese name; "权限集 N" for unknown ids.
pub fn name_zh(id: i64) -> Cow<'static, str> {
    lookup(id).map_or_else(
        || Cow::Owned(format!("权限集 {id}")),
        |s| Cow::Borrowed(s.zh),
    )
}

/// English name; "Permission set N" for unknown ids.
pub fn name_en(id: i64) -> Cow<'static, str> {
    lookup(id).map_or_else(
        || Cow::Owned(format!("Permission set {id}")),
        |s| Cow::Borrowed(s.en),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_sorted_by_id_without_duplicates() {
        assert!(PERMISSION_SETS.windows(2).all(|w| w[0].id < w[1].id));
    }

    #[test]
    fn func_info_decodes_into_sorted_distinct_ids() {
        let info = [
            FuncInfo::with_id(15),
            FuncInfo::with_id(1),
            FuncInfo::with_id(15),
        ];
        assert_eq!(permission_ids(&info), vec![1, 15]);
    }

    #[test]
    fn known_ids_have_the_reference_names() {
        assert_eq!(name_zh(1), "消息管理");
        assert_eq!(name_zh(15), "自定义菜单");
        assert_eq!(name_zh(18), "开发管理与数据分析");
        assert_eq!(name_en(1), "Message management");
    }

    #[test]
    fn unknown_ids_render_as_permission_set_n() {
        assert_eq!(name_zh(9999), "权限集 9999");
        assert_eq!(name_en(9999), "Permission set 9999");
        assert!(lookup(14).is_none());
    }
}
