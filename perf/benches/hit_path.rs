//! The token cache's hit, which every call takes, against what it is measured by:
//!
//! - `one_task`: the hit as a call takes it (the token borrowed, both deadlines checked) and
//!   `Client::access_token` (the same, plus an owned token), against
//!   `ArcSwapOption::load_full`, the bare lock-free read of a shared token.
//! - `two_tasks`: `Client::access_token` on two tasks at once, against the obvious
//!   alternative, a `tokio::sync::Mutex<Option<token>>`, on two tasks at once.
//!
//! Run: `cargo bench -p enkash-perf --bench hit_path`.

use std::hint::black_box;
use std::sync::Arc;
use std::time::Duration;

use arc_swap::ArcSwapOption;
use criterion::{criterion_group, criterion_main, Criterion};
use enkash_perf::server::TestServer;
use enkash_perf::{bench_on_tasks, runtime};

/// A token and its deadline behind an async mutex.
struct MutexCache(tokio::sync::Mutex<Option<(Arc<str>, tokio::time::Instant)>>);

impl MutexCache {
    async fn get(&self) -> Arc<str> {
        let guard = self.0.lock().await;
        let (token, expires) = guard.as_ref().expect("a token");
        assert!(tokio::time::Instant::now() < *expires);
        Arc::clone(token)
    }
}

fn warm_client(rt: &tokio::runtime::Runtime, server: &TestServer) -> enkash::Client {
    rt.block_on(async {
        let client = server.client().build().expect("a client");
        client.access_token().await.expect("a token");
        client
    })
}

fn one_task(c: &mut Criterion) {
    let rt = runtime();
    let server = rt.block_on(TestServer::start());
    let client = warm_client(&rt, &server);
    // A token as the cache holds one: a value behind an `Arc`.
    let swap = ArcSwapOption::from(Some(Arc::new(String::from("Bearer tok-1"))));

    let mut group = c.benchmark_group("hit_one_task");
    group.bench_function("enkash_hit", |b| {
        b.iter(|| assert!(enkash::bench_support::token_hit(black_box(&client))))
    });
    group.bench_function("enkash_access_token", |b| {
        b.to_async(&rt)
            .iter(|| async { black_box(client.access_token().await.expect("a token")) })
    });
    group.bench_function("arc_swap_load_full", |b| {
        b.iter(|| black_box(black_box(&swap).load_full()))
    });
    group.finish();
}

fn two_tasks(c: &mut Criterion) {
    let rt = runtime();
    let server = rt.block_on(TestServer::start());
    let client = Arc::new(warm_client(&rt, &server));
    let mutex = Arc::new(MutexCache(tokio::sync::Mutex::new(Some((
        Arc::from("Bearer tok-1"),
        tokio::time::Instant::now() + Duration::from_secs(3600),
    )))));

    let mut group = c.benchmark_group("hit_two_tasks");
    bench_on_tasks(
        &mut group,
        &rt,
        "enkash_hit",
        2,
        &client,
        |client| async move { assert!(enkash::bench_support::token_hit(&client)) },
    );
    bench_on_tasks(
        &mut group,
        &rt,
        "enkash_access_token",
        2,
        &client,
        |client| async move {
            black_box(client.access_token().await.expect("a token"));
        },
    );
    bench_on_tasks(
        &mut group,
        &rt,
        "tokio_mutex",
        2,
        &mutex,
        |mutex| async move {
            black_box(mutex.get().await);
        },
    );
    group.finish();
}

criterion_group! {
    name = benches;
    config = enkash_perf::criterion(4);
    targets = one_task, two_tasks
}
criterion_main!(benches);
