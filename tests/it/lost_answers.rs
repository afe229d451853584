//! Taken, answer lost: EnKash performs a payment or a refund, and the client never hears of it
//! (`CallFault::TakenAnswerLost`). Each test recovers exactly as `CallError::recovery()` says,
//! whichever advice it gives, and ends with one charge or one refund, counted at the sandbox.
//!
//! Nothing here races the wall clock: the effect lands one hour of business time later, so a
//! look-up before the test moves the sandbox's clock is sure to find nothing, however slow the
//! machine; every wait for something to happen is a bounded poll with a generous limit.

use std::future::Future;
use std::time::{Duration, Instant};

use axum::body::Bytes;
use enkash::types::{
    Amount, CreateOrderRequest, Currency, OrderTransaction, PaymentDetail, PaymentStatus,
    RefundRequest, SubmitPaymentRequest,
};
use enkash::{CallErrorKind, Client, Payload, Recovery};
use enkash_sandbox::{CallFault, Sandbox};
use serde_json::Value;
use tokio::sync::mpsc;

use crate::common::merchant::{client_for, webhook_receiver};

/// How much business time passes before a lost answer's effect lands.
const LANDS_AFTER: Duration = Duration::from_secs(3600);
/// How long a look-up keeps looking before it concludes nothing happened. Far longer than the
/// effect takes to land once the clock has moved: on any machine that runs the test, only a
/// sandbox that lost the effect makes a look-up give up.
const LOOK_FOR: Duration = Duration::from_secs(30);

async fn order(client: &Client, merchant_id: &str, notify_url: &str) -> String {
    let request: CreateOrderRequest = CreateOrderRequest::builder()
        .order_id(merchant_id)
        .amount(Amount {
            value: "820.00".parse().unwrap(),
            currency: Currency::Inr,
        })
        .notify_url(Some(notify_url.to_string()))
        .try_into()
        .unwrap();
    let order = client.create_order().body(request).send().await.payload();
    order.unwrap().order_id.unwrap()
}

fn upi(order_id: &str) -> SubmitPaymentRequest {
    SubmitPaymentRequest {
        order_id: order_id.to_string(),
        payment_detail: PaymentDetail::Upi {
            vpa: "asha.verma@okbank".parse().unwrap(),
            account_number: None,
            ifsc: None,
        },
        split_settlement: None,
    }
}

fn refund_of_100(request_id: &str) -> RefundRequest {
    RefundRequest {
        amount: "100.00".parse().unwrap(),
        remarks: Some("damaged in transit".into()),
        request_id: request_id.parse().unwrap(),
    }
}

/// Polls `look` until it finds something or [`LOOK_FOR`] has passed. After the first miss,
/// the test lets the business time pass that the effect needs (`time_passes`), as the real
/// world would while the merchant keeps looking.
async fn look_until<T, F, Fut>(
    sandbox: &Sandbox,
    time_passes: Option<Duration>,
    mut look: F,
) -> Option<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let started = Instant::now();
    let mut time_passes = time_passes;
    loop {
        if let Some(found) = look().await {
            return Some(found);
        }
        if let Some(by) = time_passes.take() {
            sandbox.advance_clock(by).unwrap();
        }
        if started.elapsed() > LOOK_FOR {
            return None;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Waits (bounded) until every lost answer's effect has landed, so that the counts after it
/// are final: nothing taken is still on its way.
async fn all_landed(sandbox: &Sandbox) {
    let started = Instant::now();
    while sandbox.landings_pending() > 0 {
        assert!(started.elapsed() < LOOK_FOR, "a taken request never landed");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// The payment notifications that arrive, as JSON.
async fn notification(bodies: &mut mpsc::UnboundedReceiver<Bytes>) -> Value {
    let body = tokio::time::timeout(LOOK_FOR, bodies.recv())
        .await
        .expect("a notification")
        .unwrap();
    serde_json::from_slice(&body).unwrap()
}

/// The order's payments as the sandbox holds them.
fn payments(sandbox: &Sandbox, order_id: &str) -> Vec<OrderTransaction> {
    sandbox.order(order_id).unwrap().transactions
}

/// Pays a new order through a lost answer, recovers as advised, and checks that the order
/// was charged once and notified once. `time_passes`: the business time the effect needs,
/// which the look-up lets pass after its first miss; `None`: 200 ms that pass by themselves.
async fn pay_through_a_lost_answer(sandbox: &Sandbox, time_passes: Option<Duration>) {
    let client = client_for(sandbox);
    let (notify_url, mut bodies) = webhook_receiver().await;
    let order_id = order(&client, "LOSTPAY1", &notify_url).await;
    let lands_after = time_passes.unwrap_or(Duration::from_millis(200));
    sandbox.fail_next_calls(
        "submit_payment",
        [CallFault::TakenAnswerLost { lands_after }],
    );

    let error = client
        .submit_payment()
        .body(upi(&order_id))
        .send()
        .await
        .payload()
        .unwrap_err();
    assert!(error.outcome_unknown(), "{error}");
    assert_eq!(error.kind(), CallErrorKind::ConnectionLost, "{error}");
    assert_eq!(
        (error.attempts(), sandbox.attempts("submit_payment")),
        (1, 1),
        "a payment whose outcome is unknown is never sent again by the client"
    );
    if time_passes.is_some() {
        // Business time has not moved: the payment cannot have landed yet.
        assert!(payments(sandbox, &order_id).is_empty());
    }

    match error.recovery() {
        Recovery::LookUp => {
            let found = look_until(sandbox, time_passes, || async {
                let order = client.get_order_status().order_id(&order_id).send().await;
                let order = order.payload().unwrap();
                order.transactions.into_iter().find(|t| {
                    matches!(
                        t.status,
                        Some(PaymentStatus::Success | PaymentStatus::PendingWithBank)
                    )
                })
            })
            .await;
            // Pay again only when the look-up, for as long as it looked, found nothing.
            if found.is_none() {
                let again = client.submit_payment().body(upi(&order_id)).send().await;
                again.payload().unwrap();
            }
            // The sandbox's part: the payment it took did land, and the look-up saw it.
            assert!(found.is_some(), "the look-up never found the taken payment");
        }
        Recovery::ResendUnchanged => {
            let again = client.submit_payment().body(upi(&order_id)).send().await;
            again.payload().unwrap();
        }
        other => panic!("no advice for a payment taken with its answer lost: {other:?}"),
    }

    all_landed(sandbox).await;
    let charges: Vec<_> = payments(sandbox, &order_id)
        .into_iter()
        .filter(|t| t.status == Some(PaymentStatus::Success))
        .collect();
    assert_eq!(charges.len(), 1, "one charge: {charges:?}");
    // Its notification went out as usual, once.
    let notified = notification(&mut bodies).await;
    assert_eq!(notified["orderId"], order_id.as_str());
    assert_eq!(notified["status"], "SUCCESS");
    assert_eq!(sandbox.notifications_sent(), 1);
}

#[tokio::test]
async fn a_payment_taken_with_its_answer_lost_is_found_by_following_the_advice() {
    let sandbox = Sandbox::start().await.unwrap();
    pay_through_a_lost_answer(&sandbox, Some(LANDS_AFTER)).await;
}

#[tokio::test]
async fn a_lost_answer_lands_by_itself_as_the_wall_clock_moves() {
    // No clock moves: 200 ms of business time pass with the wall clock.
    let sandbox = Sandbox::start().await.unwrap();
    pay_through_a_lost_answer(&sandbox, None).await;
}

#[tokio::test]
async fn a_refund_taken_with_its_answer_lost_is_made_once_by_following_the_advice() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = client_for(&sandbox);
    let (notify_url, _bodies) = webhook_receiver().await;
    let order_id = order(&client, "LOSTREFUND1", &notify_url).await;
    let paid = client.submit_payment().body(upi(&order_id)).send().await;
    let transaction_id = paid.payload().unwrap().transaction_id.unwrap();
    let status = |client: Client, id: String| async move {
        let transaction = client.get_transaction_status().transaction_id(id).send();
        transaction.await.payload().unwrap().status
    };

    sandbox.fail_next_calls(
        "refund_transaction",
        [CallFault::TakenAnswerLost {
            lands_after: LANDS_AFTER,
        }],
    );
    let refund = || {
        client
            .refund_transaction()
            .transaction_id(&transaction_id)
            .body(refund_of_100("REFUND-LOST-1"))
    };
    let error = refund().send().await.payload().unwrap_err();
    assert!(error.outcome_unknown(), "{error}");
    assert_eq!(
        (error.attempts(), sandbox.attempts("refund_transaction")),
        (1, 1)
    );
    assert!(
        sandbox.refunds(&transaction_id).is_empty(),
        "not landed yet"
    );

    match error.recovery() {
        // What the spec offers to look a refund up: the transaction's status.
        Recovery::LookUp => {
            let refunded = look_until(&sandbox, Some(LANDS_AFTER), || {
                let (client, id) = (client.clone(), transaction_id.clone());
                async move {
                    let status = status(client, id).await;
                    matches!(
                        status,
                        Some(PaymentStatus::PartiallyRefunded | PaymentStatus::Refunded)
                    )
                    .then_some(())
                }
            })
            .await;
            if refunded.is_none() {
                // Nothing found: the same refund again, unchanged, never with a new requestId.
                refund().send().await.payload().unwrap();
            }
            assert!(
                refunded.is_some(),
                "the look-up never found the taken refund"
            );
        }
        Recovery::ResendUnchanged => {
            let again = refund().send().await.payload().unwrap();
            assert_eq!(again.amount, Some("100.00".parse().unwrap()));
            // The lost one lands afterwards, under the same requestId.
            sandbox.advance_clock(LANDS_AFTER).unwrap();
        }
        other => panic!("no advice for a refund taken with its answer lost: {other:?}"),
    }

    all_landed(&sandbox).await;
    let refunds = sandbox.refunds(&transaction_id);
    assert_eq!(refunds.len(), 1, "one refund: {refunds:?}");
    assert_eq!(refunds[0].amount, Some("100.00".parse().unwrap()));
    assert_eq!(
        status(client.clone(), transaction_id.clone()).await,
        Some(PaymentStatus::PartiallyRefunded)
    );
}
