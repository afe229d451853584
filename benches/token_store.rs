//! Redis token store benchmarks (cargo feature `redis`; needs `redis-server`):
//!
//! - `cold_fleet`: six clients, each with its own store connection as six replicas would
//!   have, all asking for a token at once with nothing cached anywhere, against one client
//!   fetching a token alone (`one_token_round_trip`).
//! - `miss_reads_store`: a client with an empty cache whose token is waiting in Redis,
//!   against the same round trip, and against a cache hit.
//!
//! Run: `cargo bench --bench token_store --features redis`.

#[path = "../tests/common/redis_server.rs"]
mod redis_server;

use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion};
use enkash::store::RedisTokenStore;
use enkash::Client;
use enkash_sandbox::Sandbox;
use redis_server::RedisServer;
use tokio::runtime::Runtime;

const REPLICAS: usize = 6;

fn runtime() -> Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

fn client(sandbox: &Sandbox, store: Option<&RedisTokenStore>) -> Client {
    let builder = Client::builder()
        .base_url(sandbox.base_url())
        .credentials(sandbox.access_key(), sandbox.secret_key());
    match store {
        Some(store) => builder.token_store(store.clone()),
        None => builder,
    }
    .build()
    .unwrap()
}

/// Deletes every shared token, so the next fleet starts cold.
fn flush(redis: &RedisServer) {
    let _: () = redis::cmd("FLUSHALL")
        .query(&mut redis.connection())
        .unwrap();
}

fn benches(c: &mut Criterion) {
    let rt = runtime();
    let redis = RedisServer::start();
    let (sandbox, stores) = rt.block_on(async {
        let sandbox = Sandbox::start().await.unwrap();
        let mut stores = Vec::new();
        for _ in 0..REPLICAS {
            stores.push(RedisTokenStore::connect(&redis.url()).await.unwrap());
        }
        // Let every store's subscription come up, as in a fleet that has been running.
        tokio::time::sleep(Duration::from_millis(500)).await;
        (sandbox, stores)
    });

    let mut group = c.benchmark_group("token_store");
    group.bench_function("one_token_round_trip", |b| {
        b.to_async(&rt).iter_custom(|iters| {
            let sandbox = &sandbox;
            async move {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    let client = client(sandbox, None);
                    let start = Instant::now();
                    client.access_token().await.unwrap();
                    total += start.elapsed();
                }
                total
            }
        })
    });
    group.bench_function("cold_fleet", |b| {
        b.to_async(&rt).iter_custom(|iters| {
            let (sandbox, stores, redis) = (&sandbox, &stores, &redis);
            async move {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    flush(redis);
                    let clients: Vec<Client> = stores
                        .iter()
                        .map(|store| client(sandbox, Some(store)))
                        .collect();
                    let start = Instant::now();
                    let asks: Vec<_> = clients
                        .into_iter()
                        .map(|client| tokio::spawn(async move { client.access_token().await }))
                        .collect();
                    for ask in asks {
                        ask.await.unwrap().unwrap();
                    }
                    total += start.elapsed();
                }
                total
            }
        })
    });
    group.bench_function("miss_reads_store", |b| {
        b.to_async(&rt).iter_custom(|iters| {
            let (sandbox, store) = (&sandbox, &stores[0]);
            async move {
                // One token in Redis for every iteration's fresh client to find.
                client(sandbox, Some(store)).access_token().await.unwrap();
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    let client = client(sandbox, Some(store));
                    let start = Instant::now();
                    client.access_token().await.unwrap();
                    total += start.elapsed();
                }
                total
            }
        })
    });
    let warm = client(&sandbox, Some(&stores[0]));
    rt.block_on(warm.access_token()).unwrap();
    group.bench_function("cache_hit_with_store", |b| {
        b.to_async(&rt)
            .iter(|| async { warm.access_token().await.unwrap() })
    });
    group.finish();
}

criterion_group!(token_store, benches);
criterion_main!(token_store);
