//! Card payments that ask for an OTP: a credit card numbered [`OTP_CARD`] waits
//! (`PENDING_WITH_BANK`) until Validate OTP brings [`SANDBOX_OTP`]; a wrong OTP is refused and
//! the payment keeps waiting; Resend OTP is counted and allowed twice per payment (a peer
//! gateway's limit; EnKash documents none).

use super::{Ledger, Notify, Refusal};
use crate::codes;
use enkash::types::{OtpResponse, PaymentMode, PaymentStatus, ValidateOtpRequest};

/// A credit card number whose payment asks for an OTP: the payment waits
/// (`PENDING_WITH_BANK`) for Validate OTP.
pub const OTP_CARD: &str = "4000000000003220";
/// The OTP the sandbox accepts for an [`OTP_CARD`] payment; any other is refused with
/// [`codes::WRONG_OTP`].
pub const SANDBOX_OTP: &str = "123456";
/// Resends allowed per payment (Nimbbl's limit; EnKash documents none).
const MAX_RESENDS: u32 = 2;

pub(super) fn asks_for_otp(card_number: &enkash::SecretString) -> bool {
    card_number.expose_secret() == OTP_CARD
}

impl Ledger {
    /// The payment if it is waiting for an OTP.
    fn waiting_for_otp(&self, transaction_id: &str) -> Result<(), Refusal> {
        let transaction = self.transaction(transaction_id)?;
        let waiting = transaction.status == Some(PaymentStatus::PendingWithBank)
            && transaction.payment_mode == Some(PaymentMode::CreditCard);
        match waiting {
            true => Ok(()),
            false => Err(Refusal::Rule(
                codes::NO_OTP_PENDING,
                format!("Transaction {transaction_id} is not waiting for an OTP"),
            )),
        }
    }

    /// Validate OTP: the right OTP completes the payment (the order `PAID`, a notification);
    /// a wrong one is refused and changes nothing.
    pub(crate) fn validate_otp(
        &mut self,
        request: ValidateOtpRequest,
    ) -> Result<(OtpResponse, Option<Notify>), Refusal> {
        let id = request.ek_pay_id.as_str();
        self.waiting_for_otp(id)?;
        if request.otp.expose_secret() != SANDBOX_OTP {
            return Err(Refusal::Rule(
                codes::WRONG_OTP,
                "The OTP is not correct".to_string(),
            ));
        }
        let (transaction, notify) = self
            .settle(id, true)
            .map_err(|e| Refusal::Invalid(e.to_string()))?;
        let response = OtpResponse {
            unique_transaction_id: transaction.unique_transaction_id.clone(),
            public_identifier_key: None,
            transaction_id: transaction.transaction_id.clone(),
            amount: transaction.amount,
            currency: transaction.currency.clone(),
            otp_reference_number: Some(format!("OTP{id}")),
            txn_message: transaction.txn_msg.clone(),
            txn_status: transaction.status.as_ref().map(ToString::to_string),
            txn_date: transaction.txn_date.clone(),
            order_id: transaction.order_id.clone(),
        };
        Ok((response, notify))
    }

    /// Resend OTP: counted, and refused after [`MAX_RESENDS`]; returns the count so far.
    pub(crate) fn resend_otp(&mut self, transaction_id: &str) -> Result<u32, Refusal> {
        self.waiting_for_otp(transaction_id)?;
        let resends = self
            .otp_resends
            .entry(transaction_id.to_string())
            .or_default();
        if *resends >= MAX_RESENDS {
            return Err(Refusal::Rule(
                codes::OTP_RESEND_LIMIT,
                format!("The OTP was resent {MAX_RESENDS} times already"),
            ));
        }
        *resends += 1;
        Ok(*resends)
    }

    /// How many times a payment's OTP was resent.
    pub(crate) fn otp_resends(&self, transaction_id: &str) -> u32 {
        self.otp_resends.get(transaction_id).copied().unwrap_or(0)
    }
}
