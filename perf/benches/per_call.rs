//! One `get_order_status` on loopback through the generated client (token cache, call loop,
//! `payload()`), against the same request built by hand with reqwest (the URL formatted with
//! the order id, as each lookup must; a token held in a local; one JSON decode), both against
//! the same scripted server.
//!
//! Run: `cargo bench -p enkash-perf --bench per_call`.

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};
use enkash::Payload;
use enkash_perf::runtime;
use enkash_perf::server::{TestServer, ACCESS_KEY};

fn get_order_status(c: &mut Criterion) {
    let rt = runtime();
    let server = rt.block_on(TestServer::start());
    let client = rt.block_on(async {
        let client = server.client().build().expect("a client");
        client.access_token().await.expect("a token");
        client
    });
    let authorization = format!(
        "Bearer {}",
        rt.block_on(client.access_token())
            .expect("a token")
            .as_str()
    );
    // The baseline's client is configured as the SDK's is: no redirects, the same timeout.
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(30))
        .build()
        .expect("a reqwest client");
    let base_url = server.base_url.clone();

    let mut group = c.benchmark_group("get_order_status");
    group.bench_function("enkash", |b| {
        b.to_async(&rt).iter(|| async {
            let order = client
                .get_order_status()
                .order_id("ORD_1")
                .send()
                .await
                .payload()
                .expect("an order");
            black_box(order);
        })
    });
    group.bench_function("bare_reqwest", |b| {
        b.to_async(&rt).iter(|| async {
            let order_id = "ORD_1";
            let envelope: enkash::types::OrderResponse = http
                .get(format!("{base_url}/api/v0/orders/{order_id}"))
                .header("accept", "application/json")
                .header("authorization", &authorization)
                .header("merchantAccessKey", ACCESS_KEY)
                .send()
                .await
                .expect("an answer")
                .error_for_status()
                .expect("a 200")
                .json()
                .await
                .expect("an order");
            assert_eq!(envelope.response_code, 0);
            black_box(envelope.payload.expect("a payload"));
        })
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = enkash_perf::criterion(5);
    targets = get_order_status
}
criterion_main!(benches);
