//! What the emulator is told at start: the platform's credentials, where to push,
//! lifetimes, and every behaviour the references leave unsettled.
//!
//! Points marked *unsure* in `wechat-open-platform.md` / `wechat-protocol-details.md`
//! §13 are fields here with the default the references lean towards, so tests can
//! exercise the other reading too.

use std::net::IpAddr;
use std::path::PathBuf;
use std::time::Duration;

use url::Url;

/// Everything the emulator needs to play WeChat for one third-party platform.
#[derive(Debug, Clone)]
pub struct SimConfig {
    /// The platform's component appid (`wx…`).
    pub component_appid: String,
    /// The platform's component appsecret.
    pub component_appsecret: String,
    /// 消息校验Token, used to sign pushes.
    pub token: String,
    /// 消息加解密Key (43 characters), used to encrypt pushes.
    pub encoding_aes_key: String,
    /// The platform's 授权事件接收URL. `None`: tickets are still minted (readable
    /// through `GET /__sim/ticket`) but nothing is pushed.
    pub push_url: Option<Url>,
    /// How often a fresh component_verify_ticket is pushed (WeChat: 10 minutes).
    pub ticket_interval: Duration,
    /// Where state is saved as JSON after every change, so a standalone run survives restarts.
    pub state_file: Option<PathBuf>,
    /// The platform's name as shown on the authorization page.
    pub component_name: String,
    /// 授权发起页域名: a bare host. `None` accepts any entry page whose host equals
    /// the `redirect_uri` host (handy for tests on 127.0.0.1 with random ports).
    pub auth_page_domain: Option<String>,
    /// Enforce the Referer rule on the authorization pages (WeChat always does).
    pub enforce_referer: bool,
    /// 白名单IP: `None` accepts every caller; otherwise others get 61004 with `requestIP`.
    /// Needs the server to provide `ConnectInfo<SocketAddr>` ([`crate::Simulator::serve`] does);
    /// without it the check is skipped.
    pub ip_whitelist: Option<Vec<IpAddr>>,
    /// How long things live.
    pub lifetimes: Lifetimes,
    /// Behaviours the references do not settle.
    pub behaviour: Behaviour,
    /// How pushes are delivered and retried.
    pub push: PushPolicy,
    /// The platform's 消息与事件接收URL, `$APPID$` standing for the
    /// account's appid. `None`: user messages are not pushed.
    pub message_url: Option<String>,
    /// How message pushes are delivered, retried and suppressed.
    pub messages: MessagePolicy,
}

impl SimConfig {
    /// A configuration with WeChat's documented lifetimes and the default reading
    /// of every unsure behaviour, for the given platform credentials.
    pub fn new(
        component_appid: impl Into<String>,
        component_appsecret: impl Into<String>,
        token: impl Into<String>,
        encoding_aes_key: impl Into<String>,
    ) -> Self {
        SimConfig {
            component_appid: component_appid.into(),
            component_appsecret: component_appsecret.into(),
            token: token.into(),
            encoding_aes_key: encoding_aes_key.into(),
            push_url: None,
            ticket_interval: Duration::from_secs(600),
            state_file: None,
            component_name: "微桥测试平台".to_owned(),
            auth_page_domain: None,
            enforce_referer: true,
            ip_whitelist: None,
            lifetimes: Lifetimes::default(),
            behaviour: Behaviour::default(),
            push: PushPolicy::default(),
            message_url: None,
            messages: MessagePolicy::default(),
        }
    }

    /// Same configuration, pushing user messages to `template` (with `$APPID$`).
    pub fn with_message_url(mut self, template: impl Into<String>) -> Self {
        self.message_url = Some(template.into());
        self
    }

    /// Same configuration, pushing to `url`.
    pub fn with_push_url(mut self, url: Url) -> Self {
        self.push_url = Some(url);
        self
    }
}

/// Lifetimes of everything WeChat issues (reference §3–§4).
#[derive(Debug, Clone)]
pub struct Lifetimes {
    /// component_verify_ticket: 12 hours.
    pub ticket: Duration,
    /// component_access_token: 7200 s.
    pub component_token: Duration,
    /// pre_auth_code: 1800 s (the docs' examples say 600; live responses say 1800).
    pub pre_auth_code: Duration,
    /// auth_code: 3600 s (live redirects all say 3600).
    pub auth_code: Duration,
    /// authorizer_access_token: 7200 s.
    pub authorizer_token: Duration,
}

impl Default for Lifetimes {
    fn default() -> Self {
        Lifetimes {
            ticket: Duration::from_secs(12 * 3600),
            component_token: Duration::from_secs(7200),
            pre_auth_code: Duration::from_secs(1800),
            auth_code: Duration::from_secs(3600),
            authorizer_token: Duration::from_secs(7200),
        }
    }
}

/// Unsure behaviours (details §13), each with the default the evidence leans towards.
#[derive(Debug, Clone)]
pub struct Behaviour {
    /// How long a superseded component_access_token keeps working (unsure §13.4;
    /// staff say frequent refreshes kill old tokens, the ordinary access_token rule is 5 min).
    pub component_token_grace: Duration,
    /// How long a superseded authorizer_access_token keeps working (unsure §13.4).
    pub authorizer_token_grace: Duration,
    /// Whether api_authorizer_token rotates the refresh token (staff: it normally does not).
    pub refresh_token_rotation: RefreshTokenRotation,
    /// How long a replaced refresh token keeps working (staff: about 5 minutes).
    pub refresh_token_grace: Duration,
    /// Whether api_authorizer_token answers with an empty
    /// `authorizer_refresh_token` (never documented, but a client must not
    /// store it: it would lose the account; off by default).
    pub empty_refresh_token_in_answer: bool,
    /// Whether an auth_code can be exchanged twice (unsure §13.1).
    pub auth_code_reuse: AuthCodeReuse,
    /// Whether a successful authorization consumes its pre_auth_code (unsure §13.3).
    pub pre_auth_code_single_use: bool,
    /// Whether a new pre_auth_code invalidates the earlier ones (unsure §13.3).
    pub new_pre_auth_code_invalidates_old: bool,
    /// When the `authorized` / `updateauthorized` push happens relative to the redirect (unsure §13.2).
    pub event_push_timing: EventPushTiming,
    /// How `notify_third_fasteregister` looks (details §7: the doc's template
    /// and the live pushes differ).
    pub fast_register_push: FastRegisterPushStyle,
}

impl Default for Behaviour {
    fn default() -> Self {
        Behaviour {
            component_token_grace: Duration::from_secs(300),
            authorizer_token_grace: Duration::from_secs(300),
            refresh_token_rotation: RefreshTokenRotation::Never,
            refresh_token_grace: Duration::from_secs(300),
            empty_refresh_token_in_answer: false,
            auth_code_reuse: AuthCodeReuse::SingleUse,
            pre_auth_code_single_use: true,
            new_pre_auth_code_invalidates_old: false,
            event_push_timing: EventPushTiming::Background {
                delay: Duration::ZERO,
            },
            fast_register_push: FastRegisterPushStyle::Live,
        }
    }
}

/// The form of the fast-registration result push (unsure, details §7).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FastRegisterPushStyle {
    /// As the doc's template: `appid` and `auth_code` bare, `msg` `OK`.
    Documented,
    /// As captured live: `auth_code` in CDATA and a `taskid` inside `info`.
    Live,
}

/// Whether api_authorizer_token hands out a new refresh token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefreshTokenRotation {
    /// The refresh token only changes on re-authorization after a revocation (WeChat staff).
    Never,
    /// Every refresh returns a new refresh token; the old one works for
    /// [`Behaviour::refresh_token_grace`] (the behaviour staff describe "when it does change").
    EveryRefresh,
}

/// What a second api_query_auth with the same code does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthCodeReuse {
    /// Second exchange fails with 61009 "code is invalid" (one user's report).
    SingleUse,
    /// The code can be exchanged until it expires.
    Reusable,
}

/// When the authorization event is pushed relative to the browser redirect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventPushTiming {
    /// Push (with retries) before answering the confirm form with the redirect.
    BeforeRedirect,
    /// Answer the redirect at once and push from a background task after `delay`.
    Background { delay: Duration },
}

/// Delivery and retry of pushes (unsure §13.5–13.6: WeChat documents no rule for
/// component pushes; the official-account rule is 5 s timeout, three tries in all).
#[derive(Debug, Clone)]
pub struct PushPolicy {
    /// Tries per push, the first included.
    pub attempts: u32,
    /// How long to wait for an answer before a try counts as failed.
    pub timeout: Duration,
    /// Pause between tries.
    pub retry_delay: Duration,
    /// Accept `success` with surrounding whitespace (`false`: the body must be exactly `success`).
    pub lenient_success: bool,
    /// After this many failed ticket pushes in a row WeChat stops pushing tickets until
    /// api_start_push_ticket (unsure: the real threshold is unknown). `None`: never stop.
    pub stop_after_failed_ticket_pushes: Option<u32>,
}

/// Message pushes (gateway reference §1.5–§1.6). What the references leave
/// open is a setting: the number of deliveries (3 in all, or 1 + 3), the
/// pause between them, and when MarkFail suppression starts.
#[derive(Debug, Clone)]
pub struct MessagePolicy {
    /// Deliveries per push, the first included (the doc's "retries three
    /// times" read either way: 3 or 4).
    pub attempts: u32,
    /// A delivery unanswered after this failed (WeChat: 5 s).
    pub timeout: Duration,
    /// Pause between deliveries (undocumented).
    pub retry_delay: Duration,
    /// After this many failed pushes in a row, pushes stop for
    /// [`MessagePolicy::suppress_for`] (MarkFail; the threshold is unknown).
    pub mark_fail_after: u32,
    /// WeChat: "一分钟后解除屏蔽".
    pub suppress_for: Duration,
    /// Which code the release check's `QUERY_AUTH_CODE:` message carries.
    pub release_check_code: ReleaseCheckCode,
    /// How long the check waits for the `<code>_from_api` message.
    pub release_check_api_window: Duration,
}

/// The code in the release check's `QUERY_AUTH_CODE:` message: the doc says
/// the one of the automatic authorization's push; captures cannot tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReleaseCheckCode {
    /// The `authorized` push's AuthorizationCode (already exchanged by then:
    /// with single-use codes a second exchange fails, and the platform must
    /// fall back on the token it got).
    SameAsAuthorized,
    /// A fresh code for the same account.
    Fresh,
}

impl Default for MessagePolicy {
    fn default() -> Self {
        MessagePolicy {
            attempts: 3,
            timeout: Duration::from_secs(5),
            retry_delay: Duration::from_secs(1),
            mark_fail_after: 10,
            suppress_for: Duration::from_secs(60),
            release_check_code: ReleaseCheckCode::SameAsAuthorized,
            release_check_api_window: Duration::from_secs(2),
        }
    }
}

impl Default for PushPolicy {
    fn default() -> Self {
        PushPolicy {
            attempts: 3,
            timeout: Duration::from_secs(5),
            retry_delay: Duration::from_secs(5),
            lenient_success: false,
            stop_after_failed_ticket_pushes: None,
        }
    }
}
