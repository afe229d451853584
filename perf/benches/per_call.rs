//! One `get_order_status` on loopback through the generated client (token cache, call loop,
//! `payload()`), against the same request built by hand with reqwest (the URL formatted with
//! the order id, as each lookup must; a token held in a local; one JSON decode), both against
//! the same scripted server.
//!
//! The two calls alternate in both benchmarks, and each times only its own: a loopback round
//! trip drifts with the machine's state by more than the difference measured, and run one after
//! the other, the two would see different drifts.
//!
//! Run: `cargo bench -p enkash-perf --bench per_call`.

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion};
use enkash::Payload;
use enkash_perf::runtime;
use enkash_perf::server::{TestServer, ACCESS_KEY};

/// The two ways to look an order up.
struct Lookups {
    client: enkash::Client,
    http: reqwest::Client,
    base_url: String,
    authorization: String,
}

/// Which of the two lookups a benchmark times.
#[derive(Clone, Copy)]
enum Side {
    Enkash,
    BareReqwest,
}

impl Side {
    fn name(self) -> &'static str {
        match self {
            Side::Enkash => "enkash",
            Side::BareReqwest => "bare_reqwest",
        }
    }
}

impl Lookups {
    /// `iters` pairs of lookups, the untimed side first; the time the `timed` side took.
    async fn alternate(&self, iters: u64, timed: Side) -> Duration {
        let mut took = Duration::ZERO;
        for _ in 0..iters {
            let start = match timed {
                Side::Enkash => {
                    self.bare_reqwest().await;
                    let start = Instant::now();
                    self.enkash().await;
                    start
                }
                Side::BareReqwest => {
                    self.enkash().await;
                    let start = Instant::now();
                    self.bare_reqwest().await;
                    start
                }
            };
            took += start.elapsed();
        }
        took
    }

    async fn enkash(&self) {
        let order = self
            .client
            .get_order_status()
            .order_id("ORD_1")
            .send()
            .await
            .payload()
            .expect("an order");
        black_box(order);
    }

    async fn bare_reqwest(&self) {
        let (base_url, order_id) = (&self.base_url, "ORD_1");
        let envelope: enkash::types::OrderResponse = self
            .http
            .get(format!("{base_url}/api/v0/orders/{order_id}"))
            .header("accept", "application/json")
            .header("authorization", &self.authorization)
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
    }
}

fn get_order_status(c: &mut Criterion) {
    let rt = runtime();
    let server = rt.block_on(TestServer::start());
    let client = server.client().build().expect("a client");
    let token = rt.block_on(client.access_token()).expect("a token");
    let lookups = Lookups {
        authorization: format!("Bearer {}", token.as_str()),
        client,
        // Configured as the SDK's client is: no redirects, the same timeout.
        http: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(30))
            .build()
            .expect("a reqwest client"),
        base_url: server.base_url.clone(),
    };

    let mut group = c.benchmark_group("get_order_status");
    for timed in [Side::Enkash, Side::BareReqwest] {
        group.bench_function(timed.name(), |b| {
            b.to_async(&rt)
                .iter_custom(|iters| lookups.alternate(iters, timed))
        });
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = enkash_perf::criterion(5);
    targets = get_order_status
}
criterion_main!(benches);
