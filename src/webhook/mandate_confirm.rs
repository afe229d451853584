//! Confirming a Mandate Debit Callback with the gateway, bound to the merchant's mandate and
//! amount: the counterpart of [`confirm_payment`](super::confirm_payment) for UPI Autopay.

use super::confirm::ConfirmError;
use super::confirm::{check_agreement, check_amount, check_success, look_up, pays};
use crate::types::{Order, OrderTransaction, PaymentNotification};
use crate::{Client, Rupees};

/// A mandate debit EnKash itself says succeeded, under the mandate and for the amount the
/// merchant expected. Returned by [`confirm_mandate_debit`].
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ConfirmedMandateDebit {
    /// The debit's order, from `get_order_status`: `PAID`, for the amount expected, a debit of
    /// the mandate named.
    pub order: Order,
    /// The debit's transaction, from `get_transaction_status`: `SUCCESS`, named by EnKash with
    /// exactly the id the callback gave.
    pub transaction: OrderTransaction,
}

impl ConfirmedMandateDebit {
    /// EnKash's id for the debit's order: what `execute_upi_mandate_debit` answers with, when
    /// its answer arrives at all.
    pub fn order_id(&self) -> &str {
        self.order.order_id.as_deref().unwrap_or_default()
    }

    /// The debit's transaction id as EnKash gives it.
    pub fn transaction_id(&self) -> &str {
        self.transaction
            .transaction_id
            .as_deref()
            .unwrap_or_default()
    }
}

/// The mandate `referenceId` a debit's order belongs to, read from the order's
/// `merchantOrderId` (`SUB20261120001D2` is the second debit of mandate `SUB20261120001`), or
/// `None` when the id does not have that shape. Merchant order ids hold letters and digits
/// only, so a reference's other characters are not in it: give mandates references of
/// letters and digits, and this is the reference itself.
///
/// **Inferred, not documented.** EnKash documents no link from a debit's order to its
/// mandate: the debit's answer is the order, the callback names only the order, and neither
/// the order nor the mandate names the other. The sandbox, and the spec's example, name a
/// debit's order `<referenceId>D<n>` (letters and digits, as merchant order ids must be).
/// Use this to find *which of your mandates* a callback is about when the callback arrives
/// before the debit's answer; [`confirm_mandate_debit`] then checks the rest at EnKash. On
/// UAT, check it before relying on it: where EnKash names debit orders otherwise, this gives
/// `None` and [`confirm_mandate_debit`] refuses with [`ConfirmError::OtherMandate`] (it fails
/// closed), and the debit's own answer is the link.
///
/// ```
/// use enkash::webhook::debited_mandate;
///
/// assert_eq!(debited_mandate("SUB20261120001D2"), Some("SUB20261120001"));
/// assert_eq!(debited_mandate("SUB1D1D12"), Some("SUB1D1"));
/// assert_eq!(debited_mandate("INV20261120001"), None);
/// ```
pub fn debited_mandate(merchant_order_id: &str) -> Option<&str> {
    let (reference, number) = merchant_order_id.rsplit_once('D')?;
    let numbered = !number.is_empty() && number.bytes().all(|b| b.is_ascii_digit());
    (numbered && !reference.is_empty()).then_some(reference)
}

/// Confirms a Mandate Debit Callback with EnKash, bound to **your** mandate and amount, also
/// when it arrives before `execute_upi_mandate_debit` has answered.
///
/// The callback carries no signature (none is documented), so anyone can post one; it can
/// only *name* a transaction. This asks EnKash about that transaction
/// (`get_transaction_status`) and the order it pays (`get_order_status`), and confirms only
/// when all of these hold:
///
/// 1. **Your mandate.** The order's `merchantOrderId` is a debit of `mandate_reference_id` (of its letters and digits)
///    (see [`debited_mandate`]: *inferred*, sandbox-checked) and the order lists the
///    transaction or the transaction names the order. Otherwise
///    [`ConfirmError::OtherMandate`]: a checkout payment or another mandate's debit, claimed
///    for this one, stops here.
/// 2. **Successful.** The transaction is `SUCCESS` and the order `PAID`. Otherwise
///    [`ConfirmError::NotSuccessful`]; [`ConfirmError::may_confirm_later`] says whether it is
///    still pending.
/// 3. **Your amount.** The order's amount is `amount`, the amount *your* records say this
///    period's debit is (never the callback's), in rupees. Otherwise
///    [`ConfirmError::AmountDiffers`] or [`ConfirmError::OtherCurrency`].
/// 4. **The callback agrees** with EnKash where it says anything. Otherwise
///    [`ConfirmError::Disagrees`].
///
/// **Grant once per period.** Before sending a debit, record it as in flight: mandate,
/// recurrence period, amount. When a confirmed callback comes (before or after the debit's
/// answer), grant that period once, keyed by (mandate, period), and keep the order id; the
/// answer, when it arrives, must name the same order. A redelivered callback then grants
/// nothing twice. If the debit's answer is lost, keep the record: the callback is how you
/// learn the outcome (see the `execute_upi_mandate_debit` recovery advice).
///
/// ```no_run
/// use enkash::webhook::{confirm_mandate_debit, debited_mandate, parse_mandate_debit_callback};
/// use enkash::{Payload, Rupees};
///
/// # async fn on_debit_callback(client: &enkash::Client, body: &[u8]) -> Result<(), Box<dyn std::error::Error>> {
/// let callback = parse_mandate_debit_callback(body)?;
/// // Which of your mandates: EnKash's order names it (the debit's answer may not be back).
/// let order = client.get_order_status().order_id(&callback.order_id).send().await.payload()?;
/// let reference = order.merchant_order_id.as_deref().and_then(debited_mandate).ok_or("not a debit")?;
/// // From your own records for that mandate: this period's debit amount.
/// let amount = Rupees::from_paise(49_900);
/// match confirm_mandate_debit(client, &callback, reference, amount).await {
///     Ok(debit) => println!("grant this period once; the debit is order {}", debit.order_id()),
///     Err(e) if e.may_confirm_later() => eprintln!("not yet: {e}"),
///     Err(e) => eprintln!("not acting on this callback: {e}"),
/// }
/// # Ok(()) }
/// ```
pub async fn confirm_mandate_debit(
    client: &Client,
    callback: &PaymentNotification,
    mandate_reference_id: &str,
    amount: Rupees,
) -> Result<ConfirmedMandateDebit, ConfirmError> {
    if mandate_reference_id.is_empty() {
        return Err(ConfirmError::Invalid {
            problem: "the mandate reference id is empty",
        });
    }
    if amount <= Rupees::ZERO {
        return Err(ConfirmError::Invalid {
            problem: "the expected amount is not positive",
        });
    }
    let (transaction, order) = look_up(client, callback).await?;
    let of_this_mandate = order
        .merchant_order_id
        .as_deref()
        .and_then(debited_mandate)
        .is_some_and(|debited| debited == letters_and_digits(mandate_reference_id));
    if !of_this_mandate || !pays(&order, &transaction, &callback.transaction_id) {
        return Err(ConfirmError::OtherMandate {
            expected: mandate_reference_id.to_string(),
            found: order.merchant_order_id.clone(),
        });
    }
    check_success(&order, &transaction)?;
    check_amount(&order, &transaction, amount)?;
    check_agreement(callback, &order, &transaction)?;
    Ok(ConfirmedMandateDebit { order, transaction })
}

/// What of a mandate reference a debit's merchant order id can hold.
fn letters_and_digits(reference: &str) -> String {
    reference
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::debited_mandate;

    #[test]
    fn a_debit_order_names_its_mandate_and_nothing_else_does() {
        assert_eq!(debited_mandate("SUB7001D1"), Some("SUB7001"));
        assert_eq!(debited_mandate("SUB7001D12"), Some("SUB7001"));
        // The last `D` followed only by digits splits: a reference may itself hold a `D`.
        assert_eq!(debited_mandate("DUD1D3"), Some("DUD1"));
        for not_a_debit in ["SUB7001", "SUB7001D", "D12", "SUB7001D1x", "SUB7001-1", ""] {
            assert_eq!(debited_mandate(not_a_debit), None, "{not_a_debit}");
        }
    }
}
