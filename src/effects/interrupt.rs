//! What Ctrl-C or SIGTERM does while `plinth new` writes its staging folder: the writer
//! stops at its next step and the folder is removed, so an interrupt leaves nothing
//! behind, or the complete project if it came after the rename. A second interrupt
//! exits at once. (SIGKILL cannot be caught: the next run removes what it leaves, see
//! `write::remove_stale_staging`.)

use std::sync::Once;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::error::{EXIT_CANCELLED, Error};

/// Whether a staging folder is being written.
static WRITING: AtomicBool = AtomicBool::new(false);

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
            if !(first && WRITING.load(Ordering::SeqCst)) {
                std::process::exit(i32::from(EXIT_CANCELLED));
            }
        });
    });
    WRITING.store(true, Ordering::SeqCst);
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
        WRITING.store(false, Ordering::SeqCst);
    }
}
