//! A merchant's webhook endpoint (axum): parse EnKash's payment notification, then confirm it
//! by asking the gateway, because the notification's checksum cannot be verified.
//!
//! `cargo run --example webhook_receiver` starts the sandbox and the receiver on 127.0.0.1,
//! pays an order whose `notifyUrl` points at the receiver, and exits once it has confirmed
//! the notification.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use axum::{Json, Router};
use enkash::sandbox::Sandbox;
use enkash::types::{
    Amount, CreateOrderRequest, Currency, PaymentDetail, PaymentStatus, SubmitPaymentRequest,
};
use enkash::{Client, Payload, Rupees};
use tokio::sync::mpsc;

struct Receiver {
    client: Client,
    /// Confirmed (transaction id, status) pairs, for `main` to wait on.
    confirmed: mpsc::UnboundedSender<(String, PaymentStatus)>,
}

/// Parse, confirm, answer. A body that does not parse gets 400; a notification the gateway
/// does not confirm gets 409 so that EnKash (if it retries) tries again later.
async fn payment_notification(
    State(receiver): State<Arc<Receiver>>,
    body: Bytes,
) -> (StatusCode, Json<serde_json::Value>) {
    let claimed = match enkash::webhook::parse_payment_notification(&body) {
        Ok(notification) => notification,
        Err(e) => {
            eprintln!("rejected a notification: {e}");
            return (StatusCode::BAD_REQUEST, Json(serde_json::json!({})));
        }
    };
    let confirmed = receiver
        .client
        .get_transaction_status()
        .transaction_id(&claimed.transaction_id)
        .send()
        .await
        .payload();
    match confirmed {
        Ok(transaction) if transaction.status == claimed.status => {
            let status = transaction
                .status
                .unwrap_or(PaymentStatus::Unknown(String::new()));
            println!(
                "notification for {} confirmed: {status}",
                claimed.transaction_id
            );
            let _ = receiver.confirmed.send((claimed.transaction_id, status));
            (StatusCode::OK, Json(serde_json::json!({})))
        }
        Ok(transaction) => {
            eprintln!(
                "notification says {:?}, gateway says {:?}: not acting on it",
                claimed.status, transaction.status
            );
            (StatusCode::CONFLICT, Json(serde_json::json!({})))
        }
        Err(e) => {
            eprintln!("could not confirm {}: {e}", claimed.transaction_id);
            (StatusCode::SERVICE_UNAVAILABLE, Json(serde_json::json!({})))
        }
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let sandbox = Sandbox::start().await?;
    let client = Client::builder()
        .base_url(sandbox.base_url())
        .credentials(sandbox.access_key(), sandbox.secret_key())
        .build()?;

    let (confirmed, mut confirmations) = mpsc::unbounded_channel();
    let receiver = Arc::new(Receiver {
        client: client.clone(),
        confirmed,
    });
    let app = Router::new()
        .route("/hooks/enkash", post(payment_notification))
        .with_state(receiver);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let notify_url = format!("http://{}/hooks/enkash", listener.local_addr()?);
    tokio::spawn(async move { axum::serve(listener, app).await });
    println!("receiving webhooks at {notify_url}");

    let order: CreateOrderRequest = CreateOrderRequest::builder()
        .order_id("INV20261120002")
        .amount(Amount {
            value: Rupees::from_paise(25_000),
            currency: Currency::Inr,
        })
        .notify_url(Some(notify_url))
        .try_into()?;
    let order = client.create_order().body(order).send().await.payload()?;
    let payment_detail = PaymentDetail::NetBanking {
        bank_code: "HDFC".to_string(),
    };
    let payment = SubmitPaymentRequest {
        order_id: order.order_id.unwrap_or_default(),
        payment_detail,
        split_settlement: None,
    };
    let transaction = client
        .submit_payment()
        .body(payment)
        .send()
        .await
        .payload()?;

    let (id, status) = tokio::time::timeout(Duration::from_secs(10), confirmations.recv())
        .await?
        .ok_or("the receiver stopped")?;
    assert_eq!(Some(id.as_str()), transaction.transaction_id.as_deref());
    println!("done: {id} is {status}");
    Ok(())
}
