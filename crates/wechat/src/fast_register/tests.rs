use super::*;

#[test]
fn a_credit_code_is_18_characters_of_gb_32100_s_alphabet() {
    let ok = "91350100M000100Y43";
    assert_eq!(CodeType::CreditCode.normalize(ok), Ok(ok.to_owned()));
    // Typed in lower case with spaces around: upper-cased and trimmed.
    assert_eq!(
        CodeType::CreditCode.normalize(" 91350100m000100y43 "),
        Ok(ok.to_owned())
    );
    for bad in [
        "91350100M000100Y4",   // 17
        "91350100M000100Y431", // 19
        "91350100I000100Y43",  // I is not used
        "91350100O000100Y43",
        "91350100S000100Y43",
        "91350100V000100Y43",
        "91350100Z000100Y43",
        "9135010-M000100Y43",
        "",
    ] {
        assert_eq!(
            CodeType::CreditCode.normalize(bad),
            Err(CodeError::CreditCode),
            "{bad}"
        );
    }
}

#[test]
fn an_organisation_code_is_eight_characters_a_hyphen_and_a_check_digit() {
    assert_eq!(
        CodeType::OrganizationCode.normalize("12345678-9"),
        Ok("12345678-9".to_owned())
    );
    assert_eq!(
        CodeType::OrganizationCode.normalize("ab345678-x"),
        Ok("AB345678-X".to_owned())
    );
    // Typed without the hyphen: added.
    assert_eq!(
        CodeType::OrganizationCode.normalize("123456789"),
        Ok("12345678-9".to_owned())
    );
    for bad in [
        "1234567-89",
        "12345678-",
        "12345678-99",
        "12345678_9",
        "1234567*-9",
        "12345678-A",
        "12345678",
        "1234567890",
        "一二三", // nine bytes, not nine characters
    ] {
        assert_eq!(
            CodeType::OrganizationCode.normalize(bad),
            Err(CodeError::OrganizationCode),
            "{bad}"
        );
    }
}

#[test]
fn a_business_licence_number_is_15_digits() {
    assert_eq!(
        CodeType::BusinessLicence.normalize("110000012345678"),
        Ok("110000012345678".to_owned())
    );
    for bad in ["11000001234567", "1100000123456789", "11000001234567X"] {
        assert_eq!(
            CodeType::BusinessLicence.normalize(bad),
            Err(CodeError::BusinessLicence),
            "{bad}"
        );
    }
}

#[test]
fn code_types_round_trip_through_their_wire_numbers() {
    assert_eq!(
        CodeType::ALL.map(CodeType::code),
        [1, 2, 3],
        "documented numbers"
    );
    for t in CodeType::ALL {
        assert_eq!(CodeType::from_code(t.code()), Some(t));
    }
    assert_eq!(CodeType::from_code(0), None);
    assert_eq!(CodeType::from_code(4), None);
}

#[test]
fn a_create_request_leaves_out_an_empty_phone() {
    let mut request = CreateRequest {
        name: "企业".into(),
        code: "91350100M000100Y43".into(),
        code_type: 1,
        legal_persona_wechat: "wxid".into(),
        legal_persona_name: "张三".into(),
        component_phone: String::new(),
    };
    let json = serde_json::to_value(&request).unwrap();
    assert_eq!(json.as_object().unwrap().len(), 5);
    assert!(json.get("component_phone").is_none());
    request.component_phone = "1234".into();
    let json = serde_json::to_value(&request).unwrap();
    assert_eq!(json["component_phone"], "1234");
    assert_eq!(json["code_type"], 1);
}

#[test]
fn every_documented_create_errcode_is_a_refusal_with_its_own_message() {
    let codes = [
        89249, 89247, 86004, 61070, 89248, 89255, 89253, 89254, 89250, 89251, 89252,
    ];
    let mut texts = std::collections::HashSet::new();
    for code in codes {
        let refusal = CreateRefusal::from_errcode(code).unwrap_or_else(|| panic!("{code}"));
        texts.insert(refusal.describe_zh());
        assert!(!refusal.describe_en().is_empty());
    }
    // The three task states share one message; every other code has its own.
    assert_eq!(texts.len(), codes.len() - 2);
    assert_eq!(
        CreateRefusal::from_errcode(89249),
        Some(CreateRefusal::AlreadyRunning)
    );
    assert_eq!(
        CreateRefusal::from_errcode(86004),
        Some(CreateRefusal::InvalidWechatId)
    );
    assert_eq!(
        CreateRefusal::from_errcode(61070),
        Some(CreateRefusal::NameWechatMismatch)
    );
    assert_eq!(
        CreateRefusal::from_errcode(89254),
        Some(CreateRefusal::PlatformLacksPermission)
    );
    assert_eq!(
        CreateRefusal::from_errcode(89248),
        Some(CreateRefusal::InvalidCodeType)
    );
    assert_eq!(
        CreateRefusal::from_errcode(89255),
        Some(CreateRefusal::InvalidCode)
    );
    assert_eq!(
        CreateRefusal::from_errcode(89253),
        Some(CreateRefusal::MissingParams)
    );
    assert_eq!(
        CreateRefusal::from_errcode(89247),
        Some(CreateRefusal::InnerError)
    );
    assert_eq!(
        CreateRefusal::from_errcode(89251),
        Some(CreateRefusal::TaskState(89251))
    );
    for transient in [-1, 0, 45009, 89246, 89256] {
        assert_eq!(CreateRefusal::from_errcode(transient), None, "{transient}");
    }
    assert!(
        CreateRefusal::AlreadyRunning
            .describe_zh()
            .contains("89249")
    );
    assert!(
        CreateRefusal::AlreadyRunning
            .describe_en()
            .contains("89249")
    );
}

#[test]
fn push_statuses_fall_into_their_documented_ranges() {
    use RegistrationOutcome::*;
    for (status, outcome) in [
        (0, Registered),
        (100_000, Failed),
        (100_001, NotConfirmedInTime),
        (100_003, NotConfirmedInTime),
        (100_004, Failed),
        (100, Failed),
        (101, RegistryMismatch),
        (105, RegistryMismatch),
        (106, Failed),
        (999, Failed),
        (1000, RegistryMismatch),
        (1001, Limited),
        (1008, Limited),
        (1009, Failed),
        (-1, Failed),
    ] {
        assert_eq!(
            RegistrationOutcome::from_status(status),
            outcome,
            "{status}"
        );
    }
    assert!(!Registered.retryable());
    assert!(!Limited.retryable());
    assert!(NotConfirmedInTime.retryable());
    assert!(RegistryMismatch.retryable());
    assert!(Failed.retryable());
}

#[test]
fn each_status_is_described_in_words_in_both_languages() {
    let statuses = [
        0, 100_001, 100_002, 100_003, 101, 102, 103, 104, 105, 1000, 1001, 1002, 1003, 1004, 1005,
        1006, 1007, 1008, -1,
    ];
    let zh: std::collections::HashSet<_> = statuses
        .iter()
        .map(|s| RegistrationOutcome::describe_zh(*s))
        .collect();
    assert_eq!(zh.len(), statuses.len(), "one Chinese text per status");
    assert!(RegistrationOutcome::describe_zh(100_003).contains("24 小时"));
    let en: std::collections::HashSet<_> = statuses
        .iter()
        .map(|s| RegistrationOutcome::describe_en(*s))
        .collect();
    assert_eq!(en.len(), 5, "one English text per outcome");
    assert!(RegistrationOutcome::describe_en(100_001).contains("24 hours"));
    assert!(RegistrationOutcome::describe_en(103).contains("registry"));
    assert!(RegistrationOutcome::describe_en(1003).contains("limit"));
    assert_eq!(RegistrationOutcome::describe_en(0), "Registered.");
}

#[test]
fn search_answers_are_read_from_their_errcodes() {
    assert_eq!(SearchAnswer::from_errcode(0), Some(SearchAnswer::Found));
    assert_eq!(
        SearchAnswer::from_errcode(89250),
        Some(SearchAnswer::NoTask)
    );
    assert_eq!(
        SearchAnswer::from_errcode(89251),
        Some(SearchAnswer::AwaitingLegalPerson)
    );
    assert_eq!(
        SearchAnswer::from_errcode(89252),
        Some(SearchAnswer::Checking)
    );
    assert_eq!(SearchAnswer::from_errcode(89249), None);
    assert_eq!(SearchAnswer::from_errcode(-1), None);
}
