//! How a merchant uses the sandbox in their own tests: start it, point the client at it,
//! inject a fault, assert on what your code did. Run: `cargo run --example sandbox_in_tests`
//! (the same code works inside `#[tokio::test]`).

use enkash::{CallErrorKind, Client, Payload};
use enkash_sandbox::{CallFault, Sandbox, TokenFault};

/// Your code under test: looks up an order and says whether it is paid.
async fn is_paid(client: &Client, order_id: &str) -> Result<bool, String> {
    let order = client
        .get_order_status()
        .order_id(order_id)
        .send()
        .await
        .payload()
        .map_err(|e| match e.kind() {
            CallErrorKind::Credentials => format!("check the EnKash keys: {e}"),
            _ if e.is_retryable() => format!("try again later: {e}"),
            _ => format!("lookup failed: {e}"),
        })?;
    Ok(order.status == Some(enkash::types::OrderStatus::Paid))
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    // In a test: `#[tokio::test] async fn paid_order_is_paid() { ... }` with this body.
    let sandbox = Sandbox::start().await.expect("bind 127.0.0.1");
    let client = Client::builder()
        .base_url(sandbox.base_url())
        .credentials(sandbox.access_key(), sandbox.secret_key())
        .build()
        .expect("valid configuration");

    assert_eq!(is_paid(&client, Sandbox::PAID_ORDER_ID).await, Ok(true));
    assert_eq!(is_paid(&client, Sandbox::CREATED_ORDER_ID).await, Ok(false));

    // A gateway outage while fetching the token: your code reports it as transient.
    let cold = Client::builder()
        .base_url(sandbox.base_url())
        .credentials(sandbox.access_key(), sandbox.secret_key())
        .build()
        .expect("valid configuration");
    sandbox.fail_next_token_requests([TokenFault::Status(503)]);
    let outage = is_paid(&cold, Sandbox::PAID_ORDER_ID).await.unwrap_err();
    assert!(outage.starts_with("try again later"), "{outage}");

    // A gateway hiccup on the lookup itself: the client retries it (a GET is safe to repeat).
    sandbox.fail_next_calls("get_order_status", [CallFault::Status(503)]);
    assert_eq!(is_paid(&client, Sandbox::PAID_ORDER_ID).await, Ok(true));

    println!(
        "paid / unpaid / outage / hiccup all handled; {} token requests, {} order lookups sent",
        sandbox.token_requests(),
        sandbox.attempts("get_order_status")
    );
}
