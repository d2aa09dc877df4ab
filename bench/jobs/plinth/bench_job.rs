//! The job `bench/jobs.py` queues: it does nothing but count, so the figures are the
//! queue's own cost. Copied into a generated project as `src/bench_job.rs`.

use std::sync::atomic::{AtomicUsize, Ordering};

use serde::{Deserialize, Serialize};

use crate::jobs::{Job, JobError};

/// How many jobs ran to their end in this process.
pub static DONE: AtomicUsize = AtomicUsize::new(0);

/// A job that only counts.
#[derive(Debug, Serialize, Deserialize)]
pub struct Noop {
    pub n: u64,
}

impl Job for Noop {
    const NAME: &'static str = "bench.noop";

    async fn run(self, _state: crate::AppState) -> Result<(), JobError> {
        DONE.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }
}
