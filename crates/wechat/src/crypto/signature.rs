//! The two SHA-1 signatures of WeChat pushes: the plain `signature` query
//! parameter and `msg_signature`, which also covers `Encrypt`.
//!
//! Both are SHA-1 (lowercase hex) over the parts sorted in plain byte order
//! and concatenated without a separator, as the official samples do
//! (Python `list.sort()`, PHP `SORT_STRING`).

use sha1::{Digest, Sha1};
use subtle::ConstantTimeEq;

/// SHA-1 hex of the sorted, concatenated parts.
pub(crate) fn sha1_sorted(parts: &mut [&str]) -> String {
    parts.sort_unstable();
    let mut hasher = Sha1::new();
    for part in parts.iter() {
        hasher.update(part.as_bytes());
    }
    hex::encode(hasher.finalize())
}

/// The plain-mode `signature` query parameter: SHA-1 of the sorted
/// `[token, timestamp, nonce]`. WeChat sends it on every push, but for
/// encrypted pushes `msg_signature` is the one to verify ("不要使用signature验证").
pub fn plain_signature(token: &str, timestamp: &str, nonce: &str) -> String {
    sha1_sorted(&mut [token, timestamp, nonce])
}

/// `msg_signature`: SHA-1 of the sorted `[token, timestamp, nonce, encrypt]`.
pub fn msg_signature(token: &str, timestamp: &str, nonce: &str, encrypt: &str) -> String {
    sha1_sorted(&mut [token, timestamp, nonce, encrypt])
}

/// Compares a received signature with the expected one in constant time, so
/// the comparison leaks nothing about how many leading characters matched.
/// The comparison is exact: WeChat sends lowercase hex, and accepting other
/// spellings would only widen what an attacker may send.
pub(crate) fn signatures_match(expected: &str, received: &str) -> bool {
    expected.as_bytes().ct_eq(received.as_bytes()).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_signature_matches_the_debug_demo_push_url() {
        // V2: the push URL of the official "debug_demo" page.
        assert_eq!(
            plain_signature("AAAAA", "1715943329", "1590219412"),
            "cc0c594499c1634947d5b502f158ee518947db27"
        );
    }

    #[test]
    fn plain_signature_matches_the_store_page_vector() {
        assert_eq!(
            plain_signature("AAAAA", "1714036504", "1514711492"),
            "f464b24fc39322e44b38aa78f5edd27bd1441696"
        );
    }

    #[test]
    fn signatures_must_match_exactly_including_case_and_length() {
        let expected = "5d197aaffba7e9b25a30732f161a50dee96bd5fa";
        assert!(signatures_match(expected, expected));
        assert!(!signatures_match(expected, &expected.to_uppercase()));
        assert!(!signatures_match(expected, &expected[..39]));
        assert!(!signatures_match(expected, ""));
    }
}
