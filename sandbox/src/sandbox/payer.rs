//! What the customer does outside the merchant's API calls: pays a checkout UPI payment from a
//! UPI app, or pays through a UPI QR code. Tests and examples call these to move a payment on,
//! as a customer would.

use super::Sandbox;
use crate::ledger::{QrPaymentError, SettleError};
use enkash::Rupees;

impl Sandbox {
    /// The customer pays a checkout UPI payment (the `ekPayId` of `get_dynamic_upi_qr`) from a
    /// UPI app with the address `payer_vpa`: the payment becomes `SUCCESS` (UPI status
    /// `SUCCESS`) and its order `PAID`, or `FAILED` (the order `ATTEMPTED`, payable again) when
    /// `payer_vpa` ends with [`DECLINED_VPA_SUFFIX`](crate::DECLINED_VPA_SUFFIX) or the order
    /// was paid another way meanwhile. Then the usual payment notification goes to the
    /// order's `notifyUrl`. Returns the settled transaction.
    ///
    /// An id that is not an open checkout UPI payment (unknown, or settled already) is an
    /// error and changes nothing.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// use enkash_sandbox::Sandbox;
    /// use enkash::types::UpiStatus;
    /// use enkash::Payload;
    ///
    /// let sandbox = Sandbox::start().await.unwrap();
    /// let client = enkash::Client::builder()
    ///     .base_url(sandbox.base_url())
    ///     .credentials(sandbox.access_key(), sandbox.secret_key())
    ///     .build()
    ///     .unwrap();
    /// let qr = client.get_dynamic_upi_qr().order_id(Sandbox::CREATED_ORDER_ID).send().await;
    /// let id = qr.payload().unwrap().ek_pay_id.unwrap();
    /// sandbox.pay_upi_checkout(&id, "asha.verma@okbank").unwrap();
    /// let status = client.get_upi_transaction_status().transaction_id(&id).send().await;
    /// assert_eq!(status.payload().unwrap().status, Some(UpiStatus::Success));
    /// # }
    /// ```
    pub fn pay_upi_checkout(
        &self,
        transaction_id: &str,
        payer_vpa: &str,
    ) -> Result<enkash::types::OrderTransaction, SettleError> {
        let paid = self
            .state
            .lock()
            .ledger
            .pay_checkout_upi(transaction_id, payer_vpa);
        let (transaction, notify) = paid?;
        if let Some(notify) = notify {
            self.state.outbox.notify(notify);
        }
        Ok(transaction)
    }

    /// A customer pays `amount` through the UPI QR code `qr_code_id`, as the code's rules
    /// allow: a cancelled code, an expired one, a single-use code paid already, or another
    /// amount than a fixed-amount code's is refused. Returns how many payments the code has
    /// taken.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// use enkash_sandbox::{QrPaymentError, Sandbox};
    /// use enkash::Rupees;
    ///
    /// let sandbox = Sandbox::start().await.unwrap();
    /// // The seeded fixed-amount code takes Rs 250, once.
    /// let wrong = sandbox.pay_upi_qr("QR_SANDBOX_FIXED", Rupees::from_paise(100));
    /// assert!(matches!(wrong, Err(QrPaymentError::WrongAmount { .. })));
    /// assert_eq!(sandbox.pay_upi_qr("QR_SANDBOX_FIXED", Rupees::from_paise(25_000)), Ok(1));
    /// # }
    /// ```
    pub fn pay_upi_qr(&self, qr_code_id: &str, amount: Rupees) -> Result<u32, QrPaymentError> {
        self.state.lock().ledger.pay_qr_code(qr_code_id, amount)
    }

    /// How many times the OTP of a payment was resent (Resend OTP); 0 for any other id.
    pub fn otp_resends(&self, transaction_id: &str) -> u32 {
        self.state.lock().ledger.otp_resends(transaction_id)
    }
}
