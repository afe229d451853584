//! A monthly subscription on UPI Autopay, against the sandbox: create the mandate, the payer
//! approves it, send the pre-debit notification, wait the 24 hours it needs (the sandbox's
//! clock is moved 25 hours instead), debit, and grant each month from its confirmed debit
//! callback: in month 1 the callback arrives before the debit's answer, in month 2 the answer
//! is lost. Then revoke, and see a debit after revocation refused.
//!
//! ```sh
//! cargo run --example subscription
//! ```
//!
//! Against EnKash's UAT, the payer approves in their UPI app and a real day passes between
//! the notice and the debit; the calls are the same.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
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
    MandateRecurrenceRule, MandateStatus, MandateValidityRequest, OrderStatus,
    RevokeUpiMandateRequest,
};
use enkash::webhook::{
    confirm_mandate_debit, debited_mandate, parse_mandate_debit_callback,
    parse_upi_mandate_callback,
};
use enkash::{Client, Payload, Recovery, Rupees};
use enkash_sandbox::{codes, CallFault, Sandbox};
use tokio::sync::mpsc;

type Error = Box<dyn std::error::Error>;

/// The merchant's subscription books: the debit in flight per mandate (its period and
/// amount, recorded *before* the debit is sent) and the periods granted, each with its order.
#[derive(Debug, Default)]
struct Books {
    in_flight: HashMap<String, (u32, Rupees)>,
    granted: BTreeMap<(String, u32), String>,
}

/// What the callback endpoints share: the client, the books, and the mandate callbacks
/// received (for the example's narration).
#[derive(Clone)]
struct Merchant {
    client: Client,
    books: Arc<Mutex<Books>>,
    mandate_callbacks: mpsc::UnboundedSender<Bytes>,
}

async fn mandate_callback(State(merchant): State<Merchant>, body: Bytes) -> StatusCode {
    let _ = merchant.mandate_callbacks.send(body);
    StatusCode::OK
}

/// The Mandate Debit Callback handler. It may run before `execute_upi_mandate_debit` has
/// answered (or when that answer is lost), so it needs nothing from the answer: EnKash's order
/// names the mandate, the books give this period's amount, and `confirm_mandate_debit` checks
/// the rest with EnKash. A period is granted once, however often the callback comes.
async fn debit_callback(State(merchant): State<Merchant>, body: Bytes) -> StatusCode {
    match grant_from_callback(&merchant, &body).await {
        Ok(()) => StatusCode::OK,
        // Pending, or EnKash could not be asked: answer an error so it can come again.
        Err(Refusal::Later(why)) => {
            println!("  callback: not yet ({why})");
            StatusCode::SERVICE_UNAVAILABLE
        }
        Err(Refusal::Never(why)) => {
            println!("  callback: not acting on it ({why})");
            StatusCode::UNPROCESSABLE_ENTITY
        }
    }
}

enum Refusal {
    Later(String),
    Never(String),
}

async fn grant_from_callback(merchant: &Merchant, body: &[u8]) -> Result<(), Refusal> {
    let never = |why: &dyn std::fmt::Display| Refusal::Never(why.to_string());
    let callback = parse_mandate_debit_callback(body).map_err(|e| never(&e))?;
    let order = merchant
        .client
        .get_order_status()
        .order_id(&callback.order_id)
        .send()
        .await
        .payload()
        .map_err(|e| Refusal::Later(e.to_string()))?;
    let reference = order
        .merchant_order_id
        .as_deref()
        .and_then(debited_mandate)
        .ok_or_else(|| never(&"not a mandate debit"))?;
    let in_flight = merchant
        .books
        .lock()
        .unwrap()
        .in_flight
        .get(reference)
        .copied();
    let (period, amount) = in_flight.ok_or_else(|| never(&"no debit of ours in flight"))?;
    let debit = confirm_mandate_debit(&merchant.client, &callback, reference, amount)
        .await
        .map_err(|e| match e.may_confirm_later() {
            true => Refusal::Later(e.to_string()),
            false => never(&e),
        })?;
    let mut books = merchant.books.lock().unwrap();
    let key = (reference.to_string(), period);
    // Granted once per (mandate, period), however often the callback comes.
    if let std::collections::btree_map::Entry::Vacant(month) = books.granted.entry(key) {
        println!(
            "  callback: debit of Rs {amount} confirmed by EnKash (order {}); month {period} granted",
            debit.order_id()
        );
        month.insert(debit.order_id().to_string());
        books.in_flight.remove(reference);
    }
    Ok(())
}

/// The merchant's callback endpoints, on 127.0.0.1; returns their base URL.
async fn callback_endpoint(merchant: Merchant) -> Result<String, Error> {
    let app = Router::new()
        .route("/enkash/upi-mandate", post(mandate_callback))
        .route("/enkash/upi-mandate-debit", post(debit_callback))
        .with_state(merchant);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Ok(base)
}

/// The next UPI Mandate Callback's status, or an error after five seconds.
async fn mandate_status(
    received: &mut mpsc::UnboundedReceiver<Bytes>,
) -> Result<MandateStatus, Error> {
    let body = match tokio::time::timeout(Duration::from_secs(5), received.recv()).await {
        Ok(Some(body)) => body,
        _ => return Err("no mandate callback arrived within five seconds".into()),
    };
    let mandate = parse_upi_mandate_callback(&body)?;
    let status = mandate
        .status
        .ok_or("a mandate callback without a status")?;
    println!(
        "  callback: mandate {} is {}",
        mandate.reference_id,
        status.as_str()
    );
    Ok(status)
}

/// The day (Indian Standard Time) of an instant: pre-debit notices name the debit's day.
fn day_in_india(instant: DateTime<Utc>) -> Result<NaiveDate, Error> {
    let ist = FixedOffset::east_opt(5 * 3600 + 1800).ok_or("IST is a valid offset")?;
    Ok(instant.with_timezone(&ist).date_naive())
}

/// The month granted for `(reference, period)`, waiting up to five seconds for its callback.
async fn granted(books: &Mutex<Books>, reference: &str, period: u32) -> Option<String> {
    for _ in 0..250 {
        let key = (reference.to_string(), period);
        if let Some(order_id) = books.lock().unwrap().granted.get(&key) {
            return Some(order_id.clone());
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    None
}

/// One month's charge: record it in flight, notice, 25 hours later the debit. The callback
/// grants the month, before the debit's answer or without it. Returns whether the month was
/// granted before the debit's answer arrived.
async fn charge(
    merchant: &Merchant,
    sandbox: &Sandbox,
    reference: &str,
    mandate_id: &str,
    period: u32,
    amount: Rupees,
) -> Result<bool, Error> {
    let client = &merchant.client;
    merchant
        .books
        .lock()
        .unwrap()
        .in_flight
        .insert(reference.to_string(), (period, amount));
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

    let debit = client
        .execute_upi_mandate_debit()
        .body(ExecuteMandateDebitRequest {
            mandate_id: mandate_id.parse()?,
            amount,
            remarks: format!("Monthly plan, month {period}"),
        })
        .send()
        .await
        .payload();
    match debit {
        Ok(order) => {
            let order_id = order.order_id.ok_or("the debit's order has no id")?;
            let status = order
                .status
                .as_ref()
                .map_or("(no status)", OrderStatus::as_str);
            let key = (reference.to_string(), period);
            let first = merchant.books.lock().unwrap().granted.contains_key(&key);
            println!("  debit answered: order {order_id} is {status} (callback first: {first})");
            // The month is granted from the callback; the answer names the same order.
            if granted(&merchant.books, reference, period).await.as_deref() != Some(&order_id) {
                return Err("the month granted is not the debit's order".into());
            }
            return Ok(first);
        }
        Err(e) if e.outcome_unknown() && e.recovery() == Recovery::LookUp => {
            println!("  debit's answer lost: {e}");
            // Never sent again. In the sandbox the gateway performs it a minute later; its
            // callback then grants the month.
            sandbox.advance_clock(Duration::from_secs(60))?;
            granted(&merchant.books, reference, period)
                .await
                .ok_or("no callback for the lost debit")?;
        }
        Err(e) => return Err(e.into()),
    }
    Ok(false)
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    let sandbox = Sandbox::start().await?;
    let client = Client::builder()
        .base_url(sandbox.base_url())
        .credentials(sandbox.access_key(), sandbox.secret_key())
        .build()?;
    let (mandate_callbacks, mut received) = mpsc::unbounded_channel();
    let merchant = Merchant {
        client: client.clone(),
        books: Arc::default(),
        mandate_callbacks,
    };
    let endpoint = callback_endpoint(merchant.clone()).await?;
    // EnKash documents no field that sets these URLs: merchant configuration, in the sandbox
    // set here.
    sandbox.set_mandate_callback_url(format!("{endpoint}/enkash/upi-mandate"));
    sandbox.set_mandate_debit_callback_url(format!("{endpoint}/enkash/upi-mandate-debit"));

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

    let reference = mandate.reference_id.as_str();
    println!("Month 1: the debit callback arrives before the debit's answer");
    // The sandbox holds the answer until the callback has been answered, as EnKash may.
    sandbox.fail_next_calls(
        "execute_upi_mandate_debit",
        [CallFault::AnswerAfterCallbacks],
    );
    if !charge(
        &merchant,
        &sandbox,
        reference,
        &mandate.mandate_id,
        1,
        price,
    )
    .await?
    {
        return Err("the callback did not come before the answer".into());
    }

    println!("Month 2: the gateway takes the debit and the answer is lost");
    sandbox.advance_clock(Duration::from_secs(31 * 24 * 3600))?;
    sandbox.fail_next_calls(
        "execute_upi_mandate_debit",
        [CallFault::TakenAnswerLost {
            lands_after: Duration::from_secs(60),
        }],
    );
    charge(
        &merchant,
        &sandbox,
        reference,
        &mandate.mandate_id,
        2,
        price,
    )
    .await?;
    let months = merchant.books.lock().unwrap().granted.len();
    let debits = sandbox.attempts("execute_upi_mandate_debit");
    println!("  {months} months granted for {debits} debits sent");
    if (months, debits) != (2, 2) {
        return Err("expected two months for two debits".into());
    }

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
