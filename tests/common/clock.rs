//! A wall clock that follows Tokio's (pausable) clock and can jump, like a laptop lid.

use std::sync::Mutex;
use std::time::{Duration, SystemTime};

#[derive(Debug)]
pub struct TestClock {
    base_wall: SystemTime,
    base: tokio::time::Instant,
    /// Milliseconds the wall clock has jumped, either way.
    jumped: Mutex<i64>,
}

impl TestClock {
    pub fn new() -> std::sync::Arc<Self> {
        std::sync::Arc::new(Self {
            base_wall: SystemTime::now(),
            base: tokio::time::Instant::now(),
            jumped: Mutex::new(0),
        })
    }

    /// Moves the wall clock forward without moving the monotonic clock (a suspend).
    pub fn jump(&self, by: Duration) {
        *self.jumped.lock().unwrap() += by.as_millis() as i64;
    }

    /// Moves the wall clock back (an NTP correction) without moving the monotonic clock.
    #[allow(dead_code)]
    pub fn jump_back(&self, by: Duration) {
        *self.jumped.lock().unwrap() -= by.as_millis() as i64;
    }
}

impl enkash::Clock for TestClock {
    fn now(&self) -> SystemTime {
        let jumped = *self.jumped.lock().unwrap();
        let shift = Duration::from_millis(jumped.unsigned_abs());
        let now = self.base_wall + self.base.elapsed();
        if jumped >= 0 {
            now + shift
        } else {
            now - shift
        }
    }
}
