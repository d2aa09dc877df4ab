//! Compiling generated projects side by side: `cargo clippy --all-targets` on one small
//! crate keeps about two cores busy (the binary and its tests are checked at once), so on
//! a larger machine the suites that compile many share them among lanes, one per two
//! cores, each a thread with a target folder of its own (cargo locks a target folder for
//! the whole of each build). Dependencies build once per lane. On two cores there is one
//! lane: a second made CI no faster (125 states in 1,236 s, as many seconds a state as one
//! lane took) and built every dependency twice.

// Test support: a failed expectation is a failed test.
#![allow(clippy::expect_used)]

use std::collections::VecDeque;
use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::cargo::target_dir;

/// How many lanes: one per two cores, or `PLINTH_LANES`; at least one, at most four.
pub(crate) fn lane_count() -> usize {
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    std::env::var("PLINTH_LANES")
        .ok()
        .and_then(|lanes| lanes.parse().ok())
        .unwrap_or(cores / 2)
        .clamp(1, 4)
}

/// The target folder of lane `number`: the suites' own for the first
/// (`PLINTH_E2E_TARGET_DIR`), then siblings named after it (`target/e2e-lane1`…).
pub(crate) fn lane_target_dir(number: usize) -> PathBuf {
    let first = target_dir();
    if number == 0 {
        return first;
    }
    let mut name = first.file_name().unwrap_or_default().to_owned();
    name.push(format!("-lane{number}"));
    first.with_file_name(name)
}

/// Runs `work` on each of `items`, in order, among [`lane_count`] lanes: `work` gets the
/// item, its number and its lane's target folder. After a failure no lane starts another
/// item, and the failure is the test's.
pub(crate) fn in_lanes<T: Send>(items: Vec<T>, work: impl Fn(T, usize, &PathBuf) + Sync) {
    let queue = Mutex::new(items.into_iter().enumerate().collect::<VecDeque<_>>());
    let failed = AtomicBool::new(false);
    std::thread::scope(|scope| {
        for lane in 0..lane_count() {
            let (queue, failed, work) = (&queue, &failed, &work);
            scope.spawn(move || {
                let target = lane_target_dir(lane);
                while !failed.load(Ordering::Relaxed) {
                    let next = queue.lock().expect("no lane panics holding it").pop_front();
                    let Some((number, item)) = next else { break };
                    let done = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                        work(item, number, &target);
                    }));
                    if let Err(panic) = done {
                        failed.store(true, Ordering::Relaxed);
                        std::panic::resume_unwind(panic);
                    }
                }
            });
        }
    });
}
