//! The settings, typed. They are read once at start-up, from the environment first and
//! then from `.env` (a development convenience: production sets real variables), and
//! reach every part of the app through the app state. `plinth add` adds each feature's
//! settings at the `plinth:` comments.
//!
//! `APP_ENV` is `development` (the default) or `production`. It is read from the
//! environment only, never from `.env`: every part of the app must agree on it.
//! `BASE_URL` is the public address (`https://example.com`), for absolute links.

use std::collections::HashMap;
use std::fmt;

/// Development (the default) or production.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Environment {
    /// A developer's machine: plain HTTP, error details in pages.
    Development,
    /// Serving the public: secure cookies, no details in error pages.
    Production,
}

/// Everything the app reads from its environment.
#[derive(Debug, Clone)]
pub struct Config {
    /// `APP_ENV`.
    pub environment: Environment,
    /// `BASE_URL` without its trailing `/`: absolute links (a mailed link) are built from
    /// it, never from the `Host` a client sent.
    pub base_url: Option<String>,
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
            base_url,
            // plinth:config-read
        })
    }

    /// Whether `APP_ENV=production`.
    pub fn is_production(&self) -> bool {
        self.environment == Environment::Production
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

    #[test]
    fn only_app_env_production_is_production() {
        assert!(!config(&[]).is_production());
        assert!(!config(&[("APP_ENV", "development")]).is_production());
        assert!(config(&[("APP_ENV", "production")]).is_production());
        let refused = Config::from_lookup(|key| (key == "APP_ENV").then(|| "prod".to_owned()))
            .expect_err("refused");
        assert!(refused.to_string().contains("APP_ENV=prod"), "{refused}");
    }

    #[test]
    fn base_url_is_an_http_address_without_its_last_slash() {
        let base = config(&[("BASE_URL", "https://example.com/")]).base_url;
        assert_eq!(base.as_deref(), Some("https://example.com"));
        let refused = Config::from_lookup(|key| (key == "BASE_URL").then(|| "example.com".into()))
            .expect_err("refused");
        assert!(refused.to_string().contains("BASE_URL"), "{refused}");
    }
}
