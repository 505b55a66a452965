//! Parsers for single variables; each error names its variable.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use secrecy::SecretBox;
use std::net::SocketAddr;

use ipnet::IpNet;
use url::Url;

use platform::authorizers::SchedulerConfig;

use super::{ConfigError, SecretKey};

pub(super) fn parse_addr(
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

pub(super) fn parse_url(
    var: &'static str,
    value: Option<&str>,
    default: &str,
) -> Result<Url, ConfigError> {
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

pub(super) fn parse_bool(var: &'static str, value: Option<&str>) -> Result<bool, ConfigError> {
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
pub(super) fn parse_permission_ids(
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

pub(super) fn parse_secret_key(value: &str) -> Result<SecretKey, ConfigError> {
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

/// A whole number within `range`, or `default` when unset.
pub(super) fn parse_bounded(
    var: &'static str,
    value: Option<&str>,
    default: i64,
    range: std::ops::RangeInclusive<i64>,
) -> Result<i64, ConfigError> {
    let Some(value) = value else {
        return Ok(default);
    };
    value
        .parse::<i64>()
        .ok()
        .filter(|n| range.contains(n))
        .ok_or_else(|| ConfigError::Invalid {
            var,
            reason: format!(
                "expected a whole number from {} to {}, got {value:?}",
                range.start(),
                range.end()
            ),
        })
}

/// Comma-separated addresses or CIDR ranges (`127.0.0.1`, `10.0.0.0/8`, `::1`).
pub(super) fn parse_proxies(
    var: &'static str,
    value: Option<&str>,
) -> Result<Vec<IpNet>, ConfigError> {
    let Some(value) = value else {
        return Ok(Vec::new());
    };
    value
        .split(',')
        .map(str::trim)
        .filter(|part| !part.is_empty())
        .map(|part| {
            part.parse::<IpNet>()
                .or_else(|_| part.parse::<std::net::IpAddr>().map(IpNet::from))
                .map_err(|_| ConfigError::Invalid {
                    var,
                    reason: format!(
                        "{part:?} is not an IP address or CIDR range (e.g. 127.0.0.1 or 10.0.0.0/8)"
                    ),
                })
        })
        .collect()
}

/// The authorizer token scheduler's settings that operators may tune; the
/// per-account jitter follows the margin (a quarter of it, at most 5 minutes).
pub(super) fn scheduler<'a>(
    get: &impl Fn(&str) -> Option<&'a str>,
) -> Result<SchedulerConfig, ConfigError> {
    let defaults = SchedulerConfig::default();
    let margin_secs = parse_bounded(
        "WEIQIAO_REFRESH_MARGIN_SECS",
        get("WEIQIAO_REFRESH_MARGIN_SECS"),
        defaults.margin_secs,
        10..=5400,
    )?;
    let concurrency = parse_bounded(
        "WEIQIAO_REFRESH_CONCURRENCY",
        get("WEIQIAO_REFRESH_CONCURRENCY"),
        i64::try_from(defaults.concurrency).unwrap_or(16),
        1..=256,
    )?;
    let max_backoff_secs = parse_bounded(
        "WEIQIAO_REFRESH_MAX_BACKOFF_SECS",
        get("WEIQIAO_REFRESH_MAX_BACKOFF_SECS"),
        defaults.max_backoff_secs,
        defaults.base_backoff_secs..=3600,
    )?;
    Ok(SchedulerConfig {
        margin_secs,
        jitter_secs: defaults.jitter_secs.min(margin_secs / 4),
        concurrency: usize::try_from(concurrency).unwrap_or(defaults.concurrency),
        max_backoff_secs,
        ..defaults
    })
}
