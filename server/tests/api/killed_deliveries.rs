//! A server process killed with SIGKILL while it delivers: every message it
//! had answered WeChat for reaches the endpoint after a restart, each user's
//! in order. The real `server` binary in production mode, a real kill.

use std::collections::HashMap;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use wechat::crypto::MessageCrypto;
use wechat::message::{Message, MessageKind};

use crate::message_gateway::Sink;
use crate::production::production_vars;

struct Server {
    vars: Vec<(String, String)>,
    address: String,
    dir: std::path::PathBuf,
}

impl Server {
    async fn spawn(&self) -> Child {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.dir.join("server.log"))
            .unwrap();
        let mut command = Command::new(env!("CARGO_BIN_EXE_server"));
        command
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .current_dir(&self.dir)
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log);
        for (k, v) in &self.vars {
            command.env(k, v);
        }
        let mut child = command.spawn().unwrap();
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(30) {
            if reqwest::get(format!("{}/healthz", self.address))
                .await
                .is_ok_and(|r| r.status().is_success())
            {
                return child;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let _ = child.kill();
        let _ = child.wait();
        panic!(
            "the server did not start; see {}",
            self.dir.join("server.log").display()
        );
    }
}

#[tokio::test]
async fn a_server_killed_while_delivering_loses_no_message_and_keeps_each_user_s_order() {
    let dir = tempfile::tempdir().unwrap();
    let credentials = server::sandbox::load_or_create(&dir.path().join("credentials")).unwrap();
    // WeChat's API (no call matters here, but the server may ask for a ticket).
    let sim = wechat_sim::Simulator::new(wechat_sim::SimConfig::new(
        credentials.component_appid.clone(),
        &credentials.component_appsecret,
        &credentials.token,
        &credentials.encoding_aes_key,
    ))
    .unwrap();
    let sim_listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let sim_url = format!("http://{}", sim_listener.local_addr().unwrap());
    tokio::spawn(sim.serve(sim_listener));
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let database_url = store::testing::database_url(dir.path()).await;
    let vars: Vec<(String, String)> = production_vars(&credentials, &database_url, &sim_url)
        .into_iter()
        .chain(
            [
                ("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}")),
                ("WEIQIAO_DELIVERY_LEASE_SECS", "15".into()),
                ("RUST_LOG", "warn".into()),
            ]
            .map(|(k, v)| (k.to_owned(), v)),
        )
        .collect();
    let server = Server {
        vars: vars.clone(),
        address: format!("http://127.0.0.1:{port}"),
        dir: dir.path().to_owned(),
    };
    let mut child = server.spawn().await;

    // An authorized account and an endpoint, as the dashboard and the CLI make them.
    let store = store::Store::connect(&database_url).await.unwrap();
    let company = store::testing::company(&store, "断电公司").await;
    let appid = "wxkilledwhile0001";
    let now = i64::try_from(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs(),
    )
    .unwrap();
    store
        .authorizers()
        .save_authorization(store::AuthorizationWrite {
            authorizer_appid: appid,
            company_id: company,
            func_info_json: "[1]",
            refresh_token_sealed: b"sealed",
            access_token_sealed: b"sealed",
            access_token_expires_at: now + 7200,
            code_hash: "killed-code",
            invite_id: None,
            now,
        })
        .await
        .unwrap();
    let sink = Sink::start().await;
    sink.set(200, "", 150);
    let config = server::config::Config::from_vars(
        &vars.iter().cloned().collect::<HashMap<_, _>>(),
        &dir.path().join("data"),
    )
    .unwrap();
    let created = server::cli::webhook_with(
        config,
        server::cli::WebhookCommand::Create {
            url: sink.url.clone(),
            company: None,
            msg_types: vec![],
            events: vec![],
            appids: vec![],
            synchronous: false,
            budget_ms: None,
        },
    )
    .await;
    assert_eq!(created, std::process::ExitCode::SUCCESS);
    // A running instance rereads the endpoints every 5 s.
    tokio::time::sleep(Duration::from_secs(6)).await;

    // 40 messages from 4 users, each answered `success` (so recorded).
    let crypto = MessageCrypto::new(
        &credentials.token,
        &credentials.encoding_aes_key,
        &credentials.component_appid,
    )
    .unwrap();
    let http = reqwest::Client::new();
    for n in 0..40u64 {
        let user = format!("o_user_{}", n % 4);
        let xml = Message {
            to_user_name: "gh_killed".into(),
            from_user_name: user.clone(),
            create_time: 1_700_000_000 + i64::try_from(n).unwrap(),
            kind: MessageKind::Text {
                msg_id: Some((1000 + n).to_string()),
                content: format!("第{n}条"),
            },
        }
        .to_xml();
        let push = crypto
            .build_push(&xml, "1700000000", &n.to_string())
            .unwrap();
        let query = serde_urlencoded::to_string(&push.query).unwrap();
        let answer = http
            .post(format!(
                "{}/wechat/authorizers/{appid}/events?{query}&openid={user}",
                server.address
            ))
            .body(push.body)
            .send()
            .await
            .unwrap();
        assert_eq!(answer.text().await.unwrap(), "success");
    }
    // Killed mid-way: some delivered, the rest queued or in flight.
    let started = Instant::now();
    while sink.received.lock().unwrap().len() < 3 {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "no delivery began"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let at_kill = sink.received.lock().unwrap().len();
    assert!(
        at_kill < 40,
        "the deliveries were over before the kill ({at_kill})"
    );

    let mut child = server.spawn().await;
    let distinct = || {
        let mut seen: Vec<String> = Vec::new();
        for body in sink.bodies() {
            let id = body["event_id"].as_str().unwrap().to_owned();
            if !seen.contains(&id) {
                seen.push(id);
            }
        }
        seen
    };
    let started = Instant::now();
    while distinct().len() < 40 {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "{} of 40 messages delivered a minute after the restart",
            distinct().len()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    child.kill().unwrap();
    child.wait().unwrap();
    // Each user's messages reached the endpoint in the order they were sent.
    let mut firsts: HashMap<String, Vec<String>> = HashMap::new();
    let mut seen = std::collections::HashSet::new();
    for body in sink.bodies() {
        let id = body["event_id"].as_str().unwrap().to_owned();
        if seen.insert(id) {
            let user = body["message"]["from_user_name"]
                .as_str()
                .unwrap()
                .to_owned();
            firsts
                .entry(user)
                .or_default()
                .push(body["message"]["msg_id"].as_str().unwrap().to_owned());
        }
    }
    for (user, ids) in firsts {
        let numbers: Vec<u64> = ids.iter().map(|id| id.parse().unwrap()).collect();
        let mut sorted = numbers.clone();
        sorted.sort_unstable();
        assert_eq!(numbers, sorted, "{user}'s messages out of order");
    }
}
