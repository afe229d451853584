//! A soak: 8 tasks call the sandbox for a fixed time with 2-second tokens while faults rain on
//! them (5xx, 429s with `Retry-After`, dropped connections before and after processing, slow
//! answers past the timeout, garbled answers, token revocations, malformed token responses),
//! with retries on.
//!
//! `cargo run --example soak -- --seconds 60`
//!
//! The sandbox runs in a child process (`gateway.rs`), so the memory measured is the client's.
//! The soak reports calls made and failed, token requests per token lifetime, peak RSS early and
//! late, and tasks alive at the end; it exits 1 if a call failed that the retry policy should
//! have saved, if RSS grew by more than 10% between the first and the last window, if a payment
//! was taken twice, or if a task outlived the run.

mod gateway;

use std::process::{ExitCode, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use enkash::types::{CreateOrderRequest, PaymentDetail, PaymentStatus, SubmitPaymentRequest};
use enkash::{CallError, CallErrorKind, Client, Payload, RetryPolicy, Rupees};
use gateway::Command;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::sync::mpsc;

const TASKS: usize = 8;
const TOKEN_LIFETIME: Duration = Duration::from_secs(2);
const MAX_ATTEMPTS: u32 = 4;
/// An order that the sandbox seeds, paid.
const PAID_ORDER_ID: &str = "ORD_SANDBOX_PAID";

#[derive(Default)]
struct Tally {
    calls: AtomicU64,
    /// Failures the policy may not save: a payment whose outcome is unknown, no token for a
    /// moment after an injected token fault.
    expected_failures: AtomicU64,
    /// Failures it should have saved: a bug.
    unsaved: AtomicU64,
    /// Of the expected failures: no token could be had; a payment or order whose outcome is
    /// unknown; the client-wide budget declined the retry.
    no_token: AtomicU64,
    outcome_unknown: AtomicU64,
    /// An order or payment answered 401 (its token revoked by a refresh): never replayed, as
    /// it reached a server; the refused token is dropped for the next call.
    token_refused: AtomicU64,
    budget_paused: AtomicU64,
    double_payments: AtomicU64,
}

impl Tally {
    fn record(&self, error: &CallError, payment: bool) {
        // After a malformed token response a 2-second token can pass its hard point before the
        // next refresh: calls, and retries, find no token for a moment.
        // And the client-wide retry budget may pause retries after a burst of failures: that is
        // the policy declining, as `retry_budget_spent` says.
        let token_refused = payment && error.http_status() == Some(401);
        let excused = (payment && error.outcome_unknown())
            || token_refused
            || error.kind() == CallErrorKind::TokenUnavailable
            || error.retry_budget_spent()
            || !error.is_retryable();
        let gave_up_early = error.attempts() < MAX_ATTEMPTS;
        let counter = if error.kind() == CallErrorKind::TokenUnavailable {
            Some(&self.no_token)
        } else if error.retry_budget_spent() {
            Some(&self.budget_paused)
        } else if payment && error.outcome_unknown() {
            Some(&self.outcome_unknown)
        } else if token_refused {
            Some(&self.token_refused)
        } else {
            None
        };
        if let Some(counter) = counter {
            counter.fetch_add(1, Ordering::Relaxed);
        }
        if excused || !gave_up_early {
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

enum Mode {
    Soak(Duration),
    Gateway,
}

fn mode_from_args() -> Result<Mode, String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.as_slice() {
        [] => Ok(Mode::Soak(Duration::from_secs(60))),
        [flag] if flag == "--gateway" => Ok(Mode::Gateway),
        [flag, value] if flag == "--seconds" => value
            .parse()
            .ok()
            .filter(|s| *s >= 10)
            .map(|s| Mode::Soak(Duration::from_secs(s)))
            .ok_or_else(|| format!("--seconds takes a whole number of at least 10, not {value:?}")),
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
        if n.is_multiple_of(20) {
            pay_a_new_order(&client, &tally, &format!("SOAK{task}N{n}")).await;
        } else {
            let lookup = client
                .get_order_status()
                .order_id(PAID_ORDER_ID)
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
    let Ok(order) = CreateOrderRequest::new(merchant_id, Rupees::from_paise(49_900)) else {
        return;
    };
    let created = client.create_order().body(order).send().await.payload();
    let order_id = match created {
        Ok(order) => match order.order_id {
            Some(id) => id,
            // A created order without EnKash's id cannot be paid: never pay with "". The
            // sandbox always gives one, so this is a bug.
            None => {
                tally.unsaved.fetch_add(1, Ordering::Relaxed);
                return;
            }
        },
        Err(error) => return tally.record(&error, true),
    };
    let payment = PaymentDetail::upi("soak@okbank")
        .and_then(|detail| SubmitPaymentRequest::new(&order_id, detail));
    let Ok(payment) = payment else {
        return;
    };
    tally.calls.fetch_add(1, Ordering::Relaxed);
    if let Err(error) = client.submit_payment().body(payment).send().await.payload() {
        tally.record(&error, true);
    }
    // Whatever happened, the order holds at most one successful payment.
    let looked_up = client.get_order_status().order_id(&order_id).send().await;
    if let Ok(order) = looked_up.payload() {
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

/// Every 100 ms one call fault somewhere (the gateway drops it if the last one there is still
/// waiting: calls that cannot get a token consume none, and a pile-up would hit one call many
/// times); every 3 s a revocation of every token; every 15 s a malformed token response.
async fn weather(commands: mpsc::UnboundedSender<Command>, until: Instant) {
    let operations = ["get_order_status", "create_order", "submit_payment"];
    let mut tick = 0u64;
    while Instant::now() < until {
        tokio::time::sleep(Duration::from_millis(100)).await;
        tick += 1;
        if tick.is_multiple_of(30) {
            let _ = commands.send(Command::Revoke);
        }
        if tick.is_multiple_of(150) {
            let _ = commands.send(Command::MalformedToken);
        }
        let operation = operations[fastrand::usize(..operations.len())];
        let _ = commands.send(Command::Call(operation, gateway::random_fault()));
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let duration = match mode_from_args() {
        Ok(Mode::Soak(duration)) => duration,
        Ok(Mode::Gateway) => {
            return match gateway::serve(TOKEN_LIFETIME).await {
                Ok(()) => ExitCode::SUCCESS,
                Err(error) => {
                    eprintln!("soak gateway: {error}");
                    ExitCode::FAILURE
                }
            };
        }
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    let passed = match soak(duration).await {
        Ok(passed) => passed,
        Err(error) => {
            eprintln!("soak could not run: {error}");
            false
        }
    };
    let alive = tokio::runtime::Handle::current()
        .metrics()
        .num_alive_tasks();
    println!("  tasks alive at the end   {alive}");
    if passed && alive == 0 {
        println!("soak passed");
        ExitCode::SUCCESS
    } else {
        println!("soak FAILED");
        ExitCode::FAILURE
    }
}

type GatewayLines = tokio::io::Lines<BufReader<tokio::process::ChildStdout>>;

/// The value of the gateway's next line, which must start with `name`.
async fn said(lines: &mut GatewayLines, name: &str) -> Result<String, Box<dyn std::error::Error>> {
    let line = lines.next_line().await?.ok_or("the gateway ended early")?;
    let value = line
        .strip_prefix(name)
        .ok_or_else(|| format!("the gateway said {line:?}, not {name}"))?;
    Ok(value.trim().to_string())
}

/// Runs the soak; whether its figures pass. Everything it starts is gone when it returns.
async fn soak(duration: Duration) -> Result<bool, Box<dyn std::error::Error>> {
    let mut child = tokio::process::Command::new(std::env::current_exe()?)
        .arg("--gateway")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()?;
    let mut stdin = child.stdin.take().ok_or("no stdin")?;
    let mut lines = BufReader::new(child.stdout.take().ok_or("no stdout")?).lines();
    let base_url = said(&mut lines, "url").await?;
    let access_key = said(&mut lines, "access").await?;
    let secret_key = said(&mut lines, "secret").await?;

    let client = Client::builder()
        .base_url(&base_url)
        .credentials(access_key, secret_key)
        .timeout(Duration::from_secs(1))
        .retry_policy(RetryPolicy::default().max_attempts(MAX_ATTEMPTS))
        .build()?;
    println!(
        "soak: {TASKS} tasks for {}s against a sandbox at {base_url} in a child process",
        duration.as_secs()
    );

    let started = Instant::now();
    let until = started + duration;
    let tally = Arc::new(Tally::default());
    let (commands, mut to_send) = mpsc::unbounded_channel::<Command>();
    let mut tasks: Vec<_> = (0..TASKS)
        .map(|task| tokio::spawn(caller(client.clone(), Arc::clone(&tally), until, task)))
        .collect();
    // The gateway stops when its standard input closes: only once every caller has finished.
    let gateway_open = commands.clone();
    tasks.push(tokio::spawn(weather(commands, until)));
    let writer = tokio::spawn(async move {
        while let Some(command) = to_send.recv().await {
            if stdin.write_all(command.line().as_bytes()).await.is_err() {
                break;
            }
        }
        // Closing standard input tells the gateway to report and stop.
    });

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
    drop(gateway_open);
    let _ = writer.await;
    let token_requests: u64 = said(&mut lines, "token-requests").await?.parse()?;
    let _ = child.wait().await;
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

    let lifetimes = elapsed.as_secs_f64() / TOKEN_LIFETIME.as_secs_f64();
    println!(
        "  calls made               {}",
        tally.calls.load(Ordering::Relaxed)
    );
    let count = |counter: &AtomicU64| counter.load(Ordering::Relaxed);
    println!(
        "  calls failed             {} the policy may not save, {} it should have",
        count(&tally.expected_failures),
        count(&tally.unsaved)
    );
    println!(
        "    of which: no token      {} (a 2-second token outlived by a failed refresh)",
        count(&tally.no_token)
    );
    println!(
        "    outcome unknown         {} (orders and payments, never resent)",
        count(&tally.outcome_unknown)
    );
    println!(
        "    token refused (401)     {} (orders and payments, never replayed)",
        count(&tally.token_refused)
    );
    println!(
        "    retry budget spent      {}",
        count(&tally.budget_paused)
    );
    let named = count(&tally.no_token)
        + count(&tally.outcome_unknown)
        + count(&tally.token_refused)
        + count(&tally.budget_paused);
    println!(
        "    other                   {} (a lookup's 429 or 408 whose retries were used up)",
        count(&tally.expected_failures).saturating_sub(named)
    );
    println!(
        "  token requests           {token_requests} ({:.2} per token lifetime)",
        token_requests as f64 / lifetimes
    );
    println!("  peak RSS, first window   {first} KiB");
    println!("  peak RSS, last window    {last} KiB ({growth:+.1}%)");
    println!(
        "  double payments          {}",
        tally.double_payments.load(Ordering::Relaxed)
    );
    drop(client);
    // Let the connection pool's tasks notice and wind down.
    tokio::time::sleep(Duration::from_millis(500)).await;
    Ok(tally.unsaved.load(Ordering::Relaxed) == 0
        && tally.double_payments.load(Ordering::Relaxed) == 0
        && growth <= 10.0)
}
