//! A company name that has been checked: trimmed, non-empty, bounded, printable.

/// The longest name accepted, in characters (Chinese registered names run to ~50).
pub const MAX_CHARS: usize = 100;

/// A validated company name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompanyName(String);

/// Why a company name was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CompanyNameError {
    #[error("the company name is empty")]
    Empty,
    #[error("the company name is longer than {MAX_CHARS} characters")]
    TooLong,
    #[error("the company name contains control characters")]
    ControlCharacters,
}

impl CompanyName {
    /// Trims surrounding white space and checks what is left.
    pub fn parse(raw: &str) -> Result<Self, CompanyNameError> {
        let name = raw.trim();
        if name.is_empty() {
            return Err(CompanyNameError::Empty);
        }
        if name.chars().count() > MAX_CHARS {
            return Err(CompanyNameError::TooLong);
        }
        if name.chars().any(char::is_control) {
            return Err(CompanyNameError::ControlCharacters);
        }
        Ok(Self(name.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_is_trimmed() {
        assert_eq!(CompanyName::parse("\t 微桥 \n").unwrap().as_str(), "微桥");
    }

    #[test]
    fn blank_names_are_empty() {
        assert_eq!(
            CompanyName::parse(" \u{3000} "),
            Err(CompanyNameError::Empty)
        );
    }

    #[test]
    fn the_length_limit_counts_characters_not_bytes() {
        let at_limit = "公".repeat(MAX_CHARS);
        assert!(CompanyName::parse(&at_limit).is_ok());
        assert_eq!(
            CompanyName::parse(&format!("{at_limit}司")),
            Err(CompanyNameError::TooLong)
        );
    }

    #[test]
    fn control_characters_inside_a_name_are_refused() {
        assert_eq!(
            CompanyName::parse("a\u{0007}b"),
            Err(CompanyNameError::ControlCharacters)
        );
    }
}
