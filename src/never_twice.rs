//! Never twice, checked for every operation the spec has that is not safe to repeat and every
//! shape an answer can take: each final status from 200 to 599 (with and without
//! `Retry-After: 0`), a dropped connection after the request, a garbled 200 and an answer slower
//! than the call's deadline. A scripted server on 127.0.0.1 counts what reaches it: at most one
//! request, always. The error then says what the README's retry matrix says: a refusal (a 4xx
//! other than 408 and 429) is a known outcome, anything else an unknown one with the
//! operation's own recovery advice.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use progenitor_client::{OperationInfo, ResponseValue};
use reqwest::header::HeaderValue;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::call::operations::{Operation, OPERATIONS};
use crate::call::{execute, Authorize, CallSettings};
use crate::{types, CallError, Error, Payload, Recovery, RetryPolicy};

/// How the scripted server answers.
#[derive(Debug, Clone, Copy)]
enum Shape {
    Status { status: u16, retry_after: bool },
    DroppedAfterRequest,
    Garbled,
    Slow,
}

struct Server {
    url: String,
    shape: Mutex<Shape>,
    requests: AtomicUsize,
}

async fn serve() -> Arc<Server> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let server = Arc::new(Server {
        url: format!("http://{}", listener.local_addr().unwrap()),
        shape: Mutex::new(Shape::Garbled),
        requests: AtomicUsize::new(0),
    });
    let state = server.clone();
    tokio::spawn(async move {
        loop {
            let Ok((mut socket, _)) = listener.accept().await else {
                return;
            };
            let state = state.clone();
            tokio::spawn(async move {
                // One request per connection: read it whole, then answer and close.
                let mut seen = Vec::new();
                let mut buffer = [0u8; 4096];
                loop {
                    let Ok(read) = socket.read(&mut buffer).await else {
                        return;
                    };
                    if read == 0 {
                        return;
                    }
                    seen.extend_from_slice(&buffer[..read]);
                    let text = String::from_utf8_lossy(&seen);
                    if let Some(end) = text.find("\r\n\r\n") {
                        let length = text[..end]
                            .lines()
                            .find_map(|l| {
                                l.to_ascii_lowercase()
                                    .strip_prefix("content-length:")
                                    .map(|v| v.trim().parse::<usize>().unwrap_or(0))
                            })
                            .unwrap_or(0);
                        if seen.len() >= end + 4 + length {
                            break;
                        }
                    }
                }
                state.requests.fetch_add(1, Ordering::SeqCst);
                let shape = *state.shape.lock().unwrap();
                let reply = match shape {
                    Shape::DroppedAfterRequest => return,
                    Shape::Slow => {
                        tokio::time::sleep(Duration::from_secs(2)).await;
                        reply(200, false, r#"{"response_code":0,"payload":{}}"#)
                    }
                    Shape::Garbled => reply(200, false, "<html>not json"),
                    Shape::Status {
                        status,
                        retry_after,
                    } => {
                        let body = match status {
                            200 => r#"{"response_code":0,"response_message":"ok","payload":{}}"#,
                            _ => r#"{"response_code":1001,"response_message":"no"}"#,
                        };
                        reply(status, retry_after, body)
                    }
                };
                let _ = socket.write_all(reply.as_bytes()).await;
                let _ = socket.shutdown().await;
            });
        }
    });
    server
}

fn reply(status: u16, retry_after: bool, body: &str) -> String {
    let retry_after = if retry_after {
        "retry-after: 0\r\n"
    } else {
        ""
    };
    format!(
        "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\
         {retry_after}connection: close\r\n\r\n{body}",
        body.len()
    )
}

/// Authentication that always has a token, and retries as fast as the policy lets it.
struct Always(CallSettings);

impl Authorize for Always {
    fn call_settings(&self) -> &CallSettings {
        &self.0
    }

    async fn authorize(&self, request: &mut reqwest::Request) -> bool {
        let token = HeaderValue::from_static("Bearer test");
        request.headers_mut().insert("authorization", token);
        true
    }

    fn invalidate(&self, _: &HeaderValue) {}
}

fn settings() -> CallSettings {
    CallSettings {
        policy: RetryPolicy::default()
            .max_attempts(3)
            .initial_delay(Duration::ZERO)
            .max_delay(Duration::ZERO)
            .deadline(Duration::from_millis(400)),
        attempt_timeout: Duration::from_millis(400),
        ..CallSettings::default()
    }
}

/// What the generated code makes of the call loop's result, then `payload()`.
async fn call(server: &Server, http: &reqwest::Client, operation: &Operation) -> CallError {
    let method = reqwest::Method::from_bytes(operation.method.as_bytes()).unwrap();
    let path = operation.path.replace(['{', '}'], "");
    let mut request =
        reqwest::Request::new(method, format!("{}{path}", server.url).parse().unwrap());
    *request.body_mut() = Some(r#"{"amount": 1}"#.into());
    let info = OperationInfo {
        operation_id: operation.id,
    };
    let auth = Always(settings());
    let result = execute(http, &auth, request, &info).await;
    if operation.text_answer {
        // Resend OTP's 200 is text, which the generated code hands over as a stream.
        let generated: Result<
            ResponseValue<progenitor_client::ByteStream>,
            Error<types::ErrorBody>,
        > = match result {
            Err(error) => Err(Error::CommunicationError(error)),
            Ok(response) => match response.status().as_u16() {
                200 => Ok(ResponseValue::stream(response)),
                400..=599 => match ResponseValue::from_response(response).await {
                    Ok(body) => Err(Error::ErrorResponse(body)),
                    Err(error) => Err(error),
                },
                _ => Err(Error::UnexpectedResponse(response)),
            },
        };
        return crate::TextPayload::text_payload(generated)
            .await
            .expect_err("no shape here is plain text");
    }
    let generated: Result<ResponseValue<types::OrderResponse>, Error<types::ErrorBody>> =
        match result {
            Err(error) => Err(Error::CommunicationError(error)),
            Ok(response) => match response.status().as_u16() {
                200 => ResponseValue::from_response(response).await,
                400..=599 => match ResponseValue::from_response(response).await {
                    Ok(body) => Err(Error::ErrorResponse(body)),
                    Err(error) => Err(error),
                },
                _ => Err(Error::UnexpectedResponse(response)),
            },
        };
    generated
        .payload()
        .expect_err("no shape here is a success with an order")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_operation_that_is_not_safe_to_repeat_reaches_the_server_twice() {
    let server = serve().await;
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let mut shapes = vec![Shape::DroppedAfterRequest, Shape::Garbled, Shape::Slow];
    for status in 201..=599 {
        for retry_after in [false, true] {
            shapes.push(Shape::Status {
                status,
                retry_after,
            });
        }
    }
    let operations: Vec<&Operation> = OPERATIONS.iter().filter(|o| !o.idempotent).collect();
    assert!(operations.len() >= 10, "{operations:?}");
    let mut cases = 0;
    for operation in &operations {
        for shape in &shapes {
            *server.shape.lock().unwrap() = *shape;
            server.requests.store(0, Ordering::SeqCst);
            let error = call(&server, &http, operation).await;
            let requests = server.requests.load(Ordering::SeqCst);
            let case = format!("{} {shape:?}: {error}", operation.id);
            assert_eq!(requests, 1, "{case}");
            assert_eq!(error.attempts(), 1, "{case}");
            let refusal = matches!(shape, Shape::Status { status, .. }
                if (400..500).contains(status) && !matches!(status, 408 | 429));
            assert_eq!(error.outcome_unknown(), !refusal, "{case}");
            let expected = match shape {
                Shape::Status { status: 401, .. } => Recovery::TryAgain,
                _ if refusal => Recovery::ChangeRequest,
                _ => operation.recovery.expect("the build requires one"),
            };
            assert_eq!(error.recovery(), expected, "{case}");
            assert!(
                !error.is_retryable() || expected == Recovery::TryAgain,
                "{case}"
            );
            cases += 1;
        }
    }
    // Printed for the record: how many cases the property covered.
    println!(
        "never twice: {cases} cases ({} operations x {} answer shapes)",
        operations.len(),
        shapes.len()
    );
}
