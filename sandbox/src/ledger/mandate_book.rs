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

use super::terms::Refusal;
use crate::codes;
use enkash::types::{
    MandateAmountRule, MandatePausePeriod, MandatePreDebitNotice, MandateRecurrencePeriod,
    MandateStatus, UpiMandate,
};
use enkash::Rupees;

/// A payer VPA ending with this approves debits above Rs 15,000 (the additional factor of
/// authentication); every other payer leaves them unauthorised, so the sandbox refuses them
/// with [`codes::AUTHENTICATION_REQUIRED`].
pub const AFA_VPA_SUFFIX: &str = "@afa";

/// The most a debit may take without the payer's additional factor of authentication (RBI,
/// June 2022).
pub(crate) const AFA_LIMIT: Rupees = Rupees::from_paise(1_500_000);

/// How long before a debit its pre-debit notification must have been sent.
pub(crate) const NOTICE_LEAD_SECONDS: i64 = 24 * 60 * 60;

/// Indian Standard Time: the day of a debit and of a pre-debit notice is read in it.
pub(crate) fn ist() -> FixedOffset {
    FixedOffset::east_opt(5 * 3600 + 1800).unwrap_or_else(|| FixedOffset::east_opt(0).unwrap())
}

/// The day (IST) of an instant.
pub(crate) fn day_of(instant: DateTime<Utc>) -> NaiveDate {
    instant.with_timezone(&ist()).date_naive()
}

/// A refusal of terms the spec cannot rule out (a business rule, HTTP 200).
pub(crate) fn terms(problem: &str) -> Refusal {
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
    pub(crate) by_reference: HashMap<String, Mandate>,
    pub(crate) reference_of: HashMap<String, String>,
    /// Where UPI Mandate Callbacks go (merchant configuration; EnKash documents none).
    pub mandate_url: Option<String>,
    /// Where Mandate Debit Callbacks go.
    pub debit_url: Option<String>,
}

#[derive(Debug, Clone)]
pub(crate) struct Mandate {
    pub(crate) view: UpiMandate,
    pub(crate) amount: Rupees,
    pub(crate) rule: MandateAmountRule,
    pub(crate) period: MandateRecurrencePeriod,
    pub(crate) payer_vpa: String,
    pub(crate) expiry: DateTime<Utc>,
    pub(crate) start: DateTime<Utc>,
    pub(crate) end: DateTime<Utc>,
    pub(crate) pause_until: Option<DateTime<Utc>>,
    pub(crate) notices: Vec<Notice>,
    /// The recurrence periods already debited (index from `validity.startAt`).
    pub(crate) debited_periods: BTreeSet<i64>,
    pub(crate) debits: u32,
}

#[derive(Debug, Clone)]
pub(crate) struct Notice {
    pub(crate) notice: MandatePreDebitNotice,
    pub(crate) amount: Rupees,
    pub(crate) day: NaiveDate,
    pub(crate) sent: DateTime<Utc>,
    pub(crate) used: bool,
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
    pub(crate) fn status(&self) -> MandateStatus {
        self.view.status.clone().unwrap_or(MandateStatus::Created)
    }

    pub(crate) fn set_status(&mut self, status: MandateStatus) {
        self.view.status = Some(status);
    }

    /// Refuses unless the mandate is active, with the code that says why not.
    pub(crate) fn require_active(&self) -> Result<(), Refusal> {
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
    pub(crate) fn check_amount(&self, amount: Rupees) -> Result<(), Refusal> {
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
    pub(crate) fn check_day(&self, day: NaiveDate) -> Result<(), Refusal> {
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
    pub(crate) fn period_of(&self, day: NaiveDate) -> Option<i64> {
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
    pub(crate) fn tick(&mut self, now: DateTime<Utc>) -> bool {
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
    pub(crate) fn callback(&self, mandate: &Mandate) -> Option<Outgoing> {
        let url = self.mandate_url.clone()?;
        let body = serde_json::to_value(&mandate.view).ok()?;
        Some(Outgoing { url, body })
    }

    /// The mandate a request body names by `referenceId`: unknown is a business refusal.
    pub(crate) fn get_mut(&mut self, reference_id: &str) -> Result<&mut Mandate, Refusal> {
        self.by_reference.get_mut(reference_id).ok_or_else(|| {
            Refusal::Rule(codes::UNKNOWN_MANDATE, format!("No mandate {reference_id}"))
        })
    }

    /// The `referenceId` of the mandate a request body names by `mandateId`.
    pub(crate) fn reference_of(&self, mandate_id: &str) -> Result<String, Refusal> {
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
