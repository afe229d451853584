//! The sandbox's business clock: the time mandates, pre-debit windows and debit days run on.
//! A test moves it forward with [`Sandbox::advance_clock`] instead of waiting a day (Stripe's
//! test clocks are the model).
//!
//! It moves only business time. Token lifetimes and the `Date` header stay on the sandbox's
//! wall clock (the system clock, shifted by [`Sandbox::skew_clock`]), so moving business time
//! by days does not expire every token a client holds: token expiry is tested with
//! `skew_clock` and `set_token_lifetime`.

use std::time::Duration;

use chrono::{DateTime, Utc};

use super::Sandbox;
use crate::Inner;

/// How far business time may be moved ahead in all: a hundred years.
const MAX_AHEAD: Duration = Duration::from_secs(100 * 366 * 24 * 60 * 60);

/// Why the business clock did not move.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ClockError {
    /// Business time would be more than a hundred years ahead of the wall clock.
    #[error("the sandbox's business time can be moved at most a hundred years ahead")]
    TooFar,
}

impl Inner {
    /// Business time: the sandbox's wall clock, moved ahead by every `advance_clock`.
    pub(crate) fn business_now(&self) -> DateTime<Utc> {
        DateTime::<Utc>::from(self.now() + self.business_ahead)
    }

    /// Moves business time ahead by `by`.
    pub(crate) fn advance_business_clock(&mut self, by: Duration) -> Result<(), ClockError> {
        let ahead = self
            .business_ahead
            .checked_add(by)
            .filter(|ahead| *ahead <= MAX_AHEAD)
            .ok_or(ClockError::TooFar)?;
        self.business_ahead = ahead;
        Ok(())
    }
}

impl Sandbox {
    /// Moves the sandbox's business time forward by `by` and returns the new business time.
    /// Mandates see the move at once: a request the payer did not approve in time lapses, a
    /// mandate past `validity.endAt` expires, a pause ends, each with its UPI Mandate Callback.
    /// Tokens do not follow it (see the module notes in `clock.rs`: only
    /// [`skew_clock`](Self::skew_clock) moves their clock).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// use std::time::Duration;
    /// use enkash_sandbox::Sandbox;
    ///
    /// let sandbox = Sandbox::start().await.unwrap();
    /// let before = sandbox.business_time();
    /// let after = sandbox.advance_clock(Duration::from_secs(25 * 3600)).unwrap();
    /// assert!(after - before >= chrono::Duration::hours(25));
    /// assert!(sandbox.advance_clock(Duration::MAX).is_err());
    /// # }
    /// ```
    pub fn advance_clock(&self, by: Duration) -> Result<DateTime<Utc>, ClockError> {
        let (now, callbacks) = {
            let mut inner = self.state.lock();
            inner.advance_business_clock(by)?;
            let now = inner.business_now();
            (now, inner.ledger.mandates.tick(now))
        };
        self.state.outbox.callbacks(callbacks);
        self.state.landings.clock_moved();
        Ok(now)
    }

    /// The sandbox's business time now.
    pub fn business_time(&self) -> DateTime<Utc> {
        self.state.lock().business_now()
    }
}
