//! How a process gets its token through a shared store: read the fleet's token, or win the
//! refresh lease and fetch it for everyone, or wait for the winner. Any store failure falls
//! back to fetching for this process alone.

use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::time::Instant;

use super::error::TokenError;
use super::fetch::Fetcher;
use super::policy::{instant_after, LONGEST_SETTING};
use super::token::{AccessToken, Freshness};
use crate::store::{random_owner_id, Lease, Sealed, Sealer, TokenStore, TokenStoreError};

/// The longest a waiter sleeps before reading the store again, even while the lease lives:
/// a publication lost on the way (the store's notification channel reconnecting) costs at
/// most this.
const MAX_WAIT_SLICE: Duration = Duration::from_millis(500);
/// The shortest wait between two claims, so a lease that reports no time left (it ran out
/// between the claim and the look, or a foreign key without expiry holds it) is not polled in
/// a tight loop.
const MIN_WAIT: Duration = Duration::from_millis(10);

type Outcome = Result<AccessToken, TokenError>;

/// One client's view of the shared entry for its credentials.
pub(crate) struct SharedTokens {
    store: Arc<dyn TokenStore>,
    sealer: Sealer,
    /// This client's lease-owner id, random per client.
    owner: String,
    health: Mutex<Health>,
}

#[derive(Default)]
struct Health {
    /// After a store failure: the store is left alone until then.
    paused_until: Option<Instant>,
    /// The sealed bytes of a token the gateway refused, to delete from the store before the
    /// next read (unless someone already replaced it).
    rejected: Option<Arc<[u8]>>,
}

impl SharedTokens {
    pub(crate) fn new(store: Arc<dyn TokenStore>, sealer: Sealer) -> Self {
        Self {
            store,
            sealer,
            owner: random_owner_id(),
            health: Mutex::default(),
        }
    }

    /// A token for this process: the fleet's, or one this process fetched for the fleet, or,
    /// while the store is failing, one it fetched for itself. `replacing` is the token this
    /// process is refreshing away from, if any: the store's entry is not taken back as fresh
    /// while it is still that token.
    pub(crate) async fn obtain(
        &self,
        fetcher: &Fetcher,
        replacing: Option<&AccessToken>,
    ) -> Outcome {
        if self.paused() {
            return fetcher.fetch().await;
        }
        let replacing = replacing.and_then(AccessToken::stored).cloned();
        match self.through_store(fetcher, replacing.as_deref()).await {
            Ok(outcome) => outcome,
            Err(Failed { error, fetched }) => {
                self.pause(&error);
                match fetched {
                    Some(outcome) => outcome,
                    None => fetcher.fetch().await,
                }
            }
        }
    }

    /// The gateway refused `token`: if it came through the store, the next read first deletes
    /// it there, unless the entry has changed since.
    pub(crate) fn note_rejected(&self, token: &AccessToken) {
        if let Some(sealed) = token.stored() {
            self.health().rejected = Some(Arc::clone(sealed));
        }
    }

    async fn through_store(
        &self,
        fetcher: &Fetcher,
        replacing: Option<&[u8]>,
    ) -> Result<Outcome, Failed> {
        let key = self.sealer.key_name();
        let lease = self.store.lease_duration();
        // A store whose leases never run out, or an owner whose token request never ends
        // (it renews the lease meanwhile), must not hold this process forever.
        let give_up_at = instant_after(Instant::now(), lease.saturating_mul(3));
        loop {
            self.forget_rejected().await?;
            // Listen before reading, so a publication between the two is not missed.
            let published = self.store.next_publication(key);
            let shared = self.read(fetcher).await?;
            if let Some(token) = self.fresh(shared.as_ref(), replacing, fetcher) {
                return Ok(Ok(token));
            }
            match self
                .budgeted(self.store.claim_lease(key, &self.owner))
                .await?
            {
                Lease::Claimed => {
                    // Someone may have published, and released, between the read and the
                    // claim: read once more before asking the gateway.
                    let shared = self.read(fetcher).await?;
                    if let Some(token) = self.fresh(shared.as_ref(), replacing, fetcher) {
                        self.budgeted(self.store.release_lease(key, &self.owner))
                            .await?;
                        return Ok(Ok(token));
                    }
                    return self.fetch_for_the_fleet(fetcher).await;
                }
                Lease::HeldFor(left) => {
                    if Instant::now() >= give_up_at {
                        tracing::warn!(
                            target: "enkash::token",
                            "the token store's refresh lease never came free; fetching for this process"
                        );
                        // The shared token only if it may still be handed out: one past its
                        // hard point is as good as none.
                        let usable = shared.filter(|token| {
                            token.freshness(Instant::now(), fetcher.clock.now())
                                != Freshness::Unusable
                        });
                        return Ok(match usable {
                            Some(token) => Ok(token),
                            None => fetcher.fetch().await,
                        });
                    }
                    let wait = left.clamp(MIN_WAIT, MAX_WAIT_SLICE);
                    let _ = tokio::time::timeout(wait, published).await;
                }
            }
        }
    }

    /// The shared token, anchored locally; `None` if there is none this client can open, or
    /// it is the one the gateway just refused.
    async fn read(&self, fetcher: &Fetcher) -> Result<Option<AccessToken>, Failed> {
        let sent_at = Instant::now();
        let sent_at_wall = fetcher.clock.now();
        let Some(entry) = self
            .budgeted(self.store.read(self.sealer.key_name()))
            .await?
        else {
            return Ok(None);
        };
        if self
            .health()
            .rejected
            .as_deref()
            .is_some_and(|rejected| rejected == entry.value.as_slice())
        {
            return Ok(None);
        }
        let Some(Sealed { token, lifetime_ms }) = self.sealer.open(&entry.value) else {
            tracing::warn!(
                target: "enkash::token",
                "the token store holds a value this client did not seal; it will be replaced"
            );
            return Ok(None);
        };
        let token = AccessToken::from_shared(
            token,
            Duration::from_millis(lifetime_ms),
            entry.ttl,
            sent_at,
            sent_at_wall,
            &fetcher.policy,
        )
        .ok();
        if let Some(token) = &token {
            token.set_stored(entry.value.into());
        }
        Ok(token)
    }

    /// This process holds the lease: fetch, publish for the fleet, or give the lease back.
    async fn fetch_for_the_fleet(&self, fetcher: &Fetcher) -> Result<Outcome, Failed> {
        let key = self.sealer.key_name();
        let outcome = self.fetch_renewing_the_lease(fetcher).await;
        let sealed = outcome
            .as_ref()
            .ok()
            .and_then(|token| Some((token, self.seal(token)?)));
        let published = match sealed {
            Some((token, sealed)) => {
                let ttl = token.remaining_at(Instant::now());
                let publish = self.store.publish(key, &self.owner, &sealed, ttl);
                let result = self.budgeted(publish).await;
                token.set_stored(sealed.into());
                result
            }
            // A failed fetch (or a token that cannot be sealed): give the lease back at once,
            // so another replica may try without waiting for it to run out.
            None => {
                self.budgeted(self.store.release_lease(key, &self.owner))
                    .await
            }
        };
        match published {
            Ok(()) => Ok(outcome),
            // The token is good even if the fleet could not be told: use it.
            Err(failed) => Err(Failed {
                fetched: Some(outcome),
                ..failed
            }),
        }
    }

    /// Fetches while renewing the lease every third of it, so the lease outlives the request it
    /// guards however slow the token endpoint is (the fleet would otherwise take the lease in
    /// turn and each fetch its own token), while a process that dies mid-request stops renewing
    /// and its lease runs out within one lease. A lost lease or a store error ends the renewals,
    /// never the fetch: the token is still good for this process.
    async fn fetch_renewing_the_lease(&self, fetcher: &Fetcher) -> Outcome {
        let key = self.sealer.key_name();
        let every = (self.store.lease_duration() / 3).max(MIN_WAIT);
        let renewals = async {
            loop {
                tokio::time::sleep(every).await;
                match self.store.renew_lease(key, &self.owner).await {
                    Ok(true) => {}
                    Ok(false) => {
                        tracing::warn!(
                            target: "enkash::token",
                            "the token store's refresh lease ran out during the token request; \
                             another process may fetch too"
                        );
                        break;
                    }
                    Err(error) => {
                        tracing::warn!(
                            target: "enkash::token",
                            %error,
                            "could not renew the token store's refresh lease during the token request"
                        );
                        break;
                    }
                }
            }
            // Renewals over: only the fetch can finish the race below.
            std::future::pending::<Outcome>().await
        };
        tokio::select! {
            outcome = fetcher.fetch() => outcome,
            outcome = renewals => outcome,
        }
    }

    async fn forget_rejected(&self) -> Result<(), Failed> {
        let rejected = self.health().rejected.clone();
        if let Some(sealed) = rejected {
            let key = self.sealer.key_name();
            self.budgeted(self.store.delete_if(key, &sealed)).await?;
            let mut health = self.health();
            if health
                .rejected
                .as_ref()
                .is_some_and(|r| Arc::ptr_eq(r, &sealed))
            {
                health.rejected = None;
            }
        }
        Ok(())
    }

    fn seal(&self, token: &AccessToken) -> Option<Vec<u8>> {
        let lifetime_ms = u64::try_from(token.lifetime().as_millis()).ok()?;
        self.sealer.seal(&Sealed {
            token: token.value().clone(),
            lifetime_ms,
        })
    }

    /// The shared token if it is fresh and not the one being replaced.
    fn fresh(
        &self,
        shared: Option<&AccessToken>,
        replacing: Option<&[u8]>,
        fetcher: &Fetcher,
    ) -> Option<AccessToken> {
        let token = shared?;
        let same = replacing.is_some() && token.stored().map(|s| &s[..]) == replacing;
        let fresh = token.freshness(Instant::now(), fetcher.clock.now()) == Freshness::Fresh;
        (fresh && !same).then(|| token.clone())
    }

    /// Runs one store operation; an error becomes a `Failed` that sends the caller away from
    /// the store. Stores bound their own operations in time.
    async fn budgeted<T>(
        &self,
        operation: impl Future<Output = Result<T, TokenStoreError>>,
    ) -> Result<T, Failed> {
        operation.await.map_err(|error| Failed {
            error,
            fetched: None,
        })
    }

    fn paused(&self) -> bool {
        self.health()
            .paused_until
            .is_some_and(|until| Instant::now() < until)
    }

    fn pause(&self, error: &TokenStoreError) {
        let pause = self.store.pause_after_failure();
        tracing::warn!(
            target: "enkash::token",
            %error,
            pause_ms = pause.as_millis() as u64,
            "the token store failed; this process fetches its own token and tries the store again after the pause"
        );
        self.health().paused_until = Some(instant_after(Instant::now(), pause));
    }

    fn health(&self) -> std::sync::MutexGuard<'_, Health> {
        self.health.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// A store operation failed; if a token was fetched before it did, it is kept.
struct Failed {
    error: TokenStoreError,
    fetched: Option<Outcome>,
}

/// Why a store's settings cannot work, if they cannot: checked when a client is built, so a
/// lease of `Duration::MAX` is a build error, not an overflow on the first refresh.
pub(crate) fn settings_problem(store: &dyn TokenStore) -> Option<&'static str> {
    let lease = store.lease_duration();
    if lease < Duration::from_millis(1) || lease > LONGEST_SETTING {
        return Some("token store: the lease must last at least 1 ms and at most a year");
    }
    if store.pause_after_failure() > LONGEST_SETTING {
        return Some("token store: the pause after a failure must be at most a year");
    }
    None
}
