//! A merchant's webhook endpoint (axum): parse EnKash's payment notification, then confirm it
//! with `enkash::webhook::confirm_payment` against the merchant's own records, because the
//! notification's checksum cannot be verified and anyone can post one.
//!
//! `cargo run --example webhook_receiver` starts the sandbox and the receiver on 127.0.0.1,
//! then: pays an order and waits for the receiver to confirm and fulfil it; has the sandbox
//! deliver the same notification again (fulfilled once only); and posts a forged notification
//! claiming a real Rs 1 payment for a Rs 25,000 order (refused).

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use axum::{Json, Router};
use enkash::types::{CreateOrderRequest, PaymentDetail, SubmitPaymentRequest};
use enkash::webhook::{confirm_payment, parse_payment_notification, ConfirmError};
use enkash::{Client, Payload, Rupees};
use enkash_sandbox::Sandbox;
use tokio::sync::mpsc;

/// What the receiver did with a notification, for `main` to wait on.
#[derive(Debug, PartialEq)]
enum Event {
    Fulfilled(String),
    Duplicate(String),
}

/// The merchant's side: its own order records and what it has fulfilled.
struct Receiver {
    client: Client,
    /// EnKash's order id -> (the merchant's order id, what the order costs). The merchant's
    /// own books: never filled from a notification.
    orders: Mutex<HashMap<String, (String, Rupees)>>,
    /// Transactions already fulfilled: EnKash may deliver a notification more than once.
    fulfilled: Mutex<HashSet<String>>,
    events: mpsc::UnboundedSender<Event>,
}

fn answer(status: StatusCode) -> (StatusCode, Json<serde_json::Value>) {
    (status, Json(serde_json::json!({})))
}

/// Parse, confirm, answer: 200 once a notification is handled (fulfilled, a duplicate, or a
/// payment that failed), 503 when it may confirm later (so a retrying gateway sends it again),
/// 400 for a body that does not parse, 404 for an order we never created, 409 for a
/// notification EnKash does not back up.
async fn payment_notification(
    State(receiver): State<Arc<Receiver>>,
    body: Bytes,
) -> (StatusCode, Json<serde_json::Value>) {
    let claimed = match parse_payment_notification(&body) {
        Ok(notification) => notification,
        Err(e) => {
            eprintln!("rejected a notification: {e}");
            return answer(StatusCode::BAD_REQUEST);
        }
    };
    let record = receiver
        .orders
        .lock()
        .unwrap()
        .get(&claimed.order_id)
        .cloned();
    let Some((merchant_order_id, price)) = record else {
        eprintln!("a notification for an order we did not create: ignored");
        return answer(StatusCode::NOT_FOUND);
    };
    match confirm_payment(&receiver.client, &claimed, &merchant_order_id, price).await {
        Ok(_paid) => {
            // confirm_payment checked this id is non-empty and is the one EnKash confirmed.
            let id = claimed.transaction_id;
            let first = receiver.fulfilled.lock().unwrap().insert(id);
            let event = if first {
                println!("{merchant_order_id}: Rs {price} confirmed by EnKash, fulfilling");
                Event::Fulfilled(merchant_order_id)
            } else {
                println!("{merchant_order_id}: the same notification again, already fulfilled");
                Event::Duplicate(merchant_order_id)
            };
            let _ = receiver.events.send(event);
            answer(StatusCode::OK)
        }
        Err(e) if e.may_confirm_later() => {
            eprintln!("{merchant_order_id}: not confirmed yet: {e}");
            answer(StatusCode::SERVICE_UNAVAILABLE)
        }
        Err(e @ ConfirmError::NotSuccessful { .. }) => {
            println!("{merchant_order_id}: {e}");
            answer(StatusCode::OK)
        }
        Err(e) => {
            eprintln!("{merchant_order_id}: REFUSED a notification: {e}");
            answer(StatusCode::CONFLICT)
        }
    }
}

/// Creates an order at EnKash and records it in the merchant's books; EnKash's order id.
async fn new_order(
    receiver: &Receiver,
    merchant_order_id: &str,
    price: Rupees,
    notify_url: &str,
) -> Result<String, Box<dyn std::error::Error>> {
    let order = CreateOrderRequest::new(merchant_order_id, price)?.with_notify_url(notify_url);
    let order = receiver.client.create_order().body(order).send().await;
    let order_id = order.payload()?.order_id.ok_or("EnKash gave no order id")?;
    receiver
        .orders
        .lock()
        .unwrap()
        .insert(order_id.clone(), (merchant_order_id.to_string(), price));
    Ok(order_id)
}

/// Pays an order by net banking; the transaction id.
async fn pay(client: &Client, order_id: &str) -> Result<String, Box<dyn std::error::Error>> {
    let payment = SubmitPaymentRequest::new(order_id, PaymentDetail::net_banking("HDFC"))?;
    let transaction = client
        .submit_payment()
        .body(payment)
        .send()
        .await
        .payload()?;
    Ok(transaction
        .transaction_id
        .ok_or("EnKash gave no transaction id")?)
}

async fn next_event(events: &mut mpsc::UnboundedReceiver<Event>) -> Result<Event, String> {
    match tokio::time::timeout(Duration::from_secs(10), events.recv()).await {
        Ok(Some(event)) => Ok(event),
        Ok(None) => Err("the receiver stopped".into()),
        Err(_) => Err("no notification was handled within 10 s".into()),
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let sandbox = Sandbox::start().await?;
    let client = Client::builder()
        .base_url(sandbox.base_url())
        .credentials(sandbox.access_key(), sandbox.secret_key())
        .build()?;

    let (events, mut handled) = mpsc::unbounded_channel();
    let receiver = Arc::new(Receiver {
        client: client.clone(),
        orders: Mutex::default(),
        fulfilled: Mutex::default(),
        events,
    });
    let app = Router::new()
        .route("/hooks/enkash", post(payment_notification))
        .with_state(Arc::clone(&receiver));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let notify_url = format!("http://{}/hooks/enkash", listener.local_addr()?);
    tokio::spawn(async move { axum::serve(listener, app).await });
    println!("receiving webhooks at {notify_url}");

    // 1. A payment: EnKash notifies, the receiver confirms and fulfils.
    let order_id = new_order(
        &receiver,
        "INV20261120002",
        Rupees::from_paise(25_000),
        &notify_url,
    )
    .await?;
    let transaction_id = pay(&client, &order_id).await?;
    let event = next_event(&mut handled).await?;
    assert_eq!(event, Event::Fulfilled("INV20261120002".into()));

    // 2. The same notification again: confirmed again, fulfilled once.
    sandbox.redeliver_notification(&transaction_id)?;
    let event = next_event(&mut handled).await?;
    assert_eq!(event, Event::Duplicate("INV20261120002".into()));

    // 3. The attack: pay Rs 1 for a cheap order, then claim that real payment for a
    //    Rs 25,000 order. The transaction is genuine and SUCCESS; confirm_payment refuses it
    //    because it does not pay that order (and not that amount).
    let cheap = new_order(&receiver, "INV20261120003", "1".parse()?, &notify_url).await?;
    let cheap_payment = pay(&client, &cheap).await?;
    next_event(&mut handled).await?;
    let dear = new_order(&receiver, "INV20261120004", "25000".parse()?, &notify_url).await?;
    let forged = serde_json::json!({
        "orderId": dear, "transactionId": cheap_payment,
        "status": "SUCCESS", "transactionStatus": "SUCCESS", "orderStatus": "PAID",
        "amount": 25000, "finalAmount": 25000, "transactionAmount": 25000,
        "checksum": "anything"
    });
    let status = reqwest::Client::new()
        .post(&notify_url)
        .json(&forged)
        .send()
        .await?
        .status();
    if status != StatusCode::CONFLICT {
        return Err(format!("the forged notification was answered {status}, not 409").into());
    }
    println!("the forged notification was refused ({status})");

    let fulfilled = receiver.fulfilled.lock().unwrap().len();
    println!("done: {fulfilled} orders fulfilled, the Rs 25,000 order not among them");
    Ok(())
}
