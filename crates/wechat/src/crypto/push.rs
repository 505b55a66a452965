//! Whole pushes: the query string (`signature`, `timestamp`, `nonce`,
//! `encrypt_type=aes`, `msg_signature`) plus the `<xml><AppId/><Encrypt/></xml>`
//! body, built for the emulator and verified-and-opened for the platform;
//! also the encrypted reply envelope for message pushes.

use super::{CryptoError, MessageCrypto};
use crate::push::{ComponentPush, Envelope};
use serde::{Deserialize, Serialize};

/// The query parameters of a push URL. Deserialize it from the request's
/// query string; unknown parameters (such as `openid` on message pushes)
/// are ignored.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PushQuery {
    /// Plain-mode signature over token, timestamp, nonce (not verified:
    /// WeChat says to verify `msg_signature`).
    #[serde(default)]
    pub signature: String,
    /// Unix seconds, decimal.
    #[serde(default)]
    pub timestamp: String,
    /// A decimal nonce.
    #[serde(default)]
    pub nonce: String,
    /// Always `aes` for third-party platforms.
    #[serde(default)]
    pub encrypt_type: String,
    /// SHA-1 over token, timestamp, nonce and Encrypt.
    #[serde(default)]
    pub msg_signature: String,
}

/// A push ready to send: the query parameters and the XML body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncryptedPush {
    /// Query parameters to append to the event URL.
    pub query: PushQuery,
    /// `<xml><AppId><![CDATA[…]]></AppId>\n<Encrypt><![CDATA[…]]></Encrypt></xml>`.
    pub body: String,
}

impl MessageCrypto {
    /// Builds a whole push of `plaintext_xml` to the authorization-event URL,
    /// as WeChat sends it (the envelope's `AppId` is this instance's appid).
    pub fn build_push(
        &self,
        plaintext_xml: &str,
        timestamp: &str,
        nonce: &str,
    ) -> Result<EncryptedPush, CryptoError> {
        let encrypt = self.encrypt(plaintext_xml)?;
        Ok(self.assemble_push(encrypt, timestamp, nonce))
    }

    /// [`MessageCrypto::build_push`] with fixed random bytes (test vectors).
    pub fn build_push_with_random(
        &self,
        random: &[u8; 16],
        plaintext_xml: &str,
        timestamp: &str,
        nonce: &str,
    ) -> Result<EncryptedPush, CryptoError> {
        let encrypt = self.encrypt_with_random(random, plaintext_xml)?;
        Ok(self.assemble_push(encrypt, timestamp, nonce))
    }

    fn assemble_push(&self, encrypt: String, timestamp: &str, nonce: &str) -> EncryptedPush {
        let query = PushQuery {
            signature: self.plain_signature(timestamp, nonce),
            timestamp: timestamp.to_owned(),
            nonce: nonce.to_owned(),
            encrypt_type: "aes".to_owned(),
            msg_signature: self.signature(timestamp, nonce, &encrypt),
        };
        let envelope = Envelope {
            app_id: Some(self.appid().to_owned()),
            to_user_name: None,
            encrypt,
        };
        EncryptedPush {
            query,
            body: envelope.to_xml(),
        }
    }

    /// Verifies and decrypts a received push: checks the query parameters,
    /// parses the envelope (size limit, no DTD), verifies `msg_signature`,
    /// decrypts and checks the trailing appid. Returns the inner XML.
    ///
    /// Replay protection (rejecting old timestamps or seen nonces) is the
    /// caller's business: WeChat documents no clock-skew bound, and
    /// duplicate deliveries are normal.
    pub fn open_push(&self, query: &PushQuery, body: &str) -> Result<String, CryptoError> {
        if !query.encrypt_type.is_empty() && query.encrypt_type != "aes" {
            return Err(CryptoError::UnsupportedEncryptType);
        }
        for (name, value) in [
            ("msg_signature", &query.msg_signature),
            ("timestamp", &query.timestamp),
            ("nonce", &query.nonce),
        ] {
            if value.is_empty() {
                return Err(CryptoError::MissingParameter(name));
            }
        }
        let envelope = Envelope::parse(body)?;
        self.decrypt(
            &query.msg_signature,
            &query.timestamp,
            &query.nonce,
            &envelope.encrypt,
        )
    }

    /// [`MessageCrypto::open_push`] followed by [`ComponentPush::parse`].
    pub fn open_component_push(
        &self,
        query: &PushQuery,
        body: &str,
    ) -> Result<ComponentPush, CryptoError> {
        ComponentPush::parse(&self.open_push(query, body)?)
    }

    /// Encrypts and signs a reply to a message push:
    /// `<xml><Encrypt/><MsgSignature/><TimeStamp/><Nonce/></xml>`.
    /// (Component pushes want the bare string `success` instead.)
    pub fn encrypt_reply(
        &self,
        plaintext_xml: &str,
        timestamp: &str,
        nonce: &str,
    ) -> Result<String, CryptoError> {
        let encrypt = self.encrypt(plaintext_xml)?;
        Ok(self.reply_envelope(&encrypt, timestamp, nonce))
    }

    /// Verifies and decrypts a passive reply envelope, as WeChat does with
    /// what the platform answered: `MsgSignature` over the reply's own
    /// `TimeStamp` and `Nonce`, then the trailer appid. Returns the inner XML.
    pub fn open_reply(&self, envelope: &str) -> Result<String, CryptoError> {
        #[derive(Deserialize)]
        struct RawReply {
            #[serde(rename = "Encrypt")]
            encrypt: Option<String>,
            #[serde(rename = "MsgSignature")]
            msg_signature: Option<String>,
            #[serde(rename = "TimeStamp")]
            timestamp: Option<String>,
            #[serde(rename = "Nonce")]
            nonce: Option<String>,
        }
        crate::push::precheck_xml(envelope)?;
        let raw: RawReply = quick_xml::de::from_str(envelope)
            .map_err(|_| CryptoError::BadXml("reply envelope is not well-formed"))?;
        let field = |value: Option<String>, missing: &'static str| {
            value
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
                .ok_or(CryptoError::BadXml(missing))
        };
        let encrypt = field(raw.encrypt, "reply has no Encrypt")?;
        let signature = field(raw.msg_signature, "reply has no MsgSignature")?;
        let timestamp = field(raw.timestamp, "reply has no TimeStamp")?;
        let nonce = field(raw.nonce, "reply has no Nonce")?;
        self.decrypt(&signature, &timestamp, &nonce, &encrypt)
    }

    /// Writes the reply envelope for an already encrypted `encrypt`.
    pub fn reply_envelope(&self, encrypt: &str, timestamp: &str, nonce: &str) -> String {
        let signature = self.signature(timestamp, nonce, encrypt);
        format!(
            "<xml>\n<Encrypt><![CDATA[{encrypt}]]></Encrypt>\n<MsgSignature><![CDATA[{signature}]]></MsgSignature>\n<TimeStamp>{timestamp}</TimeStamp>\n<Nonce><![CDATA[{nonce}]]></Nonce>\n</xml>"
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn crypto() -> MessageCrypto {
        MessageCrypto::new(
            "spamtest",
            "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG",
            "wxcomp",
        )
        .unwrap()
    }

    const TICKET: &str = "<xml><AppId>wxcomp</AppId><CreateTime>1</CreateTime><InfoType>component_verify_ticket</InfoType><ComponentVerifyTicket>ticket@@@t</ComponentVerifyTicket></xml>";

    #[test]
    fn a_built_push_opens_to_the_same_component_push() {
        let c = crypto();
        let push = c.build_push(TICKET, "1700000000", "123456789").unwrap();
        assert_eq!(push.query.encrypt_type, "aes");
        assert_eq!(
            push.query.signature,
            c.plain_signature("1700000000", "123456789")
        );
        assert!(
            push.body
                .starts_with("<xml><AppId><![CDATA[wxcomp]]></AppId>\n<Encrypt><![CDATA[")
        );
        let opened = c.open_component_push(&push.query, &push.body).unwrap();
        assert_eq!(opened, ComponentPush::parse(TICKET).unwrap());
    }

    #[test]
    fn the_query_string_round_trips_through_urlencoding() {
        let push = crypto().build_push(TICKET, "1", "2").unwrap();
        let qs = serde_urlencoded::to_string(&push.query).unwrap();
        assert!(qs.contains("encrypt_type=aes"));
        let parsed: PushQuery = serde_urlencoded::from_str(&format!("{qs}&openid=x")).unwrap();
        assert_eq!(parsed, push.query);
    }

    #[test]
    fn a_push_with_a_missing_msg_signature_is_rejected() {
        let mut push = crypto().build_push(TICKET, "1", "2").unwrap();
        push.query.msg_signature.clear();
        assert_eq!(
            crypto().open_push(&push.query, &push.body),
            Err(CryptoError::MissingParameter("msg_signature"))
        );
    }

    #[test]
    fn a_push_with_another_encrypt_type_is_rejected() {
        let mut push = crypto().build_push(TICKET, "1", "2").unwrap();
        push.query.encrypt_type = "raw".into();
        assert_eq!(
            crypto().open_push(&push.query, &push.body),
            Err(CryptoError::UnsupportedEncryptType)
        );
    }

    #[test]
    fn a_push_for_another_appid_is_rejected() {
        let other = MessageCrypto::new(
            "spamtest",
            "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG",
            "wxother",
        )
        .unwrap();
        let push = other.build_push(TICKET, "1", "2").unwrap();
        assert_eq!(
            crypto().open_push(&push.query, &push.body),
            Err(CryptoError::AppidMismatch {
                found: "wxother".into()
            })
        );
    }

    #[test]
    fn an_encrypted_reply_verifies_with_its_own_signature() {
        let c = crypto();
        let reply = c
            .encrypt_reply("<xml>hi</xml>", "1713424427", "415670741")
            .unwrap();
        let encrypt = reply
            .split("<![CDATA[")
            .nth(1)
            .unwrap()
            .split("]]>")
            .next()
            .unwrap();
        let sig = c.signature("1713424427", "415670741", encrypt);
        assert!(reply.contains(&sig));
        assert_eq!(
            c.decrypt(&sig, "1713424427", "415670741", encrypt).unwrap(),
            "<xml>hi</xml>"
        );
    }

    #[test]
    fn a_reply_opens_with_its_own_signature_and_nothing_else_does() {
        let crypto = crypto();
        let reply =
            "<xml><ToUserName><![CDATA[o]]></ToUserName><Content><![CDATA[hi]]></Content></xml>";
        let envelope = crypto.encrypt_reply(reply, "1700000000", "42").unwrap();
        assert_eq!(crypto.open_reply(&envelope).unwrap(), reply);
        // Another signature, another timestamp, a missing field: refused.
        let forged = envelope.replacen("<MsgSignature><![CDATA[", "<MsgSignature><![CDATA[0", 1);
        assert!(crypto.open_reply(&forged).is_err());
        let moved = envelope.replace(
            "<TimeStamp>1700000000</TimeStamp>",
            "<TimeStamp>1700000001</TimeStamp>",
        );
        assert!(crypto.open_reply(&moved).is_err());
        let without = envelope.replace(
            "<Nonce><![CDATA[42]]></Nonce>",
            "<Nonce><![CDATA[]]></Nonce>",
        );
        assert_eq!(
            crypto.open_reply(&without),
            Err(CryptoError::BadXml("reply has no Nonce"))
        );
        assert!(crypto.open_reply("success").is_err());
    }
}
