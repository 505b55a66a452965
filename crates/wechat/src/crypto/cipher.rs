//! [`MessageCrypto`]: WXBizMsgCrypt's AES part (key decoding, encrypt,
//! verify-then-decrypt) for one token / EncodingAESKey / appid triple.
//!
//! Layout of the plaintext before padding:
//! `16 random bytes ‖ u32 big-endian message length ‖ message ‖ appid`,
//! padded with PKCS#7 using a block size of **32** (not AES's 16), encrypted
//! with AES-256-CBC where the IV is the first 16 bytes of the key.

use super::CryptoError;
use super::signature::{msg_signature, signatures_match};
use aes::Aes256;
use base64::Engine as _;
use base64::alphabet;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig, STANDARD};
use cbc::cipher::block_padding::NoPadding;
use cbc::cipher::{BlockDecryptMut, BlockEncryptMut, KeyIvInit};
use rand::RngCore;
use std::fmt;

/// WeChat's padding block size; AES's own is 16, which fails the vectors.
const PAD_BLOCK: usize = 32;
/// Largest `Encrypt` accepted (base64 characters), checked before decoding.
/// Component pushes are well under 2 KiB; 64 KiB leaves room for message pushes.
pub const MAX_ENCRYPT_LEN: usize = 64 * 1024;

/// 43-character EncodingAESKeys carry 258 bits; the last 2 are discarded.
/// Most real keys have them non-zero, which the strict `STANDARD` engine
/// rejects (`InvalidLastSymbol`), so the key gets a lenient engine.
const KEY_ENGINE: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_allow_trailing_bits(true),
);

/// Encrypts, decrypts and signs WeChat push messages for one platform.
///
/// Built from the console's 消息校验Token, 消息加解密Key (EncodingAESKey) and
/// the receiver appid (for component pushes: the component appid).
#[derive(Clone)]
pub struct MessageCrypto {
    token: String,
    key: [u8; 32],
    appid: String,
}

impl fmt::Debug for MessageCrypto {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MessageCrypto")
            .field("token", &"***")
            .field("key", &"***")
            .field("appid", &self.appid)
            .finish()
    }
}

impl MessageCrypto {
    /// Decodes the EncodingAESKey (43 characters, base64 without the final
    /// `=`) into the AES-256 key.
    pub fn new(token: &str, encoding_aes_key: &str, appid: &str) -> Result<Self, CryptoError> {
        if encoding_aes_key.len() != 43 {
            return Err(CryptoError::BadKey("must be 43 characters"));
        }
        let bytes = KEY_ENGINE
            .decode(format!("{encoding_aes_key}="))
            .map_err(|_| CryptoError::BadKey("not base64"))?;
        let key: [u8; 32] = bytes
            .try_into()
            .map_err(|_| CryptoError::BadKey("does not decode to 32 bytes"))?;
        Ok(Self {
            token: token.to_owned(),
            key,
            appid: appid.to_owned(),
        })
    }

    /// The receiver appid this instance checks and writes.
    pub fn appid(&self) -> &str {
        &self.appid
    }

    /// `msg_signature` for this token over `timestamp`, `nonce`, `encrypt`.
    pub fn signature(&self, timestamp: &str, nonce: &str, encrypt: &str) -> String {
        msg_signature(&self.token, timestamp, nonce, encrypt)
    }

    /// The plain `signature` query parameter for this token.
    pub fn plain_signature(&self, timestamp: &str, nonce: &str) -> String {
        super::plain_signature(&self.token, timestamp, nonce)
    }

    /// Encrypts `plaintext` with 16 fresh random bytes; returns base64.
    pub fn encrypt(&self, plaintext: &str) -> Result<String, CryptoError> {
        let mut random = [0u8; 16];
        rand::thread_rng().fill_bytes(&mut random);
        self.encrypt_with_random(&random, plaintext)
    }

    /// Deterministic encryption with caller-chosen random bytes, for test
    /// vectors. Production code uses [`MessageCrypto::encrypt`].
    pub fn encrypt_with_random(
        &self,
        random: &[u8; 16],
        plaintext: &str,
    ) -> Result<String, CryptoError> {
        let msg_len = u32::try_from(plaintext.len()).map_err(|_| CryptoError::TooLarge {
            limit: u32::MAX as usize,
        })?;
        let unpadded = 16 + 4 + plaintext.len() + self.appid.len();
        let pad = PAD_BLOCK - unpadded % PAD_BLOCK; // 1..=32, a full block when aligned
        let mut buf = Vec::with_capacity(unpadded + pad);
        buf.extend_from_slice(random);
        buf.extend_from_slice(&msg_len.to_be_bytes());
        buf.extend_from_slice(plaintext.as_bytes());
        buf.extend_from_slice(self.appid.as_bytes());
        // `pad` is at most 32, so the cast cannot truncate.
        buf.resize(unpadded + pad, pad as u8);
        let cipher = cbc::Encryptor::<Aes256>::new(&self.key.into(), &self.iv().into());
        Ok(STANDARD.encode(cipher.encrypt_padded_vec_mut::<NoPadding>(&buf)))
    }

    /// Verifies `msg_signature` (constant time) and only then decrypts
    /// `encrypt`, checks padding, length and the trailing appid, and returns
    /// the message.
    pub fn decrypt(
        &self,
        msg_signature: &str,
        timestamp: &str,
        nonce: &str,
        encrypt: &str,
    ) -> Result<String, CryptoError> {
        if encrypt.len() > MAX_ENCRYPT_LEN {
            return Err(CryptoError::TooLarge {
                limit: MAX_ENCRYPT_LEN,
            });
        }
        let expected = self.signature(timestamp, nonce, encrypt);
        if !signatures_match(&expected, msg_signature) {
            return Err(CryptoError::BadSignature);
        }
        self.decrypt_unsigned(encrypt)
    }

    /// Decryption without the signature check. Private: every public path
    /// verifies the signature first, because CBC without a MAC is malleable.
    fn decrypt_unsigned(&self, encrypt: &str) -> Result<String, CryptoError> {
        let data = STANDARD
            .decode(encrypt)
            .map_err(|_| CryptoError::BadBase64)?;
        if data.is_empty() || data.len() % 16 != 0 {
            return Err(CryptoError::BadLength(
                "ciphertext is not a positive multiple of 16 bytes",
            ));
        }
        let cipher = cbc::Decryptor::<Aes256>::new(&self.key.into(), &self.iv().into());
        let plain = cipher
            .decrypt_padded_vec_mut::<NoPadding>(&data)
            .map_err(|_| CryptoError::BadLength("ciphertext is not whole blocks"))?;
        let content = strip_padding(&plain)?;
        if content.len() < 20 {
            return Err(CryptoError::BadLength("plaintext shorter than its header"));
        }
        let (header, rest) = content.split_at(20);
        let mut len_bytes = [0u8; 4];
        len_bytes.copy_from_slice(&header[16..20]);
        let msg_len = u32::from_be_bytes(len_bytes) as usize;
        if msg_len > rest.len() {
            return Err(CryptoError::BadLength(
                "message length exceeds the plaintext",
            ));
        }
        let (msg, appid) = rest.split_at(msg_len);
        if appid != self.appid.as_bytes() {
            let found: String = String::from_utf8_lossy(appid).chars().take(64).collect();
            return Err(CryptoError::AppidMismatch { found });
        }
        String::from_utf8(msg.to_vec()).map_err(|_| CryptoError::NotUtf8)
    }

    fn iv(&self) -> [u8; 16] {
        let mut iv = [0u8; 16];
        iv.copy_from_slice(&self.key[..16]);
        iv
    }
}

/// Strict PKCS#7 with block size 32: the last byte `n` must be 1..=32 and
/// the last `n` bytes must all equal `n`. (The official samples silently
/// strip nothing on a bad pad; rejecting is safer for a receiver.)
fn strip_padding(plain: &[u8]) -> Result<&[u8], CryptoError> {
    let pad = usize::from(*plain.last().ok_or(CryptoError::BadPadding)?);
    if pad == 0 || pad > PAD_BLOCK || pad > plain.len() {
        return Err(CryptoError::BadPadding);
    }
    let (content, padding) = plain.split_at(plain.len() - pad);
    if padding.iter().any(|&b| usize::from(b) != pad) {
        return Err(CryptoError::BadPadding);
    }
    Ok(content)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_with_nonzero_trailing_bits_are_accepted() {
        // The strict engine rejects this key; WeChat and every SDK accept it.
        assert!(
            STANDARD
                .decode("abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG=")
                .is_err()
        );
        assert!(
            MessageCrypto::new("t", "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG", "wx1").is_ok()
        );
    }

    #[test]
    fn keys_of_the_wrong_length_or_alphabet_are_rejected() {
        assert_eq!(
            MessageCrypto::new("t", "short", "wx1").err(),
            Some(CryptoError::BadKey("must be 43 characters"))
        );
        let bad = "abcdefghijklmnopqrstuvwxyz0123456789ABCDE*G";
        assert_eq!(
            MessageCrypto::new("t", bad, "wx1").err(),
            Some(CryptoError::BadKey("not base64"))
        );
    }

    #[test]
    fn debug_output_hides_the_token_and_the_key() {
        let crypto = MessageCrypto::new("tok-secret", &"A".repeat(43), "wx1").unwrap();
        let debug = format!("{crypto:?}");
        assert!(!debug.contains("tok-secret"));
        assert!(debug.contains("wx1"));
    }

    #[test]
    fn padding_values_of_zero_or_above_32_are_rejected() {
        let mut block = vec![7u8; 64];
        *block.last_mut().unwrap() = 0;
        assert_eq!(strip_padding(&block), Err(CryptoError::BadPadding));
        *block.last_mut().unwrap() = 33;
        assert_eq!(strip_padding(&block), Err(CryptoError::BadPadding));
    }

    #[test]
    fn a_full_32_byte_pad_and_a_pad_as_long_as_the_plaintext_are_stripped() {
        assert_eq!(strip_padding(&[32u8; 32]), Ok(&[][..]));
        let mut block = vec![9u8; 64];
        block[32..].fill(32);
        assert_eq!(strip_padding(&block), Ok(&[9u8; 32][..]));
        assert_eq!(strip_padding(&[3u8; 3]), Ok(&[][..]));
        // A pad longer than the plaintext itself.
        assert_eq!(strip_padding(&[4u8; 3]), Err(CryptoError::BadPadding));
        assert_eq!(strip_padding(&[]), Err(CryptoError::BadPadding));
    }

    #[test]
    fn an_encrypt_of_64_kib_is_checked_not_refused_as_too_large() {
        let crypto = MessageCrypto::new("t", &"A".repeat(43), "wx").unwrap();
        assert_eq!(
            crypto.decrypt("sig", "1", "2", &"A".repeat(64 * 1024)),
            Err(CryptoError::BadSignature)
        );
    }

    #[test]
    fn the_encrypt_size_limit_holds_at_its_edge() {
        let crypto = MessageCrypto::new("t", &"A".repeat(43), "wx").unwrap();
        let at_limit = "A".repeat(MAX_ENCRYPT_LEN);
        // At the limit the signature is checked (and fails); one more is too large.
        assert_eq!(
            crypto.decrypt("sig", "1", "2", &at_limit),
            Err(CryptoError::BadSignature)
        );
        let over = "A".repeat(MAX_ENCRYPT_LEN + 1);
        assert_eq!(
            crypto.decrypt("sig", "1", "2", &over),
            Err(CryptoError::TooLarge {
                limit: MAX_ENCRYPT_LEN
            })
        );
    }

    #[test]
    fn a_plaintext_of_exactly_its_20_byte_header_is_an_empty_message() {
        // No appid and no message: 16 random bytes and a zero length.
        let crypto = MessageCrypto::new("t", &"A".repeat(43), "").unwrap();
        let encrypted = crypto.encrypt_with_random(&[0; 16], "").unwrap();
        assert_eq!(crypto.decrypt_unsigned(&encrypted), Ok(String::new()));
        // 19 bytes: shorter than the header.
        let cipher = cbc::Encryptor::<Aes256>::new(&crypto.key.into(), &crypto.iv().into());
        let mut plain = vec![0u8; 19];
        plain.extend(std::iter::repeat_n(13u8, 13));
        let short = STANDARD.encode(cipher.encrypt_padded_vec_mut::<NoPadding>(&plain));
        assert_eq!(
            crypto.decrypt_unsigned(&short),
            Err(CryptoError::BadLength("plaintext shorter than its header"))
        );
    }

    #[test]
    fn padding_with_unequal_bytes_is_rejected() {
        let mut block = vec![3u8; 32];
        block[30] = 4;
        assert_eq!(strip_padding(&block), Err(CryptoError::BadPadding));
    }

    #[test]
    fn aligned_messages_get_a_full_block_of_padding() {
        let crypto = MessageCrypto::new("t", &"A".repeat(43), "wx").unwrap();
        // 16 + 4 + 10 + 2 = 32 bytes: exactly one pad block, so 32 more.
        let encrypted = crypto.encrypt_with_random(&[0; 16], "0123456789").unwrap();
        assert_eq!(STANDARD.decode(&encrypted).unwrap().len(), 64);
        assert_eq!(crypto.decrypt_unsigned(&encrypted).unwrap(), "0123456789");
    }
}
