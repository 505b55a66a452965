//! Message crypto (WXBizMsgCrypt) for WeChat pushes: signatures, AES-256-CBC
//! with WeChat's framing, and whole-push helpers for both sides (the
//! platform receives and verifies, the emulator builds and sends).
//!
//! Built on RustCrypto (`aes`, `cbc`, `sha1`) and `base64`; no hand-written
//! primitives. Every failed check is its own [`CryptoError`] variant.
//!
//! ```
//! use wechat::crypto::MessageCrypto;
//! # fn main() -> Result<(), wechat::crypto::CryptoError> {
//! let crypto = MessageCrypto::new("token", "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG", "wx2c2769f8efd9abc2")?;
//! let push = crypto.build_push("<xml><InfoType>x</InfoType></xml>", "1409735669", "1320562132")?;
//! let xml = crypto.open_push(&push.query, &push.body)?;
//! assert_eq!(xml, "<xml><InfoType>x</InfoType></xml>");
//! # Ok(()) }
//! ```

mod cipher;
mod error;
mod push;
mod signature;

pub use cipher::{MAX_ENCRYPT_LEN, MessageCrypto};
pub use error::CryptoError;
pub use push::{EncryptedPush, PushQuery};
pub use signature::{msg_signature, plain_signature};

#[cfg(test)]
mod proptests;
#[cfg(test)]
mod vectors;
