//! `get_order_status` as a merchant's service pays for it: one warm, long-lived client on a
//! two-worker multi-thread Tokio runtime (as an axum service runs it), the scripted server on a
//! runtime of its own, against a bare reqwest request that decodes the same `OrderResponse`
//! from the same server (`enkash_perf::arms`). Sequential calls, 64 calls at once, and
//! sequential calls on a current-thread runtime beside them.
//!
//! Run: `cargo bench -p enkash-perf --bench merchant`. `perf/alternate` runs it several times,
//! alternating which arm goes first (`ENKASH_BENCH_BARE_FIRST=1` puts the bare arm first), and
//! prints each arm's median, the spread and the ratio.

use std::sync::Arc;

use criterion::measurement::WallTime;
use criterion::{criterion_group, criterion_main, BenchmarkGroup, Criterion};
use enkash_perf::arms::{order_answer, Arm, Arms};
use enkash_perf::{current_thread_runtime, on_tasks, runtime, server_on_its_own_runtime};
use tokio::runtime::Runtime;

/// Calls at once in the concurrent case: an iteration is 64 lookups on 64 tasks.
const CONCURRENT: usize = 64;

/// The arms in the order this run takes them.
fn arms_in_order() -> [Arm; 2] {
    match std::env::var_os("ENKASH_BENCH_BARE_FIRST").is_some_and(|v| v == "1") {
        true => [Arm::Bare, Arm::Enkash],
        false => [Arm::Enkash, Arm::Bare],
    }
}

/// Each arm's lookups on `tasks` tasks at once, each task making one lookup per iteration. The
/// lookups run in spawned tasks, as a service's handlers do (on a multi-thread runtime, on its
/// workers), not in the thread that waits for the benchmark.
fn on(tasks: usize, group: &mut BenchmarkGroup<'_, WallTime>, rt: &Runtime, arms: &Arc<Arms>) {
    for arm in arms_in_order() {
        group.bench_function(arm.name(), |b| {
            b.to_async(rt).iter_custom(|iters| {
                let arms = Arc::clone(arms);
                on_tasks(tasks, iters, move || {
                    let arms = Arc::clone(&arms);
                    async move { arms.call(arm).await }
                })
            })
        });
    }
}

fn merchant(c: &mut Criterion) {
    let (_server_runtime, server) = server_on_its_own_runtime();
    // Every lookup gets the full order.
    server.answer_orders_with(order_answer());

    let rt = runtime();
    let arms = Arms::warm(&rt, &server);
    let mut group = c.benchmark_group("merchant_mt_sequential");
    on(1, &mut group, &rt, &arms);
    group.finish();
    let mut group = c.benchmark_group("merchant_mt_64_at_once");
    on(CONCURRENT, &mut group, &rt, &arms);
    group.finish();
    drop((arms, rt));

    let rt = current_thread_runtime();
    let arms = Arms::warm(&rt, &server);
    let mut group = c.benchmark_group("merchant_ct_sequential");
    on(1, &mut group, &rt, &arms);
    group.finish();
}

criterion_group! {
    name = benches;
    config = enkash_perf::criterion(5);
    targets = merchant
}
criterion_main!(benches);
