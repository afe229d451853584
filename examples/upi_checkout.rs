//! A UPI checkout on the merchant's own page: create an order, show its dynamic UPI QR and the
//! app intent links, poll the UPI status with a growing delay until it settles, and confirm
//! the payment with `get_transaction_status` before fulfilling. Runs against the sandbox:
//! `cargo run --example upi_checkout`.
//!
//! In the sandbox nobody scans the QR, so a background task plays the customer: after a
//! moment it pays from a UPI app with `Sandbox::pay_upi_checkout`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use enkash::types::{Amount, CreateOrderRequest, Currency, UpiStatus};
use enkash::{Client, Payload, Rupees};
use enkash_sandbox::Sandbox;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let sandbox = Arc::new(Sandbox::start().await?);
    let client = Client::builder()
        .base_url(sandbox.base_url())
        .credentials(sandbox.access_key(), sandbox.secret_key())
        .build()?;

    // 1. The order: the merchant's id in, EnKash's id out.
    let total: Rupees = "1499.50".parse()?;
    let request: CreateOrderRequest = CreateOrderRequest::builder()
        .order_id("INV20261120042")
        .amount(Amount {
            value: total,
            currency: Currency::Inr,
        })
        .description(Some("2 x cotton kurta".to_string()))
        .try_into()?;
    let order = client.create_order().body(request).send().await.payload()?;
    let order_id = order.order_id.ok_or("EnKash's answer has no order id")?;
    println!("order {order_id} created for Rs {total}");

    // 2. The dynamic QR (for a desktop) and the intent links (for a phone).
    let qr = client
        .get_dynamic_upi_qr()
        .order_id(&order_id)
        .send()
        .await
        .payload()?;
    let payment_id = qr.ek_pay_id.ok_or("the QR answer has no ekPayId to poll")?;
    println!(
        "show the QR: {} bytes of base64 PNG, encoding {}",
        qr.qr_code.as_deref().map_or(0, str::len),
        qr.qr_url.as_deref().unwrap_or("(no upi:// URL)")
    );
    let links = client
        .get_upi_intent_links()
        .transaction_id(&payment_id)
        .send()
        .await
        .payload()?;
    for (app, link) in [
        ("Google Pay", &links.gpay),
        ("PhonePe", &links.phonepe),
        ("Paytm", &links.paytm),
        ("any UPI app", &links.upi),
    ] {
        if let Some(link) = link {
            println!("  {app}: {link}");
        }
    }

    // The customer scans the QR and approves in their UPI app, a moment later.
    let customer = {
        let (sandbox, payment_id) = (Arc::clone(&sandbox), payment_id.clone());
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(700)).await;
            sandbox.pay_upi_checkout(&payment_id, "asha.verma@okbank")
        })
    };

    // 3. Poll the UPI status with a growing delay until it is final, within a deadline.
    let deadline = Instant::now() + Duration::from_secs(5 * 60);
    let mut delay = Duration::from_millis(200);
    let status = loop {
        let upi = client
            .get_upi_transaction_status()
            .transaction_id(&payment_id)
            .send()
            .await
            .payload()?;
        let status = upi.status.unwrap_or(UpiStatus::Process);
        println!("UPI status: {status}");
        if status.is_final() {
            break status;
        }
        if Instant::now() + delay > deadline {
            return Err("the customer did not pay in time".into());
        }
        tokio::time::sleep(delay).await;
        delay = (delay * 2).min(Duration::from_secs(5));
    };
    customer.await??;

    // 4. Confirm with the gateway's own record of the payment before fulfilling.
    let payment = client
        .get_transaction_status()
        .transaction_id(&payment_id)
        .send()
        .await
        .payload()?;
    let confirmed = status.is_success()
        && payment.status.as_ref().is_some_and(|s| s.is_success())
        && payment.amount == Some(total)
        && payment.order_id.as_deref() == Some(order_id.as_str());
    if !confirmed {
        return Err(format!("not confirmed: UPI {status}, payment {:?}", payment.status).into());
    }
    println!(
        "confirmed: payment {payment_id} of Rs {total} for order {order_id} is {:?}; fulfil it",
        payment.status
    );
    Ok(())
}
