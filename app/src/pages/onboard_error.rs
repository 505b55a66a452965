//! The page the authorization callback sends a merchant to when it cannot
//! finish: what went wrong and what to do next, in words a merchant follows.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// Title and advice for a callback failure code (see the server's callback route).
pub fn explain(reason: &str) -> (&'static str, &'static str) {
    match reason {
        "invite_expired" => (
            "邀请链接已过期",
            "请联系平台管理员重新生成邀请链接，再重新授权。",
        ),
        "invite_revoked" => (
            "邀请链接已被撤销",
            "平台管理员已撤销这个邀请链接。如仍需授权，请向管理员索取新的链接。",
        ),
        "invite_not_found" => (
            "找不到对应的邀请",
            "请重新打开管理员发给您的邀请链接，再次授权。",
        ),
        "state_invalid" => (
            "授权结果无法验证",
            "返回地址不完整或被修改过。请重新打开邀请链接，从页面上的按钮重新授权。",
        ),
        "state_expired" => (
            "授权已超时",
            "从打开授权页到确认用时过长。请重新打开邀请链接再授权一次。",
        ),
        "code_invalid" => (
            "授权码已失效",
            "这次授权的授权码已过期或已被使用。如果帐号已经授权成功，可在邀请页面看到它；否则请重新授权。",
        ),
        "other_company" => (
            "该帐号已属于其他公司",
            "这个公众号/小程序已经授权给平台上的另一家公司，本次授权没有改变它的归属。请联系平台管理员处理。",
        ),
        "not_ready" => (
            "平台暂时无法完成授权",
            "平台正在与微信建立连接，请几分钟后重新打开邀请链接再试。",
        ),
        "wechat_unavailable" => (
            "微信暂时无法访问",
            "微信服务繁忙或网络不稳定，请稍后重新授权。",
        ),
        "wechat_ip" | "wechat_quota" | "wechat_authorization" | "wechat_error" => (
            "微信拒绝了这次请求",
            "这通常是平台配置的问题，已记录在平台日志中。请联系平台管理员，稍后再重新授权。",
        ),
        "missing_code" => (
            "授权没有完成",
            "没有收到微信的授权结果（可能取消了授权）。如需授权，请重新打开邀请链接。",
        ),
        _ => (
            "授权没有完成",
            "出现了意外错误，已记录在平台日志中。请稍后重新打开邀请链接再试。",
        ),
    }
}

#[component]
pub fn OnboardErrorPage() -> impl IntoView {
    let query = use_query_map();
    let texts = move || explain(&query.read().get("reason").unwrap_or_default());
    view! {
        <section class="card problem" role="alert">
            <h1>{move || texts().0}</h1>
            <p>{move || texts().1}</p>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::explain;

    #[test]
    fn every_reason_the_callback_sends_has_its_own_title() {
        let reasons = [
            "invite_expired",
            "invite_revoked",
            "invite_not_found",
            "state_invalid",
            "state_expired",
            "code_invalid",
            "other_company",
            "not_ready",
            "wechat_unavailable",
            "missing_code",
        ];
        let mut titles: Vec<_> = reasons.iter().map(|r| explain(r).0).collect();
        titles.sort();
        titles.dedup();
        assert_eq!(titles.len(), reasons.len());
        assert_eq!(explain("anything else").0, "授权没有完成");
    }
}
