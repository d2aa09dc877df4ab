//! The outbox: mail kept in memory, for tests (Django's `mail.outbox`) and for
//! `/dev/mailbox`. It keeps the last [`KEPT`] messages.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use super::Email;

/// How many messages an outbox keeps; older ones are dropped.
const KEPT: usize = 100;

/// A message kept, with its number (the first kept is 1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sent {
    pub number: u64,
    pub email: Email,
}

/// Mail kept in memory; clones share it.
#[derive(Clone, Default)]
pub struct Outbox {
    kept: Arc<Mutex<Kept>>,
}

#[derive(Default)]
struct Kept {
    last_number: u64,
    sent: VecDeque<Sent>,
}

impl Outbox {
    /// Keeps `email`, dropping the oldest message beyond [`KEPT`].
    pub(super) fn keep(&self, email: Email) {
        let mut kept = self.lock();
        kept.last_number += 1;
        let number = kept.last_number;
        kept.sent.push_back(Sent { number, email });
        if kept.sent.len() > KEPT {
            kept.sent.pop_front();
        }
    }

    /// Every message kept, oldest first.
    pub fn sent(&self) -> Vec<Sent> {
        self.lock().sent.iter().cloned().collect()
    }

    /// The messages sent to `to`, oldest first.
    pub fn sent_to(&self, to: &str) -> Vec<Email> {
        let kept = self.lock();
        let to_them = kept.sent.iter().filter(|sent| sent.email.to == to);
        to_them.map(|sent| sent.email.clone()).collect()
    }

    /// The message numbered `number`, while it is kept.
    pub fn find(&self, number: u64) -> Option<Sent> {
        let kept = self.lock();
        kept.sent.iter().find(|sent| sent.number == number).cloned()
    }

    fn lock(&self) -> MutexGuard<'_, Kept> {
        // A panic while holding the lock cannot leave the list half-changed.
        self.kept.lock().unwrap_or_else(PoisonError::into_inner)
    }
}
