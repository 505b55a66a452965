//! The configuration, read once at start from the environment and an optional
//! `.env` file. Every variable is validated here; an invalid one stops the
//! start with one line that names it (the names are a contract, see README).

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use ipnet::IpNet;
use secrecy::{ExposeSecret, SecretBox, SecretString};
use url::Url;

use platform::PlatformSettings;
use platform::admins::SessionPolicy;
use platform::authorizers::SchedulerConfig;
use platform::messages::GatewaySettings;

use crate::sandbox;
use parse::{
    parse_addr, parse_bool, parse_bounded, parse_permission_ids, parse_proxies, parse_secret_key,
    parse_url,
};

pub const DEFAULT_SITE_ADDR: &str = "127.0.0.1:3000";
pub const DEFAULT_DATABASE_URL: &str = "sqlite://data/weiqiao.db";
pub const DEFAULT_PUBLIC_URL: &str = "http://127.0.0.1:3000";
pub const DEFAULT_API_BASE: &str = "https://api.weixin.qq.com";
pub const DEFAULT_MP_BASE: &str = "https://mp.weixin.qq.com";
pub const DEFAULT_OPEN_BASE: &str = "https://open.weixin.qq.com";
/// Where the embedded emulator listens in sandbox mode unless `WECHAT_SIM_LISTEN` says otherwise.
pub const DEFAULT_SIM_LISTEN: &str = "127.0.0.1:4000";
/// Where sandbox mode keeps what it generates (credentials, master key).
pub const DEFAULT_DATA_DIR: &str = "data";

/// The validated configuration of one server process.
#[derive(Debug)]
pub struct Config {
    /// `LEPTOS_SITE_ADDR`: where the HTTP server listens.
    pub site_addr: SocketAddr,
    /// `LEPTOS_SITE_ROOT`: the site's static files (scripts, wasm, styles).
    /// Read here so a value in `.env` counts too (Leptos reads only the
    /// process environment); `None`: Leptos' own default.
    pub site_root: Option<String>,
    /// `WEIQIAO_DATABASE_URL`.
    pub database_url: String,
    /// `WEIQIAO_PUBLIC_URL`: the external base URL, used to build redirect URIs.
    /// `None`: `http://` and the address actually bound (the default listen
    /// address gives the documented default `http://127.0.0.1:3000`).
    pub public_url: Option<Url>,
    /// `WEIQIAO_SECRET_KEY`: 32-byte master key for secrets at rest and signed state.
    pub secret_key: SecretKey,
    /// `WEIQIAO_SANDBOX`: run against the embedded WeChat emulator.
    pub sandbox: Option<SandboxConfig>,
    /// The platform's WeChat credentials and endpoints.
    pub wechat: WechatConfig,
    /// `WEIQIAO_REQUIRED_OFFICIAL_ACCOUNT_PERMISSIONS`: permission-set ids an
    /// official account must grant; pages call out the missing ones.
    pub required_official_account_permissions: Vec<i64>,
    /// `WEIQIAO_REQUIRED_MINI_PROGRAM_PERMISSIONS`: the same for mini programs.
    pub required_mini_program_permissions: Vec<i64>,
    /// `WEIQIAO_EVENT_GRACE_SECS`: how long an `authorized` / `updateauthorized`
    /// push waits for the merchant's callback (which knows the invite) before
    /// exchanging the code itself.
    pub event_grace_secs: u64,
    /// `WEIQIAO_API_ADDR`: a separate listener for the token service (`/api/v1`);
    /// `None` serves it on the main listener.
    pub api_addr: Option<SocketAddr>,
    /// `WEIQIAO_TRUSTED_PROXIES`: proxies whose `X-Forwarded-For` names the client.
    pub trusted_proxies: Vec<IpNet>,
    /// `WEIQIAO_ADOPT_DATABASE`: take over a database recorded for another
    /// component or mode, on purpose.
    pub adopt_database: bool,
    /// `WEIQIAO_SESSION_IDLE_MINUTES` and `WEIQIAO_SESSION_MAX_HOURS`.
    pub session_policy: SessionPolicy,
    /// `WEIQIAO_REFRESH_MARGIN_SECS`, `WEIQIAO_REFRESH_CONCURRENCY` and
    /// `WEIQIAO_REFRESH_MAX_BACKOFF_SECS`: the authorizer token scheduler.
    pub scheduler: SchedulerConfig,
    /// `WECHAT_REQUEST_TIMEOUT_SECS`: how long a call to WeChat may take.
    pub wechat_request_timeout: std::time::Duration,
    /// `WEIQIAO_RELEASE_CHECK` (on unless `0`) and
    /// `WEIQIAO_MESSAGE_RETENTION_DAYS` (default 7): the message gateway.
    pub gateway: GatewaySettings,
}

/// How the embedded emulator runs in sandbox mode.
#[derive(Clone)]
pub struct SandboxConfig {
    /// `WECHAT_SIM_LISTEN`: the emulator's own listener.
    pub sim_listen: SocketAddr,
    /// Where the emulator keeps its state, beside the generated credentials.
    pub data_dir: PathBuf,
    /// The demo admin's generated password (`data/sandbox.json`).
    pub demo_admin_password: String,
}

impl std::fmt::Debug for SandboxConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SandboxConfig")
            .field("sim_listen", &self.sim_listen)
            .field("data_dir", &self.data_dir)
            .finish_non_exhaustive()
    }
}

/// The third-party platform's credentials (开发资料) and WeChat's base URLs.
#[derive(Debug)]
pub struct WechatConfig {
    pub component_appid: String,
    pub component_appsecret: SecretString,
    pub token: SecretString,
    pub encoding_aes_key: SecretString,
    pub api_base: Url,
    pub mp_base: Url,
    pub open_base: Url,
}

/// The 32-byte master key; never printed.
pub struct SecretKey(SecretBox<[u8; 32]>);

impl SecretKey {
    pub fn expose(&self) -> &[u8; 32] {
        self.0.expose_secret()
    }
}

impl std::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretKey(***)")
    }
}

/// Why the configuration was refused. Each message names the variable.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{var} is not set: {hint}")]
    Missing {
        var: &'static str,
        hint: &'static str,
    },
    #[error("{var} is invalid: {reason}")]
    Invalid { var: &'static str, reason: String },
    #[error("cannot use {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot read .env: {0}")]
    DotEnv(String),
}

/// The environment as seen by the configuration: real variables win over `.env`.
pub type Vars = HashMap<String, String>;

impl Config {
    /// Reads the process environment and `./.env`, then validates.
    pub fn from_env() -> Result<Self, ConfigError> {
        let mut vars = Vars::new();
        match dotenvy::dotenv_iter() {
            Ok(iter) => {
                for item in iter {
                    let (key, value) = item.map_err(|e| ConfigError::DotEnv(e.to_string()))?;
                    vars.insert(key, value);
                }
            }
            Err(e) if e.not_found() => {}
            Err(e) => return Err(ConfigError::DotEnv(e.to_string())),
        }
        vars.extend(std::env::vars());
        Self::from_vars(&vars, Path::new(DEFAULT_DATA_DIR))
    }

    /// Validates `vars`; sandbox mode keeps what it generates under `data_dir`.
    pub fn from_vars(vars: &Vars, data_dir: &Path) -> Result<Self, ConfigError> {
        let get = |var: &str| vars.get(var).map(|v| v.trim()).filter(|v| !v.is_empty());

        let site_addr = parse_addr(
            "LEPTOS_SITE_ADDR",
            get("LEPTOS_SITE_ADDR"),
            DEFAULT_SITE_ADDR,
        )?;
        let site_root = get("LEPTOS_SITE_ROOT").map(str::to_owned);
        let database_url = get("WEIQIAO_DATABASE_URL")
            .unwrap_or(DEFAULT_DATABASE_URL)
            .to_owned();
        if !["sqlite:", "postgres:", "postgresql:"]
            .iter()
            .any(|scheme| database_url.starts_with(scheme))
        {
            return Err(ConfigError::Invalid {
                var: "WEIQIAO_DATABASE_URL",
                reason: "use a sqlite:// or postgres:// URL".into(),
            });
        }
        let public_url = match get("WEIQIAO_PUBLIC_URL") {
            Some(value) => Some(parse_url(
                "WEIQIAO_PUBLIC_URL",
                Some(value),
                DEFAULT_PUBLIC_URL,
            )?),
            None => None,
        };
        let sandbox_on = parse_bool("WEIQIAO_SANDBOX", get("WEIQIAO_SANDBOX"))?;

        let (sandbox, generated) = if sandbox_on {
            let sim_listen = parse_addr(
                "WECHAT_SIM_LISTEN",
                get("WECHAT_SIM_LISTEN"),
                DEFAULT_SIM_LISTEN,
            )?;
            let credentials = sandbox::load_or_create(data_dir)?;
            (
                Some(SandboxConfig {
                    sim_listen,
                    data_dir: data_dir.to_path_buf(),
                    demo_admin_password: credentials.admin_password.clone(),
                }),
                Some(credentials),
            )
        } else {
            (None, None)
        };

        let secret_key = match (get("WEIQIAO_SECRET_KEY"), &generated) {
            (Some(value), _) => parse_secret_key(value)?,
            (None, Some(credentials)) => parse_secret_key(&credentials.secret_key)?,
            (None, None) => {
                return Err(ConfigError::Missing {
                    var: "WEIQIAO_SECRET_KEY",
                    hint: "set a base64-encoded 32-byte key (e.g. `openssl rand -base64 32`)",
                });
            }
        };

        let wechat = match &generated {
            // Sandbox mode: generated credentials; the bases are pointed at the
            // emulator once its listener is bound (see startup).
            Some(credentials) => WechatConfig {
                component_appid: credentials.component_appid.clone(),
                component_appsecret: credentials.component_appsecret.clone().into(),
                token: credentials.token.clone().into(),
                encoding_aes_key: credentials.encoding_aes_key.clone().into(),
                api_base: parse_url("WECHAT_API_BASE", None, DEFAULT_API_BASE)?,
                mp_base: parse_url("WECHAT_MP_BASE", None, DEFAULT_MP_BASE)?,
                open_base: parse_url("WECHAT_OPEN_BASE", None, DEFAULT_OPEN_BASE)?,
            },
            None => wechat_from_vars(&get)?,
        };

        let required_official_account_permissions = parse_permission_ids(
            "WEIQIAO_REQUIRED_OFFICIAL_ACCOUNT_PERMISSIONS",
            get("WEIQIAO_REQUIRED_OFFICIAL_ACCOUNT_PERMISSIONS"),
            PlatformSettings::DEFAULT_REQUIRED_OFFICIAL_ACCOUNT_PERMISSIONS,
        )?;
        let required_mini_program_permissions = parse_permission_ids(
            "WEIQIAO_REQUIRED_MINI_PROGRAM_PERMISSIONS",
            get("WEIQIAO_REQUIRED_MINI_PROGRAM_PERMISSIONS"),
            PlatformSettings::DEFAULT_REQUIRED_MINI_PROGRAM_PERMISSIONS,
        )?;

        let event_grace_secs = parse_bounded(
            "WEIQIAO_EVENT_GRACE_SECS",
            get("WEIQIAO_EVENT_GRACE_SECS"),
            PlatformSettings::DEFAULT_EVENT_GRACE_SECS as i64,
            0..=60,
        )? as u64;

        let api_addr = match get("WEIQIAO_API_ADDR") {
            Some(value) => Some(parse_addr(
                "WEIQIAO_API_ADDR",
                Some(value),
                "127.0.0.1:3001",
            )?),
            None => None,
        };
        let trusted_proxies =
            parse_proxies("WEIQIAO_TRUSTED_PROXIES", get("WEIQIAO_TRUSTED_PROXIES"))?;
        let adopt_database = parse_bool("WEIQIAO_ADOPT_DATABASE", get("WEIQIAO_ADOPT_DATABASE"))?;
        let defaults = SessionPolicy::default();
        let session_policy = SessionPolicy {
            idle_secs: 60
                * parse_bounded(
                    "WEIQIAO_SESSION_IDLE_MINUTES",
                    get("WEIQIAO_SESSION_IDLE_MINUTES"),
                    defaults.idle_secs / 60,
                    1..=24 * 60,
                )?,
            absolute_secs: 3600
                * parse_bounded(
                    "WEIQIAO_SESSION_MAX_HOURS",
                    get("WEIQIAO_SESSION_MAX_HOURS"),
                    defaults.absolute_secs / 3600,
                    1..=30 * 24,
                )?,
            ..defaults
        };

        let scheduler = parse::scheduler(&get)?;
        let wechat_request_timeout = std::time::Duration::from_secs(
            parse_bounded(
                "WECHAT_REQUEST_TIMEOUT_SECS",
                get("WECHAT_REQUEST_TIMEOUT_SECS"),
                15,
                1..=60,
            )?
            .unsigned_abs(),
        );

        let gateway = GatewaySettings {
            // On by default: every operator needs the check before going live.
            release_check: get("WEIQIAO_RELEASE_CHECK").is_none()
                || parse_bool("WEIQIAO_RELEASE_CHECK", get("WEIQIAO_RELEASE_CHECK"))?,
            retention_days: parse_bounded(
                "WEIQIAO_MESSAGE_RETENTION_DAYS",
                get("WEIQIAO_MESSAGE_RETENTION_DAYS"),
                GatewaySettings::default().retention_days,
                1..=365,
            )?,
            delivery_lease_secs: parse_bounded(
                "WEIQIAO_DELIVERY_LEASE_SECS",
                get("WEIQIAO_DELIVERY_LEASE_SECS"),
                GatewaySettings::default().delivery_lease_secs,
                15..=600,
            )?,
        };

        Ok(Self {
            site_addr,
            site_root,
            database_url,
            public_url,
            secret_key,
            sandbox,
            wechat,
            required_official_account_permissions,
            required_mini_program_permissions,
            event_grace_secs,
            api_addr,
            trusted_proxies,
            adopt_database,
            session_policy,
            scheduler,
            wechat_request_timeout,
            gateway,
        })
    }
}

fn wechat_from_vars<'a>(
    get: &impl Fn(&str) -> Option<&'a str>,
) -> Result<WechatConfig, ConfigError> {
    const HINT: &str = "configure the platform's credentials (开发资料), or set WEIQIAO_SANDBOX=1 to use the built-in emulator";
    let required = |var: &'static str| get(var).ok_or(ConfigError::Missing { var, hint: HINT });

    let component_appid = required("WECHAT_COMPONENT_APPID")?;
    if !component_appid.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(ConfigError::Invalid {
            var: "WECHAT_COMPONENT_APPID",
            reason: "expected letters and digits only, like wx1234567890abcdef".into(),
        });
    }
    let component_appsecret = required("WECHAT_COMPONENT_APPSECRET")?;
    let token = required("WECHAT_COMPONENT_TOKEN")?;
    let encoding_aes_key = required("WECHAT_COMPONENT_ENCODING_AES_KEY")?;
    sandbox::check_encoding_aes_key(encoding_aes_key).map_err(|reason| ConfigError::Invalid {
        var: "WECHAT_COMPONENT_ENCODING_AES_KEY",
        reason: reason.into(),
    })?;
    Ok(WechatConfig {
        component_appid: component_appid.to_owned(),
        component_appsecret: component_appsecret.to_owned().into(),
        token: token.to_owned().into(),
        encoding_aes_key: encoding_aes_key.to_owned().into(),
        api_base: parse_url("WECHAT_API_BASE", get("WECHAT_API_BASE"), DEFAULT_API_BASE)?,
        mp_base: parse_url("WECHAT_MP_BASE", get("WECHAT_MP_BASE"), DEFAULT_MP_BASE)?,
        open_base: parse_url(
            "WECHAT_OPEN_BASE",
            get("WECHAT_OPEN_BASE"),
            DEFAULT_OPEN_BASE,
        )?,
    })
}

mod parse;
#[cfg(test)]
mod tests;
