//! The call loop against the sandbox's call faults, over real HTTP on 127.0.0.1: what is
//! retried, how often (counted by the sandbox, not by the client), and that a payment is never
//! sent twice.

use std::time::{Duration, Instant};

use enkash::types::{OrderStatus, PaymentDetail, SettlementPayoutSearch, SubmitPaymentRequest};
use enkash::{CallError, CallErrorKind, Client, Payload, RetryPolicy};
use enkash_sandbox::{codes, CallFault, Sandbox, TokenFault};

/// No waiting between attempts, so the matrix runs in milliseconds; the 429 test sets its own.
fn quick() -> RetryPolicy {
    RetryPolicy::default()
        .initial_delay(Duration::ZERO)
        .max_delay(Duration::ZERO)
}

fn client(sandbox: &Sandbox, policy: RetryPolicy) -> Client {
    Client::builder()
        .base_url(sandbox.base_url())
        .credentials(sandbox.access_key(), sandbox.secret_key())
        // Long enough for any answer on a loaded machine; the delay faults below are longer.
        .timeout(Duration::from_secs(2))
        .retry_policy(policy)
        .build()
        .unwrap()
}

async fn order_status(client: &Client, id: &str) -> Result<Option<OrderStatus>, CallError> {
    let order = client
        .get_order_status()
        .order_id(id)
        .send()
        .await
        .payload()?;
    Ok(order.status)
}

async fn pay(
    client: &Client,
    order_id: &str,
) -> Result<enkash::types::OrderTransaction, CallError> {
    let payment_detail = PaymentDetail::Upi {
        vpa: "asha@okbank".parse().unwrap(),
        account_number: None,
        ifsc: None,
    };
    let payment = SubmitPaymentRequest {
        order_id: order_id.into(),
        payment_detail,
        split_settlement: None,
    };
    client.submit_payment().body(payment).send().await.payload()
}

#[tokio::test]
async fn a_get_with_two_503s_succeeds_on_the_third_attempt() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = client(&sandbox, quick());
    sandbox.fail_next_calls(
        "get_order_status",
        [CallFault::Status(503), CallFault::Status(503)],
    );
    let status = order_status(&client, Sandbox::PAID_ORDER_ID).await.unwrap();
    assert_eq!(status, Some(OrderStatus::Paid));
    assert_eq!(sandbox.attempts("get_order_status"), 3);
}

#[tokio::test]
async fn a_get_gives_up_after_max_attempts_with_the_last_status() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = client(&sandbox, quick().max_attempts(2));
    sandbox.fail_next_calls("get_order_status", [CallFault::Status(502); 3]);
    let error = order_status(&client, Sandbox::PAID_ORDER_ID)
        .await
        .unwrap_err();
    assert_eq!(
        (error.kind(), error.http_status()),
        (CallErrorKind::HttpStatus, Some(502))
    );
    assert_eq!(
        (error.attempts(), sandbox.attempts("get_order_status")),
        (2, 2)
    );
    assert_eq!(error.operation(), Some("get_order_status"));
    assert!(error.is_retryable(), "a GET may be tried again later");
    assert!(error.to_string().contains("after 2 attempts"), "{error}");
}

#[tokio::test]
async fn a_payment_meeting_a_503_fails_after_one_attempt_and_says_to_look_first() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = client(&sandbox, quick());
    sandbox.fail_next_calls("submit_payment", [CallFault::Status(503)]);
    let error = pay(&client, Sandbox::CREATED_ORDER_ID).await.unwrap_err();
    assert_eq!(sandbox.attempts("submit_payment"), 1);
    assert_eq!((error.attempts(), error.http_status()), (1, Some(503)));
    assert!(error.outcome_unknown());
    assert!(!error.is_retryable(), "a payment is not repeated blindly");
    assert!(error.to_string().contains("get_order_status"), "{error}");
}

#[tokio::test]
async fn a_payment_whose_answer_is_lost_is_not_resent_and_is_found_paid() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = client(&sandbox, quick());
    sandbox.fail_next_calls("submit_payment", [CallFault::ResetAfterProcessing]);
    let error = pay(&client, Sandbox::CREATED_ORDER_ID).await.unwrap_err();
    assert_eq!(error.kind(), CallErrorKind::ConnectionLost);
    assert!(error.outcome_unknown(), "{error}");
    assert_eq!(
        (error.attempts(), sandbox.attempts("submit_payment")),
        (1, 1)
    );
    // Finding out, as the error says.
    let status = order_status(&client, Sandbox::CREATED_ORDER_ID)
        .await
        .unwrap();
    assert_eq!(status, Some(OrderStatus::Paid));
}

#[tokio::test]
async fn a_payment_dropped_before_processing_is_not_resent_and_the_order_stays_payable() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = client(&sandbox, quick());
    sandbox.fail_next_calls("submit_payment", [CallFault::ResetBeforeProcessing]);
    let error = pay(&client, Sandbox::CREATED_ORDER_ID).await.unwrap_err();
    assert!(error.outcome_unknown());
    assert_eq!(sandbox.attempts("submit_payment"), 1);
    let status = order_status(&client, Sandbox::CREATED_ORDER_ID)
        .await
        .unwrap();
    assert_eq!(status, Some(OrderStatus::Created));
}

#[tokio::test]
async fn a_garbled_payment_reply_is_not_resent_and_a_garbled_get_is() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = client(&sandbox, quick());
    sandbox.fail_next_calls("submit_payment", [CallFault::Garbled]);
    let error = pay(&client, Sandbox::CREATED_ORDER_ID).await.unwrap_err();
    assert_eq!(error.kind(), CallErrorKind::Decode);
    assert!(error.outcome_unknown());
    assert_eq!(
        (error.attempts(), sandbox.attempts("submit_payment")),
        (1, 1)
    );

    sandbox.fail_next_calls("get_order_status", [CallFault::Garbled]);
    let status = order_status(&client, Sandbox::CREATED_ORDER_ID)
        .await
        .unwrap();
    assert_eq!(
        status,
        Some(OrderStatus::Paid),
        "the garbled payment went through"
    );
    assert_eq!(sandbox.attempts("get_order_status"), 2);
}

#[tokio::test]
async fn dropped_connections_and_timeouts_on_a_get_are_retried() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = client(&sandbox, quick().max_attempts(4));
    sandbox.fail_next_calls(
        "get_order_status",
        [
            CallFault::ResetBeforeProcessing,
            CallFault::ResetAfterProcessing,
            CallFault::Delay(Duration::from_secs(10)),
        ],
    );
    let status = order_status(&client, Sandbox::PAID_ORDER_ID).await.unwrap();
    assert_eq!(status, Some(OrderStatus::Paid));
    assert_eq!(sandbox.attempts("get_order_status"), 4);
}

#[tokio::test]
async fn a_payment_that_times_out_is_not_resent() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = client(&sandbox, quick());
    sandbox.fail_next_calls(
        "submit_payment",
        [CallFault::Delay(Duration::from_secs(10))],
    );
    let error = pay(&client, Sandbox::CREATED_ORDER_ID).await.unwrap_err();
    assert_eq!(error.kind(), CallErrorKind::Timeout);
    assert!(error.outcome_unknown());
    assert_eq!(
        (error.attempts(), sandbox.attempts("submit_payment")),
        (1, 1)
    );
}

#[tokio::test]
async fn an_idempotent_post_is_retried_and_a_refund_is_not() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = client(&sandbox, quick());
    sandbox.fail_next_calls(
        "search_settlement_payouts",
        [CallFault::Status(500), CallFault::Status(504)],
    );
    client
        .search_settlement_payouts()
        .body(SettlementPayoutSearch::default())
        .send()
        .await
        .payload()
        .unwrap();
    assert_eq!(sandbox.attempts("search_settlement_payouts"), 3);

    sandbox.fail_next_calls("refund_transaction", [CallFault::Status(500)]);
    let refund = enkash::types::RefundRequest {
        amount: enkash::Rupees::from_paise(100),
        remarks: None,
        request_id: "R-RETRY".parse().unwrap(),
    };
    let error = client
        .refund_transaction()
        .transaction_id("TXN_ANY")
        .body(refund)
        .send()
        .await
        .payload()
        .unwrap_err();
    assert_eq!(
        (error.http_status(), sandbox.attempts("refund_transaction")),
        (Some(500), 1)
    );
}

#[tokio::test]
async fn a_429_with_retry_after_is_waited_for() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = client(&sandbox, RetryPolicy::default());
    sandbox.fail_next_calls(
        "get_order_status",
        [CallFault::RetryAfter(429, Duration::from_secs(1))],
    );
    let started = Instant::now();
    order_status(&client, Sandbox::PAID_ORDER_ID).await.unwrap();
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(sandbox.attempts("get_order_status"), 2);
}

#[tokio::test]
async fn a_retry_after_beyond_the_policy_ends_the_call_and_says_when_to_come_back() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = client(&sandbox, quick().max_retry_after(Duration::from_secs(5)));
    sandbox.fail_next_calls(
        "get_order_status",
        [CallFault::RetryAfter(503, Duration::from_secs(30))],
    );
    let started = Instant::now();
    let error = order_status(&client, Sandbox::PAID_ORDER_ID)
        .await
        .unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(error.retry_after(), Some(Duration::from_secs(30)));
    assert_eq!(
        (error.attempts(), sandbox.attempts("get_order_status")),
        (1, 1)
    );
}

#[tokio::test]
async fn retry_policy_none_makes_exactly_one_attempt() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = client(&sandbox, RetryPolicy::none());
    sandbox.fail_next_calls("get_order_status", [CallFault::Status(503)]);
    let error = order_status(&client, Sandbox::PAID_ORDER_ID)
        .await
        .unwrap_err();
    assert_eq!(
        (error.attempts(), sandbox.attempts("get_order_status")),
        (1, 1)
    );
}

#[tokio::test]
async fn a_refusal_is_not_retried_and_its_code_is_readable() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = client(&sandbox, quick());
    pay(&client, Sandbox::CREATED_ORDER_ID).await.unwrap();
    let error = pay(&client, Sandbox::CREATED_ORDER_ID).await.unwrap_err();
    assert_eq!(error.kind(), CallErrorKind::Refused);
    assert_eq!(error.response_code(), Some(codes::ORDER_NOT_PAYABLE));
    assert_eq!(error.attempts(), 1);
    assert!(!error.outcome_unknown() && !error.is_retryable());
    assert_eq!(
        sandbox.attempts("submit_payment"),
        2,
        "one per payment call"
    );
}

/// A 401 is an answer: the payment reached a server, so it is not sent again by the client.
/// The refused token is dropped, and the caller's next call pays with a fresh one.
#[tokio::test]
async fn a_401_on_a_payment_drops_the_token_and_is_not_replayed() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = client(&sandbox, quick());
    client.access_token().await.unwrap();
    sandbox.revoke_all_tokens();
    let error = pay(&client, Sandbox::CREATED_ORDER_ID).await.unwrap_err();
    assert_eq!(
        (error.kind(), error.http_status(), error.attempts()),
        (CallErrorKind::HttpStatus, Some(401), 1)
    );
    assert!(!error.outcome_unknown(), "{error}");
    assert_eq!(error.recovery(), enkash::Recovery::TryAgain, "{error}");
    assert_eq!(sandbox.attempts("submit_payment"), 1, "never replayed");
    let transaction = pay(&client, Sandbox::CREATED_ORDER_ID).await.unwrap();
    assert!(transaction.transaction_id.is_some());
    assert_eq!(sandbox.authenticated_requests("submit_payment"), 1);
    assert_eq!(sandbox.token_requests(), 2);
}

/// A lookup is safe to repeat: its 401 is replayed once with a fresh token.
#[tokio::test]
async fn a_401_on_a_lookup_is_replayed_once_with_a_fresh_token() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = client(&sandbox, quick());
    client.access_token().await.unwrap();
    sandbox.revoke_all_tokens();
    order_status(&client, Sandbox::PAID_ORDER_ID).await.unwrap();
    assert_eq!(
        sandbox.attempts("get_order_status"),
        2,
        "the 401, then the replay"
    );
    assert_eq!(sandbox.token_requests(), 2);
}

#[tokio::test]
async fn in_a_total_outage_retries_add_little_load_then_calls_fail_fast() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = client(&sandbox, quick());
    sandbox.fail_next_calls("get_order_status", vec![CallFault::Status(503); 1000]);
    let mut last = None;
    for _ in 0..200 {
        last = Some(
            order_status(&client, Sandbox::PAID_ORDER_ID)
                .await
                .unwrap_err(),
        );
    }
    let attempts = sandbox.attempts("get_order_status");
    let extra = attempts - 200;
    println!("200 calls in a total outage: {attempts} attempts ({extra} retries)");
    assert!(extra <= 20, "{extra} retries for 200 calls");
    let last = last.unwrap();
    assert_eq!(
        (last.http_status(), last.attempts()),
        (Some(503), 1),
        "fails fast with the original error"
    );
    assert!(last.retry_budget_spent(), "{last}");
}

#[tokio::test]
async fn a_connection_refused_is_retried_for_any_operation_and_nothing_was_sent() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = client(&sandbox, quick());
    client.access_token().await.unwrap();
    drop(sandbox);
    // The port is closed now; the cached token lets the payment get as far as connecting.
    let mut error = pay(&client, Sandbox::CREATED_ORDER_ID).await.unwrap_err();
    // Up to 10 s for the shutdown on a loaded machine; it usually takes one round.
    for _ in 0..200 {
        if error.kind() == CallErrorKind::NotSent {
            break;
        }
        // A pooled connection may still have been open while the sandbox shut down.
        tokio::time::sleep(Duration::from_millis(50)).await;
        error = pay(&client, Sandbox::CREATED_ORDER_ID).await.unwrap_err();
    }
    assert_eq!(error.kind(), CallErrorKind::NotSent, "{error}");
    assert_eq!(error.attempts(), 3);
    assert!(!error.outcome_unknown() && error.is_retryable());
}

#[tokio::test]
async fn call_errors_work_with_question_mark_and_show_no_secret() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = client(&sandbox, quick());
    sandbox.fail_next_calls("get_order_status", [CallFault::Status(400)]);
    async fn boxed(client: &Client) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
        order_status(client, Sandbox::PAID_ORDER_ID).await?;
        Ok(())
    }
    let error = boxed(&client).await.unwrap_err();
    let rendered = format!("{error} {error:?}");
    assert!(rendered.contains("HTTP 400"), "{rendered}");
    let token = client.access_token().await.unwrap();
    for secret in [sandbox.secret_key(), sandbox.access_key(), token.as_str()] {
        assert!(!rendered.contains(secret), "{rendered}");
    }
}

#[tokio::test]
async fn a_retry_that_finds_no_token_ends_the_call_as_token_unavailable() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = client(&sandbox, quick());
    client.access_token().await.unwrap();
    sandbox.revoke_all_tokens();
    sandbox.fail_next_token_requests([TokenFault::Status(503)]);
    let error = order_status(&client, Sandbox::PAID_ORDER_ID)
        .await
        .unwrap_err();
    assert_eq!(error.kind(), CallErrorKind::TokenUnavailable, "{error}");
    assert_eq!(
        (error.attempts(), sandbox.attempts("get_order_status")),
        (1, 1)
    );
    assert!(error.is_retryable() && !error.outcome_unknown());
    let text = error.to_string();
    assert!(
        text.contains("no access token") && text.contains("HTTP 401"),
        "{text}"
    );
}
