//! The workers that run, as the database knows them (`job_workers`): each worker adds
//! itself as it starts, says it is alive at each upkeep and leaves as it stops. A worker
//! killed leaves its row behind, which counts as alive no longer after [`ALIVE`] and is
//! deleted after a day. `/health/jobs` and `check` read it.

use std::time::Duration;

use crate::db;

/// How long a worker counts as running after it last said so: three of its upkeeps.
pub const ALIVE: Duration = Duration::from_secs(3 * 60);

/// Adds a worker of process `pid` taking jobs from `queues`; its id.
pub async fn join(
    pool: &db::Pool,
    pid: u32,
    queues: &[String],
    now: i64,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO job_workers (pid, queues, started_at, seen_at) VALUES ($1, $2, $3, $3) \
         RETURNING id",
    )
    .bind(i64::from(pid))
    .bind(queues.join(","))
    .bind(now)
    .fetch_one(pool)
    .await
}

/// Says worker `id` is alive at `now`, and forgets the workers not seen for a day.
pub async fn seen(pool: &db::Pool, id: i64, now: i64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE job_workers SET seen_at = $2 WHERE id = $1")
        .bind(id)
        .bind(now)
        .execute(pool)
        .await?;
    sqlx::query("DELETE FROM job_workers WHERE seen_at < $1")
        .bind(now.saturating_sub(24 * 60 * 60))
        .execute(pool)
        .await?;
    Ok(())
}

/// Takes worker `id` off the roster: it stopped.
pub async fn leave(pool: &db::Pool, id: i64) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM job_workers WHERE id = $1")
        .bind(id)
        .execute(pool)
        .await?;
    Ok(())
}

/// How many workers run at `now` (a process runs one: the server's, or `worker`'s).
pub async fn running(pool: &db::Pool, now: i64) -> Result<i64, sqlx::Error> {
    let alive_since = now.saturating_sub(i64::try_from(ALIVE.as_secs()).unwrap_or(0));
    sqlx::query_scalar("SELECT COUNT(*) FROM job_workers WHERE seen_at >= $1")
        .bind(alive_since)
        .fetch_one(pool)
        .await
}
