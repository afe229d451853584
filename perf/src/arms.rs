//! The two ways to look an order up that the merchant-shaped benchmark and the `calls` profile
//! binary compare: through enkash, and by hand with reqwest, both warm and configured alike.

use std::hint::black_box;
use std::sync::Arc;
use std::time::Duration;

use enkash::Payload;
use tokio::runtime::Runtime;

use crate::server::{TestServer, ACCESS_KEY, SECRET_KEY};

/// The order both arms look up.
const ORDER_ID: &str = "ORD_01JD8Z6Q4K2M7N9P3R5T";

/// A hand-written lookup, as a merchant would write it without the crate: the URL formatted
/// with the order id, both headers, the status checked, the envelope decoded and its code
/// checked.
pub struct Bare {
    http: reqwest::Client,
    base_url: String,
    authorization: String,
}

impl Bare {
    fn new(base_url: &str, token: &str) -> Self {
        // enkash's defaults (`ClientBuilder::timeout`, its connect timeout, no redirects).
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(30))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("a reqwest client");
        Self {
            http,
            base_url: base_url.to_string(),
            authorization: format!("Bearer {token}"),
        }
    }

    async fn get_order_status(&self, order_id: &str) -> enkash::types::Order {
        let envelope: enkash::types::OrderResponse = self
            .http
            .get(format!("{}/api/v0/orders/{order_id}", self.base_url))
            .header("accept", "application/json")
            .header("authorization", &self.authorization)
            .header("merchantAccessKey", ACCESS_KEY)
            .send()
            .await
            .expect("an answer")
            .error_for_status()
            .expect("a 200")
            .json()
            .await
            .expect("an order");
        assert_eq!(envelope.response_code, 0);
        envelope.payload.expect("a payload")
    }
}

/// Both arms, warm: a token cached, a connection open. enkash's client is built as a merchant
/// builds it (its defaults: a 30 s timeout, a 10 s connect timeout, no redirects).
pub struct Arms {
    enkash: enkash::Client,
    bare: Bare,
}

/// Which arm a call goes through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arm {
    Enkash,
    Bare,
}

impl Arm {
    /// The name the benchmarks and the profile binary give it.
    pub fn name(self) -> &'static str {
        match self {
            Arm::Enkash => "enkash",
            Arm::Bare => "bare_reqwest",
        }
    }
}

impl Arms {
    /// Both arms against `server`, each having made one lookup on `rt`.
    pub fn warm(rt: &Runtime, server: &TestServer) -> Arc<Self> {
        let enkash = enkash::Client::builder()
            .base_url(&server.base_url)
            .credentials(ACCESS_KEY, SECRET_KEY)
            .build()
            .expect("a client");
        let token = rt.block_on(enkash.access_token()).expect("a token");
        let arms = Arc::new(Self {
            bare: Bare::new(&server.base_url, token.as_str()),
            enkash,
        });
        rt.block_on(async {
            arms.call(Arm::Enkash).await;
            arms.call(Arm::Bare).await;
        });
        arms
    }

    /// One lookup through `arm`; the order is checked and dropped.
    pub async fn call(&self, arm: Arm) {
        let order = match arm {
            Arm::Enkash => self
                .enkash
                .get_order_status()
                .order_id(ORDER_ID)
                .send()
                .await
                .payload()
                .expect("an order"),
            Arm::Bare => self.bare.get_order_status(ORDER_ID).await,
        };
        assert_eq!(order.order_id.as_deref(), Some(ORDER_ID));
        black_box(order);
    }
}

/// An order as the spec describes it, every field filled: what a lookup decodes. Its
/// `merchantIdentifierKey` is the access key, as the order EnKash documents carries it.
pub fn order_answer() -> serde_json::Value {
    serde_json::json!({
        "response_code": 0,
        "response_message": "SUCCESS",
        "payload": {
            "orderId": ORDER_ID,
            "created": "2026-11-20T10:15:30Z",
            "lastModified": "2026-11-20T10:17:02Z",
            "merchantOrderId": "INV20261120001",
            "merchantIdentifierKey": ACCESS_KEY,
            "amount": 1499.5,
            "currency": "INR",
            "returnUrl": "https://shop.example.com/checkout/return",
            "notifyUrl": "https://shop.example.com/hooks/enkash",
            "status": "PAID",
            "customerInfo": {
                "firstName": "Asha",
                "lastName": "Verma",
                "email": "asha.verma@example.com",
                "phoneNumber": "9876543210"
            },
            "orderMessage": "Payment successful",
            "orderDate": "2026-11-20T10:15:30Z",
            "customParameters": {"cart": "C-1029", "channel": "web"}
        }
    })
}
