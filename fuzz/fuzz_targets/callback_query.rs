//! Fuzzes the authorization callback's query (`/onboard/callback?state=…&auth_code=…`):
//! parsing it as the server does, then checking `state` with the real signer
//! (the platform's `onboarding/state.rs`, compiled in here so the target needs
//! no database crates). No input may panic, and no input but a state this
//! signer made is accepted.
#![no_main]

use libfuzzer_sys::fuzz_target;
use serde::Deserialize;

#[allow(dead_code)]
#[path = "../../crates/platform/src/onboarding/state.rs"]
mod state;

#[derive(Debug, Deserialize)]
struct CallbackQuery {
    state: Option<String>,
    auth_code: Option<String>,
}

const NOW: i64 = 1_800_000_000;

fuzz_target!(|data: &[u8]| {
    let signer = state::StateSigner::new(&[7u8; 32]);
    let Ok(query) = serde_urlencoded::from_bytes::<CallbackQuery>(data) else {
        return;
    };
    let _ = query.auth_code.as_deref().map(str::len);
    let Some(state) = query.state else {
        return;
    };
    if let Ok(invite_id) = signer.verify(&state, NOW) {
        // Accepted: it must be exactly what the signer makes for that invite and expiry.
        let expires_at: i64 = state
            .split('.')
            .nth(1)
            .and_then(|e| e.parse().ok())
            .expect("an accepted state has an expiry");
        assert_eq!(signer.sign(invite_id, expires_at), state, "accepted a state the signer never made");
    }
    // A state the signer made is accepted; one character changed is not.
    let made = signer.sign(i64::from(data.len() as u32), NOW + 60);
    assert!(signer.verify(&made, NOW).is_ok());
    if let Some(first) = data.first() {
        let mut tampered = made.clone().into_bytes();
        let at = usize::from(*first) % tampered.len();
        tampered[at] = if tampered[at] == b'A' { b'B' } else { b'A' };
        if let Ok(tampered) = String::from_utf8(tampered)
            && tampered != made
        {
            assert!(signer.verify(&tampered, NOW).is_err(), "tampered state accepted");
        }
    }
});
