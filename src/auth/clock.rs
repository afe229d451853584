//! The wall clock the token cache reads, injectable so tests can make it jump.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

/// A source of wall-clock time.
///
/// The token cache anchors every token to two local deadlines: a monotonic one
/// (`tokio::time::Instant`, which tests can pause and advance) and a wall-clock one read through
/// this trait. The default, [`SystemClock`], is the operating system's clock; tests substitute
/// one that jumps, to prove a token expires when either deadline passes.
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

/// The wall clock as the cache's hit path reads it: the system's, read coarsely, or the one a
/// test injected, read as it is.
///
/// A hit must compare the token's wall-clock deadline with the time, on every call. The
/// precise system clock costs a `clock_gettime` (about 17 ns on a KVM guest); Linux's
/// `CLOCK_REALTIME_COARSE` is the same clock as of the last timer tick, read from memory
/// shared with the kernel (about 4 ns). It lags the precise clock by about a tick (a tick plus
/// the kernel's delay in handling it: a test here saw 19 ns beyond one tick), so the hit path
/// adds two ticks to it. The wall-clock deadline is then met a few milliseconds early, and in
/// the worst case a few milliseconds late; it sits the policy's `expiry_margin` (seconds) ahead
/// of the real expiry, and the monotonic deadline beside it is read exactly.
#[derive(Debug, Clone)]
pub(crate) enum HitClock {
    /// The system clock, coarse, and its resolution (a tick).
    Coarse(Duration),
    /// The precise system clock, where no coarse one is to be had.
    System,
    /// A clock given to [`ClientBuilder::clock`](crate::ClientBuilder::clock).
    Injected(Arc<dyn Clock>),
}

impl HitClock {
    pub(crate) fn new(injected: Option<Arc<dyn Clock>>) -> Self {
        match injected {
            Some(clock) => Self::Injected(clock),
            None => coarse::resolution().map_or(Self::System, Self::Coarse),
        }
    }

    /// The wall-clock time, read cheaply: for the system clock, the coarse clock plus two
    /// ticks, which is ahead of the precise clock but for a late tick.
    pub(crate) fn now_or_later(&self) -> SystemTime {
        match self {
            Self::Coarse(tick) => coarse::now().map_or_else(SystemTime::now, |now| now + *tick * 2),
            Self::System => SystemTime::now(),
            Self::Injected(clock) => clock.now(),
        }
    }
}

#[cfg(target_os = "linux")]
mod coarse {
    use std::time::{Duration, SystemTime};

    /// A tick longer than this is not worth the early refreshes it causes.
    const LONGEST_TICK: Duration = Duration::from_millis(20);

    /// `CLOCK_REALTIME_COARSE`'s resolution, if the kernel has the clock and it is fine enough.
    pub(super) fn resolution() -> Option<Duration> {
        let mut resolution = libc::timespec {
            tv_sec: 0,
            tv_nsec: 0,
        };
        // SAFETY: `clock_getres` writes one `timespec` through a valid pointer to one.
        let status = unsafe { libc::clock_getres(libc::CLOCK_REALTIME_COARSE, &mut resolution) };
        let tick = duration(resolution)?;
        (status == 0 && !tick.is_zero() && tick <= LONGEST_TICK && now().is_some()).then_some(tick)
    }

    pub(super) fn now() -> Option<SystemTime> {
        let mut now = libc::timespec {
            tv_sec: 0,
            tv_nsec: 0,
        };
        // SAFETY: `clock_gettime` writes one `timespec` through a valid pointer to one.
        let status = unsafe { libc::clock_gettime(libc::CLOCK_REALTIME_COARSE, &mut now) };
        (status == 0).then_some(())?;
        SystemTime::UNIX_EPOCH.checked_add(duration(now)?)
    }

    fn duration(time: libc::timespec) -> Option<Duration> {
        let secs = u64::try_from(time.tv_sec).ok()?;
        let nanos = u32::try_from(time.tv_nsec)
            .ok()
            .filter(|n| *n < 1_000_000_000)?;
        Some(Duration::new(secs, nanos))
    }
}

#[cfg(not(target_os = "linux"))]
mod coarse {
    use std::time::{Duration, SystemTime};

    pub(super) fn resolution() -> Option<Duration> {
        None
    }

    pub(super) fn now() -> Option<SystemTime> {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The coarse reading stays within a few ticks of the precise clock, either way, and is
    /// ahead of it nearly always.
    #[test]
    fn the_coarse_clock_stays_close_to_the_precise_one() {
        let clock = HitClock::new(None);
        let Some(tick) = (match clock {
            HitClock::Coarse(tick) => Some(tick),
            _ => None,
        }) else {
            // No coarse clock here: the hit path reads the precise one.
            assert!(clock.now_or_later() <= SystemTime::now());
            return;
        };
        let (mut behind, samples) = (0, 100_000);
        for _ in 0..samples {
            let precise = SystemTime::now();
            let coarse = clock.now_or_later();
            let gap = match coarse.duration_since(precise) {
                Ok(ahead) => ahead,
                Err(late) => {
                    behind += 1;
                    late.duration()
                }
            };
            assert!(
                gap <= tick * 4 + Duration::from_millis(20),
                "{gap:?} off with a tick of {tick:?}"
            );
        }
        assert!(
            behind * 100 < samples,
            "{behind} of {samples} readings behind the precise clock"
        );
    }
}
