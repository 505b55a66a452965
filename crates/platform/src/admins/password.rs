//! Password hashing: argon2id with the crate's defaults, which are OWASP's
//! recommended parameters (m = 19 MiB, t = 2, p = 1). Hashing is slow on
//! purpose, so it runs on the blocking pool, never on a request's thread.

use std::sync::OnceLock;

use argon2::Argon2;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher as _, PasswordVerifier as _, SaltString};

/// Shortest and longest password accepted (OWASP ASVS 2.1.1 and 2.1.2).
pub const PASSWORD_MIN_CHARS: usize = 12;
pub const PASSWORD_MAX_CHARS: usize = 128;

/// Why a new password was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PasswordError {
    #[error("the password must have at least {PASSWORD_MIN_CHARS} characters")]
    TooShort,
    #[error("the password must have at most {PASSWORD_MAX_CHARS} characters")]
    TooLong,
}

/// Checks a new password's length (characters, not bytes).
pub fn validate(password: &str) -> Result<(), PasswordError> {
    let chars = password.chars().count();
    if chars < PASSWORD_MIN_CHARS {
        Err(PasswordError::TooShort)
    } else if chars > PASSWORD_MAX_CHARS {
        Err(PasswordError::TooLong)
    } else {
        Ok(())
    }
}

/// The PHC string of `password` under a fresh random salt.
pub(crate) async fn hash(password: String) -> String {
    tokio::task::spawn_blocking(move || hash_now(&password))
        .await
        .unwrap_or_default()
}

fn hash_now(password: &str) -> String {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        // Only fails for parameters or salts out of range, which the defaults are not.
        .unwrap_or_default()
}

/// Whether `password` matches `phc`. With `phc` absent (no such admin) a
/// dummy hash is checked, so an unknown login takes as long as a known one.
pub(crate) async fn verify(password: String, phc: Option<String>) -> bool {
    tokio::task::spawn_blocking(move || {
        let known = phc.is_some();
        let phc = phc.unwrap_or_else(|| dummy_hash().to_owned());
        let matches = PasswordHash::new(&phc).is_ok_and(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        });
        known && matches
    })
    .await
    .unwrap_or(false)
}

fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| hash_now("weiqiao: no admin has this login"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_hash_verifies_its_password_only() {
        let phc = hash("correct horse battery".into()).await;
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{phc}");
        assert!(verify("correct horse battery".into(), Some(phc.clone())).await);
        assert!(!verify("correct horse batterY".into(), Some(phc.clone())).await);
        // Two hashes of one password differ: the salt is random.
        assert_ne!(phc, hash("correct horse battery".into()).await);
    }

    #[tokio::test]
    async fn an_unknown_login_never_verifies_not_even_with_the_dummy_password() {
        assert!(!verify("weiqiao: no admin has this login".into(), None).await);
        assert!(!verify("anything".into(), Some("not a phc string".into())).await);
    }

    #[test]
    fn length_limits_count_characters_at_both_edges() {
        assert_eq!(validate(&"a".repeat(11)), Err(PasswordError::TooShort));
        assert_eq!(validate(&"a".repeat(12)), Ok(()));
        assert_eq!(validate(&"密".repeat(12)), Ok(()));
        assert_eq!(validate(&"a".repeat(128)), Ok(()));
        assert_eq!(validate(&"a".repeat(129)), Err(PasswordError::TooLong));
    }
}
