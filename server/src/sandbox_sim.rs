//! Sandbox mode's embedded WeChat: the emulator on its own listener, with the
//! generated credentials, pushing to this server's event URL, its state kept
//! under `data/` so authorizations survive a restart.

use std::net::SocketAddr;

use anyhow::Context as _;
use secrecy::ExposeSecret as _;
use tokio::net::TcpListener;
use url::Url;
use wechat_sim::{SimConfig, Simulator};

use crate::config::{Config, SandboxConfig};

/// The emulator, bound but not yet serving.
pub struct EmbeddedSim {
    pub simulator: Simulator,
    pub listener: TcpListener,
    pub address: SocketAddr,
}

/// Binds the emulator's listener and points the WeChat bases of `config` at it.
pub async fn bind(config: &mut Config, sandbox: &SandboxConfig) -> anyhow::Result<TcpListener> {
    let listener = TcpListener::bind(sandbox.sim_listen)
        .await
        .with_context(|| {
            format!(
                "binding the sandbox emulator on {} (WECHAT_SIM_LISTEN)",
                sandbox.sim_listen
            )
        })?;
    let address = listener
        .local_addr()
        .context("reading the emulator's address")?;
    let base = Url::parse(&format!("http://{address}")).context("emulator base URL")?;
    config.wechat.api_base = base.clone();
    config.wechat.mp_base = base.clone();
    config.wechat.open_base = base;
    Ok(listener)
}

/// Builds the emulator for the generated credentials, pushing to `site` (our own listener).
pub fn build(
    config: &Config,
    sandbox: &SandboxConfig,
    listener: TcpListener,
    site: SocketAddr,
) -> anyhow::Result<EmbeddedSim> {
    let address = listener
        .local_addr()
        .context("reading the emulator's address")?;
    let push_url =
        Url::parse(&format!("http://{site}/wechat/component/events")).context("push URL")?;
    let wechat = &config.wechat;
    let mut sim_config = SimConfig::new(
        wechat.component_appid.clone(),
        wechat.component_appsecret.expose_secret(),
        wechat.token.expose_secret(),
        wechat.encoding_aes_key.expose_secret(),
    )
    .with_push_url(push_url)
    .with_message_url(format!("http://{site}/wechat/authorizers/$APPID$/events"));
    sim_config.state_file = Some(sandbox.data_dir.join("sandbox-wechat.json"));
    sim_config.component_name = "微桥（沙箱）".to_owned();
    let simulator = Simulator::new(sim_config).context("starting the sandbox emulator")?;
    if simulator.read_state(|state| state.accounts.is_empty()) {
        simulator.seed_demo_accounts();
    }
    Ok(EmbeddedSim {
        simulator,
        listener,
        address,
    })
}
