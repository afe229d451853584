//! The sandbox keeps to the contract: every response it sends validates against the spec's
//! schema for that operation and status, and it behaves as the docs describe.

use crate::common;

use std::time::{Duration, SystemTime};

use enkash_sandbox::{codes, Sandbox, TokenFault};
use serde_json::{json, Value};

/// The spec's response schema for `path`/`method` and `status` (`200`, `4XX` or `5XX`).
fn response_schema(spec: &Value, path: &str, method: &str, status: u16) -> Value {
    let key = match status {
        200 => "200".to_string(),
        s => format!("{}XX", s / 100),
    };
    let mut response = spec["paths"][path][method]["responses"][&key].clone();
    if let Some(reference) = response["$ref"].as_str() {
        let name = reference.trim_start_matches("#/components/responses/");
        response = spec["components"]["responses"][name].clone();
    }
    let schema = response["content"]["application/json"]["schema"].clone();
    assert!(!schema.is_null(), "no schema for {method} {path} {status}");
    schema
}

/// Sends a raw request and checks the answer against the spec; returns status and body.
async fn exchange(
    spec: &Value,
    request: reqwest::RequestBuilder,
    path: &str,
    method: &str,
) -> (u16, Value, reqwest::header::HeaderMap) {
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let body: Value = response.json().await.unwrap();
    let schema = response_schema(spec, path, method, status);
    if let Err(problems) = common::validate(spec, &schema, &body) {
        panic!("{method} {path} -> {status} {body} contradicts the spec: {problems}");
    }
    (status, body, headers)
}

const TOKEN: &str = "/api/v0/merchant/token";

/// Raw HTTP to the sandbox with a valid token and both auth headers, for checking responses
/// the typed client would interpret.
struct Authed {
    http: reqwest::Client,
    base_url: String,
    access_key: String,
    token: String,
}

impl Authed {
    async fn new(sandbox: &Sandbox) -> Self {
        let http = reqwest::Client::new();
        let keys = json!({"accessKey": sandbox.access_key(), "secretKey": sandbox.secret_key()});
        let url = format!("{}{TOKEN}", sandbox.base_url());
        let answer: Value = http
            .post(url)
            .json(&keys)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        Self {
            token: answer["token"].as_str().unwrap().to_string(),
            http,
            base_url: sandbox.base_url(),
            access_key: sandbox.access_key().to_string(),
        }
    }

    fn call(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        self.http
            .request(method, format!("{}{path}", self.base_url))
            .header("authorization", format!("Bearer {}", self.token))
            .header("merchantAccessKey", &self.access_key)
            .header("api-version", "0.1.0")
    }
}
const ORDER: &str = "/api/v0/orders/{orderId}";

#[tokio::test]
async fn every_response_validates_against_the_spec() {
    let spec = common::spec();
    let sandbox = Sandbox::start().await.unwrap();
    let http = reqwest::Client::new();
    let url = |p: &str| format!("{}{p}", sandbox.base_url());
    let keys = json!({"accessKey": sandbox.access_key(), "secretKey": sandbox.secret_key()});
    let token_call = |body: &Value| {
        http.post(url(TOKEN))
            .header("api-version", "0.1.0")
            .json(body)
    };

    // Issued, with a Date header and an expiry an hour after it.
    let (status, body, headers) = exchange(&spec, token_call(&keys), TOKEN, "post").await;
    assert_eq!((status, body["resultCode"].as_i64()), (200, Some(0)));
    let date = httpdate::parse_http_date(headers["date"].to_str().unwrap()).unwrap();
    let date_ms = date
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64;
    assert_eq!(body["expiry"].as_i64().unwrap() - date_ms, 3_600_000);
    let token = body["token"].as_str().unwrap().to_string();

    // Unknown credentials: HTTP 200, a rejection code, no token.
    let wrong = json!({"accessKey": sandbox.access_key(), "secretKey": "wrong"});
    let (status, body, _) = exchange(&spec, token_call(&wrong), TOKEN, "post").await;
    assert_eq!(
        (status, body["resultCode"].as_i64()),
        (200, Some(codes::INVALID_CREDENTIALS.into()))
    );
    assert!(body.get("token").is_none());

    // An invalid body: 400, naming the field.
    let missing = json!({"accessKey": sandbox.access_key()});
    let (status, body, _) = exchange(&spec, token_call(&missing), TOKEN, "post").await;
    assert_eq!(status, 400);
    assert!(
        body["response_message"]
            .as_str()
            .unwrap()
            .contains("secretKey"),
        "{body}"
    );

    // Injected faults that still answer JSON.
    sandbox.fail_next_token_requests([
        TokenFault::Status(503),
        TokenFault::Reject {
            code: 403,
            message: "Merchant disabled".into(),
        },
        TokenFault::ExpiryOffsetMs(-1000),
    ]);
    let (status, ..) = exchange(&spec, token_call(&keys), TOKEN, "post").await;
    assert_eq!(status, 503);
    let (_, body, _) = exchange(&spec, token_call(&keys), TOKEN, "post").await;
    assert_eq!(body["resultCode"], 403);
    let (_, expired, _) = exchange(&spec, token_call(&keys), TOKEN, "post").await;
    let expired = expired["token"].as_str().unwrap().to_string();

    // Orders: found, unknown, and every kind of 401.
    let order_call = |id: &str, auth: Option<&str>, key: Option<&str>| {
        let mut request = http.get(url(&format!("/api/v0/orders/{id}")));
        if let Some(auth) = auth {
            request = request.header("authorization", auth);
        }
        if let Some(key) = key {
            request = request.header("merchantAccessKey", key);
        }
        request
    };
    let bearer = format!("Bearer {token}");
    let good = Some(sandbox.access_key());
    let (status, body, _) = exchange(
        &spec,
        order_call(Sandbox::PAID_ORDER_ID, Some(&bearer), good),
        ORDER,
        "get",
    )
    .await;
    assert_eq!(
        (status, body["payload"]["status"].as_str()),
        (200, Some("PAID"))
    );
    let (status, ..) = exchange(
        &spec,
        order_call("ORD_NOPE", Some(&bearer), good),
        ORDER,
        "get",
    )
    .await;
    assert_eq!(status, 404);
    let expired_bearer = format!("Bearer {expired}");
    for (auth, key, why) in [
        (None, good, "Authorization header missing"),
        (
            Some(bearer.as_str()),
            None,
            "merchantAccessKey header missing",
        ),
        (
            Some(bearer.as_str()),
            Some("AK_OTHER"),
            "Unknown merchantAccessKey",
        ),
        (Some("Bearer sbx.forged"), good, "Token is invalid."),
        (Some(token.as_str()), good, "Token is invalid."),
        (Some(expired_bearer.as_str()), good, "Token has expired."),
    ] {
        let (status, body, _) = exchange(
            &spec,
            order_call(Sandbox::PAID_ORDER_ID, auth, key),
            ORDER,
            "get",
        )
        .await;
        assert_eq!((status, body["payload"].as_str()), (401, Some(why)));
    }
    sandbox.revoke_all_tokens();
    let (status, ..) = exchange(
        &spec,
        order_call(Sandbox::PAID_ORDER_ID, Some(&bearer), good),
        ORDER,
        "get",
    )
    .await;
    assert_eq!(status, 401);

    assert_eq!(sandbox.token_requests(), 6);
    assert_eq!(sandbox.authenticated_requests("get_order_status"), 2);
    assert_eq!(sandbox.unauthorized_responses(), 7);
}

#[tokio::test]
async fn a_malformed_token_response_is_not_json() {
    // The one deliberate breach of the contract: it stands for a broken gateway or proxy.
    let sandbox = Sandbox::start().await.unwrap();
    sandbox.fail_next_token_requests([TokenFault::Malformed]);
    let client = enkash::Client::builder()
        .base_url(sandbox.base_url())
        .credentials(sandbox.access_key(), sandbox.secret_key())
        .build()
        .unwrap();
    let error = client.access_token().await.unwrap_err();
    assert!(
        error.is_transient() && error.to_string().contains("not the documented JSON"),
        "{error}"
    );
}

#[tokio::test]
async fn the_client_works_against_a_skewed_sandbox_and_absorbs_a_revocation() {
    let sandbox = Sandbox::builder()
        .token_lifetime(Duration::from_secs(600))
        .start()
        .await
        .unwrap();
    sandbox.skew_clock(-7200);
    let client = enkash::Client::builder()
        .base_url(sandbox.base_url())
        .credentials(sandbox.access_key(), sandbox.secret_key())
        .build()
        .unwrap();
    let token = client.access_token().await.unwrap();
    assert!(token.lifetime() > Duration::from_secs(598), "{token:?}");
    let order = client
        .get_order_status()
        .order_id(Sandbox::PAID_ORDER_ID)
        .send()
        .await
        .unwrap();
    assert_eq!(
        order.payload.as_ref().unwrap().order_id.as_deref(),
        Some(Sandbox::PAID_ORDER_ID)
    );
    sandbox.revoke_all_tokens();
    client
        .get_order_status()
        .order_id(Sandbox::PAID_ORDER_ID)
        .send()
        .await
        .unwrap();
    assert_eq!(sandbox.unauthorized_responses(), 1);
    assert_eq!(sandbox.token_requests(), 2);
    assert_eq!(sandbox.authenticated_requests("get_order_status"), 2);
}

#[tokio::test]
async fn dropping_the_sandbox_stops_it() {
    let sandbox = Sandbox::start().await.unwrap();
    let url = format!("{}/api/v0/orders/x", sandbox.base_url());
    let http = reqwest::Client::builder()
        .timeout(Duration::from_millis(500))
        .build()
        .unwrap();
    assert!(
        http.get(&url).send().await.is_ok(),
        "it answers while alive"
    );
    drop(sandbox);
    // Shutdown is asynchronous: allow it a few seconds on a loaded machine.
    for _ in 0..100 {
        if http.get(&url).send().await.is_err() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the port still answers 5 s after the sandbox was dropped");
}

#[tokio::test]
async fn lifecycle_responses_validate_against_the_spec() {
    let spec = common::spec();
    let sandbox = Sandbox::start().await.unwrap();
    let authed = Authed::new(&sandbox).await;
    let call = |method, path: String| authed.call(method, &path);
    use reqwest::Method;

    // Orders.
    let order = json!({"orderId": "INV9", "amount": {"value": 100.0, "currency": "INR"}});
    let (status, body, _) = exchange(
        &spec,
        call(Method::POST, "/api/v0/orders".into()).json(&order),
        "/api/v0/orders",
        "post",
    )
    .await;
    assert_eq!(
        (status, body["payload"]["status"].as_str()),
        (200, Some("CREATED"))
    );
    let order_id = body["payload"]["orderId"].as_str().unwrap().to_string();
    let (status, body, _) = exchange(
        &spec,
        call(Method::POST, "/api/v0/orders".into()).json(&order),
        "/api/v0/orders",
        "post",
    )
    .await;
    assert_eq!(
        (status, body["response_code"].as_i64()),
        (200, Some(codes::DUPLICATE_ORDER.into())),
        "duplicate merchant order id"
    );
    // A misspelt field is refused, not silently dropped (request schemas are closed).
    let typo =
        json!({"orderId": "INV11", "amount": {"value": 1.0, "currency": "INR"}, "notifyURL": "x"});
    let (status, body, _) = exchange(
        &spec,
        call(Method::POST, "/api/v0/orders".into()).json(&typo),
        "/api/v0/orders",
        "post",
    )
    .await;
    assert_eq!(status, 400);
    let message = body["response_message"].as_str().unwrap();
    assert!(message.contains("unknown field(s) notifyURL"), "{message}");
    // Money is never rounded: a sub-paise or absurd amount is refused, naming field and reason.
    for (value, reason) in [
        (json!(10.005), "more than 2 decimals"),
        (json!(1e14), "`maximum`"),
    ] {
        let sub_paise = json!({"orderId": "INV12", "amount": {"value": value, "currency": "INR"}});
        let (status, body, _) = exchange(
            &spec,
            call(Method::POST, "/api/v0/orders".into()).json(&sub_paise),
            "/api/v0/orders",
            "post",
        )
        .await;
        let message = body["response_message"].as_str().unwrap();
        assert_eq!(status, 400, "{message}");
        assert!(
            message.contains("`amount.value`") && message.contains(reason),
            "{message}"
        );
    }
    let bad = json!({"orderId": "INV10", "amount": {"value": 100.0, "currency": "USD"}});
    let (status, body, _) = exchange(
        &spec,
        call(Method::POST, "/api/v0/orders".into()).json(&bad),
        "/api/v0/orders",
        "post",
    )
    .await;
    assert_eq!(status, 400);
    assert!(
        body["response_message"]
            .as_str()
            .unwrap()
            .contains("amount.currency"),
        "{body}"
    );

    // Payments.
    const SUBMIT: &str = "/api/v0/payment/submit";
    let pay = json!({"orderId": order_id, "paymentDetail": {"paymentMode": "CREDIT_CARD", "cardNumber": "4111111111111111", "cvv": "123", "expiry": "12/29"}});
    let (status, body, _) = exchange(
        &spec,
        call(Method::POST, SUBMIT.into()).json(&pay),
        SUBMIT,
        "post",
    )
    .await;
    assert_eq!(
        (status, body["payload"]["status"].as_str()),
        (200, Some("SUCCESS"))
    );
    let transaction_id = body["payload"]["transactionId"]
        .as_str()
        .unwrap()
        .to_string();
    let (_, body, _) = exchange(
        &spec,
        call(Method::POST, SUBMIT.into()).json(&pay),
        SUBMIT,
        "post",
    )
    .await;
    assert_eq!(
        body["response_code"],
        codes::ORDER_NOT_PAYABLE,
        "a paid order cannot be paid again"
    );
    let (status, ..) = exchange(&spec, call(Method::POST, SUBMIT.into()).json(&json!({"orderId": "NOPE", "paymentDetail": {"paymentMode": "WALLET", "bankCode": "PAYTM"}})), SUBMIT, "post").await;
    assert_eq!(status, 404);
    const TXN: &str = "/api/v0/payment/{transactionId}";
    let (status, body, _) = exchange(
        &spec,
        call(Method::GET, format!("/api/v0/payment/{transaction_id}")),
        TXN,
        "get",
    )
    .await;
    assert_eq!(
        (status, body["payload"]["paymentMode"].as_str()),
        (200, Some("CREDIT_CARD"))
    );

    // A payment left with the bank, and its order, keep to the spec too.
    let waiting = json!({"orderId": "INV13", "amount": {"value": 75.0, "currency": "INR"}});
    let (_, body, _) = exchange(
        &spec,
        call(Method::POST, "/api/v0/orders".into()).json(&waiting),
        "/api/v0/orders",
        "post",
    )
    .await;
    let waiting_order = body["payload"]["orderId"].as_str().unwrap().to_string();
    let vpa = format!("asha{}", enkash_sandbox::PENDING_VPA_SUFFIX);
    let pay_later =
        json!({"orderId": waiting_order, "paymentDetail": {"paymentMode": "UPI", "vpa": vpa}});
    let (status, body, _) = exchange(
        &spec,
        call(Method::POST, SUBMIT.into()).json(&pay_later),
        SUBMIT,
        "post",
    )
    .await;
    assert_eq!(
        (status, body["payload"]["status"].as_str()),
        (200, Some("PENDING_WITH_BANK"))
    );
    let pending_id = body["payload"]["transactionId"]
        .as_str()
        .unwrap()
        .to_string();
    let (_, body, _) = exchange(
        &spec,
        call(Method::GET, format!("/api/v0/payment/{pending_id}")),
        TXN,
        "get",
    )
    .await;
    assert_eq!(body["payload"]["status"], "PENDING_WITH_BANK");
    let (_, body, _) = exchange(
        &spec,
        call(Method::GET, format!("/api/v0/orders/{waiting_order}")),
        ORDER,
        "get",
    )
    .await;
    assert_eq!(body["payload"]["status"], "PAYMENT_CONFIRMATION_PENDING");
    sandbox.settle_transaction(&pending_id, true).unwrap();
    let (_, body, _) = exchange(
        &spec,
        call(Method::GET, format!("/api/v0/orders/{waiting_order}")),
        ORDER,
        "get",
    )
    .await;
    assert_eq!(body["payload"]["status"], "PAID");
    assert_eq!(body["payload"]["transactions"][0]["status"], "SUCCESS");

    // Refunds.
    const REFUND: &str = "/api/v0/payment/{transactionId}/refund";
    let refund_path = format!("/api/v0/payment/{transaction_id}/refund");
    let (status, body, _) = exchange(
        &spec,
        call(Method::POST, refund_path.clone()).json(&json!({"amount": 40.0, "requestId": "R1"})),
        REFUND,
        "post",
    )
    .await;
    assert_eq!(
        (status, body["payload"]["status"].as_str()),
        (200, Some("CREATED"))
    );
    let (_, body, _) = exchange(
        &spec,
        call(Method::POST, refund_path.clone()).json(&json!({"amount": 60.01, "requestId": "R2"})),
        REFUND,
        "post",
    )
    .await;
    assert_eq!(body["response_code"], codes::REFUND_EXCEEDS_PAYMENT);
    let (status, ..) = exchange(
        &spec,
        call(Method::POST, refund_path).json(&json!({"amount": 1.0})),
        REFUND,
        "post",
    )
    .await;
    assert_eq!(status, 400, "requestId is required");

    // Settlements.
    const PAYOUT: &str = "/api/v0/settlement-payout/{settlementPayoutId}";
    let (status, body, _) = exchange(
        &spec,
        call(
            Method::GET,
            "/api/v0/settlement-payout/SP_SANDBOX_0002".into(),
        ),
        PAYOUT,
        "get",
    )
    .await;
    assert_eq!(
        (status, body["payload"]["payoutStatus"].as_str()),
        (200, Some("INIT"))
    );
    let (status, ..) = exchange(
        &spec,
        call(Method::GET, "/api/v0/settlement-payout/SP_NONE".into()),
        PAYOUT,
        "get",
    )
    .await;
    assert_eq!(status, 404);
    const SEARCH: &str = "/api/v0/settlement-payout/search";
    let (status, body, _) = exchange(
        &spec,
        call(Method::POST, format!("{SEARCH}?offset=1&limit=5")).json(&json!({})),
        SEARCH,
        "post",
    )
    .await;
    assert_eq!(
        (status, body["payload"].as_array().map(Vec::len)),
        (200, Some(1))
    );
    let (status, ..) = exchange(
        &spec,
        call(Method::POST, format!("{SEARCH}?limit=5001")).json(&json!({})),
        SEARCH,
        "post",
    )
    .await;
    assert_eq!(status, 400);

    for operation in [
        "create_order",
        "submit_payment",
        "get_transaction_status",
        "refund_transaction",
        "get_settlement_payout",
        "search_settlement_payouts",
    ] {
        assert!(
            sandbox.authenticated_requests(operation) > 0,
            "{operation} was not exercised"
        );
    }
}

#[tokio::test]
async fn split_responses_validate_against_the_spec() {
    let spec = common::spec();
    let sandbox = Sandbox::start().await.unwrap();
    let authed = Authed::new(&sandbox).await;
    let call = |method, path: String| authed.call(method, &path);
    use reqwest::Method;

    const ACCOUNT: &str = "/api/v0/split-account";
    let update = json!({"accessKey": Sandbox::SPLIT_ACCESS_KEY, "email": "v@example.com"});
    let (status, body, _) = exchange(
        &spec,
        call(Method::PATCH, ACCOUNT.into()).json(&update),
        ACCOUNT,
        "patch",
    )
    .await;
    assert_eq!(
        (status, body["payload"]["email"].as_str()),
        (200, Some("v@example.com"))
    );
    let unknown = json!({"accessKey": "AK_NOBODY"});
    let (status, ..) = exchange(
        &spec,
        call(Method::PATCH, ACCOUNT.into()).json(&unknown),
        ACCOUNT,
        "patch",
    )
    .await;
    assert_eq!(status, 404);
    let bad_ifsc = json!({"accessKey": Sandbox::SPLIT_ACCESS_KEY, "ifsc": "hdfc"});
    let (status, ..) = exchange(
        &spec,
        call(Method::PATCH, ACCOUNT.into()).json(&bad_ifsc),
        ACCOUNT,
        "patch",
    )
    .await;
    assert_eq!(status, 400);

    const ACTIVATE: &str = "/api/v0/split-account/activate";
    let (status, body, _) = exchange(
        &spec,
        call(
            Method::PATCH,
            format!("{ACTIVATE}?splitAccountDetailId=SAD_SANDBOX_INACTIVE"),
        ),
        ACTIVATE,
        "patch",
    )
    .await;
    assert_eq!(
        (status, body["payload"]["active"].as_bool()),
        (200, Some(true))
    );
    let (status, ..) = exchange(
        &spec,
        call(Method::PATCH, ACTIVATE.into()),
        ACTIVATE,
        "patch",
    )
    .await;
    assert_eq!(status, 400);

    const SPLIT: &str = "/api/v0/split-transaction/{transactionId}";
    let order: Value = call(
        Method::GET,
        format!("/api/v0/orders/{}", Sandbox::PAID_ORDER_ID),
    )
    .send()
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    let transaction_id = order["payload"]["transactions"][0]["transactionId"]
        .as_str()
        .unwrap();
    let path = format!("/api/v0/split-transaction/{transaction_id}");
    let flat = |value: f64| json!({"splitSettlement": {"amountSplitType": "FLAT", "splitSettlementDetails": [{"splitAccountId": Sandbox::SPLIT_ACCOUNT_ID, "value": value}]}});
    let (status, body, _) = exchange(
        &spec,
        call(Method::POST, path.clone()).json(&flat(100.0)),
        SPLIT,
        "post",
    )
    .await;
    assert_eq!((status, body["code"].as_i64()), (200, Some(0)));
    let (_, body, _) = exchange(
        &spec,
        call(Method::POST, path.clone()).json(&flat(1499.51)),
        SPLIT,
        "post",
    )
    .await;
    assert_eq!(body["code"], codes::SPLIT_EXCEEDS_PAYMENT);
    let (status, ..) = exchange(
        &spec,
        call(Method::POST, path).json(&json!({"splitSettlement": {}})),
        SPLIT,
        "post",
    )
    .await;
    assert_eq!(status, 400);
    let (status, ..) = exchange(
        &spec,
        call(Method::POST, "/api/v0/split-transaction/TXN_NONE".into()).json(&flat(1.0)),
        SPLIT,
        "post",
    )
    .await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn a_refused_body_is_described_without_quoting_its_values() {
    let sandbox = Sandbox::start().await.unwrap();
    let url = format!("{}{TOKEN}", sandbox.base_url());
    // A secret sent with the wrong type must not come back in the error.
    let body = json!({"accessKey": sandbox.access_key(), "secretKey": 987654321987_u64});
    let answer: Value = reqwest::Client::new()
        .post(url)
        .json(&body)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let message = answer["response_message"].as_str().unwrap();
    assert!(message.contains("`secretKey`"), "{message}");
    assert!(!message.contains("987654321987"), "{message}");
}
