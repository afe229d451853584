//! The clocks as the cache's hit path reads them: the system's, read coarsely, or the ones a
//! test controls (Tokio's pausable monotonic clock and an injected wall clock), read exactly.
//!
//! A hit compares the token's two deadlines, monotonic and wall-clock, with the time, on every
//! call. Each precise system clock costs a `clock_gettime` (about 17 ns on a KVM guest);
//! Linux's `CLOCK_MONOTONIC_COARSE` and `CLOCK_REALTIME_COARSE` are the same clocks as of the
//! last timer tick, read from memory the kernel shares (about 4 ns each). They lag the precise
//! clocks by about a tick (a tick plus the kernel's delay in handling it), so the hit path adds
//! two ticks to each: a deadline is then met a few milliseconds early, and only after a late
//! tick a little late. Both deadlines sit the policy's `expiry_margin` (seconds) ahead of the
//! real expiry, and a refresh or a fetched token is judged on the precise clocks.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use tokio::time::Instant;

use super::Clock;

#[derive(Debug, Clone)]
pub(crate) enum HitClock {
    /// The system's clocks, coarse: their tick, and a monotonic instant paired with the coarse
    /// monotonic reading taken with it, to turn later readings into instants.
    Coarse {
        tick: Duration,
        base: Instant,
        base_reading: Duration,
    },
    /// The precise system clocks, where no coarse ones are to be had.
    System,
    /// A wall clock given to [`ClientBuilder::clock`](crate::ClientBuilder::clock), beside
    /// Tokio's monotonic clock (which tests pause and advance): both read exactly.
    Injected(Arc<dyn Clock>),
}

impl HitClock {
    pub(crate) fn new(injected: Option<Arc<dyn Clock>>) -> Self {
        if let Some(clock) = injected {
            return Self::Injected(clock);
        }
        let coarse = coarse::tick().zip(coarse::monotonic());
        match coarse {
            Some((tick, base_reading)) => Self::Coarse {
                tick,
                base: Instant::now(),
                base_reading,
            },
            None => Self::System,
        }
    }

    /// The monotonic and the wall-clock time, read cheaply: for the system's clocks, each no
    /// earlier than now but after a late tick, and at most a few ticks later.
    pub(crate) fn now(&self) -> (Instant, SystemTime) {
        match self {
            Self::Coarse {
                tick,
                base,
                base_reading,
            } => Self::coarse_now(*tick, *base, *base_reading)
                .unwrap_or_else(|| (Instant::now(), SystemTime::now())),
            Self::System => (Instant::now(), SystemTime::now()),
            Self::Injected(clock) => (Instant::now(), clock.now()),
        }
    }

    fn coarse_now(
        tick: Duration,
        base: Instant,
        base_reading: Duration,
    ) -> Option<(Instant, SystemTime)> {
        let ahead = tick * 2;
        let elapsed = coarse::monotonic()?.saturating_sub(base_reading);
        let now = base.checked_add(elapsed.checked_add(ahead)?)?;
        let now_wall = coarse::wall()?.checked_add(ahead)?;
        Some((now, now_wall))
    }
}

#[cfg(target_os = "linux")]
mod coarse {
    use std::mem::MaybeUninit;
    use std::time::{Duration, SystemTime};

    /// A tick longer than this is not worth the early refreshes it causes.
    const LONGEST_TICK: Duration = Duration::from_millis(20);

    /// The coarse clocks' resolution, if the kernel has both and it is fine enough.
    pub(super) fn tick() -> Option<Duration> {
        let monotonic = resolution(libc::CLOCK_MONOTONIC_COARSE)?;
        let tick = monotonic.max(resolution(libc::CLOCK_REALTIME_COARSE)?);
        (!tick.is_zero() && tick <= LONGEST_TICK && wall().is_some()).then_some(tick)
    }

    /// `CLOCK_MONOTONIC_COARSE`, as time since its (unspecified) start.
    pub(super) fn monotonic() -> Option<Duration> {
        read(libc::CLOCK_MONOTONIC_COARSE)
    }

    /// `CLOCK_REALTIME_COARSE`.
    pub(super) fn wall() -> Option<SystemTime> {
        SystemTime::UNIX_EPOCH.checked_add(read(libc::CLOCK_REALTIME_COARSE)?)
    }

    fn read(clock: libc::clockid_t) -> Option<Duration> {
        call(libc::clock_gettime, clock)
    }

    fn resolution(clock: libc::clockid_t) -> Option<Duration> {
        call(libc::clock_getres, clock)
    }

    /// `clock_gettime` or `clock_getres` for `clock`, as a duration.
    fn call(
        function: unsafe extern "C" fn(libc::clockid_t, *mut libc::timespec) -> libc::c_int,
        clock: libc::clockid_t,
    ) -> Option<Duration> {
        let mut time = MaybeUninit::<libc::timespec>::uninit();
        // SAFETY: both functions write one `timespec` through a valid pointer to one, and it is
        // read only when the call says it succeeded. (`MaybeUninit` rather than a struct
        // literal: on some targets `timespec` has private padding fields.)
        let time = unsafe {
            match function(clock, time.as_mut_ptr()) {
                0 => time.assume_init(),
                _ => return None,
            }
        };
        duration(time)
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

    pub(super) fn tick() -> Option<Duration> {
        None
    }

    pub(super) fn monotonic() -> Option<Duration> {
        None
    }

    pub(super) fn wall() -> Option<SystemTime> {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each coarse reading (plus its two ticks) falls within a few ticks of the precise clock
    /// read just before and just after it, and is behind the earlier reading almost never. A
    /// pause between the reads only widens the window, so a busy machine cannot fail it.
    #[test]
    fn the_coarse_clocks_stay_close_to_the_precise_ones() {
        let clock = HitClock::new(None);
        let HitClock::Coarse { tick, .. } = clock else {
            // No coarse clocks here: the hit path reads the precise ones.
            return;
        };
        let slack = Duration::from_millis(20);
        // The pairing of the base instant with its coarse reading adds up to a tick of error.
        let (ahead, behind_at_most) = (tick * 3, slack + tick);
        let (mut behind, samples) = (0, 100_000);
        for _ in 0..samples {
            let (before, before_wall) = (Instant::now(), SystemTime::now());
            let (now, now_wall) = clock.now();
            let (after, after_wall) = (Instant::now(), SystemTime::now());
            assert!(now <= after + ahead, "{now:?} after {after:?}");
            assert!(
                now_wall <= after_wall + ahead,
                "{now_wall:?} after {after_wall:?}"
            );
            assert!(now + behind_at_most >= before, "{now:?} before {before:?}");
            assert!(
                now_wall + behind_at_most >= before_wall,
                "{now_wall:?} before {before_wall:?}"
            );
            if now < before || now_wall < before_wall {
                behind += 1;
            }
        }
        assert!(
            behind * 100 < samples,
            "{behind} of {samples} readings behind the precise clocks"
        );
    }
}
