//! Decrypted pushes as operators may see them: every ticket, code and token
//! masked (their length kept), everything else as WeChat sent it.

use quick_xml::events::{BytesText, Event};
use quick_xml::{Reader, Writer};

use super::precheck_xml;
use crate::crypto::CryptoError;

/// Whether an element carries a secret: tickets, codes and tokens, whatever
/// the push (component pushes, fast registration, message pushes).
fn secret_element(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    ["ticket", "code", "token", "secret", "password"]
        .iter()
        .any(|word| lower.contains(word))
}

/// A masked value: its first four characters when it is long enough to
/// recognise (prefixes such as `queryauthcode@@@` name the kind, not the
/// secret), then `•` for the rest, with the length.
fn mask(value: &str) -> String {
    let chars = value.chars().count();
    if chars <= 8 {
        return format!("••• ({chars})");
    }
    let shown: String = value.chars().take(4).collect();
    format!("{shown}••• ({chars})")
}

/// `xml` with the text of every secret element masked. Refuses what the
/// push parser refuses (size, DTDs) and malformed XML.
pub fn masked_xml(xml: &str) -> Result<String, CryptoError> {
    precheck_xml(xml)?;
    let mut reader = Reader::from_str(xml);
    let mut writer = Writer::new(Vec::new());
    let mut stack: Vec<String> = Vec::new();
    loop {
        let event = reader
            .read_event()
            .map_err(|_| CryptoError::BadXml("push is not well-formed"))?;
        let secret = stack.last().is_some_and(|name| secret_element(name));
        let out = match event {
            Event::Eof => break,
            Event::Start(start) => {
                stack.push(String::from_utf8_lossy(start.name().as_ref()).into_owned());
                Event::Start(start)
            }
            Event::End(end) => {
                stack.pop();
                Event::End(end)
            }
            Event::Text(text) if secret && !text.iter().all(u8::is_ascii_whitespace) => {
                let value = text
                    .decode()
                    .map_err(|_| CryptoError::BadXml("push is not well-formed"))?;
                Event::Text(BytesText::new(&mask(value.trim())).into_owned())
            }
            // An entity inside a secret (`&amp;`) would show a character of it.
            Event::GeneralRef(_) if secret => continue,
            Event::CData(data) if secret => {
                let value = String::from_utf8_lossy(&data).into_owned();
                Event::Text(BytesText::new(&mask(&value)).into_owned())
            }
            other => other,
        };
        writer
            .write_event(out)
            .map_err(|_| CryptoError::BadXml("push is not well-formed"))?;
    }
    String::from_utf8(writer.into_inner()).map_err(|_| CryptoError::NotUtf8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tickets_codes_and_tokens_are_masked_and_the_rest_is_kept() {
        let xml = "<xml><AppId><![CDATA[wxc]]></AppId><CreateTime>1</CreateTime>\
                   <InfoType><![CDATA[authorized]]></InfoType>\
                   <AuthorizationCode><![CDATA[queryauthcode@@@secretsecret]]></AuthorizationCode>\
                   <PreAuthCode>preauthcode@@@abcdef</PreAuthCode>\
                   <ComponentVerifyTicket>ticket@@@xyz</ComponentVerifyTicket></xml>";
        let masked = masked_xml(xml).unwrap();
        for secret in ["secretsecret", "abcdef", "xyz"] {
            assert!(!masked.contains(secret), "{masked}");
        }
        assert!(
            masked.contains("<AppId><![CDATA[wxc]]></AppId>"),
            "{masked}"
        );
        assert!(masked.contains("<InfoType><![CDATA[authorized]]></InfoType>"));
        assert!(
            masked.contains("<AuthorizationCode>quer••• (28)</AuthorizationCode>"),
            "{masked}"
        );
        assert!(masked.contains("<ComponentVerifyTicket>tick••• (12)</ComponentVerifyTicket>"));
    }

    #[test]
    fn nested_and_short_secrets_are_masked_and_bad_xml_is_refused() {
        let xml = "<xml><info><code>91310000</code><name>某公司</name></info><auth_code>abc</auth_code></xml>";
        let masked = masked_xml(xml).unwrap();
        assert!(masked.contains("<code>••• (8)</code>") && masked.contains("<name>某公司</name>"));
        assert!(masked.contains("<auth_code>••• (3)</auth_code>"));
        assert!(masked_xml("<xml><a></xml>").is_err());
        assert!(masked_xml("<!DOCTYPE x><xml/>").is_err());
    }
}
