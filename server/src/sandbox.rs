//! Sandbox mode's generated credentials: a component appid, secret, token,
//! EncodingAESKey and master key, created on first start and kept in
//! `data/sandbox.json` so the emulator and stored data agree across restarts.

use std::fs;
use std::io::Write as _;
use std::path::Path;

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD};
use rand::{Rng as _, RngCore as _, distributions::Alphanumeric};
use serde::{Deserialize, Serialize};

use crate::config::ConfigError;

const FILE_NAME: &str = "sandbox.json";

/// What sandbox mode generates. Sandbox-only, so keeping it in a file is fine;
/// the file is still created readable by its owner only.
#[derive(Clone, Serialize, Deserialize)]
pub struct SandboxCredentials {
    pub component_appid: String,
    pub component_appsecret: String,
    pub token: String,
    pub encoding_aes_key: String,
    /// Base64 of 32 random bytes, used as `WEIQIAO_SECRET_KEY` unless that is set.
    pub secret_key: String,
    /// The demo admin's password (login [`DEMO_ADMIN_LOGIN`]); files written
    /// before sign-in existed get one on their next start.
    #[serde(default)]
    pub admin_password: String,
}

/// The sandbox's demo admin.
pub const DEMO_ADMIN_LOGIN: &str = "demo";

impl std::fmt::Debug for SandboxCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SandboxCredentials")
            .field("component_appid", &self.component_appid)
            .finish_non_exhaustive()
    }
}

/// Reads `dir/sandbox.json`, or generates and writes it when absent.
pub fn load_or_create(dir: &Path) -> Result<SandboxCredentials, ConfigError> {
    let path = dir.join(FILE_NAME);
    let io = |source| ConfigError::Io {
        path: path.clone(),
        source,
    };
    match fs::read(&path) {
        Ok(bytes) => {
            let mut credentials: SandboxCredentials =
                serde_json::from_slice(&bytes).map_err(|e| ConfigError::Invalid {
                    var: "WEIQIAO_SANDBOX",
                    reason: format!(
                        "{} is unreadable ({e}); delete it to generate new credentials",
                        path.display()
                    ),
                })?;
            if credentials.admin_password.is_empty() {
                credentials.admin_password = password();
                let json = serde_json::to_vec_pretty(&credentials).map_err(|e| io(e.into()))?;
                let temp = path.with_extension("json.new");
                let _ = fs::remove_file(&temp);
                write_private(&temp, &json).map_err(io)?;
                fs::rename(&temp, &path).map_err(io)?;
            }
            Ok(credentials)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let credentials = generate();
            fs::create_dir_all(dir).map_err(io)?;
            let json = serde_json::to_vec_pretty(&credentials).map_err(|e| io(e.into()))?;
            write_private(&path, &json).map_err(io)?;
            Ok(credentials)
        }
        Err(e) => Err(io(e)),
    }
}

fn generate() -> SandboxCredentials {
    let mut rng = rand::thread_rng();
    let mut bytes = |n: usize| {
        let mut buf = vec![0u8; n];
        rng.fill_bytes(&mut buf);
        buf
    };
    let appid = format!("wx{}", hex(&bytes(8)));
    let secret = hex(&bytes(16));
    // 32 random bytes without padding are exactly the 43 characters of an EncodingAESKey.
    let encoding_aes_key = STANDARD_NO_PAD.encode(bytes(32));
    let secret_key = STANDARD.encode(bytes(32));
    let token: String = rand::thread_rng()
        .sample_iter(&Alphanumeric)
        .take(32)
        .map(char::from)
        .collect();
    SandboxCredentials {
        component_appid: appid,
        component_appsecret: secret,
        token,
        encoding_aes_key,
        secret_key,
        admin_password: password(),
    }
}

/// A demo password: 16 letters and digits, easy to type from the terminal.
fn password() -> String {
    rand::thread_rng()
        .sample_iter(&Alphanumeric)
        .take(16)
        .map(char::from)
        .collect()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Checks the shape WeChat gives an EncodingAESKey: 43 characters of base64.
pub fn check_encoding_aes_key(key: &str) -> Result<(), &'static str> {
    let base64_char = |b: u8| b.is_ascii_alphanumeric() || b == b'+' || b == b'/';
    if key.len() != 43 || !key.bytes().all(base64_char) {
        return Err("expected the 43-character EncodingAESKey from the WeChat console");
    }
    Ok(())
}

fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    options.open(path)?.write_all(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_credentials_have_wechat_shapes() {
        let c = generate();
        assert!(c.component_appid.starts_with("wx") && c.component_appid.len() == 18);
        assert_eq!(check_encoding_aes_key(&c.encoding_aes_key), Ok(()));
        assert_eq!(STANDARD.decode(&c.secret_key).unwrap().len(), 32);
        assert_ne!(generate().component_appsecret, c.component_appsecret);
        assert_eq!(c.admin_password.len(), 16);
    }

    #[test]
    fn a_file_from_before_sign_in_gets_a_demo_password_once_and_keeps_the_rest() {
        let dir = tempfile::tempdir().unwrap();
        let mut old = serde_json::to_value(generate()).unwrap();
        old.as_object_mut().unwrap().remove("admin_password");
        fs::write(dir.path().join(FILE_NAME), old.to_string()).unwrap();
        let first = load_or_create(dir.path()).unwrap();
        assert_eq!(first.admin_password.len(), 16);
        assert_eq!(
            first.component_appid,
            old["component_appid"].as_str().unwrap()
        );
        let second = load_or_create(dir.path()).unwrap();
        assert_eq!(second.admin_password, first.admin_password);
    }

    #[cfg(unix)]
    #[test]
    fn the_credentials_file_is_private_to_its_owner() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().unwrap();
        load_or_create(dir.path()).unwrap();
        let mode = fs::metadata(dir.path().join(FILE_NAME))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o077, 0, "mode {mode:o}");
    }

    #[test]
    fn a_corrupt_file_is_reported_not_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join(FILE_NAME), b"{").unwrap();
        let err = load_or_create(dir.path()).unwrap_err().to_string();
        assert!(err.starts_with("WEIQIAO_SANDBOX is invalid"), "{err}");
        assert_eq!(fs::read(dir.path().join(FILE_NAME)).unwrap(), b"{");
    }
}
