//! Recurring tasks: [`SCHEDULE`](super::SCHEDULE) says when each runs, and every worker
//! keeps it, yet each tick queues its job once however many workers run.
//!
//! Each task's next tick is a row of `job_schedule`. A worker that sees it due moves it
//! to the tick after `now` and, in the same transaction, queues the job; the move only
//! happens while the row is still due, so of several workers seeing one tick, one queues
//! it. A tick missed while no worker ran is queued once when one starts, not once per
//! missed tick. A task seen for the first time, or whose expression changed, starts at
//! its next tick.

use std::time::Duration;

use cronexpr::{Crontab, MakeTimestamp};

use super::{Enqueue, JobError};
use crate::db;

/// One recurring task of [`SCHEDULE`](super::SCHEDULE).
pub struct Recurring {
    /// Its row in `job_schedule`: keep it while the task exists.
    pub name: &'static str,
    /// When it runs: five cron fields and a time zone, e.g. `"0 4 * * * UTC"` (04:00 UTC
    /// daily) or `"*/15 9-17 * * MON-FRI Europe/Paris"`.
    pub cron: &'static str,
    /// The job it queues at each tick.
    pub job: fn() -> Result<Enqueue, serde_json::Error>,
}

impl Recurring {
    /// Its expression, read.
    pub fn crontab(&self) -> Result<Crontab, JobError> {
        cronexpr::parse_crontab(self.cron)
            .map_err(|err| JobError::new(format!("task {}: `{}`: {err}", self.name, self.cron)))
    }
}

/// The first tick of `crontab` after `now` (Unix seconds).
pub fn next_tick(crontab: &Crontab, now: i64) -> Result<i64, JobError> {
    let next = crontab.find_next(MakeTimestamp::from_second(now)?)?;
    Ok(next.timestamp().as_second())
}

/// What [`tick`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ticked {
    /// The job it queued, when the task was due and no other worker had queued the tick.
    pub queued: Option<i64>,
    /// The task's next tick after `now`.
    pub next: i64,
}

/// Queues `task`'s job if its tick is due at `now` and no other worker queued it.
pub async fn tick(
    pool: &db::Pool,
    task: &Recurring,
    crontab: &Crontab,
    now: i64,
) -> Result<Ticked, JobError> {
    let next = next_tick(crontab, now)?;
    let mut transaction = pool.begin().await?;
    sqlx::query(
        "INSERT INTO job_schedule (task, cron, next_at) VALUES ($1, $2, $3) \
         ON CONFLICT (task) DO UPDATE SET cron = excluded.cron, next_at = excluded.next_at \
         WHERE job_schedule.cron <> excluded.cron",
    )
    .bind(task.name)
    .bind(task.cron)
    .bind(next)
    .execute(&mut *transaction)
    .await?;
    // One statement moves the tick: a second worker's finds it no longer due.
    let moved =
        sqlx::query("UPDATE job_schedule SET next_at = $2 WHERE task = $1 AND next_at <= $3")
            .bind(task.name)
            .bind(next)
            .bind(now)
            .execute(&mut *transaction)
            .await?;
    let queued = if moved.rows_affected() == 1 {
        (task.job)()?.push_at(&mut *transaction, now).await?
    } else {
        None
    };
    transaction.commit().await?;
    Ok(Ticked { queued, next })
}

/// Keeps `schedule` for as long as it runs (a worker stops it): queues each task's due
/// ticks, looking again at the next tick, and at least once a minute.
pub async fn keep(pool: db::Pool, schedule: &'static [Recurring]) {
    let mut tasks = Vec::new();
    for task in schedule {
        match task.crontab() {
            Ok(crontab) => tasks.push((task, crontab, i64::MIN)),
            Err(err) => tracing::error!(%err, "recurring task left out"),
        }
    }
    loop {
        let now = db::unix_now();
        for (task, crontab, next) in &mut tasks {
            if *next > now {
                continue;
            }
            match tick(&pool, task, crontab, now).await {
                Ok(ticked) => {
                    if let Some(id) = ticked.queued {
                        tracing::info!(task = task.name, id, "recurring task queued");
                    }
                    *next = ticked.next;
                }
                Err(err) => {
                    tracing::error!(%err, task = task.name, "cannot queue a recurring task");
                    *next = now.saturating_add(60);
                }
            }
        }
        let soonest = tasks.iter().map(|(_, _, next)| *next).min();
        let wait = soonest.map_or(60, |next| next.saturating_sub(now).clamp(1, 60));
        tokio::time::sleep(Duration::from_secs(wait.unsigned_abs())).await;
    }
}
