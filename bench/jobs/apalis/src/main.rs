//! `apalis-bench sqlite|postgres URL JOBS WORKERS`: the peer of plinth's queue in
//! `bench/jobs.py`, measured the same way: JOBS no-op jobs queued (apalis's `push_bulk`),
//! then WORKERS workers (a pool and a storage each, as separate processes would have)
//! timed running them all; then, on an idle worker, the time from queueing one job to
//! its end, twenty times. Prints one line of JSON.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use apalis::prelude::*;
use apalis_postgres::{PgPool, PostgresStorage};
use apalis_sqlite::{SqlitePool, SqliteStorage};
use serde::{Deserialize, Serialize};

/// How often an idle worker looks for jobs, as plinth's workers do (`POLL` in
/// src/jobs/worker.rs). Left to its default, an idle apalis worker looks again only at
/// its next heartbeat (30 s).
const POLL: Duration = Duration::from_secs(1);

/// How many jobs ran to their end.
static DONE: AtomicUsize = AtomicUsize::new(0);

/// A job that only counts, as plinth's `bench.noop`.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Noop {
    n: u64,
}

async fn noop(_job: Noop) -> Result<(), BoxDynError> {
    DONE.fetch_add(1, Ordering::Relaxed);
    Ok(())
}

/// Waits until `count` jobs ran.
async fn until_done(count: usize) {
    while DONE.load(Ordering::Relaxed) < count {
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
}

/// Prints the figures: `enqueue` and `complete` in seconds for `jobs`, and the latencies.
fn report(jobs: u64, enqueue: f64, complete: f64, mut latencies: Vec<f64>) {
    latencies.sort_by(f64::total_cmp);
    println!(
        "{{\"enqueue_per_s\": {:.0}, \"complete_per_s\": {:.0}, \"latency_ms\": {:.1}}}",
        jobs as f64 / enqueue,
        jobs as f64 / complete,
        latencies[latencies.len() / 2]
    );
}

#[tokio::main]
async fn main() -> Result<(), BoxDynError> {
    let args: Vec<String> = std::env::args().collect();
    let engine = args.get(1).cloned().unwrap_or_default();
    let url = args.get(2).cloned().unwrap_or_default();
    let jobs: u64 = args.get(3).map_or(Ok(10_000), |arg| arg.parse())?;
    let workers: usize = args.get(4).map_or(Ok(1), |arg| arg.parse())?;
    let batch: Vec<Noop> = (0..jobs).map(|n| Noop { n }).collect();
    let total = usize::try_from(jobs)?;
    // One body for both storages, whose types share no trait a function could name.
    macro_rules! measure {
        ($pool:ty, $storage:ident) => {{
            let pool = <$pool>::connect(&url).await?;
            $storage::setup(&pool).await?;
            let mut storage: $storage<Noop> = $storage::new(&pool);
            let started = Instant::now();
            storage.push_bulk(batch).await?;
            let enqueue = started.elapsed().as_secs_f64();
            let started = Instant::now();
            for number in 0..workers {
                let pool = <$pool>::connect(&url).await?;
                let worker = WorkerBuilder::new(format!("worker-{number}"))
                    .backend($storage::<Noop>::new(&pool).poll_with_interval(POLL))
                    .concurrency(4)
                    .build(noop);
                tokio::spawn(worker.run());
            }
            until_done(total).await;
            let complete = started.elapsed().as_secs_f64();
            let mut latencies = Vec::new();
            for n in 0..20 {
                tokio::time::sleep(Duration::from_millis(1500)).await;
                let queued = Instant::now();
                storage.push(Noop { n: jobs + n }).await?;
                until_done(total + usize::try_from(n)? + 1).await;
                latencies.push(queued.elapsed().as_secs_f64() * 1000.0);
            }
            report(jobs, enqueue, complete, latencies);
        }};
    }
    match engine.as_str() {
        "sqlite" => measure!(SqlitePool, SqliteStorage),
        "postgres" => measure!(PgPool, PostgresStorage),
        other => return Err(format!("no engine {other:?}: sqlite or postgres").into()),
    }
    Ok(())
}
