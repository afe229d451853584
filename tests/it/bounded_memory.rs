//! Hostile bodies from a server on 127.0.0.1: a gigabyte, a body that never ends, one byte a
//! second. Each fails with a clear error, within the timeout, without the client buffering more
//! than its limit (64 KiB for a token response, `max_response_bytes` for an API answer).

use std::convert::Infallible;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::body::{Body, Bytes};
use axum::extract::Path;
use axum::http::header;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Json, Router};
use enkash::{CallErrorKind, Payload, RetryPolicy};
use futures_util::stream::{self, StreamExt};
use serde_json::json;

const CHUNK: usize = 64 * 1024;
const GIGABYTE: usize = 1 << 30;

/// A body: `bytes` of JSON-looking filler (`None`: forever), at full speed or a byte a second.
fn hostile(bytes: Option<usize>, trickle: bool) -> Response {
    let chunks = bytes.map_or(usize::MAX, |b| b / CHUNK);
    let filler = Bytes::from(vec![b' '; CHUNK]);
    let body = if trickle {
        Body::from_stream(stream::unfold((), |()| async {
            tokio::time::sleep(Duration::from_secs(1)).await;
            Some((Ok::<_, Infallible>(Bytes::from_static(b" ")), ()))
        }))
    } else {
        Body::from_stream(stream::repeat(Ok::<_, Infallible>(filler)).take(chunks))
    };
    let mut response = Response::new(body);
    let json = header::HeaderValue::from_static("application/json");
    response.headers_mut().insert(header::CONTENT_TYPE, json);
    response
}

/// Token endpoint: `/t/{mode}/api/v0/merchant/token`; orders: `/o/{mode}/api/v0/orders/{id}`.
/// Modes: `ok`, `huge` (1 GiB), `endless`, `trickle`.
async fn server() -> String {
    async fn token(Path(mode): Path<String>) -> Response {
        match mode.as_str() {
            "huge" => hostile(Some(GIGABYTE), false),
            "endless" => hostile(None, false),
            "trickle" => hostile(None, true),
            _ => {
                let expiry = SystemTime::now().duration_since(UNIX_EPOCH).unwrap()
                    + Duration::from_secs(3600);
                let body =
                    json!({"token": "tok", "expiry": expiry.as_millis() as u64, "resultCode": 0});
                axum::response::IntoResponse::into_response(Json(body))
            }
        }
    }
    async fn order(Path((mode, _id)): Path<(String, String)>) -> Response {
        match mode.as_str() {
            "huge" => hostile(Some(GIGABYTE), false),
            "endless" => hostile(None, false),
            _ => hostile(None, true),
        }
    }
    let app = Router::new()
        .route("/t/{mode}/api/v0/merchant/token", post(token))
        .route(
            "/o/{mode}/api/v0/merchant/token",
            post(|| token(Path("ok".into()))),
        )
        .route("/o/{mode}/api/v0/orders/{id}", get(order));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    url
}

fn client(base_url: String, timeout: Duration) -> enkash::Client {
    enkash::Client::builder()
        .base_url(base_url)
        .credentials("AK", "SK")
        .timeout(timeout)
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap()
}

/// An order lookup that must fail.
trait FailedLookup {
    async fn failed_lookup(&self) -> enkash::CallError;
}

impl FailedLookup for enkash::Client {
    async fn failed_lookup(&self) -> enkash::CallError {
        self.get_order_status()
            .order_id("ORD_1")
            .send()
            .await
            .payload()
            .unwrap_err()
    }
}

/// The process's peak resident memory so far (Linux: `VmHWM`), in bytes.
fn peak_rss() -> usize {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with("VmHWM:")).unwrap();
    let kib: usize = line.split_whitespace().nth(1).unwrap().parse().unwrap();
    kib * 1024
}

#[tokio::test]
async fn a_gigabyte_or_endless_body_fails_clearly_without_being_buffered() {
    let url = server().await;
    // Warm up: one normal token, so the baseline includes the client's own working set.
    client(format!("{url}/t/ok"), Duration::from_secs(10))
        .access_token()
        .await
        .unwrap();
    let before = peak_rss();
    let started = Instant::now();

    for mode in ["huge", "endless"] {
        let error = client(format!("{url}/t/{mode}"), Duration::from_secs(10))
            .access_token()
            .await
            .unwrap_err();
        assert!(error.is_transient(), "{error}");
        assert!(
            error.to_string().contains("larger than 64 KiB"),
            "{mode}: {error}"
        );

        let error = client(format!("{url}/o/{mode}"), Duration::from_secs(10))
            .failed_lookup()
            .await;
        assert_eq!(error.kind(), CallErrorKind::Decode, "{mode}: {error}");
        assert!(
            error.to_string().contains("larger than the client's limit"),
            "{error}"
        );
    }
    let grown = peak_rss().saturating_sub(before);
    println!(
        "peak RSS grew by {} KiB over 4 hostile bodies in {:?}",
        grown / 1024,
        started.elapsed()
    );
    // The API limit (4 MiB) plus a small constant for buffers and allocator slack.
    let limit = 4 * 1024 * 1024 + 12 * 1024 * 1024;
    assert!(grown < limit, "peak RSS grew by {grown} bytes");
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn a_trickling_body_fails_within_the_timeout() {
    let url = server().await;
    let timeout = Duration::from_secs(1);

    let started = Instant::now();
    let error = client(format!("{url}/t/trickle"), timeout)
        .access_token()
        .await
        .unwrap_err();
    assert!(
        error.is_transient() && error.to_string().contains("timed out"),
        "{error}"
    );
    // A timeout per read would never fire (a byte a second); the whole-call one does. Four
    // times the timeout leaves a loaded machine room and still tells the two apart.
    assert!(started.elapsed() < timeout * 4, "{:?}", started.elapsed());

    let started = Instant::now();
    let error = client(format!("{url}/o/trickle"), timeout)
        .failed_lookup()
        .await;
    assert_eq!(error.kind(), CallErrorKind::Timeout, "{error}");
    // The token request comes first; both fit well within four times the timeout.
    assert!(started.elapsed() < timeout * 4, "{:?}", started.elapsed());
}

#[tokio::test]
async fn the_limit_is_the_clients_to_set() {
    let url = server().await;
    let small = enkash::Client::builder()
        .base_url(format!("{url}/o/huge"))
        .credentials("AK", "SK")
        .max_response_bytes(1024)
        .build()
        .unwrap();
    let error = small.failed_lookup().await;
    assert_eq!((error.kind(), error.attempts()), (CallErrorKind::Decode, 1));
    assert!(
        !error.is_retryable(),
        "a huge answer will not shrink by asking again"
    );
}
