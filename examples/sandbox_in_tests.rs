//! How a merchant uses the sandbox in their own tests: start it, point the client at it,
//! inject a fault, assert on what your code did. Run: `cargo run --example sandbox_in_tests`
//! (the same code works inside `#[tokio::test]`).

use enkash::sandbox::{Sandbox, TokenFault};
use enkash::{Client, TokenError, TokenErrorClass};

/// Your code under test: looks up an order and says whether it is paid.
async fn is_paid(client: &Client, order_id: &str) -> Result<bool, String> {
    let response = client
        .get_order_status()
        .order_id(order_id)
        .send()
        .await
        .map_err(|e| match TokenError::class_of(&e) {
            Some(TokenErrorClass::Transient) => format!("try again later: {e}"),
            Some(TokenErrorClass::Rejected) => format!("check the EnKash keys: {e}"),
            None => format!("lookup failed: {e}"),
        })?;
    Ok(response.payload.as_ref().and_then(|o| o.status.as_ref())
        == Some(&enkash::types::OrderStatus::Paid))
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

    println!(
        "paid / unpaid / outage all handled; {} token requests",
        sandbox.token_requests()
    );
}
