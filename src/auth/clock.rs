//! The wall clock the token cache reads, injectable so tests can make it jump.

use std::time::SystemTime;

/// A source of wall-clock time.
///
/// The token cache anchors every token to two local deadlines: a monotonic one
/// (`tokio::time::Instant`, which tests can pause and advance) and a wall-clock one read through
/// this trait. The default, [`SystemClock`], is the operating system's clock; tests substitute
/// one that jumps, to prove a token expires when either deadline passes
/// ([`ClientBuilder::clock`](crate::ClientBuilder::clock)). Public only with the cargo feature
/// `test-util`.
///
/// ```
/// use std::time::{Duration, SystemTime};
///
/// #[derive(Debug)]
/// struct AnHourAhead;
///
/// impl enkash::Clock for AnHourAhead {
///     fn now(&self) -> SystemTime {
///         SystemTime::now() + Duration::from_secs(3600)
///     }
/// }
/// ```
pub trait Clock: Send + Sync + std::fmt::Debug + 'static {
    /// The current wall-clock time.
    fn now(&self) -> SystemTime;
}

/// The operating system's wall clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> SystemTime {
        SystemTime::now()
    }
}
