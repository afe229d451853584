//! A thousand callers on a cold cache: one token request serves them all. Against one caller
//! fetching a token alone, and against the same thousand callers on a warm cache (what spawning
//! and joining the tasks costs by itself).
//!
//! Run: `cargo bench -p enkash-perf --bench herd`.

use std::sync::Arc;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use enkash_perf::runtime;
use enkash_perf::server::TestServer;

async fn thousand_callers(client: &Arc<enkash::Client>) {
    let callers: Vec<_> = (0..1000)
        .map(|_| {
            let client = Arc::clone(client);
            tokio::spawn(async move { client.access_token().await.expect("a token") })
        })
        .collect();
    for caller in callers {
        caller.await.expect("a caller");
    }
}

fn herd(c: &mut Criterion) {
    let rt = runtime();
    let server = rt.block_on(TestServer::start());
    // Every iteration gets a new client (a cold cache) built outside the timed part; each has
    // its own connection pool, so both arms include one loopback TCP connect.
    let cold = || server.client().build().expect("a client");
    rt.block_on(cold().access_token()).expect("a token");

    let mut group = c.benchmark_group("cold_cache");
    group.sample_size(30);
    group.bench_function("one_caller", |b| {
        b.to_async(&rt).iter_batched(
            cold,
            |client| async move {
                client.access_token().await.expect("a token");
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
                    thousand_callers(&client).await;
                    assert_eq!(server.tokens() - before, 1, "one token request per herd");
                }
            },
            BatchSize::SmallInput,
        )
    });
    group.bench_function("1000_callers_warm_cache", |b| {
        let warm = Arc::new(cold());
        rt.block_on(warm.access_token()).expect("a token");
        b.to_async(&rt).iter(|| {
            let warm = Arc::clone(&warm);
            async move { thousand_callers(&warm).await }
        })
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = enkash_perf::criterion(4);
    targets = herd
}
criterion_main!(benches);
