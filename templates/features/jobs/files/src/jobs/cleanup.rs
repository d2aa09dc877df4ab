//! The job that keeps the `jobs` table small: it deletes the jobs that finished a week
//! ago (a month for failed ones, which someone may want to read or retry). Workers queue
//! it for a day later whenever none is queued or running (its unique key keeps it to one
//! at a time), so it runs daily while any worker serves the default queue.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::{Enqueue, Job, JobError, queue};
use crate::db;

/// How long finished jobs stay listed.
pub const KEEP_DONE: Duration = Duration::from_secs(7 * 24 * 60 * 60);

/// How long failed jobs stay listed.
pub const KEEP_FAILED: Duration = Duration::from_secs(30 * 24 * 60 * 60);

/// How often it runs.
pub const EVERY: Duration = Duration::from_secs(24 * 60 * 60);

/// Deletes old finished jobs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cleanup;

impl Cleanup {
    /// Queues the next cleanup `after` from now, unless one is queued or running.
    pub async fn schedule(pool: &db::Pool, after: Duration) -> Result<(), JobError> {
        let next = Enqueue::new(&Self)?.after(after).unique(Self::NAME);
        next.push(pool).await?;
        Ok(())
    }
}

impl Job for Cleanup {
    const NAME: &'static str = "jobs.cleanup";

    async fn run(self, state: crate::AppState) -> Result<(), JobError> {
        let now = db::unix_now();
        let ago = |keep: Duration| now.saturating_sub(i64::try_from(keep.as_secs()).unwrap_or(0));
        let deleted = queue::delete_finished(&state.db, ago(KEEP_DONE), ago(KEEP_FAILED)).await?;
        tracing::info!(deleted, "old jobs deleted");
        Ok(())
    }
}
