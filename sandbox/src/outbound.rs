//! How many callbacks and notifications are on their way to the merchant: the
//! [`CallFault::AnswerAfterCallbacks`](crate::CallFault::AnswerAfterCallbacks) fault holds an
//! answer until none is, so that a test sees the callback before the call's answer, on any
//! machine and under any load.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tokio::sync::Notify;

/// The posts queued and not yet finished (delivered, refused or timed out), both senders.
#[derive(Debug, Default)]
pub(super) struct InFlight {
    count: AtomicU64,
    finished: Notify,
}

/// The longest an answer waits for its callbacks: each post times out after five seconds.
const LONGEST_WAIT: Duration = Duration::from_secs(30);

impl InFlight {
    /// A post is queued.
    pub(super) fn queued(&self) {
        self.count.fetch_add(1, Ordering::SeqCst);
    }

    /// A post ended, whatever its outcome.
    pub(super) fn finished(&self) {
        self.count.fetch_sub(1, Ordering::SeqCst);
        self.finished.notify_waiters();
    }

    /// Waits until no post is in flight (or [`LONGEST_WAIT`] has passed).
    pub(super) async fn drained(&self) {
        let wait = async {
            loop {
                let finished = self.finished.notified();
                if self.count.load(Ordering::SeqCst) == 0 {
                    return;
                }
                finished.await;
            }
        };
        let _ = tokio::time::timeout(LONGEST_WAIT, wait).await;
    }
}
