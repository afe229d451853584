//! What the benchmarks in `benches/` share: a Tokio runtime like a small server's, a way to run
//! one call on several tasks at once, and the scripted EnKash stand-in of the crate's tests.
//!
//! Run them with `cargo bench -p enkash-perf`. They live in a crate of their own because a
//! bench of the `enkash` package would be built with its dev-dependencies, and Tokio's
//! `test-util` among them changes what `tokio::time::Instant::now` costs.

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The scripted stand-in for EnKash that the crate's tests use (`tests/common/server.rs`).
#[path = "../../tests/common/server.rs"]
#[allow(dead_code)]
pub mod server;

/// A multi-threaded runtime with two workers: the machine these figures come from has two cores.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a Tokio runtime")
}

/// Runs `iters` calls of `call` on each of `tasks` tasks at once, and returns the slowest task's
/// time: the time per call per task, when divided by `iters`.
pub async fn on_tasks<F, Fut>(tasks: usize, iters: u64, call: F) -> Duration
where
    F: Fn() -> Fut + Clone + Send + 'static,
    Fut: Future<Output = ()> + Send,
{
    let barrier = Arc::new(tokio::sync::Barrier::new(tasks));
    let handles: Vec<_> = (0..tasks)
        .map(|_| {
            let (call, barrier) = (call.clone(), Arc::clone(&barrier));
            tokio::spawn(async move {
                barrier.wait().await;
                let start = Instant::now();
                for _ in 0..iters {
                    call().await;
                }
                start.elapsed()
            })
        })
        .collect();
    let mut slowest = Duration::ZERO;
    for handle in handles {
        slowest = slowest.max(handle.await.expect("a benchmark task"));
    }
    slowest
}
