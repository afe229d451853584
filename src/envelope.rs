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
    /// The API error inside a failed generated call: an error status whose body carried a
    /// `response_code`. `None` for other failures (network, token, unparsable body).
    ///
    /// ```no_run
    /// # async fn demo(client: enkash::Client) {
    /// let result = client.get_order_status().order_id("ORD_1").send().await;
    /// if let Err(e) = &result {
    ///     if let Some(enkash::ApiError::Refused { code, message }) = enkash::ApiError::of(e) {
    ///         eprintln!("EnKash said {code}: {message}");
    ///     }
    /// }
    /// # }
    /// ```
    pub fn of(error: &crate::Error<types::ErrorBody>) -> Option<Self> {
        match error {
            crate::Error::ErrorResponse(response) => {
                let code = response.response_code?;
                Some(Self::refused(code, response.response_message.clone()))
            }
            _ => None,
        }
    }

    fn refused(code: i32, message: Option<String>) -> Self {
        Self::Refused {
            code,
            message: message.unwrap_or_else(|| "no message".to_string()),
        }
    }
}

/// A response wrapped in EnKash's envelope. [`into_payload`](Envelope::into_payload) checks
/// `response_code` and hands back the payload.
///
/// ```no_run
/// use enkash::Envelope;
///
/// # async fn demo(client: enkash::Client) -> Result<(), Box<dyn std::error::Error>> {
/// let order = client.get_order_status().order_id("ORD_1").send().await?.into_payload()?;
/// println!("{:?}", order.status);
/// # Ok(()) }
/// ```
pub trait Envelope {
    /// What a successful response carries.
    type Payload;

    /// The payload if `response_code` is 0, else the API error.
    fn into_payload(self) -> Result<Self::Payload, ApiError>;
}

impl<T: Envelope> Envelope for crate::ResponseValue<T> {
    type Payload = T::Payload;

    fn into_payload(self) -> Result<Self::Payload, ApiError> {
        self.into_inner().into_payload()
    }
}

/// Implements [`Envelope`] for generated envelope types (the spec's `allOf: [Envelope, ...]`
/// schemas). `tests/envelope.rs` checks that every such schema is listed here.
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
        #[doc(hidden)]
        pub const ENVELOPE_SCHEMAS: &[&str] = &[$(stringify!($envelope)),*];
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
