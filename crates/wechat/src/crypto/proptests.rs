//! Property tests: round trips for arbitrary messages, appids and keys, and
//! rejection of every single-byte corruption of a valid push.

use super::vectors::v1;
use super::*;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use proptest::prelude::*;

const TS: &str = "1409735669";
const NONCE: &str = "1320562132";
const SIG: &str = "5d197aaffba7e9b25a30732f161a50dee96bd5fa";

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn encrypt_then_decrypt_returns_any_message_for_any_appid_and_key(
        message in any::<String>(),
        appid in "[\\PC]{0,40}",
        key in "[A-Za-z0-9]{43}",
        token in "[!-~]{1,32}",
        timestamp in "[0-9]{1,10}",
        nonce in "[0-9]{1,10}",
    ) {
        let crypto = MessageCrypto::new(&token, &key, &appid).unwrap();
        let encrypt = crypto.encrypt(&message).unwrap();
        let signature = crypto.signature(&timestamp, &nonce, &encrypt);
        prop_assert_eq!(crypto.decrypt(&signature, &timestamp, &nonce, &encrypt).unwrap(), message);
    }

    #[test]
    fn a_built_push_opens_for_any_message(message in any::<String>(), appid in "wx[0-9a-f]{16}") {
        let crypto = MessageCrypto::new("token", "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG", &appid).unwrap();
        let push = crypto.build_push(&message, TS, NONCE).unwrap();
        prop_assert_eq!(crypto.open_push(&push.query, &push.body).unwrap(), message);
    }

    #[test]
    fn decrypt_never_panics_on_arbitrary_input(encrypt in any::<String>(), signature in any::<String>()) {
        let (crypto, _) = v1();
        let _ = crypto.decrypt(&signature, TS, NONCE, &encrypt);
        // With a correct signature the decrypt checks themselves run.
        let signed = crypto.signature(TS, NONCE, &encrypt);
        prop_assert!(crypto.decrypt(&signed, TS, NONCE, &encrypt).is_err());
    }

    #[test]
    fn two_encryptions_of_one_message_differ(message in any::<String>()) {
        let (crypto, _) = v1();
        prop_assert_ne!(crypto.encrypt(&message).unwrap(), crypto.encrypt(&message).unwrap());
    }
}

/// Replaces byte `at` of an ASCII string by `byte`.
fn corrupt(text: &str, at: usize, byte: u8) -> String {
    let mut bytes = text.as_bytes().to_vec();
    bytes[at] = byte;
    String::from_utf8_lossy(&bytes).into_owned()
}

#[test]
fn every_single_byte_corruption_of_encrypt_is_rejected() {
    let (crypto, encrypt) = v1();
    for at in 0..encrypt.len() {
        for byte in 0..=255u8 {
            if byte == encrypt.as_bytes()[at] {
                continue;
            }
            let bad = corrupt(encrypt, at, byte);
            assert!(
                crypto.decrypt(SIG, TS, NONCE, &bad).is_err(),
                "position {at}, byte {byte}"
            );
        }
    }
}

#[test]
fn every_single_byte_corruption_of_the_signature_is_rejected() {
    let (crypto, encrypt) = v1();
    for at in 0..SIG.len() {
        for byte in 0..=255u8 {
            if byte == SIG.as_bytes()[at] {
                continue;
            }
            let bad = corrupt(SIG, at, byte);
            assert_eq!(
                crypto.decrypt(&bad, TS, NONCE, encrypt),
                Err(CryptoError::BadSignature),
                "position {at}, byte {byte}"
            );
        }
    }
}

#[test]
fn every_single_byte_corruption_of_the_raw_ciphertext_is_rejected() {
    // Corrupting the decoded bytes and re-encoding keeps the base64 valid,
    // so the signature check is what rejects it.
    let (crypto, encrypt) = v1();
    let raw = STANDARD.decode(encrypt).unwrap();
    for at in 0..raw.len() {
        for flip in [0x01u8, 0x80, 0xff] {
            let mut bad = raw.clone();
            bad[at] ^= flip;
            let bad = STANDARD.encode(&bad);
            assert_eq!(
                crypto.decrypt(SIG, TS, NONCE, &bad),
                Err(CryptoError::BadSignature)
            );
        }
    }
}

#[test]
fn corrupting_the_last_two_blocks_fails_the_decrypt_checks_even_when_re_signed() {
    // CBC has no MAC: the token-keyed signature is the integrity check. Even
    // an attacker who knew the token could not touch the blocks holding the
    // padding and the appid without the padding or appid check failing.
    let (crypto, encrypt) = v1();
    let raw = STANDARD.decode(encrypt).unwrap();
    for at in raw.len() - 32..raw.len() {
        for flip in 1..=255u8 {
            let mut bad = raw.clone();
            bad[at] ^= flip;
            let bad = STANDARD.encode(&bad);
            let signature = crypto.signature(TS, NONCE, &bad);
            let result = crypto.decrypt(&signature, TS, NONCE, &bad);
            assert!(
                matches!(
                    result,
                    Err(CryptoError::BadPadding
                        | CryptoError::AppidMismatch { .. }
                        | CryptoError::BadLength(_))
                ),
                "position {at}, flip {flip}: {result:?}"
            );
        }
    }
}

#[test]
fn truncated_or_misaligned_ciphertexts_are_bad_lengths() {
    let (crypto, encrypt) = v1();
    let raw = STANDARD.decode(encrypt).unwrap();
    for len in [0, 15, 17, 31, 100] {
        let bad = STANDARD.encode(&raw[..len]);
        let signature = crypto.signature(TS, NONCE, &bad);
        assert!(
            matches!(
                crypto.decrypt(&signature, TS, NONCE, &bad),
                Err(CryptoError::BadLength(_))
            ),
            "{len}"
        );
    }
}

#[test]
fn invalid_base64_with_a_valid_signature_is_bad_base64() {
    let (crypto, _) = v1();
    let signature = crypto.signature(TS, NONCE, "not*base64");
    assert_eq!(
        crypto.decrypt(&signature, TS, NONCE, "not*base64"),
        Err(CryptoError::BadBase64)
    );
}

#[test]
fn oversized_encrypt_is_rejected_before_the_signature_is_computed() {
    let (crypto, _) = v1();
    let big = "A".repeat(MAX_ENCRYPT_LEN + 4);
    assert_eq!(
        crypto.decrypt(SIG, TS, NONCE, &big),
        Err(CryptoError::TooLarge {
            limit: MAX_ENCRYPT_LEN
        })
    );
}
