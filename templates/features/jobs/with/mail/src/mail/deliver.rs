//! Mail through the job queue (src/jobs/): with jobs installed, [`Mailer::send_later`]
//! queues a [`Deliver`] job rather than sending from a task, so a message that a server
//! refused or never answered is tried again, 10 s, 20 s, 40 s… later, until its attempts
//! run out; then it stays listed as failed (`cargo run -- jobs list --status failed`,
//! `/admin/jobs`) with the server's answer. A message survives a restart, too.

use serde::{Deserialize, Serialize};

use super::{Email, Mailer};
use crate::jobs::{Enqueue, Job, JobError};

/// Sends one message; a failed attempt is the queue's to retry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deliver {
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: Option<String>,
}

impl From<Email> for Deliver {
    fn from(email: Email) -> Self {
        let Email {
            to,
            subject,
            text,
            html,
        } = email;
        Self {
            to,
            subject,
            text,
            html,
        }
    }
}

impl Job for Deliver {
    const NAME: &'static str = "mail.deliver";

    /// Ten attempts: the last about 1.5 hours after the first.
    const MAX_ATTEMPTS: i32 = 10;

    async fn run(self, state: crate::AppState) -> Result<(), JobError> {
        let (to, subject) = (self.to.clone(), self.subject.clone());
        let email = Email {
            to: self.to,
            subject: self.subject,
            text: self.text,
            html: self.html,
        };
        let outcome = state.mail.send(email).await?;
        tracing::info!(%to, %subject, "mail sent: {outcome}");
        Ok(())
    }
}

impl Mailer {
    /// This mailer, with [`Mailer::send_later`] queueing its messages in `pool`'s jobs.
    #[must_use]
    pub fn through_jobs(self, pool: crate::db::Pool) -> Self {
        Self {
            queue: Some(pool),
            ..self
        }
    }
}

/// Queues `email` from a task of its own (the request does not wait for the database);
/// a message that cannot be queued is sent at once instead.
pub(super) fn queue(mailer: &Mailer, pool: crate::db::Pool, email: Email) {
    let mailer = mailer.clone();
    tokio::spawn(async move {
        let queued = match Enqueue::new(&Deliver::from(email.clone())) {
            Ok(job) => job.push(&pool).await.map_err(JobError::from),
            Err(err) => Err(JobError::from(err)),
        };
        if let Err(error) = queued {
            tracing::error!(%error, to = %email.to, "mail not queued: sending it now");
            if let Err(error) = mailer.send(email).await {
                tracing::error!(%error, "mail not sent");
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mail::{Backend, MailSettings};

    /// A mailer of `backend`, keeping nothing, with the app's templates.
    fn mailer(state: &crate::AppState, backend: &Backend) -> Mailer {
        let from = "Shop <noreply@example.com>".parse().expect("a mailbox");
        Mailer::with_backend(backend, from, state.templates.clone(), false).expect("built")
    }

    fn email(subject: &str) -> Email {
        Email {
            to: "ada@example.com".to_owned(),
            subject: subject.to_owned(),
            text: "Hello".to_owned(),
            html: None,
        }
    }

    #[tokio::test]
    async fn send_later_queues_a_job_that_sends_the_message() {
        let state = crate::AppState::from_env().await.expect("state builds");
        let nanos = std::time::UNIX_EPOCH.elapsed().expect("clock").as_nanos();
        let subject = format!("Queued {}-{nanos}", std::process::id());
        let queueing = mailer(&state, &Backend::Console).through_jobs(state.db.clone());
        queueing.send_later(email(&subject));
        let mut payload = None;
        for _ in 0..250 {
            payload = sqlx::query_scalar::<_, String>(
                "SELECT payload FROM jobs WHERE name = $1 AND payload LIKE $2",
            )
            .bind(Deliver::NAME)
            .bind(format!("%{subject}%"))
            .fetch_optional(&state.db)
            .await
            .expect("query");
            if payload.is_some() {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        let payload = payload.expect("queued within five seconds");
        let job: Deliver = serde_json::from_str(&payload).expect("a Deliver");
        assert_eq!(job, Deliver::from(email(&subject)));

        // The worker's attempt sends it through the app's mailer (tests: its outbox).
        job.run(state.clone()).await.expect("sent");
        let outbox = state.mail.outbox().expect("tests keep mail");
        let sent = outbox.sent_to("ada@example.com");
        assert!(sent.iter().any(|email| email.subject == subject));
    }

    #[tokio::test]
    async fn a_message_the_server_does_not_take_fails_the_attempt() {
        let mut state = crate::AppState::from_env().await.expect("state builds");
        // Port 9 (discard) on this machine: nothing listens there.
        let settings = MailSettings::read(Some("smtp://127.0.0.1:9".to_owned()), None);
        state.mail = mailer(&state, &settings.expect("read").backend);
        let attempt = Deliver::from(email("Refused")).run(state).await;
        let error = attempt.expect_err("the attempt fails, and the queue tries again");
        assert!(
            error.to_string().contains("cannot send to ada@example.com"),
            "{error}"
        );
    }
}
