//! `cargo run -- worker` and `cargo run -- jobs …`: running workers, and seeing and
//! changing the queue from a terminal.

use super::queue::{self, Changed, DEFAULT_QUEUE};
use super::{Enqueue, JOBS, JobError, Worker};
use crate::db;

/// `worker [--concurrency N] [--queue NAME]…`; the command line (`src/cli.rs`) parses it.
#[derive(Debug, PartialEq, Eq, clap::Args)]
pub struct WorkerCommand {
    /// How many jobs to run at once.
    #[arg(long, default_value_t = 4)]
    pub concurrency: usize,
    /// A queue to take jobs from; repeat it for several, the first one's jobs first.
    #[arg(long = "queue", default_value = DEFAULT_QUEUE)]
    pub queues: Vec<String>,
}

impl WorkerCommand {
    /// Runs a worker until Ctrl-C or SIGTERM, then lets its jobs end (see `worker.rs`).
    pub async fn run(self, state: crate::AppState) {
        let worker = Worker::new(state)
            .queues(self.queues)
            .concurrency(self.concurrency);
        worker.run(stop_signal()).await;
    }
}

/// `jobs list|retry|cancel|enqueue`.
#[derive(Debug, PartialEq, Eq, clap::Subcommand)]
pub enum JobsCommand {
    /// List the newest jobs, with their state and last error.
    List {
        /// Only the jobs in this state: queued, running, done, failed or cancelled.
        #[arg(long)]
        status: Option<String>,
        /// How many to list.
        #[arg(long, default_value_t = 50)]
        limit: i64,
    },
    /// Queue a failed or cancelled job again.
    Retry { id: i64 },
    /// Take a queued job out of its queue.
    Cancel { id: i64 },
    /// Queue a job by its name, with its fields as JSON (`null` for a job without any).
    Enqueue {
        name: String,
        #[arg(default_value = "null")]
        json: String,
    },
}

impl JobsCommand {
    /// Does what was asked and prints the outcome; an `Err` says why nothing was done.
    pub async fn run(self, pool: &db::Pool) -> Result<(), JobError> {
        let now = db::unix_now();
        match self {
            Self::List { status, limit } => {
                for job in queue::list(pool, status.as_deref(), limit).await? {
                    let due = queue::due_text(job.run_at, now);
                    let error = job.last_error.as_deref().unwrap_or("");
                    println!(
                        "{:>6}  {:<9}  {}/{}  {}  {}  {due}  {error}",
                        job.id, job.status, job.attempts, job.max_attempts, job.queue, job.name,
                    );
                }
                Ok(())
            }
            Self::Retry { id } => report(id, "queued again", queue::retry(pool, id, now).await?),
            Self::Cancel { id } => report(id, "cancelled", queue::cancel(pool, id, now).await?),
            Self::Enqueue { name, json } => {
                let id = enqueue(pool, &name, &json).await?;
                println!("Queued job {id} ({name}).");
                Ok(())
            }
        }
    }
}

/// Prints what became of job `id`, or says why nothing did.
fn report(id: i64, done: &str, changed: Changed) -> Result<(), JobError> {
    match changed {
        Changed::Done => {
            println!("Job {id} {done}.");
            Ok(())
        }
        Changed::NoSuchJob => Err(JobError::new(format!("no job has the id {id}"))),
        Changed::NotApplicable => Err(JobError::new(format!(
            "job {id} is not in a state for that: retry a failed or cancelled job, \
             cancel a queued one (`jobs list` shows their states)"
        ))),
        Changed::Duplicate => Err(JobError::new(format!(
            "another job with the unique key of job {id} is queued or running"
        ))),
    }
}

/// Queues a job of the kind `name` from its JSON, after checking both.
async fn enqueue(pool: &db::Pool, name: &str, json: &str) -> Result<i64, JobError> {
    let Some(kind) = JOBS.iter().find(|kind| kind.name == name) else {
        let known: Vec<&str> = JOBS.iter().map(|kind| kind.name).collect();
        return Err(JobError::new(format!(
            "no job is named {name}; the jobs are: {}",
            known.join(", ")
        )));
    };
    let queued = Enqueue::from_json(kind, json)?.push(pool).await?;
    queued.ok_or_else(|| JobError::new("the queue refused the job"))
}

/// Resolves on Ctrl-C, or on SIGTERM on Unix (what a service manager sends to stop).
async fn stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let Ok(mut terminate) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = terminate.recv() => {}
            }
            return;
        }
    }
    if tokio::signal::ctrl_c().await.is_err() {
        // No signal can be heard: the worker runs until it is killed.
        std::future::pending::<()>().await;
    }
}
