use super::*;

/// The documentation's and live captures' examples (see
/// `../shared/wechat-message-gateway.md` §3), as WeChat writes them.
const TEXT: &str = "<xml><ToUserName><![CDATA[gh_3c884a361561]]></ToUserName>\n<FromUserName><![CDATA[ozy4qt5QUADNXORxCVipKMV9dss0]]></FromUserName>\n<CreateTime>1536320605</CreateTime>\n<MsgType><![CDATA[text]]></MsgType>\n<Content><![CDATA[TESTCOMPONENT_MSG_TYPE_TEXT]]></Content>\n<MsgId>6598446755053214075</MsgId>\n</xml>";
const LOCATION: &str = "<xml><ToUserName><![CDATA[toUser]]></ToUserName><FromUserName><![CDATA[fromUser]]></FromUserName><CreateTime>1351776360</CreateTime><MsgType><![CDATA[location]]></MsgType><Location_X>23.134521</Location_X><Location_Y>113.358803</Location_Y><Scale>20</Scale><Label><![CDATA[位置信息]]></Label><MsgId>1234567890123456</MsgId></xml>";
const SUBSCRIBE_QR: &str = "<xml><ToUserName><![CDATA[toUser]]></ToUserName><FromUserName><![CDATA[FromUser]]></FromUserName><CreateTime>123456789</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[subscribe]]></Event><EventKey><![CDATA[qrscene_123123]]></EventKey><Ticket><![CDATA[TICKET]]></Ticket></xml>";
const TEMPLATE_DONE: &str = "<xml><ToUserName><![CDATA[touser]]></ToUserName><FromUserName><![CDATA[fromuser]]></FromUserName><CreateTime>1395658920</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[TEMPLATESENDJOBFINISH]]></Event><MsgID>200163836</MsgID><Status><![CDATA[success]]></Status></xml>";
const NICKNAME_AUDIT: &str = "<xml><ToUserName><![CDATA[gh_fxxxxxxxa4b2]]></ToUserName><FromUserName><![CDATA[odxxxxM-xxxxxxxx-trm4a7apsU8]]></FromUserName><CreateTime>1488800000</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[wxa_nickname_audit]]></Event><ret>2</ret><nickname>昵称</nickname><reason>驳回原因</reason></xml>";
const TEMPSESSION: &str = "<xml><ToUserName><![CDATA[gh_e714f01ae6ad]]></ToUserName>\n<FromUserName><![CDATA[o2Kn-0GB5SOFo4bLtN5v9lO8nStQ]]></FromUserName>\n<CreateTime>1498886986</CreateTime>\n<MsgType><![CDATA[event]]></MsgType>\n<Event><![CDATA[user_enter_tempsession]]></Event>\n<SessionFrom><![CDATA[weapp]]></SessionFrom>\n</xml>";

#[test]
fn a_live_text_message_parses_with_its_64_bit_msg_id_as_text() {
    let message = Message::parse(TEXT).unwrap();
    assert_eq!(message.to_user_name, "gh_3c884a361561");
    assert_eq!(message.from_user_name, "ozy4qt5QUADNXORxCVipKMV9dss0");
    assert_eq!(message.create_time, 1_536_320_605);
    assert_eq!(
        message.kind,
        MessageKind::Text {
            msg_id: Some("6598446755053214075".into()),
            content: "TESTCOMPONENT_MSG_TYPE_TEXT".into()
        }
    );
    assert_eq!(message.msg_type(), "text");
    assert_eq!(message.event(), None);
}

#[test]
fn documented_messages_and_events_parse_into_their_types() {
    assert_eq!(
        Message::parse(LOCATION).unwrap().kind,
        MessageKind::Location {
            msg_id: Some("1234567890123456".into()),
            location_x: "23.134521".into(),
            location_y: "113.358803".into(),
            scale: Some("20".into()),
            label: Some("位置信息".into()),
        }
    );
    let subscribe = Message::parse(SUBSCRIBE_QR).unwrap();
    assert_eq!(subscribe.event(), Some("subscribe"));
    assert_eq!(
        subscribe.kind,
        MessageKind::Event {
            event: Event::Subscribe {
                event_key: Some("qrscene_123123".into()),
                ticket: Some("TICKET".into())
            }
        }
    );
    assert_eq!(
        Message::parse(TEMPLATE_DONE).unwrap().kind,
        MessageKind::Event {
            event: Event::TemplateSendJobFinish {
                msg_id: Some("200163836".into()),
                status: Some("success".into())
            }
        }
    );
    // Lowercase elements without CDATA.
    assert_eq!(
        Message::parse(NICKNAME_AUDIT).unwrap().kind,
        MessageKind::Event {
            event: Event::NicknameAudit {
                ret: Some(2),
                nickname: Some("昵称".into()),
                reason: Some("驳回原因".into())
            }
        }
    );
    assert_eq!(
        Message::parse(TEMPSESSION).unwrap().kind,
        MessageKind::Event {
            event: Event::UserEnterTempsession {
                session_from: Some("weapp".into())
            }
        }
    );
}

#[test]
fn unknown_types_and_events_are_kept_by_name() {
    let other = TEXT.replace("[CDATA[text]]", "[CDATA[newkind]]");
    assert_eq!(
        Message::parse(&other).unwrap().kind,
        MessageKind::Other {
            msg_type: "newkind".into()
        }
    );
    let event = SUBSCRIBE_QR.replace("[CDATA[subscribe]]", "[CDATA[wxa_media_check]]");
    let parsed = Message::parse(&event).unwrap();
    assert_eq!(parsed.event(), Some("wxa_media_check"));
    assert_eq!(
        parsed.kind,
        MessageKind::Event {
            event: Event::Other {
                event: "wxa_media_check".into(),
                event_key: Some("qrscene_123123".into())
            }
        }
    );
}

#[test]
fn a_push_missing_what_makes_it_is_refused() {
    for (xml, why) in [
        (
            TEXT.replace(
                "<Content><![CDATA[TESTCOMPONENT_MSG_TYPE_TEXT]]></Content>",
                "",
            ),
            "Content missing",
        ),
        (
            TEXT.replace(
                "<CreateTime>1536320605</CreateTime>",
                "<CreateTime>soon</CreateTime>",
            ),
            "CreateTime missing or not a number",
        ),
        (
            TEXT.replace("<ToUserName><![CDATA[gh_3c884a361561]]></ToUserName>", ""),
            "ToUserName missing",
        ),
        (
            TEXT.replace(
                "<FromUserName><![CDATA[ozy4qt5QUADNXORxCVipKMV9dss0]]></FromUserName>",
                "",
            ),
            "FromUserName missing",
        ),
        (
            TEXT.replace("<MsgType><![CDATA[text]]></MsgType>", ""),
            "MsgType missing",
        ),
        (
            SUBSCRIBE_QR.replace("<Event><![CDATA[subscribe]]></Event>", ""),
            "Event missing",
        ),
        (
            LOCATION.replace("<Location_X>23.134521</Location_X>", ""),
            "Location_X missing",
        ),
        ("<xml><ToUserName>".to_owned(), "message is not well-formed"),
    ] {
        assert_eq!(
            Message::parse(&xml),
            Err(crate::crypto::CryptoError::BadXml(why)),
            "{xml}"
        );
    }
    // An empty text is still a text.
    let empty = TEXT.replace("TESTCOMPONENT_MSG_TYPE_TEXT", "");
    assert!(
        matches!(Message::parse(&empty).unwrap().kind, MessageKind::Text { content, .. } if content.is_empty())
    );
}

#[test]
fn retries_share_a_key_and_other_users_and_times_do_not() {
    let message = Message::parse(TEXT).unwrap();
    assert_eq!(
        message.dedup_key(),
        "msg:6598446755053214075:ozy4qt5QUADNXORxCVipKMV9dss0:1536320605"
    );
    // The same MsgId from another user at the same time is another message.
    let mut other_user = message.clone();
    other_user.from_user_name = "another".into();
    assert_ne!(other_user.dedup_key(), message.dedup_key());
    let event = Message::parse(SUBSCRIBE_QR).unwrap();
    assert_eq!(
        event.dedup_key(),
        "event:FromUser:123456789:subscribe:qrscene_123123"
    );
    let click = Message::parse(
        &SUBSCRIBE_QR
            .replace("[CDATA[subscribe]]", "[CDATA[CLICK]]")
            .replace("<Ticket><![CDATA[TICKET]]></Ticket>", ""),
    )
    .unwrap();
    assert_eq!(
        click.dedup_key(),
        "event:FromUser:123456789:CLICK:qrscene_123123"
    );
    let unsubscribe =
        Message::parse(&SUBSCRIBE_QR.replace("[CDATA[subscribe]]", "[CDATA[unsubscribe]]"))
            .unwrap();
    assert_eq!(
        unsubscribe.dedup_key(),
        "event:FromUser:123456789:unsubscribe:"
    );
    let other = Message::parse(&TEXT.replace("[CDATA[text]]", "[CDATA[newkind]]")).unwrap();
    assert_eq!(
        other.dedup_key(),
        "other:newkind:ozy4qt5QUADNXORxCVipKMV9dss0:1536320605"
    );
}

#[test]
fn every_known_kind_is_written_as_wechat_writes_it_and_read_back() {
    let base = |kind: MessageKind| Message {
        to_user_name: "gh_abc".into(),
        from_user_name: "o_user".into(),
        create_time: 1_700_000_000,
        kind,
    };
    let id = || Some("9223372036854775807".to_owned());
    let kinds = vec![
        MessageKind::Text {
            msg_id: id(),
            content: "你好 ]]> <b>".into(),
        },
        MessageKind::Image {
            msg_id: id(),
            pic_url: Some("http://p".into()),
            media_id: "m".into(),
        },
        MessageKind::Voice {
            msg_id: id(),
            media_id: "m".into(),
            format: Some("amr".into()),
            recognition: Some("识别".into()),
        },
        MessageKind::Video {
            msg_id: id(),
            media_id: "m".into(),
            thumb_media_id: Some("t".into()),
        },
        MessageKind::ShortVideo {
            msg_id: id(),
            media_id: "m".into(),
            thumb_media_id: Some("t".into()),
        },
        MessageKind::Location {
            msg_id: id(),
            location_x: "23.1".into(),
            location_y: "113.3".into(),
            scale: Some("20".into()),
            label: Some("L".into()),
        },
        MessageKind::Link {
            msg_id: id(),
            title: Some("T".into()),
            description: Some("D".into()),
            url: "http://u".into(),
        },
        MessageKind::MiniProgramPage {
            msg_id: id(),
            title: Some("T".into()),
            app_id: Some("wxmp".into()),
            page_path: Some("pages/a".into()),
            thumb_url: Some("http://t".into()),
            thumb_media_id: Some("tm".into()),
        },
        MessageKind::Event {
            event: Event::Subscribe {
                event_key: None,
                ticket: None,
            },
        },
        MessageKind::Event {
            event: Event::Unsubscribe,
        },
        MessageKind::Event {
            event: Event::Scan {
                event_key: Some("123".into()),
                ticket: Some("T".into()),
            },
        },
        MessageKind::Event {
            event: Event::Location {
                latitude: "23.137466".into(),
                longitude: "113.352425".into(),
                precision: Some("119.385040".into()),
            },
        },
        MessageKind::Event {
            event: Event::Click {
                event_key: Some("K".into()),
            },
        },
        MessageKind::Event {
            event: Event::View {
                event_key: Some("http://v".into()),
                menu_id: Some("428796990".into()),
            },
        },
        MessageKind::Event {
            event: Event::TemplateSendJobFinish {
                msg_id: Some("1".into()),
                status: Some("success".into()),
            },
        },
        MessageKind::Event {
            event: Event::WeappAuditSuccess { succ_time: Some(1) },
        },
        MessageKind::Event {
            event: Event::WeappAuditFail {
                reason: Some("r".into()),
                fail_time: Some(2),
                screen_shot: Some("a|b".into()),
            },
        },
        MessageKind::Event {
            event: Event::WeappAuditDelay {
                reason: Some("r".into()),
                delay_time: Some(3),
            },
        },
        MessageKind::Event {
            event: Event::UserEnterTempsession {
                session_from: Some("weapp".into()),
            },
        },
        MessageKind::Event {
            event: Event::NicknameAudit {
                ret: Some(3),
                nickname: Some("n".into()),
                reason: Some("ok".into()),
            },
        },
        MessageKind::Event {
            event: Event::Other {
                event: "custom".into(),
                event_key: Some("k".into()),
            },
        },
    ];
    for kind in kinds {
        let message = base(kind);
        let xml = message.to_xml();
        assert_eq!(Message::parse(&xml).unwrap(), message, "{xml}");
    }
}

#[test]
fn the_json_for_backends_names_the_type_and_event_beside_the_fields() {
    let json = serde_json::to_value(Message::parse(TEXT).unwrap()).unwrap();
    assert_eq!(json["msg_type"], "text");
    assert_eq!(json["content"], "TESTCOMPONENT_MSG_TYPE_TEXT");
    assert_eq!(json["msg_id"], "6598446755053214075");
    assert_eq!(json["from_user_name"], "ozy4qt5QUADNXORxCVipKMV9dss0");
    let json = serde_json::to_value(Message::parse(SUBSCRIBE_QR).unwrap()).unwrap();
    assert_eq!(json["msg_type"], "event");
    assert_eq!(json["event"], "subscribe");
    assert_eq!(json["event_key"], "qrscene_123123");
    let other =
        Message::parse(&SUBSCRIBE_QR.replace("[CDATA[subscribe]]", "[CDATA[custom]]")).unwrap();
    let json = serde_json::to_value(other).unwrap();
    assert_eq!(
        (json["msg_type"].as_str(), json["event"].as_str()),
        (Some("event"), Some("custom"))
    );
    let unknown = Message::parse(&TEXT.replace("[CDATA[text]]", "[CDATA[newkind]]")).unwrap();
    assert_eq!(
        serde_json::to_value(unknown).unwrap()["msg_type"],
        "newkind"
    );
}

#[test]
fn a_text_reply_swaps_the_users_and_reads_back_as_the_text_it_is() {
    let reply = Reply::Text {
        content: "TESTCOMPONENT_MSG_TYPE_TEXT_callback".into(),
    };
    let xml = reply.to_xml("o_user", "gh_abc", 7);
    let read = Message::parse(&xml).unwrap();
    assert_eq!(
        (
            read.to_user_name.as_str(),
            read.from_user_name.as_str(),
            read.create_time
        ),
        ("o_user", "gh_abc", 7)
    );
    assert_eq!(
        read.kind,
        MessageKind::Text {
            msg_id: None,
            content: "TESTCOMPONENT_MSG_TYPE_TEXT_callback".into()
        }
    );
}

#[test]
fn every_reply_type_writes_its_nested_elements() {
    let cases: Vec<(&str, &str)> = vec![
        (
            r#"{"type":"image","media_id":"M1"}"#,
            "<Image><MediaId><![CDATA[M1]]></MediaId></Image>",
        ),
        (
            r#"{"type":"voice","media_id":"M2"}"#,
            "<Voice><MediaId><![CDATA[M2]]></MediaId></Voice>",
        ),
        (
            r#"{"type":"video","media_id":"M3","title":"T"}"#,
            "<Video><MediaId><![CDATA[M3]]></MediaId><Title><![CDATA[T]]></Title></Video>",
        ),
        (
            r#"{"type":"music","thumb_media_id":"TM","music_url":"http://m"}"#,
            "<Music><MusicUrl><![CDATA[http://m]]></MusicUrl><ThumbMediaId><![CDATA[TM]]></ThumbMediaId></Music>",
        ),
        (
            r#"{"type":"news","articles":[{"title":"A","url":"http://a"}]}"#,
            "<ArticleCount>1</ArticleCount>\n<Articles><item><Title><![CDATA[A]]></Title><Url><![CDATA[http://a]]></Url></item></Articles>",
        ),
        (
            r#"{"type":"transfer_customer_service","kf_account":"kf1@gh"}"#,
            "<MsgType><![CDATA[transfer_customer_service]]></MsgType>\n<TransInfo><KfAccount><![CDATA[kf1@gh]]></KfAccount></TransInfo>",
        ),
    ];
    for (json, expected) in cases {
        let reply: Reply = serde_json::from_str(json).unwrap();
        assert_eq!(reply.validate(), Ok(()));
        let xml = reply.to_xml("o", "gh", 1);
        assert!(xml.contains(expected), "{json}: {xml}");
    }
}

#[test]
fn replies_wechat_would_refuse_are_refused_here() {
    let articles = |n: usize| Reply::News {
        articles: (0..n)
            .map(|i| Article {
                title: format!("{i}"),
                description: None,
                pic_url: None,
                url: "http://a".into(),
            })
            .collect(),
    };
    assert_eq!(articles(0).validate(), Err(ReplyError::ArticleCount(0)));
    assert_eq!(articles(8).validate(), Ok(()));
    assert_eq!(articles(9).validate(), Err(ReplyError::ArticleCount(9)));
    assert_eq!(
        Reply::Text {
            content: " ".into()
        }
        .validate(),
        Err(ReplyError::EmptyText)
    );
    assert_eq!(
        Reply::Text {
            content: "好".into()
        }
        .validate(),
        Ok(())
    );
    assert_eq!(
        Reply::Image {
            media_id: "".into()
        }
        .validate(),
        Err(ReplyError::NoMedia)
    );
    assert_eq!(
        Reply::Voice {
            media_id: "".into()
        }
        .validate(),
        Err(ReplyError::NoMedia)
    );
    assert_eq!(
        Reply::Video {
            media_id: "".into(),
            title: None,
            description: None
        }
        .validate(),
        Err(ReplyError::NoMedia)
    );
    assert!(serde_json::from_str::<Reply>(r#"{"type":"text","content":"x","extra":1}"#).is_err());
    assert!(serde_json::from_str::<Reply>(r#"{"type":"json"}"#).is_err());
}
