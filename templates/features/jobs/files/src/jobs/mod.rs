//! Background jobs, kept in the database the app already has (the `jobs` table,
//! `migrations/1101_create_jobs.sql`): no service to run beside it.
//!
//! A job is a struct that implements [`Job`] and is listed in [`JOBS`]. A handler (or
//! another job) queues one, now, later or at a moment, optionally inside its own
//! transaction, so that the job exists only if the transaction commits:
//!
//! ```ignore
//! Enqueue::new(&Welcome { user_id })?.after(Duration::from_secs(60)).push(&state.db).await?;
//! ```
//!
//! Workers (`cargo run -- worker`, and in development the server itself) claim due jobs
//! and run them, at least once each:
//!
//! - a job that fails is tried again after a delay that doubles each time
//!   ([`queue::backoff`]), up to its `MAX_ATTEMPTS`, then kept as `failed` with its error;
//! - a worker holds the job it runs for a lease (`JOBS_LEASE_SECONDS`, [`LEASE`] unless
//!   set), renewed while it runs: a job whose worker died (killed, the machine gone) is
//!   taken by another once the lease runs out;
//! - on PostgreSQL workers on many machines share the queue (`FOR UPDATE SKIP LOCKED`);
//!   on SQLite the workers of one machine do.
//!
//! Recurring tasks are listed in [`SCHEDULE`]; each tick queues its job once, however
//! many workers run. `cargo run -- jobs list|retry|cancel|enqueue` shows and changes the
//! queue, and `GET /health/jobs` tells monitoring whether it is being worked.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use serde::Serialize;
use serde::de::DeserializeOwned;

mod cleanup;
mod command;
pub mod health;
pub mod queue;
mod roster;
mod schedule;
mod worker;

#[cfg(test)]
mod tests;

pub use cleanup::Cleanup;
pub use command::{JobsCommand, WorkerCommand};
pub use queue::Enqueue;
pub use schedule::Recurring;
pub use worker::Worker;

/// How long a worker holds a job it has claimed unless `JOBS_LEASE_SECONDS` says
/// otherwise; it renews the hold every third of this while the job runs, so only a
/// worker that stopped loses it, and another takes the job once it runs out.
pub const LEASE: Duration = Duration::from_secs(5 * 60);

/// Reads `JOBS_LEASE_SECONDS`: whole seconds, from 3 (renewed each second) to a day.
pub fn lease_setting(value: Option<String>) -> Result<Duration, crate::config::ConfigError> {
    let Some(text) = value else {
        return Ok(LEASE);
    };
    match text.trim().parse::<u64>() {
        Ok(seconds @ 3..=86_400) => Ok(Duration::from_secs(seconds)),
        _ => Err(crate::config::ConfigError::new(format!(
            "JOBS_LEASE_SECONDS={text} is not a whole number of seconds from 3 to 86400"
        ))),
    }
}

/// A kind of background job: its fields are what it needs (ids rather than rows, which
/// may change before it runs), stored as JSON.
pub trait Job: Serialize + DeserializeOwned + Send + 'static {
    /// Its name in the `jobs` table: keep it while jobs of this kind may be queued.
    const NAME: &'static str;

    /// How many times it is tried before it is kept as failed.
    const MAX_ATTEMPTS: i32 = 5;

    /// Does the work. An `Err` (or a panic) is a failed attempt: the job runs again later.
    fn run(self, state: crate::AppState) -> impl Future<Output = Result<(), JobError>> + Send;
}

/// Every kind of job this app runs, by name. A job that is not listed here fails with
/// "no job named …" when a worker claims it.
pub static JOBS: &[Registered] = &[
    Registered::of::<Cleanup>(),
    // plinth:jobs
];

/// The recurring tasks: when each runs (five cron fields and a time zone:
/// `"0 4 * * * UTC"` is 04:00 UTC daily) and the job it queues. Workers keep the
/// schedule; however many run, each tick queues its job once (`schedule.rs`).
pub static SCHEDULE: &[Recurring] = &[
    Recurring {
        name: "jobs.cleanup",
        cron: "0 4 * * * UTC",
        job: || Enqueue::new(&Cleanup),
    },
    // plinth:schedule
];

/// A job's attempt, running: what a worker awaits.
type Attempt = Pin<Box<dyn Future<Output = Result<(), JobError>> + Send>>;

/// A kind of job in [`JOBS`]: its name, its attempts, and how to read and run one from
/// its JSON.
pub struct Registered {
    pub name: &'static str,
    pub max_attempts: i32,
    check: fn(&str) -> Result<(), serde_json::Error>,
    start: fn(&str, crate::AppState) -> Attempt,
}

impl Registered {
    /// The entry of `J`.
    pub const fn of<J: Job>() -> Self {
        Self {
            name: J::NAME,
            max_attempts: J::MAX_ATTEMPTS,
            check: check::<J>,
            start: start::<J>,
        }
    }

    /// Whether `payload` is a job of this kind.
    pub fn check(&self, payload: &str) -> Result<(), serde_json::Error> {
        (self.check)(payload)
    }

    /// Starts a job of this kind from its payload.
    fn start(&self, payload: &str, state: crate::AppState) -> Attempt {
        (self.start)(payload, state)
    }
}

/// Whether `payload` reads as a `J`.
fn check<J: Job>(payload: &str) -> Result<(), serde_json::Error> {
    serde_json::from_str::<J>(payload).map(drop)
}

/// Reads a `J` from `payload` and runs it.
fn start<J: Job>(payload: &str, state: crate::AppState) -> Attempt {
    let job = serde_json::from_str::<J>(payload);
    Box::pin(async move {
        let job =
            job.map_err(|err| JobError(format!("its payload is not a {}: {err}", J::NAME)))?;
        job.run(state).await
    })
}

/// Why an attempt failed, as the `jobs` table keeps it (`last_error`). Any error turns
/// into one with `?`.
pub struct JobError(String);

impl JobError {
    /// A failure known by its message.
    pub fn new(message: impl Into<String>) -> Self {
        Self(message.into())
    }
}

impl<E: std::error::Error> From<E> for JobError {
    fn from(err: E) -> Self {
        let mut message = err.to_string();
        let mut source = err.source();
        while let Some(cause) = source {
            message.push_str(&format!(": {cause}"));
            source = cause.source();
        }
        Self(message)
    }
}

// The command line's `?` turns it into the error it prints (`src/cli.rs`).
impl From<JobError> for Box<dyn std::error::Error> {
    fn from(err: JobError) -> Self {
        err.0.into()
    }
}

impl fmt::Display for JobError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for JobError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
