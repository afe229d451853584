//! A checkout flow: create an order, submit a payment, poll its status until it settles,
//! refund part of it. Runs against the sandbox: `cargo run --example checkout`.

use std::time::Duration;

use enkash::types::{
    CreateOrderRequest, CustomerInfo, PaymentDetail, PaymentStatus, RefundRequest,
    SubmitPaymentRequest,
};
use enkash::{Client, Payload, Rupees};
use enkash_sandbox::Sandbox;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let sandbox = Sandbox::start().await?;
    let client = Client::builder()
        .base_url(sandbox.base_url())
        .credentials(sandbox.access_key(), sandbox.secret_key())
        .build()?;

    // 1. The order: the merchant's id in (letters and digits only), EnKash's id out. Money is
    //    exact `Rupees`, never f64. Every request below is one constructor (`::new`, checked
    //    before sending: a zero amount or an id like "INV-2026-001" is an error naming the
    //    field), then `with_...` for the optional fields.
    let kurta: Rupees = "749.75".parse()?;
    let total = kurta.checked_mul(2).ok_or("the order total overflows")?;
    let request = CreateOrderRequest::new("INV20261120001", total)?
        .with_description("2 x cotton kurta")
        .with_customer(
            CustomerInfo::default()
                .with_first_name("Asha")
                .with_email("asha.verma@example.com"),
        );
    let order = client.create_order().body(request).send().await.payload()?;
    // EnKash's id names the order from here on: without one there is nothing to pay.
    let order_id = order
        .order_id
        .clone()
        .ok_or("EnKash's answer has no order id")?;
    println!(
        "order {order_id} created: {:?}, pay at {:?}",
        order.status, order.redirection_url
    );

    // 2. The payment (UPI collect), against EnKash's order id.
    let payment = SubmitPaymentRequest::new(&order_id, PaymentDetail::upi("asha.verma@okbank")?)?;
    let transaction = client
        .submit_payment()
        .body(payment)
        .send()
        .await
        .payload()?;
    let transaction_id = transaction
        .transaction_id
        .ok_or("EnKash's answer has no transaction id")?;
    println!(
        "payment {transaction_id} submitted: {:?}",
        transaction.status
    );

    // 3. Poll until the payment's outcome is final (UPI can sit with the bank for minutes):
    //    SUCCESS, FAILED, CANCELLED, or already (partially) refunded. An unknown status is not
    //    final; the deadline bounds the wait.
    let mut settled = None;
    for _ in 0..30 {
        let status = client
            .get_transaction_status()
            .transaction_id(&transaction_id)
            .send()
            .await
            .payload()?
            .status;
        if let Some(status) = status.filter(PaymentStatus::is_final) {
            settled = Some(status);
            break;
        }
        tokio::time::sleep(Duration::from_secs(2)).await;
    }
    let settled =
        settled.ok_or("the payment was still not final after a minute: look again later")?;
    println!("payment settled: {settled}");
    if !settled.is_success() {
        return Err(format!("the payment ended {settled}: nothing to refund").into());
    }

    // 4. Refund one item. Reuse the request id when retrying, never a new one.
    let refund = RefundRequest::new(&format!("RFND-{transaction_id}-1"), kurta)?
        .with_remarks("one kurta returned");
    let refund = client
        .refund_transaction()
        .transaction_id(&transaction_id)
        .body(refund)
        .send()
        .await
        .payload()?;
    let refunded = refund.amount.unwrap_or_default();
    println!("refund of {refunded} rupees: {:?}", refund.status);

    let order = client
        .get_order_status()
        .order_id(&order_id)
        .send()
        .await
        .payload()?;
    println!(
        "order {order_id} is {:?} with {} payment attempt(s)",
        order.status,
        order.transactions.len()
    );
    Ok(())
}
