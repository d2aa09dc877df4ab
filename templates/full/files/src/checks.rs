//! `cargo run -- check` and `check --deploy`, after Django's: the first asks whether the
//! app can run here (settings, templates, database, migrations); `--deploy` also asks
//! whether its settings are fit to face the public, and names each problem with a code.

use std::fmt;

use crate::config::Config;
use crate::db;
use crate::web::{csrf, templates};

/// One thing wrong, with the code scripts can match on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// A stable identifier, e.g. `W-SECRET`.
    pub code: &'static str,
    /// What is wrong and what to do about it.
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

fn problem(code: &'static str, message: impl Into<String>) -> Problem {
    Problem {
        code,
        message: message.into(),
    }
}

/// Whether the app can run here: templates load, the database answers and has every
/// migration.
pub async fn runtime(config: &Config) -> Vec<Problem> {
    let mut problems = Vec::new();
    if let Err(err) = templates::Templates::new(config) {
        problems.push(problem("E-TEMPLATES", err));
    }
    match db::connect(config).await {
        Ok(pool) => {
            if let Err(err) = db::ensure_migrated(&pool).await {
                problems.push(problem("E-MIGRATIONS", err.to_string()));
            }
            // plinth:database-checks
        }
        Err(err) => problems.push(problem("E-DATABASE", err.to_string())),
    }
    problems
}

/// What would make `config` unsafe in production.
pub fn deploy(config: &Config) -> Vec<Problem> {
    let mut problems = Vec::new();
    if !config.is_production() {
        problems.push(problem(
            "W-DEBUG",
            "APP_ENV is not `production`: pages show error details; set APP_ENV=production",
        ));
    }
    if let Some(filter) = &config.log_filter
        && ["debug", "trace"]
            .iter()
            .any(|level| filter.contains(level))
    {
        problems.push(problem(
            "W-DEBUG",
            format!("RUST_LOG={filter} logs request details; use `info` or quieter"),
        ));
    }
    match &config.secret_key {
        None => problems.push(problem(
            "W-SECRET",
            "SECRET_KEY is not set; generate one with `openssl rand -hex 64`",
        )),
        Some(key) => {
            if let Some(weakness) = csrf::weakness(key) {
                problems.push(problem(
                    "W-SECRET",
                    format!("SECRET_KEY is {weakness}; generate one with `openssl rand -hex 64`"),
                ));
            }
        }
    }
    // What the server sends: `Secure` cookies and HSTS in production, neither elsewhere.
    if !config.is_production() {
        problems.push(problem(
            "W-COOKIE-SECURE",
            "session and CSRF cookies lack `Secure` outside production",
        ));
    }
    if config.allowed_hosts.is_empty() {
        problems.push(problem(
            "W-HOSTS",
            "ALLOWED_HOSTS is empty; list the host names the site answers to, e.g. ALLOWED_HOSTS=example.com",
        ));
    }
    if !config.is_production() {
        problems.push(problem(
            "W-HSTS",
            "no Strict-Transport-Security: it is sent in production only",
        ));
    }
    match config.base_url.as_deref() {
        None => problems.push(problem(
            "W-BASE-URL",
            "BASE_URL is not set; absolute links need it, e.g. BASE_URL=https://example.com",
        )),
        Some(url) if config.is_production() && !url.starts_with("https://") => {
            problems.push(problem(
                "W-BASE-URL",
                "BASE_URL is not an https:// address: the site sends `Secure` cookies and HSTS, \
                 which browsers honour over HTTPS only",
            ));
        }
        Some(_) => {}
    }
    // plinth:deploy-checks
    problems
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::tests::{config, production, production_with};

    fn codes(problems: &[Problem]) -> Vec<&'static str> {
        problems.iter().map(|problem| problem.code).collect()
    }

    #[test]
    fn a_production_configuration_passes() {
        assert_eq!(deploy(&production()), []);
    }

    #[test]
    fn the_development_configuration_fails_on_every_count() {
        let problems = deploy(&config(&[]));
        // The features' own checks follow these (mail's `W-MAIL`).
        assert_eq!(
            codes(&problems)[..6],
            [
                "W-DEBUG",
                "W-SECRET",
                "W-COOKIE-SECURE",
                "W-HOSTS",
                "W-HSTS",
                "W-BASE-URL"
            ]
        );
    }

    #[test]
    fn weak_secrets_and_chatty_logs_are_named() {
        let short = production_with(&[
            ("SECRET_KEY", "too-short"),
            ("RUST_LOG", "info,tower_http=debug"),
        ]);
        let problems = deploy(&short);
        assert_eq!(codes(&problems), ["W-DEBUG", "W-SECRET"]);
        assert!(problems[1].message.contains("shorter than 32 bytes"));

        let placeholder = production_with(&[("SECRET_KEY", &"change-me-".repeat(8))]);
        assert_eq!(codes(&deploy(&placeholder)), ["W-SECRET"]);
    }

    #[test]
    fn plain_http_in_production_is_named() {
        let http = production_with(&[("BASE_URL", "http://app.test")]);
        assert_eq!(codes(&deploy(&http)), ["W-BASE-URL"]);
    }

    #[test]
    fn a_key_of_one_repeated_character_is_weak() {
        let regular = production_with(&[("SECRET_KEY", &"a".repeat(64))]);
        let problems = deploy(&regular);
        assert_eq!(codes(&problems), ["W-SECRET"]);
        assert!(problems[0].message.contains("too regular"), "{problems:?}");
    }
}
