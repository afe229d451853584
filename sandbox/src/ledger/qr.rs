//! UPI QR codes in the sandbox's books: seeded codes to get, cancel and search. (Create UPI QR
//! is not in the spec: its body is not documented.)

use chrono::Utc;

use super::{Ledger, Refusal};
use enkash::types::{QrCodeResponse, QrCodeStatus};
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
