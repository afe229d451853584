//! Refunds on the books: partial or whole, never more than was paid, once per `requestId`.

use chrono::Utc;

use crate::codes;

use super::books::Ledger;
use super::terms::Refusal;
use enkash::types::{PaymentStatus, Refund, RefundRequest, RefundStatus};

use super::orders::require_successful;

impl Ledger {
    pub(crate) fn refund(
        &mut self,
        transaction_id: &str,
        request: RefundRequest,
    ) -> Result<Refund, Refusal> {
        // A positive amount and a non-empty `requestId` are the spec's rules, enforced before.
        let amount = request.amount;
        let transaction = self.transaction(transaction_id)?;
        if let Some((earlier_transaction, earlier_amount, refund)) =
            self.refunds.get(request.request_id.as_str())
        {
            // A retry of the same refund gets the same answer; anything else is a mistake.
            return if earlier_transaction == transaction_id && *earlier_amount == amount {
                Ok(refund.clone())
            } else {
                Err(Refusal::Rule(
                    codes::REQUEST_ID_REUSED,
                    format!(
                        "requestId {} was used for a different refund",
                        request.request_id.as_str()
                    ),
                ))
            };
        }
        require_successful(&transaction, codes::NOT_REFUNDABLE, "refunded")?;
        let paid = transaction.amount.unwrap_or_default();
        let refunded = self
            .refunded
            .get(transaction_id)
            .copied()
            .unwrap_or_default();
        let refundable = paid.checked_sub(refunded).unwrap_or_default();
        let refunded = match refunded.checked_add(amount) {
            Some(total) if total <= paid => total,
            _ => {
                return Err(Refusal::Rule(
                    codes::REFUND_EXCEEDS_PAYMENT,
                    format!("Refund of {amount} exceeds the refundable {refundable}"),
                ))
            }
        };
        self.refunded.insert(transaction_id.to_string(), refunded);
        let new_status = if refunded == paid {
            PaymentStatus::Refunded
        } else {
            PaymentStatus::PartiallyRefunded
        };
        if let Some(t) = self.transactions.get_mut(transaction_id) {
            t.status = Some(new_status);
            t.last_modified = Some(Utc::now());
        }
        let refund = Refund {
            transaction_id: Some(transaction_id.to_string()),
            amount: Some(amount),
            currency: transaction.currency,
            payment_mode: transaction.payment_mode,
            bank_code: transaction.bank_code,
            bank_name: transaction.bank_name,
            status: Some(RefundStatus::Created),
            txn_msg: Some("Refund initiated".into()),
            txn_date: Some(Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
            unique_transaction_id: Some(self.next("RFD")),
            bank_transaction_id: None,
        };
        self.refunds.insert(
            request.request_id.to_string(),
            (transaction_id.to_string(), amount, refund.clone()),
        );
        Ok(refund)
    }

    /// The refunds made against a transaction, oldest first (one per `requestId`).
    pub(crate) fn refunds_of(&self, transaction_id: &str) -> Vec<Refund> {
        let mut refunds: Vec<&Refund> = self
            .refunds
            .values()
            .filter(|(transaction, _, _)| transaction == transaction_id)
            .map(|(_, _, refund)| refund)
            .collect();
        // Their ids count up as they are made.
        refunds.sort_by(|a, b| a.unique_transaction_id.cmp(&b.unique_transaction_id));
        refunds.into_iter().cloned().collect()
    }
}
