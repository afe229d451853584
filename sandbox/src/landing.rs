//! Requests the gateway took whose answer was lost ([`CallFault::TakenAnswerLost`]): the
//! connection drops at once, and the request is performed later, when the sandbox's business
//! clock reaches the time the test chose. Until then look-ups show nothing of it (no
//! transaction, no refund, no debit); then it is performed as if it had just arrived, and its
//! notifications and callbacks go out as usual.
//!
//! Business time follows the wall clock and jumps with
//! [`Sandbox::advance_clock`](crate::Sandbox::advance_clock), so a test picks between a short
//! real delay (the effect lands by itself) and a long one it ends by moving the clock (a look-up
//! before the move is sure to find nothing, however slow the machine).
//!
//! [`CallFault::TakenAnswerLost`]: crate::CallFault::TakenAnswerLost

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;
use chrono::{DateTime, TimeDelta, Utc};

use super::SandboxState;

/// A request body larger than this is not taken (the contract check's own limit).
const MAX_BODY_BYTES: usize = 1024 * 1024;

/// Takes the request (reads it whole), answers with a dropped connection, and performs it
/// when business time reaches `lands_after` from now.
pub(super) async fn take_and_lose_answer(
    state: &Arc<SandboxState>,
    request: Request,
    next: Next,
    lands_after: Duration,
) -> Response {
    let (parts, body) = request.into_parts();
    let Ok(body) = axum::body::to_bytes(body, MAX_BODY_BYTES).await else {
        // Not taken: the gateway never had the whole request.
        return crate::http::respond::dropped_connection();
    };
    let request = Request::from_parts(parts, Body::from(body));
    let due = due_time(state.lock().business_now(), lands_after);
    state.landings.pending.fetch_add(1, Ordering::SeqCst);
    // Subscribed before the clock is read again below, so no move is missed.
    let mut moved = state.landings.clock_moved.subscribe();
    let state = Arc::clone(state);
    tokio::spawn(async move {
        loop {
            let left = (due - state.lock().business_now()).to_std();
            match left {
                Ok(left) if !left.is_zero() => {
                    tokio::select! {
                        () = tokio::time::sleep(left) => {}
                        _ = moved.changed() => {}
                    }
                }
                _ => break,
            }
        }
        // The answer goes nowhere: the client was told nothing.
        let _performed = next.run(request).await;
        state.landings.pending.fetch_sub(1, Ordering::SeqCst);
    });
    crate::http::respond::dropped_connection()
}

/// `now + after`, or the end of time when that is beyond what a date holds.
fn due_time(now: DateTime<Utc>, after: Duration) -> DateTime<Utc> {
    TimeDelta::from_std(after)
        .ok()
        .and_then(|after| now.checked_add_signed(after))
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_delay_past_the_end_of_time_waits_forever_instead_of_overflowing() {
        let now = Utc::now();
        assert_eq!(
            due_time(now, Duration::from_secs(5)),
            now + TimeDelta::seconds(5)
        );
        assert_eq!(due_time(now, Duration::MAX), DateTime::<Utc>::MAX_UTC);
    }
}
