//! A soak: 8 tasks call the sandbox for a fixed time with 2-second tokens while faults rain on
//! them (5xx, 429s with `Retry-After`, dropped connections before and after processing, slow
//! answers past the timeout, token revocations, malformed token responses), with retries on.
//!
//! `cargo run --example soak -- --seconds 60`
//!
//! It reports calls made and failed, token requests per token lifetime, peak RSS early and late,
//! and tasks alive at the end; it exits 1 if a call failed that the retry policy should have
//! saved, if RSS grew by more than 10% between the first and the last window, if a payment was
//! taken twice, or if a task outlived the run.

use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use enkash::sandbox::{CallFault, Sandbox, TokenFault};
use enkash::types::{
    Amount, CreateOrderRequest, Currency, PaymentDetail, PaymentMode, PaymentStatus,
};
use enkash::{CallError, CallErrorKind, Client, Payload, RetryPolicy, Rupees};

const TASKS: usize = 8;
const TOKEN_LIFETIME: Duration = Duration::from_secs(2);
const MAX_ATTEMPTS: u32 = 4;

#[derive(Default)]
struct Tally {
    calls: AtomicU64,
    /// Failures the policy may not save: a payment whose outcome is unknown, no token for a
    /// moment after an injected token fault.
    expected_failures: AtomicU64,
    /// Failures it should have saved: a bug.
    unsaved: AtomicU64,
    double_payments: AtomicU64,
}

impl Tally {
    fn record(&self, error: &CallError, payment: bool) {
        // After a malformed token response a 2-second token can pass its hard point before the
        // next refresh: calls, and retries, find no token for a moment.
        let excused = (payment && error.outcome_unknown())
            || error.kind() == CallErrorKind::TokenUnavailable
            || !error.is_retryable();
        let gave_up_early = error.attempts() < MAX_ATTEMPTS;
        if excused || !gave_up_early {
            if std::env::var_os("SOAK_DEBUG").is_some() {
                eprintln!(
                    "expected: {:?} after {}: {error}",
                    error.kind(),
                    error.attempts()
                );
            }
            self.expected_failures.fetch_add(1, Ordering::Relaxed);
        } else {
            eprintln!(
                "a call the policy should have saved failed after {} attempts: {error}",
                error.attempts()
            );
            self.unsaved.fetch_add(1, Ordering::Relaxed);
        }
    }
}

fn seconds_from_args() -> Result<u64, String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.as_slice() {
        [] => Ok(60),
        [flag, value] if flag == "--seconds" => {
            value.parse().ok().filter(|s| *s >= 10).ok_or_else(|| {
                format!("--seconds takes a whole number of at least 10, not {value:?}")
            })
        }
        _ => Err("usage: soak [--seconds N]".to_string()),
    }
}

/// The process's resident memory now (Linux `VmRSS`), in KiB.
fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            let line = status
                .lines()
                .find(|l| l.starts_with("VmRSS:"))?
                .to_string();
            line.split_whitespace().nth(1)?.parse().ok()
        })
        .unwrap_or(0)
}

/// One task's loop: mostly order lookups, and now and then a new order paid by UPI.
async fn caller(client: Client, tally: Arc<Tally>, until: Instant, task: usize) {
    let mut n = 0u64;
    while Instant::now() < until {
        n += 1;
        tally.calls.fetch_add(1, Ordering::Relaxed);
        if n.is_multiple_of(200) {
            pay_a_new_order(&client, &tally, &format!("SOAK{task}N{n}")).await;
        } else {
            let lookup = client
                .get_order_status()
                .order_id(Sandbox::PAID_ORDER_ID)
                .send()
                .await
                .payload();
            if let Err(error) = lookup {
                tally.record(&error, false);
            }
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

async fn pay_a_new_order(client: &Client, tally: &Tally, merchant_id: &str) {
    let order = CreateOrderRequest::builder()
        .order_id(merchant_id)
        .amount(Amount {
            value: Rupees::from_paise(49_900),
            currency: Currency::Inr,
        });
    let Ok(order) = CreateOrderRequest::try_from(order) else {
        return;
    };
    let created = client.create_order().body(order).send().await.payload();
    let order_id = match created {
        Ok(order) => order.order_id.unwrap_or_default(),
        Err(error) => return tally.record(&error, true),
    };
    let detail = PaymentDetail::builder()
        .payment_mode(PaymentMode::Upi)
        .vpa(Some("soak@okbank".to_string()));
    let Ok(payment_detail) = PaymentDetail::try_from(detail) else {
        return;
    };
    let payment = enkash::types::SubmitPaymentRequest {
        order_id: order_id.clone(),
        payment_detail,
    };
    tally.calls.fetch_add(1, Ordering::Relaxed);
    if let Err(error) = client.submit_payment().body(payment).send().await.payload() {
        tally.record(&error, true);
    }
    // Whatever happened, the order holds at most one successful payment.
    if let Ok(order) = client
        .get_order_status()
        .order_id(&order_id)
        .send()
        .await
        .payload()
    {
        let paid = order
            .transactions
            .iter()
            .filter(|t| t.status == Some(PaymentStatus::Success))
            .count();
        if paid > 1 {
            tally.double_payments.fetch_add(1, Ordering::Relaxed);
        }
    }
}

/// Every 100 ms one call fault somewhere (unless the last one there is still waiting: calls
/// that cannot get a token do not consume faults, and a pile-up would hit one call several
/// times); every 3 s a revocation of every token; every 15 s a malformed token response.
async fn weather(sandbox: Arc<Sandbox>, until: Instant) {
    let operations = ["get_order_status", "create_order", "submit_payment"];
    let mut tick = 0u64;
    while Instant::now() < until {
        tokio::time::sleep(Duration::from_millis(100)).await;
        tick += 1;
        if tick.is_multiple_of(30) {
            sandbox.revoke_all_tokens();
        }
        if tick.is_multiple_of(150) {
            sandbox.fail_next_token_requests([TokenFault::Malformed]);
        }
        let operation = operations[fastrand::usize(..operations.len())];
        if sandbox.pending_call_faults(operation) > 0 {
            continue;
        }
        let fault = match fastrand::u8(..8) {
            0 => CallFault::Status(500),
            1 => CallFault::Status(503),
            2 => CallFault::RetryAfter(429, Duration::from_secs(1)),
            3 => CallFault::ResetBeforeProcessing,
            4 => CallFault::ResetAfterProcessing,
            5 => CallFault::Delay(Duration::from_millis(1500)),
            6 => CallFault::Delay(Duration::from_millis(50)),
            _ => CallFault::Garbled,
        };
        sandbox.fail_next_calls(operation, [fault]);
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let seconds = match seconds_from_args() {
        Ok(seconds) => seconds,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    let outcome = soak(Duration::from_secs(seconds)).await;
    let alive = tokio::runtime::Handle::current()
        .metrics()
        .num_alive_tasks();
    println!("  tasks alive at the end   {alive}");
    if outcome && alive == 0 {
        println!("soak passed");
        ExitCode::SUCCESS
    } else {
        println!("soak FAILED");
        ExitCode::FAILURE
    }
}

/// Runs the soak; whether its figures pass. Everything it starts is gone when it returns.
async fn soak(duration: Duration) -> bool {
    let Ok(sandbox) = Sandbox::builder()
        .token_lifetime(TOKEN_LIFETIME)
        .start()
        .await
    else {
        eprintln!("could not bind 127.0.0.1");
        return false;
    };
    let sandbox = Arc::new(sandbox);
    let client = Client::builder()
        .base_url(sandbox.base_url())
        .credentials(sandbox.access_key(), sandbox.secret_key())
        .timeout(Duration::from_secs(1))
        .retry_policy(RetryPolicy::default().max_attempts(MAX_ATTEMPTS))
        .build()
        .expect("a valid configuration");
    println!(
        "soak: {TASKS} tasks for {}s against {}",
        duration.as_secs(),
        sandbox.base_url()
    );

    let started = Instant::now();
    let until = started + duration;
    let tally = Arc::new(Tally::default());
    let mut tasks: Vec<_> = (0..TASKS)
        .map(|task| tokio::spawn(caller(client.clone(), Arc::clone(&tally), until, task)))
        .collect();
    tasks.push(tokio::spawn(weather(Arc::clone(&sandbox), until)));

    // RSS once a second; the windows compared are the first and last minute (a sixth of the
    // run when it is shorter), after a warm-up of a tenth of the run.
    let mut samples = Vec::new();
    while Instant::now() < until {
        tokio::time::sleep(Duration::from_secs(1)).await;
        samples.push(rss_kib());
    }
    for task in tasks {
        let _ = task.await;
    }
    let elapsed = started.elapsed();
    let warmup = samples.len() / 10;
    let window = (samples.len() / 6).clamp(1, 60);
    let first = samples
        .iter()
        .skip(warmup)
        .take(window)
        .max()
        .copied()
        .unwrap_or(0);
    let last = samples
        .iter()
        .rev()
        .take(window)
        .max()
        .copied()
        .unwrap_or(0);
    let growth = (last as f64 / first.max(1) as f64 - 1.0) * 100.0;

    let calls = tally.calls.load(Ordering::Relaxed);
    let lifetimes = elapsed.as_secs_f64() / TOKEN_LIFETIME.as_secs_f64();
    println!("  calls made               {calls}");
    println!(
        "  calls failed             {} the policy may not save (payments with unknown outcome, no token after a token fault), {} it should have",
        tally.expected_failures.load(Ordering::Relaxed),
        tally.unsaved.load(Ordering::Relaxed)
    );
    println!(
        "  token requests           {} ({:.2} per token lifetime)",
        sandbox.token_requests(),
        sandbox.token_requests() as f64 / lifetimes
    );
    println!("  peak RSS, first window   {first} KiB");
    println!("  peak RSS, last window    {last} KiB ({growth:+.1}%)");
    println!(
        "  double payments          {}",
        tally.double_payments.load(Ordering::Relaxed)
    );

    drop(client);
    drop(sandbox);
    // Let the sandbox's server and its connections notice and wind down.
    tokio::time::sleep(Duration::from_millis(500)).await;
    tally.unsaved.load(Ordering::Relaxed) == 0
        && tally.double_payments.load(Ordering::Relaxed) == 0
        && growth <= 10.0
}
