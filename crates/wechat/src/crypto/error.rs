//! The one error type of message crypto and push parsing: one variant per
//! failed check, so the push endpoint can log *which* check failed.
//!
//! No variant carries key material, the token, ciphertext or decrypted text:
//! only lengths, limits, parameter names and (public) appids.

/// Why a push, a reply or a key was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CryptoError {
    /// The EncodingAESKey is not 43 base64 characters decoding to 32 bytes.
    #[error("EncodingAESKey is invalid: {0}")]
    BadKey(&'static str),
    /// `msg_signature` does not match SHA-1(sort(token, timestamp, nonce, Encrypt)).
    #[error("msg_signature does not match")]
    BadSignature,
    /// `Encrypt` is not standard base64.
    #[error("Encrypt is not valid base64")]
    BadBase64,
    /// A length is wrong: the ciphertext is empty or not whole AES blocks, or
    /// the decrypted length field points outside the plaintext.
    #[error("bad length: {0}")]
    BadLength(&'static str),
    /// The PKCS#7 (block size 32) padding is not 1..=32 equal bytes.
    #[error("bad PKCS#7 padding after decryption")]
    BadPadding,
    /// The appid after the message is not ours: the push was meant for
    /// another platform, or the EncodingAESKey is shared by mistake.
    #[error("trailing appid does not match (found {found:?})")]
    AppidMismatch {
        /// The appid found in the plaintext (public, truncated to 64 chars).
        found: String,
    },
    /// The decrypted message is not UTF-8.
    #[error("decrypted message is not UTF-8")]
    NotUtf8,
    /// The envelope or the decrypted message is not the XML we expect; the
    /// text says which part, never the content.
    #[error("bad XML: {0}")]
    BadXml(&'static str),
    /// The input is larger than we accept; checked before any parsing.
    #[error("input larger than {limit} bytes")]
    TooLarge {
        /// The limit in bytes.
        limit: usize,
    },
    /// A query parameter of the push URL is missing or empty.
    #[error("missing query parameter {0}")]
    MissingParameter(&'static str),
    /// `encrypt_type` is present but not `aes` (third-party platforms always
    /// run in safe mode, so a plain push is not accepted).
    #[error("unsupported encrypt_type")]
    UnsupportedEncryptType,
}
