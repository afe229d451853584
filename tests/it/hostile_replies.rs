//! Replies no honest gateway sends, from a scripted server on 127.0.0.1: each becomes a clear
//! `CallError` that keeps the status and never quotes the body.

use std::sync::Arc;
use std::time::Duration;

use crate::common::server::{RawReply, TestServer};
use enkash::{CallErrorKind, Payload, RetryPolicy};

/// The scripted gateway, whose order endpoint answers `replies` (a status and a JSON-labelled
/// body) in turn.
async fn server(replies: &[(u16, &'static str)]) -> Arc<TestServer> {
    let server = TestServer::start().await;
    server.answer_raw(
        replies
            .iter()
            .map(|(status, body)| RawReply::json(*status, body)),
    );
    server
}

/// An order lookup that must fail.
async fn failed_lookup(server: &TestServer) -> enkash::CallError {
    let client = server
        .client()
        .retry_policy(RetryPolicy::default().initial_delay(Duration::ZERO))
        .build()
        .unwrap();
    let lookup = client.get_order_status().order_id("ORD_1");
    lookup.send().await.payload().unwrap_err()
}

const SECRET_BODY: &str = "<html>card 4111111111111111</html>";

#[tokio::test]
async fn an_html_error_page_keeps_its_status_and_is_retried_for_a_get() {
    let server = server(&[(503, SECRET_BODY), (503, SECRET_BODY), (503, SECRET_BODY)]).await;
    let error = failed_lookup(&server).await;
    assert_eq!(
        (error.kind(), error.http_status()),
        (CallErrorKind::HttpStatus, Some(503))
    );
    assert_eq!(error.attempts(), 3);
    assert_eq!(server.raw_replies_left(), 0);
    let rendered = format!("{error} {error:?}");
    assert!(!rendered.contains("4111"), "{rendered}");
}

#[tokio::test]
async fn a_reply_that_is_not_json_is_a_decode_error_after_the_retries() {
    let server = server(&[(200, "{\"response_code\": 0, \"pay"); 3]).await;
    let error = failed_lookup(&server).await;
    assert_eq!((error.kind(), error.attempts()), (CallErrorKind::Decode, 3));
    assert!(error.outcome_unknown() && error.is_retryable(), "{error}");
}

#[tokio::test]
async fn a_reply_of_the_wrong_shape_names_the_field_but_not_the_value() {
    let body = r#"{"response_code": 0, "payload": {"orderId": "O", "amount": "4111111111111111"}}"#;
    let server = server(&[(200, body)]).await;
    let error = failed_lookup(&server).await;
    assert_eq!(error.kind(), CallErrorKind::Decode);
    let rendered = format!("{error} {error:?}");
    assert!(rendered.contains("payload.amount"), "{rendered}");
    assert!(!rendered.contains("4111"), "{rendered}");
}

#[tokio::test]
async fn a_status_the_spec_does_not_list_is_an_http_status_error() {
    let server = server(&[(302, "")]).await;
    let error = failed_lookup(&server).await;
    assert_eq!(
        (error.kind(), error.http_status()),
        (CallErrorKind::HttpStatus, Some(302))
    );
    assert_eq!(error.attempts(), 1);
}
