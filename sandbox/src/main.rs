//! `enkash-sandbox`: the sandbox on its own, for other language teams and manual testing:
//!
//! ```sh
//! cargo run -p enkash-sandbox -- --port 8080 --token-lifetime 300
//! # or install it: cargo install --path sandbox
//! ```
//!
//! Options: `--port N` (default 8080), `--token-lifetime SECONDS` (default 3600),
//! `--skew SECONDS` (shift the sandbox's clock), `--fail-tokens N` (answer the first N token
//! requests with HTTP 503), `--revoke-previous-tokens` (issuing a token revokes every earlier
//! one). Runs until interrupted (Ctrl-C).
//!
//! UPI Autopay needs time to pass (a pre-debit notice 24 hours before each debit) and a payer
//! to approve mandates. The server offers both over HTTP under `/__sandbox/`, a prefix that is
//! not EnKash's and is not in the spec (plain JSON answers, no authentication):
//!
//! ```sh
//! curl -X POST localhost:8080/__sandbox/clock/advance -H 'content-type: application/json' -d '{"seconds": 90000}'
//! curl localhost:8080/__sandbox/clock
//! curl -X POST localhost:8080/__sandbox/mandates/SUB20261120001/approve
//! curl -X POST localhost:8080/__sandbox/mandates/SUB20261120001/pause -H 'content-type: application/json' -d '{"seconds": 604800}'
//! curl -X PUT localhost:8080/__sandbox/mandate-callbacks -H 'content-type: application/json' \
//!      -d '{"mandateUrl": "http://127.0.0.1:9000/mandate", "debitUrl": "http://127.0.0.1:9000/debit"}'
//! ```
//!
//! Moving the clock moves business time only (mandate validity, pre-debit windows, debit
//! days); tokens keep the wall clock. Callbacks go to loopback URLs only.

use std::process::ExitCode;
use std::time::Duration;

use enkash_sandbox::{Sandbox, TokenFault};

struct Options {
    port: u16,
    token_lifetime: u64,
    skew: i64,
    fail_tokens: usize,
    revoke_previous_tokens: bool,
}

fn parse(mut args: impl Iterator<Item = String>) -> Result<Options, String> {
    let mut options = Options {
        port: 8080,
        token_lifetime: 3600,
        skew: 0,
        fail_tokens: 0,
        revoke_previous_tokens: false,
    };
    while let Some(flag) = args.next() {
        if flag == "--revoke-previous-tokens" {
            options.revoke_previous_tokens = true;
            continue;
        }
        let mut value = || args.next().ok_or_else(|| format!("{flag} needs a value"));
        let number = |v: String| {
            v.parse::<i64>()
                .map_err(|_| format!("{flag}: {v:?} is not a number"))
        };
        match flag.as_str() {
            "--port" => {
                options.port = u16::try_from(number(value()?)?)
                    .map_err(|_| "--port: out of range".to_string())?
            }
            "--token-lifetime" => {
                options.token_lifetime = u64::try_from(number(value()?)?)
                    .map_err(|_| "--token-lifetime: must be positive".to_string())?
            }
            "--skew" => options.skew = number(value()?)?,
            "--fail-tokens" => {
                options.fail_tokens = usize::try_from(number(value()?)?)
                    .map_err(|_| "--fail-tokens: must be positive".to_string())?
            }
            other => {
                return Err(format!(
                    "unknown option {other}; see the top of examples/sandbox.rs"
                ))
            }
        }
    }
    Ok(options)
}

#[tokio::main]
async fn main() -> ExitCode {
    let options = match parse(std::env::args().skip(1)) {
        Ok(options) => options,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    let sandbox = match Sandbox::builder()
        .port(options.port)
        .token_lifetime(Duration::from_secs(options.token_lifetime))
        .revoke_previous_tokens(options.revoke_previous_tokens)
        .start()
        .await
    {
        Ok(sandbox) => sandbox,
        Err(e) => {
            eprintln!("cannot listen on 127.0.0.1:{}: {e}", options.port);
            return ExitCode::FAILURE;
        }
    };
    sandbox.skew_clock(options.skew);
    sandbox.fail_next_token_requests(vec![TokenFault::Status(503); options.fail_tokens]);

    println!("EnKash sandbox listening on {}", sandbox.base_url());
    println!("  accessKey  {}", sandbox.access_key());
    println!("  secretKey  {}", sandbox.secret_key());
    println!(
        "  orders     {} (PAID), {} (CREATED)",
        Sandbox::PAID_ORDER_ID,
        Sandbox::CREATED_ORDER_ID
    );
    println!(
        "  mandate    {} (ACTIVE, mandateId {})",
        Sandbox::MANDATE_REFERENCE_ID,
        Sandbox::MANDATE_ID
    );
    println!("  control    /__sandbox/clock, /__sandbox/clock/advance, /__sandbox/mandates/{{referenceId}}/approve (not EnKash's API)");
    println!(
        "  tokens live {} s; Ctrl-C stops it",
        options.token_lifetime
    );
    let _ = tokio::signal::ctrl_c().await;
    println!(
        "stopping: {} token requests, {} order lookups, {} 401s",
        sandbox.token_requests(),
        sandbox.authenticated_requests("get_order_status"),
        sandbox.unauthorized_responses()
    );
    ExitCode::SUCCESS
}
