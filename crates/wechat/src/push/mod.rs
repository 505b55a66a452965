//! Push messages at the authorization-event URL: the encrypted envelope
//! ([`Envelope`]) and the decrypted component pushes ([`ComponentPush`]):
//! `component_verify_ticket`, `authorized`, `updateauthorized`,
//! `unauthorized`, `notify_third_fasteregister`, and any other InfoType kept
//! as raw XML.
//!
//! XML is read with quick-xml's serde support, which neither reads DTDs nor
//! expands custom entities; on top of that any `<!DOCTYPE`/`<!ENTITY`
//! declaration is rejected outright, and input is size-checked before
//! parsing ([`MAX_XML_LEN`]).

mod component;
mod envelope;
mod masked;
pub(crate) mod xml_out;

pub use component::{ComponentPush, FastRegisterInfo};
pub use envelope::Envelope;
pub use masked::masked_xml;

use crate::crypto::CryptoError;

/// Largest XML document accepted (bytes), envelope or decrypted push.
pub const MAX_XML_LEN: usize = 64 * 1024;

/// The checks every XML input passes before quick-xml sees it: the size
/// limit, and no markup declarations. CDATA sections and comments are the
/// only `<!` constructs a push may contain.
pub(crate) fn precheck_xml(xml: &str) -> Result<(), CryptoError> {
    if xml.len() > MAX_XML_LEN {
        return Err(CryptoError::TooLarge { limit: MAX_XML_LEN });
    }
    // Walk the `<!` constructs, skipping over the contents of CDATA sections
    // and comments (which may legitimately contain `<!`).
    let mut rest = xml;
    while let Some(at) = rest.find("<!") {
        let tail = &rest[at + 2..];
        let (open, close) = if tail.starts_with("[CDATA[") {
            ("[CDATA[", "]]>")
        } else if tail.starts_with("--") {
            ("--", "-->")
        } else {
            return Err(CryptoError::BadXml("DTD or markup declaration not allowed"));
        };
        let body = &tail[open.len()..];
        match body.find(close) {
            Some(end) => rest = &body[end + close.len()..],
            // Unterminated: quick-xml will reject it as malformed.
            None => return Ok(()),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doctype_and_entity_declarations_are_rejected_before_parsing() {
        let bomb = r#"<!DOCTYPE xml [<!ENTITY a "aaaa">]><xml><AppId>&a;</AppId></xml>"#;
        assert_eq!(
            precheck_xml(bomb),
            Err(CryptoError::BadXml("DTD or markup declaration not allowed"))
        );
    }

    #[test]
    fn markup_inside_cdata_is_content_not_a_declaration() {
        assert!(precheck_xml("<xml><A><![CDATA[<!DOCTYPE x>]]></A></xml>").is_ok());
        assert!(precheck_xml("<xml><A><![CDATA[x]]></A><!DOCTYPE x></xml>").is_err());
    }

    #[test]
    fn cdata_and_comments_pass_the_precheck() {
        assert!(precheck_xml("<xml><!-- c --><A><![CDATA[x]]></A></xml>").is_ok());
    }

    #[test]
    fn the_size_limit_is_64_kib_and_holds_at_its_edge() {
        // Message pushes with long texts run to tens of KiB: 60 KiB passes.
        let at_limit = format!("<xml>{}</xml>", "a".repeat(64 * 1024 - 11));
        assert_eq!(at_limit.len(), 64 * 1024);
        assert_eq!(precheck_xml(&at_limit), Ok(()));
        let over = format!("<xml>{}</xml>", "a".repeat(64 * 1024 - 10));
        assert_eq!(
            precheck_xml(&over),
            Err(CryptoError::TooLarge { limit: 64 * 1024 })
        );
    }

    #[test]
    fn oversized_input_is_rejected_before_parsing() {
        let big = format!("<xml>{}</xml>", "a".repeat(MAX_XML_LEN));
        assert_eq!(
            precheck_xml(&big),
            Err(CryptoError::TooLarge { limit: MAX_XML_LEN })
        );
    }
}

#[cfg(test)]
mod proptests {
    use super::*;
    use proptest::prelude::*;

    /// Strings built from XML-ish fragments reach deeper into the parser
    /// than uniformly random text.
    fn xmlish() -> impl Strategy<Value = String> {
        let fragment = prop_oneof![
            Just("<xml>".to_owned()),
            Just("</xml>".to_owned()),
            Just("<InfoType>".to_owned()),
            Just("</InfoType>".to_owned()),
            Just("component_verify_ticket".to_owned()),
            Just("authorized".to_owned()),
            Just("notify_third_fasteregister".to_owned()),
            Just("<CreateTime>1</CreateTime>".to_owned()),
            Just("<AppId><![CDATA[wx]]></AppId>".to_owned()),
            Just("<info><name>n</name></info>".to_owned()),
            Just("<Encrypt>".to_owned()),
            Just("</Encrypt>".to_owned()),
            Just("<![CDATA[".to_owned()),
            Just("]]>".to_owned()),
            Just("&amp;&#x41;&bogus;".to_owned()),
            "[a-z<>/!\\[\\]&;=\" ]{0,8}",
        ];
        prop::collection::vec(fragment, 0..24).prop_map(|parts| parts.concat())
    }

    proptest! {
        #[test]
        fn parsing_arbitrary_text_never_panics(text in any::<String>()) {
            let _ = Envelope::parse(&text);
            let _ = ComponentPush::parse(&text);
        }

        #[test]
        fn parsing_xml_like_text_never_panics_and_keeps_unknown_types(text in xmlish()) {
            let _ = Envelope::parse(&text);
            if let Ok(ComponentPush::Unknown { raw_xml, .. }) = ComponentPush::parse(&text) {
                prop_assert_eq!(raw_xml, text);
            }
        }
    }
}
