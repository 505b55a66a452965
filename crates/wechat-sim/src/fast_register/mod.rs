//! Fast registration (快速注册企业小程序, details §7): the tasks
//! `fastregisterweapp?action=create` starts, `action=search`, and the legal
//! representative's answer (played through the control API), which creates
//! the mini program, authorizes the platform, and pushes
//! `notify_third_fasteregister`.
//!
//! Our reading where the doc is silent, each visible in the tests: a
//! WeChat id must look like one (6–20 letters, digits, `_` or `-`, starting
//! with a letter) or create answers 86004; search answers 89251 while the
//! legal representative has not answered, 0 once the task ended, 89250 when
//! there is none; WeChat sends no separate `authorized` push for the new
//! mini program (the result push carries the auth code).

mod push;

use serde::{Deserialize, Serialize};
use wechat::fast_register::{CodeType, CreateRequest, SearchRequest};

use crate::SimConfig;
use crate::accounts::{Account, AccountKind, NewAccount, default_permission_sets};
use crate::push::Event;
use crate::state::{State, WxError};
use crate::tokens;

pub use push::RegistrationInfo;
pub(crate) use push::write as write_push;

/// How long the legal representative has to confirm.
pub const CONFIRM_WINDOW_SECS: i64 = 86_400;

/// One create call WeChat accepted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Task {
    pub taskid: String,
    pub request: CreateRequest,
    pub created_at: i64,
    pub state: TaskState,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum TaskState {
    /// The legal representative has not answered yet.
    Waiting,
    Registered {
        appid: String,
    },
    Failed {
        status: i64,
    },
}

/// What the legal representative does (control API).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// Confirms and passes the face check: the mini program is created.
    Confirm,
    /// Fails with a status (e.g. 103 name mismatch, 1001 quota) and a message.
    Reject { status: i64, msg: Option<String> },
    /// Lets the 24 hours pass (the clock must be past them): status 100003.
    Timeout,
}

impl State {
    /// `fastregisterweapp?action=create`.
    pub fn fast_register_create(
        &mut self,
        request: CreateRequest,
        now: i64,
    ) -> Result<(), WxError> {
        let filled = |s: &str| !s.trim().is_empty();
        if ![
            &request.name,
            &request.code,
            &request.legal_persona_wechat,
            &request.legal_persona_name,
        ]
        .into_iter()
        .all(|s| filled(s))
        {
            return Err(WxError::from_code(89253));
        }
        let code_type = CodeType::from_code(request.code_type).ok_or(WxError::from_code(89248))?;
        let code = code_type
            .normalize(&request.code)
            .map_err(|_| WxError::from_code(89255))?;
        if !looks_like_wechat_id(&request.legal_persona_wechat) {
            return Err(WxError::from_code(86004));
        }
        if self.fast_registrations.iter().any(|t| {
            t.state == TaskState::Waiting
                && t.request.code == code
                && now < t.created_at + CONFIRM_WINDOW_SECS
        }) {
            return Err(WxError::from_code(89249));
        }
        self.fast_registrations.push(Task {
            taskid: tokens::alnum(24),
            request: CreateRequest { code, ..request },
            created_at: now,
            state: TaskState::Waiting,
        });
        Ok(())
    }

    /// `fastregisterweapp?action=search`: `Ok` (errcode 0) once the newest
    /// matching task ended, 89251 while it waits, 89250 without one.
    pub fn fast_register_search(&self, request: &SearchRequest) -> Result<(), WxError> {
        let task = self.fast_registrations.iter().rev().find(|t| {
            t.request.name == request.name
                && t.request.legal_persona_wechat == request.legal_persona_wechat
                && t.request.legal_persona_name == request.legal_persona_name
        });
        match task.map(|t| &t.state) {
            None => Err(WxError::from_code(89250)),
            Some(TaskState::Waiting) => Err(WxError::from_code(89251)),
            Some(_) => Ok(()),
        }
    }

    /// The newest waiting task (of the enterprise `name`, when given).
    pub fn waiting_fast_registration(&self, name: Option<&str>) -> Option<&Task> {
        self.fast_registrations
            .iter()
            .rev()
            .find(|t| t.state == TaskState::Waiting && name.is_none_or(|n| t.request.name == n))
    }

    /// The legal representative answers the newest waiting task (of `name`):
    /// the task ends, and the push to send is returned.
    pub fn fast_register_answer(
        &mut self,
        name: Option<&str>,
        answer: Answer,
        now: i64,
        config: &SimConfig,
    ) -> Result<Event, String> {
        let taskid = self
            .waiting_fast_registration(name)
            .map(|t| t.taskid.clone())
            .ok_or("no waiting fast registration task")?;
        let index = self
            .fast_registrations
            .iter()
            .position(|t| t.taskid == taskid)
            .ok_or("no such task")?;
        let task = self.fast_registrations[index].clone();
        let (state, appid, auth_code, status, msg) = match answer {
            Answer::Confirm => {
                let account = Account::create(NewAccount {
                    kind: Some(AccountKind::MiniProgram),
                    nick_name: String::new(),
                    principal_name: Some(task.request.name.clone()),
                    // Since 2023-12-25 a new account starts unverified (D-fast).
                    verify_type: Some(-1),
                    ..NewAccount::default()
                });
                let appid = account.appid.clone();
                self.add_accounts([account]);
                let granted = self.grant_by_wechat(
                    &appid,
                    default_permission_sets(AccountKind::MiniProgram).to_vec(),
                    now,
                    config,
                )?;
                (
                    TaskState::Registered {
                        appid: appid.clone(),
                    },
                    Some(appid),
                    Some(granted.auth_code),
                    0,
                    "OK".to_owned(),
                )
            }
            Answer::Reject { status, msg } => {
                if status == 0 {
                    return Err("a rejection needs a non-zero status".into());
                }
                let msg = msg.unwrap_or_else(|| "open verity failed".to_owned());
                (TaskState::Failed { status }, None, None, status, msg)
            }
            Answer::Timeout => {
                if now < task.created_at + CONFIRM_WINDOW_SECS {
                    return Err("the 24 hours have not passed on the emulator's clock".into());
                }
                let status = 100_003;
                let msg = "legal person did not confirm in 24 hours".to_owned();
                (TaskState::Failed { status }, None, None, status, msg)
            }
        };
        self.fast_registrations[index].state = state;
        Ok(Event::FastRegister {
            appid,
            status,
            auth_code,
            msg,
            info: RegistrationInfo::of(&task),
            style: config.behaviour.fast_register_push,
        })
    }
}

/// WeChat ids: 6–20 characters, a letter first, then letters, digits, `_` or `-`.
fn looks_like_wechat_id(id: &str) -> bool {
    let id = id.trim();
    (6..=20).contains(&id.len())
        && id.starts_with(|c: char| c.is_ascii_alphabetic())
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

#[cfg(test)]
mod tests;
