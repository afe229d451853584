//! `webhook::confirm_payment` against the sandbox over real HTTP on 127.0.0.1: a notification
//! is confirmed only when EnKash says its transaction succeeded, for the merchant's own order
//! and the amount the merchant's own records hold.

use std::time::Duration;

use axum::body::Bytes;
use enkash::types::{
    Amount, CreateOrderRequest, Currency, OrderStatus, PaymentDetail, PaymentNotification,
    PaymentStatus, SubmitPaymentRequest,
};
use enkash::webhook::{confirm_payment, parse_payment_notification, ConfirmError};
use enkash::{CallErrorKind, Client, Payload, RetryPolicy, Rupees};
use enkash_sandbox::{CallFault, Sandbox, DECLINED_VPA_SUFFIX, PENDING_VPA_SUFFIX};
use tokio::sync::mpsc;

fn client_for(sandbox: &Sandbox) -> Client {
    Client::builder()
        .base_url(sandbox.base_url())
        .credentials(sandbox.access_key(), sandbox.secret_key())
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap()
}

fn rupees(text: &str) -> Rupees {
    text.parse().unwrap()
}

/// A merchant endpoint on 127.0.0.1 that hands every notification body to the test.
struct Hooks {
    url: String,
    bodies: mpsc::UnboundedReceiver<Bytes>,
}

impl Hooks {
    async fn start() -> Self {
        let (url, bodies) = crate::common::merchant::webhook_receiver().await;
        Self { url, bodies }
    }

    async fn next(&mut self) -> PaymentNotification {
        let body = tokio::time::timeout(Duration::from_secs(5), self.bodies.recv())
            .await
            .expect("a notification within 5 s")
            .unwrap();
        parse_payment_notification(&body).unwrap()
    }
}

/// Creates an order at EnKash (merchant id, amount) notifying `hooks`; EnKash's order id.
async fn order(client: &Client, merchant_id: &str, amount: &str, hooks: &Hooks) -> String {
    let request: CreateOrderRequest = CreateOrderRequest::builder()
        .order_id(merchant_id)
        .amount(Amount {
            value: rupees(amount),
            currency: Currency::Inr,
        })
        .notify_url(Some(hooks.url.clone()))
        .try_into()
        .unwrap();
    let order = client.create_order().body(request).send().await.payload();
    order.unwrap().order_id.expect("EnKash's order id")
}

/// Pays an order by UPI from `vpa`; the transaction id.
async fn pay(client: &Client, order_id: &str, vpa: &str) -> String {
    let payment = SubmitPaymentRequest {
        order_id: order_id.to_string(),
        payment_detail: PaymentDetail::Upi {
            vpa: vpa.parse().unwrap(),
            account_number: None,
            ifsc: None,
        },
        split_settlement: None,
    };
    let transaction = client.submit_payment().body(payment).send().await.payload();
    transaction
        .unwrap()
        .transaction_id
        .expect("a transaction id")
}

#[tokio::test]
async fn a_genuine_notification_is_confirmed_for_its_order_and_amount() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = client_for(&sandbox);
    let mut hooks = Hooks::start().await;
    let order_id = order(&client, "INVHAPPY1", "1499.50", &hooks).await;
    let transaction_id = pay(&client, &order_id, "asha@okbank").await;
    let notification = hooks.next().await;

    let paid = confirm_payment(&client, &notification, "INVHAPPY1", rupees("1499.50"))
        .await
        .unwrap();
    assert_eq!(paid.transaction.transaction_id, Some(transaction_id));
    assert_eq!(paid.transaction.status, Some(PaymentStatus::Success));
    assert_eq!(paid.order.order_id, Some(order_id));
    assert_eq!(paid.order.merchant_order_id.as_deref(), Some("INVHAPPY1"));
    assert_eq!(paid.order.status, Some(OrderStatus::Paid));
    // One lookup of each.
    assert_eq!(sandbox.authenticated_requests("get_transaction_status"), 1);
    assert_eq!(sandbox.authenticated_requests("get_order_status"), 1);
}

/// The attack: pay Rs 1, claim Rs 25,000. A genuine Rs 1 `SUCCESS` transaction passes a check
/// of "did the named transaction succeed?"; it must not pass `confirm_payment`, whichever way
/// the claim is made. Each claim is caught by one binding, so removing either the order
/// binding or the amount binding fails this test.
#[tokio::test]
async fn a_real_one_rupee_payment_claimed_for_a_larger_order_is_refused() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = client_for(&sandbox);
    let mut hooks = Hooks::start().await;
    let expensive = rupees("25000");

    // The attacker buys something for Rs 1 and keeps its genuine notification.
    let cheap_order = order(&client, "INVCHEAP1", "1", &hooks).await;
    pay(&client, &cheap_order, "mallory@okbank").await;
    let genuine = hooks.next().await;
    assert_eq!(genuine.transaction_status, Some(PaymentStatus::Success));
    // The merchant's Rs 25,000 order, not paid.
    let dear_order = order(&client, "INVDEAR1", "25000", &hooks).await;

    // 1. The genuine notification, replayed to the expensive order's endpoint: the merchant
    //    looks up its own record for INVDEAR1 and asks to confirm Rs 25,000.
    let replayed = confirm_payment(&client, &genuine, "INVDEAR1", expensive).await;
    match replayed {
        Err(ConfirmError::OtherOrder { expected, found }) => {
            assert_eq!(expected, "INVDEAR1");
            assert_eq!(found.as_deref(), Some("INVCHEAP1"));
        }
        other => panic!("a Rs 1 payment of another order was not refused as such: {other:?}"),
    }

    // 2. The same notification rewritten to name the expensive order and amount.
    let mut rewritten = genuine.clone();
    rewritten.order_id = dear_order.clone();
    rewritten.amount = Some(expensive);
    rewritten.final_amount = Some(expensive);
    rewritten.transaction_amount = Some(expensive);
    let forged = confirm_payment(&client, &rewritten, "INVDEAR1", expensive).await;
    assert!(
        matches!(forged, Err(ConfirmError::OtherOrder { .. })),
        "a rewritten notification was not refused as another order's: {forged:?}"
    );

    // 3. The price tampered with before the order reached EnKash: the merchant's records say
    //    INVTAMPER1 costs Rs 25,000, EnKash's order (and the real payment) is for Rs 1.
    let tampered = order(&client, "INVTAMPER1", "1", &hooks).await;
    pay(&client, &tampered, "mallory@okbank").await;
    let notification = hooks.next().await;
    match confirm_payment(&client, &notification, "INVTAMPER1", expensive).await {
        Err(ConfirmError::AmountDiffers { expected, found }) => {
            assert_eq!(expected, expensive);
            assert_eq!(found, Some(rupees("1")));
        }
        other => panic!("a Rs 1 payment was confirmed for a Rs 25,000 order: {other:?}"),
    }

    // And the Rs 1 payment still confirms for what it is.
    let honest = confirm_payment(&client, &genuine, "INVCHEAP1", rupees("1")).await;
    assert!(honest.is_ok(), "{honest:?}");
    // The refusal names the claim, not the notification's values.
    let message = ConfirmError::OtherOrder {
        expected: "INVDEAR1".into(),
        found: Some("INVCHEAP1".into()),
    }
    .to_string();
    assert!(
        message.contains("INVDEAR1") && message.contains("INVCHEAP1"),
        "{message}"
    );
}

#[tokio::test]
async fn a_wrong_amount_is_refused_to_the_paisa() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = client_for(&sandbox);
    let mut hooks = Hooks::start().await;
    let order_id = order(&client, "INVAMOUNT1", "1499.50", &hooks).await;
    pay(&client, &order_id, "asha@okbank").await;
    let notification = hooks.next().await;

    for expected in ["1499.49", "1499.51", "14995"] {
        let refused = confirm_payment(&client, &notification, "INVAMOUNT1", rupees(expected)).await;
        match refused {
            Err(ConfirmError::AmountDiffers { expected: e, found }) => {
                assert_eq!(e, rupees(expected));
                assert_eq!(found, Some(rupees("1499.50")));
            }
            other => panic!("Rs {expected} expected, Rs 1499.50 paid: {other:?}"),
        }
    }
    let message = confirm_payment(&client, &notification, "INVAMOUNT1", rupees("1499.49"))
        .await
        .unwrap_err()
        .to_string();
    assert_eq!(
        message,
        "EnKash has Rs 1499.50 for this payment, not the Rs 1499.49 expected"
    );
}

#[tokio::test]
async fn a_pending_payment_is_not_confirmed_until_the_bank_settles_it() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = client_for(&sandbox);
    let mut hooks = Hooks::start().await;
    let order_id = order(&client, "INVPENDING1", "640", &hooks).await;
    let transaction_id = pay(&client, &order_id, &format!("asha{PENDING_VPA_SUFFIX}")).await;

    // Nothing is notified while the bank has it; a notification claiming success early (or a
    // forged one) is refused with the gateway's statuses, and may confirm later.
    assert_eq!(sandbox.notifications_sent(), 0);
    let early: PaymentNotification = serde_json::from_value(serde_json::json!({
        "orderId": order_id, "transactionId": transaction_id,
        "status": "SUCCESS", "transactionStatus": "SUCCESS", "orderStatus": "PAID",
        "amount": 640
    }))
    .unwrap();
    let refused = confirm_payment(&client, &early, "INVPENDING1", rupees("640"))
        .await
        .unwrap_err();
    match &refused {
        ConfirmError::NotSuccessful {
            transaction_status,
            order_status,
        } => {
            assert_eq!(transaction_status, &Some(PaymentStatus::PendingWithBank));
            assert_eq!(order_status, &Some(OrderStatus::PaymentConfirmationPending));
        }
        other => panic!("a pending payment was not refused as pending: {other:?}"),
    }
    assert!(refused.may_confirm_later());
    assert!(refused.call_error().is_none());

    // The bank says yes: the notification comes, and it confirms.
    sandbox.settle_transaction(&transaction_id, true).unwrap();
    let notification = hooks.next().await;
    assert_eq!(notification.transaction_id, transaction_id);
    let paid = confirm_payment(&client, &notification, "INVPENDING1", rupees("640")).await;
    assert!(paid.is_ok(), "{paid:?}");
    // The early claim now matches the gateway too: it was early, not false.
    assert!(
        confirm_payment(&client, &early, "INVPENDING1", rupees("640"))
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn a_failed_payment_is_not_confirmed() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = client_for(&sandbox);
    let mut hooks = Hooks::start().await;

    // Declined at once.
    let order_id = order(&client, "INVFAILED1", "300", &hooks).await;
    pay(&client, &order_id, &format!("asha{DECLINED_VPA_SUFFIX}")).await;
    let declined = hooks.next().await;
    assert_eq!(declined.status, Some(PaymentStatus::Failed));
    // Whatever the notification says: here it is rewritten to claim success.
    let mut claimed = declined.clone();
    claimed.status = Some(PaymentStatus::Success);
    claimed.transaction_status = Some(PaymentStatus::Success);
    claimed.order_status = Some(OrderStatus::Paid);
    for notification in [&declined, &claimed] {
        let refused = confirm_payment(&client, notification, "INVFAILED1", rupees("300"))
            .await
            .unwrap_err();
        assert!(
            matches!(
                &refused,
                ConfirmError::NotSuccessful {
                    transaction_status: Some(PaymentStatus::Failed),
                    order_status: Some(OrderStatus::Attempted),
                }
            ),
            "{refused:?}"
        );
        assert!(!refused.may_confirm_later(), "a failure is final");
        assert_eq!(
            refused.to_string(),
            "EnKash does not say the payment succeeded (transaction FAILED, order ATTEMPTED): \
             do not fulfil the order"
        );
    }

    // Pending, then failed at the bank.
    let order_id = order(&client, "INVFAILED2", "300", &hooks).await;
    let transaction_id = pay(&client, &order_id, &format!("asha{PENDING_VPA_SUFFIX}")).await;
    sandbox.settle_transaction(&transaction_id, false).unwrap();
    let notification = hooks.next().await;
    let refused = confirm_payment(&client, &notification, "INVFAILED2", rupees("300")).await;
    assert!(
        matches!(
            refused,
            Err(ConfirmError::NotSuccessful {
                transaction_status: Some(PaymentStatus::Failed),
                ..
            })
        ),
        "{refused:?}"
    );
}

#[tokio::test]
async fn a_notification_that_contradicts_the_gateway_is_refused_naming_only_the_field() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = client_for(&sandbox);
    let mut hooks = Hooks::start().await;
    let order_id = order(&client, "INVAGREE1", "999", &hooks).await;
    pay(&client, &order_id, "asha@okbank").await;
    let genuine = hooks.next().await;

    let mut wrong_amount = genuine.clone();
    wrong_amount.amount = Some(rupees("123456.78"));
    let mut wrong_status = genuine.clone();
    wrong_status.transaction_status = Some(PaymentStatus::Unknown("<script>".into()));
    let mut wrong_order_status = genuine.clone();
    wrong_order_status.order_status = Some(OrderStatus::Expired);
    for (notification, field) in [
        (wrong_amount, "amount"),
        (wrong_status, "transactionStatus"),
        (wrong_order_status, "orderStatus"),
    ] {
        let refused = confirm_payment(&client, &notification, "INVAGREE1", rupees("999"))
            .await
            .unwrap_err();
        assert!(
            matches!(refused, ConfirmError::Disagrees { field: f } if f == field),
            "{field}: {refused:?}"
        );
        let message = refused.to_string();
        assert!(
            !message.contains("123456.78") && !message.contains("<script>"),
            "{message}"
        );
    }
    // Fields the notification leaves out are not held against it.
    let sparse = PaymentNotification {
        status: None,
        transaction_status: None,
        order_status: None,
        amount: None,
        ..genuine
    };
    assert!(
        confirm_payment(&client, &sparse, "INVAGREE1", rupees("999"))
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn a_failed_lookup_carries_the_call_error() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = client_for(&sandbox);
    let mut hooks = Hooks::start().await;
    let order_id = order(&client, "INVLOOKUP1", "50", &hooks).await;
    pay(&client, &order_id, "asha@okbank").await;
    let notification = hooks.next().await;

    // The gateway is down: retryable, outcome unknown, the status kept.
    sandbox.fail_next_calls("get_order_status", [CallFault::Status(503)]);
    let error = confirm_payment(&client, &notification, "INVLOOKUP1", rupees("50"))
        .await
        .unwrap_err();
    let call = error.call_error().expect("a lookup error");
    assert_eq!(call.http_status(), Some(503));
    assert_eq!(call.operation(), Some("get_order_status"));
    assert!(call.outcome_unknown() && call.is_retryable());
    assert!(error.may_confirm_later());
    assert!(matches!(error, ConfirmError::Lookup(_)));
    assert!(std::error::Error::source(&error).is_some());

    // A transaction EnKash does not know (a made-up id): a 404, nothing to wait for.
    let mut invented = notification.clone();
    invented.transaction_id = "TXN_MADE_UP_1".into();
    let error = confirm_payment(&client, &invented, "INVLOOKUP1", rupees("50"))
        .await
        .unwrap_err();
    let call = error.call_error().expect("a lookup error");
    assert_eq!(call.kind(), CallErrorKind::HttpStatus);
    assert_eq!(call.http_status(), Some(404));
    assert!(!error.may_confirm_later());

    // Once the gateway answers, the same notification confirms.
    let paid = confirm_payment(&client, &notification, "INVLOOKUP1", rupees("50")).await;
    assert!(paid.is_ok(), "{paid:?}");
}

#[tokio::test]
async fn arguments_that_cannot_name_a_payment_are_errors_before_any_call() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = client_for(&sandbox);
    let notification: PaymentNotification =
        serde_json::from_value(serde_json::json!({"orderId": "ORD_X", "transactionId": "TXN_X"}))
            .unwrap();
    let empty_id: PaymentNotification =
        serde_json::from_value(serde_json::json!({"orderId": "ORD_X", "transactionId": ""}))
            .unwrap();
    for (notification, order_id, amount) in [
        (&notification, "", rupees("10")),
        (&notification, "INV1", Rupees::ZERO),
        (&notification, "INV1", rupees("-10")),
        (&empty_id, "INV1", rupees("10")),
    ] {
        let error = confirm_payment(&client, notification, order_id, amount)
            .await
            .unwrap_err();
        assert!(matches!(error, ConfirmError::Invalid { .. }), "{error:?}");
    }
    assert_eq!(sandbox.attempts("get_transaction_status"), 0);
    assert_eq!(sandbox.token_requests(), 0);
}
