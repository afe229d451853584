//! One order lookup by hand: a token request, the call, the decoded payload.

use serde::Deserialize;

#[derive(Deserialize)]
struct Envelope<T> {
    response_code: i64,
    response_message: Option<String>,
    payload: Option<T>,
}

/// The token endpoint's answer is flat, not an envelope.
#[derive(Deserialize)]
struct Token {
    token: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Order {
    order_id: Option<String>,
    status: Option<String>,
    amount: Option<serde_json::Number>,
}

async fn lookup(base_url: &str) -> Result<Order, Box<dyn std::error::Error>> {
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()?;
    let token: Token = http
        .post(format!("{base_url}/api/v0/merchant/token"))
        .json(&serde_json::json!({"accessKey": "ACCESS_KEY", "secretKey": "SECRET_KEY"}))
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    let token = token.token.ok_or("no token")?;
    let order: Envelope<Order> = http
        .get(format!("{base_url}/api/v0/orders/ORD_1"))
        .bearer_auth(token)
        .header("merchantAccessKey", "ACCESS_KEY")
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    if order.response_code != 0 {
        return Err(order.response_message.unwrap_or_default().into());
    }
    Ok(order.payload.ok_or("no payload")?)
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let base_url = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "http://127.0.0.1:9".to_string());
    match lookup(&base_url).await {
        Ok(order) => println!("{:?} {:?} {:?}", order.order_id, order.status, order.amount),
        Err(error) => println!("{error}"),
    }
}
