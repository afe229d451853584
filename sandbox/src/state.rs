//! What the running sandbox holds, shared by its handlers, its middleware and the in-process
//! [`Sandbox`](crate::Sandbox) handle: the credentials, the ledger behind one lock, the faults
//! waiting, the counts, the outbox and the requests waiting to land.

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, SystemTime};

use crate::fault_kinds::{CallFault, TokenFault};
use crate::ledger::Ledger;
use crate::outbox::Outbox;
use tokio::sync::watch;

#[derive(Debug)]
pub(crate) struct SandboxState {
    pub(crate) access_key: String,
    pub(crate) secret_key: String,
    pub(crate) base_url: String,
    /// The socket it listens on.
    pub(crate) addr: SocketAddr,
    pub(crate) inner: Mutex<Inner>,
    pub(crate) unauthorized: AtomicU64,
    /// Everything posted to the merchant: notifications and callbacks (`outbox.rs`).
    pub(crate) outbox: Outbox,
    /// Requests taken whose answer was lost, waiting to be performed (`landing.rs`).
    pub(crate) landings: Landings,
}

#[derive(Debug)]
pub(crate) struct Inner {
    pub(crate) token_lifetime: Duration,
    /// Issuing a token revokes every earlier one, as some gateways do.
    pub(crate) revoke_previous_tokens: bool,
    pub(crate) skew_secs: i64,
    pub(crate) faults: VecDeque<TokenFault>,
    /// Issued tokens and their expiry (epoch ms, sandbox clock).
    pub(crate) tokens: HashMap<String, i64>,
    pub(crate) ledger: Ledger,
    pub(crate) authenticated: HashMap<&'static str, u64>,
    /// Requests that reached the sandbox, by operation id.
    pub(crate) attempts: HashMap<&'static str, u64>,
    /// Faults waiting for the next calls, by operation id.
    pub(crate) call_faults: HashMap<String, VecDeque<CallFault>>,
    /// How far business time is ahead of the wall clock (`clock.rs`).
    pub(crate) business_ahead: Duration,
}

impl SandboxState {
    pub(crate) fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl Inner {
    /// The sandbox's clock: the system clock moved by `skew_secs`.
    pub(crate) fn now(&self) -> SystemTime {
        let shift = Duration::from_secs(self.skew_secs.unsigned_abs());
        if self.skew_secs >= 0 {
            SystemTime::now() + shift
        } else {
            SystemTime::now() - shift
        }
    }
}

/// Requests taken and not yet performed, and the signal that business time moved.
#[derive(Debug)]
pub(crate) struct Landings {
    pub(crate) pending: AtomicU64,
    pub(crate) clock_moved: watch::Sender<u64>,
}

impl Default for Landings {
    fn default() -> Self {
        Self {
            pending: AtomicU64::new(0),
            clock_moved: watch::channel(0).0,
        }
    }
}

impl Landings {
    /// Requests taken whose effect has not landed yet.
    pub(crate) fn pending(&self) -> u64 {
        self.pending.load(Ordering::SeqCst)
    }

    /// Business time jumped: waiting requests look at the clock again.
    pub(crate) fn clock_moved(&self) {
        self.clock_moved
            .send_modify(|moves| *moves = moves.wrapping_add(1));
    }
}
