//! The soak's figures: the emulator's state and call log against the database.

use std::collections::{HashMap, HashSet};

use platform::vault::Vault;
use store::AuthorizerStatus;
use wechat_sim::calllog::CallRecord;

use crate::server::World;

#[derive(Debug, Default)]
pub struct Figures {
    pub accounts: usize,
    /// The stored refresh token is not the emulator's current one.
    pub lost_refresh_tokens: usize,
    /// Not active here although WeChat never revoked it.
    pub wrongly_inactive: usize,
    /// A refresh token presented again after its earlier refresh's answer was received.
    pub duplicate_refreshes: usize,
    /// The stored access token does not work at the emulator now.
    pub invalid_tokens: usize,
    /// Refreshes WeChat carried out (answered or not).
    pub refreshes: usize,
    /// Calls of every endpoint, and those a fault hit.
    pub calls: usize,
    pub faulted_calls: usize,
    /// Refresh tokens presented again after an answer lost to a kill or a fault.
    pub re_presented_after_lost_answer: usize,
}

impl Figures {
    /// What the settle phase waits for: the state is right (duplicates are history).
    pub fn converged(&self) -> bool {
        self.lost_refresh_tokens == 0 && self.wrongly_inactive == 0 && self.invalid_tokens == 0
    }

    pub fn all_zero(&self) -> bool {
        self.converged() && self.duplicate_refreshes == 0
    }

    pub fn table(
        &self,
        authorizers: usize,
        seconds: u64,
        kills: u32,
        seed: u64,
        servers: &str,
    ) -> String {
        format!(
            "\n## Fault soak\n\n{servers}, {authorizers} authorizers, tokens of 60 s, refresh tokens rotating on every \
             refresh, 30 % of calls failing (errcode -1, HTTP 502, hang past the 2 s timeout, answer lost \
             after the work, 300 ms latency), a server killed with SIGKILL every 0.5–3 s for {seconds} s \
             (seed {seed}).\n\n\
             | kills survived | refreshes at WeChat | calls (faulted) | re-presented after a lost answer | \
             refresh tokens lost | wrongly revoked / re-auth | duplicate refreshes | invalid tokens at the end |\n\
             |---|---|---|---|---|---|---|---|\n\
             | {kills} | {} | {} ({}) | {} | {} | {} | {} | {} |\n",
            self.refreshes,
            self.calls,
            self.faulted_calls,
            self.re_presented_after_lost_answer,
            self.lost_refresh_tokens,
            self.wrongly_inactive,
            self.duplicate_refreshes,
            self.invalid_tokens,
        )
    }
}

/// Compares the emulator with the database (the server may be running: reads only).
pub async fn audit(world: &World, calls: &[CallRecord]) -> anyhow::Result<Figures> {
    let store = world.store().await?;
    let rows = store.authorizers().for_company(world.company_id).await?;
    store.close().await;
    let vault = Vault::new(&world.master_key);
    let config = world.sim.config();
    let now = world.sim.clock().now();
    let mut figures = Figures {
        accounts: rows.len(),
        calls: calls.len(),
        faulted_calls: calls.iter().filter(|c| c.fault.is_some()).count(),
        ..Figures::default()
    };
    let mut stored_refresh: HashMap<String, String> = HashMap::new();
    for row in &rows {
        let appid = &row.authorizer_appid;
        let refresh = row
            .refresh_token_sealed
            .as_deref()
            .and_then(|sealed| {
                vault
                    .open(&format!("authorizer_refresh_token:{appid}"), sealed)
                    .ok()
            })
            .unwrap_or_default();
        let access = row
            .access_token_sealed
            .as_deref()
            .and_then(|sealed| {
                vault
                    .open(&format!("authorizer_access_token:{appid}"), sealed)
                    .ok()
            })
            .unwrap_or_default();
        let (current, valid) = world.sim.read_state(|state| {
            (
                state
                    .authorizations
                    .get(appid)
                    .map(|a| a.refresh_token.clone()),
                state.check_authorizer_token(&access, now, config).is_ok(),
            )
        });
        if current.as_deref() != Some(refresh.as_str()) {
            figures.lost_refresh_tokens += 1;
        }
        if row.status != AuthorizerStatus::Active {
            figures.wrongly_inactive += 1;
        }
        if !valid {
            figures.invalid_tokens += 1;
        }
        stored_refresh.insert(appid.clone(), refresh);
    }
    duplicates(calls, &stored_refresh, &mut figures);
    Ok(figures)
}

/// Counts refreshes carried out, and refresh tokens presented again after the
/// earlier refresh's answer was received (its new token was presented later or
/// is the one stored): the engine had the newer token and used an older one.
fn duplicates(calls: &[CallRecord], stored: &HashMap<String, String>, figures: &mut Figures) {
    let refreshes: Vec<(&str, &str, &str)> = calls
        .iter()
        .filter(|c| c.endpoint == "api_authorizer_token" && c.errcode == 0 && c.http_status != 0)
        .filter_map(|c| {
            Some((
                c.body["authorizer_appid"].as_str()?,
                c.body["authorizer_refresh_token"].as_str()?,
                c.response["authorizer_refresh_token"].as_str()?,
            ))
        })
        .collect();
    figures.refreshes = refreshes.len();
    let presented: HashSet<&str> = calls
        .iter()
        .filter(|c| c.endpoint == "api_authorizer_token")
        .filter_map(|c| c.body["authorizer_refresh_token"].as_str())
        .collect();
    let mut seen: HashMap<(&str, &str), bool> = HashMap::new();
    for (appid, sent, returned) in refreshes {
        let received =
            presented.contains(returned) || stored.get(appid).is_some_and(|s| s == returned);
        match seen.get(&(appid, sent)) {
            Some(true) => figures.duplicate_refreshes += 1,
            Some(false) => figures.re_presented_after_lost_answer += 1,
            None => {}
        }
        let entry = seen.entry((appid, sent)).or_insert(false);
        *entry |= received;
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use serde_json::json;
    use wechat_sim::calllog::CallRecord;

    use super::{Figures, duplicates};

    /// A successful refresh of `appid` presenting `sent` and answered with `returned`.
    fn refresh(appid: &str, sent: &str, returned: &str) -> CallRecord {
        CallRecord {
            seq: 0,
            at: 0,
            endpoint: "api_authorizer_token".into(),
            query: Default::default(),
            body: json!({ "authorizer_appid": appid, "authorizer_refresh_token": sent }),
            http_status: 200,
            errcode: 0,
            response: json!({ "authorizer_refresh_token": returned }),
            fault: None,
        }
    }

    fn figures(calls: &[CallRecord], stored: &[(&str, &str)]) -> Figures {
        let stored: HashMap<String, String> = stored
            .iter()
            .map(|(a, t)| ((*a).to_owned(), (*t).to_owned()))
            .collect();
        let mut figures = Figures::default();
        duplicates(calls, &stored, &mut figures);
        figures
    }

    #[test]
    fn a_chain_of_refreshes_has_no_duplicate() {
        let calls = [refresh("a", "t0", "t1"), refresh("a", "t1", "t2")];
        let f = figures(&calls, &[("a", "t2")]);
        assert_eq!(
            (
                f.refreshes,
                f.duplicate_refreshes,
                f.re_presented_after_lost_answer
            ),
            (2, 0, 0)
        );
    }

    #[test]
    fn an_old_token_presented_after_its_answer_was_used_is_a_duplicate() {
        // t1 was received (presented later), yet t0 was presented again.
        let calls = [
            refresh("a", "t0", "t1"),
            refresh("a", "t1", "t2"),
            refresh("a", "t0", "t3"),
        ];
        assert_eq!(figures(&calls, &[("a", "t3")]).duplicate_refreshes, 1);
        // Received because it is the one stored at the end.
        let calls = [refresh("a", "t0", "t1"), refresh("a", "t0", "t2")];
        assert_eq!(figures(&calls, &[("a", "t1")]).duplicate_refreshes, 1);
    }

    #[test]
    fn an_old_token_presented_after_a_lost_answer_is_not_a_duplicate() {
        // t1 never reached the engine (a kill or a lost answer): presenting t0 again is right.
        let calls = [refresh("a", "t0", "t1"), refresh("a", "t0", "t2")];
        let f = figures(&calls, &[("a", "t2")]);
        assert_eq!(
            (f.duplicate_refreshes, f.re_presented_after_lost_answer),
            (0, 1)
        );
        // Another account's tokens do not count.
        let calls = [
            refresh("a", "t0", "t1"),
            refresh("b", "t0", "t2"),
            refresh("a", "t1", "t3"),
        ];
        assert_eq!(
            figures(&calls, &[("a", "t3"), ("b", "t2")]).duplicate_refreshes,
            0
        );
    }
}
