//! UPI Autopay in the sandbox's books: mandates, their life (created, approved or declined,
//! paused, revoked, expired, completed), pre-debit notifications and debits, with the RBI and
//! NPCI rules that peers document (EnKash documents none of them; see `openapi/enkash.yaml`).
//!
//! Every method takes the sandbox's business time (`now`), which a test moves with
//! [`Sandbox::advance_clock`](crate::Sandbox::advance_clock), and returns the
//! callbacks the change causes; no HTTP here.

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, Utc};
use serde_json::Value;

use super::{notification, Ledger, Refusal};
use crate::codes;
use enkash::types::{
    CreateUpiMandateRequest, ExecuteMandateDebitRequest, MandateAmountRule, MandatePausePeriod,
    MandatePayee, MandatePayer, MandatePreDebitNotice, MandatePreDebitRequest, MandateRecurrence,
    MandateRecurrencePeriod, MandateStatus, MandateValidity, Order, OrderStatus, OrderTransaction,
    PaymentMode, PaymentStatus, UpdateUpiMandateRequest, UpiMandate,
};
use enkash::Rupees;

/// A payer VPA ending with this approves debits above Rs 15,000 (the additional factor of
/// authentication); every other payer leaves them unauthorised, so the sandbox refuses them
/// with [`codes::AUTHENTICATION_REQUIRED`].
pub const AFA_VPA_SUFFIX: &str = "@afa";

/// The most a debit may take without the payer's additional factor of authentication (RBI,
/// June 2022).
const AFA_LIMIT: Rupees = Rupees::from_paise(1_500_000);

/// How long before a debit its pre-debit notification must have been sent.
const NOTICE_LEAD_SECONDS: i64 = 24 * 60 * 60;

/// Indian Standard Time: the day of a debit and of a pre-debit notice is read in it.
fn ist() -> FixedOffset {
    FixedOffset::east_opt(5 * 3600 + 1800).unwrap_or_else(|| FixedOffset::east_opt(0).unwrap())
}

/// The day (IST) of an instant.
fn day_of(instant: DateTime<Utc>) -> NaiveDate {
    instant.with_timezone(&ist()).date_naive()
}

/// A refusal of terms the spec cannot rule out (a business rule, HTTP 200).
fn terms(problem: &str) -> Refusal {
    Refusal::Rule(codes::INVALID_MANDATE_TERMS, problem.to_string())
}

/// A callback to post: where, and the JSON body.
#[derive(Debug, Clone)]
pub(crate) struct Outgoing {
    pub url: String,
    pub body: Value,
}

/// The mandate books: by `referenceId`, with `mandateId` as a second key.
#[derive(Debug, Default)]
pub(crate) struct Mandates {
    by_reference: HashMap<String, Mandate>,
    reference_of: HashMap<String, String>,
    /// Where UPI Mandate Callbacks go (merchant configuration; EnKash documents none).
    pub mandate_url: Option<String>,
    /// Where Mandate Debit Callbacks go.
    pub debit_url: Option<String>,
}

#[derive(Debug, Clone)]
struct Mandate {
    view: UpiMandate,
    amount: Rupees,
    rule: MandateAmountRule,
    period: MandateRecurrencePeriod,
    payer_vpa: String,
    expiry: DateTime<Utc>,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    pause_until: Option<DateTime<Utc>>,
    notices: Vec<Notice>,
    /// The recurrence periods already debited (index from `validity.startAt`).
    debited_periods: BTreeSet<i64>,
    debits: u32,
}

#[derive(Debug, Clone)]
struct Notice {
    notice: MandatePreDebitNotice,
    amount: Rupees,
    day: NaiveDate,
    sent: DateTime<Utc>,
    used: bool,
}

/// Why the sandbox's own actions (approving, pausing) could not be done.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MandateActionError {
    /// No mandate has this `referenceId`.
    #[error("no mandate with this referenceId")]
    UnknownMandate,
    /// The mandate is not in a state that allows the action.
    #[error("the mandate is {status}, which does not allow this")]
    WrongState {
        /// The mandate's status.
        status: String,
    },
    /// A pause longer than a hundred years.
    #[error("a pause can last at most a hundred years")]
    TooLong,
}

impl Mandate {
    fn status(&self) -> MandateStatus {
        self.view.status.clone().unwrap_or(MandateStatus::Created)
    }

    fn set_status(&mut self, status: MandateStatus) {
        self.view.status = Some(status);
    }

    /// Refuses unless the mandate is active, with the code that says why not.
    fn require_active(&self) -> Result<(), Refusal> {
        let status = self.status();
        let code = match status {
            MandateStatus::Active => return Ok(()),
            MandateStatus::Revoked => codes::MANDATE_REVOKED,
            MandateStatus::Created | MandateStatus::Paused => codes::MANDATE_NOT_ACTIVE,
            _ => codes::MANDATE_ENDED,
        };
        Err(Refusal::Rule(
            code,
            format!("Mandate {} is {status}", self.view.reference_id),
        ))
    }

    /// `EXACT` takes exactly the mandate amount, `MAX` at most it.
    fn check_amount(&self, amount: Rupees) -> Result<(), Refusal> {
        match self.rule {
            MandateAmountRule::Exact if amount != self.amount => Err(Refusal::Rule(
                codes::AMOUNT_NOT_EXACT,
                format!("An EXACT mandate takes exactly {}", self.amount),
            )),
            MandateAmountRule::Max if amount > self.amount => Err(Refusal::Rule(
                codes::AMOUNT_ABOVE_MANDATE,
                format!("A MAX mandate takes at most {}", self.amount),
            )),
            _ => Ok(()),
        }
    }

    /// Refuses a day outside `validity`.
    fn check_day(&self, day: NaiveDate) -> Result<(), Refusal> {
        if day < day_of(self.start) || day > day_of(self.end) {
            return Err(Refusal::Rule(
                codes::DEBIT_DATE_NOT_ALLOWED,
                "The day is outside the mandate's validity".into(),
            ));
        }
        Ok(())
    }

    /// Which recurrence period `day` falls in, counted from `validity.startAt`; `None` for
    /// `ASPRESENTED` (no limit per period).
    fn period_of(&self, day: NaiveDate) -> Option<i64> {
        let start = day_of(self.start);
        let days = (day - start).num_days();
        let months = i64::from(day.year() - start.year()) * 12 + i64::from(day.month())
            - i64::from(start.month());
        match self.period {
            MandateRecurrencePeriod::Aspresented => None,
            MandateRecurrencePeriod::Onetime => Some(0),
            MandateRecurrencePeriod::Daily => Some(days),
            MandateRecurrencePeriod::Weekly => Some(days.div_euclid(7)),
            MandateRecurrencePeriod::Fortnightly => Some(days.div_euclid(14)),
            MandateRecurrencePeriod::Monthly => Some(months),
            MandateRecurrencePeriod::Bimonthly => Some(months.div_euclid(2)),
            MandateRecurrencePeriod::Quarterly => Some(months.div_euclid(3)),
            MandateRecurrencePeriod::Halfyearly => Some(months.div_euclid(6)),
            MandateRecurrencePeriod::Yearly => Some(months.div_euclid(12)),
            // Refused at creation; kept to one period if it ever gets here.
            MandateRecurrencePeriod::Unknown(_) => Some(0),
        }
    }

    /// The changes time alone makes, at `now`: an unapproved request lapses, a mandate past
    /// its validity expires, a pause ends. Whether anything changed.
    fn tick(&mut self, now: DateTime<Utc>) -> bool {
        match self.status() {
            MandateStatus::Created if now >= self.expiry => {
                self.set_status(MandateStatus::Expired);
                true
            }
            MandateStatus::Active | MandateStatus::Paused if now >= self.end => {
                self.set_status(MandateStatus::Expired);
                true
            }
            MandateStatus::Paused if self.pause_until.is_some_and(|until| now >= until) => {
                self.pause_until = None;
                self.view.pause_period = None;
                self.set_status(MandateStatus::Active);
                true
            }
            _ => false,
        }
    }
}

impl Mandates {
    fn callback(&self, mandate: &Mandate) -> Option<Outgoing> {
        let url = self.mandate_url.clone()?;
        let body = serde_json::to_value(&mandate.view).ok()?;
        Some(Outgoing { url, body })
    }

    /// The mandate a request body names by `referenceId`: unknown is a business refusal.
    fn get_mut(&mut self, reference_id: &str) -> Result<&mut Mandate, Refusal> {
        self.by_reference.get_mut(reference_id).ok_or_else(|| {
            Refusal::Rule(codes::UNKNOWN_MANDATE, format!("No mandate {reference_id}"))
        })
    }

    /// The `referenceId` of the mandate a request body names by `mandateId`.
    fn reference_of(&self, mandate_id: &str) -> Result<String, Refusal> {
        self.reference_of.get(mandate_id).cloned().ok_or_else(|| {
            Refusal::Rule(
                codes::UNKNOWN_MANDATE,
                format!("No mandate with mandateId {mandate_id}"),
            )
        })
    }

    /// Applies the passing of time to every mandate; the callbacks it causes.
    pub(crate) fn tick(&mut self, now: DateTime<Utc>) -> Vec<Outgoing> {
        let mut references: Vec<String> = self.by_reference.keys().cloned().collect();
        references.sort();
        let mut out = Vec::new();
        for reference in references {
            if let Some(mandate) = self.by_reference.get_mut(&reference) {
                if mandate.tick(now) {
                    let snapshot = mandate.clone();
                    out.extend(self.callback(&snapshot));
                }
            }
        }
        out
    }

    /// The payer's answer to the approval request: approved, unless the payer VPA ends in
    /// `@fail` (declined). Either way the UPI Mandate Callback goes out.
    pub(crate) fn approve(
        &mut self,
        reference_id: &str,
        now: DateTime<Utc>,
    ) -> Result<(UpiMandate, Vec<Outgoing>), MandateActionError> {
        let mut out = self.tick(now);
        let mandate = self
            .by_reference
            .get_mut(reference_id)
            .ok_or(MandateActionError::UnknownMandate)?;
        if mandate.status() != MandateStatus::Created {
            return Err(MandateActionError::WrongState {
                status: mandate.status().to_string(),
            });
        }
        if mandate.payer_vpa.ends_with(super::DECLINED_VPA_SUFFIX) {
            mandate.set_status(MandateStatus::Declined);
        } else {
            mandate.set_status(MandateStatus::Active);
            let id = mandate.view.mandate_id.replace('_', "");
            mandate.view.umn = Some(format!("{id}@sandbox"));
        }
        let snapshot = mandate.clone();
        out.extend(self.callback(&snapshot));
        Ok((snapshot.view, out))
    }

    /// The payer pauses an active mandate from their UPI app for `length`; it becomes active
    /// again when the pause ends. Not for `ONETIME` mandates (peers).
    pub(crate) fn pause(
        &mut self,
        reference_id: &str,
        length: chrono::Duration,
        now: DateTime<Utc>,
    ) -> Result<(UpiMandate, Vec<Outgoing>), MandateActionError> {
        let mut out = self.tick(now);
        let mandate = self
            .by_reference
            .get_mut(reference_id)
            .ok_or(MandateActionError::UnknownMandate)?;
        if mandate.status() != MandateStatus::Active
            || mandate.period == MandateRecurrencePeriod::Onetime
        {
            return Err(MandateActionError::WrongState {
                status: mandate.status().to_string(),
            });
        }
        let until = now + length;
        mandate.pause_until = Some(until);
        mandate.view.pause_period = Some(MandatePausePeriod {
            start_at: Some(now.timestamp()),
            end_at: Some(until.timestamp()),
        });
        mandate.set_status(MandateStatus::Paused);
        let snapshot = mandate.clone();
        out.extend(self.callback(&snapshot));
        Ok((snapshot.view, out))
    }
}

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
