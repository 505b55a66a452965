//! The request form: what the merchant (or an admin) types, checked field
//! by field before anything is stored or sent.

use wechat::fast_register::{CodeError, CodeType};

/// What was typed, as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RegistrationForm {
    /// The enterprise's exact registered name.
    pub name: String,
    pub code: String,
    /// 1 credit code, 2 organisation code, 3 business licence number.
    pub code_type: u8,
    pub legal_persona_wechat: String,
    pub legal_persona_name: String,
    pub component_phone: Option<String>,
}

/// A field of the form, to show an error beside it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Name,
    Code,
    CodeType,
    LegalPersonaWechat,
    LegalPersonaName,
    ComponentPhone,
}

impl Field {
    /// The form's field name.
    pub fn name(self) -> &'static str {
        match self {
            Field::Name => "name",
            Field::Code => "code",
            Field::CodeType => "code_type",
            Field::LegalPersonaWechat => "legal_persona_wechat",
            Field::LegalPersonaName => "legal_persona_name",
            Field::ComponentPhone => "component_phone",
        }
    }
}

/// The form checked and normalized.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct ValidForm {
    pub name: String,
    pub code: String,
    pub code_type: CodeType,
    pub legal_persona_wechat: String,
    pub legal_persona_name: String,
    pub component_phone: Option<String>,
}

/// Why a field is refused, in words for the person typing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldError {
    pub field: Field,
    pub zh: &'static str,
    pub en: &'static str,
}

const NAME_MAX: usize = 100;
const PERSON_MAX: usize = 50;
const WECHAT_ID_MAX: usize = 64;
const PHONE_MAX: usize = 20;

impl RegistrationForm {
    pub(super) fn validate(&self) -> Result<ValidForm, FieldError> {
        let error = |field, zh, en| FieldError { field, zh, en };
        let name = self.name.trim();
        if name.is_empty() || name.chars().count() > NAME_MAX {
            return Err(error(
                Field::Name,
                "请填写营业执照上的企业全称（最多 100 个字）。",
                "Enter the enterprise's full name as on its business licence (at most 100 characters).",
            ));
        }
        let code_type = CodeType::from_code(self.code_type).ok_or(error(
            Field::CodeType,
            "请选择企业代码类型。",
            "Choose the kind of enterprise code.",
        ))?;
        let code = code_type.normalize(&self.code).map_err(|err| match err {
            CodeError::CreditCode => error(
                Field::Code,
                "统一社会信用代码为 18 位数字或大写字母（不含 I、O、S、V、Z）。",
                "A unified social credit code has 18 digits or capital letters (no I, O, S, V or Z).",
            ),
            CodeError::OrganizationCode => error(
                Field::Code,
                "组织机构代码格式为 8 位数字或字母、短横线、1 位数字或 X，例如 12345678-9。",
                "An organisation code is 8 digits or letters, a hyphen, then a digit or X, e.g. 12345678-9.",
            ),
            CodeError::BusinessLicence => error(
                Field::Code,
                "营业执照注册号为 15 位数字。",
                "A business licence number has 15 digits.",
            ),
        })?;
        let wechat_id = self.legal_persona_wechat.trim();
        if wechat_id.is_empty()
            || wechat_id.len() > WECHAT_ID_MAX
            || wechat_id.contains(char::is_whitespace)
        {
            return Err(error(
                Field::LegalPersonaWechat,
                "请填写法人的微信号（在微信「我」页面可以看到），不含空格。",
                "Enter the legal representative's WeChat id (shown under Me in WeChat), without spaces.",
            ));
        }
        let person = self.legal_persona_name.trim();
        if person.is_empty() || person.chars().count() > PERSON_MAX {
            return Err(error(
                Field::LegalPersonaName,
                "请填写法人姓名（与营业执照一致）。",
                "Enter the legal representative's name as on the business licence.",
            ));
        }
        let phone = self
            .component_phone
            .as_deref()
            .map(str::trim)
            .filter(|p| !p.is_empty());
        if let Some(phone) = phone
            && (phone.len() > PHONE_MAX
                || !phone
                    .chars()
                    .all(|c| c.is_ascii_digit() || matches!(c, '+' | '-' | ' ')))
        {
            return Err(error(
                Field::ComponentPhone,
                "联系电话只能包含数字、+ 和 -（最多 20 位），也可以不填。",
                "A contact phone has only digits, + and - (at most 20), or leave it empty.",
            ));
        }
        Ok(ValidForm {
            name: name.to_owned(),
            code,
            code_type,
            legal_persona_wechat: wechat_id.to_owned(),
            legal_persona_name: person.to_owned(),
            component_phone: phone.map(str::to_owned),
        })
    }
}

/// The vault context of a draft.
const DRAFT_CONTEXT: &str = "fast_registration_draft";

impl RegistrationForm {
    /// The form as typed, sealed for a URL: a page sent back after a refusal
    /// fills the form again without the merchant's details readable in any
    /// address or log.
    pub fn seal_draft(&self, vault: &crate::vault::Vault) -> String {
        use base64::Engine as _;
        let json = serde_json::json!([
            self.name,
            self.code,
            self.code_type,
            self.legal_persona_wechat,
            self.legal_persona_name,
            self.component_phone,
        ]);
        base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(vault.seal(DRAFT_CONTEXT, &json.to_string()))
    }

    /// A draft sealed by [`Self::seal_draft`]; `None` when it is not one.
    pub fn open_draft(vault: &crate::vault::Vault, draft: &str) -> Option<Self> {
        use base64::Engine as _;
        let sealed = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(draft)
            .ok()?;
        let json = vault.open(DRAFT_CONTEXT, &sealed).ok()?;
        let value: serde_json::Value = serde_json::from_str(&json).ok()?;
        let text = |i: usize| value.get(i).and_then(|v| v.as_str()).map(str::to_owned);
        Some(Self {
            name: text(0)?,
            code: text(1)?,
            code_type: u8::try_from(value.get(2)?.as_u64()?).ok()?,
            legal_persona_wechat: text(3)?,
            legal_persona_name: text(4)?,
            component_phone: text(5),
        })
    }

    /// The first field that does not pass, with why.
    pub fn problem(&self) -> Option<FieldError> {
        self.validate().err()
    }
}
