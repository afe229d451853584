//! Token cache benchmarks: hit cost against a mutex baseline, the cold-cache herd, and the
//! overhead of authentication on a generated call. Run: `cargo bench --bench token_cache`.

#[path = "../tests/common/server.rs"]
#[allow(dead_code)]
mod server;

use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, BatchSize, BenchmarkId, Criterion};
use server::{TestServer, ACCESS_KEY};
use tokio::runtime::Runtime;

fn runtime() -> Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

/// The obvious alternative: an async mutex around the token and its deadline.
struct MutexCache(tokio::sync::Mutex<Option<(Arc<str>, tokio::time::Instant)>>);

impl MutexCache {
    async fn get(&self) -> Arc<str> {
        let guard = self.0.lock().await;
        let (token, expires) = guard.as_ref().unwrap();
        assert!(tokio::time::Instant::now() < *expires);
        Arc::clone(token)
    }
}

/// Runs `iters` calls of `call` on each of `threads` tasks at once; time per call per task.
async fn parallel<F, Fut>(threads: usize, iters: u64, call: F) -> Duration
where
    F: Fn() -> Fut + Clone + Send + 'static,
    Fut: std::future::Future<Output = ()> + Send,
{
    let barrier = Arc::new(tokio::sync::Barrier::new(threads));
    let tasks: Vec<_> = (0..threads)
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
    for task in tasks {
        slowest = slowest.max(task.await.unwrap());
    }
    slowest
}

fn cache_hit(c: &mut Criterion) {
    let rt = runtime();
    let server = rt.block_on(TestServer::start());
    let client = rt.block_on(async {
        let client = server.client().build().unwrap();
        client.access_token().await.unwrap();
        client
    });
    let mutex = Arc::new(MutexCache(tokio::sync::Mutex::new(Some((
        Arc::from("tok-1"),
        tokio::time::Instant::now() + Duration::from_secs(3600),
    )))));

    let mut group = c.benchmark_group("cache_hit");
    for threads in [1, 2] {
        group.bench_with_input(
            BenchmarkId::new("enkash", threads),
            &threads,
            |b, &threads| {
                // Shared through an `Arc`, like the baseline: cloning a `Client` per call
                // would measure its `String` base URL, not the cache.
                let client = Arc::new(client.clone());
                b.to_async(&rt).iter_custom(move |iters| {
                    let client = Arc::clone(&client);
                    parallel(threads, iters, move || {
                        let client = Arc::clone(&client);
                        async move {
                            std::hint::black_box(client.access_token().await.unwrap());
                        }
                    })
                })
            },
        );
        group.bench_with_input(
            BenchmarkId::new("tokio_mutex", threads),
            &threads,
            |b, &threads| {
                let mutex = Arc::clone(&mutex);
                b.to_async(&rt).iter_custom(move |iters| {
                    let mutex = Arc::clone(&mutex);
                    parallel(threads, iters, move || {
                        let mutex = Arc::clone(&mutex);
                        async move {
                            std::hint::black_box(mutex.get().await);
                        }
                    })
                })
            },
        );
    }
    group.finish();
}

fn herd(c: &mut Criterion) {
    let rt = runtime();
    let server = rt.block_on(TestServer::start());
    // Every iteration gets a new client (a cold cache) built outside the timed part; each has
    // its own connection pool, so both arms include one loopback TCP connect.
    let cold = || server.client().build().unwrap();
    rt.block_on(cold().access_token()).unwrap();

    let mut group = c.benchmark_group("cold_cache");
    group.sample_size(30);
    group.bench_function("one_caller", |b| {
        b.to_async(&rt).iter_batched(
            cold,
            |client| async move {
                client.access_token().await.unwrap();
            },
            BatchSize::SmallInput,
        )
    });
    group.bench_function("1000_callers", |b| {
        b.to_async(&rt).iter_batched(
            || Arc::new(cold()),
            |client| {
                let server = &server;
                async move {
                    let before = server.tokens();
                    let callers: Vec<_> = (0..1000)
                        .map(|_| {
                            let client = Arc::clone(&client);
                            tokio::spawn(async move { client.access_token().await.unwrap() })
                        })
                        .collect();
                    for caller in callers {
                        caller.await.unwrap();
                    }
                    assert_eq!(server.tokens() - before, 1, "one token request per herd");
                }
            },
            BatchSize::SmallInput,
        )
    });
    // What 1,000 callers cost without any token work: spawn tasks that read a warm cache, and
    // join them. The herd above pays this plus one round trip.
    group.bench_function("1000_callers_warm_cache", |b| {
        let warm = Arc::new(cold());
        rt.block_on(warm.access_token()).unwrap();
        b.to_async(&rt).iter(|| {
            let warm = Arc::clone(&warm);
            async move {
                let callers: Vec<_> = (0..1000)
                    .map(|_| {
                        let client = Arc::clone(&warm);
                        tokio::spawn(async move { client.access_token().await.unwrap() })
                    })
                    .collect();
                for caller in callers {
                    caller.await.unwrap();
                }
            }
        })
    });
    group.finish();
}

fn call_overhead(c: &mut Criterion) {
    let rt = runtime();
    let server = rt.block_on(TestServer::start());
    let client = rt.block_on(async {
        let client = server.client().build().unwrap();
        client.access_token().await.unwrap();
        client
    });
    // The same request by hand with fixed headers: what a call costs with no cache at all.
    let token = rt
        .block_on(client.access_token())
        .unwrap()
        .as_str()
        .to_string();
    let http = reqwest::Client::new();
    let url = format!("{}/api/v0/orders/ORD_1", server.base_url);

    let mut group = c.benchmark_group("get_order_status");
    group.bench_function("generated_with_token_cache", |b| {
        b.to_async(&rt).iter(|| async {
            let order = client
                .get_order_status()
                .order_id("ORD_1")
                .send()
                .await
                .unwrap();
            std::hint::black_box(order);
        })
    });
    group.bench_function("static_headers_no_cache", |b| {
        b.to_async(&rt).iter(|| async {
            let order: enkash::types::OrderResponse = http
                .get(&url)
                .header("accept", "application/json")
                .header("api-version", "0.1.0")
                .header("authorization", format!("Bearer {token}"))
                .header("merchantAccessKey", ACCESS_KEY)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            std::hint::black_box(order);
        })
    });
    group.finish();
}

/// What a cache hit is made of, to explain its floor: two clock reads (the design requires a
/// monotonic and a wall-clock deadline) and one lock-free load.
fn hit_path_parts(c: &mut Criterion) {
    let mut group = c.benchmark_group("hit_path_parts");
    group.bench_function("SystemTime::now", |b| b.iter(std::time::SystemTime::now));
    group.bench_function("tokio::time::Instant::now", |b| {
        b.iter(tokio::time::Instant::now)
    });
    let swap = arc_swap::ArcSwapOption::from(Some(Arc::new(0_u64)));
    group.bench_function("ArcSwapOption::load_full", |b| b.iter(|| swap.load_full()));
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().measurement_time(Duration::from_secs(4)).warm_up_time(Duration::from_secs(1));
    targets = cache_hit, hit_path_parts, herd, call_overhead
}
criterion_main!(benches);
