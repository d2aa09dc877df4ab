//! The mail settings: `MAIL_URL` (where mail goes) and `MAIL_FROM` (who sends it), read
//! with the others in src/config.rs.
//!
//! | `MAIL_URL`                          | Mail goes                                        |
//! |-------------------------------------|--------------------------------------------------|
//! | `smtp://USER:PASSWORD@HOST:587`     | to a mail server, encrypted by STARTTLS          |
//! | `smtps://USER:PASSWORD@HOST:465`    | to a mail server over TLS from the first byte    |
//! | `smtp://HOST:PORT`                  | to a relay without a password, unencrypted (a relay on this machine) |
//! | `console:` (the default)            | to the log                                       |
//! | `memory:`                           | nowhere: kept in memory (tests keep all mail so) |
//! | `file:DIR`                          | into `DIR`, one `.eml` file per message          |
//!
//! A user name or password with `@`, `:` or `/` in it is written percent-encoded (`%40`).
//! `?tls=opportunistic` after an `smtp://` address uses STARTTLS when the server offers it.

use std::fmt;
use std::path::PathBuf;

use lettre::message::Mailbox;
use url::Url;

use crate::config::ConfigError;

/// The sender when `MAIL_FROM` is unset, as Django's `DEFAULT_FROM_EMAIL`.
const DEFAULT_FROM: &str = "webmaster@localhost";

/// `MAIL_URL` and `MAIL_FROM`, read.
#[derive(Debug, Clone)]
pub struct MailSettings {
    pub backend: Backend,
    pub from: Mailbox,
}

/// Where mail goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Backend {
    Smtp(SmtpUrl),
    Console,
    Memory,
    File(PathBuf),
}

/// How the connection to a mail server is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Security {
    /// `smtps://`: TLS from the first byte.
    Tls,
    /// `smtp://` with a password, or `?tls=required`: STARTTLS, or no mail.
    StartTls,
    /// `smtp://` with `?tls=opportunistic`: STARTTLS when the server offers it.
    Opportunistic,
    /// `smtp://` with no password: nothing (a relay on this machine).
    Plain,
}

/// An `smtp://` or `smtps://` address; its `Debug` form hides the password.
#[derive(Clone, PartialEq, Eq)]
pub struct SmtpUrl(Url);

impl SmtpUrl {
    /// How the connection is protected.
    pub fn security(&self) -> Security {
        let tls = self.0.query_pairs().find(|(key, _)| key == "tls");
        match (
            self.0.scheme(),
            tls.as_ref().map(|(_, value)| value.as_ref()),
        ) {
            ("smtps", _) => Security::Tls,
            (_, Some("required")) => Security::StartTls,
            (_, Some("opportunistic")) => Security::Opportunistic,
            _ if self.0.password().is_some() || !self.0.username().is_empty() => Security::StartTls,
            _ => Security::Plain,
        }
    }

    /// The server's host name.
    pub fn host(&self) -> &str {
        self.0.host_str().unwrap_or_default()
    }

    /// The address as lettre reads it, STARTTLS written out where it is implied.
    pub(super) fn for_lettre(&self) -> String {
        let mut url = self.0.clone();
        let implied = self.security() == Security::StartTls
            && !url.query_pairs().any(|(key, _)| key == "tls");
        if implied {
            url.query_pairs_mut().append_pair("tls", "required");
        }
        url.into()
    }

    /// The address with its password hidden, for messages and the log.
    pub fn redacted(&self) -> String {
        let mut url = self.0.clone();
        if url.password().is_some() {
            // Setting the password of an address that has a host cannot fail.
            let _ = url.set_password(Some("***"));
        }
        url.into()
    }
}

impl fmt::Debug for SmtpUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.redacted())
    }
}

impl MailSettings {
    /// Reads `MAIL_URL` and `MAIL_FROM` (unset: `console:` and `webmaster@localhost`).
    pub fn read(url: Option<String>, from: Option<String>) -> Result<Self, ConfigError> {
        let backend = match url.as_deref().map(str::trim) {
            None | Some("console:") => Backend::Console,
            Some("memory:") => Backend::Memory,
            Some(text) => parse_backend(text)?,
        };
        let from_text = from.as_deref().map_or(DEFAULT_FROM, str::trim);
        let from = from_text.parse().map_err(|err| {
            ConfigError::new(format!(
                "MAIL_FROM={from_text} is not a sender ({err})\n\
                 help: write an address, or a name and one: MAIL_FROM=\"Shop <noreply@example.com>\""
            ))
        })?;
        Ok(Self { backend, from })
    }

    /// What would keep mail from reaching people in production (`check --deploy`, and
    /// the log when a production app starts).
    pub fn warnings(&self) -> Vec<String> {
        let mut warnings = Vec::new();
        let nowhere = match &self.backend {
            Backend::Console => Some("console: mail goes to the log"),
            Backend::Memory => Some("memory: mail stays in memory"),
            Backend::Smtp(_) | Backend::File(_) => None,
        };
        if let Some(nowhere) = nowhere {
            warnings.push(format!(
                "MAIL_URL is {nowhere} and reaches nobody; \
                 set MAIL_URL=smtp://USER:PASSWORD@HOST:587"
            ));
        }
        if let Backend::Smtp(url) = &self.backend
            && url.security() == Security::Plain
            && !["localhost", "127.0.0.1", "[::1]"].contains(&url.host())
        {
            warnings.push(format!(
                "MAIL_URL sends mail unencrypted to {}; use smtps:// or \
                 smtp://USER:PASSWORD@HOST:587 (STARTTLS), or a relay on this machine",
                url.host()
            ));
        }
        if self.from.email.domain() == "localhost" {
            warnings.push(format!(
                "MAIL_FROM is {}: mail servers refuse a sender at localhost; \
                 set MAIL_FROM=\"Name <noreply@your-domain>\"",
                self.from
            ));
        }
        warnings
    }
}

/// `smtp://…`, `smtps://…` or `file:DIR`.
fn parse_backend(text: &str) -> Result<Backend, ConfigError> {
    let refused = |why: &str| {
        ConfigError::new(format!(
            "MAIL_URL={} {why}\n\
             help: use smtp://USER:PASSWORD@HOST:587, smtps://USER:PASSWORD@HOST:465, \
             smtp://HOST:PORT, console:, memory: or file:DIR",
            redact_text(text)
        ))
    };
    if let Some(dir) = text.strip_prefix("file:") {
        if dir.trim().is_empty() {
            return Err(refused("names no folder"));
        }
        return Ok(Backend::File(PathBuf::from(dir.trim())));
    }
    let url = Url::parse(text).map_err(|err| refused(&format!("is not an address ({err})")))?;
    if !["smtp", "smtps"].contains(&url.scheme()) {
        return Err(refused("is not a mail backend"));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(refused("names no server"));
    }
    if let Some((_, value)) = url.query_pairs().find(|(key, _)| key == "tls")
        && !["required", "opportunistic"].contains(&value.as_ref())
    {
        return Err(refused(
            "has a `tls` that is neither `required` nor `opportunistic`",
        ));
    }
    Ok(Backend::Smtp(SmtpUrl(url)))
}

/// `text` with its user and password hidden, for a message about a value that did not
/// parse as an address.
fn redact_text(text: &str) -> String {
    match (text.split_once("://"), text.rfind('@')) {
        (Some((scheme, _)), Some(at)) => format!("{scheme}://***{}", &text[at..]),
        _ => text.to_owned(),
    }
}
