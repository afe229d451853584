//! The books themselves: what the sandbox holds. The rules that move them are beside, one
//! file per domain (`orders.rs`, `split.rs`, `mandate.rs`, ...), each an `impl Ledger`; the
//! types of the books' fields are here or in leaves, so the books import no rule.

use std::collections::HashMap;

use serde_json::{json, Value};

use super::mandate_book::Mandates;
use super::terms::Notify;
use enkash::types::{Order, OrderTransaction, Refund, SettlementPayout};
use enkash::Rupees;

#[derive(Debug, Default)]
pub(crate) struct Ledger {
    pub(crate) orders: HashMap<String, Order>,
    pub(crate) order_transactions: HashMap<String, Vec<String>>,
    pub(crate) transactions: HashMap<String, OrderTransaction>,
    /// By transaction: what has been refunded so far.
    pub(crate) refunded: HashMap<String, Rupees>,
    /// By `requestId`: the transaction, the amount, the refund.
    pub(crate) refunds: HashMap<String, (String, Rupees, Refund)>,
    pub(crate) payouts: Vec<SettlementPayout>,
    pub(crate) split_accounts: Vec<SplitAccount>,
    pub(crate) qr_codes: Vec<enkash::types::QrCodeResponse>,
    /// The split set on each transaction.
    pub(crate) splits: HashMap<String, Value>,
    /// By transaction: the last notification sent for it, for redelivery.
    pub(crate) notified: HashMap<String, Notify>,
    /// By order: its open checkout UPI payment (dynamic QR, intent links).
    pub(crate) checkout_upi: HashMap<String, String>,
    /// By transaction: how many times its OTP was resent.
    pub(crate) otp_resends: HashMap<String, u32>,
    /// By QR code: the payments it has taken.
    pub(crate) qr_payments: HashMap<String, u32>,
    pub(crate) customers: Vec<enkash::types::Customer>,
    /// UPI Autopay mandates (`mandate.rs`).
    pub(crate) mandates: Mandates,
    pub(crate) next_id: u64,
}

/// A split (sub-merchant) account, as the sandbox keeps it.
#[derive(Debug, Clone)]
pub(crate) struct SplitAccount {
    pub id: String,
    pub access_key: String,
    pub active: bool,
    /// The fields set through `update_split_account`, as JSON.
    pub details: serde_json::Map<String, Value>,
}

impl SplitAccount {
    /// What the sandbox answers about an account: never its key.
    pub fn view(&self) -> Value {
        let mut view = self.details.clone();
        view.insert("splitAccountDetailId".into(), json!(self.id));
        view.insert("active".into(), json!(self.active));
        Value::Object(view)
    }
}

pub(crate) fn split_account(id: &str, access_key: &str, active: bool) -> SplitAccount {
    let details = json!({"name": "Sandbox Vendor LLP", "settlementCycle": "T1"});
    SplitAccount {
        id: id.to_string(),
        access_key: access_key.to_string(),
        active,
        details: details.as_object().cloned().unwrap_or_default(),
    }
}
