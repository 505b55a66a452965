//! The 全网发布 check as WeChat runs it (gateway reference §5): for one of
//! the five groups of test accounts, an official account or a mini
//! program, against the configured URLs:
//!
//! 1. 组件ticket正确接收: a ticket push, answered `success`;
//! 2. 授权: the test account authorized by WeChat itself, the `authorized`
//!    push answered and its code exchanged;
//! 3. 返回普通文本消息 (official accounts): `TESTCOMPONENT_MSG_TYPE_TEXT`
//!    answered with the passive text `TESTCOMPONENT_MSG_TYPE_TEXT_callback`;
//! 4. 返回Api文本消息: `QUERY_AUTH_CODE:<code>` answered at once, then
//!    `<code>_from_api` sent to the user through custom/send within the window;
//! 5. 发送事件消息 (official accounts): an event answered with the passive
//!    text `<Event>from_callback` (whether WeChat still sends it is unknown);
//! 6. 取消授权: the `unauthorized` push answered.
//!
//! Each item passes or fails with why, under the names WeChat shows.

use std::time::{Duration, Instant};

use serde::Serialize;
use wechat::message::{Event as MessageEvent, Message, MessageKind};

use crate::Simulator;
use crate::accounts::{Account, AccountKind, NewAccount};
use crate::config::ReleaseCheckCode;

/// A test account: its appid and original id.
type TestAccount = (&'static str, &'static str);

/// The five groups' test accounts: (group, official account, mini program).
pub const GROUPS: [(u8, TestAccount, TestAccount); 5] = [
    (
        1,
        ("wx570bc396a51b8ff8", "gh_3c884a361561"),
        ("wxd101a85aa106f53e", "gh_8dad206e9538"),
    ),
    (
        2,
        ("wx9252c5e0bb1836fc", "gh_c0f28a78b318"),
        ("wxc39235c15087f6f3", "gh_905ae9d01059"),
    ),
    (
        3,
        ("wx8e1097c5bc82cde9", "gh_3f222ed8d140"),
        ("wx7720d01d4b2a4500", "gh_393666f1fdf4"),
    ),
    (
        4,
        ("wx14550af28c71a144", "gh_26128078e9ab"),
        ("wx05d483572dcd5d8b", "gh_39abb5d4e1b7"),
    ),
    (
        5,
        ("wxa35b9c23cfe664eb", "gh_2b3713f184a6"),
        ("wx5910277cae6fd970", "gh_7818dcb60240"),
    ),
];

/// The fan every capture shows.
pub const TEST_FAN: &str = "ozy4qt5QUADNXORxCVipKMV9dss0";

/// One result item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CheckItem {
    pub name: &'static str,
    pub passed: bool,
    pub why: Option<String>,
}

fn item(name: &'static str, passed: bool, why: impl Into<String>) -> CheckItem {
    let why = why.into();
    CheckItem {
        name,
        passed,
        why: (!why.is_empty()).then_some(why),
    }
}

impl Simulator {
    /// Runs the check for `group` (1–5) with its official account or its
    /// mini program; the items in WeChat's order.
    pub async fn run_release_check(
        &self,
        group: u8,
        kind: AccountKind,
    ) -> Result<Vec<CheckItem>, String> {
        let (_, oa, mp) = GROUPS
            .iter()
            .find(|(g, _, _)| *g == group)
            .ok_or_else(|| format!("there are groups 1 to 5, not {group}"))?;
        let (appid, user_name) = if kind == AccountKind::OfficialAccount {
            *oa
        } else {
            *mp
        };
        self.with_state(|state, _| {
            let mut account = Account::create(NewAccount {
                kind: Some(kind),
                nick_name: format!("全网发布测试号{group}"),
                appid: Some(appid.to_owned()),
                ..NewAccount::default()
            });
            account.user_name = user_name.to_owned();
            state.accounts.insert(appid.to_owned(), account);
        });
        let mut items = Vec::new();

        let ticket = self.push_ticket_now().await;
        items.push(item(
            "组件ticket正确接收",
            ticket.delivered,
            if ticket.delivered {
                ""
            } else {
                "the ticket push was not answered success"
            },
        ));

        let config = self.config().clone();
        let func_ids = if kind == AccountKind::OfficialAccount {
            vec![1, 15]
        } else {
            vec![18, 19]
        };
        let granted =
            self.with_state(|state, now| state.grant_by_wechat(appid, func_ids, now, &config))?;
        let pushed = self.push_event(&granted.event).await;
        let exchanged = self
            .wait_for(Duration::from_secs(5), || {
                self.read_state(|s| {
                    s.auth_codes
                        .iter()
                        .any(|c| c.value == granted.auth_code && c.exchanges > 0)
                })
            })
            .await;
        items.push(match (pushed.delivered, exchanged) {
            (true, true) => item("授权", true, ""),
            (false, _) => item(
                "授权",
                false,
                "the authorized push was not answered success",
            ),
            (true, false) => item(
                "授权",
                false,
                "the authorized push's code was not exchanged within 5 s",
            ),
        });

        let message = |kind: MessageKind| Message {
            to_user_name: user_name.to_owned(),
            from_user_name: TEST_FAN.to_owned(),
            create_time: self.clock().now(),
            kind,
        };
        let text = |content: String| MessageKind::Text {
            msg_id: Some(format!(
                "{}",
                6_598_446_755_053_214_075_u64 + u64::from(rand::random::<u16>())
            )),
            content,
        };
        if kind == AccountKind::OfficialAccount {
            let pushed = self
                .push_message(appid, &message(text("TESTCOMPONENT_MSG_TYPE_TEXT".into())))
                .await;
            items.push(passive(
                &pushed,
                "返回普通文本消息",
                "TESTCOMPONENT_MSG_TYPE_TEXT_callback",
            ));
        }

        let code = match config.messages.release_check_code {
            ReleaseCheckCode::SameAsAuthorized => granted.auth_code.clone(),
            ReleaseCheckCode::Fresh => {
                let func_ids = self.read_state(|s| {
                    s.authorizations
                        .get(appid)
                        .map(|a| a.func_ids.clone())
                        .unwrap_or_default()
                });
                self.with_state(|state, now| state.grant_by_wechat(appid, func_ids, now, &config))?
                    .auth_code
            }
        };
        let sent_before = self.custom_messages().len();
        let pushed = self
            .push_message(appid, &message(text(format!("QUERY_AUTH_CODE:{code}"))))
            .await;
        let expected = format!("{code}_from_api");
        let window = config.messages.release_check_api_window;
        let arrived = self
            .wait_for(window, || {
                self.custom_messages()[sent_before.min(self.custom_messages().len())..]
                    .iter()
                    .any(|m| {
                        m.authorizer_appid == appid
                            && m.touser == TEST_FAN
                            && m.content.as_deref() == Some(expected.as_str())
                    })
            })
            .await;
        items.push(match (pushed.answered && pushed.reply.is_none(), arrived) {
            (true, true) => item("返回Api文本消息", true, ""),
            (false, _) => item(
                "返回Api文本消息",
                false,
                format!(
                    "the message was not answered with an empty body or success: {:?}",
                    pushed.attempts.last()
                ),
            ),
            (true, false) => item(
                "返回Api文本消息",
                false,
                format!(
                    "no custom message {expected:?} to the user within {} s",
                    window.as_secs()
                ),
            ),
        });

        if kind == AccountKind::OfficialAccount {
            let event = MessageKind::Event {
                event: MessageEvent::Location {
                    latitude: "23.137466".into(),
                    longitude: "113.352425".into(),
                    precision: Some("119.385040".into()),
                },
            };
            let pushed = self.push_message(appid, &message(event)).await;
            items.push(passive(&pushed, "发送事件消息", "LOCATIONfrom_callback"));
        }

        let revoked = self.with_state(|state, now| state.revoke(appid, now));
        let passed = match revoked {
            Ok(event) => self.push_event(&event).await.delivered,
            Err(_) => false,
        };
        items.push(item(
            "取消授权",
            passed,
            if passed {
                ""
            } else {
                "the unauthorized push was not answered success"
            },
        ));
        Ok(items)
    }

    async fn wait_for(&self, within: Duration, check: impl Fn() -> bool) -> bool {
        let started = Instant::now();
        loop {
            if check() {
                return true;
            }
            if started.elapsed() >= within {
                return false;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

/// A passive-reply item: the reply must be valid text with `content`.
fn passive(pushed: &super::MessagePushRecord, name: &'static str, content: &str) -> CheckItem {
    match &pushed.reply {
        Some(reply) if reply.valid && reply.content.as_deref() == Some(content) => {
            item(name, true, "")
        }
        Some(reply) if reply.valid => item(
            name,
            false,
            format!(
                "the reply was {:?} {:?}, not the text {content:?}",
                reply.msg_type, reply.content
            ),
        ),
        Some(reply) => item(name, false, reply.why.clone().unwrap_or_default()),
        None if pushed.answered => item(
            name,
            false,
            format!("answered without a passive reply; the text {content:?} was expected"),
        ),
        None => item(name, false, "not answered within 5 s".to_owned()),
    }
}
