//! A scripted EnKash stand-in on 127.0.0.1 for the token-cache tests: the test decides what
//! each token request gets, when it is answered, and which tokens the order endpoint accepts.

use std::collections::{HashSet, VecDeque};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Value};
use tokio::sync::Semaphore;

pub const ACCESS_KEY: &str = "AK_TEST_access";
pub const SECRET_KEY: &str = "SK_TEST_secret";

/// What the next token request gets.
#[derive(Debug, Clone)]
pub enum TokenReply {
    /// A token that lives this long on the server's clock.
    Issue(Duration),
    /// A token whose `expiry` is this many ms from the server's now (may be negative).
    IssueExpiryOffsetMs(i64),
    /// HTTP 200 with this result code and no token.
    Reject(i32, &'static str),
    /// This HTTP status with a JSON error body.
    Status(u16),
    /// HTTP 200 with a body that is not JSON.
    Malformed,
    /// HTTP 200 with a token and no expiry.
    NoExpiry,
}

#[derive(Default)]
struct Script {
    replies: VecDeque<TokenReply>,
    default_lifetime: Option<Duration>,
    /// Tokens the order endpoint accepts.
    valid: HashSet<String>,
    /// Answer the next N order requests with 401 whatever the token.
    reject_orders: usize,
    /// Times (paused-clock) at which token requests arrived.
    token_times: Vec<tokio::time::Instant>,
    /// Every answered token request: when it arrived, when it was answered, whether it issued
    /// a token.
    token_log: Vec<TokenExchange>,
    /// The header values the last order request carried.
    last_order_headers: Option<(Option<String>, Option<String>)>,
    /// Whether any request carried an `api-version` header.
    saw_api_version: bool,
    /// The token issued last.
    last_issued: Option<String>,
    /// What the order endpoint answers instead of its default order.
    order_body: Option<Value>,
    /// Raw answers, in turn, to any API request (orders and every other path) before the
    /// scripted order logic: for replies no honest gateway sends.
    raw_replies: VecDeque<RawReply>,
}

/// An answer as it goes on the wire: a status, headers and a body, whatever they are.
#[derive(Debug, Clone)]
pub struct RawReply {
    pub status: u16,
    pub headers: Vec<(&'static str, &'static str)>,
    pub body: &'static str,
}

impl RawReply {
    /// This status with a JSON body.
    pub fn json(status: u16, body: &'static str) -> Self {
        Self {
            status,
            headers: vec![("content-type", "application/json")],
            body,
        }
    }

    /// This header as well.
    pub fn with_header(mut self, name: &'static str, value: &'static str) -> Self {
        self.headers.push((name, value));
        self
    }

    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap();
        let mut response = (status, self.body).into_response();
        for (name, value) in self.headers {
            let value = axum::http::HeaderValue::from_static(value);
            response.headers_mut().insert(name, value);
        }
        response
    }
}

/// One token request as the server saw it.
#[derive(Debug, Clone, Copy)]
pub struct TokenExchange {
    pub arrived: tokio::time::Instant,
    pub answered: tokio::time::Instant,
    pub issued: bool,
}

/// The server's handle, shared with its handlers.
pub struct TestServer {
    pub base_url: String,
    script: Mutex<Script>,
    pub token_requests: AtomicUsize,
    pub order_requests: AtomicUsize,
    /// Token requests waiting at the gate.
    pub waiting: AtomicUsize,
    /// Token requests being handled now, and the most at once so far.
    in_flight: AtomicUsize,
    pub max_in_flight: AtomicUsize,
    gate: Semaphore,
    gated: std::sync::atomic::AtomicBool,
    /// Offset of the server's clock from the real one, in seconds (may be negative).
    skew_secs: std::sync::atomic::AtomicI64,
    send_date: std::sync::atomic::AtomicBool,
    delay: Mutex<Duration>,
    counter: AtomicUsize,
}

impl TestServer {
    /// Starts a server on 127.0.0.1 that issues one-hour tokens unless told otherwise.
    pub async fn start() -> Arc<Self> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr: SocketAddr = listener.local_addr().unwrap();
        let server = Arc::new(Self {
            base_url: format!("http://{addr}"),
            script: Mutex::new(Script {
                default_lifetime: Some(Duration::from_secs(3600)),
                ..Default::default()
            }),
            token_requests: AtomicUsize::new(0),
            order_requests: AtomicUsize::new(0),
            waiting: AtomicUsize::new(0),
            in_flight: AtomicUsize::new(0),
            max_in_flight: AtomicUsize::new(0),
            gate: Semaphore::new(0),
            gated: Default::default(),
            skew_secs: Default::default(),
            send_date: std::sync::atomic::AtomicBool::new(true),
            delay: Mutex::new(Duration::ZERO),
            counter: AtomicUsize::new(0),
        });
        let app = Router::new()
            .route("/api/v0/merchant/token", post(token))
            .route("/api/v0/orders/{order_id}", get(order))
            .fallback(raw)
            .with_state(Arc::clone(&server));
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        server
    }

    pub fn client(&self) -> enkash::ClientBuilder {
        enkash::Client::builder()
            .base_url(&self.base_url)
            .credentials(ACCESS_KEY, SECRET_KEY)
            // No request timeout: under paused time a timer would fire while I/O is pending.
            .http_client(reqwest::Client::builder())
    }

    pub fn then(&self, reply: TokenReply) -> &Self {
        self.script.lock().unwrap().replies.push_back(reply);
        self
    }

    pub fn default_lifetime(&self, lifetime: Duration) {
        self.script.lock().unwrap().default_lifetime = Some(lifetime);
    }

    /// Holds every token request until [`open`](Self::open) lets it through.
    pub fn close_gate(&self) {
        self.gated.store(true, Ordering::SeqCst);
    }

    /// Lets `n` waiting (or future) token requests through.
    pub fn open(&self, n: usize) {
        self.gate.add_permits(n);
    }

    pub fn skew(&self, secs: i64) {
        self.skew_secs.store(secs, Ordering::SeqCst);
    }

    pub fn without_date_header(&self) {
        self.send_date.store(false, Ordering::SeqCst);
    }

    pub fn delay_tokens(&self, delay: Duration) {
        *self.delay.lock().unwrap() = delay;
    }

    /// Revokes every token issued so far.
    pub fn revoke_all(&self) {
        self.script.lock().unwrap().valid.clear();
    }

    /// Answers the next API requests (orders or any other path) with these, in turn; then the
    /// order endpoint answers as scripted and other paths with 404.
    pub fn answer_raw(&self, replies: impl IntoIterator<Item = RawReply>) -> &Self {
        self.script.lock().unwrap().raw_replies.extend(replies);
        self
    }

    /// Raw answers not used yet.
    pub fn raw_replies_left(&self) -> usize {
        self.script.lock().unwrap().raw_replies.len()
    }

    /// Answers authenticated order requests with this body.
    pub fn answer_orders_with(&self, body: Value) {
        self.script.lock().unwrap().order_body = Some(body);
    }

    pub fn reject_next_orders(&self, n: usize) {
        self.script.lock().unwrap().reject_orders = n;
    }

    pub fn tokens(&self) -> usize {
        self.token_requests.load(Ordering::SeqCst)
    }

    pub fn orders(&self) -> usize {
        self.order_requests.load(Ordering::SeqCst)
    }

    pub fn token_times(&self) -> Vec<tokio::time::Instant> {
        self.script.lock().unwrap().token_times.clone()
    }

    #[allow(dead_code)]
    pub fn token_log(&self) -> Vec<TokenExchange> {
        self.script.lock().unwrap().token_log.clone()
    }

    /// The token issued last, if any.
    #[allow(dead_code)]
    pub fn last_issued(&self) -> Option<String> {
        self.script.lock().unwrap().last_issued.clone()
    }

    /// Whether any request so far carried an `api-version` header.
    #[allow(dead_code)]
    pub fn saw_api_version(&self) -> bool {
        self.script.lock().unwrap().saw_api_version
    }

    /// `(Authorization, merchantAccessKey)` of the last order request.
    pub fn last_order_headers(&self) -> Option<(Option<String>, Option<String>)> {
        self.script.lock().unwrap().last_order_headers.clone()
    }

    /// Waits (yielding to the other tasks) until `n` token requests are held at the gate.
    pub async fn until_waiting(&self, n: usize) {
        for _ in 0..10_000 {
            if self.waiting.load(Ordering::SeqCst) >= n {
                return;
            }
            tokio::task::yield_now().await;
        }
        panic!("{n} token requests never reached the gate");
    }

    fn server_now(&self) -> SystemTime {
        let skew = self.skew_secs.load(Ordering::SeqCst);
        let magnitude = Duration::from_secs(skew.unsigned_abs());
        if skew >= 0 {
            SystemTime::now() + magnitude
        } else {
            SystemTime::now() - magnitude
        }
    }
}

fn epoch_ms(t: SystemTime) -> i64 {
    t.duration_since(UNIX_EPOCH).unwrap().as_millis() as i64
}

async fn token(
    State(server): State<Arc<TestServer>>,
    headers: HeaderMap,
    body: Json<Value>,
) -> Response {
    server.script.lock().unwrap().saw_api_version |= headers.contains_key("api-version");
    let arrived = tokio::time::Instant::now();
    let now_in_flight = server.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
    server
        .max_in_flight
        .fetch_max(now_in_flight, Ordering::SeqCst);
    // Tokens are numbered as they are issued: a higher count afterwards means this one issued.
    let issued_before = server.counter.load(Ordering::SeqCst);
    let response = answer_token(&server, body).await;
    server.in_flight.fetch_sub(1, Ordering::SeqCst);
    let exchange = TokenExchange {
        arrived,
        answered: tokio::time::Instant::now(),
        issued: server.counter.load(Ordering::SeqCst) > issued_before,
    };
    server.script.lock().unwrap().token_log.push(exchange);
    response
}

async fn answer_token(server: &Arc<TestServer>, Json(body): Json<Value>) -> Response {
    server.token_requests.fetch_add(1, Ordering::SeqCst);
    server
        .script
        .lock()
        .unwrap()
        .token_times
        .push(tokio::time::Instant::now());
    if server.gated.load(Ordering::SeqCst) {
        server.waiting.fetch_add(1, Ordering::SeqCst);
        server.gate.acquire().await.unwrap().forget();
        server.waiting.fetch_sub(1, Ordering::SeqCst);
    }
    let delay = *server.delay.lock().unwrap();
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    if body["accessKey"] != ACCESS_KEY || body["secretKey"] != SECRET_KEY {
        return Json(json!({"resultCode": 401, "resultMessage": "Invalid credentials"}))
            .into_response();
    }
    let reply = {
        let mut script = server.script.lock().unwrap();
        let lifetime = script.default_lifetime.unwrap();
        script
            .replies
            .pop_front()
            .unwrap_or(TokenReply::Issue(lifetime))
    };
    // Whole seconds, so that the `Date` header states the server's clock exactly.
    let now_ms = epoch_ms(server.server_now()) / 1000 * 1000;
    let now = UNIX_EPOCH + Duration::from_millis(now_ms as u64);
    let issues_token = matches!(
        reply,
        TokenReply::Issue(_) | TokenReply::IssueExpiryOffsetMs(_) | TokenReply::NoExpiry
    );
    let token = match issues_token {
        true => format!("tok-{}", server.counter.fetch_add(1, Ordering::SeqCst) + 1),
        false => String::new(),
    };
    let (status, body) = match reply {
        TokenReply::Issue(lifetime) => (
            200,
            json!({"token": token, "expiry": now_ms + lifetime.as_millis() as i64, "resultCode": 0, "resultMessage": "Token generated successfully."}),
        ),
        TokenReply::IssueExpiryOffsetMs(offset) => (
            200,
            json!({"token": token, "expiry": now_ms + offset, "resultCode": 0, "resultMessage": "ok"}),
        ),
        TokenReply::Reject(code, message) => {
            (200, json!({"resultCode": code, "resultMessage": message}))
        }
        TokenReply::Status(status) => (
            status,
            json!({"response_code": status, "response_message": "scripted failure"}),
        ),
        TokenReply::NoExpiry => (200, json!({"token": token, "resultCode": 0})),
        TokenReply::Malformed => {
            return (
                StatusCode::OK,
                [("content-type", "application/json")],
                "<html>gateway error</html>",
            )
                .into_response();
        }
    };
    let issued = body["token"].as_str().map(str::to_string);
    if let Some(issued) = &issued {
        let mut script = server.script.lock().unwrap();
        script.valid.insert(issued.clone());
        script.last_issued = Some(issued.clone());
    }
    let mut response = (StatusCode::from_u16(status).unwrap(), Json(body)).into_response();
    if server.send_date.load(Ordering::SeqCst) {
        response
            .headers_mut()
            .insert("date", httpdate::fmt_http_date(now).parse().unwrap());
    }
    response
}

async fn order(
    State(server): State<Arc<TestServer>>,
    Path(order_id): Path<String>,
    headers: HeaderMap,
) -> Response {
    server.order_requests.fetch_add(1, Ordering::SeqCst);
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let (authorization, access_key) = (header("authorization"), header("merchantaccesskey"));
    let mut script = server.script.lock().unwrap();
    if let Some(reply) = script.raw_replies.pop_front() {
        return reply.into_response();
    }
    script.last_order_headers = Some((authorization.clone(), access_key.clone()));
    script.saw_api_version |= headers.contains_key("api-version");
    let token_ok = authorization
        .as_deref()
        .and_then(|a| a.strip_prefix("Bearer "))
        .is_some_and(|t| script.valid.contains(t));
    let rejected = script.reject_orders > 0;
    script.reject_orders = script.reject_orders.saturating_sub(1);
    if rejected || !token_ok || access_key.as_deref() != Some(ACCESS_KEY) {
        return (StatusCode::UNAUTHORIZED, Json(json!({"response_code": 117, "response_message": "Unauthorized", "payload": "Token is invalid."}))).into_response();
    }
    let body = script.order_body.clone().unwrap_or_else(|| {
        json!({"response_code": 0, "response_message": "SUCCESS", "payload": {"orderId": order_id, "status": "PAID", "amount": 10.5}})
    });
    Json(body).into_response()
}

/// Any path but the token and order endpoints: the next raw reply, or 404.
async fn raw(State(server): State<Arc<TestServer>>) -> Response {
    match server.script.lock().unwrap().raw_replies.pop_front() {
        Some(reply) => reply.into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}
