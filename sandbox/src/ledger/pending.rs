//! Payments left waiting for the bank (a UPI address ending in
//! [`PENDING_VPA_SUFFIX`](super::PENDING_VPA_SUFFIX)) until a test settles them, and
//! notifications delivered again, as a gateway that retries does.

use chrono::Utc;

use super::{Ledger, Notify, Outcome};
use enkash::types::{OrderTransaction, PaymentStatus};

/// Why [`Sandbox::settle_transaction`](crate::Sandbox::settle_transaction) or
/// [`Sandbox::redeliver_notification`](crate::Sandbox::redeliver_notification) did
/// nothing.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// use enkash_sandbox::{Sandbox, SettleError};
///
/// let sandbox = Sandbox::start().await.unwrap();
/// assert!(matches!(
///     sandbox.settle_transaction("TXN_NO_SUCH", true),
///     Err(SettleError::UnknownTransaction(_))
/// ));
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SettleError {
    /// The sandbox holds no transaction with this id.
    #[error("the sandbox holds no transaction {0}")]
    UnknownTransaction(String),
    /// The transaction is not waiting for the bank: it was settled already, or never pending
    /// (only a UPI payment from an address ending in `@pending` is).
    #[error(
        "transaction {transaction_id} is {status}, not waiting for the bank: only a UPI payment \
         from an address ending in `@pending` can be settled, and only once"
    )]
    NotPending {
        /// The transaction.
        transaction_id: String,
        /// Its status now.
        status: PaymentStatus,
    },
    /// No notification has been sent for the transaction: it is still pending, or its order
    /// has no `notifyUrl`.
    #[error(
        "no notification was sent for transaction {0}: it is still pending, or its order has \
         no notifyUrl"
    )]
    NoNotification(String),
}

impl Ledger {
    /// Settles a pending payment as the bank would: the transaction becomes `SUCCESS` (the
    /// order `PAID`) or `FAILED` (the order `ATTEMPTED`, payable again). Returns the
    /// transaction and the notification to send.
    pub(crate) fn settle(
        &mut self,
        transaction_id: &str,
        succeeded: bool,
    ) -> Result<(OrderTransaction, Option<Notify>), SettleError> {
        let bank_reference = format!("{:012}", self.next_id + 1);
        let transaction = self
            .transactions
            .get_mut(transaction_id)
            .ok_or_else(|| SettleError::UnknownTransaction(transaction_id.to_string()))?;
        if transaction.status != Some(PaymentStatus::PendingWithBank) {
            return Err(SettleError::NotPending {
                transaction_id: transaction_id.to_string(),
                status: transaction
                    .status
                    .clone()
                    .unwrap_or_else(|| PaymentStatus::Unknown(String::new())),
            });
        }
        let outcome = Outcome::declined_if(!succeeded);
        let (status, order_status, message) = outcome.statuses();
        let now = Utc::now();
        transaction.status = Some(status);
        transaction.txn_msg = Some(message.into());
        transaction.last_modified = Some(now);
        transaction.txn_date = Some(now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
        transaction.bank_transaction_id = succeeded.then_some(bank_reference);
        let transaction = transaction.clone();
        self.next_id += 1;
        if !succeeded {
            self.splits.remove(transaction_id);
        }
        let order_id = transaction.order_id.clone().unwrap_or_default();
        let notify_url = self.orders.get_mut(&order_id).and_then(|order| {
            order.status = Some(order_status.clone());
            order.order_message = Some(message.into());
            order.last_modified = Some(now);
            order.notify_url.clone()
        });
        let notify = self.notify(notify_url, &transaction, order_status, now);
        Ok((transaction, notify))
    }

    /// The last notification sent for a transaction, to send again unchanged.
    pub(crate) fn last_notification(&self, transaction_id: &str) -> Result<Notify, SettleError> {
        if !self.transactions.contains_key(transaction_id) {
            return Err(SettleError::UnknownTransaction(transaction_id.to_string()));
        }
        self.notified
            .get(transaction_id)
            .cloned()
            .ok_or_else(|| SettleError::NoNotification(transaction_id.to_string()))
    }
}
