//! Hostile input at the authorization event URL, over HTTP against the real
//! router: every class of bad push gets a 4xx, nothing is stored, and the
//! server keeps answering. Pushes are built byte by byte here (not with the
//! protocol crate's encoder), so framing the encoder would never produce can
//! be sent: bad padding, lengths, appids, non-UTF-8.
//!
//! A verified push of an InfoType we do not know is not hostile: it is kept
//! and answered `success`, as the reference says.

use aes::Aes256;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use cbc::cipher::block_padding::NoPadding;
use cbc::cipher::{BlockEncryptMut, KeyIvInit};
use sha1::{Digest as _, Sha1};

use crate::component_events::push_event_count;
use crate::helpers::TestApp;
use crate::production::spawn_production_app;

const TIMESTAMP: &str = "1700000000";
const NONCE: &str = "123456";

/// How a hostile push is framed; each field defaults to what WeChat sends.
#[derive(Clone)]
struct Frame {
    message: Vec<u8>,
    /// Overrides the 4-byte length (else the message's length).
    declared_len: Option<u32>,
    /// The appid after the message (else ours).
    appid: Option<Vec<u8>>,
    /// Replaces the whole PKCS#7(32) padding (else correct padding).
    padding: Option<Vec<u8>>,
    /// Cuts the plaintext to this many bytes before padding.
    truncate: Option<usize>,
}

impl Frame {
    fn xml(xml: &str) -> Self {
        Self {
            message: xml.as_bytes().to_vec(),
            declared_len: None,
            appid: None,
            padding: None,
            truncate: None,
        }
    }
}

struct Hostile<'a> {
    app: &'a TestApp,
    key: [u8; 32],
}

impl<'a> Hostile<'a> {
    fn new(app: &'a TestApp) -> Self {
        let key = STANDARD
            .decode(format!("{}=", app.encoding_aes_key))
            .expect("the EncodingAESKey is base64");
        Self {
            app,
            key: key.try_into().expect("32 bytes"),
        }
    }

    /// `Encrypt` for `frame`: AES-256-CBC, IV = first 16 key bytes.
    fn encrypt(&self, frame: &Frame) -> String {
        let mut plain = vec![7u8; 16];
        let len = frame
            .declared_len
            .unwrap_or(u32::try_from(frame.message.len()).unwrap());
        plain.extend_from_slice(&len.to_be_bytes());
        plain.extend_from_slice(&frame.message);
        plain.extend_from_slice(
            frame
                .appid
                .as_deref()
                .unwrap_or(self.app.component_appid.as_bytes()),
        );
        if let Some(n) = frame.truncate {
            plain.truncate(n);
        }
        match &frame.padding {
            Some(padding) => plain.extend_from_slice(padding),
            None => {
                let pad = 32 - plain.len() % 32;
                plain.extend(std::iter::repeat_n(u8::try_from(pad).unwrap(), pad));
            }
        }
        assert_eq!(plain.len() % 16, 0, "whole AES blocks");
        let cipher = cbc::Encryptor::<Aes256>::new(&self.key.into(), (&self.key[..16]).into());
        STANDARD.encode(cipher.encrypt_padded_vec_mut::<NoPadding>(&plain))
    }

    fn signature(&self, timestamp: &str, nonce: &str, encrypt: &str) -> String {
        let mut parts = [self.app.token.as_str(), timestamp, nonce, encrypt];
        parts.sort_unstable();
        hex::encode(Sha1::digest(parts.concat().as_bytes()))
    }

    /// A correctly signed query and envelope around `encrypt`.
    fn signed(&self, encrypt: &str) -> (String, String) {
        let signature = self.signature(TIMESTAMP, NONCE, encrypt);
        (
            format!(
                "timestamp={TIMESTAMP}&nonce={NONCE}&encrypt_type=aes&msg_signature={signature}"
            ),
            envelope(encrypt),
        )
    }

    fn frame(&self, frame: &Frame) -> (String, String) {
        self.signed(&self.encrypt(frame))
    }

    async fn send(&self, query: &str, body: impl Into<reqwest::Body>) -> (u16, String) {
        let response = self
            .app
            .client
            .post(self.app.url(&format!("/wechat/component/events?{query}")))
            .header("content-type", "text/xml")
            .body(body)
            .send()
            .await
            .expect("sent");
        (
            response.status().as_u16(),
            response.text().await.unwrap_or_default(),
        )
    }
}

fn envelope(encrypt: &str) -> String {
    format!("<xml><AppId><![CDATA[x]]></AppId><Encrypt><![CDATA[{encrypt}]]></Encrypt></xml>")
}

/// A push's inner XML with these elements after `<xml>`.
fn inner(elements: &str) -> String {
    format!("<xml>{elements}</xml>")
}

#[tokio::test]
async fn every_class_of_hostile_push_gets_a_4xx_and_stores_nothing() {
    let app = spawn_production_app().await;
    let h = Hostile::new(&app);
    let ours = app.component_appid.clone();
    let ticket = inner(&format!(
        "<AppId><![CDATA[{ours}]]></AppId><CreateTime>1700000000</CreateTime>\
         <InfoType><![CDATA[component_verify_ticket]]></InfoType>\
         <ComponentVerifyTicket><![CDATA[ticket@@@x]]></ComponentVerifyTicket>"
    ));
    let good = Frame::xml(&ticket);
    let (good_query, good_body) = h.frame(&good);
    let good_encrypt = h.encrypt(&good);
    let signature = h.signature(TIMESTAMP, NONCE, &good_encrypt);
    let with_inner = |xml: &str| h.frame(&Frame::xml(xml));
    let authorized_without = |missing: &str| {
        let fields = [
            ("AuthorizerAppid", "wx1234567890abcdef"),
            ("AuthorizationCode", "queryauthcode@@@x"),
            ("AuthorizationCodeExpiredTime", "1700003600"),
        ];
        let rest: String = fields
            .iter()
            .filter(|(name, _)| *name != missing)
            .map(|(name, value)| format!("<{name}><![CDATA[{value}]]></{name}>"))
            .collect();
        inner(&format!(
            "<AppId><![CDATA[{ours}]]></AppId><CreateTime>1700000000</CreateTime>\
             <InfoType><![CDATA[authorized]]></InfoType>{rest}"
        ))
    };
    let bomb = format!(
        "<?xml version=\"1.0\"?><!DOCTYPE xml [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">]>\
         <xml><AppId><![CDATA[{ours}]]></AppId><CreateTime>1</CreateTime>\
         <InfoType><![CDATA[component_verify_ticket]]></InfoType>\
         <ComponentVerifyTicket>&b;</ComponentVerifyTicket></xml>"
    );
    let external = format!(
        "<!DOCTYPE xml [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>\
         <xml><AppId><![CDATA[{ours}]]></AppId><CreateTime>1</CreateTime>\
         <InfoType><![CDATA[component_verify_ticket]]></InfoType>\
         <ComponentVerifyTicket>&x;</ComponentVerifyTicket></xml>"
    );
    // The ticket push, lengthened until its padding is at least 2 bytes, padded by `padding(len)`.
    let padded = |padding: fn(usize) -> Vec<u8>| {
        let mut frame = good.clone();
        let pad_of = |f: &Frame| 32 - (20 + f.message.len() + ours.len()) % 32;
        while pad_of(&frame) < 2 {
            frame.message.push(b' ');
        }
        frame.padding = Some(padding(pad_of(&frame)));
        h.frame(&frame)
    };
    let frame = |f: fn(&mut Frame)| {
        let mut frame = good.clone();
        f(&mut frame);
        h.frame(&frame)
    };

    let mut cases: Vec<(&str, (String, String))> = vec![
        // The query string.
        ("no query at all", (String::new(), good_body.clone())),
        (
            "msg_signature wrong",
            (
                good_query.replace(&signature, &"0".repeat(40)),
                good_body.clone(),
            ),
        ),
        (
            "msg_signature missing",
            (
                good_query.replace(&format!("&msg_signature={signature}"), ""),
                good_body.clone(),
            ),
        ),
        (
            "msg_signature in upper case",
            (
                good_query.replace(&signature, &signature.to_uppercase()),
                good_body.clone(),
            ),
        ),
        (
            "msg_signature truncated",
            (
                good_query.replace(&signature, &signature[..39]),
                good_body.clone(),
            ),
        ),
        (
            "timestamp missing",
            (
                good_query.replace(&format!("timestamp={TIMESTAMP}&"), ""),
                good_body.clone(),
            ),
        ),
        (
            "timestamp altered after signing",
            (
                good_query.replace(TIMESTAMP, "1700000001"),
                good_body.clone(),
            ),
        ),
        (
            "nonce missing",
            (
                good_query.replace(&format!("nonce={NONCE}&"), ""),
                good_body.clone(),
            ),
        ),
        (
            "nonce altered after signing",
            (good_query.replace(NONCE, "654321"), good_body.clone()),
        ),
        (
            "encrypt_type not aes",
            (
                good_query.replace("encrypt_type=aes", "encrypt_type=raw"),
                good_body.clone(),
            ),
        ),
        (
            "a parameter given twice",
            (format!("{good_query}&nonce=1"), good_body.clone()),
        ),
        (
            // (An unknown extra parameter, however encoded, is ignored: WeChat adds some.)
            "a broken percent escape in a signed parameter",
            (good_query.replace(NONCE, "%zz%"), good_body.clone()),
        ),
        // The envelope.
        ("empty body", (good_query.clone(), String::new())),
        ("body not XML", (good_query.clone(), "success".into())),
        (
            "envelope without Encrypt",
            (good_query.clone(), "<xml><AppId>x</AppId></xml>".into()),
        ),
        (
            "envelope with two Encrypt",
            (
                good_query.clone(),
                good_body.replace(
                    "</xml>",
                    &format!("<Encrypt><![CDATA[{good_encrypt}]]></Encrypt></xml>"),
                ),
            ),
        ),
        (
            "envelope with a DTD",
            (
                good_query.clone(),
                format!(
                    "<!DOCTYPE xml [<!ENTITY e \"{good_encrypt}\">]><xml><Encrypt>&e;</Encrypt></xml>"
                ),
            ),
        ),
        (
            "envelope not closed",
            (good_query.clone(), good_body.replace("</xml>", "")),
        ),
        // Encrypt, correctly signed.
        ("Encrypt empty", h.signed("")),
        ("Encrypt not base64", h.signed("not base64!")),
        (
            "Encrypt base64 with a pad character inside",
            h.signed(&format!("{}={}", &good_encrypt[..8], &good_encrypt[8..])),
        ),
        (
            "Encrypt not whole AES blocks",
            h.signed(&STANDARD.encode([1u8; 40])),
        ),
        // The decrypted frame.
        ("a pad byte of 0", padded(|pad| vec![0; pad])),
        ("a pad byte above 32", padded(|pad| vec![33; pad])),
        (
            "padding bytes that disagree",
            padded(|pad| {
                let mut bytes = vec![u8::try_from(pad).unwrap(); pad];
                bytes[0] -= 1;
                bytes
            }),
        ),
        (
            "plaintext shorter than its 20-byte header",
            frame(|f| {
                f.truncate = Some(19);
            }),
        ),
        (
            "declared length beyond the plaintext",
            frame(|f| {
                f.declared_len = Some(u32::MAX);
            }),
        ),
        (
            "another component's appid after the message",
            frame(|f| {
                f.appid = Some(b"wxnotours0000000".to_vec());
            }),
        ),
        (
            "no appid after the message",
            frame(|f| {
                f.appid = Some(Vec::new());
            }),
        ),
        (
            "message not UTF-8",
            frame(|f| {
                f.message = vec![0xff, 0xfe, b'<', b'x'];
            }),
        ),
        // The inner XML.
        (
            "inner XML malformed",
            with_inner("<xml><InfoType>component_verify_ticket</xml>"),
        ),
        ("inner XML with an entity bomb", with_inner(&bomb)),
        ("inner XML with an external entity", with_inner(&external)),
        (
            "inner AppId of another component",
            with_inner(&ticket.replace(&ours, "wxnotours0000000")),
        ),
        (
            "inner AppId missing",
            with_inner(&ticket.replace(&format!("<AppId><![CDATA[{ours}]]></AppId>"), "")),
        ),
        (
            "InfoType missing",
            with_inner(&ticket.replace(
                "<InfoType><![CDATA[component_verify_ticket]]></InfoType>",
                "",
            )),
        ),
        (
            "InfoType given twice",
            with_inner(&ticket.replace("</xml>", "<InfoType>unauthorized</InfoType></xml>")),
        ),
        (
            "CreateTime not a number",
            with_inner(&ticket.replace("1700000000", "soon")),
        ),
        (
            "a ticket push without its ticket",
            with_inner(&ticket.replace(
                "<ComponentVerifyTicket><![CDATA[ticket@@@x]]></ComponentVerifyTicket>",
                "",
            )),
        ),
        (
            "a ticket push with the ticket twice",
            with_inner(&ticket.replace(
                "</xml>",
                "<ComponentVerifyTicket>t2</ComponentVerifyTicket></xml>",
            )),
        ),
        (
            "authorized without AuthorizationCode",
            with_inner(&authorized_without("AuthorizationCode")),
        ),
        (
            "authorized without AuthorizerAppid",
            with_inner(&authorized_without("AuthorizerAppid")),
        ),
        (
            "unauthorized without AuthorizerAppid",
            with_inner(&inner(&format!(
                "<AppId><![CDATA[{ours}]]></AppId><CreateTime>1</CreateTime><InfoType>unauthorized</InfoType>"
            ))),
        ),
    ];
    // Not UTF-8 in the body itself.
    let before = push_event_count(&app).await;
    let (status, _) = h.send(&good_query, vec![0xffu8, 0xfe, 0x00, 0x3c]).await;
    assert!((400..500).contains(&status), "body not UTF-8: {status}");
    let distinct = cases.len() + 1;
    assert!(distinct >= 30, "{distinct} classes");
    for (what, (query, body)) in cases.drain(..) {
        let (status, answer) = h.send(&query, body).await;
        assert!((400..500).contains(&status), "{what}: {status}");
        assert!(
            answer.is_empty() || !answer.contains("success"),
            "{what}: {answer:?}"
        );
    }
    assert_eq!(push_event_count(&app).await, before, "nothing stored");
    // Still serving: the good push is accepted after all that.
    let (status, answer) = h.send(&good_query, good_body).await;
    assert_eq!((status, answer.as_str()), (200, "success"));
    assert_eq!(push_event_count(&app).await, before + 1);
}

#[tokio::test]
async fn a_verified_push_of_an_unknown_info_type_is_kept_and_answered_success() {
    let app = spawn_production_app().await;
    let h = Hostile::new(&app);
    let before = push_event_count(&app).await;
    let (query, body) = h.frame(&Frame::xml(&inner(&format!(
        "<AppId><![CDATA[{}]]></AppId><CreateTime>1700000000</CreateTime>\
         <InfoType><![CDATA[something_new]]></InfoType><Whatever>1</Whatever>",
        app.component_appid
    ))));
    assert_eq!(h.send(&query, body).await, (200, "success".to_owned()));
    assert_eq!(push_event_count(&app).await, before + 1);
}
