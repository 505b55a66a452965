//! Random values shaped like WeChat's (details §8), so a platform that stores or
//! parses them sees realistic lengths and prefixes.

use rand::Rng;
use rand::distributions::Alphanumeric;

// Tokens and codes use the URL-safe base64 alphabet, as live captures do.
const TOKEN_CHARS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

fn token_chars(n: usize) -> String {
    let mut rng = rand::thread_rng();
    (0..n)
        .map(|_| char::from(TOKEN_CHARS[rng.gen_range(0..TOKEN_CHARS.len())]))
        .collect()
}

fn hex(n: usize) -> String {
    let mut rng = rand::thread_rng();
    (0..n)
        .map(|_| char::from(b"0123456789abcdef"[rng.gen_range(0..16)]))
        .collect()
}

/// `ticket@@@` + 86 characters.
pub fn ticket() -> String {
    format!("ticket@@@{}", token_chars(86))
}

/// `NN_` + characters, 157 in all, like live component and authorizer tokens.
pub fn access_token() -> String {
    let n: u32 = rand::thread_rng().gen_range(10..99);
    format!("{n}_{}", token_chars(154))
}

/// `preauthcode@@@` + 86 characters.
pub fn pre_auth_code() -> String {
    format!("preauthcode@@@{}", token_chars(86))
}

/// `queryauthcode@@@` + 86 characters.
pub fn auth_code() -> String {
    format!("queryauthcode@@@{}", token_chars(86))
}

/// `refreshtoken@@@` + 43 characters.
pub fn refresh_token() -> String {
    format!("refreshtoken@@@{}", token_chars(43))
}

/// ` rid: xxxxxxxx-xxxxxxxx-xxxxxxxx`, the suffix of modern errmsg texts.
pub fn rid() -> String {
    format!("{}-{}-{}", hex(8), hex(8), hex(8))
}

/// `wx` + 16 hex digits.
pub fn appid() -> String {
    format!("wx{}", hex(16))
}

/// An original id, `gh_` + 12 hex digits.
pub fn original_id() -> String {
    format!("gh_{}", hex(12))
}

/// A push nonce: a 9–10 digit decimal string, as in every capture.
pub fn nonce() -> String {
    rand::thread_rng()
        .gen_range(100_000_000u64..4_000_000_000)
        .to_string()
}

/// A short random alphanumeric string.
pub fn alnum(n: usize) -> String {
    rand::thread_rng()
        .sample_iter(&Alphanumeric)
        .take(n)
        .map(char::from)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_have_the_lengths_seen_in_live_captures() {
        assert_eq!(ticket().len(), 9 + 86);
        assert_eq!(access_token().len(), 157);
        assert_eq!(pre_auth_code().len(), 100);
        assert_eq!(auth_code().len(), 16 + 86);
        assert_eq!(refresh_token().len(), 15 + 43);
        assert_eq!(rid().len(), 26);
        assert_eq!(appid().len(), 18);
        assert!(original_id().starts_with("gh_"));
    }

    #[test]
    fn each_value_is_fresh() {
        assert_ne!(ticket(), ticket());
        assert_ne!(access_token(), access_token());
    }
}
