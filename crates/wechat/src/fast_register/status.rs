//! What fast registration's numbers mean: create errcodes (details §7,
//! D-fast), the push's `status` (SDK tables, S-wj `WxOpenErrorMsgEnum`), and
//! the search answer. Texts say what happened and what to do next.

/// A create call WeChat refused for a reason the merchant or the operator
/// can act on. Transient errors (-1, timeouts) are not here: they are
/// [`crate::error::WechatError`]s classified retryable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CreateRefusal {
    /// 89249: a task for this entity is already running (retry after 24 h).
    AlreadyRunning,
    /// 89247: WeChat's own inner error.
    InnerError,
    /// 86004: the legal representative's WeChat id is invalid.
    InvalidWechatId,
    /// 61070: the legal representative's name and WeChat id do not match.
    NameWechatMismatch,
    /// 89248: invalid `code_type`.
    InvalidCodeType,
    /// 89255: invalid `code`.
    InvalidCode,
    /// 89253: a required field is missing.
    MissingParams,
    /// 89254: the platform lacks the permission sets fast registration needs.
    PlatformLacksPermission,
    /// 89250 / 89251 / 89252 answered to a create: a task exists in some
    /// state (not found, waiting for the face check, being checked).
    TaskState(i64),
}

impl CreateRefusal {
    pub fn from_errcode(errcode: i64) -> Option<Self> {
        Some(match errcode {
            89249 => Self::AlreadyRunning,
            89247 => Self::InnerError,
            86004 => Self::InvalidWechatId,
            61070 => Self::NameWechatMismatch,
            89248 => Self::InvalidCodeType,
            89255 => Self::InvalidCode,
            89253 => Self::MissingParams,
            89254 => Self::PlatformLacksPermission,
            89250..=89252 => Self::TaskState(errcode),
            _ => return None,
        })
    }

    /// What happened and what to do, for the person who filled in the form.
    pub fn describe_zh(self) -> &'static str {
        match self {
            Self::AlreadyRunning => {
                "微信上已有这家企业的注册任务正在进行（89249）：请法人先在微信中处理已收到的消息；若已失效，请 24 小时后再试。"
            }
            Self::InnerError => "微信内部错误（89247）：请稍后重试。",
            Self::InvalidWechatId => {
                "法人微信号无效（86004）：请填写法人的微信号（在微信「我」页面可以看到），不是手机号或昵称。"
            }
            Self::NameWechatMismatch => {
                "法人姓名与微信号不匹配（61070）：请确认微信号属于法人本人，且姓名与其微信实名一致。"
            }
            Self::InvalidCodeType => "企业代码类型无效（89248）：请重新选择代码类型。",
            Self::InvalidCode => "微信不接受这个企业代码（89255）：请按营业执照核对代码及其类型。",
            Self::MissingParams => "信息不完整（89253）：请填写所有必填项后重试。",
            Self::PlatformLacksPermission => {
                "平台尚未获得快速注册小程序所需的权限（89254）：请联系平台管理员在微信开放平台开通后再试。"
            }
            Self::TaskState(_) => {
                "微信上已有这家企业的注册任务（正在等待法人确认或正在核验）：请等待结果。"
            }
        }
    }

    pub fn describe_en(self) -> &'static str {
        match self {
            Self::AlreadyRunning => {
                "WeChat already runs a registration for this enterprise (89249): the legal representative should answer the message they received; if it lapsed, try again after 24 hours."
            }
            Self::InnerError => "WeChat had an inner error (89247): please try again later.",
            Self::InvalidWechatId => {
                "The legal representative's WeChat id is invalid (86004): enter their WeChat id (shown under Me in WeChat), not a phone number or nickname."
            }
            Self::NameWechatMismatch => {
                "The legal representative's name does not match the WeChat id (61070): make sure the id is theirs and the name is their real name in WeChat."
            }
            Self::InvalidCodeType => "The code type is invalid (89248): choose it again.",
            Self::InvalidCode => {
                "WeChat does not accept this enterprise code (89255): check it and its type against the business licence."
            }
            Self::MissingParams => "Something is missing (89253): fill in every required field.",
            Self::PlatformLacksPermission => {
                "The platform lacks the permission sets fast registration needs (89254): ask the platform's administrator to enable them on the WeChat Open Platform."
            }
            Self::TaskState(_) => {
                "WeChat already has a registration for this enterprise (waiting for the legal representative or being checked): wait for its result."
            }
        }
    }
}

/// What a `notify_third_fasteregister` push's `status` says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RegistrationOutcome {
    /// 0: the mini program exists; the push carries its appid and an auth code.
    Registered,
    /// 100001–100003: the legal representative did not confirm within 24 h.
    NotConfirmedInTime,
    /// 101–105, 1000: the business registry does not match what was sent.
    RegistryMismatch,
    /// 1001–1008: a count limit or a blacklist (entity, admin, phone, ID card).
    Limited,
    /// Anything else, e.g. −1 "open verity failed" seen live (C-fast-live).
    Failed,
}

impl RegistrationOutcome {
    pub fn from_status(status: i64) -> Self {
        match status {
            0 => Self::Registered,
            100_001..=100_003 => Self::NotConfirmedInTime,
            101..=105 | 1000 => Self::RegistryMismatch,
            1001..=1008 => Self::Limited,
            _ => Self::Failed,
        }
    }

    /// The reason in words, with what to do next.
    pub fn describe_zh(status: i64) -> &'static str {
        match status {
            0 => "注册成功。",
            100_001 => {
                "法人未在 24 小时内确认（未完成身份证校验）：请提醒法人留意微信消息后重新提交。"
            }
            100_002 => {
                "法人未在 24 小时内确认（未完成人脸识别）：请提醒法人留意微信消息后重新提交。"
            }
            100_003 => "法人未在 24 小时内确认：请提醒法人留意微信消息后重新提交。",
            101 => "工商数据显示企业已注销：无法为该企业注册小程序。",
            102 => {
                "工商数据显示企业不存在或信息未更新：请核对企业名称与代码，与营业执照完全一致后重试。"
            }
            103 => "法定代表人姓名与工商登记不一致：请核对法人姓名后重试。",
            104 => "法定代表人身份证号码与工商登记不一致：请确认法人信息后重试。",
            105 => "法定代表人身份证信息在工商数据中尚未更新：请 5 到 15 个工作日后再试。",
            1000 => {
                "企业信息或法定代表人信息与工商登记不一致：请核对企业名称、代码和法人姓名后重试。"
            }
            1001 => "该企业创建的小程序数量已达上限：无法再快速注册。",
            1002 => "该企业因违规被微信限制：无法快速注册。",
            1003 => "管理员绑定的帐号数量已达上限：请换一位管理员（法人微信）后重试。",
            1004 => "管理员因违规被微信限制：请换一位管理员后重试。",
            1005 => "管理员手机号绑定的帐号数量已达上限。",
            1006 => "管理员手机号因违规被微信限制。",
            1007 => "管理员身份证创建的帐号数量已达上限。",
            1008 => "管理员身份证因违规被微信限制。",
            _ => "微信未能完成注册（法人确认或核验未通过）：请核对信息后重新提交。",
        }
    }

    pub fn describe_en(status: i64) -> &'static str {
        match Self::from_status(status) {
            Self::Registered => "Registered.",
            Self::NotConfirmedInTime => {
                "The legal representative did not confirm within 24 hours: remind them to watch for WeChat's message, then submit again."
            }
            Self::RegistryMismatch => {
                "The business registry does not match what was sent: check the enterprise's name, code and legal representative against the business licence, then submit again."
            }
            Self::Limited => {
                "A WeChat limit or restriction applies to this enterprise or its administrator: fast registration is not possible this way."
            }
            Self::Failed => {
                "WeChat could not complete the registration (confirmation or verification failed): check the details and submit again."
            }
        }
    }

    /// Whether correcting the details and submitting again can help.
    pub fn retryable(self) -> bool {
        !matches!(self, Self::Registered | Self::Limited)
    }
}

/// Our reading of a search answer: the doc lists 89250–89252 among the
/// codes, which only make sense as states of a search, and advises not to
/// rely on search at all (details §7); errcode 0 says the task exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SearchAnswer {
    /// errcode 0.
    Found,
    /// 89250.
    NoTask,
    /// 89251: waiting for the legal representative's face check.
    AwaitingLegalPerson,
    /// 89252: the consistency check is running.
    Checking,
}

impl SearchAnswer {
    pub fn from_errcode(errcode: i64) -> Option<Self> {
        Some(match errcode {
            0 => Self::Found,
            89250 => Self::NoTask,
            89251 => Self::AwaitingLegalPerson,
            89252 => Self::Checking,
            _ => return None,
        })
    }
}
