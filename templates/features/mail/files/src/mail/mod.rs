//! Mail: messages composed from templates and sent through the backend `MAIL_URL` names
//! (src/mail/settings.rs): an SMTP server, the log, memory, or a folder of `.eml` files.
//!
//! A message is `templates/mail/NAME.txt`, plus `NAME.html` for an HTML part (which
//! escapes what it prints, as pages do):
//!
//! ```text
//! let email = state.mail.compose(&user.email, "Welcome", "mail/welcome", context! { name })?;
//! state.mail.send_later(email);
//! ```
//!
//! `send_later` never holds up or fails a request: the message is sent by a task of its
//! own after the handler returns, and a failure is logged with its error. A message still
//! being sent when the process stops is lost, unless the project has background jobs:
//! then it is queued as a job, tried again when the server does not take it. `send` waits
//! for the answer instead (the `sendtestemail` command reports it).
//!
//! Tests send nothing, whatever `MAIL_URL` says: their mail stays in the [`Outbox`], as
//! Django's test runner keeps it in `mail.outbox`. Development keeps the last messages
//! there too, listed at `/dev/mailbox` (src/mail/mailbox.rs).

mod mailbox;
mod outbox;
mod settings;
mod test_email;
// plinth:mail-modules

#[cfg(test)]
mod tests;

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use lettre::message::{Mailbox, MultiPart, header::ContentType};
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use minijinja::Value;

use crate::config::Config;
use crate::web::templates::Templates;

pub use mailbox::routes;
pub use outbox::{Outbox, Sent};
pub use settings::{Backend, MailSettings, Security};
pub use test_email::SendTestEmail;

// plinth:mail-exports

/// How long an SMTP server may take to answer each step before sending fails.
const SMTP_TIMEOUT: Duration = Duration::from_secs(10);

/// One message: its recipient, its subject and its parts, as composed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email {
    pub to: String,
    pub subject: String,
    /// The text part, which every message has.
    pub text: String,
    /// The HTML part, when the message's template has one.
    pub html: Option<String>,
}

/// A message that could not be composed or sent, worded for the log.
pub struct MailError(String);

impl fmt::Display for MailError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

// `main` prints the `Debug` form of the error it returns: make that the plain message.
impl fmt::Debug for MailError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for MailError {}

/// `map_err` for any failure: `what` went wrong, then the cause.
fn failed<E: fmt::Display>(what: impl fmt::Display) -> impl FnOnce(E) -> MailError {
    move |error| MailError(format!("{what}: {error}"))
}

/// How a message leaves the app.
enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    Console,
    Memory,
    File(AsyncFileTransport<Tokio1Executor>, PathBuf),
}

/// Composes and sends mail; in the app state as `state.mail` (cloning it is cheap).
#[derive(Clone)]
pub struct Mailer {
    inner: Arc<Inner>,
    // plinth:mailer-fields
}

struct Inner {
    transport: Transport,
    from: Mailbox,
    templates: Templates,
    /// What was sent, for tests and `/dev/mailbox`: kept in development and by the
    /// memory backend, never by a production app that sends for real.
    outbox: Option<Outbox>,
}

impl Mailer {
    /// The mailer the settings describe. Production logs what `check --deploy` would say
    /// of them (mail that would reach nobody).
    pub fn new(config: &Config, templates: Templates) -> Result<Self, MailError> {
        let settings = &config.mail;
        if config.is_production() {
            for warning in settings.warnings() {
                tracing::warn!("{warning}");
            }
        }
        // Tests never send: their mail stays in the outbox, whatever MAIL_URL says.
        let backend = if cfg!(test) {
            &Backend::Memory
        } else {
            &settings.backend
        };
        let keep = cfg!(debug_assertions) && !config.is_production();
        Self::with_backend(backend, settings.from.clone(), templates, keep)
    }

    /// A mailer sending through `backend` from `from`; `keep`: keep what it sends in its
    /// outbox (the memory backend always does).
    pub fn with_backend(
        backend: &Backend,
        from: Mailbox,
        templates: Templates,
        keep: bool,
    ) -> Result<Self, MailError> {
        let transport = match backend {
            Backend::Smtp(url) => {
                let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(&url.for_lettre())
                    .map_err(failed(format!("MAIL_URL={}", url.redacted())))?
                    .timeout(Some(SMTP_TIMEOUT))
                    .build();
                Transport::Smtp(transport)
            }
            Backend::Console => Transport::Console,
            Backend::Memory => Transport::Memory,
            Backend::File(dir) => {
                std::fs::create_dir_all(dir).map_err(failed(format!(
                    "cannot make the mail folder {}",
                    dir.display()
                )))?;
                Transport::File(AsyncFileTransport::new(dir), dir.clone())
            }
        };
        let keep = keep || matches!(transport, Transport::Memory);
        Ok(Self {
            inner: Arc::new(Inner {
                transport,
                from,
                templates,
                outbox: keep.then(Outbox::default),
            }),
            // plinth:mailer-init
        })
    }

    /// The mail sent so far, when this mailer keeps it (tests, development).
    pub fn outbox(&self) -> Option<&Outbox> {
        self.inner.outbox.as_ref()
    }

    /// A message to `to` from `templates/TEMPLATE.txt` and, when the project has it,
    /// `templates/TEMPLATE.html`, both rendered with `context`.
    pub fn compose(
        &self,
        to: &str,
        subject: &str,
        template: &str,
        context: Value,
    ) -> Result<Email, MailError> {
        let render = |name: String| {
            self.inner
                .templates
                .render_text(&name, context.clone())
                .map_err(failed(format!("cannot render {name}")))
        };
        let text = render(format!("{template}.txt"))?
            .ok_or_else(|| MailError(format!("there is no template {template}.txt")))?;
        let html = render(format!("{template}.html"))?;
        Ok(Email {
            to: to.to_owned(),
            subject: subject.to_owned(),
            text,
            html,
        })
    }

    /// Sends `email` after the response, from a task of its own: a failure is logged,
    /// never seen by the request that sent it.
    pub fn send_later(&self, email: Email) {
        if let (Transport::Memory, Some(outbox)) = (&self.inner.transport, self.outbox()) {
            // Nothing to wait for: kept at once, so a test sees it when the response is in.
            outbox.keep(email);
            return;
        }
        // plinth:send-later
        let mailer = self.clone();
        tokio::spawn(async move {
            let (to, subject) = (email.to.clone(), email.subject.clone());
            match mailer.send(email).await {
                Ok(outcome) => tracing::info!(%to, %subject, "mail sent: {outcome}"),
                Err(error) => tracing::error!(%to, %subject, %error, "mail not sent"),
            }
        });
    }

    /// Sends `email` now, and says what became of it (an SMTP server's answer).
    pub async fn send(&self, email: Email) -> Result<String, MailError> {
        let message = self.message(&email)?;
        let outcome = match &self.inner.transport {
            Transport::Smtp(smtp) => {
                let answer = smtp
                    .send(message)
                    .await
                    .map_err(failed(format!("cannot send to {}", email.to)))?;
                let lines: Vec<&str> = answer.message().collect();
                format!("the server answered {} {}", answer.code(), lines.join(" "))
            }
            Transport::Console => {
                tracing::info!(
                    "mail (MAIL_URL=console:)\nFrom: {}\nTo: {}\nSubject: {}\n\n{}",
                    self.inner.from,
                    email.to,
                    email.subject,
                    email.text
                );
                "written to the log".to_owned()
            }
            Transport::Memory => "kept in memory".to_owned(),
            Transport::File(file, dir) => {
                let id = file
                    .send(message)
                    .await
                    .map_err(failed(format!("cannot write to {}", dir.display())))?;
                format!("written to {}", dir.join(format!("{id}.eml")).display())
            }
        };
        if let Some(outbox) = self.outbox() {
            outbox.keep(email);
        }
        Ok(outcome)
    }

    /// The message as it goes out: a text part, or text and HTML as alternatives.
    fn message(&self, email: &Email) -> Result<Message, MailError> {
        let to: Mailbox = email
            .to
            .parse()
            .map_err(failed(format!("cannot send to {:?}", email.to)))?;
        let builder = Message::builder()
            .from(self.inner.from.clone())
            .to(to)
            .subject(email.subject.as_str());
        let message = match &email.html {
            Some(html) => builder.multipart(MultiPart::alternative_plain_html(
                email.text.clone(),
                html.clone(),
            )),
            None => builder
                .header(ContentType::TEXT_PLAIN)
                .body(email.text.clone()),
        };
        message.map_err(failed("cannot build the message"))
    }
}
