//! Fuzzes everything a push endpoint does with untrusted input: envelope
//! parsing, decryption (with a *valid* signature, so the padding, length and
//! appid checks are reached) and component-push parsing. Any panic is a bug.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wechat::crypto::{MessageCrypto, PushQuery};
use wechat::push::{ComponentPush, Envelope};

fuzz_target!(|data: &[u8]| {
    let Ok(crypto) = MessageCrypto::new(
        "spamtest",
        "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG",
        "wx2c2769f8efd9abc2",
    ) else {
        return;
    };
    let text = String::from_utf8_lossy(data);
    let (timestamp, nonce) = ("1409735669", "1320562132");

    // 1. The input as a push body, signed so decryption runs.
    if let Ok(envelope) = Envelope::parse(&text) {
        let query = PushQuery {
            signature: crypto.plain_signature(timestamp, nonce),
            timestamp: timestamp.into(),
            nonce: nonce.into(),
            encrypt_type: "aes".into(),
            msg_signature: crypto.signature(timestamp, nonce, &envelope.encrypt),
        };
        let _ = crypto.open_component_push(&query, &text);
    }
    // 2. The input as the Encrypt value.
    let signature = crypto.signature(timestamp, nonce, &text);
    let _ = crypto.decrypt(&signature, timestamp, nonce, &text);
    // 3. The input as decrypted XML, directly and through a round trip.
    if let Ok(push) = ComponentPush::parse(&text) {
        let again = ComponentPush::parse(&push.to_xml());
        assert_eq!(again.ok(), Some(push), "to_xml must round-trip");
    }
});
