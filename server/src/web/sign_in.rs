//! The sign-in and sign-out form posts. Plain HTML forms, so both work
//! without JavaScript; the result is a redirect, to where the admin was going
//! or back to `/login` with what went wrong in the query.

use axum::Extension;
use axum::extract::{Form, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};
use platform::admins::SignInError;
use platform::audit::ClientAddr;
use serde::Deserialize;

use super::access::Guard;
use super::cookie_value;

#[derive(Debug, Deserialize)]
pub struct SignInForm {
    login: String,
    password: String,
    #[serde(default)]
    next: String,
    #[serde(default)]
    lang: String,
}

/// Only a path on this site: `/x`, never `//host` or `/\host`, which browsers
/// would take for another site (an open redirect).
pub fn safe_next(next: &str) -> &str {
    let local = next.starts_with('/')
        && !next.starts_with("//")
        && !next.starts_with("/\\")
        && !next.chars().any(|c| c.is_control() || c == '\\');
    if local { next } else { "/" }
}

pub async fn sign_in(
    State(guard): State<Guard>,
    Extension(client): Extension<ClientAddr>,
    Form(form): Form<SignInForm>,
) -> Response {
    let next = safe_next(&form.next).to_owned();
    let outcome = guard
        .platform
        .admins()
        .sign_in(&form.login, &form.password, &client.to_string())
        .await;
    let retry = |error: &str, wait: Option<i64>| {
        let mut query = url::form_urlencoded::Serializer::new(String::new());
        query.append_pair("error", error);
        if let Some(wait) = wait {
            query.append_pair("wait", &wait.to_string());
        }
        if next != "/" {
            query.append_pair("next", &next);
        }
        if !form.lang.is_empty() {
            query.append_pair("lang", &form.lang);
        }
        Redirect::to(&format!("/login?{}", query.finish())).into_response()
    };
    match outcome {
        Ok(signed_in) => {
            let cookie = session_cookie(&guard, signed_in.session_id.expose(), None);
            let mut response = Redirect::to(&next).into_response();
            response.headers_mut().insert(header::SET_COOKIE, cookie);
            response
        }
        Err(SignInError::WrongCredentials) => retry("credentials", None),
        Err(SignInError::Locked { retry_after_secs }) => retry("locked", Some(retry_after_secs)),
        Err(SignInError::Storage(err)) => {
            tracing::error!(error = %err, "sign-in failed");
            retry("unavailable", None)
        }
    }
}

pub async fn sign_out(
    State(guard): State<Guard>,
    Extension(client): Extension<ClientAddr>,
    headers: HeaderMap,
) -> Response {
    if let Some(value) = cookie_value(&headers, guard.security.cookie_name())
        && let Err(err) = guard
            .platform
            .admins()
            .sign_out(&value, &client.to_string())
            .await
    {
        tracing::error!(error = %err, "sign-out failed");
    }
    let mut response = Redirect::to("/login?signed_out=1").into_response();
    response
        .headers_mut()
        .insert(header::SET_COOKIE, session_cookie(&guard, "", Some(0)));
    response
}

/// The session cookie, for the whole site, under its `__Host-` name over
/// https (see `WebSecurity::set_cookie`). No `Max-Age` while it lives: it ends
/// with the browser; the server ends it sooner. `Some(0)` deletes it.
fn session_cookie(guard: &Guard, value: &str, max_age: Option<i64>) -> HeaderValue {
    let name = guard.security.cookie_name();
    guard.security.set_cookie(name, value, "/", max_age)
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn next_never_leaves_the_site() {
        assert_eq!(safe_next("/companies/3?x=1"), "/companies/3?x=1");
        for bad in [
            "",
            "https://evil.example",
            "//evil.example",
            "/\\evil.example",
            "companies",
            "/a\\b",
            "/a\nb",
        ] {
            assert_eq!(safe_next(bad), "/", "{bad:?}");
        }
    }
}
