//! One order lookup through enkash: the token request, the call, the decoded payload.

use enkash::Payload;

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let base_url = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "http://127.0.0.1:9".to_string());
    let client = enkash::Client::builder()
        .base_url(base_url)
        .credentials("ACCESS_KEY", "SECRET_KEY")
        .build()
        .expect("a valid configuration");
    let order = client
        .get_order_status()
        .order_id("ORD_1")
        .send()
        .await
        .payload();
    match order {
        Ok(order) => println!("{:?}", order.status),
        Err(error) => println!("{error}"),
    }
}
