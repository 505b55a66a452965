//! The client's address: the TCP peer, or, when the peer is a proxy listed in
//! `WEIQIAO_TRUSTED_PROXIES`, the address that proxy put in `X-Forwarded-For`.
//! Used for sign-in limits, the audit log and logs.

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use ipnet::IpNet;
use platform::audit::ClientAddr;

use super::WebSecurity;

/// Walks `X-Forwarded-For` from the right (the entry our proxy added last)
/// past every trusted proxy; the first untrusted address is the client. A
/// client can write anything on the left, so entries further left are never read.
pub fn resolve(peer: Option<IpAddr>, forwarded_for: &[&str], trusted: &[IpNet]) -> Option<IpAddr> {
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
    let mut client = peer?;
    if !is_trusted(&client) {
        return Some(client);
    }
    let entries = forwarded_for
        .iter()
        .flat_map(|header| header.split(','))
        .map(str::trim)
        .collect::<Vec<_>>();
    for entry in entries.into_iter().rev() {
        let Ok(ip) = entry.parse::<IpAddr>() else {
            // Unreadable: stop at the last address we could trust.
            break;
        };
        client = ip;
        if !is_trusted(&ip) {
            break;
        }
    }
    Some(client)
}

/// Puts the [`ClientAddr`] into the request's extensions.
pub async fn layer(
    State(security): State<WebSecurity>,
    mut request: Request,
    next: Next,
) -> Response {
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|info| info.0.ip());
    let forwarded: Vec<&str> = request
        .headers()
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect();
    let client = ClientAddr(resolve(peer, &forwarded, &security.0.trusted_proxies));
    request.extensions_mut().insert(client);
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::resolve;

    fn ip(s: &str) -> std::net::IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn forwarded_for_counts_only_behind_a_trusted_proxy() {
        let trusted = vec![
            "127.0.0.1/32".parse().unwrap(),
            "10.0.0.0/8".parse().unwrap(),
        ];
        let peer = Some(ip("127.0.0.1"));
        // No trusted proxy: the header is the client's own words.
        assert_eq!(
            resolve(Some(ip("203.0.113.5")), &["1.2.3.4"], &trusted),
            Some(ip("203.0.113.5"))
        );
        assert_eq!(resolve(peer, &["1.2.3.4"], &[]), peer);
        // Behind the proxy: its entry names the client.
        assert_eq!(
            resolve(peer, &["203.0.113.5"], &trusted),
            Some(ip("203.0.113.5"))
        );
        // A client's forged entries on the left are not read.
        assert_eq!(
            resolve(peer, &["6.6.6.6, 203.0.113.5"], &trusted),
            Some(ip("203.0.113.5"))
        );
        // Two trusted hops, across two headers.
        assert_eq!(
            resolve(peer, &["203.0.113.5, 10.1.1.1", "10.2.2.2"], &trusted),
            Some(ip("203.0.113.5"))
        );
        // Garbage stops the walk at the last trusted hop.
        assert_eq!(
            resolve(peer, &["203.0.113.5, junk, 10.1.1.1"], &trusted),
            Some(ip("10.1.1.1"))
        );
        assert_eq!(resolve(peer, &[], &trusted), peer);
        assert_eq!(resolve(None, &["1.2.3.4"], &trusted), None);
    }
}
