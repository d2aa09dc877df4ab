//! The job that keeps the `jobs` table small: it deletes the jobs that finished a week
//! ago (a month for failed ones, which someone may want to read or retry). It runs daily,
//! as [`SCHEDULE`](super::SCHEDULE) says.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::{Job, JobError, queue};
use crate::db;

/// How long finished jobs stay listed.
pub const KEEP_DONE: Duration = Duration::from_secs(7 * 24 * 60 * 60);

/// How long failed jobs stay listed.
pub const KEEP_FAILED: Duration = Duration::from_secs(30 * 24 * 60 * 60);

/// Deletes old finished jobs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cleanup;

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
