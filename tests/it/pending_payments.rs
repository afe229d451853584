//! The sandbox's pending UPI payments, settled by the test, and redelivered notifications,
//! over real HTTP on 127.0.0.1.

use crate::common;
use crate::common::merchant::{client_for, webhook_receiver as hooks};

use std::time::Duration;

use axum::body::Bytes;
use enkash::types::{
    Amount, CreateOrderRequest, Currency, OrderStatus, PaymentDetail, PaymentStatus,
    SubmitPaymentRequest,
};
use enkash::{Client, Payload};
use enkash_sandbox::{codes, Sandbox, SettleError, PENDING_VPA_SUFFIX};
use serde_json::{json, Value};
use tokio::sync::mpsc;

async fn next(bodies: &mut mpsc::UnboundedReceiver<Bytes>) -> Bytes {
    tokio::time::timeout(Duration::from_secs(5), bodies.recv())
        .await
        .expect("a notification within 5 s")
        .unwrap()
}

/// Nothing more arrives within a short while.
async fn nothing_more(bodies: &mut mpsc::UnboundedReceiver<Bytes>) {
    let more = tokio::time::timeout(Duration::from_millis(300), bodies.recv()).await;
    assert!(more.is_err(), "an unexpected notification: {more:?}");
}

async fn order(client: &Client, merchant_id: &str, notify_url: Option<String>) -> String {
    let request: CreateOrderRequest = CreateOrderRequest::builder()
        .order_id(merchant_id)
        .amount(Amount {
            value: "820.00".parse().unwrap(),
            currency: Currency::Inr,
        })
        .notify_url(notify_url)
        .try_into()
        .unwrap();
    let order = client.create_order().body(request).send().await.payload();
    order.unwrap().order_id.unwrap()
}

fn upi(order_id: &str, vpa: &str) -> SubmitPaymentRequest {
    SubmitPaymentRequest {
        order_id: order_id.to_string(),
        payment_detail: PaymentDetail::Upi {
            vpa: vpa.parse().unwrap(),
            account_number: None,
            ifsc: None,
        },
        split_settlement: None,
    }
}

async fn statuses(client: &Client, order_id: &str, txn: &str) -> (PaymentStatus, OrderStatus) {
    let transaction = client.get_transaction_status().transaction_id(txn).send();
    let transaction = transaction.await.payload().unwrap();
    let order = client.get_order_status().order_id(order_id).send();
    let order = order.await.payload().unwrap();
    (transaction.status.unwrap(), order.status.unwrap())
}

/// A notification body checked against the spec's `PaymentNotification` schema.
fn checked_notification(body: &Bytes) -> Value {
    let spec = common::spec();
    let body: Value = serde_json::from_slice(body).unwrap();
    let schema = json!({"$ref": "#/components/schemas/PaymentNotification"});
    if let Err(problems) = common::validate(&spec, &schema, &body) {
        panic!("notification {body} contradicts the spec: {problems}");
    }
    body
}

#[tokio::test]
async fn a_pending_upi_payment_waits_for_settle_then_notifies_success() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = client_for(&sandbox);
    let (url, mut bodies) = hooks().await;
    let order_id = order(&client, "INVWAIT1", Some(url)).await;
    let vpa = format!("asha{PENDING_VPA_SUFFIX}");

    let pending = client.submit_payment().body(upi(&order_id, &vpa)).send();
    let pending = pending.await.payload().unwrap();
    assert_eq!(pending.status, Some(PaymentStatus::PendingWithBank));
    assert_eq!(pending.bank_transaction_id, None);
    let txn = pending.transaction_id.unwrap();
    assert_eq!(
        statuses(&client, &order_id, &txn).await,
        (
            PaymentStatus::PendingWithBank,
            OrderStatus::PaymentConfirmationPending
        )
    );
    // It stays so, sends nothing, and the order takes no second payment meanwhile.
    nothing_more(&mut bodies).await;
    assert_eq!(sandbox.notifications_sent(), 0);
    let second = client
        .submit_payment()
        .body(upi(&order_id, "asha@okbank"))
        .send();
    let refused = second.await.payload().unwrap_err();
    assert_eq!(refused.response_code(), Some(codes::ORDER_NOT_PAYABLE));

    let settled = sandbox.settle_transaction(&txn, true).unwrap();
    assert_eq!(settled.status, Some(PaymentStatus::Success));
    assert!(settled.bank_transaction_id.is_some());
    let body = checked_notification(&next(&mut bodies).await);
    assert_eq!(body["transactionId"], txn.as_str());
    assert_eq!(body["status"], "SUCCESS");
    assert_eq!(body["transactionStatus"], "SUCCESS");
    assert_eq!(body["orderStatus"], "PAID");
    assert_eq!(
        statuses(&client, &order_id, &txn).await,
        (PaymentStatus::Success, OrderStatus::Paid)
    );
    assert_eq!(sandbox.notifications_sent(), 1);
}

#[tokio::test]
async fn a_pending_payment_settled_as_failed_notifies_failure_and_the_order_can_be_paid_again() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = client_for(&sandbox);
    let (url, mut bodies) = hooks().await;
    let order_id = order(&client, "INVWAIT2", Some(url)).await;
    let vpa = format!("asha{PENDING_VPA_SUFFIX}");
    let pending = client.submit_payment().body(upi(&order_id, &vpa)).send();
    let txn = pending.await.payload().unwrap().transaction_id.unwrap();

    let settled = sandbox.settle_transaction(&txn, false).unwrap();
    assert_eq!(settled.status, Some(PaymentStatus::Failed));
    assert_eq!(settled.bank_transaction_id, None);
    let body = checked_notification(&next(&mut bodies).await);
    assert_eq!(
        (&body["transactionStatus"], &body["orderStatus"]),
        (&json!("FAILED"), &json!("ATTEMPTED"))
    );
    assert_eq!(
        statuses(&client, &order_id, &txn).await,
        (PaymentStatus::Failed, OrderStatus::Attempted)
    );

    let again = client
        .submit_payment()
        .body(upi(&order_id, "asha@okbank"))
        .send();
    assert_eq!(
        again.await.payload().unwrap().status,
        Some(PaymentStatus::Success)
    );
    let body = checked_notification(&next(&mut bodies).await);
    assert_eq!(body["orderStatus"], "PAID");
}

#[tokio::test]
async fn settling_what_is_not_pending_is_an_error_that_changes_nothing() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = client_for(&sandbox);
    let (url, mut bodies) = hooks().await;

    assert_eq!(
        sandbox.settle_transaction("TXN_NO_SUCH", true).unwrap_err(),
        SettleError::UnknownTransaction("TXN_NO_SUCH".into())
    );
    assert_eq!(
        sandbox.settle_transaction("", false).unwrap_err(),
        SettleError::UnknownTransaction(String::new())
    );

    // Settled at once (not pending): refused either way, the payment untouched.
    let order_id = order(&client, "INVNOTPENDING1", Some(url.clone())).await;
    let paid = client
        .submit_payment()
        .body(upi(&order_id, "asha@okbank"))
        .send();
    let txn = paid.await.payload().unwrap().transaction_id.unwrap();
    next(&mut bodies).await;
    for succeeded in [true, false] {
        let error = sandbox.settle_transaction(&txn, succeeded).unwrap_err();
        assert_eq!(
            error,
            SettleError::NotPending {
                transaction_id: txn.clone(),
                status: PaymentStatus::Success
            }
        );
        assert!(error.to_string().contains("only once"), "{error}");
    }
    assert_eq!(
        statuses(&client, &order_id, &txn).await,
        (PaymentStatus::Success, OrderStatus::Paid)
    );

    // Settled once already: the second settle is refused and sends nothing.
    let order_id = order(&client, "INVNOTPENDING2", Some(url)).await;
    let vpa = format!("asha{PENDING_VPA_SUFFIX}");
    let pending = client.submit_payment().body(upi(&order_id, &vpa)).send();
    let txn = pending.await.payload().unwrap().transaction_id.unwrap();
    sandbox.settle_transaction(&txn, false).unwrap();
    next(&mut bodies).await;
    assert!(matches!(
        sandbox.settle_transaction(&txn, true),
        Err(SettleError::NotPending {
            status: PaymentStatus::Failed,
            ..
        })
    ));
    nothing_more(&mut bodies).await;
    assert_eq!(
        statuses(&client, &order_id, &txn).await,
        (PaymentStatus::Failed, OrderStatus::Attempted)
    );
}

#[tokio::test]
async fn a_notification_can_be_delivered_again_unchanged() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = client_for(&sandbox);
    let (url, mut bodies) = hooks().await;
    let order_id = order(&client, "INVTWICE1", Some(url)).await;
    let paid = client
        .submit_payment()
        .body(upi(&order_id, "asha@okbank"))
        .send();
    let txn = paid.await.payload().unwrap().transaction_id.unwrap();
    let first = next(&mut bodies).await;

    sandbox.redeliver_notification(&txn).unwrap();
    let second = next(&mut bodies).await;
    assert_eq!(first, second, "a duplicate is the same notification");
    sandbox.redeliver_notification(&txn).unwrap();
    assert_eq!(next(&mut bodies).await, first);
    assert_eq!(sandbox.notifications_sent(), 3);

    assert_eq!(
        sandbox.redeliver_notification("TXN_NO_SUCH"),
        Err(SettleError::UnknownTransaction("TXN_NO_SUCH".into()))
    );
}

#[tokio::test]
async fn redelivery_sends_the_latest_notification_and_needs_one_to_have_been_sent() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = client_for(&sandbox);
    let (url, mut bodies) = hooks().await;

    // Pending: nothing was sent, so there is nothing to send again.
    let order_id = order(&client, "INVREDELIVER1", Some(url)).await;
    let vpa = format!("asha{PENDING_VPA_SUFFIX}");
    let pending = client.submit_payment().body(upi(&order_id, &vpa)).send();
    let txn = pending.await.payload().unwrap().transaction_id.unwrap();
    assert_eq!(
        sandbox.redeliver_notification(&txn),
        Err(SettleError::NoNotification(txn.clone()))
    );
    sandbox.settle_transaction(&txn, true).unwrap();
    let settled = next(&mut bodies).await;
    sandbox.redeliver_notification(&txn).unwrap();
    assert_eq!(next(&mut bodies).await, settled);

    // An order without a notifyUrl is never notified.
    let quiet = order(&client, "INVREDELIVER2", None).await;
    let paid = client
        .submit_payment()
        .body(upi(&quiet, "asha@okbank"))
        .send();
    let txn = paid.await.payload().unwrap().transaction_id.unwrap();
    assert!(matches!(
        sandbox.redeliver_notification(&txn),
        Err(SettleError::NoNotification(_))
    ));
    assert_eq!(sandbox.notifications_sent(), 2);
}

/// Settling from a thread outside the runtime (test code often is) still notifies.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn settling_from_outside_the_runtime_still_notifies() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = client_for(&sandbox);
    let (url, mut bodies) = hooks().await;
    let order_id = order(&client, "INVTHREAD1", Some(url)).await;
    let vpa = format!("asha{PENDING_VPA_SUFFIX}");
    let pending = client.submit_payment().body(upi(&order_id, &vpa)).send();
    let txn = pending.await.payload().unwrap().transaction_id.unwrap();

    let settled = std::thread::scope(|scope| {
        scope
            .spawn(|| sandbox.settle_transaction(&txn, true))
            .join()
            .unwrap()
    });
    assert_eq!(settled.unwrap().status, Some(PaymentStatus::Success));
    let body: Value = serde_json::from_slice(&next(&mut bodies).await).unwrap();
    assert_eq!(body["status"], "SUCCESS");
}
