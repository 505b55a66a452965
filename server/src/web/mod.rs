//! The walls around the HTTP surface, as layers on the router rather than
//! code in handlers, so no route can forget them:
//!
//! - [`host`]: requests for another host are refused (no DNS rebinding);
//! - [`client`]: the client's address, from the TCP peer or a trusted proxy;
//! - [`headers`]: CSP with a per-request nonce, and the other security headers;
//! - [`csrf`]: state-changing browser requests must come from our own origin;
//! - [`access`]: one guard for every admin page and admin server function;
//! - [`sign_in`]: the sign-in and sign-out form posts and the session cookie.

pub mod access;
pub mod client;
pub mod csrf;
pub mod headers;
pub mod host;
pub mod sign_in;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::http::{HeaderMap, HeaderValue, header};
use cookie::{Cookie, SameSite};
use ipnet::IpNet;
use url::Url;

/// What the layers need to know of this deployment. Cheap to clone.
#[derive(Debug, Clone)]
pub struct WebSecurity(Arc<Inner>);

#[derive(Debug)]
struct Inner {
    /// `host` or `host:port` forms a request may name, lowercase.
    hosts: Vec<(String, Option<u16>)>,
    /// Origins (`scheme://host[:port]`) that may send state-changing requests.
    origins: Vec<String>,
    trusted_proxies: Vec<IpNet>,
    /// `WEIQIAO_PUBLIC_URL` is https: cookies are `Secure` and `__Host-` prefixed.
    https: bool,
}

impl WebSecurity {
    /// Accepts the public URL's host and the address actually bound (plus
    /// `localhost` when that address is a loopback one).
    pub fn new(public_url: &Url, listen: SocketAddr, trusted_proxies: Vec<IpNet>) -> Self {
        let mut hosts = Vec::new();
        let mut origins = vec![public_url.origin().ascii_serialization()];
        if let Some(host) = public_url.host_str() {
            hosts.push((
                host.to_ascii_lowercase(),
                public_url.port_or_known_default(),
            ));
        }
        let listen_host = match listen.ip() {
            std::net::IpAddr::V4(ip) => ip.to_string(),
            std::net::IpAddr::V6(ip) => format!("[{ip}]"),
        };
        let mut local = vec![listen_host];
        if listen.ip().is_loopback() {
            local.push("localhost".to_owned());
        }
        for host in local {
            origins.push(format!("http://{host}:{}", listen.port()));
            hosts.push((host, Some(listen.port())));
        }
        Self(Arc::new(Inner {
            hosts,
            origins,
            trusted_proxies,
            https: public_url.scheme() == "https",
        }))
    }

    /// The session cookie's name: `__Host-` prefixed over https, so only this
    /// exact origin can set it.
    pub fn cookie_name(&self) -> &'static str {
        if self.0.https {
            "__Host-weiqiao_session"
        } else {
            "weiqiao_session"
        }
    }

    /// Whether cookies carry `Secure`.
    pub fn https(&self) -> bool {
        self.0.https
    }

    /// A `Set-Cookie` value for one of our cookies: `HttpOnly`,
    /// `SameSite=Lax`, and `Secure` over https. `max_age`: `None` ends it with
    /// the browser, zero deletes it.
    pub fn set_cookie(
        &self,
        name: &str,
        value: &str,
        path: &str,
        max_age: Option<i64>,
    ) -> HeaderValue {
        let mut cookie = Cookie::build((name, value))
            .path(path)
            .http_only(true)
            .same_site(SameSite::Lax)
            .secure(self.0.https);
        if let Some(secs) = max_age {
            cookie = cookie.max_age(cookie::time::Duration::seconds(secs));
        }
        // Names and paths are ours and values base64url or hex: always a valid header.
        HeaderValue::from_str(&cookie.build().to_string())
            .unwrap_or_else(|_| HeaderValue::from_static(""))
    }
}

/// The value of the cookie `name` in these request headers, if any.
pub fn cookie_value(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|cookie| cookie.name() == name)
        .map(|cookie| cookie.value().to_owned())
}
