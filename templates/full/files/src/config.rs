//! The settings, typed. They are read once at start-up, from the environment first and
//! then from `.env` (a development convenience: production sets real variables), and
//! reach handlers through the app state.
//!
//! | Variable        | Default          | Meaning                                                  |
//! |-----------------|------------------|----------------------------------------------------------|
//! | `APP_ENV`       | `development`    | `production` turns on secure cookies, HSTS, host checks  |
//! | `SECRET_KEY`    | (from `.env`)    | signs CSRF cookies; 32 bytes or more in production       |
//! | `DATABASE_URL`  | see `src/db.rs`  | where the database is                                    |
//! | `ALLOWED_HOSTS` | local names      | comma-separated host names the site answers to           |
//! | `BASE_URL`      | none             | the public address, e.g. `https://example.com`           |
//! | `HOST`, `PORT`  | `127.0.0.1:3000` | where the server listens                                 |
//!
//! `APP_ENV` is read from the environment only, never from `.env`: every part of the app
//! (cookies, CSRF, error pages) must agree on it. Each feature's own settings are added
//! at the `plinth:` comments; every feature takes them from here, none reads its own.

use std::collections::HashMap;
use std::fmt;

/// The hosts a development server answers to when `ALLOWED_HOSTS` is empty.
const LOCAL_HOSTS: &[&str] = &["localhost", "127.0.0.1", "[::1]"];

/// Development (the default) or production.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Environment {
    /// A developer's machine: plain HTTP, error details in pages, local hosts.
    Development,
    /// Serving the public: secure cookies, HSTS, only `ALLOWED_HOSTS`, no details.
    Production,
}

/// Everything the app reads from its environment.
#[derive(Debug, Clone)]
pub struct Config {
    /// `APP_ENV`.
    pub environment: Environment,
    /// `ALLOWED_HOSTS`, lower-cased. An entry starting with `.` also allows subdomains.
    pub allowed_hosts: Vec<String>,
    /// `BASE_URL` without its trailing `/`: absolute links are built from it, never from
    /// the `Host` a client sent.
    pub base_url: Option<String>,
    /// `HOST`: the address to listen on.
    pub host: String,
    /// `PORT`: the port to listen on.
    pub port: u16,
    /// `RUST_LOG`: the log filter, if set.
    pub log_filter: Option<String>,
    // plinth:config-fields
}

/// A setting with a value the app cannot use, worded for the person running it.
pub struct ConfigError(String);

impl ConfigError {
    /// The problem, with a `help:` line when there is a remedy.
    pub fn new(message: impl Into<String>) -> Self {
        Self(message.into())
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

// `main` prints the `Debug` form of the error it returns: make that the plain message.
impl fmt::Debug for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ConfigError {}

impl Config {
    /// Reads the settings from the environment, then from `.env`.
    pub fn from_env() -> Result<Self, ConfigError> {
        let dotenv = read_dotenv()?;
        Self::from_lookup(|key| {
            let from_env = std::env::var(key).ok();
            if key == "APP_ENV" {
                from_env
            } else {
                from_env.or_else(|| dotenv.get(key).cloned())
            }
        })
    }

    /// Reads the settings through `lookup` (tests pass a map). Empty values count as unset.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let value = |key: &str| lookup(key).filter(|value| !value.trim().is_empty());
        let environment = match value("APP_ENV").as_deref() {
            None | Some("development") => Environment::Development,
            Some("production") => Environment::Production,
            Some(other) => {
                return Err(ConfigError(format!(
                    "APP_ENV={other} is neither `development` nor `production`"
                )));
            }
        };
        let port = match value("PORT") {
            None => 3000,
            Some(text) => text
                .trim()
                .parse::<u16>()
                .ok()
                .filter(|port| *port > 0)
                .ok_or_else(|| ConfigError(format!("PORT={text} is not a port number")))?,
        };
        let allowed_hosts = value("ALLOWED_HOSTS")
            .map(|list| {
                list.split(',')
                    .map(|host| host.trim().to_ascii_lowercase())
                    .filter(|host| !host.is_empty())
                    .collect()
            })
            .unwrap_or_default();
        let base_url = value("BASE_URL").map(|url| url.trim().trim_end_matches('/').to_owned());
        if let Some(url) = &base_url
            && !url.starts_with("http://")
            && !url.starts_with("https://")
        {
            return Err(ConfigError(format!(
                "BASE_URL={url} must start with https:// (or http:// in development)"
            )));
        }
        Ok(Self {
            environment,
            allowed_hosts,
            base_url,
            host: value("HOST").unwrap_or_else(|| "127.0.0.1".to_owned()),
            port,
            log_filter: value("RUST_LOG"),
            // plinth:config-read
        })
    }

    /// Whether `APP_ENV=production`.
    pub fn is_production(&self) -> bool {
        self.environment == Environment::Production
    }

    /// Whether a request naming `host` (a `Host` header, port included or not) is for
    /// this site. In development an empty `ALLOWED_HOSTS` means the local names.
    pub fn allows_host(&self, host: &str) -> bool {
        let name = strip_port(host).to_ascii_lowercase();
        let matches = |allowed: &str| {
            allowed == name
                || allowed
                    .strip_prefix('.')
                    .is_some_and(|domain| name == domain || name.ends_with(allowed))
        };
        if self.allowed_hosts.is_empty() && !self.is_production() {
            LOCAL_HOSTS.iter().any(|local| matches(local))
        } else {
            self.allowed_hosts.iter().any(|allowed| matches(allowed))
        }
    }
}

/// `example.com:8080` → `example.com`; `[::1]:3000` → `[::1]`.
fn strip_port(host: &str) -> &str {
    match host.rsplit_once(':') {
        Some((name, port))
            if !port.is_empty()
                && port.bytes().all(|byte| byte.is_ascii_digit())
                && (!name.starts_with('[') || name.ends_with(']')) =>
        {
            name
        }
        _ => host,
    }
}

/// The entries of `.env` (in this folder or a parent), read without changing the
/// environment: changing it in a running multi-threaded program is unsound.
fn read_dotenv() -> Result<HashMap<String, String>, ConfigError> {
    let unreadable = |err: dotenvy::Error| ConfigError(format!("cannot read .env: {err}"));
    match dotenvy::dotenv_iter() {
        Ok(entries) => entries
            .map(|entry| entry.map_err(unreadable))
            .collect::<Result<_, _>>(),
        Err(err) if err.not_found() => Ok(HashMap::new()),
        Err(err) => Err(unreadable(err)),
    }
}

#[cfg(test)]
pub mod tests {
    use super::*;

    /// A configuration from `pairs` alone, as if nothing else were set.
    pub fn config(pairs: &[(&str, &str)]) -> Config {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(key, value)| ((*key).to_owned(), (*value).to_owned()))
            .collect();
        Config::from_lookup(|key| map.get(key).cloned()).expect("valid settings")
    }

    /// A production configuration that passes `check --deploy`.
    pub fn production() -> Config {
        production_with(&[])
    }

    /// [`production`] with `changes` made: each test of `check --deploy` changes one
    /// thing in a configuration that passes.
    pub fn production_with(changes: &[(&str, &str)]) -> Config {
        let key = "a1b2c3d4".repeat(16);
        let mut pairs = vec![
            ("APP_ENV", "production"),
            ("SECRET_KEY", key.as_str()),
            ("ALLOWED_HOSTS", "app.test"),
            ("BASE_URL", "https://app.test"),
            // Read once mail is installed (src/mail/settings.rs).
            ("MAIL_URL", "smtps://app:secret@mail.app.test"),
            ("MAIL_FROM", "App <noreply@app.test>"),
        ];
        pairs.retain(|(name, _)| changes.iter().all(|(changed, _)| changed != name));
        pairs.extend_from_slice(changes);
        config(&pairs)
    }

    #[test]
    fn defaults_are_for_development() {
        let config = config(&[]);
        assert_eq!(config.environment, Environment::Development);
        assert_eq!((config.host.as_str(), config.port), ("127.0.0.1", 3000));
        assert!(config.allowed_hosts.is_empty());
        assert!(config.secret_key.is_none());
    }

    #[test]
    fn bad_values_are_refused_with_their_name() {
        let refused = |pairs: &[(&str, &str)]| {
            let map: HashMap<&str, &str> = pairs.iter().copied().collect();
            Config::from_lookup(|key| map.get(key).map(|value| (*value).to_owned()))
                .expect_err("refused")
                .to_string()
        };
        assert!(refused(&[("APP_ENV", "prod")]).contains("APP_ENV=prod"));
        assert!(refused(&[("PORT", "http")]).contains("PORT=http"));
        assert!(refused(&[("PORT", "70000")]).contains("PORT"));
        assert!(refused(&[("BASE_URL", "example.com")]).contains("BASE_URL"));
    }

    #[test]
    fn hosts_are_matched_without_their_port() {
        let config = config(&[
            ("APP_ENV", "production"),
            ("ALLOWED_HOSTS", "Example.com, .shop.test"),
        ]);
        assert!(config.allows_host("example.com"));
        assert!(config.allows_host("EXAMPLE.COM:443"));
        assert!(config.allows_host("shop.test"));
        assert!(config.allows_host("eu.shop.test:8080"));
        assert!(!config.allows_host("evil.example"));
        assert!(!config.allows_host("example.com.evil.example"));
        assert!(!config.allows_host("evilshop.test"));
    }

    #[test]
    fn development_answers_local_names_until_hosts_are_listed() {
        let development = config(&[]);
        assert!(development.allows_host("localhost:3000"));
        assert!(development.allows_host("127.0.0.1:3000"));
        assert!(development.allows_host("[::1]:3000"));
        assert!(!development.allows_host("evil.example"));
        // Production with no list answers nobody: `check --deploy` says so.
        assert!(!config(&[("APP_ENV", "production")]).allows_host("localhost"));
    }
}
