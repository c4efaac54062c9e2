//! Passwords: Argon2id hashes (computed off the async threads, since hashing is deliberately
//! slow), and the rule for new passwords: 10 to 128 characters and not guessable, which zxcvbn
//! judges against its lists of the most common passwords, words, names and keyboard patterns,
//! and against the user's own email, name and organization.

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use std::sync::OnceLock;

use wire::AppError;

pub const MIN_LENGTH: usize = 10;
pub const MAX_LENGTH: usize = 128;

/// Why a new password is refused, in words for the person choosing it; `None` when acceptable.
pub fn weakness(password: &str, personal: &[&str]) -> Option<String> {
    let length = password.chars().count();
    if length < MIN_LENGTH {
        return Some(format!(
            "Use at least {MIN_LENGTH} characters (this one has {length})."
        ));
    }
    if length > MAX_LENGTH {
        return Some(format!("Use at most {MAX_LENGTH} characters."));
    }
    // Whole values and their words: "Northwind Traders" should count against "northwindtraders".
    let mut words: Vec<String> = Vec::new();
    for value in personal {
        let value = value.to_lowercase();
        words.extend(
            value
                .split(|c: char| !c.is_alphanumeric())
                .filter(|w| w.chars().count() >= 3)
                .map(str::to_owned),
        );
        words.push(value.split_whitespace().collect());
        words.push(value);
    }
    let words: Vec<&str> = words.iter().map(String::as_str).collect();
    let estimate = zxcvbn::zxcvbn(password, &words);
    if estimate.score() >= zxcvbn::Score::Three {
        return None;
    }
    let warning = estimate
        .feedback()
        .and_then(|f| f.warning())
        .map(|w| format!("{w} "))
        .unwrap_or_default();
    Some(format!(
        "{warning}This password is too easy to guess: add words or characters that are not a \
         common password, a name or a keyboard pattern."
    ))
}

fn hashing_failed(err: impl std::fmt::Display) -> AppError {
    AppError::internal(format!("password hashing: {err}"))
}

/// An Argon2id PHC string for `password`.
pub async fn hash(password: &str) -> Result<String, AppError> {
    let password = password.to_owned();
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        argon2::Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|hash| hash.to_string())
            .map_err(hashing_failed)
    })
    .await
    .map_err(hashing_failed)?
}

/// Whether `password` matches `stored`. With no stored hash (an unknown email), a dummy hash is
/// checked instead so that both answers take the same time.
pub async fn verify(password: &str, stored: Option<String>) -> Result<bool, AppError> {
    let password = password.to_owned();
    tokio::task::spawn_blocking(move || {
        let known = stored.is_some();
        let stored = stored.unwrap_or_else(|| dummy_hash().to_owned());
        let parsed = PasswordHash::new(&stored).map_err(hashing_failed)?;
        let matches = argon2::Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok();
        Ok(known && matches)
    })
    .await
    .map_err(hashing_failed)?
}

fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| {
        let salt = SaltString::generate(&mut OsRng);
        argon2::Argon2::default()
            .hash_password(b"no account has this password", &salt)
            .map(|h| h.to_string())
            .unwrap_or_default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_common_and_personal_passwords_are_refused() {
        assert!(weakness("short", &[]).unwrap().contains("at least 10"));
        assert!(
            weakness(&"x".repeat(129), &[])
                .unwrap()
                .contains("at most 128")
        );
        for common in ["password123", "qwertyuiop", "1234567890", "iloveyou12"] {
            assert!(weakness(common, &[]).is_some(), "{common} accepted");
        }
        let personal = ["ada.lovelace@northwind.example", "Northwind Traders"];
        assert!(weakness("northwindtraders", &personal).is_some());
    }

    #[test]
    fn a_long_unusual_passphrase_is_accepted() {
        assert_eq!(weakness("copper-lantern-orbit-47", &[]), None);
    }

    #[tokio::test]
    async fn hashes_verify_only_their_password() {
        let hash = hash("copper-lantern-orbit-47").await.unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(
            verify("copper-lantern-orbit-47", Some(hash.clone()))
                .await
                .unwrap()
        );
        assert!(!verify("copper-lantern-orbit-48", Some(hash)).await.unwrap());
        assert!(!verify("anything", None).await.unwrap());
    }
}
