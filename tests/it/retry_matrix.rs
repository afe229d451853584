//! The retry matrix of the guide chapter `enkash::guide::errors_and_unknown_outcomes`
//! (`src/guide/errors_and_unknown_outcomes.md`), walked row by row against the sandbox over
//! real HTTP on 127.0.0.1: for every kind of reply, what a payment and a lookup end as, and how
//! many requests reached the sandbox. The table is read from the chapter, so the two cannot drift.

use std::time::Duration;

use crate::common::server::{RawReply, TestServer};
use enkash::types::{PaymentDetail, SubmitPaymentRequest};
use enkash::{CallError, CallErrorKind, Client, Payload, Recovery, RetryPolicy};
use enkash_sandbox::{CallFault, Sandbox};

/// One row of the table.
#[derive(Debug)]
struct Row {
    reply: String,
    statuses: Vec<String>,
    payment_requests: u32,
    payment_kind: String,
    payment_unknown: bool,
    payment_recovery: String,
    lookup_requests: u32,
    lookup_recovery: String,
}

fn matrix() -> Vec<Row> {
    let chapter = include_str!("../../src/guide/errors_and_unknown_outcomes.md");
    let start = chapter
        .find("<!-- retry-matrix:start -->")
        .expect("start marker");
    let end = chapter
        .find("<!-- retry-matrix:end -->")
        .expect("end marker");
    let cells = |line: &str| -> Vec<String> {
        line.trim()
            .trim_matches('|')
            .split('|')
            .map(|cell| cell.trim().trim_matches('`').to_string())
            .collect()
    };
    let rows: Vec<Row> = chapter[start..end]
        .lines()
        .filter(|line| line.starts_with('|'))
        .skip(2) // the header and the rule
        .map(|line| {
            let c = cells(line);
            assert_eq!(c.len(), 8, "{line}");
            Row {
                reply: c[0].clone(),
                statuses: c[1].split(", ").map(str::to_string).collect(),
                payment_requests: c[2].parse().unwrap(),
                payment_kind: c[3].clone(),
                payment_unknown: c[4] == "yes",
                payment_recovery: c[5].clone(),
                lookup_requests: c[6].parse().unwrap(),
                lookup_recovery: c[7].clone(),
            }
        })
        .collect();
    assert!(rows.len() >= 12, "the table lost rows: {rows:?}");
    rows
}

fn client(sandbox: &Sandbox) -> Client {
    Client::builder()
        .base_url(sandbox.base_url())
        .credentials(sandbox.access_key(), sandbox.secret_key())
        .timeout(Duration::from_secs(5))
        .retry_policy(
            RetryPolicy::default()
                .initial_delay(Duration::ZERO)
                .max_delay(Duration::ZERO),
        )
        .build()
        .unwrap()
}

/// What the sandbox does to the next calls, for a status as the table names it.
fn faults(status: &str) -> Vec<CallFault> {
    let fault = match status {
        "200" => return Vec::new(),
        "200-refused" => CallFault::Status(200),
        "200-garbled" => CallFault::Garbled,
        "503-html" => CallFault::Page(503),
        "dropped" => CallFault::ResetBeforeProcessing,
        code => {
            let code: u16 = code.parse().unwrap();
            if (300..400).contains(&code) {
                // If followed, this would fail to connect: nothing listens on port 9.
                CallFault::Redirect(code, "http://127.0.0.1:9/elsewhere")
            } else {
                CallFault::Status(code)
            }
        }
    };
    vec![fault; 3]
}

fn kind_name(kind: CallErrorKind) -> String {
    format!("{kind:?}")
}

fn recovery_name(recovery: Recovery) -> String {
    format!("{recovery:?}")
}

async fn pay(client: &Client) -> Result<(), CallError> {
    let payment = SubmitPaymentRequest {
        order_id: Sandbox::CREATED_ORDER_ID.into(),
        payment_detail: PaymentDetail::Upi {
            vpa: "asha@okbank".parse().unwrap(),
            account_number: None,
            ifsc: None,
        },
        split_settlement: None,
    };
    client
        .submit_payment()
        .body(payment)
        .send()
        .await
        .payload()?;
    Ok(())
}

async fn look_up(client: &Client) -> Result<(), CallError> {
    let order = client.get_order_status().order_id(Sandbox::PAID_ORDER_ID);
    order.send().await.payload()?;
    Ok(())
}

/// Runs one call in a fresh sandbox that meets `status`; the result and the requests sent (for
/// a refused connection, the connection attempts the error counts).
async fn run(status: &str, payment: bool) -> (Result<(), CallError>, u32) {
    let sandbox = Sandbox::start().await.unwrap();
    let client = client(&sandbox);
    let operation = if payment {
        "submit_payment"
    } else {
        "get_order_status"
    };
    let call = |client: Client| async move {
        match payment {
            true => pay(&client).await,
            false => look_up(&client).await,
        }
    };
    if status == "refused" {
        client.access_token().await.unwrap();
        drop(sandbox);
        // A pooled connection may still have been open while the sandbox shut down.
        let mut result = call(client.clone()).await;
        // Up to 10 s for the shutdown on a loaded machine; it usually takes one round.
        for _ in 0..200 {
            if matches!(&result, Err(e) if e.kind() == CallErrorKind::NotSent) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
            result = call(client.clone()).await;
        }
        let attempts = result.as_ref().err().map_or(1, CallError::attempts);
        return (result, attempts);
    }
    sandbox.fail_next_calls(operation, faults(status));
    let result = call(client).await;
    let reached = u32::try_from(sandbox.attempts(operation)).unwrap();
    if let Err(error) = &result {
        assert_eq!(error.attempts(), reached, "{status}: {error}");
    }
    (result, reached)
}

fn check(
    row: &Row,
    status: &str,
    what: &str,
    (result, sent): (Result<(), CallError>, u32),
    expected: (u32, Option<&str>, Option<bool>, &str),
) {
    let (requests, kind, unknown, recovery) = expected;
    let case = format!("{} / {status} / {what}", row.reply);
    assert_eq!(sent, requests, "{case}: requests sent");
    match result {
        Ok(()) => assert_eq!(recovery, "none", "{case}: succeeded"),
        Err(error) => {
            assert_eq!(recovery_name(error.recovery()), recovery, "{case}: {error}");
            assert_eq!(
                error.is_retryable(),
                recovery == "TryAgain",
                "{case}: {error}"
            );
            if let Some(kind) = kind {
                assert_eq!(kind_name(error.kind()), kind, "{case}: {error}");
            }
            if let Some(unknown) = unknown {
                assert_eq!(error.outcome_unknown(), unknown, "{case}: {error}");
            }
            if error.outcome_unknown() && what == "payment" {
                assert!(
                    error.to_string().contains("get_order_status"),
                    "{case}: the advice names the lookup: {error}"
                );
            }
        }
    }
}

#[tokio::test]
async fn every_row_of_the_guide_retry_matrix_holds() {
    for row in matrix() {
        for status in &row.statuses {
            let payment = run(status, true).await;
            let kind = Some(row.payment_kind.as_str()).filter(|k| *k != "none");
            let expected = (
                row.payment_requests,
                kind,
                Some(row.payment_unknown),
                row.payment_recovery.as_str(),
            );
            check(&row, status, "payment", payment, expected);

            let lookup = run(status, false).await;
            let expected = (
                row.lookup_requests,
                None,
                None,
                row.lookup_recovery.as_str(),
            );
            check(&row, status, "lookup", lookup, expected);
        }
    }
}

/// A lookup at the scripted gateway whose order endpoint answers `status` with an HTML page and
/// `Retry-After: 7` (three times), as a CDN in front of the gateway would.
async fn lookup_meeting_a_page(status: u16) -> CallError {
    let server = TestServer::start().await;
    let page = RawReply {
        status,
        headers: vec![("content-type", "text/html"), ("retry-after", "7")],
        body: "<html>busy</html>",
    };
    server.answer_raw(vec![page; 3]);
    let policy = RetryPolicy::default()
        .initial_delay(Duration::ZERO)
        .max_delay(Duration::ZERO)
        .max_retry_after(Duration::from_secs(1));
    let client = server.client().retry_policy(policy).build().unwrap();
    let order = client.get_order_status().order_id("ORD_1");
    order.send().await.payload().unwrap_err()
}

#[tokio::test]
async fn retry_after_is_kept_from_an_html_429_or_503_and_ignored_elsewhere() {
    for status in [429, 503] {
        let error = lookup_meeting_a_page(status).await;
        assert_eq!(error.http_status(), Some(status));
        assert_eq!(
            error.retry_after(),
            Some(Duration::from_secs(7)),
            "{status}: {error}"
        );
        // Seven seconds is beyond the policy's one: the call ends at once and says so.
        assert_eq!(error.attempts(), 1, "{error}");
        assert!(error.to_string().contains("wait 7s"), "{error}");
    }
    for status in [408, 500, 502, 504] {
        let error = lookup_meeting_a_page(status).await;
        assert_eq!(error.retry_after(), None, "{status}: {error}");
        // The header did not end the call: the policy's quick retries ran.
        assert_eq!(error.attempts(), 3, "{status}: {error}");
    }
}

#[tokio::test]
async fn a_callers_own_http_client_follows_no_redirect_either() {
    let sandbox = Sandbox::start().await.unwrap();
    // reqwest's default is to follow up to 10 redirects; the client turns that off.
    let follows = reqwest::Client::builder().redirect(reqwest::redirect::Policy::limited(10));
    let client = Client::builder()
        .base_url(sandbox.base_url())
        .credentials(sandbox.access_key(), sandbox.secret_key())
        .http_client(follows)
        .retry_policy(
            RetryPolicy::default()
                .initial_delay(Duration::ZERO)
                .max_delay(Duration::ZERO),
        )
        .build()
        .unwrap();
    // Had it been followed, the payment would have gone to a second server that cannot be
    // reached, and a refused connection there would have read as "never sent".
    sandbox.fail_next_calls(
        "submit_payment",
        vec![CallFault::Redirect(307, "http://127.0.0.1:9/elsewhere"); 3],
    );
    let error = pay(&client).await.unwrap_err();
    assert_eq!(sandbox.attempts("submit_payment"), 1, "{error}");
    assert_eq!(
        (error.kind(), error.http_status()),
        (CallErrorKind::HttpStatus, Some(307)),
        "{error}"
    );
    assert!(error.outcome_unknown(), "{error}");
    assert_eq!(error.recovery(), Recovery::LookUp, "{error}");
}

/// A client of the scripted gateway whose next answer (the edit-split one) is HTTP 200 `body`.
async fn split_answering(body: &'static str) -> Client {
    let server = TestServer::start().await;
    server.answer_raw([RawReply::json(200, body)]);
    server.client().build().unwrap()
}

#[tokio::test]
async fn an_edit_split_answer_without_a_code_is_not_a_success() {
    let request: enkash::types::EditSplitTransactionRequest = serde_json::from_value(
        serde_json::json!({"splitSettlement": {"amountSplitType": "PERCENTAGE",
            "splitSettlementDetails": [{"splitAccountId": "SAD_1001", "value": 80}]}}),
    )
    .unwrap();
    for body in [r#"{}"#, r#"{"message": "SUCCESS", "payload": {}}"#] {
        let client = split_answering(body).await;
        let edit = client.edit_split_settlement().transaction_id("TXN_1");
        let error = edit
            .body(request.clone())
            .send()
            .await
            .payload()
            .unwrap_err();
        assert_eq!(error.kind(), CallErrorKind::Decode, "{body}: {error}");
        assert!(error.outcome_unknown(), "{body}: {error}");
        assert_eq!(error.recovery(), Recovery::ResendUnchanged, "{error}");
    }
    // The documented success still reads as one.
    let client = split_answering(r#"{"code": 0, "message": "SUCCESS", "payload": {"a": 1}}"#).await;
    let edit = client.edit_split_settlement().transaction_id("TXN_1");
    let done = edit.body(request).send().await.payload().unwrap();
    assert_eq!(done["a"], 1);
}

#[tokio::test]
async fn a_request_that_cannot_be_built_is_invalid_and_nothing_is_sent() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = client(&sandbox);
    // More than JSON can carry exactly: the body fails to serialize before anything is sent.
    let refund = enkash::types::RefundRequest {
        amount: enkash::Rupees::from_paise(i64::MAX),
        remarks: None,
        request_id: "REF_1".parse().unwrap(),
    };
    let sent = client.refund_transaction().transaction_id("TXN_1");
    let error = sent.body(refund).send().await.payload().unwrap_err();
    assert_eq!(error.kind(), CallErrorKind::InvalidRequest, "{error}");
    assert!(!error.outcome_unknown(), "{error}");
    assert_eq!(error.recovery(), Recovery::ChangeRequest, "{error}");
    assert!(error.to_string().contains("nothing was sent"), "{error}");
    assert_eq!(sandbox.attempts("refund_transaction"), 0);
}

fn client_with_deadline(sandbox: &Sandbox, deadline: Duration) -> Client {
    Client::builder()
        .base_url(sandbox.base_url())
        .credentials(sandbox.access_key(), sandbox.secret_key())
        .timeout(Duration::from_secs(1))
        .retry_policy(
            RetryPolicy::default()
                .initial_delay(Duration::ZERO)
                .max_delay(Duration::ZERO)
                .deadline(deadline),
        )
        .build()
        .unwrap()
}

#[tokio::test]
async fn a_deadline_bounds_the_whole_call_and_ends_as_a_timeout_with_an_unknown_outcome() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = client_with_deadline(&sandbox, Duration::from_millis(1500));
    client.access_token().await.unwrap();
    let slow = vec![CallFault::Delay(Duration::from_secs(3)); 3];

    // Without the deadline, three 1 s attempts (3 s or more); with it, 1.5 s in all. Timers
    // never fire early, so the lower bound is exact; the upper one leaves a loaded machine
    // room while still telling 1.5 s from 3 s.
    sandbox.fail_next_calls("get_order_status", slow.clone());
    let started = std::time::Instant::now();
    let error = look_up(&client).await.unwrap_err();
    let took = started.elapsed();
    assert_eq!(error.kind(), CallErrorKind::Timeout, "{error}");
    assert!(error.outcome_unknown(), "{error}");
    assert_eq!(error.attempts(), 2, "{error}");
    assert!(
        took >= Duration::from_millis(1400) && took < Duration::from_millis(2900),
        "{took:?}"
    );

    // A payment cut short by it may have been made, and says so.
    sandbox.fail_next_calls("submit_payment", slow);
    let error = pay(&client).await.unwrap_err();
    assert_eq!(
        (error.kind(), error.attempts()),
        (CallErrorKind::Timeout, 1)
    );
    assert!(error.outcome_unknown(), "{error}");
    assert_eq!(error.recovery(), Recovery::LookUp, "{error}");
}

#[tokio::test]
async fn no_retry_starts_that_the_deadline_would_cut_short() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = Client::builder()
        .base_url(sandbox.base_url())
        .credentials(sandbox.access_key(), sandbox.secret_key())
        .retry_policy(RetryPolicy::default().deadline(Duration::from_millis(500)))
        .build()
        .unwrap();
    // A 503 asking to come back in 2 s: within the policy's 10 s, beyond the deadline.
    sandbox.fail_next_calls(
        "get_order_status",
        [CallFault::RetryAfter(503, Duration::from_secs(2))],
    );
    let started = std::time::Instant::now();
    let error = look_up(&client).await.unwrap_err();
    assert_eq!((error.http_status(), error.attempts()), (Some(503), 1));
    // Waiting the 2 s asked for would take 2 s at least: anything below says it did not wait.
    assert!(
        started.elapsed() < Duration::from_millis(1900),
        "{:?}",
        started.elapsed()
    );
}
