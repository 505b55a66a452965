//! The page the authorization callback sends a merchant to when it cannot
//! finish: what went wrong and what to do next, in words a merchant follows.

use crate::shared::public_layout::PublicLayout;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::i18n::Lang;
use crate::shared::lang_switch::LangSwitch;

/// Title and advice for a callback failure code (see the server's callback route).
pub fn explain(reason: &str, lang: Lang) -> (&'static str, &'static str) {
    let t = |zh, en| lang.pick(zh, en);
    match reason {
        "invite_expired" => (
            t("邀请链接已过期", "This invitation has expired"),
            t(
                "请联系平台管理员重新生成邀请链接，再重新授权。",
                "Ask the platform's administrator for a new invitation, then authorize again.",
            ),
        ),
        "invite_revoked" => (
            t("邀请链接已被撤销", "This invitation was revoked"),
            t(
                "平台管理员已撤销这个邀请链接。如仍需授权，请向管理员索取新的链接。",
                "The administrator revoked this link. Ask them for a new one if you still need to authorize.",
            ),
        ),
        "invite_not_found" => (
            t("找不到对应的邀请", "Invitation not found"),
            t(
                "请重新打开管理员发给您的邀请链接，再次授权。",
                "Open the invitation link you received again and authorize once more.",
            ),
        ),
        "state_invalid" => (
            t(
                "授权结果无法验证",
                "The authorization result could not be verified",
            ),
            t(
                "返回地址不完整或被修改过。请重新打开邀请链接，从页面上的按钮重新授权。",
                "The return address was incomplete or altered. Open the invitation link again and use its button.",
            ),
        ),
        "state_expired" => (
            t("授权已超时", "The authorization took too long"),
            t(
                "从打开授权页到确认用时过长。请重新打开邀请链接再授权一次。",
                "Too much time passed between opening WeChat's page and confirming. Open the invitation link and try again.",
            ),
        ),
        "code_invalid" => (
            t("授权码已失效", "The authorization code is no longer valid"),
            t(
                "这次授权的授权码已过期或已被使用。如果帐号已经授权成功，可在邀请页面看到它；否则请重新授权。",
                "WeChat's code for this authorization expired or was already used. If the account was authorized, the invitation page lists it; otherwise authorize again.",
            ),
        ),
        "other_company" => (
            t(
                "该帐号已属于其他公司",
                "This account belongs to another company",
            ),
            t(
                "这个公众号/小程序已经授权给平台上的另一家公司，本次授权没有改变它的归属。请联系平台管理员处理。",
                "The account is already authorized for another company on this platform; this authorization did not move it. Please contact the platform's administrator.",
            ),
        ),
        "not_ready" => (
            t(
                "平台暂时无法完成授权",
                "The platform cannot finish the authorization yet",
            ),
            t(
                "平台正在与微信建立连接，请几分钟后重新打开邀请链接再试。",
                "The platform is still connecting to WeChat. Open the invitation link again in a few minutes.",
            ),
        ),
        "too_many_links" => (
            t("授权尝试次数过多", "Too many authorization attempts"),
            t(
                "这个邀请链接在一小时内打开授权页的次数太多。请一小时后再试；如有疑问，请联系平台管理员。",
                "WeChat's page was opened from this invitation too many times in an hour. Please try again in an hour, or contact the platform's administrator.",
            ),
        ),
        "wechat_unavailable" => (
            t("微信暂时无法访问", "WeChat is unavailable right now"),
            t(
                "微信服务繁忙或网络不稳定，请稍后重新授权。",
                "WeChat is busy or the network is unstable. Please authorize again later.",
            ),
        ),
        "wechat_ip" | "wechat_quota" | "wechat_authorization" | "wechat_error" => (
            t("微信拒绝了这次请求", "WeChat refused the request"),
            t(
                "这通常是平台配置的问题，已记录在平台日志中。请联系平台管理员，稍后再重新授权。",
                "This is usually a platform configuration problem and has been logged. Please contact the administrator and try again later.",
            ),
        ),
        "missing_code" => (
            t("授权没有完成", "The authorization was not completed"),
            t(
                "没有收到微信的授权结果（可能取消了授权）。如需授权，请重新打开邀请链接。",
                "WeChat sent no result (perhaps you cancelled). To authorize, open the invitation link again.",
            ),
        ),
        _ => (
            t("授权没有完成", "The authorization was not completed"),
            t(
                "出现了意外错误，已记录在平台日志中。请稍后重新打开邀请链接再试。",
                "Something unexpected happened and has been logged. Please open the invitation link again later.",
            ),
        ),
    }
}

#[component]
pub fn OnboardErrorPage() -> impl IntoView {
    let query = use_query_map();
    let lang = move || Lang::from_query(query.read().get("lang").as_deref()).unwrap_or_default();
    let texts = move || explain(&query.read().get("reason").unwrap_or_default(), lang());
    view! {
        <PublicLayout>
            {move || view! { <LangSwitch lang=lang() /> }}
            <section class="card problem" role="alert">
                <h1>{move || texts().0}</h1>
                <p>{move || texts().1}</p>
            </section>
        </PublicLayout>
    }
}

#[cfg(test)]
mod tests {
    use super::explain;
    use crate::i18n::Lang;

    #[test]
    fn every_reason_the_callback_sends_has_its_own_title_in_both_languages() {
        let reasons = [
            "invite_expired",
            "invite_revoked",
            "invite_not_found",
            "state_invalid",
            "state_expired",
            "code_invalid",
            "other_company",
            "not_ready",
            "too_many_links",
            "wechat_unavailable",
            "missing_code",
        ];
        for lang in [Lang::Zh, Lang::En] {
            let mut titles: Vec<_> = reasons.iter().map(|r| explain(r, lang).0).collect();
            titles.sort();
            titles.dedup();
            assert_eq!(titles.len(), reasons.len(), "{lang:?}");
        }
        assert_eq!(explain("anything else", Lang::Zh).0, "授权没有完成");
        assert_eq!(
            explain("other_company", Lang::En).0,
            "This account belongs to another company"
        );
    }
}
