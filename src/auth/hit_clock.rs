//! The clocks as the cache's hit path reads them: the system's, or a wall clock a test
//! controls beside Tokio's pausable monotonic clock.
//!
//! A hit compares the token's two deadlines, monotonic and wall-clock, with the time, on every
//! call: two reads of the standard clocks (`clock_gettime` through the vDSO on Linux, about
//! 17 ns each on a KVM guest). That is a few hundredths of a per cent of a call on loopback, so
//! the coarse clocks (read through `libc` with `unsafe`, for about 8 ns less each) were not
//! worth their code.

use std::sync::Arc;
use std::time::SystemTime;

use tokio::time::Instant;

use super::clock::Clock;

#[derive(Debug, Clone)]
pub(crate) enum HitClock {
    /// The system's clocks.
    System,
    /// A wall clock given to [`ClientBuilder::clock`](crate::ClientBuilder::clock), beside
    /// Tokio's monotonic clock (which tests pause and advance).
    Injected(Arc<dyn Clock>),
}

impl HitClock {
    pub(crate) fn new(injected: Option<Arc<dyn Clock>>) -> Self {
        injected.map_or(Self::System, Self::Injected)
    }

    /// The monotonic and the wall-clock time.
    pub(crate) fn now(&self) -> (Instant, SystemTime) {
        match self {
            Self::System => (Instant::now(), SystemTime::now()),
            Self::Injected(clock) => (Instant::now(), clock.now()),
        }
    }
}
