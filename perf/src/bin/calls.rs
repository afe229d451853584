//! A profile binary: `calls ARM N [TASKS]` makes N order lookups through one arm (`enkash` or
//! `bare_reqwest`) on the merchant benchmark's setup (a two-worker runtime, the server on its
//! own), on TASKS tasks at once (1 unless given), and prints the time per lookup. Run it under
//! `perf stat` or `perf record` for each arm: the difference is what the crate adds.

use std::time::Instant;

use enkash_perf::arms::{order_answer, Arm, Arms};
use enkash_perf::{on_tasks, runtime, server_on_its_own_runtime};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let usage = "usage: calls enkash|bare_reqwest N [TASKS]";
    let arm = match args.first().map(String::as_str) {
        Some("enkash") => Arm::Enkash,
        Some("bare_reqwest") => Arm::Bare,
        _ => return eprintln!("{usage}"),
    };
    let number =
        |at: usize, default: Option<u64>| args.get(at).map_or(default, |text| text.parse().ok());
    let (Some(calls), Some(tasks)) = (number(1, None), number(2, Some(1))) else {
        return eprintln!("{usage}");
    };
    let tasks = usize::try_from(tasks.max(1)).unwrap_or(1);

    let (_server_runtime, server) = server_on_its_own_runtime();
    server.answer_orders_with(order_answer());
    let rt = runtime();
    let arms = Arms::warm(&rt, &server);
    let per_task = calls / tasks as u64;
    let started = Instant::now();
    rt.block_on(on_tasks(tasks, per_task, move || {
        let arms = std::sync::Arc::clone(&arms);
        async move { arms.call(arm).await }
    }));
    let elapsed = started.elapsed();
    let made = per_task * tasks as u64;
    println!(
        "{}: {made} lookups on {tasks} task(s), {:.1} us each",
        arm.name(),
        elapsed.as_secs_f64() * 1e6 / made as f64
    );
}
