//! Building requests without guesswork: one expression per documented request, checked before
//! anything is sent.
//!
//! The generated request types (`enkash::types::*`) are plain structs with public fields and
//! progenitor builders. The constructors here sit beside them, on the same types, and do what
//! those cannot: fill what only has one value (the currency is always `INR`), leave out the
//! optional fields you did not ask for, and refuse before sending what EnKash would refuse or
//! what can only be a mistake (an amount that is zero or negative, a merchant order id with a
//! `-` in it), with a [`FieldError`] that names the field in the spec's spelling and says in
//! words what is wrong.
//!
//! ```
//! use enkash::types::{CreateOrderRequest, PaymentDetail, RefundRequest, SubmitPaymentRequest};
//! use enkash::Rupees;
//!
//! let price: Rupees = "1499.50".parse()?;
//! let order = CreateOrderRequest::new("INV20261120001", price)?
//!     .with_description("2 x cotton kurta")
//!     .with_notify_url("https://shop.example.com/hooks/enkash");
//! let payment = SubmitPaymentRequest::new("ORD_01JD8Z6Q4K2M7N9P3R5T", PaymentDetail::upi("asha.verma@okbank")?)?;
//! let refund = RefundRequest::new("RFND20261121001", "499.50".parse()?)?.with_remarks("one kurta returned");
//!
//! // Refused before anything is sent, saying which field and why:
//! let err = CreateOrderRequest::new("INV-2026-001", price).unwrap_err();
//! assert_eq!(err.field(), "orderId");
//! assert_eq!(
//!     err.to_string(),
//!     "orderId must be letters and digits only (A-Z, a-z, 0-9): INV-2026-001 has '-'"
//! );
//! assert!(RefundRequest::new("RFND20261121002", Rupees::ZERO).is_err());
//! # let _ = (order, payment, refund);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Every field stays public, so anything these constructors do not cover (restricted payment
//! options, custom parameters, TPV details on an order) is set on the value they return.

use crate::types::{
    Amount, CreateOrderRequest, CreateOrderRequestOrderId, Currency, CustomerInfo, PaymentDetail,
    RefundRequest, RefundRequestRequestId, SplitSettlement, SubmitPaymentRequest,
};
use crate::Rupees;

mod field_error;
mod payment_detail;

use field_error::not_empty;
pub use field_error::FieldError;
pub use payment_detail::Card;

/// The spec's bound on every request amount: at most Rs 1,000,000,000 (`maximum: 1000000000`).
const MAX_REQUEST_AMOUNT: Rupees = Rupees::from_paise(100_000_000_000);

/// An amount a request may carry: more than zero and within the spec's maximum.
fn positive_amount(field: &'static str, amount: Rupees) -> Result<Rupees, FieldError> {
    if !amount.is_positive() {
        return Err(FieldError::new(
            field,
            format!("must be more than zero (at least 0.01 rupees): {amount} given"),
        ));
    }
    if amount > MAX_REQUEST_AMOUNT {
        return Err(FieldError::new(
            field,
            format!(
                "must be at most {MAX_REQUEST_AMOUNT} rupees (the spec's maximum): {amount} given"
            ),
        ));
    }
    Ok(amount)
}

/// Only Indian rupees are documented, so an amount of [`Rupees`] is all an [`Amount`] needs.
///
/// ```
/// use enkash::types::{Amount, Currency};
///
/// let amount = Amount::from(enkash::Rupees::from_paise(149_950));
/// assert_eq!(amount.currency, Currency::Inr);
/// assert_eq!(amount.value.to_string(), "1499.50");
/// ```
impl From<Rupees> for Amount {
    fn from(value: Rupees) -> Amount {
        Amount {
            value,
            currency: Currency::Inr,
        }
    }
}

/// Why a merchant order id is refused, in words: empty, or the first character that is not
/// an ASCII letter or digit.
fn merchant_order_id(order_id: &str) -> Result<CreateOrderRequestOrderId, FieldError> {
    const FIELD: &str = "orderId";
    not_empty(
        FIELD,
        order_id,
        "your own id for the order, letters and digits only (A-Z, a-z, 0-9)",
    )?;
    if let Some(bad) = order_id.chars().find(|c| !c.is_ascii_alphanumeric()) {
        return Err(FieldError::new(
            FIELD,
            format!(
                "must be letters and digits only (A-Z, a-z, 0-9): {order_id} has {}",
                show_char(bad)
            ),
        ));
    }
    // The generated type checks the spec's pattern, `^[A-Za-z0-9]+$`: the same rule, so this
    // cannot fail after the check above; if the spec ever tightens it, say so in words.
    order_id.parse().map_err(|e| {
        FieldError::new(
            FIELD,
            format!("is not a valid merchant order id for the spec ({e})"),
        )
    })
}

/// A character for a message: `'-'`, `' '`, `'\t'`.
fn show_char(c: char) -> String {
    format!("{c:?}")
}

impl CreateOrderRequest {
    /// An order for `amount` under your own id, with nothing else set: one expression for the
    /// documented "Create Order" request.
    ///
    /// `order_id` is **your** id for the order (an invoice number, say): letters and digits
    /// only (A-Z, a-z, 0-9), unique per order. It is not the `orderId` that `submit_payment`
    /// and `get_order_status` take: those take EnKash's id, returned in the answer's
    /// `orderId`. `amount` must be more than zero and at most Rs 1,000,000,000 (the spec's
    /// bounds); the currency is `INR`, the only one documented.
    ///
    /// # Errors
    ///
    /// A [`FieldError`] for `orderId` (empty, or a character other than a letter or digit,
    /// named in the message) or `amount.value` (zero, negative or beyond the maximum).
    ///
    /// ```
    /// use enkash::types::CreateOrderRequest;
    ///
    /// let order = CreateOrderRequest::new("INV20261120001", "1499.50".parse()?)?
    ///     .with_description("2 x cotton kurta")
    ///     .with_notify_url("https://shop.example.com/hooks/enkash")
    ///     .with_return_url("https://shop.example.com/checkout/return");
    /// assert_eq!(order.amount.value.to_string(), "1499.50");
    ///
    /// let err = CreateOrderRequest::new("INV20261120002", "0".parse()?).unwrap_err();
    /// assert_eq!(err.field(), "amount.value");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn new(order_id: &str, amount: Rupees) -> Result<CreateOrderRequest, FieldError> {
        Ok(CreateOrderRequest {
            order_id: merchant_order_id(order_id)?,
            amount: positive_amount("amount.value", amount)?.into(),
            custom_parameters: Default::default(),
            customer_info: None,
            description: None,
            notify_url: None,
            payment_detail: None,
            restricted_payment_options: None,
            return_url: None,
        })
    }

    /// What the order is for (`description`).
    pub fn with_description(mut self, description: impl Into<String>) -> CreateOrderRequest {
        self.description = Some(description.into());
        self
    }

    /// Where EnKash posts a payment notification for each payment attempt (`notifyUrl`).
    /// Confirm every notification with [`crate::webhook::confirm_payment`].
    pub fn with_notify_url(mut self, url: impl Into<String>) -> CreateOrderRequest {
        self.notify_url = Some(url.into());
        self
    }

    /// Where the customer's browser is sent after paying (`returnUrl`).
    pub fn with_return_url(mut self, url: impl Into<String>) -> CreateOrderRequest {
        self.return_url = Some(url.into());
        self
    }

    /// Who is paying (`customerInfo`).
    ///
    /// ```
    /// use enkash::types::{CreateOrderRequest, CustomerInfo};
    ///
    /// let order = CreateOrderRequest::new("INV20261120001", "1499.50".parse()?)?.with_customer(
    ///     CustomerInfo::default()
    ///         .with_first_name("Asha")
    ///         .with_email("asha.verma@example.com"),
    /// );
    /// # let _ = order;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn with_customer(mut self, customer: CustomerInfo) -> CreateOrderRequest {
        self.customer_info = Some(customer);
        self
    }

    /// One free key/value pair, echoed back in order responses (`customParameters`).
    pub fn with_custom_parameter(
        mut self,
        key: impl Into<String>,
        value: impl Into<String>,
    ) -> CreateOrderRequest {
        self.custom_parameters.insert(key.into(), value.into());
        self
    }
}

impl CustomerInfo {
    /// The customer's first name (`firstName`).
    pub fn with_first_name(mut self, first_name: impl Into<String>) -> CustomerInfo {
        self.first_name = Some(first_name.into());
        self
    }

    /// The customer's last name (`lastName`).
    pub fn with_last_name(mut self, last_name: impl Into<String>) -> CustomerInfo {
        self.last_name = Some(last_name.into());
        self
    }

    /// The customer's email address (`email`).
    pub fn with_email(mut self, email: impl Into<String>) -> CustomerInfo {
        self.email = Some(email.into());
        self
    }

    /// The customer's phone number (`phoneNumber`).
    pub fn with_phone_number(mut self, phone_number: impl Into<String>) -> CustomerInfo {
        self.phone_number = Some(phone_number.into());
        self
    }
}

impl SubmitPaymentRequest {
    /// A payment of the order EnKash knows as `order_id`, by `payment_detail`: one expression
    /// for the documented "Submit Payment Request".
    ///
    /// `order_id` is **EnKash's** id for the order, the `orderId` in `create_order`'s answer,
    /// not your own. The amount paid is the order's; this request carries none.
    ///
    /// # Errors
    ///
    /// A [`FieldError`] for an empty `orderId`.
    ///
    /// ```
    /// use enkash::types::{PaymentDetail, SubmitPaymentRequest};
    ///
    /// let payment = SubmitPaymentRequest::new(
    ///     "ORD_01JD8Z6Q4K2M7N9P3R5T",
    ///     PaymentDetail::upi("asha.verma@okbank")?,
    /// )?;
    /// assert!(payment.split_settlement.is_none());
    /// assert_eq!(SubmitPaymentRequest::new("", PaymentDetail::net_banking("HDFC")).unwrap_err().field(), "orderId");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn new(
        order_id: impl Into<String>,
        payment_detail: PaymentDetail,
    ) -> Result<SubmitPaymentRequest, FieldError> {
        let order_id = order_id.into();
        not_empty(
            "orderId",
            &order_id,
            "EnKash's id for the order (the orderId in create_order's answer)",
        )?;
        Ok(SubmitPaymentRequest {
            order_id,
            payment_detail,
            split_settlement: None,
        })
    }

    /// Divide the payment between split accounts (`splitSettlement`).
    ///
    /// # Errors
    ///
    /// A [`FieldError`] for `splitSettlement.splitSettlementDetails` when there is no share,
    /// or a share is zero or negative (a `FLAT` share is also bounded by the spec's maximum
    /// amount). That the shares fit the payment is EnKash's to check.
    ///
    /// ```
    /// use enkash::types::{FlatSplitShare, PaymentDetail, SplitSettlement, SubmitPaymentRequest};
    ///
    /// let share = |value: &str| -> Result<FlatSplitShare, enkash::ParseRupeesError> {
    ///     Ok(FlatSplitShare { label: None, split_account_id: "SAD_01JD8Z9".into(), value: value.parse()? })
    /// };
    /// let payment = SubmitPaymentRequest::new("ORD_01JD8Z6Q4K2M7N9P3R5T", PaymentDetail::net_banking("HDFC"))?
    ///     .with_split_settlement(SplitSettlement::Flat(vec![share("100")?]))?;
    /// # let _ = payment;
    /// let refused = SubmitPaymentRequest::new("ORD_01JD8Z6Q4K2M7N9P3R5T", PaymentDetail::net_banking("HDFC"))?
    ///     .with_split_settlement(SplitSettlement::Flat(vec![share("0")?]));
    /// assert!(refused.is_err());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn with_split_settlement(
        mut self,
        split: SplitSettlement,
    ) -> Result<SubmitPaymentRequest, FieldError> {
        const FIELD: &str = "splitSettlement.splitSettlementDetails";
        let shares = match &split {
            SplitSettlement::Flat(shares) => {
                for (i, share) in shares.iter().enumerate() {
                    positive_amount(FIELD, share.value).map_err(|e| {
                        FieldError::new(FIELD, format!("share {}: {}", i + 1, e.problem()))
                    })?;
                }
                shares.len()
            }
            SplitSettlement::Percentage(shares) => {
                if let Some(i) = shares.iter().position(|share| !share.value.is_positive()) {
                    return Err(FieldError::new(
                        FIELD,
                        format!("share {}: a percentage must be more than zero", i + 1),
                    ));
                }
                shares.len()
            }
        };
        if shares == 0 {
            return Err(FieldError::new(
                FIELD,
                "is empty: give at least one share (or send no split)",
            ));
        }
        self.split_settlement = Some(split);
        Ok(self)
    }
}

impl RefundRequest {
    /// A refund of `amount` under your own refund id: one expression for the documented
    /// "Refund" request (sent with `refund_transaction().transaction_id(..)`).
    ///
    /// `request_id` is your unique id for this refund: keep it with the refund and reuse it,
    /// unchanged, if you must send the same refund again (see "When the outcome is unknown" in
    /// the crate's documentation). `amount` must be more than zero and at most
    /// Rs 1,000,000,000; that it is at most what remains unrefunded is EnKash's to check.
    ///
    /// # Errors
    ///
    /// A [`FieldError`] for an empty `requestId` or an `amount` that is zero, negative or
    /// beyond the maximum.
    ///
    /// ```
    /// use enkash::types::RefundRequest;
    ///
    /// let refund = RefundRequest::new("RFND20261121001", "499.50".parse()?)?
    ///     .with_remarks("one kurta returned");
    /// assert_eq!(refund.amount.to_string(), "499.50");
    /// assert_eq!(RefundRequest::new("", "1".parse()?).unwrap_err().field(), "requestId");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn new(request_id: &str, amount: Rupees) -> Result<RefundRequest, FieldError> {
        const FIELD: &str = "requestId";
        not_empty(FIELD, request_id, "your own unique id for this refund")?;
        let request_id: RefundRequestRequestId = request_id.parse().map_err(|e| {
            FieldError::new(FIELD, format!("is not a valid refund request id ({e})"))
        })?;
        Ok(RefundRequest {
            amount: positive_amount("amount", amount)?,
            remarks: None,
            request_id,
        })
    }

    /// Why the refund is made (`remarks`).
    pub fn with_remarks(mut self, remarks: impl Into<String>) -> RefundRequest {
        self.remarks = Some(remarks.into());
        self
    }
}
