//! The sandbox obeys the spec by construction: raw HTTP requests the spec forbids are refused
//! before any business rule, and requests it allows are not refused for rules it does not
//! state. Each case is one of the disagreements Schemathesis and a reading of the spec found;
//! `.ci/run` also runs Schemathesis itself against the standalone sandbox.

use enkash_sandbox::{codes, Sandbox};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

struct Raw {
    sandbox: Sandbox,
    http: reqwest::Client,
    token: String,
}

impl Raw {
    async fn start() -> Self {
        let sandbox = Sandbox::start().await.unwrap();
        let http = reqwest::Client::new();
        let answer = json_of(
            http.post(format!("{}/api/v0/merchant/token", sandbox.base_url()))
                .json(
                    &json!({"accessKey": sandbox.access_key(), "secretKey": sandbox.secret_key()}),
                ),
        )
        .await;
        let token = answer["token"].as_str().unwrap().to_string();
        Self {
            sandbox,
            http,
            token,
        }
    }

    fn request(&self, method: Method, path: &str) -> reqwest::RequestBuilder {
        self.http
            .request(method, format!("{}{path}", self.sandbox.base_url()))
            .header("authorization", format!("Bearer {}", self.token))
            .header("merchantAccessKey", self.sandbox.access_key())
    }

    /// Status and `response_message` of a JSON request.
    async fn send(&self, method: Method, path: &str, body: Value) -> (StatusCode, String) {
        let response = self.request(method, path).json(&body).send().await.unwrap();
        let status = response.status();
        let body: Value = response.json().await.unwrap();
        (
            status,
            body["response_message"].as_str().unwrap_or("").to_string(),
        )
    }
}

/// The JSON body of the answer to `request`.
async fn json_of(request: reqwest::RequestBuilder) -> Value {
    request.send().await.unwrap().json().await.unwrap()
}

const ORDERS: &str = "/api/v0/orders";
const PAY: &str = "/api/v0/payment/submit";

#[tokio::test]
async fn requests_the_spec_forbids_are_refused_naming_the_field_and_rule() {
    let raw = Raw::start().await;
    let order = |extra: Value| {
        let mut body = json!({"orderId": "INV1", "amount": {"value": 10, "currency": "INR"}});
        body.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        body
    };
    let cases = [
        (
            Method::POST,
            PAY,
            json!({"orderId": Sandbox::CREATED_ORDER_ID, "paymentDetail": {"paymentMode": "UPI"}}),
            "`paymentDetail`",
        ),
        (
            Method::POST,
            PAY,
            json!({"orderId": Sandbox::CREATED_ORDER_ID, "paymentDetail": {"paymentMode": "CRYPTO"}}),
            // The closest variant of the `oneOf` names the field at fault.
            "`paymentDetail.paymentMode`: breaks the spec's `enum` rule",
        ),
        (
            Method::POST,
            ORDERS,
            json!({"orderId": "INV-1", "amount": {"value": 10, "currency": "INR"}}),
            "`orderId`: breaks the spec's `pattern` rule",
        ),
        (
            Method::POST,
            ORDERS,
            order(json!({"customerInfo": {"phone": "98"}})),
            "`customerInfo`: unknown field(s) phone",
        ),
        (
            Method::POST,
            ORDERS,
            order(json!({"customerInfo": {"address": {"pin": "5"}}})),
            "`customerInfo.address`: unknown field(s) pin",
        ),
        (
            Method::POST,
            ORDERS,
            order(json!({"restrictedPaymentOptions": null})),
            "`restrictedPaymentOptions`: breaks the spec's `type` rule",
        ),
        (
            Method::POST,
            ORDERS,
            json!({"orderId": "INV2", "amount": {"value": 1e14, "currency": "INR"}}),
            "`amount.value`: breaks the spec's `maximum` rule",
        ),
        (
            Method::POST,
            "/api/v0/payment/TXN_X/refund",
            json!({"amount": 1, "requestId": ""}),
            "`requestId`: breaks the spec's `minLength` rule",
        ),
        (
            Method::POST,
            "/api/v0/settlement-payout/search",
            json!({"totalGstFrom": -1}),
            "`totalGstFrom`: breaks the spec's `minimum` rule",
        ),
        (
            Method::POST,
            "/api/v0/split-transaction/TXN_X",
            json!({"splitSettlement": {"amountSplitType": "PERCENTAGE", "splitSettlementDetails": [{"splitAccountId": "S", "value": -5}]}}),
            "`splitSettlement.splitSettlementDetails.0.value`: breaks the spec's `exclusiveMinimum` rule",
        ),
    ];
    for (method, path, body, expected) in cases {
        let (status, message) = raw.send(method, path, body.clone()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}: {message}");
        assert!(message.contains(expected), "{body}: {message}");
    }
}

#[tokio::test]
async fn query_parameters_and_media_types_are_checked_too() {
    let raw = Raw::start().await;
    for query in [
        "offset=2147483648",
        "limit=0",
        "limit=5001",
        "offset=-1",
        "offset=x",
        "direction=UP",
    ] {
        let path = format!("/api/v0/settlement-payout/search?{query}");
        let (status, message) = raw.send(Method::POST, &path, json!({})).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}: {message}");
        assert!(
            message.starts_with("query parameter `"),
            "{query}: {message}"
        );
    }
    let (status, message) = raw
        .send(Method::PATCH, "/api/v0/split-account/activate", json!({}))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        message.contains("`splitAccountDetailId` is required"),
        "{message}"
    );

    let response = raw
        .request(Method::POST, ORDERS)
        .header("content-type", "text/plain")
        .body(r#"{"orderId": "INV3", "amount": {"value": 1, "currency": "INR"}}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
}

#[tokio::test]
async fn requests_the_spec_allows_are_not_refused_for_rules_it_does_not_state() {
    let raw = Raw::start().await;
    // A lower-case scheme name: `Bearer` is case-insensitive.
    let response = raw
        .http
        .get(format!(
            "{}/api/v0/orders/{}",
            raw.sandbox.base_url(),
            Sandbox::PAID_ORDER_ID
        ))
        .header("authorization", format!("bearer {}", raw.token))
        .header("merchantAccessKey", raw.sandbox.access_key())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);

    // An amount whose float division by 0.01 is not whole is still two decimals.
    let (status, message) = raw
        .send(
            Method::POST,
            ORDERS,
            json!({"orderId": "INV4", "amount": {"value": 530022.18, "currency": "INR"}}),
        )
        .await;
    assert_eq!((status, message.as_str()), (StatusCode::OK, "SUCCESS"));

    // A 150% split is schema-valid: the sandbox's business rule refuses it, with its code.
    let order =
        json_of(raw.request(Method::GET, &format!("{ORDERS}/{}", Sandbox::PAID_ORDER_ID))).await;
    let transaction = order["payload"]["transactions"][0]["transactionId"]
        .as_str()
        .unwrap()
        .to_string();
    let split = json!({"splitSettlement": {"amountSplitType": "PERCENTAGE",
        "splitSettlementDetails": [{"splitAccountId": Sandbox::SPLIT_ACCOUNT_ID, "value": 150}]}});
    let answer = json_of(
        raw.request(
            Method::POST,
            &format!("/api/v0/split-transaction/{transaction}"),
        )
        .json(&split),
    )
    .await;
    // (This operation answers in its own envelope, `code` and `message`.)
    assert_eq!(answer["code"], codes::SPLIT_EXCEEDS_PAYMENT, "{answer}");
}
