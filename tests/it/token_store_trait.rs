//! The `TokenStore` trait with an engine the crate does not ship: a store in this process's
//! memory, written here from the trait's documented contract alone. Runs under plain
//! `cargo test` (no Redis), so the shared-token logic is checked on every machine; the Redis
//! store is tested in `tests/token_store.rs` and `tests/fleet.rs`.

use crate::common;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::server::TestServer;
use enkash::store::{Lease, Publication, StoredToken, TokenStore, TokenStoreError};
use enkash::{BuildError, Client, Payload};
use enkash_sandbox::Sandbox;
use tokio::sync::broadcast;
use tokio::time::Instant;

/// Entries and leases with deadlines, and a channel of published keys.
#[derive(Debug, Clone)]
struct MemoryStore {
    state: Arc<Mutex<State>>,
    published: broadcast::Sender<String>,
    lease: Duration,
    pause: Duration,
}

#[derive(Debug, Default)]
struct State {
    values: HashMap<String, (Vec<u8>, Instant)>,
    leases: HashMap<String, (String, Instant)>,
    /// Every value ever published, to check what the store was given.
    history: Vec<Vec<u8>>,
}

impl MemoryStore {
    fn new() -> Self {
        Self::with_lease(Duration::from_secs(2))
    }

    fn with_lease(lease: Duration) -> Self {
        Self {
            state: Arc::default(),
            published: broadcast::channel(64).0,
            lease,
            pause: Duration::from_secs(5),
        }
    }

    /// Every entry now has only `ttl` left in the store (its sealed lifetime is unchanged).
    fn shorten_ttls(&self, ttl: Duration) {
        for (_, until) in self.lock().values.values_mut() {
            *until = Instant::now() + ttl;
        }
    }

    /// A lease on every key held by someone else, for `held` (not for `lease`).
    fn hold_leases_elsewhere(&self, held: Duration) {
        let mut state = self.lock();
        let keys: Vec<String> = state.values.keys().cloned().collect();
        for key in keys {
            state
                .leases
                .insert(key, ("someone-else".into(), Instant::now() + held));
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap()
    }

    fn live_lease_owner(state: &State, key: &str) -> Option<String> {
        state
            .leases
            .get(key)
            .filter(|(_, until)| Instant::now() < *until)
            .map(|(owner, _)| owner.clone())
    }
}

#[async_trait::async_trait]
impl TokenStore for MemoryStore {
    async fn read(&self, key: &str) -> Result<Option<StoredToken>, TokenStoreError> {
        let state = self.lock();
        Ok(state.values.get(key).and_then(|(value, until)| {
            let ttl = until.checked_duration_since(Instant::now())?;
            Some(StoredToken {
                value: value.clone(),
                ttl,
            })
        }))
    }

    async fn claim_lease(&self, key: &str, owner: &str) -> Result<Lease, TokenStoreError> {
        let mut state = self.lock();
        if let Some((_, until)) = state.leases.get(key).filter(|(_, u)| Instant::now() < *u) {
            return Ok(Lease::HeldFor(until.duration_since(Instant::now())));
        }
        let until = Instant::now() + self.lease;
        state.leases.insert(key.into(), (owner.into(), until));
        Ok(Lease::Claimed)
    }

    async fn publish(
        &self,
        key: &str,
        owner: &str,
        value: &[u8],
        ttl: Duration,
    ) -> Result<(), TokenStoreError> {
        {
            let mut state = self.lock();
            let holder = Self::live_lease_owner(&state, key);
            if holder.as_deref() == Some(owner)
                || (holder.is_none() && !state.values.contains_key(key))
            {
                state
                    .values
                    .insert(key.into(), (value.to_vec(), Instant::now() + ttl));
                state.history.push(value.to_vec());
            }
            if holder.as_deref() == Some(owner) {
                state.leases.remove(key);
            }
        }
        let _ = self.published.send(key.into());
        Ok(())
    }

    async fn renew_lease(&self, key: &str, owner: &str) -> Result<bool, TokenStoreError> {
        let mut state = self.lock();
        if Self::live_lease_owner(&state, key).as_deref() != Some(owner) {
            return Ok(false);
        }
        state
            .leases
            .insert(key.into(), (owner.into(), Instant::now() + self.lease));
        Ok(true)
    }

    async fn release_lease(&self, key: &str, owner: &str) -> Result<(), TokenStoreError> {
        {
            let mut state = self.lock();
            if Self::live_lease_owner(&state, key).as_deref() == Some(owner) {
                state.leases.remove(key);
            }
        }
        let _ = self.published.send(key.into());
        Ok(())
    }

    async fn delete_if(&self, key: &str, expected: &[u8]) -> Result<bool, TokenStoreError> {
        let mut state = self.lock();
        let matches = state.values.get(key).is_some_and(|(v, _)| v == expected);
        if matches {
            state.values.remove(key);
        }
        Ok(matches)
    }

    fn next_publication(&self, key: &str) -> Publication {
        let mut receiver = self.published.subscribe();
        let key = key.to_string();
        Box::pin(async move {
            while let Ok(published) = receiver.recv().await {
                if published == key {
                    return;
                }
            }
        })
    }

    fn lease_duration(&self) -> Duration {
        self.lease
    }

    fn pause_after_failure(&self) -> Duration {
        self.pause
    }
}

/// A store whose every operation fails.
#[derive(Debug)]
struct BrokenStore;

#[async_trait::async_trait]
impl TokenStore for BrokenStore {
    async fn read(&self, _: &str) -> Result<Option<StoredToken>, TokenStoreError> {
        Err(TokenStoreError::new("broken on purpose"))
    }
    async fn claim_lease(&self, _: &str, _: &str) -> Result<Lease, TokenStoreError> {
        Err(TokenStoreError::new("broken on purpose"))
    }
    async fn publish(
        &self,
        _: &str,
        _: &str,
        _: &[u8],
        _: Duration,
    ) -> Result<(), TokenStoreError> {
        Err(TokenStoreError::new("broken on purpose"))
    }
    async fn renew_lease(&self, _: &str, _: &str) -> Result<bool, TokenStoreError> {
        Err(TokenStoreError::new("broken on purpose"))
    }
    async fn release_lease(&self, _: &str, _: &str) -> Result<(), TokenStoreError> {
        Err(TokenStoreError::new("broken on purpose"))
    }
    async fn delete_if(&self, _: &str, _: &[u8]) -> Result<bool, TokenStoreError> {
        Err(TokenStoreError::new("broken on purpose"))
    }
    fn next_publication(&self, _: &str) -> Publication {
        Box::pin(std::future::pending())
    }
    fn lease_duration(&self) -> Duration {
        Duration::from_secs(1)
    }
}

/// A sandbox where each new token revokes the earlier ones.
async fn revoking_sandbox() -> Sandbox {
    Sandbox::builder()
        .revoke_previous_tokens(true)
        .start()
        .await
        .unwrap()
}

fn client(sandbox: &Sandbox, store: impl TokenStore) -> Client {
    Client::builder()
        .base_url(sandbox.base_url())
        .credentials(sandbox.access_key(), sandbox.secret_key())
        .token_store(store)
        .build()
        .unwrap()
}

/// `clients` herds of `callers` each call at once; returns how many calls failed.
async fn herd(clients: &[Client], callers: usize) -> usize {
    let calls: Vec<_> = clients
        .iter()
        .flat_map(|client| (0..callers).map(move |_| client.clone()))
        .map(|client| {
            tokio::spawn(async move {
                client
                    .get_order_status()
                    .order_id(Sandbox::PAID_ORDER_ID)
                    .send()
                    .await
                    .payload()
            })
        })
        .collect();
    let mut failed = 0;
    for call in calls {
        failed += usize::from(call.await.unwrap().is_err());
    }
    failed
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clients_sharing_a_store_make_one_token_request_and_no_401s_under_revocation() {
    let sandbox = revoking_sandbox().await;
    let store = MemoryStore::new();
    let clients: Vec<Client> = (0..6).map(|_| client(&sandbox, store.clone())).collect();
    assert_eq!(herd(&clients, 20).await, 0);
    assert_eq!(sandbox.token_requests(), 1);
    assert_eq!(sandbox.unauthorized_responses(), 0);

    // What the store was given is sealed: the token is nowhere in it.
    let token = clients[0].access_token().await.unwrap();
    let history = store.lock().history.clone();
    assert_eq!(history.len(), 1);
    let sealed = &history[0];
    assert!(!sealed
        .windows(token.as_str().len())
        .any(|w| w == token.as_str().as_bytes()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_store_the_same_clients_revoke_each_other() {
    let sandbox = revoking_sandbox().await;
    let clients: Vec<Client> = (0..6)
        .map(|_| {
            Client::builder()
                .base_url(sandbox.base_url())
                .credentials(sandbox.access_key(), sandbox.secret_key())
                .build()
                .unwrap()
        })
        .collect();
    herd(&clients, 20).await;
    // Each client fetches its own token, revoking the others': their calls meet 401s and
    // fetch again.
    assert!(
        sandbox.token_requests() >= 6,
        "{}",
        sandbox.token_requests()
    );
    assert!(sandbox.unauthorized_responses() > 0);
}

#[tokio::test]
async fn a_store_that_always_fails_never_fails_a_call() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = client(&sandbox, BrokenStore);
    assert_eq!(herd(std::slice::from_ref(&client), 10).await, 0);
    assert_eq!(sandbox.token_requests(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_token_published_by_one_client_reaches_the_others_after_a_revocation() {
    let sandbox = revoking_sandbox().await;
    let store = MemoryStore::new();
    let clients: Vec<Client> = (0..3).map(|_| client(&sandbox, store.clone())).collect();
    assert_eq!(herd(&clients, 5).await, 0);
    // The gateway revokes everything: the first 401 replaces the shared token once, and the
    // other clients find the replacement in the store.
    sandbox.revoke_all_tokens();
    for client in &clients {
        assert_eq!(herd(std::slice::from_ref(client), 1).await, 0);
    }
    assert_eq!(sandbox.token_requests(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_giving_up_on_the_lease_holder_a_token_past_its_hard_point_is_not_handed_out() {
    let server = TestServer::start().await;
    let store = MemoryStore::with_lease(Duration::from_millis(200));
    let first = server.client().token_store(store.clone()).build().unwrap();
    assert_eq!(first.access_token().await.unwrap().as_str(), "tok-1");
    // The shared one-hour token now has 30 s left in the store: past its hard point (60 s
    // before expiry), though still there. Another replica holds the lease and never lets go.
    store.shorten_ttls(Duration::from_secs(30));
    store.hold_leases_elsewhere(Duration::from_secs(3600));

    let second = server.client().token_store(store.clone()).build().unwrap();
    let token = second.access_token().await.unwrap();
    // It waited three leases, gave up, and fetched its own instead of the dead one.
    assert_eq!(token.as_str(), "tok-2");
    assert!(token.remaining() > Duration::from_secs(3000), "{token:?}");
    assert_eq!(server.tokens(), 2);
}

#[test]
fn absurd_store_settings_are_build_errors() {
    let build = |store: MemoryStore| {
        Client::builder()
            .base_url("https://x.test")
            .credentials("a", "s")
            .token_store(store)
            .build()
            .map(|_| ())
    };
    for lease in [
        Duration::ZERO,
        Duration::MAX,
        Duration::from_secs(400 * 86_400),
    ] {
        let outcome = build(MemoryStore::with_lease(lease));
        assert!(
            matches!(outcome, Err(BuildError::InvalidTokenStore(_))),
            "lease {lease:?}: {outcome:?}"
        );
    }
    let mut store = MemoryStore::new();
    store.pause = Duration::MAX;
    assert!(matches!(
        build(store),
        Err(BuildError::InvalidTokenStore(_))
    ));
    assert_eq!(build(MemoryStore::new()), Ok(()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_request_slower_than_the_lease_is_still_the_fleets_only_one() {
    let server = TestServer::start().await;
    // Each token request takes 2.5 leases.
    server.delay_tokens(Duration::from_millis(2500));
    let store = MemoryStore::with_lease(Duration::from_secs(1));
    let clients: Vec<Client> = (0..4)
        .map(|_| server.client().token_store(store.clone()).build().unwrap())
        .collect();
    let tokens = futures_util::future::join_all(clients.iter().map(Client::access_token)).await;
    for token in tokens {
        assert_eq!(token.unwrap().as_str(), "tok-1");
    }
    assert_eq!(server.tokens(), 1);
}
