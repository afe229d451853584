//! The checkout UPI session: a dynamic QR and intent links for an order, one UPI payment
//! waiting for the customer (`PROCESS`), settled when the customer pays from a UPI app
//! ([`Sandbox::pay_upi_checkout`](crate::Sandbox::pay_upi_checkout)): `SUCCESS` and
//! the order `PAID`, or `FAILED` for a payer VPA ending in `@fail`, with the usual
//! notification either way.

use chrono::Utc;

use super::orders::{is_payable, require_payable};
use super::pending::SettleError;
use super::{Ledger, Notify, Refusal, DECLINED_VPA_SUFFIX};
use enkash::types::{
    DynamicUpiQr, OrderStatus, OrderTransaction, PaymentMode, PaymentStatus, UpiIntentLinks,
    UpiStatus, UpiStatusResponse,
};

/// The sandbox's UPI address for the merchant, in every QR and link.
const PAYEE: &str = "enkash.sandbox@upi";
/// A PNG's first bytes, base64: the sandbox's QR image is a placeholder, not a scannable code.
const PLACEHOLDER_PNG: &str = "iVBORw0KGgo=";

impl Ledger {
    /// The dynamic QR for an order (EnKash's order id, or the id of the order's checkout UPI
    /// payment, as third-party code sends): one open payment per order, made on first request.
    pub(crate) fn dynamic_upi_qr(&mut self, id: &str) -> Result<DynamicUpiQr, Refusal> {
        let order_id = match self.transactions.get(id) {
            Some(transaction) => transaction.order_id.clone().unwrap_or_default(),
            None => id.to_string(),
        };
        let transaction = self.open_checkout_payment(&order_id)?;
        let transaction_id = transaction.transaction_id.unwrap_or_default();
        let amount = transaction.amount.unwrap_or_default();
        Ok(DynamicUpiQr {
            qr_code: Some(PLACEHOLDER_PNG.to_string()),
            qr_url: Some(format!(
                "upi://pay?pa={PAYEE}&pn=EnKash%20Sandbox&am={amount}&cu=INR&tr={transaction_id}"
            )),
            ek_pay_id: Some(transaction_id),
        })
    }

    /// The order's open checkout payment, made if there is none; refused for an order that
    /// cannot take a payment.
    fn open_checkout_payment(&mut self, order_id: &str) -> Result<OrderTransaction, Refusal> {
        let order = self
            .orders
            .get(order_id)
            .ok_or_else(|| Refusal::NotFound(format!("No order {order_id}")))?;
        let open = self
            .checkout_upi
            .get(order_id)
            .and_then(|id| self.transactions.get(id))
            .filter(|t| t.status == Some(PaymentStatus::PendingWithBank));
        if let Some(open) = open {
            return Ok(open.clone());
        }
        require_payable(order_id, order)?;
        let (amount, currency) = (order.amount, order.currency.clone());
        let id = self.next("TXN");
        let now = Utc::now();
        let transaction = OrderTransaction {
            transaction_id: Some(id.clone()),
            order_id: Some(order_id.to_string()),
            created: Some(now),
            last_modified: Some(now),
            amount,
            currency,
            payment_mode: Some(PaymentMode::Upi),
            status: Some(PaymentStatus::PendingWithBank),
            txn_msg: Some("Waiting for the customer to pay from a UPI app".into()),
            unique_transaction_id: Some(format!("U{id}")),
            ..Default::default()
        };
        self.transactions.insert(id.clone(), transaction.clone());
        self.order_transactions
            .entry(order_id.to_string())
            .or_default()
            .push(id.clone());
        self.checkout_upi.insert(order_id.to_string(), id);
        if let Some(order) = self.orders.get_mut(order_id) {
            // The documented meaning of CHECKOUT_RENDERED; the order still takes payments.
            order.status = Some(OrderStatus::CheckoutRendered);
            order.last_modified = Some(now);
        }
        Ok(transaction)
    }

    fn checkout_payment(&self, transaction_id: &str) -> Result<&OrderTransaction, Refusal> {
        self.checkout_upi
            .values()
            .any(|id| id == transaction_id)
            .then(|| self.transactions.get(transaction_id))
            .flatten()
            .ok_or_else(|| Refusal::NotFound(format!("No checkout UPI payment {transaction_id}")))
    }

    /// App deep links for a checkout UPI payment.
    pub(crate) fn upi_intent_links(&self, transaction_id: &str) -> Result<UpiIntentLinks, Refusal> {
        let transaction = self.checkout_payment(transaction_id)?;
        let amount = transaction.amount.unwrap_or_default();
        let query = format!("pa={PAYEE}&am={amount}&cu=INR&tr={transaction_id}");
        Ok(UpiIntentLinks {
            transaction_id: Some(transaction_id.to_string()),
            gpay: Some(format!("tez://upi/pay?{query}")),
            phonepe: Some(format!("phonepe://pay?{query}")),
            paytm: Some(format!("paytmmp://pay?{query}")),
            upi: Some(format!("upi://pay?{query}")),
        })
    }

    /// The UPI status of a UPI payment, by its id or (as EnKash's page allows) by the
    /// merchant's order id, then its latest UPI payment.
    pub(crate) fn upi_status(&self, id: &str) -> Result<UpiStatusResponse, Refusal> {
        let by_merchant_order = || {
            let order = self
                .orders
                .values()
                .find(|o| o.merchant_order_id.as_deref() == Some(id))?;
            let order_id = order.order_id.as_deref()?;
            self.order_transactions
                .get(order_id)?
                .iter()
                .rev()
                .filter_map(|t| self.transactions.get(t))
                .find(|t| t.payment_mode == Some(PaymentMode::Upi))
        };
        let transaction = self
            .transactions
            .get(id)
            .filter(|t| t.payment_mode == Some(PaymentMode::Upi))
            .or_else(by_merchant_order)
            .ok_or_else(|| Refusal::NotFound(format!("No UPI payment {id}")))?;
        let status = match transaction.status {
            Some(
                PaymentStatus::Success | PaymentStatus::PartiallyRefunded | PaymentStatus::Refunded,
            ) => UpiStatus::Success,
            Some(PaymentStatus::Failed | PaymentStatus::Cancelled) => UpiStatus::Failed,
            _ => UpiStatus::Process,
        };
        Ok(UpiStatusResponse {
            status: Some(status),
            transaction_message: transaction.txn_msg.clone(),
            order_id: transaction.order_id.clone(),
        })
    }

    /// The customer pays a checkout UPI payment from a UPI app: declined for a VPA ending in
    /// `@fail`, or when the order was paid another way meanwhile; otherwise a success.
    pub(crate) fn pay_checkout_upi(
        &mut self,
        transaction_id: &str,
        payer_vpa: &str,
    ) -> Result<(OrderTransaction, Option<Notify>), SettleError> {
        if self.checkout_payment(transaction_id).is_err() {
            return Err(SettleError::UnknownTransaction(transaction_id.to_string()));
        }
        let order_payable = self
            .transactions
            .get(transaction_id)
            .and_then(|t| self.orders.get(t.order_id.as_deref()?))
            .is_some_and(is_payable);
        let succeeded = order_payable && !payer_vpa.ends_with(DECLINED_VPA_SUFFIX);
        self.settle(transaction_id, succeeded)
    }
}
