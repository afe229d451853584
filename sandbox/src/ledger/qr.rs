//! UPI QR codes and customers' codes in the sandbox's books: the seeded codes, creating one,
//! get, cancel and search, and the rules a payment through one meets (notes-3 §3.5): a code
//! is created `ACTIVE`; a single-use code takes one payment; a fixed-amount code takes only
//! its amount; past its expiry it takes none (its status stays `ACTIVE`: EnKash documents no
//! `EXPIRED`); once cancelled it takes none ever again.

use chrono::{DateTime, SecondsFormat, Utc};

use super::{Ledger, Refusal};
use crate::codes;
use enkash::types::{QrCodeCreate, QrCodeResponse, QrCodeStatus};
use enkash::Rupees;

impl Ledger {
    pub(crate) fn qr_code(&self, id: &str) -> Result<QrCodeResponse, Refusal> {
        self.qr_codes
            .iter()
            .find(|code| code.qr_code_id.as_deref() == Some(id))
            .cloned()
            .ok_or_else(|| Refusal::NotFound(format!("No QR code {id}")))
    }

    /// Cancels a code; cancelling a cancelled code answers it unchanged.
    pub(crate) fn cancel_qr_code(&mut self, id: &str) -> Result<QrCodeResponse, Refusal> {
        let code = self
            .qr_codes
            .iter_mut()
            .find(|code| code.qr_code_id.as_deref() == Some(id))
            .ok_or_else(|| Refusal::NotFound(format!("No QR code {id}")))?;
        if code.status != Some(QrCodeStatus::Cancelled) {
            code.status = Some(QrCodeStatus::Cancelled);
            code.modified_on = Some(Utc::now());
        }
        Ok(code.clone())
    }

    /// Every code, a page at a time (the filters' names are not documented).
    pub(crate) fn search_qr_codes(&self, offset: usize, limit: usize) -> Vec<QrCodeResponse> {
        self.qr_codes
            .iter()
            .skip(offset)
            .take(limit)
            .cloned()
            .collect()
    }
}

/// The codes a new sandbox holds: one reusable code for any amount, one for a fixed amount.
pub(super) fn seeded() -> Vec<QrCodeResponse> {
    let code = |id: &str, name: &str, amount: Option<Rupees>| QrCodeResponse {
        qr_code_id: Some(id.to_string()),
        qr_name: Some(name.to_string()),
        multiple_use: Some(amount.is_none()),
        fixed_amount: Some(amount.is_some()),
        amount,
        status: Some(QrCodeStatus::Active),
        qr_code_base64: Some("iVBORw0KGgo=".to_string()),
        created_on: Some(Utc::now()),
        ..Default::default()
    };
    vec![
        code(super::seeds::QR_CODE_ID, "Sandbox counter", None),
        code(
            "QR_SANDBOX_FIXED",
            "Sandbox fixed amount",
            Some(Rupees::from_paise(25_000)),
        ),
    ]
}

/// Why [`Sandbox::pay_upi_qr`](crate::Sandbox::pay_upi_qr) refused a payment: the
/// rules a UPI QR code enforces.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum QrPaymentError {
    /// The sandbox holds no QR code with this id.
    #[error("the sandbox holds no QR code {0}")]
    UnknownCode(String),
    /// The code was cancelled: it takes no payment ever again.
    #[error("QR code {0} is cancelled and takes no payment")]
    Cancelled(String),
    /// The code's `expiry` has passed.
    #[error("QR code {0} has expired")]
    Expired(String),
    /// A single-use code (`multipleUse: false`) that was paid already.
    #[error("QR code {0} is single-use and was paid already")]
    AlreadyUsed(String),
    /// A fixed-amount code offered another amount.
    #[error("QR code {code} takes only {expected}, not {offered}")]
    WrongAmount {
        /// The code.
        code: String,
        /// Its fixed amount.
        expected: Rupees,
        /// The amount offered.
        offered: Rupees,
    },
}

impl Ledger {
    /// Create UPI QR: `ACTIVE`, with what was sent; an absent `multipleUse` or `fixedAmount`
    /// is `false`.
    pub(crate) fn create_qr_code(
        &mut self,
        request: QrCodeCreate,
    ) -> Result<QrCodeResponse, Refusal> {
        let fixed_amount = request.fixed_amount.unwrap_or(false);
        if fixed_amount && request.amount.is_none() {
            return Err(Refusal::Rule(
                codes::QR_AMOUNT_REQUIRED,
                "A fixed-amount QR code needs an amount".to_string(),
            ));
        }
        if let Some(customer) = request.customer_id.as_deref() {
            if !self.has_customer(customer) {
                return Err(Refusal::Rule(
                    codes::UNKNOWN_CUSTOMER,
                    format!("No customer {customer}"),
                ));
            }
        }
        let now = Utc::now();
        let code = QrCodeResponse {
            qr_code_id: Some(self.next("QR")),
            qr_name: request.qr_name,
            multiple_use: Some(request.multiple_use.unwrap_or(false)),
            fixed_amount: Some(fixed_amount),
            amount: request.amount,
            description: request.description,
            expiry: request
                .expiry
                .map(|at| at.to_rfc3339_opts(SecondsFormat::Secs, true)),
            custom_params: request
                .custom_params
                .into_iter()
                .map(|(k, v)| (k, serde_json::Value::String(v)))
                .collect(),
            status: Some(QrCodeStatus::Active),
            qr_code_base64: Some("iVBORw0KGgo=".to_string()),
            created_on: Some(now),
            customer_id: request.customer_id,
            reference_number: request.reference_number,
            ..Default::default()
        };
        self.qr_codes.push(code.clone());
        Ok(code)
    }

    /// A customer pays `amount` through a code; returns how many payments it has taken.
    pub(crate) fn pay_qr_code(&mut self, id: &str, amount: Rupees) -> Result<u32, QrPaymentError> {
        let code = self
            .qr_codes
            .iter()
            .find(|code| code.qr_code_id.as_deref() == Some(id))
            .ok_or_else(|| QrPaymentError::UnknownCode(id.to_string()))?;
        if code.status == Some(QrCodeStatus::Cancelled) {
            return Err(QrPaymentError::Cancelled(id.to_string()));
        }
        let expired = code
            .expiry
            .as_deref()
            .and_then(|at| DateTime::parse_from_rfc3339(at).ok())
            .is_some_and(|at| at <= Utc::now());
        if expired {
            return Err(QrPaymentError::Expired(id.to_string()));
        }
        if code.fixed_amount == Some(true) {
            let expected = code.amount.unwrap_or_default();
            if amount != expected {
                return Err(QrPaymentError::WrongAmount {
                    code: id.to_string(),
                    expected,
                    offered: amount,
                });
            }
        }
        let paid = self.qr_payments.entry(id.to_string()).or_default();
        if code.multiple_use != Some(true) && *paid > 0 {
            return Err(QrPaymentError::AlreadyUsed(id.to_string()));
        }
        *paid += 1;
        Ok(*paid)
    }
}
