//! Orders and payment attempts: the documented rules that move them along, the seeded books,
//! and the notification a payment owes. No HTTP here; `http/` turns outcomes into responses.
//! A little past 400 lines: the attempt rules (`attempt`, `Outcome`, `is_payable`) serve
//! ordering, paying and the UPI checkout alike and read best beside the payment they decide.

use chrono::{DateTime, Utc};

use crate::codes;
use enkash::Rupees;

use super::books::{split_account, Ledger};
use super::settlements::payout;
use super::terms::{Notify, Refusal, DECLINED_CARD, DECLINED_VPA_SUFFIX, PENDING_VPA_SUFFIX};
use super::{otp, qr, seeds};
use enkash::types::{
    CreateOrderRequest, Order, OrderStatus, OrderTransaction, PaymentDetail, PaymentMode,
    PaymentNotification, PaymentStatus, SubmitPaymentRequest,
};

impl Ledger {
    pub(crate) fn seeded() -> Self {
        Self {
            payouts: vec![
                payout(
                    "SP_SANDBOX_0001",
                    Rupees::from_paise(1_500_000),
                    Rupees::from_paise(49_950),
                ),
                payout("SP_SANDBOX_0002", Rupees::from_paise(820_000), Rupees::ZERO),
            ],
            split_accounts: vec![
                split_account(seeds::SPLIT_ACCOUNT_ID, seeds::SPLIT_ACCESS_KEY, true),
                split_account("SAD_SANDBOX_INACTIVE", "AK_SPLIT_SANDBOX_INACTIVE", false),
            ],
            qr_codes: qr::seeded(),
            ..Self::default()
        }
    }

    /// Two orders with fixed ids, one paid and one not, for examples that need an order.
    pub(crate) fn seed_orders(&mut self, merchant_key: &str, base_url: &str) {
        for (fixed_id, pay) in [
            (seeds::PAID_ORDER_ID, true),
            (seeds::CREATED_ORDER_ID, false),
        ] {
            let request = CreateOrderRequest::builder()
                .order_id(fixed_id.replace('_', ""))
                .amount(enkash::types::Amount {
                    value: Rupees::from_paise(149_950),
                    currency: enkash::types::Currency::Inr,
                });
            let Ok(request) = CreateOrderRequest::try_from(request) else {
                continue;
            };
            let Ok(mut order) = self.create_order(request, merchant_key, base_url) else {
                continue;
            };
            self.orders
                .remove(order.order_id.as_deref().unwrap_or_default());
            order.order_id = Some(fixed_id.to_string());
            order.redirection_url = Some(format!("{base_url}/pay/checkout/{fixed_id}"));
            self.orders.insert(fixed_id.to_string(), order);
            let vpa = "asha.verma@okbank".parse();
            if let (true, Ok(vpa)) = (pay, vpa) {
                let payment_detail = PaymentDetail::Upi {
                    vpa,
                    account_number: None,
                    ifsc: None,
                };
                let _ = self.submit_payment(SubmitPaymentRequest {
                    order_id: fixed_id.to_string(),
                    payment_detail,
                    split_settlement: None,
                });
            }
        }
    }

    pub(crate) fn next(&mut self, prefix: &str) -> String {
        self.next_id += 1;
        format!("{prefix}_SBX_{:06}", self.next_id)
    }

    pub(crate) fn create_order(
        &mut self,
        request: CreateOrderRequest,
        merchant_key: &str,
        base_url: &str,
    ) -> Result<Order, Refusal> {
        // The amount's bounds and the id's letters-and-digits pattern are the spec's: the
        // sandbox's contract check has enforced them before this runs.
        let amount = request.amount.value;
        if self
            .orders
            .values()
            .any(|o| o.merchant_order_id.as_deref() == Some(request.order_id.as_str()))
        {
            return Err(Refusal::Rule(
                codes::DUPLICATE_ORDER,
                format!("Order {} already exists", request.order_id.as_str()),
            ));
        }
        let id = self.next("ORD");
        let now = Utc::now();
        let order = Order {
            redirection_url: Some(format!("{base_url}/pay/checkout/{id}")),
            order_id: Some(id.clone()),
            merchant_order_id: Some(request.order_id.to_string()),
            merchant_identifier_key: Some(merchant_key.to_string()),
            amount: Some(amount),
            currency: Some(request.amount.currency.to_string()),
            return_url: request.return_url,
            notify_url: request.notify_url,
            status: Some(OrderStatus::Created),
            customer_info: request.customer_info.and_then(same_fields),
            custom_parameters: request.custom_parameters,
            payment_detail: request.payment_detail.and_then(same_fields),
            order_message: Some("Order created".into()),
            created: Some(now),
            last_modified: Some(now),
            order_date: Some(now),
            merchant_name: Some("EnKash Sandbox Merchant".into()),
            transactions: Vec::new(),
        };
        self.orders.insert(id, order.clone());
        Ok(order)
    }

    pub(crate) fn order(&self, id: &str) -> Result<Order, Refusal> {
        let mut order = self
            .orders
            .get(id)
            .cloned()
            .ok_or_else(|| Refusal::NotFound(format!("No order {id}")))?;
        order.transactions = self
            .order_transactions
            .get(id)
            .into_iter()
            .flatten()
            .filter_map(|t| self.transactions.get(t).cloned())
            .collect();
        Ok(order)
    }

    pub(crate) fn submit_payment(
        &mut self,
        request: SubmitPaymentRequest,
    ) -> Result<(OrderTransaction, Option<Notify>), Refusal> {
        let Attempt {
            mode,
            bank_code,
            outcome,
        } = attempt(&request.payment_detail);
        let order = self
            .orders
            .get(&request.order_id)
            .ok_or_else(|| Refusal::NotFound(format!("No order {}", request.order_id)))?;
        require_payable(&request.order_id, order)?;
        let (amount, currency, notify_url) = (
            order.amount,
            order.currency.clone(),
            order.notify_url.clone(),
        );
        if let Some(split) = &request.split_settlement {
            self.check_split(split, amount.unwrap_or_default())?;
        }

        let id = self.next("TXN");
        let now = Utc::now();
        let (status, order_status, message) = outcome.statuses();
        let succeeded = outcome == Outcome::Succeeded;
        let transaction = OrderTransaction {
            transaction_id: Some(id.clone()),
            order_id: Some(request.order_id.clone()),
            created: Some(now),
            last_modified: Some(now),
            amount,
            currency: currency.clone(),
            payment_mode: Some(mode),
            status: Some(status.clone()),
            bank_name: bank_code.as_ref().map(|code| format!("{code} Bank")),
            bank_code,
            txn_msg: Some(message.into()),
            txn_date: Some(now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
            unique_transaction_id: Some(format!("U{id}")),
            bank_transaction_id: succeeded.then(|| format!("{:012}", self.next_id)),
        };
        self.transactions.insert(id.clone(), transaction.clone());
        // A pending payment keeps its split until it settles (and loses it if it fails).
        if let (Some(split), false) = (&request.split_settlement, outcome == Outcome::Declined) {
            let recorded = serde_json::json!({"transactionId": id, "splitSettlement": split});
            self.splits.insert(id.clone(), recorded);
        }
        self.order_transactions
            .entry(request.order_id.clone())
            .or_default()
            .push(id);
        if let Some(order) = self.orders.get_mut(&request.order_id) {
            order.status = Some(order_status.clone());
            order.order_message = Some(message.into());
            order.last_modified = Some(now);
        }
        // A payment waiting for the bank is notified when it settles (EnKash does not document
        // whether it notifies a pending payment; the sandbox does not).
        let notify = match outcome {
            Outcome::Pending => None,
            _ => self.notify(notify_url, &transaction, order_status, now),
        };
        Ok((transaction, notify))
    }

    /// The notification for a transaction's outcome, kept for redelivery; `None` without a
    /// `notifyUrl`.
    pub(crate) fn notify(
        &mut self,
        url: Option<String>,
        transaction: &OrderTransaction,
        order_status: OrderStatus,
        now: DateTime<Utc>,
    ) -> Option<Notify> {
        let notify = Notify {
            url: url?,
            notification: notification(transaction, order_status, now),
        };
        let id = transaction.transaction_id.clone().unwrap_or_default();
        self.notified.insert(id, notify.clone());
        Some(notify)
    }

    pub(crate) fn transaction(&self, id: &str) -> Result<OrderTransaction, Refusal> {
        self.transactions
            .get(id)
            .cloned()
            .ok_or_else(|| Refusal::NotFound(format!("No transaction {id}")))
    }
}

/// Refuses with `code` unless the payment succeeded (a partial refund leaves it successful).
pub(crate) fn require_successful(
    transaction: &OrderTransaction,
    code: i32,
    action: &str,
) -> Result<(), Refusal> {
    match &transaction.status {
        Some(PaymentStatus::Success | PaymentStatus::PartiallyRefunded) => Ok(()),
        other => Err(Refusal::Rule(
            code,
            format!(
                "Transaction {} is {}; only successful payments can be {action}",
                transaction.transaction_id.as_deref().unwrap_or_default(),
                other
                    .as_ref()
                    .map_or("unknown".to_string(), ToString::to_string)
            ),
        )),
    }
}

/// What a payment attempt amounts to in the books.
pub(crate) struct Attempt {
    mode: PaymentMode,
    bank_code: Option<String>,
    outcome: Outcome,
}

/// How the sandbox answers a payment attempt, chosen by its card number or UPI address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    Succeeded,
    Declined,
    /// Waits for the bank until the test settles it.
    Pending,
}

impl Outcome {
    /// The transaction's status, the order's, and the message for both.
    pub(crate) fn statuses(self) -> (PaymentStatus, OrderStatus, &'static str) {
        match self {
            Self::Succeeded => (
                PaymentStatus::Success,
                OrderStatus::Paid,
                "Transaction successful",
            ),
            Self::Declined => (
                PaymentStatus::Failed,
                OrderStatus::Attempted,
                "Transaction declined by the bank",
            ),
            Self::Pending => (
                PaymentStatus::PendingWithBank,
                OrderStatus::PaymentConfirmationPending,
                "Awaiting confirmation from the bank",
            ),
        }
    }

    pub(crate) fn declined_if(declined: bool) -> Self {
        if declined {
            Self::Declined
        } else {
            Self::Succeeded
        }
    }
}

/// Reads a payment detail. The spec's schema (checked before this runs, and built into the
/// type) already guarantees each mode has the fields it needs.
pub(crate) fn attempt(detail: &PaymentDetail) -> Attempt {
    let (mode, bank_code, declined) = match detail {
        PaymentDetail::Upi { vpa, .. } if vpa.ends_with(PENDING_VPA_SUFFIX) => {
            return Attempt {
                mode: PaymentMode::Upi,
                bank_code: None,
                outcome: Outcome::Pending,
            };
        }
        PaymentDetail::Upi { vpa, .. } => {
            (PaymentMode::Upi, None, vpa.ends_with(DECLINED_VPA_SUFFIX))
        }
        PaymentDetail::CreditCard { card_number, .. } if otp::asks_for_otp(card_number) => {
            return Attempt {
                mode: PaymentMode::CreditCard,
                bank_code: None,
                outcome: Outcome::Pending,
            };
        }
        PaymentDetail::CreditCard { card_number, .. } => {
            (PaymentMode::CreditCard, None, is_declined(card_number))
        }
        PaymentDetail::DebitCard { card_number, .. } => {
            (PaymentMode::DebitCard, None, is_declined(card_number))
        }
        PaymentDetail::PrepaidCard { card_number, .. } => {
            (PaymentMode::PrepaidCard, None, is_declined(card_number))
        }
        PaymentDetail::CorporateCard { card_number, .. } => {
            (PaymentMode::CorporateCard, None, is_declined(card_number))
        }
        PaymentDetail::NetBanking { bank_code } => {
            (PaymentMode::NetBanking, Some(bank_code.clone()), false)
        }
        PaymentDetail::Wallet { bank_code } => {
            (PaymentMode::Wallet, Some(bank_code.clone()), false)
        }
        PaymentDetail::PayLater { bank_code, .. } => {
            (PaymentMode::PayLater, Some(bank_code.clone()), false)
        }
    };
    Attempt {
        mode,
        bank_code,
        outcome: Outcome::declined_if(declined),
    }
}

pub(crate) fn is_declined(card_number: &enkash::SecretString) -> bool {
    card_number.expose_secret() == DECLINED_CARD
}

/// A request's closed object as the open one a response shows: the same fields.
pub(crate) fn same_fields<A: serde::Serialize, B: serde::de::DeserializeOwned>(
    request: A,
) -> Option<B> {
    serde_json::to_value(request)
        .ok()
        .and_then(|value| serde_json::from_value(value).ok())
}

pub(crate) fn notification(
    transaction: &OrderTransaction,
    order_status: OrderStatus,
    now: DateTime<Utc>,
) -> PaymentNotification {
    PaymentNotification {
        order_id: transaction.order_id.clone().unwrap_or_default(),
        transaction_id: transaction.transaction_id.clone().unwrap_or_default(),
        unique_transaction_id: transaction.unique_transaction_id.clone(),
        bank_transaction_id: transaction.bank_transaction_id.clone(),
        status: transaction.status.clone(),
        transaction_status: transaction.status.clone(),
        order_status: Some(order_status),
        amount: transaction.amount,
        final_amount: transaction.amount,
        transaction_amount: transaction.amount,
        surcharge: Some(Rupees::ZERO),
        surcharge_gst: Some(Rupees::ZERO),
        mdr: Some(enkash::Decimal::ZERO),
        mdr_gst: Some(enkash::Decimal::ZERO),
        payment_mode: transaction.payment_mode.clone(),
        bank_code: transaction.bank_code.clone(),
        bank_name: transaction.bank_name.clone(),
        currency: transaction.currency.clone(),
        txn_msg: transaction.txn_msg.clone(),
        txn_date: Some(now),
        // EnKash documents no checksum algorithm; the sandbox does not pretend to have one.
        checksum: Some("sandbox-unsigned".into()),
        card_scheme: None,
        masked_card_number: None,
        card_holder_name: None,
        payment_token: None,
    }
}

/// Whether the order takes a payment: created, its checkout shown, or an attempt failed.
pub(crate) fn is_payable(order: &Order) -> bool {
    matches!(
        order.status,
        Some(OrderStatus::Created | OrderStatus::CheckoutRendered | OrderStatus::Attempted)
    )
}

/// Refuses a payment for an order that takes none ([`is_payable`]), naming its status.
pub(crate) fn require_payable(order_id: &str, order: &Order) -> Result<(), Refusal> {
    if is_payable(order) {
        return Ok(());
    }
    let status = order
        .status
        .as_ref()
        .map_or("unknown".to_string(), ToString::to_string);
    Err(Refusal::Rule(
        codes::ORDER_NOT_PAYABLE,
        format!("Order {order_id} is {status} and cannot be paid"),
    ))
}
