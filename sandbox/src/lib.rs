//! `enkash-sandbox`: an EnKash look-alike for examples and tests, in-process
//! ([`Sandbox::start`]) or as the standalone server `enkash-sandbox` for other teams.
//!
//! It binds `127.0.0.1`, implements every operation of `openapi/enkash.yaml` the way the docs
//! describe, checks credentials and both authentication headers, and lets a test inject the
//! faults a real gateway has: failing or slow token requests, rejections, odd expiries, a
//! skewed clock, revoked tokens.
//!
//! Payments succeed, except with [`DECLINED_CARD`] or a UPI address ending in
//! [`DECLINED_VPA_SUFFIX`] (declined), or a UPI address ending in [`PENDING_VPA_SUFFIX`]: that
//! payment waits for the bank until the test settles it with
//! [`Sandbox::settle_transaction`], which sends the payment notification.
//! [`Sandbox::redeliver_notification`] sends a notification again, as a retrying gateway does.
//! Refusals carry the sandbox's own `response_code`s, named in [`codes`].
//!
//! The operations added from the portal's list have their lives too:
//!
//! - **Checkout UPI.** `get_dynamic_upi_qr` opens one UPI payment per order (the order becomes
//!   `CHECKOUT_RENDERED`; asking again shows the same payment, by the order's id or the
//!   payment's). Its UPI status is `PROCESS` until the test plays the customer with
//!   [`Sandbox::pay_upi_checkout`]: `SUCCESS` and the order `PAID`, or `FAILED` (the order
//!   `ATTEMPTED`; a new QR opens a new payment) for a payer VPA ending in
//!   [`DECLINED_VPA_SUFFIX`], then the usual notification. The QR image is a placeholder, not a
//!   scannable code. The `/pay/...` endpoints take a call with no auth headers (EnKash shows
//!   none) but refuse wrong ones.
//! - **OTP.** A credit card payment with [`OTP_CARD`] waits for `validate_otp` with
//!   [`SANDBOX_OTP`]; a wrong OTP is refused ([`codes::WRONG_OTP`]) and the payment keeps
//!   waiting. `resend_otp` is counted ([`Sandbox::otp_resends`]) and allowed twice per payment (a
//!   peer gateway's limit; EnKash documents none); the third is refused with HTTP 422
//!   ([`codes::OTP_RESEND_LIMIT`]).
//! - **Verify VPA** names the holder from the address (`asha.verma@okbank` is `Asha Verma`) and
//!   refuses one without `@` or ending in [`INVALID_VPA_SUFFIX`] ([`codes::INVALID_VPA`]).
//! - **UPI QR codes** are created `ACTIVE`. [`Sandbox::pay_upi_qr`] pays one as a customer
//!   would; a [`QrPaymentError`] refuses a cancelled code (cancel is final), an expired one (its
//!   status stays `ACTIVE`: EnKash documents no `EXPIRED`), a single-use code paid already, or
//!   another amount than a fixed-amount code's. A fixed-amount code without an amount
//!   ([`codes::QR_AMOUNT_REQUIRED`]) and a `customerId` that `create_customer` did not make
//!   ([`codes::UNKNOWN_CUSTOMER`]) are refused.
//! - **Split accounts** are created active (the answer carries no access key: how EnKash issues
//!   one is not documented); a deactivated account takes no split
//!   ([`codes::UNKNOWN_SPLIT_ACCOUNT`]) until activated again.
//!
//! UPI Autopay mandates follow RBI's and NPCI's rules (pre-debit notice 24 hours ahead, one
//! debit per recurrence period, `EXACT`/`MAX`, Rs 15,000 without the payer's authentication,
//! nothing after revocation or expiry) on a business clock a test moves with
//! [`Sandbox::advance_clock`]; a test plays the payer with [`Sandbox::approve_mandate`] and
//! [`Sandbox::pause_mandate`].
//!
//! A request the gateway takes while its answer is lost ([`CallFault::TakenAnswerLost`]) is
//! performed only once business time has moved on: look-ups find nothing first and the
//! effect later, the case a client's recovery advice is for. [`Sandbox::order`],
//! [`Sandbox::refunds`] and [`Sandbox::landings_pending`] count what really happened.
//!
//! The standalone server (binary `enkash-sandbox`) offers everything above over HTTP, under
//! `/__sandbox/`: its control API, with a spec of its own ([`CONTROL_SPEC_PATH`],
//! `openapi/sandbox-control.yaml`) from whose paths the routes are made;
//! [`Sandbox::control_endpoints`] lists them.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! use enkash_sandbox::Sandbox;
//!
//! let sandbox = Sandbox::start().await.unwrap();
//! let client = enkash::Client::builder()
//!     .base_url(sandbox.base_url())
//!     .credentials(sandbox.access_key(), sandbox.secret_key())
//!     .build()
//!     .unwrap();
//! let order = client.get_order_status().order_id(Sandbox::PAID_ORDER_ID).send().await.unwrap();
//! assert_eq!(order.payload.as_ref().unwrap().status, Some(enkash::types::OrderStatus::Paid));
//! assert_eq!(sandbox.token_requests(), 1);
//! # }
//! ```

#![forbid(unsafe_code)]

pub mod codes;
mod contract;
mod control;
mod fault_kinds;
mod faults;
#[doc(hidden)]
pub mod fuzzing;
mod http;
mod landing;
mod ledger;
mod outbox;
mod router;
mod sandbox;
mod schema_problems;
mod server;
mod spec;
mod state;

pub use contract::validate;
pub use control::{ControlEndpoint, CONTROL_SPEC_PATH};
pub use fault_kinds::{CallFault, TokenFault};
pub use http::checkout::INVALID_VPA_SUFFIX;
pub use ledger::{MandateActionError, AFA_VPA_SUFFIX};
pub use ledger::{
    QrPaymentError, SettleError, DECLINED_CARD, DECLINED_VPA_SUFFIX, OTP_CARD, PENDING_VPA_SUFFIX,
    SANDBOX_OTP,
};
pub use sandbox::clock::ClockError;
pub use sandbox::{Sandbox, SandboxBuilder};
pub use schema_problems::{schema_problems, SchemaProblem};

use state::{Inner, SandboxState};
