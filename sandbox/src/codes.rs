//! The `response_code`s (and one `resultCode`) the sandbox answers with when it refuses.
//!
//! **These are the sandbox's own codes.** EnKash documents no list of `response_code` values:
//! its examples show only `0` for success. A real gateway will refuse the same requests with
//! codes of its own, so match on these only in tests against the sandbox, and in production
//! code read [`CallError::response_code`](enkash::CallError::response_code) together with the
//! message.
//!
//! Business-rule refusals come in an HTTP 200 envelope; the others ride on the HTTP error
//! status they mirror.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! use enkash_sandbox::{codes, Sandbox};
//! use enkash::Payload;
//!
//! let sandbox = Sandbox::start().await.unwrap();
//! let client = enkash::Client::builder()
//!     .base_url(sandbox.base_url())
//!     .credentials(sandbox.access_key(), sandbox.secret_key())
//!     .build()
//!     .unwrap();
//! let payment = enkash::types::SubmitPaymentRequest {
//!     order_id: Sandbox::PAID_ORDER_ID.to_string(),
//!     payment_detail: enkash::types::PaymentDetail::NetBanking { bank_code: "HDFC".into() },
//!     split_settlement: None,
//! };
//! let refused = client.submit_payment().body(payment).send().await.payload().unwrap_err();
//! assert_eq!(refused.response_code(), Some(codes::ORDER_NOT_PAYABLE));
//! # }
//! ```

mod mandate;
pub use mandate::*;

/// The order cannot take a payment: it is already paid, cancelled, expired, or has a payment
/// waiting for the bank. (Business rule, HTTP 200.)
pub const ORDER_NOT_PAYABLE: i32 = 1001;
/// An order with this merchant order id exists already. (Business rule, HTTP 200.)
pub const DUPLICATE_ORDER: i32 = 1002;
/// Only a successful payment can be refunded. (Business rule, HTTP 200.)
pub const NOT_REFUNDABLE: i32 = 2001;
/// The refund would take back more than the payment's refundable rest. (Business rule,
/// HTTP 200.)
pub const REFUND_EXCEEDS_PAYMENT: i32 = 2002;
/// The refund's `requestId` was used before for a different refund. (Business rule, HTTP 200.)
pub const REQUEST_ID_REUSED: i32 = 2003;
/// Only a successful payment can be split. (Business rule, HTTP 200, in edit-split's
/// `code`/`message` envelope.)
pub const NOT_SPLITTABLE: i32 = 3001;
/// A split names an unknown or inactive split account. (Business rule, HTTP 200.)
pub const UNKNOWN_SPLIT_ACCOUNT: i32 = 3002;
/// The split's shares add up to more than the payment. (Business rule, HTTP 200.)
pub const SPLIT_EXCEEDS_PAYMENT: i32 = 3003;
/// The request breaks the spec (a missing, mistyped or unknown field): with HTTP 400. Every
/// refusal that rides on an HTTP error status repeats that status as its `response_code`
/// (also 413 for a body too large, 415 for one that is not JSON, and the status of an
/// injected [`CallFault`](super::CallFault)).
pub const INVALID_REQUEST: i32 = 400;
/// Verify UPI VPA: `merchantIdentifierKey` is not this merchant's access key: with HTTP 403.
pub const FORBIDDEN: i32 = 403;
/// No such order, transaction, payout, QR code or split account, or no such operation: with
/// HTTP 404.
pub const NOT_FOUND: i32 = 404;
/// A missing, unknown, expired or revoked token, or a missing or unknown `merchantAccessKey`:
/// with HTTP 401. The value is the one third-party code expects from EnKash for "Token is
/// invalid." (undocumented).
pub const UNAUTHORIZED: i32 = 117;
/// The token endpoint's `resultCode` (not a `response_code`) for credentials it does not know,
/// in an HTTP 200 answer without a token.
pub const INVALID_CREDENTIALS: i32 = 401;
/// Verify UPI VPA: the address is not a UPI address the sandbox knows (no `@`, or it ends
/// with [`INVALID_VPA_SUFFIX`](super::INVALID_VPA_SUFFIX)). EnKash does not document its answer
/// to an invalid VPA. (Business rule, HTTP 200.)
pub const INVALID_VPA: i32 = 4001;
/// Validate OTP: the OTP is not [`SANDBOX_OTP`](super::SANDBOX_OTP). The payment stays
/// waiting for the right one. (Business rule, HTTP 200.)
pub const WRONG_OTP: i32 = 5001;
/// Validate or Resend OTP: the payment is not waiting for an OTP (it was never an
/// [`OTP_CARD`](super::OTP_CARD) payment, or its OTP was accepted already). (HTTP 200 for
/// Validate OTP; HTTP 422 for Resend OTP, whose success answer is text.)
pub const NO_OTP_PENDING: i32 = 5002;
/// Resend OTP: the payment's OTP was resent twice already (the sandbox's limit, a peer
/// gateway's; EnKash documents none). With HTTP 422.
pub const OTP_RESEND_LIMIT: i32 = 5003;
/// Create UPI QR: a fixed-amount code (`fixedAmount: true`) without an `amount`. (Business
/// rule, HTTP 200.)
pub const QR_AMOUNT_REQUIRED: i32 = 6001;
/// Create UPI QR: `customerId` names no customer made with Create Customer. (Business rule,
/// HTTP 200.)
pub const UNKNOWN_CUSTOMER: i32 = 6002;
