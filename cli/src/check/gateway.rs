//! Raw HTTP to the gateway: `check` must see every status, header and byte the gateway sends,
//! not what the client's decoders make of them.

use std::time::Duration;

use serde_json::Value;

/// One request and its answer.
#[derive(Debug, Clone)]
pub struct Exchange {
    /// The operation's id.
    pub operation: String,
    /// Upper case.
    pub method: String,
    /// The path as sent.
    pub path: String,
    /// The JSON body sent, if any.
    pub request: Option<Value>,
    /// The HTTP status, or `None` when no answer came (then `error` says why).
    pub status: Option<u16>,
    /// The `Date` header.
    pub date: Option<String>,
    /// The answer's body: JSON, or the text as a JSON string when it is not JSON.
    pub body: Value,
    /// Whether the body was JSON.
    pub json: bool,
    /// Why there is no answer.
    pub error: Option<String>,
}

/// The gateway under check.
pub struct Gateway {
    http: reqwest::Client,
    base: String,
    access_key: String,
    token: Option<String>,
}

impl Gateway {
    /// A gateway at `base`.
    pub fn new(base: &str, access_key: &str) -> Result<Self, String> {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            // A redirect would resend credentials elsewhere.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| format!("cannot build the HTTP client: {e}"))?;
        Ok(Self {
            http,
            base: base.trim_end_matches('/').to_string(),
            access_key: access_key.to_string(),
            token: None,
        })
    }

    /// The token later calls carry.
    pub fn set_token(&mut self, token: String) {
        self.token = Some(token);
    }

    /// Sends one request (with the token and access key once there is a token).
    pub async fn send(
        &self,
        operation: &str,
        method: &str,
        path: &str,
        body: Option<Value>,
    ) -> Exchange {
        let method_value = reqwest::Method::from_bytes(method.as_bytes()).unwrap_or_default();
        let mut request = self
            .http
            .request(method_value, format!("{}{path}", self.base));
        if let Some(token) = &self.token {
            request = request
                .bearer_auth(token)
                .header("merchantAccessKey", &self.access_key);
        }
        if let Some(body) = &body {
            request = request.json(body);
        }
        let mut exchange = Exchange {
            operation: operation.to_string(),
            method: method.to_string(),
            path: path.to_string(),
            request: body,
            status: None,
            date: None,
            body: Value::Null,
            json: false,
            error: None,
        };
        let response = match request.send().await {
            Ok(response) => response,
            Err(error) => {
                // reqwest's message names the URL, never a header.
                exchange.error = Some(error.without_url().to_string());
                return exchange;
            }
        };
        exchange.status = Some(response.status().as_u16());
        exchange.date = response
            .headers()
            .get("date")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        match response.bytes().await {
            Ok(bytes) => match serde_json::from_slice(&bytes) {
                Ok(value) => {
                    exchange.body = value;
                    exchange.json = true;
                }
                Err(_) => exchange.body = Value::String(String::from_utf8_lossy(&bytes).into()),
            },
            Err(error) => exchange.error = Some(error.without_url().to_string()),
        }
        exchange
    }
}
