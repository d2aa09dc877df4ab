//! `jobs_bench JOBS WORKERS`: queues JOBS no-op jobs through plinth's generated queue
//! (`Enqueue::push_all`, in one transaction),
//! then times WORKERS workers (four jobs at a time each, a pool each, as separate
//! processes would have) running them all; then, on an idle worker, the time from
//! queueing one job to its end, twenty times. Prints one line of JSON. Copied into a
//! generated project as `src/bin/jobs_bench.rs` by `bench/jobs.py`.

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use benchq::bench_job::{DONE, Noop};
use benchq::config::Config;
use benchq::jobs::{Enqueue, Worker};
use benchq::AppState;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let jobs: u64 = args.get(1).map_or(Ok(10_000), |arg| arg.parse())?;
    let workers: usize = args.get(2).map_or(Ok(1), |arg| arg.parse())?;
    let mut states = Vec::new();
    for _ in 0..workers {
        states.push(AppState::new(Config::from_env()?).await?);
    }
    benchq::db::migrate(&states[0].db).await?;

    let started = Instant::now();
    let batch = (0..jobs).map(|n| Enqueue::new(&Noop { n }));
    let batch = batch.collect::<Result<Vec<_>, _>>()?;
    let mut transaction = states[0].db.begin().await?;
    Enqueue::push_all(batch, &mut transaction).await?;
    transaction.commit().await?;
    let enqueue = started.elapsed().as_secs_f64();

    let (stop, stopped) = tokio::sync::watch::channel(false);
    let started = Instant::now();
    for state in &states {
        let mut stopped = stopped.clone();
        let worker = Worker::new(state.clone()).concurrency(4);
        tokio::spawn(worker.run(async move { stopped.wait_for(|stop| *stop).await.map(drop) }));
    }
    while DONE.load(Ordering::Relaxed) < usize::try_from(jobs)? {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let complete = started.elapsed().as_secs_f64();

    let mut latencies = Vec::new();
    for n in 0..20 {
        tokio::time::sleep(Duration::from_millis(1500)).await;
        let before = DONE.load(Ordering::Relaxed);
        let queued = Instant::now();
        Enqueue::new(&Noop { n: jobs + n })?.push(&states[0].db).await?;
        while DONE.load(Ordering::Relaxed) == before {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        latencies.push(queued.elapsed().as_secs_f64() * 1000.0);
    }
    latencies.sort_by(f64::total_cmp);
    stop.send(true)?;
    println!(
        "{{\"enqueue_per_s\": {:.0}, \"complete_per_s\": {:.0}, \"latency_ms\": {:.1}}}",
        jobs as f64 / enqueue,
        jobs as f64 / complete,
        latencies[latencies.len() / 2]
    );
    Ok(())
}
