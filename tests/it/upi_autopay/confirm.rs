//! `confirm_mandate_debit`: a Mandate Debit Callback confirmed with EnKash against the
//! merchant's mandate and amount, when it arrives before the debit's answer, when the answer
//! is lost, and when it names a payment that is not this mandate's debit.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use enkash::types::PaymentNotification;
use enkash::webhook::{confirm_mandate_debit, debited_mandate, ConfirmError};

use super::*;

/// The merchant's books: the months granted, keyed by (mandate, period), each with the
/// debit's order; and whether the debit's answer had arrived when each was granted.
#[derive(Default)]
struct Books {
    granted: BTreeMap<(String, u32), String>,
    granted_before_the_answer: Vec<bool>,
    answer_arrived: bool,
}

type SharedBooks = Arc<Mutex<Books>>;

/// The merchant's debit-callback handler, as the README shows it: find the mandate from
/// EnKash's order, confirm against the merchant's own amount, grant the period in flight
/// once. It answers only when done, so the sandbox's answer (held until the callback is
/// answered) comes after.
async fn handle_debit_callback(
    client: &Client,
    books: &SharedBooks,
    in_flight: (u32, Rupees),
    body: &[u8],
) -> Result<(), String> {
    let callback = parse_mandate_debit_callback(body).map_err(|e| e.to_string())?;
    let order = client
        .get_order_status()
        .order_id(&callback.order_id)
        .send()
        .await
        .payload()
        .map_err(|e| e.to_string())?;
    let reference = order
        .merchant_order_id
        .as_deref()
        .and_then(debited_mandate)
        .ok_or("not a mandate debit")?
        .to_string();
    let (period, amount) = in_flight;
    let debit = confirm_mandate_debit(client, &callback, &reference, amount)
        .await
        .map_err(|e| e.to_string())?;
    let mut books = books.lock().unwrap();
    let answered = books.answer_arrived;
    if let std::collections::btree_map::Entry::Vacant(month) =
        books.granted.entry((reference, period))
    {
        month.insert(debit.order_id().to_string());
        books.granted_before_the_answer.push(!answered);
    }
    Ok(())
}

/// A merchant endpoint on 127.0.0.1 running [`handle_debit_callback`] for the debit in flight.
async fn merchant_endpoint(client: Client, books: SharedBooks, in_flight: (u32, Rupees)) -> String {
    let app = axum::Router::new().route(
        "/debit",
        post(move |body: Bytes| {
            let (client, books) = (client.clone(), Arc::clone(&books));
            async move {
                match handle_debit_callback(&client, &books, in_flight, &body).await {
                    Ok(()) => (axum::http::StatusCode::OK, String::from("{}")),
                    Err(e) => (axum::http::StatusCode::SERVICE_UNAVAILABLE, e),
                }
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/debit", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    url
}

#[tokio::test]
async fn a_callback_before_the_debits_answer_grants_the_month_once() {
    let mut f = Fixture::start().await;
    let mandate = f
        .active(request(&f.sandbox, "SUB7001", "asha@okbank"))
        .await;
    let books = SharedBooks::default();
    let amount = rupees("499");
    let url = merchant_endpoint(f.client.clone(), Arc::clone(&books), (1, amount)).await;
    f.sandbox.set_mandate_debit_callback_url(&url);

    f.notify(&mandate, amount, f.day_in(25)).await.unwrap();
    f.sandbox.advance_clock(25 * HOUR).unwrap();
    f.sandbox.fail_next_calls(
        "execute_upi_mandate_debit",
        [CallFault::AnswerAfterCallbacks],
    );
    let order = f.execute(&mandate, amount).await.unwrap();
    books.lock().unwrap().answer_arrived = true;

    let (before_the_answer, granted) = {
        let books = books.lock().unwrap();
        let granted = books.granted.get(&("SUB7001".to_string(), 1)).cloned();
        (books.granted_before_the_answer.clone(), granted)
    };
    assert_eq!(
        before_the_answer,
        [true],
        "the month was granted from the callback, before the debit's answer"
    );
    assert_eq!(
        granted, order.order_id,
        "the answer names the granted order"
    );
    assert_eq!(order.merchant_order_id.as_deref(), Some("SUB7001D1"));
    assert_eq!(
        f.sandbox.mandate_callbacks_sent(),
        2,
        "approval and one debit"
    );
    let transaction_id = f.sandbox.order(&granted.unwrap()).unwrap().transactions[0]
        .transaction_id
        .clone();

    // Delivered again, the callback grants nothing twice.
    let again =
        json!({"orderId": order.order_id, "transactionId": transaction_id, "status": "SUCCESS"});
    let answered = reqwest::Client::new()
        .post(&url)
        .json(&again)
        .send()
        .await
        .unwrap();
    assert!(answered.status().is_success(), "{answered:?}");
    let books = books.lock().unwrap();
    assert_eq!(books.granted.len(), 1);
    assert_eq!(books.granted_before_the_answer, [true]);
}

#[tokio::test]
async fn a_debit_taken_with_its_answer_lost_is_granted_once_by_following_the_advice() {
    let mut f = Fixture::start().await;
    let mandate = f
        .active(request(&f.sandbox, "SUB7002", "asha@okbank"))
        .await;
    let books = SharedBooks::default();
    let amount = rupees("249.50");
    let url = merchant_endpoint(f.client.clone(), Arc::clone(&books), (1, amount)).await;
    f.sandbox.set_mandate_debit_callback_url(url);

    f.notify(&mandate, amount, f.day_in(25)).await.unwrap();
    f.sandbox.advance_clock(25 * HOUR).unwrap();
    let lands_after = Duration::from_secs(60);
    f.sandbox.fail_next_calls(
        "execute_upi_mandate_debit",
        [CallFault::TakenAnswerLost { lands_after }],
    );
    let error = f.execute(&mandate, amount).await.unwrap_err();
    assert!(error.outcome_unknown(), "{error}");
    assert_eq!(error.attempts(), 1, "a debit is never resent: {error}");
    assert_eq!(f.sandbox.attempts("execute_upi_mandate_debit"), 1);
    assert_eq!(error.recovery(), Recovery::LookUp, "{error}");
    assert!(books.lock().unwrap().granted.is_empty(), "not landed yet");

    // The advice: keep the debit in flight and wait for its callback. The gateway performs
    // the debit a minute later; its callback is confirmed and the month granted.
    f.sandbox.advance_clock(lands_after).unwrap();
    for _ in 0..500 {
        if !books.lock().unwrap().granted.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let granted = books.lock().unwrap().granted.clone();
    assert_eq!(granted.len(), 1, "one month granted: {granted:?}");
    let order_id = &granted[&("SUB7002".to_string(), 1)];

    // No callback seen? A new attempt in the same period, after a new notice, is refused
    // rather than charged (the one-debit-per-period rule: peers', enforced by the sandbox).
    f.notify(&mandate, amount, f.day_in(25)).await.unwrap();
    f.sandbox.advance_clock(25 * HOUR).unwrap();
    refused_with(
        f.execute(&mandate, amount).await,
        codes::RECURRENCE_PERIOD_USED,
    );
    assert_eq!(
        f.sandbox.mandate_callbacks_sent(),
        2,
        "approval and one debit"
    );
    let charged = f.sandbox.order(order_id).unwrap();
    assert_eq!(charged.amount, Some(amount));
    assert_eq!(charged.status, Some(OrderStatus::Paid));
}

/// A real paid order: a debit of `reference` for `amount`, and its callback as received.
async fn debit_of(f: &mut Fixture, reference: &str, amount: Rupees) -> PaymentNotification {
    let mandate = f
        .active(request(&f.sandbox, reference, "asha@okbank"))
        .await;
    f.notice_then_debit(&mandate, amount).await.unwrap();
    parse_mandate_debit_callback(&f.debit_callback().await).unwrap()
}

#[tokio::test]
async fn a_callback_confirms_only_a_successful_debit_of_that_mandate_for_that_amount() {
    let mut f = Fixture::start().await;
    let amount = rupees("499");
    let debit = debit_of(&mut f, "SUB7003", amount).await;
    let _other = debit_of(&mut f, "SUB70031", amount).await;

    let confirmed = confirm_mandate_debit(&f.client, &debit, "SUB7003", amount)
        .await
        .unwrap();
    assert_eq!(confirmed.order_id(), debit.order_id);
    assert_eq!(confirmed.transaction_id(), debit.transaction_id);

    // Claimed for another mandate, even one whose reference it begins with.
    for other in ["SUB70031", "SUB700", "SUB7004"] {
        let refused = confirm_mandate_debit(&f.client, &debit, other, amount).await;
        assert!(
            matches!(&refused, Err(ConfirmError::OtherMandate { expected, .. }) if expected == other),
            "{other}: {refused:?}"
        );
    }
    // Another amount than the merchant's own records say.
    let refused = confirm_mandate_debit(&f.client, &debit, "SUB7003", rupees("4990")).await;
    assert!(
        matches!(refused, Err(ConfirmError::AmountDiffers { .. })),
        "{refused:?}"
    );
    // A callback whose claims disagree with EnKash's records.
    let mut inflated = debit.clone();
    inflated.amount = Some(rupees("4990"));
    let refused = confirm_mandate_debit(&f.client, &inflated, "SUB7003", amount).await;
    assert!(
        matches!(refused, Err(ConfirmError::Disagrees { field: "amount" })),
        "{refused:?}"
    );
    // A transaction EnKash does not know: the look-up fails, nothing is confirmed.
    let mut unknown = debit.clone();
    unknown.transaction_id = "TXN_NOT_THERE".into();
    let refused = confirm_mandate_debit(&f.client, &unknown, "SUB7003", amount).await;
    assert!(
        matches!(refused, Err(ConfirmError::Lookup(_))),
        "{refused:?}"
    );
    // Nothing to name: refused before anything is sent.
    let refused = confirm_mandate_debit(&f.client, &debit, "", amount).await;
    assert!(
        matches!(refused, Err(ConfirmError::Invalid { .. })),
        "{refused:?}"
    );
}

#[tokio::test]
async fn a_paid_checkout_order_is_no_mandates_debit() {
    use enkash::types::{Amount, CreateOrderRequest, PaymentDetail, SubmitPaymentRequest};
    let f = Fixture::start().await;
    let amount = rupees("499");
    let request: CreateOrderRequest = CreateOrderRequest::builder()
        .order_id("INV7006")
        .amount(Amount {
            value: amount,
            currency: Currency::Inr,
        })
        .try_into()
        .unwrap();
    let order = f
        .client
        .create_order()
        .body(request)
        .send()
        .await
        .payload()
        .unwrap();
    let paid = f
        .client
        .submit_payment()
        .body(SubmitPaymentRequest {
            order_id: order.order_id.clone().unwrap(),
            payment_detail: PaymentDetail::Upi {
                vpa: "asha.verma@okbank".parse().unwrap(),
                account_number: None,
                ifsc: None,
            },
            split_settlement: None,
        })
        .send()
        .await
        .payload()
        .unwrap();
    let forged = PaymentNotification {
        order_id: order.order_id.clone().unwrap(),
        transaction_id: paid.transaction_id.clone().unwrap(),
        ..serde_json::from_value(json!({"orderId": "x", "transactionId": "y"})).unwrap()
    };
    let refused = confirm_mandate_debit(&f.client, &forged, "INV7006", amount).await;
    assert!(
        matches!(&refused, Err(ConfirmError::OtherMandate { found: Some(found), .. }) if found == "INV7006"),
        "{refused:?}"
    );
}
