//! What the end-to-end test adds to a generated project with jobs (`tests/e2e.rs`,
//! `jobs_*`): a job that records where it started and finished, and routes to queue such
//! jobs and to read those records, as a site's own code would.

use std::fmt::Display;
use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};

use crate::AppState;
use crate::jobs::{Enqueue, Job, JobError};

/// Records its start and its end, with the worker's process id, `sleep_ms` apart.
#[derive(Serialize, Deserialize)]
pub struct Mark {
    pub n: i64,
    pub sleep_ms: u64,
}

impl Job for Mark {
    const NAME: &'static str = "e2e.mark";

    async fn run(self, state: AppState) -> Result<(), JobError> {
        let pid = i64::from(std::process::id());
        sqlx::query("INSERT INTO job_starts (n, pid) VALUES ($1, $2)")
            .bind(self.n)
            .bind(pid)
            .execute(&state.db)
            .await?;
        tokio::time::sleep(Duration::from_millis(self.sleep_ms)).await;
        sqlx::query("INSERT INTO job_runs (n, pid) VALUES ($1, $2)")
            .bind(self.n)
            .bind(pid)
            .execute(&state.db)
            .await?;
        Ok(())
    }
}

fn failed(err: impl Display) -> (StatusCode, String) {
    (StatusCode::INTERNAL_SERVER_ERROR, err.to_string())
}

/// `POST /e2e/enqueue/{from}/{count}/{sleep_ms}`: queues `count` marks in one transaction.
pub async fn enqueue(
    State(state): State<AppState>,
    Path((from, count, sleep_ms)): Path<(i64, i64, u64)>,
) -> Result<String, (StatusCode, String)> {
    let mut transaction = state.db.begin().await.map_err(failed)?;
    for n in from..from + count {
        let job = Enqueue::new(&Mark { n, sleep_ms }).map_err(failed)?;
        job.push(&mut *transaction).await.map_err(failed)?;
    }
    transaction.commit().await.map_err(failed)?;
    Ok(format!("queued {count}"))
}

/// `GET /e2e/runs`: how many marks finished, how many different ones, in how many
/// processes.
pub async fn runs(State(state): State<AppState>) -> Result<String, (StatusCode, String)> {
    let (all, distinct, processes): (i64, i64, i64) =
        sqlx::query_as("SELECT COUNT(*), COUNT(DISTINCT n), COUNT(DISTINCT pid) FROM job_runs")
            .fetch_one(&state.db)
            .await
            .map_err(failed)?;
    Ok(format!("{all} {distinct} {processes}"))
}

/// `GET /e2e/marks/{n}`: the processes that started mark `n`, then those that finished it.
pub async fn mark(
    State(state): State<AppState>,
    Path(n): Path<i64>,
) -> Result<String, (StatusCode, String)> {
    let mut pids = Vec::new();
    for query in [
        "SELECT pid FROM job_starts WHERE n = $1 ORDER BY pid",
        "SELECT pid FROM job_runs WHERE n = $1 ORDER BY pid",
    ] {
        let found: Vec<i64> = sqlx::query_scalar(query)
            .bind(n)
            .fetch_all(&state.db)
            .await
            .map_err(failed)?;
        pids.push(found);
    }
    Ok(format!("{:?} {:?}", pids[0], pids[1]))
}
