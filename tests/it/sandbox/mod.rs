//! The sandbox keeps to the contract: every response it sends validates against the spec's
//! schema for that operation and status, and it behaves as the docs describe.

use crate::common;

use std::time::{Duration, SystemTime};

use enkash_sandbox::{codes, Sandbox, TokenFault};
use serde_json::{json, Value};

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
    let schema = common::response_schema(spec, path, method, status);
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

mod control;
mod lifecycle;
mod responses;
mod splits;
