use super::*;

fn form() -> RegistrationForm {
    RegistrationForm {
        name: " 深圳快注科技有限公司 ".into(),
        code: "91440300ma5d8kxy4a".into(),
        code_type: 1,
        legal_persona_wechat: " zhang_san88 ".into(),
        legal_persona_name: "张三".into(),
        component_phone: Some("  ".into()),
    }
}

#[test]
fn a_form_is_trimmed_and_its_code_normalized() {
    let valid = form().validate().unwrap();
    assert_eq!(valid.name, "深圳快注科技有限公司");
    assert_eq!(valid.code, "91440300MA5D8KXY4A");
    assert_eq!(valid.legal_persona_wechat, "zhang_san88");
    assert_eq!(valid.component_phone, None, "blank phone left out");
    let with_phone = RegistrationForm {
        component_phone: Some("+86 138-0013-8000".into()),
        ..form()
    };
    assert_eq!(
        with_phone.validate().unwrap().component_phone.as_deref(),
        Some("+86 138-0013-8000")
    );
}

#[test]
fn each_bad_field_is_named_with_words_for_people() {
    let cases: [(RegistrationForm, Field); 9] = [
        (
            RegistrationForm {
                name: "  ".into(),
                ..form()
            },
            Field::Name,
        ),
        (
            RegistrationForm {
                name: "名".repeat(101),
                ..form()
            },
            Field::Name,
        ),
        (
            RegistrationForm {
                code_type: 9,
                ..form()
            },
            Field::CodeType,
        ),
        (
            RegistrationForm {
                code: "123".into(),
                ..form()
            },
            Field::Code,
        ),
        (
            RegistrationForm {
                code: "91440300MA5D8KXY4A".into(),
                code_type: 3,
                ..form()
            },
            Field::Code,
        ),
        (
            RegistrationForm {
                legal_persona_wechat: "a b".into(),
                ..form()
            },
            Field::LegalPersonaWechat,
        ),
        (
            RegistrationForm {
                legal_persona_wechat: "x".repeat(65),
                ..form()
            },
            Field::LegalPersonaWechat,
        ),
        (
            RegistrationForm {
                legal_persona_name: " ".into(),
                ..form()
            },
            Field::LegalPersonaName,
        ),
        (
            RegistrationForm {
                component_phone: Some("call me".into()),
                ..form()
            },
            Field::ComponentPhone,
        ),
    ];
    for (form, field) in cases {
        let err = form.validate().unwrap_err();
        assert_eq!(err.field, field, "{form:?}");
        assert!(!err.zh.is_empty() && !err.en.is_empty());
    }
    let org = RegistrationForm {
        code: "12345678-9".into(),
        code_type: 2,
        ..form()
    };
    assert!(org.validate().is_ok());
    let org_bad = RegistrationForm {
        code_type: 2,
        ..form()
    };
    assert!(org_bad.validate().unwrap_err().zh.contains("12345678-9"));
    assert_eq!(Field::LegalPersonaWechat.name(), "legal_persona_wechat");
}

fn registration(state: FastRegistrationState, code: Option<i64>) -> FastRegistration {
    FastRegistration {
        id: 1,
        company_id: Some(1),
        company_name: None,
        invite_id: None,
        started_by: None,
        name: "n".into(),
        code: "c".into(),
        code_type: Some(CodeType::OrganizationCode),
        legal_persona_wechat: "w".into(),
        legal_persona_name: "p".into(),
        component_phone: None,
        state,
        wechat_code: code,
        wechat_msg: None,
        authorizer_appid: None,
        created_at: 100,
        updated_at: 100,
    }
}

#[test]
fn a_finished_request_says_why_and_whether_to_try_again() {
    use FastRegistrationState::*;
    assert_eq!(registration(Pending, None).reason(true), None);
    assert_eq!(registration(Registered, Some(0)).reason(true), None);
    assert!(!registration(Pending, None).can_retry());
    assert!(!registration(Registered, Some(0)).can_retry());
    let refused = registration(Refused, Some(61070));
    assert!(refused.reason(true).unwrap().contains("61070"));
    assert!(refused.can_retry());
    let silent = registration(Refused, None);
    assert!(silent.reason(true).unwrap().contains("稍后"));
    assert!(silent.reason(false).unwrap().contains("later"));
    let timed_out = registration(Failed, Some(100_003));
    assert!(timed_out.reason(true).unwrap().contains("24 小时"));
    assert!(timed_out.can_retry());
    let limited = registration(Failed, Some(1001));
    assert!(!limited.can_retry(), "a quota is not fixed by retrying");
    let expired = registration(Expired, None);
    assert!(expired.reason(false).unwrap().contains("24 hours"));
    assert!(expired.can_retry());
    assert_eq!(expired.confirm_by(), 100 + 86_400);
    let again = expired.form();
    assert_eq!((again.code_type, again.name.as_str()), (2, "n"));
}

#[test]
fn a_draft_comes_back_as_typed_and_nothing_else_opens() {
    let vault = crate::vault::Vault::new(&[7u8; 32]);
    let typed = RegistrationForm {
        component_phone: None,
        code: "bad code".into(),
        ..form()
    };
    let draft = typed.seal_draft(&vault);
    assert!(!draft.contains("zhang_san88"));
    assert_eq!(
        RegistrationForm::open_draft(&vault, &draft),
        Some(typed.clone())
    );
    assert_eq!(typed.problem().map(|p| p.field), Some(Field::Code));
    assert_eq!(RegistrationForm::open_draft(&vault, "not-a-draft"), None);
    let other = crate::vault::Vault::new(&[8u8; 32]);
    assert_eq!(RegistrationForm::open_draft(&other, &draft), None);
}
