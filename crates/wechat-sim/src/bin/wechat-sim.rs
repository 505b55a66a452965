//! `wechat-sim`: run the WeChat emulator standalone.
//!
//! One listener serves the component API, both authorization pages and the
//! control API, so pointing a platform's API base, MP base and open base at it
//! is enough. See the crate README for the control API.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context as _;
use clap::Parser;
use wechat_sim::{SimConfig, Simulator};

/// WeChat emulator for third-party platforms (第三方平台): the component API,
/// the authorization pages and a control API on one listener.
///
/// Point your platform at it by setting its WeChat API base
/// (api.weixin.qq.com), MP base (mp.weixin.qq.com) and open base
/// (open.weixin.qq.com) to http://<listen address>, e.g. for Weiqiao:
/// WECHAT_API_BASE=WECHAT_MP_BASE=WECHAT_OPEN_BASE=http://127.0.0.1:4000.
/// Give the emulator the same component credentials the platform uses and the
/// platform's 授权事件接收URL as the push URL; it pushes a component_verify_ticket
/// at start and every --ticket-interval seconds. The control API is at /__sim/.
#[derive(Debug, Parser)]
#[command(name = "wechat-sim", version, about, long_about, verbatim_doc_comment)]
struct Args {
    /// The platform's component appid.
    #[arg(long, env = "WECHAT_COMPONENT_APPID")]
    component_appid: String,
    /// The platform's component appsecret.
    #[arg(long, env = "WECHAT_COMPONENT_APPSECRET", hide_env_values = true)]
    component_appsecret: String,
    /// 消息校验Token, used to sign pushes.
    #[arg(long, env = "WECHAT_COMPONENT_TOKEN", hide_env_values = true)]
    token: String,
    /// 消息加解密Key (43 characters), used to encrypt pushes.
    #[arg(
        long,
        env = "WECHAT_COMPONENT_ENCODING_AES_KEY",
        hide_env_values = true
    )]
    encoding_aes_key: String,
    /// Address to listen on.
    #[arg(long, env = "WECHAT_SIM_LISTEN", default_value = "127.0.0.1:4000")]
    listen: SocketAddr,
    /// The platform's 授权事件接收URL (tickets and authorization events are pushed here).
    #[arg(long, env = "WECHAT_SIM_PUSH_URL")]
    push_url: Option<url::Url>,
    /// Save state to this JSON file after every change and load it at start.
    #[arg(long, env = "WECHAT_SIM_STATE_FILE")]
    state_file: Option<PathBuf>,
    /// Seconds between component_verify_ticket pushes.
    #[arg(long, env = "WECHAT_SIM_TICKET_INTERVAL", default_value_t = 600)]
    ticket_interval: u64,
    /// 授权发起页域名 (a bare host). Without it, the entry page's host must equal the redirect_uri's host.
    #[arg(long, env = "WECHAT_SIM_AUTH_DOMAIN")]
    auth_domain: Option<String>,
    /// Add demo official accounts and mini programs.
    #[arg(long, env = "WECHAT_SIM_SEED_DEMO")]
    seed_demo: bool,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "wechat_sim=info".into()),
        )
        .init();
    let args = Args::parse();
    let mut config = SimConfig::new(
        args.component_appid,
        args.component_appsecret,
        args.token,
        args.encoding_aes_key,
    );
    config.push_url = args.push_url;
    config.state_file = args.state_file;
    config.ticket_interval = Duration::from_secs(args.ticket_interval.max(1));
    config.auth_page_domain = args.auth_domain;
    let sim = Simulator::new(config).context("starting the emulator")?;
    if args.seed_demo {
        sim.seed_demo_accounts();
    }
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .with_context(|| format!("binding {}", args.listen))?;
    tracing::info!(listen = %args.listen, "wechat-sim listening; control API at /__sim/");
    let _pusher = sim.spawn_ticket_pusher();
    tokio::select! {
        served = sim.serve(listener) => served.context("serving")?,
        _ = tokio::signal::ctrl_c() => tracing::info!("stopping"),
    }
    Ok(())
}
