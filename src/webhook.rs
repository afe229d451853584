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
mod parse;

pub use confirm::{confirm_payment, ConfirmError, ConfirmedPayment};
pub use mandate::{parse_mandate_debit_callback, parse_upi_mandate_callback};
pub use mandate_confirm::{confirm_mandate_debit, debited_mandate, ConfirmedMandateDebit};
pub use parse::{parse_payment_link_webhook, parse_payment_notification, WebhookError};
