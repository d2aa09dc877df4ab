//! Workers: a worker claims due jobs from its queues, in the order the queues are named,
//! and runs up to `concurrency` at once, each as a task of its own (a panic fails the
//! attempt, not the worker). It renews the lease of each job it runs, keeps the
//! [`SCHEDULE`] of recurring tasks, and every minute says it is alive (`roster.rs`) and
//! keeps as failed the jobs of its queues whose worker died during their last attempt.
//!
//! When `stop` resolves it claims nothing more, gives the running jobs [`GRACE`] to end,
//! then stops them and puts them back in their queues for another worker.

use std::collections::HashMap;
use std::pin::pin;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::task::JoinSet;

use super::queue::{self, Claimed, DEFAULT_QUEUE};
use super::schedule::{self, Recurring};
use super::{JOBS, JobError, Registered, SCHEDULE, roster};
use crate::db;

/// How long an idle worker waits before looking for due jobs again.
pub const POLL: Duration = Duration::from_secs(1);

/// How long running jobs may take to end once the worker is told to stop.
pub const GRACE: Duration = Duration::from_secs(30);

/// How often a worker does its upkeep (saying it is alive, abandoned jobs).
const UPKEEP: Duration = Duration::from_secs(60);

/// A worker on the app's state; [`Worker::run`] starts it.
pub struct Worker {
    state: crate::AppState,
    queues: Vec<String>,
    concurrency: usize,
    jobs: &'static [Registered],
    schedule: &'static [Recurring],
    lease: Duration,
    grace: Duration,
}

impl Worker {
    /// A worker of the default queue, four jobs at a time, for the jobs of [`JOBS`], that
    /// keeps the [`SCHEDULE`].
    pub fn new(state: crate::AppState) -> Self {
        let lease = state.config.jobs_lease;
        Self {
            state,
            queues: vec![DEFAULT_QUEUE.to_owned()],
            concurrency: 4,
            jobs: JOBS,
            schedule: SCHEDULE,
            lease,
            grace: GRACE,
        }
    }

    /// Takes jobs from `queues`, the first one's before the second's, and so on.
    #[must_use]
    pub fn queues(mut self, queues: Vec<String>) -> Self {
        self.queues = queues;
        self
    }

    /// Runs up to `concurrency` jobs at once (at least one).
    #[must_use]
    pub fn concurrency(mut self, concurrency: usize) -> Self {
        self.concurrency = concurrency.max(1);
        self
    }

    /// Runs the jobs of `jobs` instead of [`JOBS`].
    #[cfg(test)]
    #[must_use]
    pub fn jobs(mut self, jobs: &'static [Registered]) -> Self {
        self.jobs = jobs;
        self
    }

    /// Keeps `schedule` instead of [`SCHEDULE`].
    #[cfg(test)]
    #[must_use]
    pub fn schedule(mut self, schedule: &'static [Recurring]) -> Self {
        self.schedule = schedule;
        self
    }

    /// Gives running jobs `grace` to end once told to stop, instead of [`GRACE`].
    #[cfg(test)]
    #[must_use]
    pub fn grace(mut self, grace: Duration) -> Self {
        self.grace = grace;
        self
    }

    /// In development, runs a worker inside the server's process, so that `cargo run`
    /// alone runs jobs too; it stops with the process. Production runs `worker` processes.
    pub fn in_process(state: &crate::AppState) {
        if state.config.is_production() {
            return;
        }
        let worker = Self::new(state.clone());
        tokio::spawn(worker.run(tokio::signal::ctrl_c()));
    }

    /// Claims and runs jobs until `stop` resolves; see the module's documentation.
    pub async fn run<T>(self, stop: impl Future<Output = T>) {
        tracing::info!(queues = ?self.queues, concurrency = self.concurrency, "worker started");
        let pool = &self.state.db;
        let pid = std::process::id();
        let on_roster = match roster::join(pool, pid, &self.queues, db::unix_now()).await {
            Ok(id) => Some(id),
            Err(err) => {
                tracing::error!(%err, "cannot add this worker to the roster");
                None
            }
        };
        let schedule = tokio::spawn(schedule::keep(pool.clone(), self.schedule));
        let permits = Arc::new(Semaphore::new(self.concurrency));
        let mut running = JoinSet::new();
        let mut claimed: HashMap<tokio::task::Id, Claimed> = HashMap::new();
        let mut stop = pin!(stop);
        let mut upkept: Option<Instant> = None;
        loop {
            if upkept.is_none_or(|at| at.elapsed() >= UPKEEP) {
                self.upkeep(on_roster).await;
                upkept = Some(Instant::now());
            }
            while let Some(ended) = running.try_join_next_with_id() {
                forget(&mut claimed, ended);
            }
            let permit = tokio::select! {
                permit = Arc::clone(&permits).acquire_owned() => permit,
                _ = &mut stop => break,
            };
            let Ok(permit) = permit else { break };
            // Every free slot at once: one claim fills them all.
            let mut free = vec![permit];
            while let Ok(permit) = Arc::clone(&permits).try_acquire_owned() {
                free.push(permit);
            }
            let jobs = self.claim(free.len()).await;
            if jobs.is_empty() {
                drop(free);
                tokio::select! {
                    () = tokio::time::sleep(POLL) => continue,
                    _ = &mut stop => break,
                }
            }
            // The slots left free are given back as `free` ends.
            for (job, permit) in jobs.into_iter().zip(free) {
                let attempt = attempt(
                    self.state.clone(),
                    job.clone(),
                    self.jobs,
                    self.lease,
                    permit,
                );
                claimed.insert(running.spawn(attempt).id(), job);
            }
        }
        schedule.abort();
        tracing::info!(running = running.len(), "worker stopping");
        let ended = tokio::time::timeout(self.grace, async {
            while let Some(ended) = running.join_next_with_id().await {
                forget(&mut claimed, ended);
            }
        });
        if ended.await.is_err() {
            running.abort_all();
            while running.join_next().await.is_some() {}
            for job in claimed.values() {
                tracing::warn!(id = job.id, name = %job.name, "job stopped: put back in its queue");
                if let Err(err) = queue::release(&self.state.db, job).await {
                    tracing::error!(%err, id = job.id, "job not put back: it runs again after its lease");
                }
            }
        }
        if let Some(id) = on_roster
            && let Err(err) = roster::leave(pool, id).await
        {
            tracing::error!(%err, "cannot take this worker off the roster");
        }
        tracing::info!("worker stopped");
    }

    /// Up to `limit` due jobs, the first queue's before the second's.
    async fn claim(&self, limit: usize) -> Vec<Claimed> {
        let mut jobs = Vec::new();
        for name in &self.queues {
            let left = limit - jobs.len();
            match queue::claim(&self.state.db, name, db::unix_now(), self.lease, left).await {
                Ok(claimed) => jobs.extend(claimed),
                Err(err) => {
                    tracing::error!(%err, queue = %name, "cannot claim jobs");
                    break;
                }
            }
            if jobs.len() == limit {
                break;
            }
        }
        jobs
    }

    /// Says the worker is alive, and fails the jobs of its queues abandoned on their last
    /// attempt.
    async fn upkeep(&self, on_roster: Option<i64>) {
        let pool = &self.state.db;
        if let Some(id) = on_roster
            && let Err(err) = roster::seen(pool, id, db::unix_now()).await
        {
            tracing::error!(%err, "cannot say this worker is alive");
        }
        for name in &self.queues {
            match queue::fail_abandoned(pool, name, db::unix_now()).await {
                Ok(0) => {}
                Ok(count) => tracing::warn!(count, queue = %name, "abandoned jobs kept as failed"),
                Err(err) => tracing::error!(%err, "cannot look for abandoned jobs"),
            }
        }
    }
}

/// Drops the record of a task that ended; a task that ended by a panic outside its job
/// (the database failing as its outcome was recorded) leaves its job to its lease.
fn forget(
    claimed: &mut HashMap<tokio::task::Id, Claimed>,
    ended: Result<(tokio::task::Id, ()), tokio::task::JoinError>,
) {
    let id = match ended {
        Ok((id, ())) => id,
        Err(err) => err.id(),
    };
    claimed.remove(&id);
}

/// Runs one attempt of `job`, renewing its lease meanwhile, and records the outcome.
async fn attempt(
    state: crate::AppState,
    job: Claimed,
    jobs: &'static [Registered],
    lease: Duration,
    _permit: OwnedSemaphorePermit,
) {
    let pool = state.db.clone();
    let started = Instant::now();
    let outcome = match jobs.iter().find(|kind| kind.name == job.name) {
        None => Err(JobError::new(format!(
            "no job named {} in this app (src/jobs/mod.rs, JOBS)",
            job.name
        ))),
        Some(kind) => {
            // A task of its own, so that a panic is a failed attempt; dropping the set
            // (this worker stopping, or the lease lost) stops it.
            let mut work = JoinSet::new();
            work.spawn(kind.start(&job.payload, state));
            let mut renewal =
                tokio::time::interval_at(tokio::time::Instant::now() + lease / 3, lease / 3);
            loop {
                tokio::select! {
                    ended = work.join_next() => match ended {
                        Some(Ok(outcome)) => break outcome,
                        Some(Err(err)) if err.is_panic() => {
                            break Err(JobError::new("it panicked (the log has the message)"));
                        }
                        _ => break Err(JobError::new("it was stopped")),
                    },
                    _ = renewal.tick() => match queue::renew(&pool, &job, db::unix_now(), lease).await {
                        Ok(true) => {}
                        Ok(false) => {
                            tracing::warn!(id = job.id, "job lost its lease: another worker has it");
                            return;
                        }
                        Err(err) => tracing::error!(%err, id = job.id, "cannot renew a job's lease"),
                    },
                }
            }
        }
    };
    let took = started.elapsed().as_secs_f64();
    let recorded = match &outcome {
        Ok(()) => {
            tracing::info!(id = job.id, name = %job.name, took, "job done");
            queue::succeeded(&pool, &job, db::unix_now()).await
        }
        Err(error) => {
            tracing::warn!(id = job.id, name = %job.name, attempt = job.attempts, %error, "job failed");
            queue::failed(&pool, &job, &error.to_string(), db::unix_now()).await
        }
    };
    if let Err(err) = recorded {
        tracing::error!(%err, id = job.id, "cannot record a job's outcome: it runs again after its lease");
    }
}
