//! The `{response_code, response_message, payload}` envelope, turned into a `Result`.

use crate::types;

/// Why EnKash answered without the result asked for.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApiError {
    /// EnKash refused the request: a non-zero `response_code` (in HTTP 200 or in an error
    /// status). No catalogue of codes is documented; the message says what went wrong.
    #[error("EnKash refused the request (response_code {code}: {message})")]
    Refused {
        /// The `response_code`.
        code: i32,
        /// The `response_message`, or `"no message"`.
        message: String,
    },
    /// `response_code` was 0 but the `payload` was missing.
    #[error("EnKash reported success but sent no payload")]
    MissingPayload,
    /// The answer carried no result code, so it says neither success nor refusal.
    #[error("EnKash's answer carries no result code")]
    MissingCode,
}

impl ApiError {
    fn refused(code: i32, message: Option<String>) -> Self {
        Self::Refused {
            code,
            message: message.unwrap_or_else(|| "no message".to_string()),
        }
    }
}

/// A response wrapped in EnKash's envelope: [`Payload::payload`](crate::Payload::payload) checks
/// `response_code` through it and hands back the payload or a `CallError`. (Public only so that
/// `Payload`'s bounds can name it; its module is private, so it cannot be imported.)
pub trait Envelope {
    /// What a successful response carries.
    type Payload;

    /// The payload if `response_code` is 0, else the API error.
    fn into_payload(self) -> Result<Self::Payload, ApiError>;
}

/// Implements [`Envelope`] for generated envelope types (the spec's `allOf: [Envelope, ...]`
/// schemas). `tests/it/tolerant_reading.rs` checks that every such schema is listed here.
macro_rules! envelopes {
    ($($envelope:ident => $payload:ty,)*) => {
        $(
            impl Envelope for types::$envelope {
                type Payload = $payload;

                fn into_payload(self) -> Result<Self::Payload, ApiError> {
                    match (self.response_code, self.payload) {
                        (0, Some(payload)) => Ok(payload),
                        (0, None) => Err(ApiError::MissingPayload),
                        (code, _) => Err(ApiError::refused(code, self.response_message)),
                    }
                }
            }
        )*

        /// The generated types implementing [`Envelope`], by schema name.
        #[cfg(feature = "test-util")]
        #[doc(hidden)]
        pub const ENVELOPE_SCHEMAS: &[&str] = &[$(stringify!($envelope)),*];

        /// Decodes `body` as every envelope type, this list and the edit-split one, and opens
        /// each: how many opened. The fuzz target's list, so it cannot drift from this one.
        #[cfg(feature = "fuzzing")]
        pub(crate) fn open_every_envelope(body: &[u8]) -> usize {
            fn open<T: Envelope + serde::de::DeserializeOwned>(body: &[u8]) -> bool {
                serde_json::from_slice::<T>(body).is_ok_and(|e| e.into_payload().is_ok())
            }
            [$(open::<types::$envelope>(body),)* open::<types::SplitTransactionResponse>(body)]
                .into_iter()
                .filter(|opened| *opened)
                .count()
        }
    };
}

envelopes! {
    OrderResponse => types::Order,
    TransactionResponse => types::OrderTransaction,
    RefundResponse => types::Refund,
    SettlementPayoutResponse => types::SettlementPayout,
    SettlementPayoutSearchResponse => serde_json::Value,
    SplitAccountResponse => serde_json::Value,
    QrCodeEnvelope => types::QrCodeResponse,
    QrCodeSearchEnvelope => serde_json::Value,
    CustomerEnvelope => types::Customer,
    DynamicUpiQrEnvelope => types::DynamicUpiQr,
    UpiIntentLinksEnvelope => types::UpiIntentLinks,
    UpiStatusEnvelope => types::UpiStatusResponse,
    VerifyVpaEnvelope => types::VpaHolder,
    OtpEnvelope => types::OtpResponse,
    UpiMandateEnvelope => types::UpiMandate,
    MandatePreDebitEnvelope => types::MandatePreDebitNotice,
}

/// The edit-split operation answers with its own envelope (`code`, `message`, `payload`).
/// Which `code` means success is not documented: 0 is taken as success, and an answer without
/// a code is not read as one (it says nothing, so the outcome is unknown).
impl Envelope for types::SplitTransactionResponse {
    type Payload = serde_json::Map<String, serde_json::Value>;

    fn into_payload(self) -> Result<Self::Payload, ApiError> {
        match self.code {
            Some(0) => Ok(self.payload),
            Some(code) => Err(ApiError::refused(code, self.message)),
            None => Err(ApiError::MissingCode),
        }
    }
}
