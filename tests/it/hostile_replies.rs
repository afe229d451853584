//! Replies no honest gateway sends, from a scripted server on 127.0.0.1: each becomes a clear
//! `CallError` that keeps the status and never quotes the body.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use enkash::{CallErrorKind, Payload, RetryPolicy};
use serde_json::json;

type Replies = Arc<Mutex<VecDeque<(u16, &'static str)>>>;

/// A server whose token endpoint works and whose order endpoint answers `replies` in turn.
async fn server(replies: &[(u16, &'static str)]) -> (String, Replies) {
    let replies: Replies = Arc::new(Mutex::new(replies.iter().copied().collect()));
    let token = || async {
        let expiry =
            SystemTime::now().duration_since(UNIX_EPOCH).unwrap() + Duration::from_secs(3600);
        Json(json!({"token": "tok", "expiry": expiry.as_millis() as u64, "resultCode": 0}))
    };
    let order = |State(replies): State<Replies>| async move {
        let (status, body) = replies.lock().unwrap().pop_front().unwrap_or((200, "{}"));
        let status = StatusCode::from_u16(status).unwrap();
        let mut response: Response = (status, body).into_response();
        let json = axum::http::HeaderValue::from_static("application/json");
        response.headers_mut().insert(header::CONTENT_TYPE, json);
        response
    };
    let app = Router::new()
        .route("/api/v0/merchant/token", post(token))
        .route("/api/v0/orders/{id}", get(order))
        .with_state(Arc::clone(&replies));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, replies)
}

fn client(url: &str) -> enkash::Client {
    enkash::Client::builder()
        .base_url(url)
        .credentials("AK", "SK")
        .retry_policy(RetryPolicy::default().initial_delay(Duration::ZERO))
        .build()
        .unwrap()
}

/// An order lookup that must fail.
async fn failed_lookup(url: &str) -> enkash::CallError {
    client(url)
        .get_order_status()
        .order_id("ORD_1")
        .send()
        .await
        .payload()
        .unwrap_err()
}

const SECRET_BODY: &str = "<html>card 4111111111111111</html>";

#[tokio::test]
async fn an_html_error_page_keeps_its_status_and_is_retried_for_a_get() {
    let (url, replies) =
        server(&[(503, SECRET_BODY), (503, SECRET_BODY), (503, SECRET_BODY)]).await;
    let error = failed_lookup(&url).await;
    assert_eq!(
        (error.kind(), error.http_status()),
        (CallErrorKind::HttpStatus, Some(503))
    );
    assert_eq!(error.attempts(), 3);
    assert!(replies.lock().unwrap().is_empty());
    let rendered = format!("{error} {error:?}");
    assert!(!rendered.contains("4111"), "{rendered}");
}

#[tokio::test]
async fn a_reply_that_is_not_json_is_a_decode_error_after_the_retries() {
    let (url, _) = server(&[(200, "{\"response_code\": 0, \"pay"); 3]).await;
    let error = failed_lookup(&url).await;
    assert_eq!((error.kind(), error.attempts()), (CallErrorKind::Decode, 3));
    assert!(error.outcome_unknown() && error.is_retryable(), "{error}");
}

#[tokio::test]
async fn a_reply_of_the_wrong_shape_names_the_field_but_not_the_value() {
    let body = r#"{"response_code": 0, "payload": {"orderId": "O", "amount": "4111111111111111"}}"#;
    let (url, _) = server(&[(200, body)]).await;
    let error = failed_lookup(&url).await;
    assert_eq!(error.kind(), CallErrorKind::Decode);
    let rendered = format!("{error} {error:?}");
    assert!(rendered.contains("payload.amount"), "{rendered}");
    assert!(!rendered.contains("4111"), "{rendered}");
}

#[tokio::test]
async fn a_status_the_spec_does_not_list_is_an_http_status_error() {
    let (url, _) = server(&[(302, "")]).await;
    let error = failed_lookup(&url).await;
    assert_eq!(
        (error.kind(), error.http_status()),
        (CallErrorKind::HttpStatus, Some(302))
    );
    assert_eq!(error.attempts(), 1);
}
