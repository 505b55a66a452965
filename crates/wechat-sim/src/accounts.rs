//! The accounts that can authorize the platform: official accounts (公众号) and
//! mini programs (小程序), their profile as api_get_authorizer_info shows it, the
//! demo set, and the permission sets (权限集) they can grant.

use base64::Engine as _;
use serde::{Deserialize, Serialize};

use crate::tokens;

/// Official account or mini program.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccountKind {
    /// 公众号
    OfficialAccount,
    /// 小程序
    MiniProgram,
}

impl AccountKind {
    /// The zh-CN label WeChat uses.
    pub fn label(self) -> &'static str {
        match self {
            AccountKind::OfficialAccount => "公众号",
            AccountKind::MiniProgram => "小程序",
        }
    }
}

/// One account as WeChat knows it, independent of any authorization.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Account {
    pub appid: String,
    pub kind: AccountKind,
    pub nick_name: String,
    /// Original id `gh_…`.
    pub user_name: String,
    pub principal_name: String,
    /// WeChat id of an official account; empty for mini programs.
    pub alias: String,
    /// A data URI (no network needed to show it).
    pub head_img: String,
    pub qrcode_url: String,
    pub signature: String,
    /// Official account: 0 subscription, 1 upgraded, 2 service. Mini program: 0.
    pub service_type: i64,
    /// −1 unverified, 0 WeChat verified.
    pub verify_type: i64,
    /// Mini programs: `(first, second)` category names.
    #[serde(default)]
    pub categories: Vec<(String, String)>,
}

/// What a tester (control API or page) supplies to create an account.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct NewAccount {
    pub kind: Option<AccountKind>,
    pub nick_name: String,
    pub principal_name: Option<String>,
    pub appid: Option<String>,
    pub alias: Option<String>,
    pub signature: Option<String>,
    pub service_type: Option<i64>,
    pub verify_type: Option<i64>,
}

impl Account {
    /// Build an account from a tester's description, filling what is missing.
    pub fn create(new: NewAccount) -> Account {
        let kind = new.kind.unwrap_or(AccountKind::OfficialAccount);
        let nick_name = if new.nick_name.trim().is_empty() {
            format!("测试{}{}", kind.label(), tokens::alnum(4))
        } else {
            new.nick_name.trim().to_owned()
        };
        let categories = match kind {
            AccountKind::MiniProgram => vec![("工具".to_owned(), "效率".to_owned())],
            AccountKind::OfficialAccount => Vec::new(),
        };
        Account {
            appid: new.appid.unwrap_or_else(tokens::appid),
            kind,
            head_img: avatar(&nick_name),
            qrcode_url: avatar("码"),
            user_name: tokens::original_id(),
            principal_name: new.principal_name.unwrap_or_else(|| "个人".to_owned()),
            alias: new.alias.unwrap_or_default(),
            signature: new.signature.unwrap_or_default(),
            service_type: new.service_type.unwrap_or(match kind {
                AccountKind::OfficialAccount => 2,
                AccountKind::MiniProgram => 0,
            }),
            verify_type: new.verify_type.unwrap_or(0),
            categories,
            nick_name,
        }
    }
}

/// The demo set: realistic names, a mix of kinds, verified and not.
pub fn demo_accounts() -> Vec<Account> {
    let oa = |appid: &str, nick: &str, principal: &str, alias: &str, service: i64, verify: i64| {
        Account::create(NewAccount {
            kind: Some(AccountKind::OfficialAccount),
            nick_name: nick.to_owned(),
            principal_name: Some(principal.to_owned()),
            appid: Some(appid.to_owned()),
            alias: Some(alias.to_owned()),
            signature: Some(format!("{nick}官方公众号")),
            service_type: Some(service),
            verify_type: Some(verify),
        })
    };
    let mp = |appid: &str, nick: &str, principal: &str, first: &str, second: &str, verify: i64| {
        let mut account = Account::create(NewAccount {
            kind: Some(AccountKind::MiniProgram),
            nick_name: nick.to_owned(),
            principal_name: Some(principal.to_owned()),
            appid: Some(appid.to_owned()),
            signature: Some(format!("{nick}，随时随地下单")),
            verify_type: Some(verify),
            ..NewAccount::default()
        });
        account.categories = vec![(first.to_owned(), second.to_owned())];
        account
    };
    vec![
        oa(
            "wx5d3e1a2b3c4d5e6f",
            "江南茶舍",
            "杭州江南茶舍餐饮管理有限公司",
            "jiangnanchashe",
            2,
            0,
        ),
        oa(
            "wx6e4f2b3c4d5e6f70",
            "老城区书店",
            "苏州老城区文化传播有限公司",
            "laochengqushudian",
            0,
            0,
        ),
        oa("wx7f503c4d5e6f7081", "小林的烘焙日记", "个人", "", 0, -1),
        mp(
            "wx8a614d5e6f708192",
            "江南茶舍点单",
            "杭州江南茶舍餐饮管理有限公司",
            "餐饮",
            "点餐平台",
            0,
        ),
        mp(
            "wx9b725e6f708192a3",
            "鲜果到家",
            "上海鲜果到家电子商务有限公司",
            "商业服务",
            "生鲜",
            0,
        ),
        mp(
            "wxac836f708192a3b4",
            "社区团购助手",
            "深圳邻里科技有限公司",
            "工具",
            "信息查询",
            -1,
        ),
    ]
}

/// A tiny inline SVG avatar: the first character of the name on a colour derived from it.
pub fn avatar(name: &str) -> String {
    const COLOURS: [&str; 6] = [
        "#07c160", "#10aeff", "#fa9d3b", "#fa5151", "#6467f0", "#576b95",
    ];
    let hash = name.bytes().fold(0usize, |h, b| {
        h.wrapping_mul(31).wrapping_add(usize::from(b))
    });
    let colour = COLOURS[hash % COLOURS.len()];
    let initial: String = name.chars().next().map(String::from).unwrap_or_default();
    let initial = crate::html::escape(&initial);
    let svg = format!(
        "<svg xmlns='http://www.w3.org/2000/svg' width='64' height='64'><rect width='64' height='64' rx='8' fill='{colour}'/><text x='32' y='42' font-size='28' text-anchor='middle' fill='#fff'>{initial}</text></svg>"
    );
    format!(
        "data:image/svg+xml;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(svg)
    )
}

/// Permission sets (`funcscope_category.id`) offered by default, per account kind (reference §4).
pub fn default_permission_sets(kind: AccountKind) -> &'static [u32] {
    match kind {
        AccountKind::OfficialAccount => &[1, 2, 3, 4, 7, 11, 15, 24, 27, 33],
        AccountKind::MiniProgram => &[17, 18, 19, 25, 30, 31, 37, 40, 49],
    }
}

/// Which kind a permission set belongs to, when known.
pub fn permission_set_kind(id: u32) -> Option<AccountKind> {
    match id {
        17 | 18 | 19 | 25 | 30 | 31 | 37 | 40 | 41 | 45 | 48 | 49 | 51 | 52 | 65 | 67 | 76 | 81 => {
            Some(AccountKind::MiniProgram)
        }
        1..=16 | 22 | 23 | 24 | 26 | 27 | 33 | 34 | 44 | 46 | 47 | 54 | 66 | 89 => {
            Some(AccountKind::OfficialAccount)
        }
        _ => None,
    }
}

/// The zh-CN name of a permission set; unknown ids show as "权限集 N" (reference §4).
pub fn permission_set_name(id: u32) -> String {
    let name = match id {
        1 => "消息管理",
        2 => "用户管理",
        3 => "帐号服务",
        4 => "网页服务",
        5 => "微信小店",
        6 => "微信多客服",
        7 => "群发与通知",
        8 => "微信卡券",
        9 => "微信扫一扫",
        10 => "微信连WIFI",
        11 => "素材管理",
        12 => "微信摇周边",
        13 => "微信门店",
        15 => "自定义菜单",
        17 => "获取小程序码",
        18 => "开发管理与数据分析",
        19 => "客服消息管理",
        22 => "城市服务",
        23 => "广告管理",
        24 | 25 => "开放平台帐号管理",
        26 => "微信电子发票",
        27 => "快速注册小程序",
        30 => "小程序基本信息设置",
        31 => "小程序认证",
        33 => "小程序管理",
        37 => "附近地点",
        40 => "插件管理",
        49 => "云开发管理",
        _ => return format!("权限集 {id}"),
    };
    name.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_set_has_both_kinds_with_distinct_appids() {
        let demo = demo_accounts();
        assert!(demo.iter().any(|a| a.kind == AccountKind::OfficialAccount));
        assert!(demo.iter().any(|a| a.kind == AccountKind::MiniProgram));
        let mut appids: Vec<_> = demo.iter().map(|a| a.appid.clone()).collect();
        appids.sort();
        appids.dedup();
        assert_eq!(appids.len(), demo.len());
    }

    #[test]
    fn avatars_are_inline_images() {
        assert!(avatar("江南茶舍").starts_with("data:image/svg+xml;base64,"));
    }

    #[test]
    fn unknown_permission_sets_are_named_by_number() {
        assert_eq!(permission_set_name(1), "消息管理");
        assert_eq!(permission_set_name(999), "权限集 999");
    }

    #[test]
    fn a_created_account_gets_a_name_and_ids_when_none_are_given() {
        let account = Account::create(NewAccount {
            kind: Some(AccountKind::MiniProgram),
            ..NewAccount::default()
        });
        assert!(account.nick_name.starts_with("测试小程序"));
        assert!(account.appid.starts_with("wx"));
        assert_eq!(account.service_type, 0);
    }
}
