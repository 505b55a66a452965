//! The authorization pages: `/cgi-bin/componentloginpage` (PC) and
//! `/wxaopen/safe/bindcomponent` (phone; also the older `/safe/bindcomponent`).
//!
//! WeChat shows a QR code that the admin scans and confirms in the app; here a
//! plain HTML form stands in for that: pick an account (or create one), tick
//! permission sets, confirm or cancel. It enforces what WeChat enforces: the
//! Referer and `redirect_uri` domain rule and a live pre_auth_code.
//!
//! Cancel shows a "已取消授权" page with a link back to the entry page. (A real
//! WeChat just closes the scan on the phone and sends nothing back; a page with a
//! link is more useful to a tester and changes nothing the platform sees.) The
//! link goes back in the browser's history: platforms that send only their
//! origin as Referer (as they should) leave no entry page to link to.

mod render;

use std::collections::BTreeMap;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use url::Url;

use crate::Simulator;
use crate::accounts::{Account, AccountKind, NewAccount, default_permission_sets};
use crate::state::component::PreAuthProblem;

pub(crate) fn routes() -> Router<Simulator> {
    Router::new()
        .route("/cgi-bin/componentloginpage", get(login_page))
        .route("/wxaopen/safe/bindcomponent", get(login_page))
        .route("/safe/bindcomponent", get(login_page))
        .route("/cgi-bin/componentloginpage/confirm", post(confirm))
        .route("/cgi-bin/componentloginpage/cancel", post(cancel))
}

/// WeChat's sentence for the domain rule (D-prep), followed by the entry domain or 空.
const DOMAIN_ERROR: &str = "请确认授权入口页所在域名，与授权后回调页所在域名相同，并且，此两者都必须与申请第三方平台时填写的授权发起页域名相同。授权入口页所在域名：";

/// The link's parameters, from the query string (GET) or the hidden fields (POST).
type Params = BTreeMap<String, String>;

fn param<'a>(params: &'a Params, name: &str) -> Option<&'a str> {
    params
        .get(name)
        .map(String::as_str)
        .filter(|v| !v.is_empty())
}

async fn login_page(
    State(sim): State<Simulator>,
    headers: HeaderMap,
    Query(params): Query<Params>,
) -> Response {
    let referer = headers.get(header::REFERER).and_then(|v| v.to_str().ok());
    let mut params = params;
    if let Some(referer) = referer {
        params.insert("entry".to_owned(), referer.to_owned());
    }
    match check_link(&sim, &params) {
        Err(page) => html(page),
        Ok(redirect_uri) => {
            if let Err(entry) = check_domain(&sim, referer, &redirect_uri) {
                let text = format!("{DOMAIN_ERROR}{entry}");
                return html(render::message("授权入口页所在域名错误", &text, None));
            }
            form_page(&sim, &params, None)
        }
    }
}

/// The link must name this platform, carry a live pre_auth_code and a parseable redirect_uri.
/// `Err` is the error page to show.
fn check_link(sim: &Simulator, params: &Params) -> Result<Url, String> {
    let config = sim.config();
    if param(params, "component_appid") != Some(config.component_appid.as_str()) {
        return Err(render::message(
            "参数错误",
            "component_appid 无效：该第三方平台不存在。",
            None,
        ));
    }
    let Some(redirect_uri) = param(params, "redirect_uri").and_then(|u| Url::parse(u).ok()) else {
        return Err(render::message(
            "参数错误",
            "redirect_uri 缺失或无效。",
            None,
        ));
    };
    let pre_auth_code = param(params, "pre_auth_code").unwrap_or_default();
    let now = sim.clock().now();
    // WeChat's exact wording for a stale link is not documented (unsure); this names the cause.
    let problem = sim.read_state(|s| s.check_pre_auth_code(pre_auth_code, now).err());
    let text = match problem {
        None => return Ok(redirect_uri),
        Some(PreAuthProblem::Unknown) => {
            "授权链接无效：pre_auth_code 不存在。请返回第三方平台重新发起授权。"
        }
        Some(PreAuthProblem::Expired) => {
            "授权链接已过期：pre_auth_code 已失效。请返回第三方平台重新发起授权。"
        }
        Some(PreAuthProblem::Used) => {
            "授权链接已失效：pre_auth_code 已被使用。请返回第三方平台重新发起授权。"
        }
    };
    Err(render::message("授权链接已失效", text, None))
}

/// The Referer's host must equal the redirect_uri's host and the configured domain
/// (host only: whether ports or subdomains are tolerated is unknown, §13.12).
/// `Err` carries the entry domain as the error page shows it.
fn check_domain(sim: &Simulator, referer: Option<&str>, redirect_uri: &Url) -> Result<(), String> {
    let config = sim.config();
    if !config.enforce_referer {
        return Ok(());
    }
    let entry = referer
        .and_then(|r| Url::parse(r).ok())
        .and_then(|u| u.host_str().map(str::to_owned));
    let Some(entry) = entry else {
        return Err("空".to_owned());
    };
    let redirect_host = redirect_uri.host_str().unwrap_or_default();
    let ok = match &config.auth_page_domain {
        Some(domain) => entry == *domain && redirect_host == domain,
        None => entry == redirect_host,
    };
    if ok { Ok(()) } else { Err(entry) }
}

/// Which accounts the link allows: `biz_appid` wins over `auth_type` (1 official
/// accounts, 2 mini programs, 3/6/absent both; other kinds are not emulated).
struct Filter {
    kinds: Vec<AccountKind>,
    biz_appid: Option<String>,
}

impl Filter {
    fn from(params: &Params) -> Filter {
        let kinds = match param(params, "auth_type") {
            Some("1") => vec![AccountKind::OfficialAccount],
            Some("2") => vec![AccountKind::MiniProgram],
            None | Some("3") | Some("6") => {
                vec![AccountKind::OfficialAccount, AccountKind::MiniProgram]
            }
            Some(_) => Vec::new(),
        };
        Filter {
            kinds,
            biz_appid: param(params, "biz_appid").map(str::to_owned),
        }
    }

    fn allows(&self, account: &Account) -> bool {
        match &self.biz_appid {
            Some(appid) => account.appid == *appid,
            None => self.kinds.contains(&account.kind),
        }
    }

    /// Kinds of account the tester may create here (none when one account is named).
    fn creatable(&self) -> Vec<AccountKind> {
        if self.biz_appid.is_some() {
            Vec::new()
        } else {
            self.kinds.clone()
        }
    }
}

/// Permission sets offered: `category_id_list` (`|`-separated) or all default sets.
fn offered_sets(params: &Params) -> Vec<u32> {
    match param(params, "category_id_list") {
        Some(list) => list
            .split('|')
            .filter_map(|id| id.trim().parse().ok())
            .collect(),
        None => {
            let mut ids = default_permission_sets(AccountKind::OfficialAccount).to_vec();
            ids.extend_from_slice(default_permission_sets(AccountKind::MiniProgram));
            ids
        }
    }
}

const CARRIED: [&str; 7] = [
    "component_appid",
    "pre_auth_code",
    "redirect_uri",
    "auth_type",
    "biz_appid",
    "category_id_list",
    "entry",
];

fn form_page(sim: &Simulator, params: &Params, error: Option<&str>) -> Response {
    let filter = Filter::from(params);
    let page = sim.read_state(|state| {
        let view = render::FormView {
            component_name: &sim.config().component_name,
            accounts: state
                .accounts
                .values()
                .filter(|a| filter.allows(a))
                .collect(),
            kinds: filter.creatable(),
            func_ids: offered_sets(params),
            hidden: CARRIED
                .iter()
                .filter_map(|k| params.get(*k).map(|v| (*k, v.clone())))
                .collect(),
            error,
        };
        render::form(&view)
    });
    html(page)
}

fn form_params(body: &Bytes) -> (Params, Vec<u32>) {
    let pairs: Vec<(String, String)> = url::form_urlencoded::parse(body).into_owned().collect();
    let funcs = pairs
        .iter()
        .filter(|(k, _)| k == "func")
        .filter_map(|(_, v)| v.parse().ok())
        .collect();
    let params = pairs.iter().filter(|(k, _)| k != "func").cloned().collect();
    (params, funcs)
}

async fn confirm(State(sim): State<Simulator>, body: Bytes) -> Response {
    let (params, funcs) = form_params(&body);
    let redirect_uri = match check_link(&sim, &params) {
        Ok(u) => u,
        Err(page) => return html(page),
    };
    let filter = Filter::from(&params);
    let account = match choose_account(&sim, &params, &filter) {
        Ok(a) => a,
        Err(msg) => return form_page(&sim, &params, Some(msg)),
    };
    // Only the sets that fit the account's kind are granted (unknown ids pass through).
    let granted: Vec<u32> = funcs
        .into_iter()
        .filter(|id| crate::accounts::permission_set_kind(*id).is_none_or(|k| k == account.kind))
        .collect();
    if granted.is_empty() {
        return form_page(&sim, &params, Some("请至少选择一个该帐号类型的权限集。"));
    }
    let config = sim.config().clone();
    let pre_auth_code = param(&params, "pre_auth_code")
        .unwrap_or_default()
        .to_owned();
    let outcome = sim.with_state(|state, now| {
        state.add_accounts([account.clone()]);
        state.authorize(&pre_auth_code, &account.appid, granted, now, &config)
    });
    let outcome = match outcome {
        Ok(o) => o,
        Err(_) => {
            return html(render::message(
                "授权失败",
                "授权链接已失效，请返回第三方平台重新发起授权。",
                None,
            ));
        }
    };
    sim.dispatch_event(outcome.event.clone()).await;
    let mut target = redirect_uri;
    target
        .query_pairs_mut()
        .append_pair("auth_code", &outcome.auth_code)
        .append_pair("expires_in", &outcome.expires_in.to_string());
    (StatusCode::FOUND, [(header::LOCATION, target.to_string())]).into_response()
}

/// The chosen existing account, or a new one the tester described.
fn choose_account(
    sim: &Simulator,
    params: &Params,
    filter: &Filter,
) -> Result<Account, &'static str> {
    match param(params, "authorizer_appid") {
        None => Err("请选择要授权的帐号。"),
        Some("__new__") => {
            let kind = match param(params, "new_kind") {
                Some("mini_program") => AccountKind::MiniProgram,
                _ => AccountKind::OfficialAccount,
            };
            if !filter.creatable().contains(&kind) {
                return Err("该授权链接不允许此类帐号。");
            }
            Ok(Account::create(NewAccount {
                kind: Some(kind),
                nick_name: param(params, "new_nick_name")
                    .unwrap_or_default()
                    .to_owned(),
                ..NewAccount::default()
            }))
        }
        Some(appid) => sim
            .read_state(|s| s.accounts.get(appid).cloned())
            .filter(|a| filter.allows(a))
            .ok_or("该帐号不可授权给此第三方平台。"),
    }
}

async fn cancel(body: Bytes) -> Response {
    let (params, _) = form_params(&body);
    // Only http(s) entry pages become links: the Referer is caller-controlled.
    // An origin alone (a platform with a `strict-origin` policy) names no page.
    let link = param(&params, "entry")
        .filter(|e| {
            Url::parse(e).is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.path() != "/")
        })
        .map(|entry| (entry, "返回授权入口页"));
    let mut page = render::message(
        "已取消授权",
        "你已取消本次授权，第三方平台不会获得帐号的权限。",
        link,
    );
    if link.is_none() {
        // Back past this page and WeChat's: to the page that sent the browser here.
        page = page.replace(
            "</main>",
            "<p><button type=\"button\" onclick=\"history.go(-2)\">返回上一页</button></p></main>",
        );
    }
    html(page)
}

fn html(page: String) -> Response {
    Html(page).into_response()
}

#[cfg(test)]
mod tests;
