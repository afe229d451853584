//! Confirming a payment notification with the gateway: the notification names a transaction,
//! EnKash says what that transaction really is, and the merchant's own records say what it
//! must be.
//!
//! Over 400 lines with its unit tests (the code is 404, of which 134 are docs): the look-up and
//! the checks that `confirm_mandate_debit` shares, kept beside the one flow they were written for.

use crate::types::{Order, OrderStatus, OrderTransaction, PaymentNotification, PaymentStatus};
use crate::{CallError, Client, Payload, Rupees};

/// A payment EnKash itself says is complete, for the order and amount the merchant expected.
///
/// Returned by [`confirm_payment`]: both records as the gateway gave them, for your books.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ConfirmedPayment {
    /// The order, from `get_order_status`: `PAID`, with the merchant's order id and amount.
    pub order: Order,
    /// The payment attempt, from `get_transaction_status`: `SUCCESS`, and named by EnKash with
    /// exactly the id the notification gave.
    pub transaction: OrderTransaction,
}

impl ConfirmedPayment {
    /// The transaction's id as EnKash itself gives it: the key to fulfil each payment once by.
    pub fn transaction_id(&self) -> &str {
        self.transaction
            .transaction_id
            .as_deref()
            .unwrap_or_default()
    }
}

/// Why [`confirm_payment`] did not confirm a notification: which check failed.
///
/// Only [`Lookup`](Self::Lookup) means "could not tell": every other variant is EnKash's own
/// answer, and says not to fulfil the order on this notification. Messages carry ids, statuses
/// and amounts from the gateway or from the caller, never a value taken from the notification
/// (which anyone can post) and never a secret.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfirmError {
    /// The arguments or the notification cannot name a payment (an empty id, an amount that is
    /// not positive). Nothing was sent.
    #[error("cannot confirm the payment: {problem}")]
    Invalid {
        /// What is wrong.
        problem: &'static str,
    },
    /// Looking the transaction or the order up at EnKash failed. Lookups are GETs, so trying
    /// again later is safe; the [`CallError`] says why ([`CallError::is_retryable`],
    /// [`CallError::outcome_unknown`], [`CallError::response_code`]...).
    #[error("could not look the payment up at EnKash: {0}")]
    Lookup(#[source] CallError),
    /// The transaction does not pay the order you named: EnKash has it for another order (or
    /// the order EnKash returned does not list it). A real payment claimed for the wrong
    /// order: the signature of a forged or misrouted notification.
    #[error(
        "the transaction does not pay order {expected}: EnKash has it for order {}",
        found.as_deref().unwrap_or("(none given)")
    )]
    OtherOrder {
        /// The merchant order id you passed.
        expected: String,
        /// The merchant order id EnKash has for the transaction's order, if it gave one.
        found: Option<String>,
    },
    /// The debit's order at EnKash is not a debit of the mandate you named: its merchant order
    /// id is not `<your referenceId>D<number>` (see
    /// [`confirm_mandate_debit`](super::confirm_mandate_debit) for what this link rests on),
    /// or the order does not list the transaction. A real debit of another mandate, or a
    /// checkout payment, claimed for this one.
    #[error(
        "the transaction is not a debit of mandate {expected}: EnKash has it for order {}",
        found.as_deref().unwrap_or("(none given)")
    )]
    OtherMandate {
        /// The mandate `referenceId` you passed.
        expected: String,
        /// The merchant order id EnKash has for the transaction's order, if it gave one.
        found: Option<String>,
    },
    /// EnKash does not say the payment succeeded: the transaction is not `SUCCESS`, or its
    /// order is not `PAID`. Pending if the status is not final
    /// ([`PaymentStatus::is_final`]): ask again later. Failed, cancelled or refunded if it is.
    #[error(
        "EnKash does not say the payment succeeded (transaction {}, order {}): do not fulfil \
         the order",
        transaction_status.as_ref().map_or("without a status", PaymentStatus::as_str),
        order_status.as_ref().map_or("without a status", OrderStatus::as_str)
    )]
    NotSuccessful {
        /// The transaction's status at EnKash.
        transaction_status: Option<PaymentStatus>,
        /// The order's status at EnKash.
        order_status: Option<OrderStatus>,
    },
    /// The order's amount at EnKash is not the amount you expected (or the transaction paid
    /// less than it).
    #[error(
        "EnKash has Rs {} for this payment, not the Rs {expected} expected",
        found.map_or("(none given)".to_string(), |found| found.to_string())
    )]
    AmountDiffers {
        /// The amount you passed.
        expected: Rupees,
        /// The amount EnKash has: the order's, or the transaction's when that was short.
        found: Option<Rupees>,
    },
    /// EnKash has the order or the payment in another currency than Indian rupees, the only
    /// one documented: its amount is not the rupees you expected.
    #[error("EnKash has this payment in {currency}, not in INR")]
    OtherCurrency {
        /// The currency EnKash has.
        currency: String,
    },
    /// The payment checks out at EnKash, but the notification says something else about it:
    /// a stale, garbled or forged notification. Do not act on this one; a true notification,
    /// or your own `get_order_status`, will tell.
    #[error("the notification's `{field}` disagrees with EnKash's records")]
    Disagrees {
        /// The notification field that disagrees (its value is not repeated).
        field: &'static str,
    },
}

impl ConfirmError {
    /// The failed call, for a [`Lookup`](Self::Lookup) error.
    pub fn call_error(&self) -> Option<&CallError> {
        match self {
            Self::Lookup(error) => Some(error),
            _ => None,
        }
    }

    /// Whether asking again later may confirm the payment: a lookup that failed in a way that
    /// may pass ([`CallError::is_retryable`]), or a payment EnKash still has as pending (a
    /// documented status that is not final). A status the crate does not know (`success` in
    /// another case, a new value) or no status at all is not pending: such a record can never
    /// be confirmed by waiting. Answer a notification that may confirm later with an error
    /// status so that a retrying gateway sends it again, or poll.
    pub fn may_confirm_later(&self) -> bool {
        match self {
            Self::Lookup(error) => error.is_retryable(),
            Self::NotSuccessful {
                transaction_status,
                order_status,
            } => {
                let pending_payment = transaction_status
                    .as_ref()
                    .is_some_and(|s| s.is_known() && !s.is_final());
                let pending_order = order_status
                    .as_ref()
                    .is_some_and(|s| s.is_known() && !s.is_final());
                let paid = transaction_status
                    .as_ref()
                    .is_some_and(PaymentStatus::is_success);
                pending_payment || (paid && pending_order)
            }
            _ => false,
        }
    }
}

/// Confirms a payment notification with EnKash, bound to **your** order and amount.
///
/// The notification's `checksum` cannot be verified (its algorithm is not documented), so
/// anyone can post a notification; it can only ever *name* a transaction. This function asks
/// EnKash about that transaction (`get_transaction_status`) and about the order it pays
/// (`get_order_status`), and confirms only when all of these hold:
///
/// 1. **Your order.** The order's `merchantOrderId` at EnKash is `order_id`, the id you sent to
///    `create_order`, and the order lists the transaction (or the transaction names that
///    order). Otherwise [`ConfirmError::OtherOrder`]: a genuine Rs 1 payment of one order,
///    claimed for another, stops here.
/// 2. **Successful.** The transaction is `SUCCESS` and the order `PAID`. Otherwise
///    [`ConfirmError::NotSuccessful`] (pending, failed, cancelled, or refunded since).
/// 3. **Your amount.** The order's `amount` at EnKash equals `amount`, the amount your own
///    records say the order costs (never the notification's), and the transaction's `amount`,
///    when EnKash gives one, is not less. Otherwise [`ConfirmError::AmountDiffers`].
/// 4. **The notification agrees.** Its `orderId`, `status`, `transactionStatus`, `orderStatus`
///    and `amount`, where present, equal what EnKash says. Otherwise
///    [`ConfirmError::Disagrees`].
///
/// A failed lookup is [`ConfirmError::Lookup`], carrying the [`CallError`].
///
/// **Which amount.** EnKash's payment notification has three: `amount` ("the order amount"),
/// `finalAmount` ("what the customer paid") and `transactionAmount` ("the transaction's
/// amount"). The merchant's price is the *order* amount, so that is what must equal `amount`:
/// EnKash's own `Order.amount` (from `get_order_status`), and the notification's `amount` must
/// agree with it. `finalAmount` is not compared: it includes any `surcharge` and
/// `surchargeGst` added for the customer, so it legitimately exceeds the price whenever a
/// surcharge applies. `transactionAmount` is not compared either: how it relates to the other
/// two is not documented. For the same reason the transaction's own `amount` (an inferred
/// field of `get_transaction_status`) only has to cover the price, not equal it. Everything
/// compared comes from EnKash except the notification fields in check 4, and those can only
/// cause a refusal, never a confirmation.
///
/// **Idempotency is yours.** EnKash may deliver a notification more than once, and a
/// confirmed payment stays confirmed: record the transaction id and fulfil each order once.
/// A notification for a failed attempt of an order that a later attempt paid gives
/// `NotSuccessful`: confirm per transaction, not per order.
///
/// ```no_run
/// use enkash::webhook::{confirm_payment, parse_payment_notification, ConfirmError};
/// use enkash::Rupees;
///
/// # async fn on_notification(client: &enkash::Client, body: &[u8]) -> Result<(), Box<dyn std::error::Error>> {
/// let notification = parse_payment_notification(body)?;
/// // Your own records, found by the notification's EnKash order id (or by the notifyUrl you
/// // gave the order): the merchant order id and what the order costs.
/// let (my_order_id, my_amount) = ("INV20261120001", "1499.50".parse::<Rupees>()?);
/// match confirm_payment(client, &notification, my_order_id, my_amount).await {
///     Ok(paid) => {
///         // Fulfil the order, once per transaction id.
///         println!("paid: {:?}", paid.transaction.transaction_id);
///     }
///     Err(e) if e.may_confirm_later() => eprintln!("not yet: {e}"),
///     Err(e) => eprintln!("not acting on this notification: {e}"),
/// }
/// # Ok(()) }
/// ```
pub async fn confirm_payment(
    client: &Client,
    notification: &PaymentNotification,
    order_id: &str,
    amount: Rupees,
) -> Result<ConfirmedPayment, ConfirmError> {
    let invalid = |problem| Err(ConfirmError::Invalid { problem });
    if order_id.is_empty() {
        return invalid("the merchant order id is empty");
    }
    if amount <= Rupees::ZERO {
        return invalid("the expected amount is not positive");
    }
    let (transaction, order) = look_up(client, notification).await?;
    let transaction_id = notification.transaction_id.as_str();
    check_order(&order, &transaction, transaction_id, order_id)?;
    check_success(&order, &transaction)?;
    check_amount(&order, &transaction, amount)?;
    check_agreement(notification, &order, &transaction)?;
    Ok(ConfirmedPayment { order, transaction })
}

/// Asks EnKash about the transaction a notification or callback names, and about the order
/// that transaction pays. The transaction must come back under exactly the id asked about.
pub(super) async fn look_up(
    client: &Client,
    notification: &PaymentNotification,
) -> Result<(OrderTransaction, Order), ConfirmError> {
    let invalid = |problem| Err(ConfirmError::Invalid { problem });
    let transaction_id = notification.transaction_id.as_str();
    if transaction_id.is_empty() {
        return invalid("the notification's transactionId is empty");
    }

    let transaction = client
        .get_transaction_status()
        .transaction_id(transaction_id)
        .send()
        .await
        .payload()
        .map_err(ConfirmError::Lookup)?;
    // EnKash must name the transaction, with exactly the id asked about: a record without an
    // id, or one that answers `txn_1` for `TXN_1`, confirms nothing, so the id a merchant keys
    // fulfilment on is always the gateway's own.
    if transaction.transaction_id.as_deref() != Some(transaction_id) {
        return Err(ConfirmError::Disagrees {
            field: "transactionId",
        });
    }
    // The order the gateway says the transaction pays; only if it does not say, the one the
    // notification names (check 1 then requires the order to list the transaction).
    let enkash_order_id = transaction
        .order_id
        .as_deref()
        .filter(|id| !id.is_empty())
        .unwrap_or(notification.order_id.as_str());
    if enkash_order_id.is_empty() {
        return invalid("neither EnKash nor the notification names the transaction's order");
    }
    let order = client
        .get_order_status()
        .order_id(enkash_order_id)
        .send()
        .await
        .payload()
        .map_err(ConfirmError::Lookup)?;

    Ok((transaction, order))
}

/// Check 1: the transaction pays the merchant's order.
fn check_order(
    order: &Order,
    transaction: &OrderTransaction,
    transaction_id: &str,
    order_id: &str,
) -> Result<(), ConfirmError> {
    let ours = order.merchant_order_id.as_deref() == Some(order_id);
    if ours && pays(order, transaction, transaction_id) {
        return Ok(());
    }
    Err(ConfirmError::OtherOrder {
        expected: order_id.to_string(),
        found: order.merchant_order_id.clone(),
    })
}

/// Whether the order EnKash returned is the one the transaction pays: it lists the
/// transaction, or the transaction names it.
pub(super) fn pays(order: &Order, transaction: &OrderTransaction, transaction_id: &str) -> bool {
    let listed = order
        .transactions
        .iter()
        .any(|t| t.transaction_id.as_deref() == Some(transaction_id));
    let named = transaction.order_id.is_some() && transaction.order_id == order.order_id;
    listed || named
}

/// Check 2: `SUCCESS` and `PAID`.
pub(super) fn check_success(
    order: &Order,
    transaction: &OrderTransaction,
) -> Result<(), ConfirmError> {
    let paid = transaction
        .status
        .as_ref()
        .is_some_and(PaymentStatus::is_success)
        && order.status.as_ref().is_some_and(OrderStatus::is_success);
    if paid {
        return Ok(());
    }
    Err(ConfirmError::NotSuccessful {
        transaction_status: transaction.status.clone(),
        order_status: order.status.clone(),
    })
}

/// Check 3: the order costs what the merchant expects, and the transaction covers it.
pub(super) fn check_amount(
    order: &Order,
    transaction: &OrderTransaction,
    expected: Rupees,
) -> Result<(), ConfirmError> {
    // Only rupees are documented; an amount in another currency is not the amount expected.
    let foreign = [&order.currency, &transaction.currency]
        .into_iter()
        .flatten()
        .find(|currency| currency.as_str() != "INR");
    if let Some(currency) = foreign {
        return Err(ConfirmError::OtherCurrency {
            currency: currency.clone(),
        });
    }
    if order.amount != Some(expected) {
        return Err(ConfirmError::AmountDiffers {
            expected,
            found: order.amount,
        });
    }
    if let Some(paid) = transaction.amount.filter(|paid| *paid < expected) {
        return Err(ConfirmError::AmountDiffers {
            expected,
            found: Some(paid),
        });
    }
    Ok(())
}

/// Check 4: what the notification says, where it says it, is what EnKash says.
pub(super) fn check_agreement(
    notification: &PaymentNotification,
    order: &Order,
    transaction: &OrderTransaction,
) -> Result<(), ConfirmError> {
    fn differs<T: PartialEq>(claimed: Option<&T>, gateway: Option<&T>) -> bool {
        claimed.is_some() && claimed != gateway
    }
    let other_order = order
        .order_id
        .as_deref()
        .is_some_and(|id| id != notification.order_id);
    let disagreement = if other_order {
        Some("orderId")
    } else if differs(notification.status.as_ref(), transaction.status.as_ref()) {
        Some("status")
    } else if differs(
        notification.transaction_status.as_ref(),
        transaction.status.as_ref(),
    ) {
        Some("transactionStatus")
    } else if differs(notification.order_status.as_ref(), order.status.as_ref()) {
        Some("orderStatus")
    } else if differs(notification.amount.as_ref(), order.amount.as_ref()) {
        Some("amount")
    } else if differs(notification.currency.as_ref(), order.currency.as_ref()) {
        Some("currency")
    } else {
        None
    };
    match disagreement {
        Some(field) => Err(ConfirmError::Disagrees { field }),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn transaction(order_id: Option<&str>) -> OrderTransaction {
        OrderTransaction {
            transaction_id: Some("TXN_1".into()),
            order_id: order_id.map(str::to_string),
            ..Default::default()
        }
    }

    fn order(listed: &[&str]) -> Order {
        Order {
            order_id: Some("ORD_B".into()),
            merchant_order_id: Some("INVB".into()),
            transactions: listed
                .iter()
                .map(|id| OrderTransaction {
                    transaction_id: Some(id.to_string()),
                    ..Default::default()
                })
                .collect(),
            ..Default::default()
        }
    }

    /// When the gateway's transaction does not name its order (`orderId` there is inferred),
    /// the order found through the notification must list the transaction.
    #[test]
    fn without_the_transactions_order_id_the_order_must_list_it() {
        let unnamed = transaction(None);
        let refused = check_order(&order(&["TXN_OTHER"]), &unnamed, "TXN_1", "INVB");
        assert!(
            matches!(refused, Err(ConfirmError::OtherOrder { .. })),
            "{refused:?}"
        );
        assert!(check_order(&order(&["TXN_OTHER", "TXN_1"]), &unnamed, "TXN_1", "INVB").is_ok());
        // Named by the transaction: enough, listed or not.
        assert!(check_order(&order(&[]), &transaction(Some("ORD_B")), "TXN_1", "INVB").is_ok());
        // Named for another order than the one returned: refused.
        let elsewhere = check_order(&order(&[]), &transaction(Some("ORD_A")), "TXN_1", "INVB");
        assert!(matches!(elsewhere, Err(ConfirmError::OtherOrder { .. })));
        // The merchant's id decides, whatever else matches.
        let theirs = check_order(&order(&["TXN_1"]), &unnamed, "TXN_1", "INVA");
        assert!(matches!(theirs, Err(ConfirmError::OtherOrder { .. })));
    }
}
