//! Server functions for the 全网发布 page: the responder's record and, in
//! sandbox mode, a run of the emulator's check (its items travel back in
//! the redirect's query, the page being plain HTML).

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::UiError;

/// One step the release-check responder took.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckStepView {
    pub appid: String,
    pub step: String,
    pub ok: bool,
    pub detail: String,
    pub at: String,
}

/// The release check page's facts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReleaseCheckView {
    pub responder_on: bool,
    pub sandbox: bool,
    pub steps: Vec<CheckStepView>,
}

/// One result item of a sandbox run, as the emulator names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckItemView {
    pub name: String,
    pub passed: bool,
    pub why: Option<String>,
}

#[server(prefix = "/api/admin", endpoint = "release-check/status")]
pub async fn release_check_status() -> Result<ReleaseCheckView, UiError> {
    let platform = crate::shared::ssr::admin_platform().await?;
    ssr::release_check(&platform).await
}

/// Sandbox only: the emulator plays WeChat's check for `group` (1–5) and
/// `kind` (`oa` or `mp`) against this server; its items.
#[server(prefix = "/api/admin", endpoint = "release-check/run")]
pub async fn run_release_check(group: u8, kind: String) -> Result<Vec<CheckItemView>, UiError> {
    let admin = crate::shared::ssr::admin().await?;
    let items = ssr::run_check(&admin.platform, group, &kind).await?;
    admin
        .audit(
            platform::audit::AuditAction::ReleaseCheckRun,
            format!("group:{group}:{kind}"),
        )
        .await;
    // The page is plain HTML: the result travels in the redirect's query.
    let encoded = percent_encoding::utf8_percent_encode(
        &encode_items(&items),
        percent_encoding::NON_ALPHANUMERIC,
    )
    .to_string();
    crate::shared::ssr::redirect_form_post(&format!("/release-check?result={encoded}")).await;
    Ok(items)
}

/// Items as lines of `passed \t name \t why` (for the redirect's query).
pub fn encode_items(items: &[CheckItemView]) -> String {
    items
        .iter()
        .map(|i| {
            let why = i.why.clone().unwrap_or_default().replace(['\t', '\n'], " ");
            format!("{}\t{}\t{why}", u8::from(i.passed), i.name)
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// [`encode_items`] read back; lines that do not parse are left out.
pub fn decode_items(text: &str) -> Vec<CheckItemView> {
    text.lines()
        .filter_map(|line| {
            let mut parts = line.splitn(3, '\t');
            let passed = parts.next()? == "1";
            let name = parts.next()?.to_owned();
            let why = parts.next().filter(|w| !w.is_empty()).map(str::to_owned);
            Some(CheckItemView { name, passed, why })
        })
        .collect()
}

#[cfg(feature = "ssr")]
mod ssr {
    use platform::Platform;
    use platform::messages::ReleaseCheckStep;

    use super::{CheckItemView, CheckStepView, ReleaseCheckView};
    use crate::UiError;
    use crate::i18n::admin_lang;
    use crate::shared::ssr::{format_time, internal};

    pub(super) async fn release_check(platform: &Platform) -> Result<ReleaseCheckView, UiError> {
        let lang = admin_lang();
        let steps = platform
            .messages()
            .release_check_steps(50)
            .await
            .map_err(|e| internal(&e))?;
        Ok(ReleaseCheckView {
            responder_on: platform.messages().settings().release_check,
            sandbox: platform.settings().sandbox,
            steps: steps
                .into_iter()
                .map(|s| CheckStepView {
                    appid: s.authorizer_appid,
                    step: match s.step {
                        ReleaseCheckStep::Authorized => lang.pick("授权", "Authorized"),
                        ReleaseCheckStep::TextReply => {
                            lang.pick("返回普通文本消息", "Plain text reply")
                        }
                        ReleaseCheckStep::ApiReply => {
                            lang.pick("返回Api文本消息", "API text reply")
                        }
                        ReleaseCheckStep::EventReply => lang.pick("发送事件消息", "Event reply"),
                        ReleaseCheckStep::Unauthorized => lang.pick("取消授权", "Unauthorized"),
                    }
                    .to_owned(),
                    ok: s.ok,
                    detail: s.detail.unwrap_or_default(),
                    at: format_time(s.at),
                })
                .collect(),
        })
    }

    pub(super) async fn run_check(
        platform: &Platform,
        group: u8,
        kind: &str,
    ) -> Result<Vec<CheckItemView>, UiError> {
        let lang = admin_lang();
        if !platform.settings().sandbox {
            return Err(UiError::Conflict(lang.pick("只有沙箱模式能在这里运行检测；正式环境请在微信开放平台点击“全网发布”。", "Only sandbox mode runs the check here; in production, press 全网发布 in WeChat's console.").into()));
        }
        if !(1..=5).contains(&group) || !matches!(kind, "oa" | "mp") {
            return Err(UiError::Validation {
                field: "group".into(),
                message: lang
                    .pick(
                        "请选择 1 到 5 组，公众号或小程序。",
                        "Choose group 1 to 5, official account or mini program.",
                    )
                    .into(),
            });
        }
        let items = platform
            .messages()
            .run_sandbox_release_check(group, kind)
            .await
            .map_err(|e| internal(&e))?;
        Ok(items
            .into_iter()
            .map(|(name, passed, why)| CheckItemView { name, passed, why })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::{CheckItemView, decode_items, encode_items};

    #[test]
    fn check_items_survive_the_redirect_s_query() {
        let items = vec![
            CheckItemView {
                name: "组件ticket正确接收".into(),
                passed: true,
                why: None,
            },
            CheckItemView {
                name: "返回Api文本消息".into(),
                passed: false,
                why: Some("no custom message\twithin\n2 s".into()),
            },
        ];
        let back = decode_items(&encode_items(&items));
        assert_eq!(back[0], items[0]);
        assert_eq!(back[1].name, "返回Api文本消息");
        assert!(!back[1].passed);
        assert_eq!(back[1].why.as_deref(), Some("no custom message within 2 s"));
        assert!(decode_items("garbage").is_empty());
    }
}
