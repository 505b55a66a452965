//! Secrets at rest: tokens, refresh tokens and tickets are sealed with
//! AES-256-GCM under `WEIQIAO_SECRET_KEY` before they reach the database, so a
//! leaked database file reveals none of them.
//!
//! Each sealed value is bound to its purpose and owner through the AEAD's
//! associated data (e.g. `authorizer_refresh_token:wx123`), so a ciphertext
//! copied into another row or column does not decrypt.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use rand::RngCore as _;

/// Layout: version byte ‖ 12-byte nonce ‖ ciphertext with tag.
const VERSION: u8 = 1;
const NONCE_LEN: usize = 12;

/// Seals and opens secrets with the master key.
#[derive(Clone)]
pub struct Vault {
    cipher: Aes256Gcm,
}

impl std::fmt::Debug for Vault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Vault(***)")
    }
}

/// A sealed value could not be opened: wrong key, wrong owner, or corrupt.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a stored secret could not be decrypted (wrong WEIQIAO_SECRET_KEY or corrupted data)")]
pub struct VaultError;

impl Vault {
    pub fn new(key: &[u8; 32]) -> Self {
        Self {
            cipher: Aes256Gcm::new(key.into()),
        }
    }

    /// Encrypts `plaintext` for the slot named by `context`.
    pub fn seal(&self, context: &str, plaintext: &str) -> Vec<u8> {
        let mut nonce = [0u8; NONCE_LEN];
        rand::thread_rng().fill_bytes(&mut nonce);
        let payload = Payload {
            msg: plaintext.as_bytes(),
            aad: context.as_bytes(),
        };
        // Encryption with a valid key and in-memory buffers cannot fail.
        let sealed = self
            .cipher
            .encrypt(Nonce::from_slice(&nonce), payload)
            .unwrap_or_default();
        let mut out = Vec::with_capacity(1 + NONCE_LEN + sealed.len());
        out.push(VERSION);
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&sealed);
        out
    }

    /// Decrypts a value sealed for the same `context`.
    pub fn open(&self, context: &str, sealed: &[u8]) -> Result<String, VaultError> {
        let (&version, rest) = sealed.split_first().ok_or(VaultError)?;
        if version != VERSION || rest.len() < NONCE_LEN {
            return Err(VaultError);
        }
        let (nonce, ciphertext) = rest.split_at(NONCE_LEN);
        let payload = Payload {
            msg: ciphertext,
            aad: context.as_bytes(),
        };
        let plain = self
            .cipher
            .decrypt(Nonce::from_slice(nonce), payload)
            .map_err(|_| VaultError)?;
        String::from_utf8(plain).map_err(|_| VaultError)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: [u8; 32] = [7; 32];

    #[test]
    fn a_sealed_secret_opens_with_the_same_key_and_context() {
        let vault = Vault::new(&KEY);
        let sealed = vault.seal("authorizer_refresh_token:wx1", "refreshtoken@@@abc");
        assert_eq!(
            vault.open("authorizer_refresh_token:wx1", &sealed).unwrap(),
            "refreshtoken@@@abc"
        );
    }

    #[test]
    fn the_ciphertext_does_not_contain_the_secret_and_differs_each_time() {
        let vault = Vault::new(&KEY);
        let a = vault.seal("c", "ticket@@@plaintext-secret");
        let b = vault.seal("c", "ticket@@@plaintext-secret");
        assert_ne!(a, b);
        assert!(!a.windows(6).any(|w| w == b"ticket"));
    }

    #[test]
    fn another_context_key_or_any_flipped_byte_fails_to_open() {
        let vault = Vault::new(&KEY);
        let sealed = vault.seal("authorizer_access_token:wx1", "token");
        assert_eq!(
            vault.open("authorizer_access_token:wx2", &sealed),
            Err(VaultError)
        );
        assert_eq!(
            Vault::new(&[8; 32]).open("authorizer_access_token:wx1", &sealed),
            Err(VaultError)
        );
        for i in 0..sealed.len() {
            let mut corrupt = sealed.clone();
            corrupt[i] ^= 0x01;
            assert_eq!(
                vault.open("authorizer_access_token:wx1", &corrupt),
                Err(VaultError),
                "byte {i}"
            );
        }
        assert_eq!(vault.open("x", &[]), Err(VaultError));
    }

    #[test]
    fn debug_output_hides_the_key() {
        assert_eq!(format!("{:?}", Vault::new(&KEY)), "Vault(***)");
    }
}
