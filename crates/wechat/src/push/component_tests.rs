//! Parsing and writing of decrypted component pushes, with the live and
//! documented samples from the reference.

use super::*;

const TICKET_LIVE: &str = "<xml>\n<AppId><![CDATA[wx6a5c7b3deae109fb]]></AppId>\n<CreateTime>1472650983</CreateTime>\n<InfoType><![CDATA[component_verify_ticket]]></InfoType>\n<ComponentVerifyTicket><![CDATA[ticket@@@sTomyzl5DKMWHThgtqtIrAGsaCSAA5cVNww7rLkIqlABZC00xEDHZnRLiE2-bXsh18toLc6HTZ2rI4uvBJbvHQ]]></ComponentVerifyTicket>\n</xml>";

#[test]
fn a_live_ticket_push_with_cdata_is_parsed() {
    let push = ComponentPush::parse(TICKET_LIVE).unwrap();
    let ComponentPush::VerifyTicket {
        app_id,
        create_time,
        ticket,
    } = push
    else {
        panic!("not a ticket push");
    };
    assert_eq!(app_id, "wx6a5c7b3deae109fb");
    assert_eq!(create_time, 1472650983);
    assert!(ticket.expose().starts_with("ticket@@@sTomyzl5"));
}

#[test]
fn a_documented_ticket_push_without_cdata_is_parsed() {
    let xml = "<xml><AppId>wxabc</AppId><CreateTime>1413192605</CreateTime><InfoType>component_verify_ticket</InfoType><ComponentVerifyTicket>ticket@@@x</ComponentVerifyTicket></xml>";
    assert_eq!(
        ComponentPush::parse(xml).unwrap(),
        ComponentPush::VerifyTicket {
            app_id: "wxabc".into(),
            create_time: 1413192605,
            ticket: "ticket@@@x".into(),
        }
    );
}

#[test]
fn an_authorized_push_is_parsed_with_all_fields() {
    let xml = "<xml>\n<AppId><![CDATA[wxc]]></AppId>\n<CreateTime>1413192760</CreateTime>\n<InfoType><![CDATA[authorized]]></InfoType>\n<AuthorizerAppid><![CDATA[wxa]]></AuthorizerAppid>\n<AuthorizationCode><![CDATA[queryauthcode@@@q]]></AuthorizationCode>\n<AuthorizationCodeExpiredTime>1413196360</AuthorizationCodeExpiredTime>\n<PreAuthCode><![CDATA[preauthcode@@@p]]></PreAuthCode>\n</xml>";
    assert_eq!(
        ComponentPush::parse(xml).unwrap(),
        ComponentPush::Authorized {
            app_id: "wxc".into(),
            create_time: 1413192760,
            authorizer_appid: "wxa".into(),
            authorization_code: "queryauthcode@@@q".into(),
            authorization_code_expired_time: 1413196360,
            pre_auth_code: Some("preauthcode@@@p".into()),
        }
    );
}

#[test]
fn an_updateauthorized_push_without_preauthcode_is_accepted() {
    let xml = "<xml><AppId>wxc</AppId><CreateTime>1572001402</CreateTime><InfoType>updateauthorized</InfoType><AuthorizerAppid>wxa</AuthorizerAppid><AuthorizationCode>queryauthcode@@@q</AuthorizationCode><AuthorizationCodeExpiredTime>1572005002</AuthorizationCodeExpiredTime></xml>";
    let push = ComponentPush::parse(xml).unwrap();
    assert!(matches!(
        push,
        ComponentPush::UpdateAuthorized {
            pre_auth_code: None,
            authorization_code_expired_time: 1572005002,
            ..
        }
    ));
}

#[test]
fn a_live_unauthorized_push_is_parsed() {
    let xml = "<xml>\n<AppId><![CDATA[wx6a5c7b3deae109fb]]></AppId>\n<CreateTime>1472651234</CreateTime>\n<InfoType><![CDATA[unauthorized]]></InfoType>\n<AuthorizerAppid><![CDATA[wx0a73c7ae093b4842]]></AuthorizerAppid>\n</xml>";
    assert_eq!(
        ComponentPush::parse(xml).unwrap(),
        ComponentPush::Unauthorized {
            app_id: "wx6a5c7b3deae109fb".into(),
            create_time: 1472651234,
            authorizer_appid: "wx0a73c7ae093b4842".into(),
        }
    );
}

#[test]
fn a_fast_registration_result_with_info_is_parsed() {
    let xml = "<xml>\n<AppId><![CDATA[wxc]]></AppId>\n<CreateTime>1535442403</CreateTime>\n<InfoType><![CDATA[notify_third_fasteregister]]></InfoType>\n<appid>wxnew</appid>\n<status>0</status>\n<auth_code>queryauthcode@@@x</auth_code>\n<msg>OK</msg>\n<info>\n<name><![CDATA[企业名称]]></name>\n<code><![CDATA[企业代码]]></code>\n<code_type>1</code_type>\n<legal_persona_wechat><![CDATA[法人微信号]]></legal_persona_wechat>\n<legal_persona_name><![CDATA[法人姓名]]></legal_persona_name>\n<component_phone><![CDATA[123]]></component_phone>\n</info>\n</xml>";
    let ComponentPush::FastRegister {
        appid,
        status,
        auth_code,
        msg,
        info,
        ..
    } = ComponentPush::parse(xml).unwrap()
    else {
        panic!("not a fast-registration push");
    };
    assert_eq!(appid.as_deref(), Some("wxnew"));
    assert_eq!(status, 0);
    assert_eq!(auth_code.unwrap().expose(), "queryauthcode@@@x");
    assert_eq!(msg.as_deref(), Some("OK"));
    let info = info.unwrap();
    assert_eq!(info.name.as_deref(), Some("企业名称"));
    assert_eq!(info.code_type.as_deref(), Some("1"));
}

#[test]
fn a_failed_fast_registration_without_appid_is_parsed() {
    let xml = "<xml><AppId><![CDATA[wxc]]></AppId><CreateTime>1</CreateTime><InfoType><![CDATA[notify_third_fasteregister]]></InfoType><status>-1</status><msg><![CDATA[open verity failed]]></msg><info><name><![CDATA[n]]></name><taskid>t</taskid></info></xml>";
    let push = ComponentPush::parse(xml).unwrap();
    assert!(matches!(
        push,
        ComponentPush::FastRegister {
            appid: None,
            status: -1,
            auth_code: None,
            ..
        }
    ));
}

#[test]
fn an_unknown_info_type_is_kept_with_its_raw_xml() {
    let xml = "<xml><AppId>wxc</AppId><CreateTime>1</CreateTime><InfoType>notify_icpfiling_verify_result</InfoType><task><id>1</id></task></xml>";
    assert_eq!(
        ComponentPush::parse(xml).unwrap(),
        ComponentPush::Unknown {
            info_type: "notify_icpfiling_verify_result".into(),
            raw_xml: xml.into(),
        }
    );
}

#[test]
fn a_push_without_info_type_is_rejected() {
    assert_eq!(
        ComponentPush::parse("<xml><AppId>wxc</AppId></xml>"),
        Err(CryptoError::BadXml("push has no InfoType"))
    );
}

#[test]
fn a_non_numeric_create_time_is_rejected_without_echoing_the_value() {
    let xml = "<xml><AppId>wxc</AppId><CreateTime>soon</CreateTime><InfoType>component_verify_ticket</InfoType><ComponentVerifyTicket>t</ComponentVerifyTicket></xml>";
    let err = ComponentPush::parse(xml).unwrap_err();
    assert_eq!(
        err,
        CryptoError::BadXml("CreateTime missing or not a number")
    );
    assert!(!err.to_string().contains("soon"));
}

#[test]
fn a_ticket_push_without_the_ticket_is_rejected() {
    let xml = "<xml><AppId>wxc</AppId><CreateTime>1</CreateTime><InfoType>component_verify_ticket</InfoType></xml>";
    assert_eq!(
        ComponentPush::parse(xml),
        Err(CryptoError::BadXml("ComponentVerifyTicket missing"))
    );
}

#[test]
fn every_known_push_round_trips_through_to_xml() {
    let pushes = [
        ComponentPush::parse(TICKET_LIVE).unwrap(),
        ComponentPush::Authorized {
            app_id: "wxc".into(),
            create_time: 10,
            authorizer_appid: "wxa".into(),
            authorization_code: "queryauthcode@@@]]>tricky".into(),
            authorization_code_expired_time: 3610,
            pre_auth_code: Some("preauthcode@@@p".into()),
        },
        ComponentPush::UpdateAuthorized {
            app_id: "wxc".into(),
            create_time: 10,
            authorizer_appid: "wxa".into(),
            authorization_code: "c".into(),
            authorization_code_expired_time: 3610,
            pre_auth_code: None,
        },
        ComponentPush::Unauthorized {
            app_id: "wxc".into(),
            create_time: 10,
            authorizer_appid: "wxa".into(),
        },
        ComponentPush::FastRegister {
            app_id: "wxc".into(),
            create_time: 10,
            appid: Some("wxnew".into()),
            status: 0,
            auth_code: Some("queryauthcode@@@x".into()),
            msg: Some("OK".into()),
            info: Some(FastRegisterInfo {
                name: Some("公司 & <Co>".into()),
                code_type: Some("1".into()),
                ..FastRegisterInfo::default()
            }),
        },
    ];
    for push in pushes {
        let xml = push.to_xml();
        assert_eq!(ComponentPush::parse(&xml).unwrap(), push, "{xml}");
    }
}

#[test]
fn to_xml_writes_strings_in_cdata_and_numbers_bare() {
    let push = ComponentPush::Unauthorized {
        app_id: "wxc".into(),
        create_time: 1472651234,
        authorizer_appid: "wxa".into(),
    };
    assert_eq!(
        push.to_xml(),
        "<xml>\n<AppId><![CDATA[wxc]]></AppId>\n<CreateTime>1472651234</CreateTime>\n<InfoType><![CDATA[unauthorized]]></InfoType>\n<AuthorizerAppid><![CDATA[wxa]]></AuthorizerAppid>\n</xml>"
    );
}

#[test]
fn debug_output_of_a_push_hides_tickets_and_codes() {
    let push = ComponentPush::parse(TICKET_LIVE).unwrap();
    assert!(!format!("{push:?}").contains("sTomyzl5"));
}

mod roundtrip {
    use super::*;
    use proptest::prelude::*;

    /// Values as parsing leaves them: non-empty, no surrounding whitespace,
    /// and no line-break characters that XML parsing normalizes to `\n`
    /// (`\r`, U+0085, U+2028), which never occur in WeChat's values.
    fn value() -> impl Strategy<Value = String> {
        any::<String>().prop_filter_map("trimmed, non-empty, no normalized breaks", |s| {
            let t = s.trim();
            let normalized = t.contains(['\r', '\u{85}', '\u{2028}']);
            (!t.is_empty() && !normalized).then(|| t.to_owned())
        })
    }

    fn push() -> impl Strategy<Value = ComponentPush> {
        prop_oneof![
            (value(), any::<i64>(), value()).prop_map(|(app_id, create_time, t)| {
                ComponentPush::VerifyTicket {
                    app_id,
                    create_time,
                    ticket: t.into(),
                }
            }),
            (
                value(),
                any::<i64>(),
                value(),
                value(),
                any::<i64>(),
                proptest::option::of(value())
            )
                .prop_map(|(app_id, create_time, a, c, e, p)| {
                    ComponentPush::Authorized {
                        app_id,
                        create_time,
                        authorizer_appid: a,
                        authorization_code: c.into(),
                        authorization_code_expired_time: e,
                        pre_auth_code: p.map(Secret::from),
                    }
                }),
            (value(), any::<i64>(), value()).prop_map(|(app_id, create_time, a)| {
                ComponentPush::Unauthorized {
                    app_id,
                    create_time,
                    authorizer_appid: a,
                }
            }),
            (
                value(),
                any::<i64>(),
                any::<i64>(),
                proptest::option::of(value()),
                proptest::option::of(value())
            )
                .prop_map(|(app_id, create_time, status, msg, name)| {
                    ComponentPush::FastRegister {
                        app_id,
                        create_time,
                        appid: None,
                        status,
                        auth_code: None,
                        msg,
                        info: name.map(|n| FastRegisterInfo {
                            name: Some(n),
                            ..FastRegisterInfo::default()
                        }),
                    }
                }),
        ]
    }

    proptest! {
        #[test]
        fn any_push_round_trips_through_to_xml(push in push()) {
            let xml = push.to_xml();
            prop_assert_eq!(ComponentPush::parse(&xml).unwrap(), push);
        }
    }
}

#[test]
fn app_id_is_the_component_appid_of_every_known_push_and_none_for_unknown_ones() {
    let authorized = "<xml><AppId>wxc</AppId><CreateTime>1</CreateTime><InfoType>authorized</InfoType>\
        <AuthorizerAppid>wxa</AuthorizerAppid><AuthorizationCode>c</AuthorizationCode>\
        <AuthorizationCodeExpiredTime>2</AuthorizationCodeExpiredTime></xml>";
    let known = [
        TICKET_LIVE.replace("wx6a5c7b3deae109fb", "wxc"),
        authorized.to_owned(),
        authorized.replace(">authorized<", ">updateauthorized<"),
        "<xml><AppId>wxc</AppId><CreateTime>1</CreateTime><InfoType>unauthorized</InfoType>\
         <AuthorizerAppid>wxa</AuthorizerAppid></xml>"
            .to_owned(),
        "<xml><AppId>wxc</AppId><CreateTime>1</CreateTime>\
         <InfoType>notify_third_fasteregister</InfoType><status>0</status></xml>"
            .to_owned(),
    ];
    for xml in &known {
        let push = ComponentPush::parse(xml).unwrap();
        assert_eq!(push.app_id(), Some("wxc"), "{}", push.info_type());
    }
    let unknown = ComponentPush::parse(
        "<xml><AppId>wxc</AppId><CreateTime>1</CreateTime><InfoType>new</InfoType></xml>",
    )
    .unwrap();
    assert_eq!(unknown.app_id(), None);
}
