//! The 全网发布 (full-network release) check, answered automatically. WeChat
//! authorizes one of its test accounts, sends it messages and events at the
//! message URL, and expects (see `../shared/wechat-message-gateway.md` §5):
//! - `TESTCOMPONENT_MSG_TYPE_TEXT`: the passive text `…_callback`;
//! - `QUERY_AUTH_CODE:<code>`: an empty answer at once, then `api_query_auth`
//!   with the code and the customer-service text `<code>_from_api`;
//! - an event: the passive text `<Event>from_callback` (whether this step is
//!   still sent is unknown; it is answered either way).
//!
//! Which credentials the API step should use is disputed: exchanging the
//! message's code worked in captures from 2018 to 2024 and failed (61009) in
//! 2016, where the code of the `authorized` push worked. So the code is
//! exchanged, and if that fails the token of the `authorized` exchange is used.

use serde_json::json;
use store::ReleaseCheckStep;
use wechat::Secret;
use wechat::message::{Message, MessageKind, Reply};

use super::{Answer, MessageGateway};

/// An official account or a mini program.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TestAccountKind {
    OfficialAccount,
    MiniProgram,
}

/// One of WeChat's test accounts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TestAccount {
    pub group: u8,
    pub kind: TestAccountKind,
    pub appid: &'static str,
    /// The original id (`gh_…`), the pushes' `ToUserName`.
    pub user_name: &'static str,
}

const fn account(
    group: u8,
    kind: TestAccountKind,
    appid: &'static str,
    user_name: &'static str,
) -> TestAccount {
    TestAccount {
        group,
        kind,
        appid,
        user_name,
    }
}

use TestAccountKind::{MiniProgram as Mp, OfficialAccount as Oa};

/// The five groups WeChat draws from (D-rel; group 2's OA original id as the
/// Chinese pages give it, the English page's is a copy of group 4's).
pub const TEST_ACCOUNTS: [TestAccount; 10] = [
    account(1, Oa, "wx570bc396a51b8ff8", "gh_3c884a361561"),
    account(1, Mp, "wxd101a85aa106f53e", "gh_8dad206e9538"),
    account(2, Oa, "wx9252c5e0bb1836fc", "gh_c0f28a78b318"),
    account(2, Mp, "wxc39235c15087f6f3", "gh_905ae9d01059"),
    account(3, Oa, "wx8e1097c5bc82cde9", "gh_3f222ed8d140"),
    account(3, Mp, "wx7720d01d4b2a4500", "gh_393666f1fdf4"),
    account(4, Oa, "wx14550af28c71a144", "gh_26128078e9ab"),
    account(4, Mp, "wx05d483572dcd5d8b", "gh_39abb5d4e1b7"),
    account(5, Oa, "wxa35b9c23cfe664eb", "gh_2b3713f184a6"),
    account(5, Mp, "wx5910277cae6fd970", "gh_7818dcb60240"),
];

/// The test account with this appid or original id.
pub fn test_account(appid: &str, user_name: &str) -> Option<&'static TestAccount> {
    TEST_ACCOUNTS
        .iter()
        .find(|a| a.appid == appid || a.user_name == user_name)
}

pub const TEXT_PROBE: &str = "TESTCOMPONENT_MSG_TYPE_TEXT";
pub const QUERY_AUTH_CODE_PREFIX: &str = "QUERY_AUTH_CODE:";

/// What the check asks of a message, decided from the message alone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expected {
    /// A passive text with this content.
    Passive(String),
    /// An empty answer, then `<code>_from_api` through the API.
    Api { code: String },
    /// Nothing the check looks at.
    Nothing,
}

pub fn expected(message: &Message) -> Expected {
    match &message.kind {
        MessageKind::Text { content, .. } if content == TEXT_PROBE => {
            Expected::Passive(format!("{TEXT_PROBE}_callback"))
        }
        MessageKind::Text { content, .. } => match content.strip_prefix(QUERY_AUTH_CODE_PREFIX) {
            Some(code) if !code.trim().is_empty() => Expected::Api {
                code: code.trim().to_owned(),
            },
            _ => Expected::Nothing,
        },
        MessageKind::Event { event } => Expected::Passive(format!("{}from_callback", event.name())),
        _ => Expected::Nothing,
    }
}

/// Answers a test account's message as the check expects.
pub(crate) async fn respond(gateway: &MessageGateway, appid: &str, message: &Message) -> Answer {
    let now = gateway.clock.now();
    match expected(message) {
        Expected::Passive(content) => {
            let step = if matches!(message.kind, MessageKind::Event { .. }) {
                ReleaseCheckStep::EventReply
            } else {
                ReleaseCheckStep::TextReply
            };
            let xml = Reply::Text {
                content: content.clone(),
            }
            .to_xml(&message.from_user_name, &message.to_user_name, now);
            let nonce = rand::random::<u32>().to_string();
            let encrypted =
                gateway
                    .component
                    .crypto()
                    .encrypt_reply(&xml, &now.to_string(), &nonce);
            let (answer, ok, detail) = match encrypted {
                Ok(envelope) => (Answer::Reply(envelope), true, content),
                Err(err) => (Answer::Success, false, err.to_string()),
            };
            record(gateway, appid, step, ok, &detail).await;
            answer
        }
        Expected::Api { code } => {
            let gateway = gateway.clone();
            let (appid, openid) = (appid.to_owned(), message.from_user_name.clone());
            tokio::spawn(async move { api_reply(&gateway, &appid, &openid, &code).await });
            Answer::Empty
        }
        Expected::Nothing => Answer::Success,
    }
}

impl MessageGateway {
    /// Whether `appid` is a test account the responder answers for.
    pub fn is_release_check_account(&self, appid: &str) -> bool {
        self.settings.release_check && test_account(appid, "").is_some()
    }

    /// The `authorized` push for a test account: its code exchanged at once
    /// and the tokens kept for the check (not under any company).
    pub(crate) async fn release_check_authorized(
        &self,
        appid: &str,
        code: &Secret,
    ) -> Result<(), String> {
        let client = self.component.client();
        let exchanged = self
            .component
            .with_component_token(|token| {
                let code = code.clone();
                async move { client.api_query_auth(&token, &code).await }
            })
            .await;
        let info = match exchanged {
            Ok(answer) => answer.authorization_info,
            Err(err) => {
                let detail = format!("api_query_auth failed: {err}");
                record(self, appid, ReleaseCheckStep::Authorized, false, &detail).await;
                return Err(detail);
            }
        };
        let seal = |token: &Option<Secret>, what: &str| {
            token
                .as_ref()
                .map(|t| self.vault.seal(&format!("{what}:{appid}"), t.expose()))
        };
        let access = seal(&info.authorizer_access_token, "release_check_access_token");
        let refresh = seal(
            &info.authorizer_refresh_token,
            "release_check_refresh_token",
        );
        self.store
            .release_check()
            .authorized(
                appid,
                access.as_deref(),
                refresh.as_deref(),
                self.clock.now(),
            )
            .await
            .map_err(|e| e.to_string())?;
        record(self, appid, ReleaseCheckStep::Authorized, true, "exchanged").await;
        Ok(())
    }

    /// The `unauthorized` push that ends a check: its tokens are dead.
    pub(crate) async fn release_check_unauthorized(
        &self,
        appid: &str,
    ) -> Result<(), store::StoreError> {
        self.store
            .release_check()
            .unauthorized(appid, self.clock.now())
            .await?;
        record(
            self,
            appid,
            ReleaseCheckStep::Unauthorized,
            true,
            "unauthorized",
        )
        .await;
        Ok(())
    }

    /// The steps answered, newest first.
    pub async fn release_check_steps(
        &self,
        limit: i64,
    ) -> Result<Vec<store::ReleaseCheckStepRow>, store::StoreError> {
        self.store.release_check().recent_steps(limit).await
    }
}

/// `api_query_auth` with the message's code, falling back to the token of
/// the `authorized` exchange, then `<code>_from_api` to the sender.
async fn api_reply(gateway: &MessageGateway, appid: &str, openid: &str, code: &str) {
    let client = gateway.component.client();
    let secret_code = Secret::new(code.to_owned());
    let exchanged = gateway
        .component
        .with_component_token(|token| {
            let code = secret_code.clone();
            async move { client.api_query_auth(&token, &code).await }
        })
        .await;
    let (token, how) = match exchanged {
        Ok(answer) => match answer.authorization_info.authorizer_access_token {
            Some(token) => (Some(token), "the message's code".to_owned()),
            None => (
                stored_token(gateway, appid).await,
                "the authorized push's token (the code gave none)".to_owned(),
            ),
        },
        Err(err) => (
            stored_token(gateway, appid).await,
            format!("the authorized push's token (api_query_auth: {err})"),
        ),
    };
    let Some(token) = token else {
        record(
            gateway,
            appid,
            ReleaseCheckStep::ApiReply,
            false,
            &format!("no authorizer token: {how}"),
        )
        .await;
        return;
    };
    let body = json!({
        "touser": openid,
        "msgtype": "text",
        "text": { "content": format!("{code}_from_api") },
    });
    let (ok, detail) = match client.message_custom_send(&token, &body).await {
        Ok(()) => (true, format!("sent with {how}")),
        Err(err) => (false, format!("custom/send failed: {err} (with {how})")),
    };
    record(gateway, appid, ReleaseCheckStep::ApiReply, ok, &detail).await;
}

async fn stored_token(gateway: &MessageGateway, appid: &str) -> Option<Secret> {
    let sealed = gateway
        .store
        .release_check()
        .access_token(appid)
        .await
        .ok()??;
    gateway
        .vault
        .open(&token_context(appid), &sealed)
        .ok()
        .map(Secret::new)
}

pub(crate) fn token_context(appid: &str) -> String {
    format!("release_check_access_token:{appid}")
}

pub(crate) async fn record(
    gateway: &MessageGateway,
    appid: &str,
    step: ReleaseCheckStep,
    ok: bool,
    detail: &str,
) {
    let now = gateway.clock.now();
    if let Err(err) = gateway
        .store
        .release_check()
        .record_step(appid, step, ok, Some(detail), now)
        .await
    {
        tracing::error!(error = %err, "release check step not recorded");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(content: &str) -> Message {
        Message {
            to_user_name: "gh_3c884a361561".into(),
            from_user_name: "ozy4qt5QUADNXORxCVipKMV9dss0".into(),
            create_time: 1,
            kind: MessageKind::Text {
                msg_id: Some("1".into()),
                content: content.into(),
            },
        }
    }

    #[test]
    fn each_probe_gets_what_the_check_expects() {
        assert_eq!(
            expected(&text("TESTCOMPONENT_MSG_TYPE_TEXT")),
            Expected::Passive("TESTCOMPONENT_MSG_TYPE_TEXT_callback".into())
        );
        // The prefix is stripped as a whole; the code keeps its `@@@`.
        assert_eq!(
            expected(&text("QUERY_AUTH_CODE:queryauthcode@@@7kOy_BLy")),
            Expected::Api {
                code: "queryauthcode@@@7kOy_BLy".into()
            }
        );
        assert_eq!(expected(&text("QUERY_AUTH_CODE:")), Expected::Nothing);
        assert_eq!(
            expected(&text("TESTCOMPONENT_MSG_TYPE_TEXTX")),
            Expected::Nothing
        );
        assert_eq!(expected(&text("hello")), Expected::Nothing);
        let mut event = text("");
        event.kind = MessageKind::Event {
            event: wechat::message::Event::Location {
                latitude: "1".into(),
                longitude: "2".into(),
                precision: None,
            },
        };
        assert_eq!(
            expected(&event),
            Expected::Passive("LOCATIONfrom_callback".into())
        );
    }

    #[test]
    fn the_five_groups_are_known_by_appid_and_by_original_id() {
        assert_eq!(TEST_ACCOUNTS.len(), 10);
        for group in 1..=5 {
            let members: Vec<_> = TEST_ACCOUNTS.iter().filter(|a| a.group == group).collect();
            assert_eq!(members.len(), 2);
            assert!(members.iter().any(|a| a.kind == Oa) && members.iter().any(|a| a.kind == Mp));
        }
        assert_eq!(
            test_account("wx570bc396a51b8ff8", "").map(|a| a.group),
            Some(1)
        );
        assert_eq!(
            test_account("", "gh_7818dcb60240").map(|a| a.appid),
            Some("wx5910277cae6fd970")
        );
        assert_eq!(test_account("wxother", "gh_other"), None);
    }
}
