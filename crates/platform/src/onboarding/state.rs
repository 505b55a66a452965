//! The `state` carried through WeChat's authorization page back to our
//! callback: it binds the callback to one invite and expires, and is signed
//! (HMAC-SHA256 under a key derived from `WEIQIAO_SECRET_KEY`) so it cannot
//! be forged or pointed at another company.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// Signs and checks callback states.
#[derive(Clone)]
pub struct StateSigner {
    /// HMAC pads keys to the block size anyway; holding it padded makes keying infallible.
    key: [u8; 64],
}

impl std::fmt::Debug for StateSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("StateSigner(***)")
    }
}

/// Why a state was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum StateError {
    #[error("the state is malformed or its signature does not match")]
    Invalid,
    #[error("the state has expired")]
    Expired,
}

impl StateSigner {
    /// Derives the signing key from the master key, so the master key itself
    /// never meets HMAC (domain separation from the vault's use of it).
    pub fn new(master_key: &[u8; 32]) -> Self {
        let mut padded = [0u8; 64];
        padded[..32].copy_from_slice(master_key);
        let mut mac = <HmacSha256 as Mac>::new(&padded.into());
        mac.update(b"weiqiao/onboarding-state/v1");
        let mut key = [0u8; 64];
        key[..32].copy_from_slice(&mac.finalize().into_bytes());
        Self { key }
    }

    /// `{invite_id}.{expires_at}.{signature}`.
    pub fn sign(&self, invite_id: i64, expires_at: i64) -> String {
        let payload = format!("{invite_id}.{expires_at}");
        let signature = URL_SAFE_NO_PAD.encode(self.mac(&payload));
        format!("{payload}.{signature}")
    }

    /// The invite id of a genuine, unexpired state.
    pub fn verify(&self, state: &str, now: i64) -> Result<i64, StateError> {
        let (payload, signature) = state.rsplit_once('.').ok_or(StateError::Invalid)?;
        let signature = URL_SAFE_NO_PAD
            .decode(signature)
            .map_err(|_| StateError::Invalid)?;
        let mut mac = <HmacSha256 as Mac>::new(&self.key.into());
        mac.update(payload.as_bytes());
        mac.verify_slice(&signature)
            .map_err(|_| StateError::Invalid)?; // constant time
        let (invite_id, expires_at) = payload.split_once('.').ok_or(StateError::Invalid)?;
        let invite_id = invite_id.parse().map_err(|_| StateError::Invalid)?;
        let expires_at: i64 = expires_at.parse().map_err(|_| StateError::Invalid)?;
        if expires_at < now {
            return Err(StateError::Expired);
        }
        Ok(invite_id)
    }

    fn mac(&self, payload: &str) -> Vec<u8> {
        let mut mac = <HmacSha256 as Mac>::new(&self.key.into());
        mac.update(payload.as_bytes());
        mac.finalize().into_bytes().to_vec()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signed_state_verifies_until_it_expires() {
        let signer = StateSigner::new(&[1; 32]);
        let state = signer.sign(42, 1000);
        assert_eq!(signer.verify(&state, 999), Ok(42));
        assert_eq!(signer.verify(&state, 1001), Err(StateError::Expired));
    }

    #[test]
    fn a_tampered_or_foreign_state_is_invalid() {
        let signer = StateSigner::new(&[1; 32]);
        let state = signer.sign(42, 1000);
        let other_invite = state.replacen("42.", "43.", 1);
        assert_eq!(signer.verify(&other_invite, 0), Err(StateError::Invalid));
        assert_eq!(
            StateSigner::new(&[2; 32]).verify(&state, 0),
            Err(StateError::Invalid)
        );
        for bad in ["", "42", "42.1000", "42.1000.!!", "x.y.z"] {
            assert_eq!(signer.verify(bad, 0), Err(StateError::Invalid), "{bad:?}");
        }
    }
}
