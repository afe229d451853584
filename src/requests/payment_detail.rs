//! One constructor per payment mode of `PaymentDetail`, and the card they take.

use std::fmt;

use super::field_error::{not_empty, FieldError};
use crate::types::{PaymentDetail, PaymentDetailVpa};
use crate::SecretString;

/// A card for [`PaymentDetail::credit_card`] and the other card modes: number, security code
/// and expiry (`MM/YY`), optionally the holder's name. Every part is a [`SecretString`]: card
/// data never shows in `Debug`, and sending it makes you subject to PCI DSS.
///
/// ```
/// use enkash::requests::Card;
/// use enkash::types::PaymentDetail;
///
/// let card = Card::new("4111111111111111", "123", "12/29")?.with_holder_name("ASHA VERMA");
/// let detail = PaymentDetail::credit_card(card);
/// assert!(!format!("{detail:?}").contains("4111"));
///
/// let err = Card::new("4111111111111111", "123", "13/29").unwrap_err();
/// assert_eq!(err.field(), "paymentDetail.expiry");
/// # Ok::<(), enkash::requests::FieldError>(())
/// ```
#[derive(Clone)]
pub struct Card {
    number: SecretString,
    cvv: SecretString,
    expiry: SecretString,
    holder_name: Option<SecretString>,
}

impl fmt::Debug for Card {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Card(<redacted>)")
    }
}

impl Card {
    /// A card with its number, security code and expiry.
    ///
    /// # Errors
    ///
    /// A [`FieldError`] for an empty `paymentDetail.cardNumber` or `paymentDetail.cvv`, or a
    /// `paymentDetail.expiry` that is not `MM/YY` (the form the spec's description gives). The
    /// message never repeats the value.
    pub fn new(
        number: impl Into<SecretString>,
        cvv: impl Into<SecretString>,
        expiry: impl Into<SecretString>,
    ) -> Result<Card, FieldError> {
        let (number, cvv, expiry) = (number.into(), cvv.into(), expiry.into());
        not_empty(
            "paymentDetail.cardNumber",
            number.expose_secret(),
            "the card number",
        )?;
        not_empty(
            "paymentDetail.cvv",
            cvv.expose_secret(),
            "the card's security code",
        )?;
        if !is_mm_yy(expiry.expose_secret()) {
            return Err(FieldError::new(
                "paymentDetail.expiry",
                "must be MM/YY: a month 01 to 12, a slash, the year's last two digits (like 12/29)",
            ));
        }
        Ok(Card {
            number,
            cvv,
            expiry,
            holder_name: None,
        })
    }

    /// The name on the card (`cardHolderName`).
    pub fn with_holder_name(mut self, name: impl Into<SecretString>) -> Card {
        self.holder_name = Some(name.into());
        self
    }
}

/// The customer's UPI address, or why not (never repeating it).
fn upi_address(vpa: &str) -> Result<PaymentDetailVpa, FieldError> {
    const FIELD: &str = "paymentDetail.vpa";
    not_empty(
        FIELD,
        vpa,
        "the customer's UPI address, like asha.verma@okbank",
    )?;
    vpa.parse()
        .map_err(|e| FieldError::new(FIELD, format!("is not a UPI address ({e})")))
}

/// `^(0[1-9]|1[0-2])/[0-9]{2}$`
fn is_mm_yy(expiry: &str) -> bool {
    let b = expiry.as_bytes();
    b.len() == 5
        && b[2] == b'/'
        && b.iter()
            .enumerate()
            .all(|(i, d)| i == 2 || d.is_ascii_digit())
        && matches!((b[0], b[1]), (b'0', b'1'..=b'9') | (b'1', b'0'..=b'2'))
}

impl PaymentDetail {
    /// A UPI collect payment from the customer's UPI address (`paymentMode: UPI`).
    ///
    /// # Errors
    ///
    /// A [`FieldError`] for an empty `paymentDetail.vpa`.
    ///
    /// ```
    /// use enkash::types::PaymentDetail;
    ///
    /// let detail = PaymentDetail::upi("asha.verma@okbank")?;
    /// assert!(matches!(detail, PaymentDetail::Upi { account_number: None, ifsc: None, .. }));
    /// assert_eq!(PaymentDetail::upi("").unwrap_err().field(), "paymentDetail.vpa");
    /// # Ok::<(), enkash::requests::FieldError>(())
    /// ```
    pub fn upi(vpa: impl AsRef<str>) -> Result<PaymentDetail, FieldError> {
        Ok(PaymentDetail::Upi {
            vpa: upi_address(vpa.as_ref())?,
            account_number: None,
            ifsc: None,
        })
    }

    /// A third-party-validated (TPV) UPI payment: from the UPI address `vpa`, and only from
    /// the bank account `account_number` (9 to 36 characters) at the branch `ifsc`.
    ///
    /// # Errors
    ///
    /// A [`FieldError`] for an empty `paymentDetail.vpa`, a `paymentDetail.accountNumber`
    /// that is not 9 to 36 characters, or a `paymentDetail.ifsc` that is not an IFSC code. The
    /// message never repeats the UPI address or the account number.
    ///
    /// ```
    /// use enkash::types::PaymentDetail;
    ///
    /// let detail = PaymentDetail::upi_tpv("asha.verma@okbank", "123456789012", "HDFC0001234")?;
    /// # let _ = detail;
    /// let err = PaymentDetail::upi_tpv("asha.verma@okbank", "123456789012", "hdfc1234").unwrap_err();
    /// assert_eq!(err.field(), "paymentDetail.ifsc");
    /// # Ok::<(), enkash::requests::FieldError>(())
    /// ```
    pub fn upi_tpv(
        vpa: impl AsRef<str>,
        account_number: impl AsRef<str>,
        ifsc: impl AsRef<str>,
    ) -> Result<PaymentDetail, FieldError> {
        let vpa = upi_address(vpa.as_ref())?;
        let account_number = account_number.as_ref();
        let length = account_number.chars().count();
        let account_number = account_number.parse().map_err(|_| {
            FieldError::new(
                "paymentDetail.accountNumber",
                format!("must be 9 to 36 characters: it has {length}"),
            )
        })?;
        let ifsc = ifsc.as_ref().parse().map_err(|_| {
            FieldError::new(
                "paymentDetail.ifsc",
                "must be an IFSC code: four capital letters, a 0, then six capital letters or \
                 digits (like HDFC0001234)",
            )
        })?;
        Ok(PaymentDetail::Upi {
            vpa,
            account_number: Some(account_number),
            ifsc: Some(ifsc),
        })
    }

    /// A credit card payment (`paymentMode: CREDIT_CARD`).
    pub fn credit_card(card: Card) -> PaymentDetail {
        PaymentDetail::CreditCard {
            card_holder_name: card.holder_name,
            card_number: card.number,
            cvv: card.cvv,
            expiry: card.expiry,
        }
    }

    /// A debit card payment (`paymentMode: DEBIT_CARD`).
    pub fn debit_card(card: Card) -> PaymentDetail {
        PaymentDetail::DebitCard {
            card_holder_name: card.holder_name,
            card_number: card.number,
            cvv: card.cvv,
            expiry: card.expiry,
        }
    }

    /// A prepaid card payment (`paymentMode: PREPAID_CARD`).
    pub fn prepaid_card(card: Card) -> PaymentDetail {
        PaymentDetail::PrepaidCard {
            card_holder_name: card.holder_name,
            card_number: card.number,
            cvv: card.cvv,
            expiry: card.expiry,
        }
    }

    /// A corporate card payment (`paymentMode: CORPORATE_CARD`).
    pub fn corporate_card(card: Card) -> PaymentDetail {
        PaymentDetail::CorporateCard {
            card_holder_name: card.holder_name,
            card_number: card.number,
            cvv: card.cvv,
            expiry: card.expiry,
        }
    }

    /// A net-banking payment from the bank `bank_code` names (`paymentMode: NET_BANKING`).
    ///
    /// ```
    /// let detail = enkash::types::PaymentDetail::net_banking("HDFC");
    /// # let _ = detail;
    /// ```
    pub fn net_banking(bank_code: impl Into<String>) -> PaymentDetail {
        PaymentDetail::NetBanking {
            bank_code: bank_code.into(),
        }
    }

    /// A payment from the wallet `bank_code` names (`paymentMode: WALLET`).
    pub fn wallet(bank_code: impl Into<String>) -> PaymentDetail {
        PaymentDetail::Wallet {
            bank_code: bank_code.into(),
        }
    }

    /// A buy-now-pay-later payment (`paymentMode: PAY_LATER`) with the provider `bank_code`
    /// names and the chosen option.
    pub fn pay_later(
        bank_code: impl Into<String>,
        bnpl_payment_option_id: impl Into<String>,
    ) -> PaymentDetail {
        PaymentDetail::PayLater {
            bank_code: bank_code.into(),
            bnpl_payment_option_id: bnpl_payment_option_id.into(),
        }
    }
}
