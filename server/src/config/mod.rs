//! The configuration, read once at start from the environment and an optional
//! `.env` file. Every variable is validated here; an invalid one stops the
//! start with one line that names it (the names are a contract, see README).

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use secrecy::{ExposeSecret, SecretBox, SecretString};
use url::Url;

use platform::PlatformSettings;

use crate::sandbox;

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
}

/// How the embedded emulator runs in sandbox mode.
#[derive(Debug, Clone)]
pub struct SandboxConfig {
    /// `WECHAT_SIM_LISTEN`: the emulator's own listener.
    pub sim_listen: SocketAddr,
    /// Where the emulator keeps its state, beside the generated credentials.
    pub data_dir: PathBuf,
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
        let database_url = get("WEIQIAO_DATABASE_URL")
            .unwrap_or(DEFAULT_DATABASE_URL)
            .to_owned();
        if !database_url.starts_with("sqlite:") {
            return Err(ConfigError::Invalid {
                var: "WEIQIAO_DATABASE_URL",
                reason: "only sqlite: URLs are supported in this version".into(),
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

        let event_grace_secs = match get("WEIQIAO_EVENT_GRACE_SECS") {
            None => PlatformSettings::DEFAULT_EVENT_GRACE_SECS,
            Some(value) => value
                .parse::<u64>()
                .ok()
                .filter(|secs| *secs <= 60)
                .ok_or_else(|| ConfigError::Invalid {
                    var: "WEIQIAO_EVENT_GRACE_SECS",
                    reason: format!("expected whole seconds from 0 to 60, got {value:?}"),
                })?,
        };

        Ok(Self {
            site_addr,
            database_url,
            public_url,
            secret_key,
            sandbox,
            wechat,
            required_official_account_permissions,
            required_mini_program_permissions,
            event_grace_secs,
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

fn parse_addr(
    var: &'static str,
    value: Option<&str>,
    default: &str,
) -> Result<SocketAddr, ConfigError> {
    let value = value.unwrap_or(default);
    value.parse().map_err(|_| ConfigError::Invalid {
        var,
        reason: format!("expected host:port such as {default}, got {value:?}"),
    })
}

fn parse_url(var: &'static str, value: Option<&str>, default: &str) -> Result<Url, ConfigError> {
    let value = value.unwrap_or(default);
    let url = Url::parse(value).map_err(|e| ConfigError::Invalid {
        var,
        reason: format!("not a URL ({e}): {value:?}"),
    })?;
    if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
        return Err(ConfigError::Invalid {
            var,
            reason: format!("expected an http(s) URL, got {value:?}"),
        });
    }
    Ok(url)
}

fn parse_bool(var: &'static str, value: Option<&str>) -> Result<bool, ConfigError> {
    match value.map(str::to_ascii_lowercase).as_deref() {
        None | Some("0" | "false" | "no" | "off") => Ok(false),
        Some("1" | "true" | "yes" | "on") => Ok(true),
        Some(other) => Err(ConfigError::Invalid {
            var,
            reason: format!("expected 1 or 0, got {other:?}"),
        }),
    }
}

/// A comma-separated list of permission-set ids (`funcscope_category.id`);
/// `none` means nothing is required. Ids beyond the protocol crate's name
/// table are accepted: WeChat keeps adding sets.
fn parse_permission_ids(
    var: &'static str,
    value: Option<&str>,
    default: &[i64],
) -> Result<Vec<i64>, ConfigError> {
    let Some(value) = value else {
        return Ok(default.to_vec());
    };
    if value.eq_ignore_ascii_case("none") {
        return Ok(Vec::new());
    }
    let mut ids = Vec::new();
    for part in value.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let id = part
            .parse::<i64>()
            .ok()
            .filter(|id| *id > 0)
            .ok_or_else(|| {
                let example: Vec<String> = default.iter().map(i64::to_string).collect();
                ConfigError::Invalid {
                    var,
                    reason: format!(
                        "{part:?} is not a permission-set id (expected ids such as {}, or none)",
                        example.join(",")
                    ),
                }
            })?;
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    Ok(ids)
}

fn parse_secret_key(value: &str) -> Result<SecretKey, ConfigError> {
    // The value itself is never echoed: it is a secret even when malformed.
    let invalid = |reason: &str| ConfigError::Invalid {
        var: "WEIQIAO_SECRET_KEY",
        reason: reason.into(),
    };
    let bytes = STANDARD
        .decode(value.trim())
        .map_err(|_| invalid("not valid base64"))?;
    let key: [u8; 32] = bytes
        .try_into()
        .map_err(|_| invalid("must decode to exactly 32 bytes (`openssl rand -base64 32`)"))?;
    Ok(SecretKey(SecretBox::new(Box::new(key))))
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="; // 32 bytes

    fn vars(pairs: &[(&str, &str)]) -> Vars {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn production() -> Vars {
        vars(&[
            ("WEIQIAO_SECRET_KEY", KEY),
            ("WECHAT_COMPONENT_APPID", "wx1234567890abcdef"),
            ("WECHAT_COMPONENT_APPSECRET", "s3cret"),
            ("WECHAT_COMPONENT_TOKEN", "tok"),
            (
                "WECHAT_COMPONENT_ENCODING_AES_KEY",
                "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG",
            ),
        ])
    }

    fn error_of(vars: &Vars) -> String {
        let dir = tempfile::tempdir().unwrap();
        Config::from_vars(vars, dir.path()).unwrap_err().to_string()
    }

    #[test]
    fn defaults_apply_when_only_credentials_are_given() {
        let dir = tempfile::tempdir().unwrap();
        let config = Config::from_vars(&production(), dir.path()).unwrap();
        assert_eq!(config.site_addr.to_string(), DEFAULT_SITE_ADDR);
        assert_eq!(config.database_url, DEFAULT_DATABASE_URL);
        assert_eq!(
            config.public_url, None,
            "derived from the bound address at start"
        );
        assert_eq!(
            config.wechat.api_base.as_str(),
            "https://api.weixin.qq.com/"
        );
        assert!(config.sandbox.is_none());
        assert_eq!(
            config.secret_key.expose(),
            b"0123456789abcdef0123456789abcdef"
        );
    }

    #[test]
    fn a_missing_secret_key_outside_sandbox_names_the_variable() {
        let mut vars = production();
        vars.remove("WEIQIAO_SECRET_KEY");
        assert!(error_of(&vars).starts_with("WEIQIAO_SECRET_KEY is not set"));
    }

    #[test]
    fn a_short_secret_key_is_refused_without_echoing_it() {
        let mut vars = production();
        vars.insert("WEIQIAO_SECRET_KEY".into(), "c2hvcnQ=".into());
        let err = error_of(&vars);
        assert!(err.starts_with("WEIQIAO_SECRET_KEY is invalid"), "{err}");
        assert!(!err.contains("c2hvcnQ="), "{err}");
    }

    #[test]
    fn missing_credentials_outside_sandbox_point_to_sandbox_mode() {
        let mut vars = production();
        vars.remove("WECHAT_COMPONENT_APPSECRET");
        let err = error_of(&vars);
        assert!(
            err.starts_with("WECHAT_COMPONENT_APPSECRET is not set"),
            "{err}"
        );
        assert!(err.contains("WEIQIAO_SANDBOX=1"), "{err}");
    }

    #[test]
    fn each_malformed_variable_is_named() {
        for (var, value) in [
            ("LEPTOS_SITE_ADDR", "localhost"),
            ("WEIQIAO_PUBLIC_URL", "ftp://example.com"),
            ("WEIQIAO_SANDBOX", "maybe"),
            ("WEIQIAO_DATABASE_URL", "mysql://x"),
            ("WECHAT_API_BASE", "not a url"),
            ("WECHAT_COMPONENT_ENCODING_AES_KEY", "too-short"),
            ("WECHAT_COMPONENT_APPID", "wx-123"),
            ("WEIQIAO_REQUIRED_OFFICIAL_ACCOUNT_PERMISSIONS", "1,menu"),
            ("WEIQIAO_REQUIRED_MINI_PROGRAM_PERMISSIONS", "-3"),
            ("WEIQIAO_EVENT_GRACE_SECS", "120"),
        ] {
            let mut vars = production();
            vars.insert(var.into(), value.into());
            let err = error_of(&vars);
            assert!(
                err.starts_with(&format!("{var} is invalid")),
                "{var}: {err}"
            );
            assert!(!err.contains('\n'), "one line: {err}");
        }
    }

    #[test]
    fn required_permission_sets_default_and_can_be_configured() {
        let dir = tempfile::tempdir().unwrap();
        let config = Config::from_vars(&production(), dir.path()).unwrap();
        assert_eq!(config.required_official_account_permissions, vec![1, 15]);
        assert_eq!(config.required_mini_program_permissions, vec![18]);

        let mut vars = production();
        vars.insert(
            "WEIQIAO_REQUIRED_OFFICIAL_ACCOUNT_PERMISSIONS".into(),
            " 2, 7 ,2".into(),
        );
        vars.insert(
            "WEIQIAO_REQUIRED_MINI_PROGRAM_PERMISSIONS".into(),
            "none".into(),
        );
        let config = Config::from_vars(&vars, dir.path()).unwrap();
        assert_eq!(config.required_official_account_permissions, vec![2, 7]);
        assert!(config.required_mini_program_permissions.is_empty());
    }

    #[test]
    fn sandbox_mode_generates_credentials_once_and_keeps_them() {
        let dir = tempfile::tempdir().unwrap();
        let sandbox = vars(&[
            ("WEIQIAO_SANDBOX", "1"),
            ("WECHAT_SIM_LISTEN", "127.0.0.1:0"),
        ]);
        let first = Config::from_vars(&sandbox, dir.path()).unwrap();
        let second = Config::from_vars(&sandbox, dir.path()).unwrap();
        assert!(first.sandbox.is_some());
        assert_eq!(first.wechat.component_appid, second.wechat.component_appid);
        assert_eq!(first.secret_key.expose(), second.secret_key.expose());
        assert_eq!(first.wechat.encoding_aes_key.expose_secret().len(), 43);
    }

    #[test]
    fn debug_output_shows_no_secret() {
        let dir = tempfile::tempdir().unwrap();
        let config = Config::from_vars(&production(), dir.path()).unwrap();
        let debug = format!("{config:?}");
        assert!(!debug.contains("s3cret"), "{debug}");
        assert!(
            !debug.contains("abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"),
            "{debug}"
        );
    }
}
