//! The dashboard at scale: companies and their accounts (10,000 and 100,000
//! by default, a few in each state) and an `authorized` push per account are
//! seeded into the running server's database through the `store` API, then
//! the pages an operator opens most are rendered by the release server under
//! a signed-in session: the overview, the companies list (first page and a
//! search), a company's page, the accounts list and the events list.
//! Target: p95 < 50 ms each (server render, release build).

use std::fmt::Write as _;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context as _;

use crate::load::{self, Plan, Stats};
use crate::server::Running;

/// How much to seed.
#[derive(Debug, Clone, Copy)]
pub struct Scale {
    pub companies: usize,
    pub accounts_per_company: usize,
}

/// What was seeded, for the pages' parameters.
pub struct Seeded {
    company_ids: Vec<i64>,
    accounts: usize,
    seconds: f64,
}

/// One page's figures.
pub struct PageRun {
    name: &'static str,
    stats: Stats,
}

pub async fn seed(running: &Running, scale: Scale) -> anyhow::Result<Seeded> {
    let started = Instant::now();
    let store = running.store().await?;
    let vault = running.vault()?;
    let now = time::OffsetDateTime::now_utc();
    let unix = now.unix_timestamp();
    let mut company_ids = Vec::with_capacity(scale.companies);
    let mut accounts = 0;
    for c in 0..scale.companies {
        let name = format!("压测公司{c:05}");
        let company = store
            .companies()
            .insert(store::NewCompany {
                name: &name,
                created_at: now,
            })
            .await?;
        company_ids.push(company.id);
        for a in 0..scale.accounts_per_company {
            let appid = format!("wxd{c:07}{a:06}");
            // Far from expiry: the sandbox scheduler leaves them alone.
            let access = vault.seal(&format!("authorizer_access_token:{appid}"), "bench");
            let refresh = vault.seal(&format!("authorizer_refresh_token:{appid}"), "bench");
            store
                .authorizers()
                .save_authorization(store::AuthorizationWrite {
                    authorizer_appid: &appid,
                    company_id: company.id,
                    func_info_json: "[1,15]",
                    refresh_token_sealed: &refresh,
                    access_token_sealed: &access,
                    access_token_expires_at: unix + 30 * 86_400,
                    code_hash: &format!("dash-{appid}"),
                    invite_id: None,
                    now: unix,
                })
                .await?;
            match accounts % 40 {
                0 => {
                    store
                        .authorizer_refresh()
                        .mark_needs_reauthorization(&appid, "errcode 61023", unix)
                        .await?;
                }
                1 => {
                    store
                        .authorizers()
                        .mark_revoked(&appid, unix, store::HistoryKind::Unauthorized)
                        .await?;
                }
                _ => {}
            }
            accounts += 1;
        }
        if c % 1000 == 999 {
            eprintln!("  {} companies, {accounts} accounts", c + 1);
        }
    }
    seed_pushes(&store, &vault, &company_ids, scale, unix).await?;
    store.close().await;
    Ok(Seeded {
        company_ids,
        accounts,
        seconds: started.elapsed().as_secs_f64(),
    })
}

/// An `authorized` push per account, through the group-commit writer.
async fn seed_pushes(
    store: &store::Store,
    vault: &platform::vault::Vault,
    company_ids: &[i64],
    scale: Scale,
    unix: i64,
) -> anyhow::Result<()> {
    let mut pending = Vec::new();
    for c in 0..company_ids.len() {
        for a in 0..scale.accounts_per_company {
            let appid = format!("wxd{c:07}{a:06}");
            let xml = format!(
                "<xml><AppId>bench</AppId><CreateTime>{unix}</CreateTime><InfoType>authorized</InfoType>\
                 <AuthorizerAppid>{appid}</AuthorizerAppid></xml>"
            );
            let record = store::PushRecord {
                dedup_key: format!("dash-{appid}"),
                info_type: "authorized".into(),
                authorizer_appid: Some(appid),
                create_time: Some(unix),
                received_at: unix - (c as i64),
                payload_sealed: vault.seal("push_event", &xml),
                ticket: None,
            };
            let writer = store.push_writer().clone();
            pending.push(tokio::spawn(async move { writer.record(record).await }));
            if pending.len() == 512 {
                for task in pending.drain(..) {
                    task.await??;
                }
            }
        }
    }
    for task in pending {
        task.await??;
    }
    Ok(())
}

/// Signs in as the sandbox's demo admin; returns the session cookie.
async fn session_cookie(address: SocketAddr, password: &str) -> anyhow::Result<String> {
    let base = format!("http://{address}");
    let response = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()?
        .post(format!("{base}/login"))
        .header("origin", &base)
        .form(&[("login", "demo"), ("password", password)])
        .send()
        .await?;
    anyhow::ensure!(response.status().as_u16() == 303, "sign-in failed");
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| {
            v.split(';')
                .next()
                .filter(|c| c.starts_with("weiqiao_session="))
        })
        .map(str::to_owned)
        .context("no session cookie")
}

pub async fn measure(running: &Running, seeded: &Seeded) -> anyhow::Result<Vec<PageRun>> {
    let cookie = session_cookie(running.address, running.admin_password()).await?;
    let get = |path: &str| {
        format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/html\r\nCookie: {cookie}\r\n\r\n")
            .into_bytes()
    };
    // A spread of companies, so no one row stays hot in a cache.
    let step = (seeded.company_ids.len() / 200).max(1);
    let company_pages: Vec<Vec<u8>> = seeded
        .company_ids
        .iter()
        .step_by(step)
        .map(|id| get(&format!("/companies/{id}")))
        .collect();
    let searches: Vec<Vec<u8>> = (0..50)
        .map(|i| {
            get(&format!(
                "/companies?q=%E5%8E%8B%E6%B5%8B%E5%85%AC%E5%8F%B8{:02}",
                i * 2
            ))
        })
        .collect();
    let plans: [(&'static str, Vec<Vec<u8>>); 6] = [
        ("overview `/`", vec![get("/")]),
        ("companies list `/companies`", vec![get("/companies")]),
        ("companies search `/companies?q=…`", searches),
        ("a company `/companies/{id}`", company_pages),
        ("accounts list `/accounts`", vec![get("/accounts")]),
        ("events list `/events`", vec![get("/events")]),
    ];
    let mut runs = Vec::new();
    for (name, requests) in plans {
        let requests = Arc::new(requests);
        // Warm-up, not reported.
        load::run(
            running.address,
            Plan {
                requests: requests.clone(),
                total: 20,
                connections: 2,
                deadline: Duration::from_secs(30),
            },
        )
        .await?;
        eprintln!("  {name}…");
        let stats = load::run(
            running.address,
            Plan {
                requests,
                total: 400,
                connections: 2,
                deadline: Duration::from_secs(30),
            },
        )
        .await?;
        anyhow::ensure!(
            stats.failed == 0,
            "{name}: {} requests failed",
            stats.failed
        );
        runs.push(PageRun { name, stats });
    }
    Ok(runs)
}

pub fn report(scale: Scale, seeded: &Seeded, runs: &[PageRun]) -> anyhow::Result<String> {
    let mut out = String::new();
    writeln!(out, "\n## Dashboard at scale\n")?;
    writeln!(
        out,
        "{} companies with {} accounts each ({} accounts: 1 in 40 needing re-authorization, 1 in 40 revoked) \
         and an `authorized` push per account, on top of the push-ingestion run's tickets; seeded through \
         the `store` API in {:.0} s. Server-rendered pages (release build) under a signed-in session, \
         2 connections, closed loop.\n",
        scale.companies, scale.accounts_per_company, seeded.accounts, seeded.seconds
    )?;
    writeln!(
        out,
        "| page | requests | per second | p50 | p95 | p99 | target |"
    )?;
    writeln!(out, "|---|---|---|---|---|---|---|")?;
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    for run in runs {
        let p95 = ms(run.stats.percentile(0.95));
        writeln!(
            out,
            "| {} | {} | {:.0} | {:.1} ms | {:.1} ms | {:.1} ms | p95 < 50 ms {} |",
            run.name,
            run.stats.ok,
            run.stats.per_second(),
            ms(run.stats.percentile(0.50)),
            p95,
            ms(run.stats.percentile(0.99)),
            if p95 < 50.0 { "✔" } else { "✘" }
        )?;
    }
    Ok(out)
}
