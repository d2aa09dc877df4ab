//! `cargo run -- sendtestemail ADDRESS`, as Django's: sends one message through the
//! backend `MAIL_URL` names, and prints what became of it (a mail server's answer).

use minijinja::context;

use super::{MailError, Mailer};

/// `sendtestemail ADDRESS`; the command line (`src/cli.rs`) parses it.
#[derive(Debug, PartialEq, Eq, clap::Args)]
pub struct SendTestEmail {
    /// Where to send the message.
    pub to: String,
}

impl SendTestEmail {
    /// Sends the message (`templates/mail/test.txt` and `.html`) and prints the outcome.
    pub async fn run(self, mail: &Mailer) -> Result<(), MailError> {
        let context = context! { to => &self.to };
        let email = mail.compose(&self.to, "Test email", "mail/test", context)?;
        let outcome = mail.send(email).await?;
        println!("Sent a test email to {}: {outcome}.", self.to);
        Ok(())
    }
}
