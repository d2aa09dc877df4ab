//! The login rate limit: attempts per client address and email within a window, in memory.

use super::*;

/// Login attempts per (client address, email), in this process's memory: a restart
/// forgets them, and each process counts its own.
#[derive(Clone, Default)]
pub(super) struct RateLimiter(Arc<Mutex<HashMap<(String, String), Window>>>);

#[derive(Clone, Copy)]
pub(super) struct Window {
    started: Instant,
    attempts: u32,
}

/// Above this many tracked keys, windows that have ended are dropped, so a flood of
/// made-up emails cannot grow the map for ever.
pub(super) const LIMITER_PRUNE_AT: usize = 10_000;

impl RateLimiter {
    /// Counts an attempt made at `now`. `Some(wait)` when it is one too many: the
    /// window ends `wait` from now.
    pub(super) fn hit(&self, key: (String, String), now: Instant) -> Option<Duration> {
        let mut windows = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        if windows.len() >= LIMITER_PRUNE_AT {
            windows.retain(|_, window| now.duration_since(window.started) < LOGIN_WINDOW);
        }
        let window = windows.entry(key).or_insert(Window {
            started: now,
            attempts: 0,
        });
        if now.duration_since(window.started) >= LOGIN_WINDOW {
            *window = Window {
                started: now,
                attempts: 0,
            };
        }
        window.attempts += 1;
        (window.attempts > LOGIN_ATTEMPTS)
            .then(|| LOGIN_WINDOW.saturating_sub(now.duration_since(window.started)))
    }
}
