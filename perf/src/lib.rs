//! What the benchmarks in `benches/` share: a Tokio runtime like a small server's, a way to run
//! one call on several tasks at once, and the scripted EnKash stand-in of the crate's tests.
//!
//! Run them with `cargo bench -p enkash-perf`. They live in a crate of their own because a
//! bench of the `enkash` package would be built with its dev-dependencies, and Tokio's
//! `test-util` among them changes what `tokio::time::Instant::now` costs.

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, BenchmarkId, Criterion};

pub mod arms;

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

/// A current-thread runtime, as a small tool or a `#[tokio::main(flavor = "current_thread")]`
/// service runs the client.
pub fn current_thread_runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a Tokio runtime")
}

/// The scripted server on a runtime of its own (one worker thread), as a gateway is another
/// process: the client's runtime then does only the client's work. Keep the runtime alive as
/// long as the server is used.
pub fn server_on_its_own_runtime() -> (tokio::runtime::Runtime, Arc<server::TestServer>) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .thread_name("scripted-server")
        .enable_all()
        .build()
        .expect("a Tokio runtime");
    let server = runtime.block_on(server::TestServer::start());
    (runtime, server)
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

/// Benchmarks `call` on `tasks` tasks at once, each given its own handle on `shared`: the time
/// per call per task.
pub fn bench_on_tasks<S, F, Fut>(
    group: &mut BenchmarkGroup<'_, WallTime>,
    runtime: &tokio::runtime::Runtime,
    name: &str,
    tasks: usize,
    shared: &Arc<S>,
    call: F,
) where
    S: Send + Sync + 'static,
    F: Fn(Arc<S>) -> Fut + Clone + Send + 'static,
    Fut: Future<Output = ()> + Send,
{
    group.bench_function(BenchmarkId::new(name, tasks), |b| {
        b.to_async(runtime).iter_custom(|iters| {
            let (shared, call) = (Arc::clone(shared), call.clone());
            on_tasks(tasks, iters, move || call(Arc::clone(&shared)))
        })
    });
}

/// The benchmarks' settings: a second of warm-up, then `seconds` of measurement.
pub fn criterion(seconds: u64) -> Criterion {
    Criterion::default()
        .measurement_time(Duration::from_secs(seconds))
        .warm_up_time(Duration::from_secs(1))
}
