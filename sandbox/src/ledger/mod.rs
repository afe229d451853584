//! The sandbox's books: orders, payment attempts, refunds and payouts, and the documented
//! rules that move them along. No HTTP here; `http/` turns outcomes into responses.

mod books;
mod checkout_upi;
mod customers;
mod mandate;
mod mandate_book;
mod orders;
mod otp;
mod pending;
mod qr;
mod refunds;
pub(crate) mod seeds;
mod settlements;
mod split;
mod terms;

pub(crate) use books::Ledger;
pub(crate) use mandate_book::Outgoing;
pub use mandate_book::{MandateActionError, AFA_VPA_SUFFIX};
use orders::Outcome;
pub use otp::{OTP_CARD, SANDBOX_OTP};
pub use pending::SettleError;
pub use qr::QrPaymentError;
pub(crate) use terms::{Notify, Refusal};
pub use terms::{DECLINED_CARD, DECLINED_VPA_SUFFIX, PENDING_VPA_SUFFIX};
