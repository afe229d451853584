//! UPI Autopay operations on the books: create, update, revoke, pre-debit notices and debits,
//! and the seeded mandate. The mandates' own rules (RBI's and NPCI's) are `mandate_book.rs`.
//! About 400 lines: the debit path (notice, then debit, then callback) is one story.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};

use crate::codes;
use enkash::Rupees;

use super::books::Ledger;

use super::mandate_book::{
    day_of, terms, Mandate, Notice, Outgoing, AFA_LIMIT, AFA_VPA_SUFFIX, NOTICE_LEAD_SECONDS,
};
use super::orders::notification;
use super::terms::Refusal;
use enkash::types::{
    CreateUpiMandateRequest, ExecuteMandateDebitRequest, MandateAmountRule, MandatePayee,
    MandatePayer, MandatePreDebitNotice, MandatePreDebitRequest, MandateRecurrence,
    MandateRecurrencePeriod, MandateStatus, MandateValidity, Order, OrderStatus, OrderTransaction,
    PaymentMode, PaymentStatus, UpdateUpiMandateRequest, UpiMandate,
};

impl Ledger {
    pub(crate) fn create_mandate(
        &mut self,
        request: CreateUpiMandateRequest,
        now: DateTime<Utc>,
    ) -> Result<UpiMandate, Refusal> {
        let reference_id = request.reference_id.to_string();
        if self.mandates.by_reference.contains_key(&reference_id) {
            return Err(Refusal::Rule(
                codes::DUPLICATE_MANDATE,
                format!("Mandate {reference_id} already exists"),
            ));
        }
        let period = request.recurrence.period.clone();
        if let MandateRecurrencePeriod::Unknown(_) = period {
            return Err(terms("recurrence.period: not a period the sandbox knows"));
        }
        if request.validity.end_at <= request.validity.start_at {
            return Err(terms("validity: endAt must be after startAt"));
        }
        if request.block_fund && period != MandateRecurrencePeriod::Onetime {
            return Err(terms("blockFund: only a ONETIME mandate may block funds"));
        }
        let mandate_id = self.next("MDT");
        let payer = &request.payer;
        let view = UpiMandate {
            umn: None,
            reference_id: reference_id.clone(),
            mandate_id: mandate_id.clone(),
            status: Some(MandateStatus::Created),
            amount: Some(request.amount),
            amount_rule: Some(request.amount_rule),
            currency: Some(request.currency.to_string()),
            payee: Some(MandatePayee {
                vpa: Some("sandboxmerchant@sandbox".into()),
                name: Some("EnKash Sandbox Merchant".into()),
                mcc: Some("4899".into()),
            }),
            payer: Some(MandatePayer {
                name: Some(payer.name.clone()),
                vpa: Some(payer.vpa.clone()),
                account: Some(payer.account.clone()),
                account_validation: Some(payer.account_validation),
            }),
            name: Some(request.mandate_name.clone()),
            expire_at: Some(request.expiry.timestamp()),
            block_fund: Some(request.block_fund),
            revokeable_by_payer: Some(true),
            recurrence: Some(MandateRecurrence {
                period: Some(period.clone()),
                rule: Some(request.recurrence.rule.clone()),
                value: Some(request.recurrence.value),
            }),
            validity: Some(MandateValidity {
                start_at: Some(request.validity.start_at.timestamp()),
                end_at: Some(request.validity.end_at.timestamp()),
            }),
            pause_period: None,
        };
        let mut mandate = Mandate {
            view,
            amount: request.amount,
            rule: request.amount_rule,
            period,
            payer_vpa: payer.vpa.clone(),
            expiry: request.expiry,
            start: request.validity.start_at,
            end: request.validity.end_at,
            pause_until: None,
            notices: Vec::new(),
            debited_periods: BTreeSet::new(),
            debits: 0,
        };
        // A request whose approval window has already passed lapses at once.
        mandate.tick(now);
        let view = mandate.view.clone();
        self.mandates
            .reference_of
            .insert(mandate_id, reference_id.clone());
        self.mandates.by_reference.insert(reference_id, mandate);
        Ok(view)
    }

    pub(crate) fn mandate(
        &mut self,
        reference_id: &str,
        now: DateTime<Utc>,
    ) -> Result<(UpiMandate, Vec<Outgoing>), Refusal> {
        let out = self.mandates.tick(now);
        // Named in the path: an unknown one is not found (404).
        let mandate = self
            .mandates
            .by_reference
            .get(reference_id)
            .ok_or_else(|| Refusal::NotFound(format!("No mandate {reference_id}")))?;
        Ok((mandate.view.clone(), out))
    }

    pub(crate) fn update_mandate(
        &mut self,
        request: UpdateUpiMandateRequest,
        now: DateTime<Utc>,
    ) -> Result<(UpiMandate, Vec<Outgoing>), Refusal> {
        let mut out = self.mandates.tick(now);
        if request.amount.is_none() && request.validity.is_none() {
            return Err(terms("send amount, validity or both to update a mandate"));
        }
        let mandate = self.mandates.get_mut(request.reference_id.as_str())?;
        match mandate.status() {
            MandateStatus::Active | MandateStatus::Paused => {}
            _ => mandate.require_active()?,
        }
        if let Some(validity) = &request.validity {
            if validity.end_at <= now || validity.end_at <= mandate.start {
                return Err(terms(
                    "validity.endAt: must be after now and after the mandate's start",
                ));
            }
        }
        if let Some(amount) = request.amount {
            mandate.amount = amount;
            mandate.view.amount = Some(amount);
        }
        if let Some(validity) = request.validity {
            mandate.end = validity.end_at;
            if let Some(shown) = mandate.view.validity.as_mut() {
                shown.end_at = Some(validity.end_at.timestamp());
            }
        }
        let snapshot = mandate.clone();
        out.extend(self.mandates.callback(&snapshot));
        Ok((snapshot.view, out))
    }

    /// Revokes; a revoked mandate is answered as it is (a repeat changes nothing).
    pub(crate) fn revoke_mandate(
        &mut self,
        reference_id: &str,
        now: DateTime<Utc>,
    ) -> Result<(UpiMandate, Vec<Outgoing>), Refusal> {
        let mut out = self.mandates.tick(now);
        let mandate = self.mandates.get_mut(reference_id)?;
        match mandate.status() {
            MandateStatus::Revoked => return Ok((mandate.view.clone(), out)),
            MandateStatus::Active | MandateStatus::Paused => {}
            _ => mandate.require_active()?,
        }
        mandate.set_status(MandateStatus::Revoked);
        mandate.pause_until = None;
        let snapshot = mandate.clone();
        out.extend(self.mandates.callback(&snapshot));
        Ok((snapshot.view, out))
    }

    pub(crate) fn notify_mandate_debit(
        &mut self,
        request: MandatePreDebitRequest,
        now: DateTime<Utc>,
    ) -> Result<(MandatePreDebitNotice, Vec<Outgoing>), Refusal> {
        let out = self.mandates.tick(now);
        let reference = self.mandates.reference_of(request.mandate_id.as_str())?;
        let id = self.next("PDN");
        let mandate = self.mandates.get_mut(&reference)?;
        mandate.require_active()?;
        mandate.check_amount(request.amount)?;
        mandate.check_day(request.debit_date)?;
        if request.debit_date < day_of(now) {
            return Err(Refusal::Rule(
                codes::DEBIT_DATE_NOT_ALLOWED,
                "debitDate is in the past".into(),
            ));
        }
        // The same notice again (a retry) gets the first answer, and keeps the first's time.
        let repeat = mandate
            .notices
            .iter()
            .find(|n| !n.used && n.amount == request.amount && n.day == request.debit_date);
        if let Some(earlier) = repeat {
            return Ok((earlier.notice.clone(), out));
        }
        let notice = MandatePreDebitNotice {
            mandate_id: mandate.view.mandate_id.clone(),
            predebit_notification_id: id,
            status: "SUCCESS".into(),
            amount: request.amount,
            debit_date: request.debit_date.to_string(),
        };
        mandate.notices.push(Notice {
            notice: notice.clone(),
            amount: request.amount,
            day: request.debit_date,
            sent: now,
            used: false,
        });
        Ok((notice, out))
    }

    pub(crate) fn execute_mandate_debit(
        &mut self,
        request: ExecuteMandateDebitRequest,
        now: DateTime<Utc>,
    ) -> Result<(Order, Vec<Outgoing>), Refusal> {
        let mut out = self.mandates.tick(now);
        let reference = self.mandates.reference_of(request.mandate_id.as_str())?;
        let today = day_of(now);
        let amount = request.amount;
        let mandate = self.mandates.get_mut(&reference)?;
        mandate.require_active()?;
        if now < mandate.start {
            return Err(Refusal::Rule(
                codes::DEBIT_DATE_NOT_ALLOWED,
                "The mandate's validity has not started".into(),
            ));
        }
        mandate.check_amount(amount)?;
        if amount > AFA_LIMIT && !mandate.payer_vpa.ends_with(AFA_VPA_SUFFIX) {
            return Err(Refusal::Rule(
                codes::AUTHENTICATION_REQUIRED,
                format!("A debit above {AFA_LIMIT} needs the payer's authentication"),
            ));
        }
        let period = mandate.period_of(today);
        if period.is_some_and(|p| mandate.debited_periods.contains(&p)) {
            return Err(Refusal::Rule(
                codes::RECURRENCE_PERIOD_USED,
                "The mandate was already debited in this recurrence period".into(),
            ));
        }
        let notice = mandate
            .notices
            .iter_mut()
            .filter(|n| !n.used && n.amount == amount && n.day == today)
            .min_by_key(|n| n.sent);
        let Some(notice) = notice else {
            return Err(Refusal::Rule(
                codes::PRE_DEBIT_NOTICE_MISSING,
                "No pre-debit notification for this amount and day".into(),
            ));
        };
        if (now - notice.sent).num_seconds() < NOTICE_LEAD_SECONDS {
            return Err(Refusal::Rule(
                codes::PRE_DEBIT_NOTICE_TOO_RECENT,
                "The pre-debit notification was sent less than 24 hours ago".into(),
            ));
        }
        notice.used = true;
        if let Some(period) = period {
            mandate.debited_periods.insert(period);
        }
        mandate.debits += 1;
        // The debit's order carries the mandate's reference and the debit's number, in letters
        // and digits only as merchant order ids must be: `SUB7001D2` (a reference's other
        // characters are left out). EnKash documents no link from a debit's order to its
        // mandate; this one is the sandbox's (and the spec's inferred) reading, and what
        // `enkash::webhook::confirm_mandate_debit` checks.
        let letters_and_digits: String = reference
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .collect();
        let merchant_order_id = format!("{letters_and_digits}D{}", mandate.debits);
        if mandate.period == MandateRecurrencePeriod::Onetime {
            mandate.set_status(MandateStatus::Completed);
            let snapshot = mandate.clone();
            out.extend(self.mandates.callback(&snapshot));
        }
        let (order, transaction) = self.record_debit(merchant_order_id, amount, now);
        if let Some(url) = self.mandates.debit_url.clone() {
            let body = notification(&transaction, OrderStatus::Paid, now);
            if let Ok(body) = serde_json::to_value(body) {
                out.push(Outgoing { url, body });
            }
        }
        Ok((order, out))
    }

    /// A successful debit in the books: an order, paid, with one UPI transaction.
    fn record_debit(
        &mut self,
        merchant_order_id: String,
        amount: Rupees,
        now: DateTime<Utc>,
    ) -> (Order, OrderTransaction) {
        let order_id = self.next("ORD");
        let transaction_id = self.next("TXN");
        let transaction = OrderTransaction {
            transaction_id: Some(transaction_id.clone()),
            order_id: Some(order_id.clone()),
            created: Some(now),
            last_modified: Some(now),
            amount: Some(amount),
            currency: Some("INR".into()),
            payment_mode: Some(PaymentMode::Upi),
            status: Some(PaymentStatus::Success),
            bank_code: None,
            bank_name: None,
            txn_msg: Some("Mandate debit successful".into()),
            txn_date: Some(now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
            unique_transaction_id: Some(format!("U{transaction_id}")),
            bank_transaction_id: Some(format!("{:012}", self.next_id)),
        };
        let order = Order {
            order_id: Some(order_id.clone()),
            created: Some(now),
            last_modified: Some(now),
            merchant_order_id: Some(merchant_order_id),
            merchant_identifier_key: None,
            amount: Some(amount),
            currency: Some("INR".into()),
            return_url: None,
            notify_url: None,
            status: Some(OrderStatus::Paid),
            customer_info: None,
            order_message: Some("Mandate debit successful".into()),
            order_date: Some(now),
            custom_parameters: Default::default(),
            transactions: Vec::new(),
            merchant_name: Some("EnKash Sandbox Merchant".into()),
            redirection_url: None,
            payment_detail: None,
        };
        self.transactions
            .insert(transaction_id.clone(), transaction.clone());
        self.order_transactions
            .entry(order_id.clone())
            .or_default()
            .push(transaction_id);
        self.orders.insert(order_id.clone(), order);
        let order = self.order(&order_id).unwrap_or_default();
        (order, transaction)
    }
}

impl Ledger {
    /// An active monthly `MAX` mandate of Rs 5,000 with fixed ids, valid for ten years from
    /// `now`, for examples and tools that need one without playing the payer.
    pub(crate) fn seed_mandate(&mut self, now: DateTime<Utc>) {
        let (reference_id, mandate_id) =
            (super::seeds::MANDATE_REFERENCE_ID, super::seeds::MANDATE_ID);
        let request = CreateUpiMandateRequest {
            reference_id: match reference_id.parse() {
                Ok(id) => id,
                Err(_) => return,
            },
            amount: Rupees::from_paise(500_000),
            amount_rule: MandateAmountRule::Max,
            currency: enkash::types::Currency::Inr,
            payer: enkash::types::MandatePayerRequest {
                name: "Asha Verma".into(),
                vpa: "asha.verma@okbank".into(),
                account: "123456789012".into(),
                account_validation: false,
            },
            mandate_name: "Sandbox monthly plan".into(),
            expiry: now + chrono::Duration::days(1),
            block_fund: false,
            recurrence: enkash::types::MandateRecurrenceRequest {
                period: MandateRecurrencePeriod::Monthly,
                rule: enkash::types::MandateRecurrenceRule::On,
                value: std::num::NonZeroU32::MIN,
            },
            validity: enkash::types::MandateValidityRequest {
                start_at: now,
                end_at: now + chrono::Duration::days(3650),
            },
            upi_reference_url: None,
            description: None,
        };
        let Ok(created) = self.create_mandate(request, now) else {
            return;
        };
        self.mandates.reference_of.remove(&created.mandate_id);
        self.mandates
            .reference_of
            .insert(mandate_id.to_string(), reference_id.to_string());
        if let Some(mandate) = self.mandates.by_reference.get_mut(reference_id) {
            mandate.view.mandate_id = mandate_id.to_string();
            mandate.view.umn = Some(format!("{}@sandbox", mandate_id.replace('_', "")));
            mandate.set_status(MandateStatus::Active);
        }
    }
}
