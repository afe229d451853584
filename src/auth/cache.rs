//! The token cache: lock-free hits, one refresh per expiry episode, shared failures.

use std::sync::{Arc, Mutex, MutexGuard, TryLockError, Weak};
use std::time::SystemTime;

use arc_swap::ArcSwapOption;
use reqwest::header::HeaderValue;
use tokio::sync::watch;
use tokio::task::AbortHandle;
use tokio::time::Instant;

use super::error::TokenError;
use super::fetch::Fetcher;
use super::hit_clock::HitClock;
use super::policy::{instant_after, TokenPolicy};
use super::shared::SharedTokens;
use super::token::{AccessToken, Freshness, TokenState};

type Outcome = Result<AccessToken, TokenError>;

/// Caches one token for a set of credentials; shared by every clone of a `Client`.
pub(crate) struct TokenCache {
    /// The current token. Read without a lock on every request.
    current: ArcSwapOption<TokenState>,
    /// Refresh bookkeeping. A `std` mutex, held only for short, non-async sections.
    flight: Mutex<Flight>,
    fetcher: Fetcher,
    /// The fleet's shared token, when the client was built with a token store.
    shared: Option<Arc<SharedTokens>>,
    policy: TokenPolicy,
    clock: HitClock,
}

#[derive(Default)]
struct Flight {
    /// The refresh under way, if any: every caller that needs its result subscribes here.
    pending: Option<watch::Receiver<Option<Outcome>>>,
    task: Option<AbortHandle>,
    /// The last failure and when the next attempt may start.
    last_failure: Option<(TokenError, Instant)>,
    consecutive_failures: u32,
    /// The storm guard: no token request starts before this.
    next_request_at: Option<Instant>,
}

impl Flight {
    /// The last failure, while its backoff lasts: no new request until it is over.
    fn backing_off(&self, now: Instant) -> Option<&TokenError> {
        self.last_failure
            .as_ref()
            .filter(|(_, retry_at)| now < *retry_at)
            .map(|(error, _)| error)
    }
}

impl TokenCache {
    pub(crate) fn new(
        fetcher: Fetcher,
        shared: Option<SharedTokens>,
        policy: TokenPolicy,
        clock: HitClock,
    ) -> Self {
        Self {
            current: ArcSwapOption::empty(),
            flight: Mutex::default(),
            fetcher,
            shared: shared.map(Arc::new),
            policy,
            clock,
        }
    }

    /// A token that may be used now, fetching one if needed.
    pub(crate) async fn get(self: &Arc<Self>) -> Outcome {
        if let Some(token) = self.hit(|state| AccessToken(Arc::clone(state))) {
            return Ok(token);
        }
        self.wait_for_refresh().await
    }

    /// The hit path: `use_token` sees the current token if it may be used now, borrowed: its
    /// `Arc` is not cloned (a call copies out only the header value it sends). It costs a
    /// lock-free load and two clock reads (see `hit_clock.rs`). `None` means a
    /// miss: call [`get`](Self::get).
    pub(crate) fn hit<R>(
        self: &Arc<Self>,
        use_token: impl FnOnce(&Arc<TokenState>) -> R,
    ) -> Option<R> {
        let guard = self.current.load();
        let state = guard.as_ref()?;
        let (now, now_wall) = self.clock.now();
        match state.freshness(now, now_wall) {
            Freshness::Fresh => Some(use_token(state)),
            Freshness::RefreshDue => {
                self.refresh_in_background();
                Some(use_token(state))
            }
            Freshness::Unusable => None,
        }
    }

    /// Soft expiry: start one refresh, unless one is running or a failure is being backed off.
    /// Never blocks: if another caller holds the lock, it is already seeing to the refresh.
    fn refresh_in_background(self: &Arc<Self>) {
        let mut flight = match self.flight.try_lock() {
            Ok(flight) => flight,
            Err(TryLockError::Poisoned(poisoned)) => poisoned.into_inner(),
            Err(TryLockError::WouldBlock) => return,
        };
        if flight.pending.is_none() && flight.backing_off(Instant::now()).is_none() {
            self.start_refresh(&mut flight);
        }
    }

    async fn wait_for_refresh(self: &Arc<Self>) -> Outcome {
        let mut receiver = {
            let mut flight = self.lock();
            // A refresh may have finished between the lock-free read and this lock.
            let (now, now_wall) = self.clock.now();
            if let Some(token) = self.usable(now, now_wall) {
                return Ok(token);
            }
            if let Some(pending) = &flight.pending {
                pending.clone()
            } else if let Some(error) = flight.backing_off(Instant::now()) {
                return Err(error.clone());
            } else {
                self.start_refresh(&mut flight)
            }
        };
        // Dropping this future here only drops the subscription; the refresh runs on.
        let outcome = receiver.wait_for(Option::is_some).await.map(|v| v.clone());
        match outcome {
            Ok(Some(outcome)) => outcome,
            _ => {
                // The refresh task vanished without an answer (its runtime shut down).
                let mut flight = self.lock();
                if flight
                    .pending
                    .as_ref()
                    .is_some_and(|p| p.same_channel(&receiver))
                {
                    flight.pending = None;
                    flight.task = None;
                }
                Err(TokenError::transient(
                    None,
                    "the token refresh was interrupted",
                ))
            }
        }
    }

    /// Starts the one refresh of this episode. Call with the flight lock held.
    fn start_refresh(self: &Arc<Self>, flight: &mut Flight) -> watch::Receiver<Option<Outcome>> {
        let (sender, receiver) = watch::channel(None);
        let now = Instant::now();
        let start_at = flight.next_request_at.map_or(now, |at| at.max(now));
        flight.next_request_at = Some(instant_after(start_at, self.policy.min_request_interval));

        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            let error = TokenError::transient(None, "no Tokio runtime to fetch a token on");
            let _ = sender.send(Some(Err(error)));
            return receiver;
        };
        // The task holds the cache weakly: dropping the last client drops the cache, whose
        // `Drop` aborts the task, so no task outlives the client.
        let cache = Arc::downgrade(self);
        let fetcher = self.fetcher.clone();
        let shared = self.shared.clone();
        let replacing = self.current.load_full().map(AccessToken);
        let task = runtime.spawn(async move {
            // Only the storm guard waits: a timer, even one already due, costs up to a
            // millisecond of timer-wheel resolution.
            if start_at > Instant::now() {
                tokio::time::sleep_until(start_at).await;
            }
            let outcome = match &shared {
                Some(shared) => shared.obtain(&fetcher, replacing.as_ref()).await,
                None => fetcher.fetch().await,
            };
            if let Some(cache) = Weak::upgrade(&cache) {
                cache.settle(&outcome);
            }
            let _ = sender.send(Some(outcome));
        });
        flight.task = Some(task.abort_handle());
        flight.pending = Some(receiver.clone());
        receiver
    }

    /// Records a refresh's outcome. A failure never replaces a token that is still usable.
    fn settle(&self, outcome: &Outcome) {
        let mut flight = self.lock();
        flight.pending = None;
        flight.task = None;
        match outcome {
            Ok(token) => {
                self.current.store(Some(Arc::clone(&token.0)));
                flight.last_failure = None;
                flight.consecutive_failures = 0;
            }
            Err(error) => {
                flight.consecutive_failures += 1;
                let pause = self.policy.backoff_after(flight.consecutive_failures);
                flight.last_failure = Some((error.clone(), instant_after(Instant::now(), pause)));
            }
        }
    }

    /// The gateway refused `sent`: forget the cached token if it is still the one that was
    /// sent. A token that another task already replaced is left alone, so a burst of 401s for
    /// the same token causes one refresh, not one per request.
    pub(crate) fn invalidate(&self, sent: &HeaderValue) {
        let _flight = self.lock();
        let current = self.current.load_full().map(AccessToken);
        if let Some(token) = current.filter(|token| token.header() == sent) {
            tracing::debug!("the gateway rejected the cached token; it will be refreshed");
            if let Some(shared) = &self.shared {
                shared.note_rejected(&token);
            }
            self.current.store(None);
        }
    }

    /// The current token if it may still be handed out, without side effects.
    fn usable(&self, now: Instant, now_wall: SystemTime) -> Option<AccessToken> {
        let state = self.current.load_full()?;
        (state.freshness(now, now_wall) != Freshness::Unusable).then_some(AccessToken(state))
    }

    fn lock(&self) -> MutexGuard<'_, Flight> {
        // Nothing panics while holding the lock, but a poisoned lock must not wedge the cache.
        self.flight
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub(crate) fn policy(&self) -> &TokenPolicy {
        &self.policy
    }
}

impl Drop for TokenCache {
    fn drop(&mut self) {
        if let Some(task) = self.lock().task.take() {
            task.abort();
        }
    }
}
