//! Test support: a platform on a fresh SQLite file, for use cases that do not
//! talk to WeChat (its client points at a port nothing listens on).

use store::Store;
use wechat::Secret;
use wechat::client::{ClientConfig, ComponentClient};
use wechat::crypto::MessageCrypto;

use crate::clock::Clock;
use crate::component::ComponentService;
use crate::vault::Vault;
use crate::{Platform, PlatformSettings};

const APPID: &str = "wx0123456789abcdef";
const KEY: &str = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";

pub(crate) async fn platform() -> (tempfile::TempDir, Platform) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::connect(&store::testing::database_url(dir.path()).await)
        .await
        .unwrap();
    let nowhere = "http://127.0.0.1:9".to_owned();
    let client = ComponentClient::new(
        ClientConfig {
            api_base: nowhere.clone(),
            mp_base: nowhere.clone(),
            open_base: nowhere,
            ..ClientConfig::default()
        },
        APPID.to_owned(),
        Secret::new("secret"),
    )
    .unwrap();
    let component = ComponentService::new(
        store.clone(),
        Vault::new(&[7; 32]),
        client,
        MessageCrypto::new("token", KEY, APPID).unwrap(),
        Clock::default(),
        "test".into(),
    );
    let platform = Platform::new(
        store,
        PlatformSettings::new(false, "http://weiqiao.test".into()),
        component,
        &[7; 32],
    );
    (dir, platform)
}

/// An admin row (no password to hash), for rows that name an admin.
pub(crate) async fn admin(platform: &Platform, login: &str) -> i64 {
    platform
        .store
        .admins()
        .insert(login, "hash", 0)
        .await
        .unwrap()
        .id
}
