//! What Ctrl-C or SIGTERM does while plinth writes: the writer stops at its next step and
//! removes what it staged, so an interrupt leaves nothing behind (`plinth new`) or the
//! project as it was (`add`, `upgrade`, `remove`), or the complete change if it came
//! during the final renames. Watches nest: a command that writes files and then records
//! its base watches over both, so that no interrupt falls between them. A second
//! interrupt exits at once. (SIGKILL cannot be caught: the next run removes what it leaves, see
//! `write::remove_stale_staging`.)

use std::sync::Once;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use crate::error::{EXIT_CANCELLED, Error};

/// How many watches are alive: while any is, an interrupt waits for the writer.
static WRITING: AtomicUsize = AtomicUsize::new(0);

/// Whether an interrupt arrived while writing.
static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// Installs the handler once per process.
static HANDLER: Once = Once::new();

/// Watches for interrupts until the returned watch is dropped.
#[must_use]
pub fn watch() -> Watch {
    HANDLER.call_once(|| {
        // If another handler is installed, an interrupt ends plinth as SIGKILL would.
        let _ = ctrlc::set_handler(|| {
            let first = !INTERRUPTED.swap(true, Ordering::SeqCst);
            if !(first && WRITING.load(Ordering::SeqCst) > 0) {
                std::process::exit(i32::from(EXIT_CANCELLED));
            }
        });
    });
    WRITING.fetch_add(1, Ordering::SeqCst);
    Watch
}

/// A write in progress, which stops at its next [`Watch::check`] after an interrupt.
pub struct Watch;

impl Watch {
    /// `Err(Cancelled)` once an interrupt has arrived: the caller stops and cleans up.
    pub fn check(&self) -> Result<(), Error> {
        if INTERRUPTED.load(Ordering::SeqCst) {
            Err(Error::Cancelled)
        } else {
            Ok(())
        }
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        WRITING.fetch_sub(1, Ordering::SeqCst);
    }
}
