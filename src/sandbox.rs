//! An in-process EnKash look-alike for examples and tests (cargo feature `sandbox`).
//!
//! It binds `127.0.0.1`, implements every operation of `openapi/enkash.yaml` the way the docs
//! describe, checks credentials and both authentication headers, and lets a test inject the
//! faults a real gateway has: failing or slow token requests, rejections, odd expiries, a
//! skewed clock, revoked tokens.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! use enkash::sandbox::Sandbox;
//!
//! let sandbox = Sandbox::start().await.unwrap();
//! let client = enkash::Client::builder()
//!     .base_url(sandbox.base_url())
//!     .credentials(sandbox.access_key(), sandbox.secret_key())
//!     .build()
//!     .unwrap();
//! let order = client.get_order_status().order_id(Sandbox::PAID_ORDER_ID).send().await.unwrap();
//! assert_eq!(order.payload.as_ref().unwrap().status, Some(enkash::types::OrderStatus::Paid));
//! assert_eq!(sandbox.token_requests(), 1);
//! # }
//! ```

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Value};

use crate::types::{Order, OrderStatus, OrderTransaction, TokenRequest};

/// A fault the next token request(s) will meet.
#[derive(Debug, Clone, PartialEq)]
pub enum TokenFault {
    /// Answer with this HTTP status and an error body.
    Status(u16),
    /// Answer HTTP 200 with this `resultCode` and message and no token (a rejection).
    Reject {
        /// The `resultCode`.
        code: i32,
        /// The `resultMessage`.
        message: String,
    },
    /// Answer HTTP 200 with a body that is not JSON.
    Malformed,
    /// Wait this long, then answer normally.
    Delay(Duration),
    /// Issue a token whose `expiry` is this many milliseconds from the sandbox's now
    /// (negative: already expired).
    ExpiryOffsetMs(i64),
}

/// A running sandbox. Dropping it shuts the server down.
#[derive(Debug)]
pub struct Sandbox {
    state: Arc<SandboxState>,
    addr: SocketAddr,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
}

/// Configures a [`Sandbox`] before it starts.
#[derive(Debug, Clone)]
#[must_use = "call .start() to run the sandbox"]
pub struct SandboxBuilder {
    port: u16,
    token_lifetime: Duration,
}

#[derive(Debug)]
struct SandboxState {
    access_key: String,
    secret_key: String,
    inner: Mutex<Inner>,
    token_requests: AtomicU64,
    unauthorized: AtomicU64,
}

#[derive(Debug)]
struct Inner {
    token_lifetime: Duration,
    skew_secs: i64,
    faults: VecDeque<TokenFault>,
    /// Issued tokens and their expiry (epoch ms, sandbox clock).
    tokens: HashMap<String, i64>,
    orders: HashMap<String, Order>,
    authenticated: HashMap<&'static str, u64>,
}

static NEXT_ID: AtomicU64 = AtomicU64::new(1);

impl Sandbox {
    /// The id of an order the sandbox holds, paid.
    pub const PAID_ORDER_ID: &'static str = "ORD_SANDBOX_PAID";
    /// The id of an order the sandbox holds, not yet paid.
    pub const CREATED_ORDER_ID: &'static str = "ORD_SANDBOX_CREATED";

    /// Starts a sandbox on `127.0.0.1` on a free port, issuing one-hour tokens.
    pub async fn start() -> std::io::Result<Self> {
        Self::builder().start().await
    }

    /// Configures a sandbox.
    pub fn builder() -> SandboxBuilder {
        SandboxBuilder {
            port: 0,
            token_lifetime: Duration::from_secs(3600),
        }
    }

    /// Where it listens, e.g. `http://127.0.0.1:40123`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The access key it accepts.
    pub fn access_key(&self) -> &str {
        &self.state.access_key
    }

    /// The secret key it accepts.
    pub fn secret_key(&self) -> &str {
        &self.state.secret_key
    }

    /// Token requests received, including failed ones.
    pub fn token_requests(&self) -> u64 {
        self.state.token_requests.load(Ordering::SeqCst)
    }

    /// Authenticated requests accepted for `operation_id` (e.g. `"get_order_status"`).
    pub fn authenticated_requests(&self, operation_id: &str) -> u64 {
        self.state
            .lock()
            .authenticated
            .get(operation_id)
            .copied()
            .unwrap_or(0)
    }

    /// HTTP 401 responses sent.
    pub fn unauthorized_responses(&self) -> u64 {
        self.state.unauthorized.load(Ordering::SeqCst)
    }

    /// The next token requests meet these faults, one each, in order.
    pub fn fail_next_token_requests(&self, faults: impl IntoIterator<Item = TokenFault>) {
        self.state.lock().faults.extend(faults);
    }

    /// Tokens issued from now on live this long.
    pub fn set_token_lifetime(&self, lifetime: Duration) {
        self.state.lock().token_lifetime = lifetime;
    }

    /// Moves the sandbox's clock (its `Date` header and token expiries) by `secs`.
    pub fn skew_clock(&self, secs: i64) {
        self.state.lock().skew_secs = secs;
    }

    /// Revokes every token issued so far: the next authenticated call gets a 401.
    pub fn revoke_all_tokens(&self) {
        self.state.lock().tokens.clear();
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
    }
}

impl SandboxBuilder {
    /// Listens on this port of 127.0.0.1 (default 0: any free port).
    pub fn port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    /// How long issued tokens live (default one hour).
    pub fn token_lifetime(mut self, lifetime: Duration) -> Self {
        self.token_lifetime = lifetime;
        self
    }

    /// Binds and starts serving.
    pub async fn start(self) -> std::io::Result<Sandbox> {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", self.port)).await?;
        let addr = listener.local_addr()?;
        let id = NEXT_ID.fetch_add(1, Ordering::Relaxed);
        let state = Arc::new(SandboxState {
            access_key: format!("AK_SANDBOX_{id:04}"),
            secret_key: format!("SK_SANDBOX_{id:04}_{:08x}", fastrand::u32(..)),
            inner: Mutex::new(Inner {
                token_lifetime: self.token_lifetime,
                skew_secs: 0,
                faults: VecDeque::new(),
                tokens: HashMap::new(),
                orders: seed_orders(),
                authenticated: HashMap::new(),
            }),
            token_requests: AtomicU64::new(0),
            unauthorized: AtomicU64::new(0),
        });
        let app = Router::new()
            .route("/api/v0/merchant/token", post(generate_token))
            .route("/api/v0/orders/{order_id}", get(get_order_status))
            .fallback(not_found)
            .with_state(Arc::clone(&state));
        let (shutdown, stopped) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = stopped.await;
                })
                .await;
        });
        Ok(Sandbox {
            state,
            addr,
            shutdown: Some(shutdown),
        })
    }
}

impl SandboxState {
    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl Inner {
    fn now(&self) -> SystemTime {
        let shift = Duration::from_secs(self.skew_secs.unsigned_abs());
        if self.skew_secs >= 0 {
            SystemTime::now() + shift
        } else {
            SystemTime::now() - shift
        }
    }
}

fn epoch_ms(t: SystemTime) -> i64 {
    t.duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

/// An error body in the spec's `ErrorBody` shape.
fn error(status: StatusCode, code: i32, message: impl Into<String>, payload: Value) -> Response {
    let body =
        json!({"response_code": code, "response_message": message.into(), "payload": payload});
    (status, Json(body)).into_response()
}

async fn not_found() -> Response {
    error(
        StatusCode::NOT_FOUND,
        404,
        "No such operation in the sandbox",
        Value::Null,
    )
}

async fn generate_token(State(state): State<Arc<SandboxState>>, body: Bytes) -> Response {
    state.token_requests.fetch_add(1, Ordering::SeqCst);
    let fault = state.lock().faults.pop_front();
    let mut expiry_offset = None;
    match fault {
        Some(TokenFault::Status(status)) => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            return error(
                status,
                i32::from(status.as_u16()),
                "Injected failure",
                Value::Null,
            );
        }
        Some(TokenFault::Reject { code, message }) => {
            return Json(json!({"resultCode": code, "resultMessage": message})).into_response();
        }
        Some(TokenFault::Malformed) => {
            return (
                [(header::CONTENT_TYPE, "application/json")],
                "<html>502 Bad Gateway</html>",
            )
                .into_response();
        }
        Some(TokenFault::Delay(delay)) => tokio::time::sleep(delay).await,
        Some(TokenFault::ExpiryOffsetMs(offset)) => expiry_offset = Some(offset),
        None => {}
    }

    // Validate the body against the spec, through the type generated from it.
    let request: TokenRequest = match serde_json::from_slice(&body) {
        Ok(request) => request,
        Err(e) => {
            let message = format!("Invalid request body: {e}");
            return error(StatusCode::BAD_REQUEST, 400, message, Value::Null);
        }
    };
    if request.access_key.expose_secret() != state.access_key
        || request.secret_key.expose_secret() != state.secret_key
    {
        let body = json!({"resultCode": 401, "resultMessage": "Invalid access key or secret key."});
        return Json(body).into_response();
    }

    let mut inner = state.lock();
    // `Date` has whole seconds; expiries count from the same instant so lifetimes are exact.
    let now_ms = epoch_ms(inner.now()) / 1000 * 1000;
    let expiry = now_ms + expiry_offset.unwrap_or(inner.token_lifetime.as_millis() as i64);
    let token = format!("sbx.{:016x}{:016x}", fastrand::u64(..), fastrand::u64(..));
    inner.tokens.insert(token.clone(), expiry);
    let date = httpdate::fmt_http_date(UNIX_EPOCH + Duration::from_millis(now_ms as u64));
    let body = json!({
        "token": token, "expiry": expiry, "resultCode": 0,
        "resultMessage": "Token generated successfully."
    });
    ([(header::DATE, date)], Json(body)).into_response()
}

/// Checks both authentication headers; counts the call on success, the 401 otherwise.
/// Returns the 401 to send, or `None` when the caller may proceed.
fn unauthorized(
    state: &SandboxState,
    headers: &HeaderMap,
    operation: &'static str,
) -> Option<Response> {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let mut inner = state.lock();
    let now_ms = epoch_ms(inner.now());
    let problem = match (header("authorization"), header("merchantaccesskey")) {
        (None, _) => Some("Authorization header missing"),
        (_, None) => Some("merchantAccessKey header missing"),
        (_, Some(key)) if key != state.access_key => Some("Unknown merchantAccessKey"),
        (Some(auth), _) => match auth
            .strip_prefix("Bearer ")
            .and_then(|t| inner.tokens.get(t))
        {
            None => Some("Token is invalid."),
            Some(&expiry) if expiry <= now_ms => Some("Token has expired."),
            Some(_) => None,
        },
    };
    match problem {
        None => {
            *inner.authenticated.entry(operation).or_default() += 1;
            None
        }
        Some(problem) => {
            state.unauthorized.fetch_add(1, Ordering::SeqCst);
            Some(error(
                StatusCode::UNAUTHORIZED,
                117,
                "Unauthorized",
                json!(problem),
            ))
        }
    }
}

async fn get_order_status(
    State(state): State<Arc<SandboxState>>,
    Path(order_id): Path<String>,
    headers: HeaderMap,
) -> Response {
    if let Some(response) = unauthorized(&state, &headers, "get_order_status") {
        return response;
    }
    let order = state.lock().orders.get(&order_id).cloned();
    match order {
        Some(order) => {
            Json(json!({"response_code": 0, "response_message": "SUCCESS", "payload": order}))
                .into_response()
        }
        None => error(
            StatusCode::NOT_FOUND,
            404,
            format!("No order {order_id}"),
            Value::Null,
        ),
    }
}

fn seed_orders() -> HashMap<String, Order> {
    let created = "2026-11-20T10:15:30Z".parse().ok();
    let order = |id: &str, status, transactions: Vec<OrderTransaction>| Order {
        order_id: Some(id.to_string()),
        merchant_order_id: Some(format!("INV-{id}")),
        amount: Some(1499.5),
        currency: Some("INR".to_string()),
        status: Some(status),
        created,
        last_modified: created,
        order_date: created,
        transactions,
        ..Default::default()
    };
    let paid_attempt = OrderTransaction {
        transaction_id: Some("TXN_SANDBOX_1".to_string()),
        created,
        last_modified: created,
    };
    [
        order(
            Sandbox::PAID_ORDER_ID,
            OrderStatus::Paid,
            vec![paid_attempt],
        ),
        order(Sandbox::CREATED_ORDER_ID, OrderStatus::Created, vec![]),
    ]
    .into_iter()
    .map(|o| (o.order_id.clone().unwrap_or_default(), o))
    .collect()
}
