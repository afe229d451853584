//! The attempts one call makes: the body of the `exec` hook. Each attempt reads the whole answer
//! (within a size limit), so a connection that breaks mid-answer is a failed attempt like any
//! other; the 401 replay with a fresh token is one case of the same loop.

use std::time::{Duration, Instant};

use progenitor_client::OperationInfo;
use reqwest::header::{HeaderValue, AUTHORIZATION};
use reqwest::StatusCode;
use tracing::field::Empty;
use tracing::Instrument;

use super::answer::{self, Attempt, Probe};
use super::operations;
use super::policy::{RetryBudget, RetryPolicy};
use super::status::retry_after;
use super::status::{self, Transport};
use super::tag::{CallTag, Ending};

/// What the call loop needs from authentication, without knowing how it is done: the settings
/// calls are made with, both headers on each retry, and dropping a token the gateway refused.
pub(crate) trait Authorize: Sync {
    /// How this client's calls are made.
    fn call_settings(&self) -> &CallSettings;

    /// Puts the current token (and the access key) on `request`; `false` when no token can be
    /// had now.
    fn authorize(
        &self,
        request: &mut reqwest::Request,
    ) -> impl std::future::Future<Output = bool> + Send;

    /// The gateway refused the token sent as `sent`: drop it, if it is still the current one.
    fn invalidate(&self, sent: &HeaderValue);
}

/// How a client's calls are made, shared by its clones.
#[derive(Debug)]
pub(crate) struct CallSettings {
    pub policy: RetryPolicy,
    pub budget: RetryBudget,
    /// The most bytes of body an API answer may have.
    pub max_response_bytes: usize,
    /// Each request's time limit (`ClientBuilder::timeout`), which a call's deadline shortens.
    pub attempt_timeout: Duration,
}

impl Default for CallSettings {
    fn default() -> Self {
        Self {
            policy: RetryPolicy::default(),
            budget: RetryBudget::default(),
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
            attempt_timeout: Duration::from_secs(30),
        }
    }
}

/// 4 MiB: far above any answer EnKash documents, far below what would hurt a server.
pub(crate) const DEFAULT_MAX_RESPONSE_BYTES: usize = 4 * 1024 * 1024;

/// Why an attempt might be worth repeating.
#[derive(Debug, Clone, Copy)]
enum Transient {
    /// The request never reached a server (no connection was made).
    NotSent,
    /// It may have arrived: an answer of any status, a timeout, a dropped connection.
    MayHaveArrived(&'static str),
}

impl Transient {
    /// The one rule for sending a request again: an operation that is not safe to repeat is
    /// sent again only when the request provably never reached a server. Any answer, of any
    /// status and from anything (a proxy's 408 included), means it may have arrived.
    fn allows_resend(self, repeatable: bool) -> bool {
        match self {
            Transient::NotSent => true,
            Transient::MayHaveArrived(_) => repeatable,
        }
    }

    fn reason(self) -> &'static str {
        match self {
            Transient::NotSent => "not sent",
            Transient::MayHaveArrived(reason) => reason,
        }
    }
}

/// Runs `request` for `info`'s operation, retrying as the client's policy allows.
pub(crate) async fn execute(
    http: &reqwest::Client,
    auth: &impl Authorize,
    request: reqwest::Request,
    info: &OperationInfo,
) -> reqwest::Result<reqwest::Response> {
    let operation = operations::find(info.operation_id);
    let span = tracing::info_span!(
        target: "enkash::call",
        "enkash.call",
        otel.name = %operation.map_or(info.operation_id.to_string(), |o| format!("{} {}", o.method, o.path)),
        otel.kind = "client",
        enkash.operation_id = info.operation_id,
        http.request.method = operation.map_or("", |o| o.method),
        url.template = operation.map_or("", |o| o.path),
        enkash.attempts = Empty,
        http.response.status_code = Empty,
        enkash.response_code = Empty,
        error.type = Empty,
        enkash.duration_ms = Empty,
    );
    let repeatable = operation.is_some_and(|o| o.idempotent);
    let text_answer = operation.is_some_and(|o| o.text_answer);
    attempts(
        http,
        auth,
        request,
        info.operation_id,
        repeatable,
        text_answer,
    )
    .instrument(span)
    .await
}

async fn attempts(
    http: &reqwest::Client,
    auth: &impl Authorize,
    mut request: reqwest::Request,
    operation_id: &'static str,
    repeatable: bool,
    text_answer: bool,
) -> reqwest::Result<reqwest::Response> {
    let started = Instant::now();
    let settings = auth.call_settings();
    // The deadline started in the `pre` hook, before the wait for a token, which handed over
    // what is left of it as the request's own timeout.
    let deadline = settings.policy.call_deadline().and_then(|limit| {
        started.checked_add(request.timeout().copied().unwrap_or(limit).min(limit))
    });
    let mut replayed_401 = false;
    // The reason an earlier attempt may have taken effect: a later refusal ("already done")
    // may then be that attempt's doing, and the call's outcome is not known.
    let mut earlier_may_have_acted: Option<&'static str> = None;
    let mut count = 0;
    loop {
        count += 1;
        if let Some(deadline) = deadline {
            let left = deadline.saturating_duration_since(Instant::now());
            *request.timeout_mut() = Some(settings.attempt_timeout.min(left));
        }
        // A streaming body cannot be cloned; such a request is sent once.
        let spare = request.try_clone();
        let sent_token = request.headers().get(AUTHORIZATION).cloned();
        let mut attempt = answer::send(
            http,
            request,
            settings.max_response_bytes,
            answer::Scrub::Secrets,
        )
        .await;
        if let Attempt::Answer(answer) = &mut attempt {
            // A text answer is what the spec promises for such an operation, not a garbled one.
            if text_answer && answer.status == StatusCode::OK && !answer.oversized {
                answer.probe = Probe::Readable(None);
            }
        }
        let transient = transient(&attempt);
        match transient {
            Some(_) => settings.budget.record_failure(),
            None => settings.budget.record_answer(),
        }
        let earlier = earlier_may_have_acted;
        if let Some(Transient::MayHaveArrived(reason)) = transient {
            earlier_may_have_acted.get_or_insert(reason);
        }
        let finish = |attempt, ending| {
            Finish {
                operation: operation_id,
                attempts: count,
                started,
                ending,
                earlier_may_have_acted: earlier.is_some(),
            }
            .traced(attempt)
        };
        let done = |attempt| finish(attempt, Ending::Plain);
        let unauthorized =
            matches!(&attempt, Attempt::Answer(a) if a.status == StatusCode::UNAUTHORIZED);
        if unauthorized {
            // The gateway refused the token: drop it, if it is still the current one, so that
            // the next call (or the replay below) fetches another.
            if let Some(sent_token) = &sent_token {
                auth.invalidate(sent_token);
            }
        }
        let Some(mut next) = spare else {
            return done(attempt).await;
        };

        if unauthorized {
            // One replay with a fresh token, never more, and only for an operation that is safe
            // to repeat: the 401 is an answer, so the request reached a server.
            if !repeatable || replayed_401 || sent_token.is_none() {
                return done(attempt).await;
            }
            replayed_401 = true;
            tracing::info!(target: "enkash::call", reason = "401", attempt = count, delay_ms = 0, "retrying with a fresh token");
        } else {
            let Some(transient) = transient else {
                return done(attempt).await;
            };
            let allowed = transient.allows_resend(repeatable);
            let asked = match &attempt {
                Attempt::Answer(answer) => answer_retry_after(answer),
                Attempt::Failed(_) => None,
            };
            let may_retry = allowed && count < settings.policy.attempts_allowed();
            if may_retry && !settings.budget.allows_retry() {
                tracing::debug!(target: "enkash::call", attempt = count, "not retrying: the retry budget is spent");
                return finish(attempt, Ending::RetryBudgetSpent).await;
            }
            // `None` also when the gateway asked for a longer wait than the policy allows.
            let delay = settings.policy.delay(count, asked).filter(|_| may_retry);
            let Some(delay) = delay else {
                return done(attempt).await;
            };
            // No retry starts that the deadline would cut short before it is sent.
            let too_late = |deadline| {
                Instant::now()
                    .checked_add(delay)
                    .is_none_or(|t| t >= deadline)
            };
            if deadline.is_some_and(too_late) {
                return done(attempt).await;
            }
            let reason = transient.reason();
            tracing::info!(target: "enkash::call", reason, attempt = count, delay_ms = duration_ms(delay), "retrying");
            tokio::time::sleep(delay).await;
        }
        // Every attempt carries the token the cache holds now, fetched within the deadline.
        let authorized = match deadline {
            Some(deadline) => {
                let at = tokio::time::Instant::from_std(deadline);
                tokio::time::timeout_at(at, auth.authorize(&mut next))
                    .await
                    .unwrap_or(false)
            }
            None => auth.authorize(&mut next).await,
        };
        if !authorized {
            return finish(attempt, Ending::NoTokenForRetry).await;
        }
        request = next;
    }
}

/// Whether an attempt failed in a way another attempt might not, and why.
fn transient(attempt: &Attempt) -> Option<Transient> {
    match attempt {
        Attempt::Failed(error) => match Transport::of(error) {
            Transport::NotBuilt => None,
            Transport::NotSent => Some(Transient::NotSent),
            Transport::Timeout => Some(Transient::MayHaveArrived("timeout")),
            Transport::Lost => Some(Transient::MayHaveArrived("connection lost")),
        },
        Attempt::Answer(answer) if answer.oversized => None,
        Attempt::Answer(answer) if status::is_transient(answer.status.as_u16()) => {
            Some(Transient::MayHaveArrived(status::reason(answer.status)))
        }
        Attempt::Answer(answer)
            if answer.status == StatusCode::OK && answer.probe == Probe::NotJson =>
        {
            Some(Transient::MayHaveArrived("unreadable reply"))
        }
        Attempt::Answer(_) => None,
    }
}

/// The wait an answer asks for, on the statuses whose `Retry-After` is obeyed.
fn answer_retry_after(answer: &answer::Answer) -> Option<Duration> {
    status::honours_retry_after(answer.status.as_u16())
        .then(|| retry_after(&answer.headers))
        .flatten()
}

/// How a call ended: what its tag carries to `payload()`.
struct Finish {
    operation: &'static str,
    attempts: u32,
    started: Instant,
    ending: Ending,
    /// An attempt before the last may have taken effect.
    earlier_may_have_acted: bool,
}

impl Finish {
    /// The call's result as the generated code expects it, tagged for `payload()`, with the
    /// span's closing fields recorded.
    async fn traced(self, attempt: Attempt) -> reqwest::Result<reqwest::Response> {
        let span = tracing::Span::current();
        span.record("enkash.attempts", self.attempts);
        span.record("enkash.duration_ms", duration_ms(self.started.elapsed()));
        let error_type = match &attempt {
            Attempt::Failed(error) => Some(Transport::of(error).name()),
            Attempt::Answer(answer) => {
                span.record("http.response.status_code", answer.status.as_u16());
                if let Probe::Readable(Some(code)) = answer.probe {
                    span.record("enkash.response_code", code);
                }
                if answer.oversized {
                    Some("oversized reply")
                } else if answer.unreadable() {
                    Some("unreadable reply")
                } else {
                    (!answer.status.is_success()).then(|| answer.status.as_str())
                }
            }
        };
        if let Some(error_type) = error_type {
            span.record("error.type", error_type);
        }
        let tag = CallTag {
            ending: self.ending,
            earlier_may_have_acted: self.earlier_may_have_acted,
            ..CallTag::new(self.operation, self.attempts)
        };
        finish(attempt, tag).await
    }
}

/// The result as the generated code expects it, tagged for `payload()`.
async fn finish(attempt: Attempt, mut tag: CallTag) -> reqwest::Result<reqwest::Response> {
    match attempt {
        Attempt::Failed(error) => Err(tag.mark_error(error)),
        Attempt::Answer(answer) => {
            if answer.oversized {
                tag.ending = Ending::Oversized;
            }
            tag.retry_after_secs = answer_retry_after(&answer).map(|wait| {
                // Whole seconds, rounded up: never a shorter wait than asked.
                wait.as_secs() + u64::from(wait.subsec_nanos() > 0)
            });
            answer.into_result(tag).await
        }
    }
}

fn duration_ms(elapsed: Duration) -> u64 {
    u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX)
}
