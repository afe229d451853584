//! The quickstart: authenticated calls across several token lifetimes and a revocation, with
//! an account of what the token cache did. Offline by default, against the in-process sandbox:
//!
//! ```sh
//! cargo run --example quickstart
//! ```
//!
//! With `ENKASH_ACCESS_KEY` and `ENKASH_SECRET_KEY` set (and optionally `ENKASH_BASE_URL`,
//! default UAT, and `ENKASH_ORDER_ID` to look up), it talks to the real gateway instead, with
//! harmless calls only.

use std::process::ExitCode;
use std::time::{Duration, Instant};

use enkash::types::{CreateOrderRequest, PaymentDetail, RefundRequest, SubmitPaymentRequest};
use enkash::{Client, Environment, Payload, TokenPolicy};
use enkash_sandbox::Sandbox;

/// How long sandbox tokens live: short, so a run sees several of them.
const TOKEN_LIFETIME: Duration = Duration::from_secs(5);
const RUN_FOR: Duration = Duration::from_secs(10);
const CALL_EVERY: Duration = Duration::from_millis(250);

#[tokio::main]
async fn main() -> ExitCode {
    let access_key = std::env::var("ENKASH_ACCESS_KEY")
        .ok()
        .filter(|v| !v.is_empty());
    let secret_key = std::env::var("ENKASH_SECRET_KEY")
        .ok()
        .filter(|v| !v.is_empty());
    match (access_key, secret_key) {
        (None, None) => against_the_sandbox().await,
        (Some(access_key), Some(secret_key)) => against_the_gateway(access_key, secret_key).await,
        (Some(_), None) | (None, Some(_)) => {
            eprintln!(
                "Set both ENKASH_ACCESS_KEY and ENKASH_SECRET_KEY to use the real gateway, \
                 or neither to use the offline sandbox."
            );
            ExitCode::from(2)
        }
    }
}

async fn against_the_sandbox() -> ExitCode {
    let sandbox = match Sandbox::builder()
        .token_lifetime(TOKEN_LIFETIME)
        .start()
        .await
    {
        Ok(sandbox) => sandbox,
        Err(e) => {
            eprintln!("could not start the sandbox on 127.0.0.1: {e}");
            return ExitCode::FAILURE;
        }
    };
    // Refresh 1 s before expiry; stop using a token 0.4 s before. (The `Date` header has
    // whole seconds, so the client believes up to 1 s less than the 5 s the sandbox grants.)
    let policy = TokenPolicy::default()
        .refresh_ahead(Duration::from_secs(1))
        .expiry_margin(Duration::from_millis(400));
    let client = Client::builder()
        .base_url(sandbox.base_url())
        .credentials(sandbox.access_key(), sandbox.secret_key())
        .token_policy(policy)
        .build()
        .expect("the sandbox's URL and keys are valid");

    println!(
        "enkash quickstart: offline, against the sandbox at {}",
        sandbox.base_url()
    );
    if let Err(e) = order_flow(&client).await {
        eprintln!("the order flow failed: {e}");
        return ExitCode::FAILURE;
    }
    let served_before = sandbox.authenticated_requests("get_order_status");
    println!(
        "tokens live {:?}; calling get_order_status every {CALL_EVERY:?} for {RUN_FOR:?}\n",
        TOKEN_LIFETIME
    );

    let started = Instant::now();
    let (mut calls, mut failures, mut tokens_seen) = (0, 0, 0);
    let mut last_expiry = None;
    let mut revoked = false;
    while started.elapsed() < RUN_FOR {
        if !revoked && started.elapsed() >= RUN_FOR / 2 {
            sandbox.revoke_all_tokens();
            revoked = true;
            println!(
                "{:>5.1}s  sandbox revoked every token",
                started.elapsed().as_secs_f64()
            );
        }
        calls += 1;
        match client
            .get_order_status()
            .order_id(Sandbox::PAID_ORDER_ID)
            .send()
            .await
        {
            Ok(response) => {
                let status = response.payload.as_ref().and_then(|o| o.status.clone());
                if calls == 1 {
                    println!(
                        "{:>5.1}s  order {} is {}",
                        started.elapsed().as_secs_f64(),
                        Sandbox::PAID_ORDER_ID,
                        show(&status)
                    );
                }
            }
            Err(e) => {
                failures += 1;
                println!(
                    "{:>5.1}s  call failed: {e}",
                    started.elapsed().as_secs_f64()
                );
            }
        }
        let token = client
            .access_token()
            .await
            .expect("the sandbox issues tokens");
        if last_expiry != Some(token.expires_at()) {
            tokens_seen += 1;
            last_expiry = Some(token.expires_at());
            println!(
                "{:>5.1}s  using token #{tokens_seen}, valid for another {:.1}s",
                started.elapsed().as_secs_f64(),
                token.remaining().as_secs_f64()
            );
        }
        tokio::time::sleep(CALL_EVERY).await;
    }

    let remaining = client
        .access_token()
        .await
        .map(|t| t.remaining())
        .unwrap_or_default();
    let token_requests = sandbox.token_requests();
    let absorbed = sandbox.unauthorized_responses();
    println!("\naccount after {:.1}s", started.elapsed().as_secs_f64());
    println!("  calls made               {calls} ({failures} failed)");
    println!(
        "  calls the gateway served {}",
        sandbox.authenticated_requests("get_order_status") - served_before
    );
    let ahead = token_requests.saturating_sub(1 + absorbed);
    println!(
        "  token requests           {token_requests} (1 first, {ahead} ahead of expiry, {absorbed} after the revocation)"
    );
    println!("  tokens used              {tokens_seen}");
    println!("  401s absorbed            {absorbed} (replayed once with a fresh token)");
    println!(
        "  current token expires in {:.1}s (the token itself is never printed)",
        remaining.as_secs_f64()
    );

    // Every token request produced a token that was used (a background refresh may have
    // landed after the last call), and the revocation cost exactly one 401.
    if failures > 0 || absorbed != 1 || token_requests > tokens_seen + 1 {
        eprintln!("unexpected: {failures} failed calls, {absorbed} 401s, {token_requests} token requests for {tokens_seen} tokens used");
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}

/// An optional value for people: the value, or `-`.
fn show<T: std::fmt::Display>(value: &Option<T>) -> String {
    value.as_ref().map_or_else(|| "-".to_string(), T::to_string)
}

/// An order, paid by UPI and partly refunded: the calls a checkout makes.
async fn order_flow(client: &Client) -> Result<(), Box<dyn std::error::Error>> {
    let order = CreateOrderRequest::new("INVQUICKSTART1", "1499.50".parse()?)?;
    let order = client.create_order().body(order).send().await.payload()?;
    let order_id = order.order_id.ok_or("EnKash's answer has no order id")?;
    println!(
        "order {order_id}: {}, {} rupees",
        show(&order.status),
        show(&order.amount)
    );

    let payment = SubmitPaymentRequest::new(&order_id, PaymentDetail::upi("asha.verma@okbank")?)?;
    let transaction = client
        .submit_payment()
        .body(payment)
        .send()
        .await
        .payload()?;
    let transaction_id = transaction
        .transaction_id
        .ok_or("EnKash's answer has no transaction id")?;
    let order = client
        .get_order_status()
        .order_id(&order_id)
        .send()
        .await
        .payload()?;
    println!(
        "paid by UPI: transaction {transaction_id} {}, order now {}",
        show(&transaction.status),
        show(&order.status)
    );

    let refund = RefundRequest::new("QUICKSTART-R1", "499.50".parse()?)?;
    let refund = client
        .refund_transaction()
        .transaction_id(&transaction_id)
        .body(refund)
        .send()
        .await
        .payload()?;
    println!(
        "refunded {} rupees: refund {}\n",
        show(&refund.amount),
        show(&refund.status)
    );
    Ok(())
}

async fn against_the_gateway(access_key: String, secret_key: String) -> ExitCode {
    let base_url = std::env::var("ENKASH_BASE_URL")
        .unwrap_or_else(|_| Environment::Uat.base_url().to_string());
    let client = match Client::builder()
        .base_url(&base_url)
        .credentials(access_key, secret_key)
        .build()
    {
        Ok(client) => client,
        Err(e) => {
            eprintln!("cannot build a client for {base_url}: {e}");
            return ExitCode::from(2);
        }
    };
    println!("enkash quickstart: against {base_url}");
    let token = match client.access_token().await {
        Ok(token) => token,
        Err(e) => {
            eprintln!("no token: {e}");
            return ExitCode::FAILURE;
        }
    };
    println!(
        "  got a token valid for {:.0}s (lifetime {:?})",
        token.remaining().as_secs_f64(),
        token.lifetime()
    );
    let again = client
        .access_token()
        .await
        .map(|t| t.expires_at() == token.expires_at());
    println!(
        "  second access_token() served from the cache: {}",
        again.unwrap_or(false)
    );
    if let Ok(order_id) = std::env::var("ENKASH_ORDER_ID") {
        match client.get_order_status().order_id(&order_id).send().await {
            Ok(order) => println!(
                "  order {order_id}: {:?}",
                order.payload.as_ref().and_then(|o| o.status.as_ref())
            ),
            Err(e) => println!("  order {order_id}: {e}"),
        }
    }
    ExitCode::SUCCESS
}
