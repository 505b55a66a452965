//! Host check: a request must name this deployment's public host, or the
//! address it listens on. A page served under any other name could be a DNS
//! rebinding attack (an attacker's domain resolving to this server, making our
//! origin the attacker's).

use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::WebSecurity;

impl WebSecurity {
    /// Whether the `Host` value (`name` or `name:port`) is one of ours. A host
    /// without a port means the public URL's default port.
    pub fn host_allowed(&self, host: &str) -> bool {
        let Ok(authority) = host.parse::<axum::http::uri::Authority>() else {
            return false;
        };
        let name = authority.host().to_ascii_lowercase();
        let port = authority.port_u16();
        self.0.hosts.iter().any(|(allowed, allowed_port)| {
            *allowed == name && (port.is_none() || port == *allowed_port)
        })
    }
}

/// Refuses requests whose `Host` (or HTTP/2 authority) is not ours.
pub async fn check(State(security): State<WebSecurity>, request: Request, next: Next) -> Response {
    let host = request
        .uri()
        .authority()
        .map(|a| a.as_str().to_owned())
        .or_else(|| {
            request
                .headers()
                .get(header::HOST)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        });
    if host.as_deref().is_some_and(|h| security.host_allowed(h)) {
        return next.run(request).await;
    }
    tracing::warn!(
        host = host.as_deref().unwrap_or("(none)"),
        "request for another host refused"
    );
    (
        StatusCode::MISDIRECTED_REQUEST,
        "This Weiqiao does not answer for this host name. Open it at its configured address (WEIQIAO_PUBLIC_URL).\n",
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::WebSecurity;

    #[test]
    fn only_the_public_host_and_the_listen_address_are_ours() {
        let public = url::Url::parse("https://weiqiao.example.com").unwrap();
        let security = WebSecurity::new(&public, "127.0.0.1:3000".parse().unwrap(), vec![]);
        for ok in [
            "weiqiao.example.com",
            "WEIQIAO.example.com",
            "weiqiao.example.com:443",
            "127.0.0.1:3000",
            "localhost:3000",
        ] {
            assert!(security.host_allowed(ok), "{ok}");
        }
        for refused in [
            "evil.example",
            "weiqiao.example.com:8443",
            "127.0.0.1:3001",
            "weiqiao.example.com.evil.example",
            "",
            "a b",
        ] {
            assert!(!security.host_allowed(refused), "{refused}");
        }
        let v6 = WebSecurity::new(&public, "[::1]:3000".parse().unwrap(), vec![]);
        assert!(v6.host_allowed("[::1]:3000"));
        let wide = WebSecurity::new(&public, "0.0.0.0:3000".parse().unwrap(), vec![]);
        assert!(
            !wide.host_allowed("localhost:3000"),
            "localhost only for a loopback listener"
        );
    }
}
