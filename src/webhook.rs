//! Parsing the webhooks EnKash posts to the merchant.
//!
//! EnKash documents no way to authenticate a webhook: the payment notification's `checksum`
//! has no documented algorithm, and payment-link webhooks carry nothing. Anyone can post a
//! notification, and a genuine one can be replayed for another order. So parse the body, then
//! **confirm** it with [`confirm_payment`] before you ship goods or mark an order paid: it asks
//! EnKash about the transaction the notification names and binds it to *your* order id and the
//! amount *your* records say the order costs (never the notification's).
//!
//! ```no_run
//! use enkash::webhook::{confirm_payment, parse_payment_notification};
//! use enkash::Rupees;
//!
//! # async fn on_notification(client: &enkash::Client, body: &[u8]) -> Result<(), Box<dyn std::error::Error>> {
//! let notification = parse_payment_notification(body)?;
//! // From your own records: the order id you gave create_order, and its price.
//! let (my_order_id, my_amount) = ("INV20261120001", Rupees::from_paise(149_950));
//! let paid = confirm_payment(client, &notification, my_order_id, my_amount).await?;
//! // EnKash says this transaction paid this order, in full: fulfil it (once per transaction).
//! # let _ = paid;
//! # Ok(()) }
//! ```
//!
//! Checking only that the named transaction succeeded is not enough: a real Rs 1 `SUCCESS`
//! transaction claimed for a Rs 25,000 order would pass. [`ConfirmError`] says which check
//! failed.

mod confirm;
mod mandate;
mod mandate_confirm;

pub use confirm::{confirm_payment, ConfirmError, ConfirmedPayment};
pub use mandate::{parse_mandate_debit_callback, parse_upi_mandate_callback};
pub use mandate_confirm::{confirm_mandate_debit, debited_mandate, ConfirmedMandateDebit};

use serde::de::DeserializeOwned;

use crate::types::{PaymentLinkWebhook, PaymentNotification};

/// Why a webhook body could not be parsed. Messages name the field, never its value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WebhookError {
    /// The body is not JSON.
    #[error("the webhook body is not JSON (line {line}, column {column})")]
    NotJson {
        /// Where the JSON broke.
        line: usize,
        /// Where the JSON broke.
        column: usize,
    },
    /// The body is JSON but not the documented payload.
    #[error("the webhook body is not a valid {payload}: {problem} at `{field}`")]
    Invalid {
        /// The payload expected.
        payload: &'static str,
        /// The path of the offending field (`.` for the whole body).
        field: String,
        /// What is wrong with it.
        problem: String,
    },
}

/// Parses a payment notification (the body EnKash posts to an order's `notifyUrl`).
///
/// ```
/// let body = br#"{"orderId": "ORD_1", "transactionId": "TXN_1", "status": "SUCCESS"}"#;
/// let notification = enkash::webhook::parse_payment_notification(body).unwrap();
/// assert_eq!(notification.transaction_id, "TXN_1");
///
/// let error = enkash::webhook::parse_payment_notification(br#"{"orderId": "ORD_1"}"#);
/// assert_eq!(
///     error.unwrap_err().to_string(),
///     "the webhook body is not a valid PaymentNotification: missing field `transactionId` at `.`"
/// );
/// ```
pub fn parse_payment_notification(body: &[u8]) -> Result<PaymentNotification, WebhookError> {
    parse(body, "PaymentNotification")
}

/// Parses a payment-link webhook. Answer it with HTTP 200 and `{}`.
pub fn parse_payment_link_webhook(body: &[u8]) -> Result<PaymentLinkWebhook, WebhookError> {
    parse(body, "PaymentLinkWebhook")
}

fn parse<T: DeserializeOwned>(body: &[u8], payload: &'static str) -> Result<T, WebhookError> {
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    let parsed: Result<T, _> = serde_path_to_error::deserialize(&mut deserializer);
    let value = parsed.map_err(|e| {
        let field = e.path().to_string();
        let inner = e.into_inner();
        if inner.is_syntax() || inner.is_eof() {
            return WebhookError::NotJson {
                line: inner.line(),
                column: inner.column(),
            };
        }
        WebhookError::Invalid {
            payload,
            field,
            problem: crate::serde_problem::without_values(&inner),
        }
    })?;
    deserializer.end().map_err(|e| WebhookError::NotJson {
        line: e.line(),
        column: e.column(),
    })?;
    Ok(value)
}
