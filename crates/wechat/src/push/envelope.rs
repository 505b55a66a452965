//! The outer, encrypted envelope of a push:
//! `<xml><AppId>…</AppId><Encrypt>…</Encrypt></xml>`.
//!
//! Pushes to the platform itself carry `AppId`; message pushes for an
//! authorizer carry `ToUserName` instead. Only `Encrypt` is needed, so both
//! are optional (the official samples wrongly require `ToUserName`).

use super::precheck_xml;
use crate::crypto::CryptoError;
use serde::Deserialize;

/// A parsed push envelope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Envelope {
    /// `AppId`: the component appid (authorization-event URL pushes).
    pub app_id: Option<String>,
    /// `ToUserName`: the authorizer's original id (message URL pushes).
    pub to_user_name: Option<String>,
    /// `Encrypt`: base64 ciphertext.
    pub encrypt: String,
}

#[derive(Deserialize)]
struct RawEnvelope {
    #[serde(rename = "AppId")]
    app_id: Option<String>,
    #[serde(rename = "ToUserName")]
    to_user_name: Option<String>,
    #[serde(rename = "Encrypt")]
    encrypt: Option<String>,
}

impl Envelope {
    /// Parses an envelope body (size-checked, no DTDs).
    pub fn parse(xml: &str) -> Result<Self, CryptoError> {
        precheck_xml(xml)?;
        let raw: RawEnvelope = quick_xml::de::from_str(xml)
            .map_err(|_| CryptoError::BadXml("envelope is not well-formed"))?;
        let encrypt = raw
            .encrypt
            .map(|e| e.trim().to_owned())
            .filter(|e| !e.is_empty())
            .ok_or(CryptoError::BadXml("envelope has no Encrypt"))?;
        Ok(Self {
            app_id: raw.app_id,
            to_user_name: raw.to_user_name,
            encrypt,
        })
    }

    /// Writes the envelope as WeChat sends it (CDATA, newline-separated).
    pub fn to_xml(&self) -> String {
        let mut out = String::from("<xml>");
        if let Some(app_id) = &self.app_id {
            super::xml_out::push_cdata(&mut out, "AppId", app_id);
            out.push('\n');
        }
        if let Some(to) = &self.to_user_name {
            super::xml_out::push_cdata(&mut out, "ToUserName", to);
            out.push('\n');
        }
        super::xml_out::push_cdata(&mut out, "Encrypt", &self.encrypt);
        out.push_str("</xml>");
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_appid_envelope_with_cdata_is_parsed() {
        let xml = "<xml><AppId><![CDATA[wx143f74e55082b8cb]]></AppId>\n<Encrypt><![CDATA[abc+/=]]></Encrypt></xml>";
        let env = Envelope::parse(xml).unwrap();
        assert_eq!(env.app_id.as_deref(), Some("wx143f74e55082b8cb"));
        assert_eq!(env.to_user_name, None);
        assert_eq!(env.encrypt, "abc+/=");
    }

    #[test]
    fn a_tousername_envelope_without_cdata_is_parsed() {
        let xml = "<xml><ToUserName>gh_97417a04a28d</ToUserName><Encrypt>xyz</Encrypt></xml>";
        let env = Envelope::parse(xml).unwrap();
        assert_eq!(env.to_user_name.as_deref(), Some("gh_97417a04a28d"));
        assert_eq!(env.encrypt, "xyz");
    }

    #[test]
    fn an_envelope_without_encrypt_is_rejected() {
        assert_eq!(
            Envelope::parse("<xml><AppId>wx1</AppId></xml>"),
            Err(CryptoError::BadXml("envelope has no Encrypt"))
        );
        assert_eq!(
            Envelope::parse("<xml><Encrypt></Encrypt></xml>"),
            Err(CryptoError::BadXml("envelope has no Encrypt"))
        );
    }

    #[test]
    fn malformed_xml_is_a_bad_xml_error() {
        assert!(matches!(
            Envelope::parse("<xml><Encrypt>abc</xml>"),
            Err(CryptoError::BadXml(_))
        ));
    }

    #[test]
    fn to_xml_round_trips() {
        let env = Envelope {
            app_id: Some("wx1".into()),
            to_user_name: None,
            encrypt: "a+b/c==".into(),
        };
        assert_eq!(Envelope::parse(&env.to_xml()).unwrap(), env);
    }
}
