//! Webhook signatures: `Weiqiao-Signature: t=<unix seconds>,v1=<hex>` where
//! v1 is HMAC-SHA256 under the endpoint's secret over `"<t>.<body>"`. A
//! receiver recomputes it, compares in constant time, and refuses a `t` too
//! far from its clock (replays). The README shows a verification snippet.

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The header name.
pub const SIGNATURE_HEADER: &str = "Weiqiao-Signature";

/// The header value for `body` sent at `timestamp`.
pub fn sign(secret: &str, timestamp: i64, body: &[u8]) -> String {
    format!(
        "t={timestamp},v1={}",
        hex::encode(mac(secret, timestamp, body))
    )
}

fn mac(secret: &str, timestamp: i64, body: &[u8]) -> Vec<u8> {
    // HMAC takes a key of any length.
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("any key length");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    mac.finalize().into_bytes().to_vec()
}

/// Checks a header value as a receiver would: the signature must match and
/// `t` must lie within `tolerance_secs` of `now`.
pub fn verify(secret: &str, header: &str, body: &[u8], now: i64, tolerance_secs: i64) -> bool {
    let mut timestamp = None;
    let mut signature = None;
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", t)) => timestamp = t.parse::<i64>().ok(),
            Some(("v1", v)) => signature = hex::decode(v).ok(),
            _ => {}
        }
    }
    let (Some(timestamp), Some(signature)) = (timestamp, signature) else {
        return false;
    };
    if (now - timestamp).abs() > tolerance_secs {
        return false;
    }
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("any key length");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    mac.verify_slice(&signature).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_verifies_and_any_change_breaks_it() {
        let header = sign("whsec", 1_700_000_000, b"{\"a\":1}");
        assert!(header.starts_with("t=1700000000,v1="));
        assert_eq!(header.len(), "t=1700000000,v1=".len() + 64);
        assert!(verify("whsec", &header, b"{\"a\":1}", 1_700_000_000, 300));
        assert!(!verify("other", &header, b"{\"a\":1}", 1_700_000_000, 300));
        assert!(!verify("whsec", &header, b"{\"a\":2}", 1_700_000_000, 300));
        let moved = header.replace("t=1700000000", "t=1700000001");
        assert!(!verify("whsec", &moved, b"{\"a\":1}", 1_700_000_000, 300));
        assert!(!verify("whsec", "v1=00", b"{\"a\":1}", 1_700_000_000, 300));
        assert!(!verify(
            "whsec",
            "t=1700000000",
            b"{\"a\":1}",
            1_700_000_000,
            300
        ));
    }

    #[test]
    fn a_signature_older_or_newer_than_the_tolerance_is_refused() {
        let header = sign("whsec", 1000, b"x");
        assert!(verify("whsec", &header, b"x", 1300, 300));
        assert!(verify("whsec", &header, b"x", 700, 300));
        assert!(!verify("whsec", &header, b"x", 1301, 300));
        assert!(!verify("whsec", &header, b"x", 699, 300));
    }

    #[test]
    fn the_mac_is_hmac_sha256_over_timestamp_dot_body() {
        // Computed independently: Python: hmac.new(b"k", b"1.x", hashlib.sha256).hexdigest()
        assert_eq!(
            sign("k", 1, b"x"),
            "t=1,v1=976cb87e4f568d1c0f03f32859e90af8597cf00b978ba37c229c97d3a15b8449"
        );
    }
}
