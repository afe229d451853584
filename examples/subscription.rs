//! A monthly subscription on UPI Autopay, against the sandbox: create the mandate, the payer
//! approves it, send the pre-debit notification, wait the 24 hours it needs (the sandbox's
//! clock is moved 25 hours instead), debit, receive and parse the callbacks, do it again the
//! next month, revoke, and see a debit after revocation refused.
//!
//! ```sh
//! cargo run --example subscription
//! ```
//!
//! Against EnKash's UAT, the payer approves in their UPI app and a real day passes between
//! the notice and the debit; the calls are the same.

use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use axum::Router;
use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use enkash::types::{
    CreateUpiMandateRequest, Currency, ExecuteMandateDebitRequest, MandateAmountRule,
    MandatePayerRequest, MandatePreDebitRequest, MandateRecurrencePeriod, MandateRecurrenceRequest,
    MandateRecurrenceRule, MandateStatus, MandateValidityRequest, OrderStatus, PaymentStatus,
    RevokeUpiMandateRequest,
};
use enkash::webhook::{parse_mandate_debit_callback, parse_upi_mandate_callback};
use enkash::{Client, Payload, Rupees};
use enkash_sandbox::{codes, Sandbox};
use tokio::sync::mpsc;

type Error = Box<dyn std::error::Error>;

/// A callback as the merchant's endpoint received it: which one, and the raw body.
#[derive(Debug)]
enum Callback {
    Mandate(Bytes),
    Debit(Bytes),
}

async fn mandate_callback(
    State(received): State<mpsc::UnboundedSender<Callback>>,
    body: Bytes,
) -> StatusCode {
    let _ = received.send(Callback::Mandate(body));
    StatusCode::OK
}

async fn debit_callback(
    State(received): State<mpsc::UnboundedSender<Callback>>,
    body: Bytes,
) -> StatusCode {
    let _ = received.send(Callback::Debit(body));
    StatusCode::OK
}

/// The merchant's callback endpoints, on 127.0.0.1; returns their base URL and what arrives.
async fn callback_endpoint() -> Result<(String, mpsc::UnboundedReceiver<Callback>), Error> {
    let (sender, received) = mpsc::unbounded_channel();
    let app = Router::new()
        .route("/enkash/upi-mandate", post(mandate_callback))
        .route("/enkash/upi-mandate-debit", post(debit_callback))
        .with_state(sender);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Ok((base, received))
}

/// The next callback, or an error after five seconds.
async fn next_callback(
    received: &mut mpsc::UnboundedReceiver<Callback>,
) -> Result<Callback, Error> {
    match tokio::time::timeout(Duration::from_secs(5), received.recv()).await {
        Ok(Some(callback)) => Ok(callback),
        _ => Err("no callback arrived within five seconds".into()),
    }
}

/// The next UPI Mandate Callback's status.
async fn mandate_status(
    received: &mut mpsc::UnboundedReceiver<Callback>,
) -> Result<MandateStatus, Error> {
    match next_callback(received).await? {
        Callback::Mandate(body) => {
            let mandate = parse_upi_mandate_callback(&body)?;
            println!(
                "  callback: mandate {} is {}",
                mandate.reference_id,
                mandate
                    .status
                    .as_ref()
                    .map_or("(no status)", MandateStatus::as_str)
            );
            mandate
                .status
                .ok_or_else(|| "a mandate callback without a status".into())
        }
        Callback::Debit(_) => Err("expected a mandate callback, got a debit callback".into()),
    }
}

/// The day (Indian Standard Time) of an instant: pre-debit notices name the debit's day.
fn day_in_india(instant: DateTime<Utc>) -> Result<NaiveDate, Error> {
    let ist = FixedOffset::east_opt(5 * 3600 + 1800).ok_or("IST is a valid offset")?;
    Ok(instant.with_timezone(&ist).date_naive())
}

/// One month's charge: notice, 25 hours later the debit, then its callback.
async fn charge(
    client: &Client,
    sandbox: &Sandbox,
    received: &mut mpsc::UnboundedReceiver<Callback>,
    mandate_id: &str,
    amount: Rupees,
    remarks: &str,
) -> Result<(), Error> {
    let debit_day = day_in_india(sandbox.business_time() + chrono::Duration::hours(25))?;
    let notice = client
        .notify_upi_mandate_debit()
        .body(MandatePreDebitRequest {
            mandate_id: mandate_id.parse()?,
            amount,
            debit_date: debit_day,
        })
        .send()
        .await
        .payload()?;
    println!(
        "  pre-debit notice {} for Rs {} on {}",
        notice.predebit_notification_id, notice.amount, notice.debit_date
    );

    sandbox.advance_clock(Duration::from_secs(25 * 3600))?;
    println!(
        "  (the sandbox's clock moves 25 hours, to {})",
        sandbox.business_time()
    );

    let order = client
        .execute_upi_mandate_debit()
        .body(ExecuteMandateDebitRequest {
            mandate_id: mandate_id.parse()?,
            amount,
            remarks: remarks.to_string(),
        })
        .send()
        .await
        .payload()?;
    let order_id = order.order_id.ok_or("the debit's order has no id")?;
    println!(
        "  debit: order {order_id} is {}",
        order
            .status
            .as_ref()
            .map_or("(no status)", OrderStatus::as_str)
    );

    let debit = match next_callback(received).await? {
        Callback::Debit(body) => parse_mandate_debit_callback(&body)?,
        Callback::Mandate(_) => return Err("expected a debit callback".into()),
    };
    if debit.order_id != order_id || debit.status != Some(PaymentStatus::Success) {
        return Err("the debit callback does not report this debit's success".into());
    }
    // A callback carries no signature: confirm with EnKash before granting the month.
    let confirmed = client
        .get_order_status()
        .order_id(&order_id)
        .send()
        .await
        .payload()?;
    if confirmed.status != Some(OrderStatus::Paid) || confirmed.amount != Some(amount) {
        return Err("EnKash does not confirm the debit".into());
    }
    println!("  callback: debit of Rs {amount} confirmed paid; the month is granted");
    Ok(())
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    let sandbox = Sandbox::start().await?;
    let (endpoint, mut received) = callback_endpoint().await?;
    // EnKash documents no field that sets these URLs: merchant configuration, in the sandbox
    // set here.
    sandbox.set_mandate_callback_url(format!("{endpoint}/enkash/upi-mandate"));
    sandbox.set_mandate_debit_callback_url(format!("{endpoint}/enkash/upi-mandate-debit"));
    let client = Client::builder()
        .base_url(sandbox.base_url())
        .credentials(sandbox.access_key(), sandbox.secret_key())
        .build()?;

    let price = Rupees::from_paise(49_900);
    let now = sandbox.business_time();
    println!("Creating a monthly mandate of up to Rs {price}");
    let mandate = client
        .create_upi_mandate()
        .body(CreateUpiMandateRequest {
            reference_id: "SUB20261120001".parse()?,
            amount: price,
            amount_rule: MandateAmountRule::Max,
            currency: Currency::Inr,
            payer: MandatePayerRequest {
                name: "Asha Verma".into(),
                vpa: "asha.verma@okbank".into(),
                account: "123456789012".into(),
                account_validation: false,
            },
            mandate_name: "Monthly plan".into(),
            expiry: now + chrono::Duration::days(1),
            block_fund: false,
            recurrence: MandateRecurrenceRequest {
                period: MandateRecurrencePeriod::Monthly,
                rule: MandateRecurrenceRule::On,
                value: std::num::NonZeroU32::MIN,
            },
            validity: MandateValidityRequest {
                start_at: now,
                end_at: now + chrono::Duration::days(365),
            },
            upi_reference_url: None,
            description: Some("Example Streaming, monthly plan".into()),
        })
        .send()
        .await
        .payload()?;
    println!(
        "  mandate {} ({}) awaits the payer",
        mandate.reference_id, mandate.mandate_id
    );

    println!("The payer approves it in their UPI app");
    sandbox.approve_mandate(&mandate.reference_id)?;
    if mandate_status(&mut received).await? != MandateStatus::Active {
        return Err("the mandate did not become active".into());
    }

    println!("Month 1");
    charge(
        &client,
        &sandbox,
        &mut received,
        &mandate.mandate_id,
        price,
        "Monthly plan, month 1",
    )
    .await?;

    println!("Month 2");
    sandbox.advance_clock(Duration::from_secs(31 * 24 * 3600))?;
    charge(
        &client,
        &sandbox,
        &mut received,
        &mandate.mandate_id,
        price,
        "Monthly plan, month 2",
    )
    .await?;

    println!("The customer cancels: revoke the mandate");
    let revoked = client
        .revoke_upi_mandate()
        .body(RevokeUpiMandateRequest {
            reference_id: mandate.reference_id.parse()?,
        })
        .send()
        .await
        .payload()?;
    println!(
        "  mandate is {}",
        revoked
            .status
            .as_ref()
            .map_or("(no status)", MandateStatus::as_str)
    );
    if mandate_status(&mut received).await? != MandateStatus::Revoked {
        return Err("no revocation callback".into());
    }

    println!("A debit after revocation");
    let refused = client
        .execute_upi_mandate_debit()
        .body(ExecuteMandateDebitRequest {
            mandate_id: mandate.mandate_id.parse()?,
            amount: price,
            remarks: "Monthly plan, month 3".into(),
        })
        .send()
        .await
        .payload();
    match refused {
        Err(e) if e.response_code() == Some(codes::MANDATE_REVOKED) => {
            println!("  refused, as it must be: {e}");
        }
        Err(e) => return Err(format!("refused for another reason: {e}").into()),
        Ok(_) => return Err("a revoked mandate was debited".into()),
    }
    println!(
        "Done: {} callbacks received",
        sandbox.mandate_callbacks_delivered()
    );
    Ok(())
}
