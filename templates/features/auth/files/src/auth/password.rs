//! Passwords: argon2id hashing, the rules a new password must follow, and the email checks.

use super::*;

/// The argon2id PHC string (`$argon2id$v=19$m=19456,t=2,p=1$salt$hash`) of `password`,
/// with a random salt. Slow on purpose (tens of milliseconds): call it from
/// `tokio::task::spawn_blocking` in a handler.
pub fn hash_password(password: &str) -> Result<String, String> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|hash| hash.to_string())
        .map_err(|err| format!("cannot hash the password: {err}"))
}

/// Whether `password` matches the PHC string `hash`; a hash that cannot be read matches
/// nothing. As slow as [`hash_password`].
pub(super) fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|hash| {
        Argon2::default()
            .verify_password(password.as_bytes(), &hash)
            .is_ok()
    })
}

/// The rules a new password must follow, as Django's default validators: at least
/// [`MIN_PASSWORD_CHARS`] characters, not the email (nor the part before the `@`), not one
/// of the most common passwords. Returns every rule broken, worded for the visitor.
pub fn check_password_rules(password: &str, email: &str) -> Result<(), Vec<String>> {
    let mut problems = Vec::new();
    if password.chars().count() < MIN_PASSWORD_CHARS {
        problems.push(format!(
            "The password must be at least {MIN_PASSWORD_CHARS} characters long."
        ));
    }
    let lowered = password.trim().to_lowercase();
    let email = email.trim().to_lowercase();
    let local_part = email.split('@').next().unwrap_or_default();
    if !email.is_empty() && (lowered == email || lowered == local_part) {
        problems.push("The password must not be your email address.".to_owned());
    }
    if COMMON_PASSWORDS.lines().any(|common| common == lowered) {
        problems.push("This password is too common.".to_owned());
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems)
    }
}

/// Emails are compared and stored in lower case and without surrounding spaces.
pub(super) fn normalize_email(email: &str) -> String {
    email.trim().to_lowercase()
}

/// A loose shape check: something, one `@`, a domain with a dot, no spaces, at most 254
/// characters. Whether the address exists only a confirmation email could tell.
pub fn looks_like_email(email: &str) -> bool {
    let email = email.trim();
    match email.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !domain.contains('@')
                && !email.chars().any(|c| c.is_whitespace() || c.is_control())
                && email.chars().count() <= 254
        }
        None => false,
    }
}

pub(super) fn email_rule(email: &str, _context: &()) -> garde::Result {
    if looks_like_email(email) {
        Ok(())
    } else {
        Err(garde::Error::new(
            "Enter an email address, like name@example.com.",
        ))
    }
}
