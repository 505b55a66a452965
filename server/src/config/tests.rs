//! The configuration's validation, variable by variable.

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
        ("WEIQIAO_API_ADDR", "internal"),
        ("WEIQIAO_TRUSTED_PROXIES", "127.0.0.1,nginx"),
        ("WEIQIAO_ADOPT_DATABASE", "please"),
        ("WEIQIAO_SESSION_IDLE_MINUTES", "0"),
        ("WEIQIAO_SESSION_MAX_HOURS", "9999"),
        ("WEIQIAO_REFRESH_MARGIN_SECS", "9"),
        ("WEIQIAO_REFRESH_CONCURRENCY", "0"),
        ("WEIQIAO_REFRESH_MAX_BACKOFF_SECS", "4"),
        ("WECHAT_REQUEST_TIMEOUT_SECS", "61"),
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

#[test]
fn web_security_settings_default_closed_and_can_be_configured() {
    let dir = tempfile::tempdir().unwrap();
    let config = Config::from_vars(&production(), dir.path()).unwrap();
    assert!(
        config.trusted_proxies.is_empty(),
        "no proxy is trusted by default"
    );
    assert_eq!(config.api_addr, None);
    assert!(!config.adopt_database);
    assert_eq!(
        config.session_policy,
        platform::admins::SessionPolicy::default()
    );

    let mut vars = production();
    for (k, v) in [
        ("WEIQIAO_TRUSTED_PROXIES", " 127.0.0.1 , 10.0.0.0/8,::1"),
        ("WEIQIAO_API_ADDR", "127.0.0.1:3001"),
        ("WEIQIAO_ADOPT_DATABASE", "1"),
        ("WEIQIAO_SESSION_IDLE_MINUTES", "5"),
        ("WEIQIAO_SESSION_MAX_HOURS", "2"),
        ("LEPTOS_SITE_ROOT", "/opt/weiqiao/site"),
    ] {
        vars.insert(k.into(), v.into());
    }
    let config = Config::from_vars(&vars, dir.path()).unwrap();
    let proxies: Vec<String> = config
        .trusted_proxies
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(proxies, ["127.0.0.1/32", "10.0.0.0/8", "::1/128"]);
    assert_eq!(config.api_addr, Some("127.0.0.1:3001".parse().unwrap()));
    assert!(config.adopt_database);
    assert_eq!(
        (
            config.session_policy.idle_secs,
            config.session_policy.absolute_secs
        ),
        (300, 7200)
    );
}

#[test]
fn the_site_root_is_read_like_every_other_variable_so_dot_env_counts() {
    let dir = tempfile::tempdir().unwrap();
    let config = Config::from_vars(&production(), dir.path()).unwrap();
    assert_eq!(config.site_root, None, "Leptos' default");
    let mut vars = production();
    vars.insert("LEPTOS_SITE_ROOT".into(), "/opt/weiqiao/site".into());
    let config = Config::from_vars(&vars, dir.path()).unwrap();
    assert_eq!(config.site_root.as_deref(), Some("/opt/weiqiao/site"));
}

#[test]
fn the_refresh_scheduler_and_the_wechat_timeout_default_and_can_be_tuned() {
    let dir = tempfile::tempdir().unwrap();
    let config = Config::from_vars(&production(), dir.path()).unwrap();
    let defaults = SchedulerConfig::default();
    assert_eq!(
        (
            config.scheduler.margin_secs,
            config.scheduler.jitter_secs,
            config.scheduler.concurrency,
            config.scheduler.max_backoff_secs
        ),
        (1200, 300, 16, 600)
    );
    assert_eq!(config.scheduler.tick, defaults.tick);
    assert_eq!(config.wechat_request_timeout.as_secs(), 15);

    let mut tuned = production();
    for (var, value) in [
        ("WEIQIAO_REFRESH_MARGIN_SECS", "40"),
        ("WEIQIAO_REFRESH_CONCURRENCY", "64"),
        ("WEIQIAO_REFRESH_MAX_BACKOFF_SECS", "20"),
        ("WECHAT_REQUEST_TIMEOUT_SECS", "2"),
    ] {
        tuned.insert(var.into(), value.into());
    }
    let config = Config::from_vars(&tuned, dir.path()).unwrap();
    assert_eq!(
        (
            config.scheduler.margin_secs,
            config.scheduler.jitter_secs,
            config.scheduler.concurrency,
            config.scheduler.max_backoff_secs
        ),
        (40, 10, 64, 20),
        "the jitter follows a short margin"
    );
    assert_eq!(config.wechat_request_timeout.as_secs(), 2);
}
