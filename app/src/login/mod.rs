//! The sign-in page (`/login`): a plain form posted to the server's `/login`
//! handler, so it works without JavaScript. What went wrong comes back in the
//! query (`?error=credentials`, `?error=locked&wait=…`), never which of login
//! or password was wrong.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::i18n::Lang;
use crate::shared::public_layout::{PublicLayout, site_resource};

#[component]
pub fn LoginPage() -> impl IntoView {
    let query = use_query_map();
    let site = site_resource();
    view! {
        <PublicLayout site>
            <Suspense>
                {move || Suspend::new(async move {
                    let lang = site.await.map(|info| info.lang).unwrap_or_default();
                    let q = query.read_untracked();
                    let notice = notice(
                        lang,
                        q.get("error").as_deref(),
                        q.get("wait").and_then(|w| w.parse().ok()),
                        q.get("signed_out").is_some(),
                    );
                    let next = q.get("next").unwrap_or_default();
                    view! { <LoginForm lang notice next /> }
                })}
            </Suspense>
        </PublicLayout>
    }
}

/// What the page says above the form: (is it an error, the text).
fn notice(
    lang: Lang,
    error: Option<&str>,
    wait_secs: Option<i64>,
    signed_out: bool,
) -> Option<(bool, String)> {
    match error {
        Some("credentials") => Some((
            true,
            lang.pick("登录名或密码不正确。", "Wrong login or password.")
                .to_owned(),
        )),
        Some("locked") => {
            let minutes = (wait_secs.unwrap_or(60).max(1) + 59) / 60;
            Some((
                true,
                match lang {
                    Lang::Zh => format!(
                        "登录失败次数过多，为保护帐号已暂停登录。请在 {minutes} 分钟后再试。"
                    ),
                    Lang::En => format!(
                        "Too many failed sign-ins; signing in is paused to protect the account. Try again in {minutes} min."
                    ),
                },
            ))
        }
        Some(_) => Some((
            true,
            lang.pick(
                "暂时无法登录，请稍后重试。",
                "Signing in is unavailable right now; please try again later.",
            )
            .to_owned(),
        )),
        None if signed_out => Some((
            false,
            lang.pick("您已退出登录。", "You have signed out.")
                .to_owned(),
        )),
        None => None,
    }
}

#[component]
fn LoginForm(lang: Lang, notice: Option<(bool, String)>, next: String) -> impl IntoView {
    let other = lang.other();
    view! {
        <section class="page narrow">
            <p class="lang-switch">
                <a href=format!("/login?lang={}", other.code()) hreflang=other.code()>{other.pick("中文", "English")}</a>
            </p>
            <section class="card" aria-labelledby="login-title">
                <h1 id="login-title">{lang.pick("登录管理后台", "Sign in to the dashboard")}</h1>
                {notice.map(|(error, text)| {
                    if error {
                        view! { <p class="notice error" role="alert">{text}</p> }.into_any()
                    } else {
                        view! { <p class="notice success" role="status">{text}</p> }.into_any()
                    }
                })}
                <form method="post" action="/login" class="stack">
                    <input type="hidden" name="next" value=next />
                    <input type="hidden" name="lang" value=lang.code() />
                    <label for="login">{lang.pick("登录名", "Login")}</label>
                    <input id="login" name="login" type="text" required autocomplete="username" autocapitalize="none" spellcheck="false" />
                    <label for="password">{lang.pick("密码", "Password")}</label>
                    <input id="password" name="password" type="password" required autocomplete="current-password" />
                    <button type="submit" class="button primary">{lang.pick("登录", "Sign in")}</button>
                </form>
            </section>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wait_is_stated_in_whole_minutes_rounded_up() {
        let text = |wait| notice(Lang::Zh, Some("locked"), wait, false).unwrap().1;
        assert!(text(Some(900)).contains("15 分钟"));
        assert!(text(Some(61)).contains("2 分钟"));
        assert!(text(Some(1)).contains("1 分钟"));
        assert_eq!(
            notice(Lang::En, Some("credentials"), None, false),
            Some((true, "Wrong login or password.".into()))
        );
        assert_eq!(notice(Lang::Zh, None, None, true).map(|n| n.0), Some(false));
        assert_eq!(notice(Lang::Zh, None, None, false), None);
    }
}
