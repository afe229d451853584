//! The sandbox's refusals of UPI Autopay requests (business rules: HTTP 200, non-zero
//! `response_code`). EnKash documents none of these rules or codes: the rules are RBI's and
//! NPCI's as peers document them, and the codes are the sandbox's own.

/// A mandate with this `referenceId` exists already.
pub const DUPLICATE_MANDATE: i32 = 4001;
/// The mandate is not active: it awaits the payer's approval, or the payer paused it.
pub const MANDATE_NOT_ACTIVE: i32 = 4002;
/// The mandate was revoked: nothing more can happen under it (revocation is final).
pub const MANDATE_REVOKED: i32 = 4003;
/// The mandate has ended: declined by the payer, expired (unapproved before `expireAt`, or
/// past `validity.endAt`), or completed (a `ONETIME` mandate already debited).
pub const MANDATE_ENDED: i32 = 4004;
/// No pre-debit notification was sent for this debit's amount and day (Indian Standard
/// Time), or its notice was used by an earlier debit.
pub const PRE_DEBIT_NOTICE_MISSING: i32 = 4005;
/// The pre-debit notification for this amount and day was sent less than 24 hours ago.
pub const PRE_DEBIT_NOTICE_TOO_RECENT: i32 = 4006;
/// The mandate was already debited in this recurrence period (one debit per period).
pub const RECURRENCE_PERIOD_USED: i32 = 4007;
/// An `EXACT` mandate is debited (or notified) only for exactly its amount.
pub const AMOUNT_NOT_EXACT: i32 = 4008;
/// A `MAX` mandate is debited (or notified) for at most its amount.
pub const AMOUNT_ABOVE_MANDATE: i32 = 4009;
/// A debit above Rs 15,000 needs the payer's additional factor of authentication, which the
/// sandbox's payer gives only when the mandate's payer VPA ends in
/// [`AFA_VPA_SUFFIX`](crate::AFA_VPA_SUFFIX).
pub const AUTHENTICATION_REQUIRED: i32 = 4010;
/// The day is outside the mandate's validity (before `validity.startAt` or after
/// `validity.endAt`), or a pre-debit notification names a day already past.
pub const DEBIT_DATE_NOT_ALLOWED: i32 = 4011;
/// The body names a mandate the sandbox does not have (`mandateId`, or `referenceId` /
/// `reference_id`). A mandate named in the path (`get_upi_mandate`) is a 404 instead.
pub const UNKNOWN_MANDATE: i32 = 4012;
/// The mandate's terms break a rule the spec cannot state: a recurrence period the sandbox
/// does not know, a validity that ends before it starts, `blockFund` on a recurring mandate,
/// or an update that changes nothing or ends the validity in the past.
pub const INVALID_MANDATE_TERMS: i32 = 4013;
