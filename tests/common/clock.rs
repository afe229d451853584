//! A wall clock that follows Tokio's (pausable) clock and can jump, like a laptop lid.

use std::sync::Mutex;
use std::time::{Duration, SystemTime};

#[derive(Debug)]
pub struct TestClock {
    base_wall: SystemTime,
    base: tokio::time::Instant,
    jumped: Mutex<Duration>,
}

impl TestClock {
    pub fn new() -> std::sync::Arc<Self> {
        std::sync::Arc::new(Self {
            base_wall: SystemTime::now(),
            base: tokio::time::Instant::now(),
            jumped: Mutex::new(Duration::ZERO),
        })
    }

    /// Moves the wall clock forward without moving the monotonic clock (a suspend).
    pub fn jump(&self, by: Duration) {
        *self.jumped.lock().unwrap() += by;
    }
}

impl enkash::Clock for TestClock {
    fn now(&self) -> SystemTime {
        self.base_wall + self.base.elapsed() + *self.jumped.lock().unwrap()
    }
}
