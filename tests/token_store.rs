//! The Redis token store in one process, against a real `redis-server` (cargo feature `redis`):
//! the store's contract, what it holds, and a Redis that is down, frozen or holding garbage.
//! The multi-process fleet is in `tests/fleet.rs`.

#![cfg(feature = "redis")]

#[cfg(feature = "redis-cluster")]
#[path = "cluster/store.rs"]
mod cluster;
mod common;

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::redis_server::RedisServer;
use enkash::store::RedisTokenStore;
use enkash::store::{Lease, TokenStore};
use enkash::{Client, Payload};
use enkash_sandbox::Sandbox;

/// Log lines written while the guard lives (this thread only: current-thread runtimes).
#[derive(Clone, Default)]
struct Logs(Arc<Mutex<Vec<u8>>>);

impl Logs {
    fn capture(&self) -> tracing::subscriber::DefaultGuard {
        let logs = self.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_writer(move || logs.clone())
            .with_ansi(false)
            .finish();
        common::tracing_capture::scoped(subscriber)
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

impl Write for Logs {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn client(sandbox: &Sandbox, store: RedisTokenStore) -> Client {
    Client::builder()
        .base_url(sandbox.base_url())
        .credentials(sandbox.access_key(), sandbox.secret_key())
        .token_store(store)
        .build()
        .unwrap()
}

async fn call(client: &Client) {
    client
        .get_order_status()
        .order_id(Sandbox::PAID_ORDER_ID)
        .send()
        .await
        .payload()
        .expect("the call succeeds");
}

/// The one token entry in Redis (not the lease): its key and value.
fn token_entry(redis: &RedisServer) -> (String, Vec<u8>) {
    let entries: Vec<_> = redis
        .dump()
        .into_iter()
        .filter(|(key, _)| key.starts_with("enkash:token:") && !key.ends_with(":lease"))
        .collect();
    assert_eq!(
        entries.len(),
        1,
        "{:?}",
        entries.iter().map(|e| &e.0).collect::<Vec<_>>()
    );
    entries.into_iter().next().unwrap()
}

#[tokio::test]
async fn the_lease_is_exclusive_and_only_its_owner_publishes_or_releases_it() {
    let redis = RedisServer::start();
    let store = RedisTokenStore::connect(&redis.url())
        .await
        .unwrap()
        .lease(Duration::from_secs(5));
    assert_eq!(store.claim_lease("k", "a").await.unwrap(), Lease::Claimed);
    let Lease::HeldFor(left) = store.claim_lease("k", "b").await.unwrap() else {
        panic!("a second claimant won a held lease");
    };
    assert!(
        left <= Duration::from_secs(5) && left > Duration::from_secs(4),
        "{left:?}"
    );

    // Only the owner renews, and a renewal restores the full lease.
    tokio::time::sleep(Duration::from_millis(1200)).await;
    assert!(!store.renew_lease("k", "b").await.unwrap());
    assert!(store.renew_lease("k", "a").await.unwrap());
    let Lease::HeldFor(left) = store.claim_lease("k", "b").await.unwrap() else {
        panic!("a second claimant won a renewed lease");
    };
    assert!(left > Duration::from_millis(4500), "{left:?}");

    // Not the owner: neither its release nor its publication takes effect.
    store.release_lease("k", "b").await.unwrap();
    assert!(matches!(
        store.claim_lease("k", "b").await.unwrap(),
        Lease::HeldFor(_)
    ));
    store
        .publish("k", "b", b"late", Duration::from_secs(9))
        .await
        .unwrap();
    assert_eq!(store.read("k").await.unwrap(), None);

    // The owner publishes: the value lives for the TTL and the lease is free again.
    store
        .publish("k", "a", b"v1", Duration::from_secs(9))
        .await
        .unwrap();
    let read = store.read("k").await.unwrap().expect("published");
    assert_eq!(read.value, b"v1");
    assert!(read.ttl <= Duration::from_secs(9) && read.ttl > Duration::from_secs(8));
    assert_eq!(store.claim_lease("k", "b").await.unwrap(), Lease::Claimed);

    // Compare-and-delete: a stale "rejected" value deletes nothing; the current one goes.
    assert!(!store.delete_if("k", b"v0").await.unwrap());
    assert!(store.read("k").await.unwrap().is_some());
    assert!(store.delete_if("k", b"v1").await.unwrap());
    assert_eq!(store.read("k").await.unwrap(), None);
}

#[tokio::test]
async fn a_publication_wakes_the_waiters_on_its_key_only() {
    let redis = RedisServer::start();
    let waiter = RedisTokenStore::connect(&redis.url()).await.unwrap();
    let publisher = RedisTokenStore::connect(&redis.url()).await.unwrap();
    // Let the waiter's subscription come up.
    tokio::time::sleep(Duration::from_millis(300)).await;

    let other_key = waiter.next_publication("other");
    let this_key = waiter.next_publication("k");
    publisher.claim_lease("k", "p").await.unwrap();
    let sent = Instant::now();
    publisher
        .publish("k", "p", b"v", Duration::from_secs(5))
        .await
        .unwrap();
    tokio::time::timeout(Duration::from_secs(2), this_key)
        .await
        .expect("the waiter on k was woken");
    println!("woken {:?} after the publication", sent.elapsed());
    assert!(
        tokio::time::timeout(Duration::from_millis(300), other_key)
            .await
            .is_err(),
        "a waiter on another key was woken"
    );
}

#[tokio::test]
async fn tampered_and_foreign_values_are_ignored_and_replaced() {
    let redis = RedisServer::start();
    let sandbox = Sandbox::start().await.unwrap();
    let store = RedisTokenStore::connect(&redis.url()).await.unwrap();
    call(&client(&sandbox, store.clone())).await;
    let (key, sealed) = token_entry(&redis);
    assert_eq!(sandbox.token_requests(), 1);

    let mut flipped = sealed.clone();
    let last = flipped.len() - 1;
    flipped[last] ^= 1;
    let foreign = br#"{"token":"attacker","lifetimeMs":3600000}"#.to_vec();
    for (round, planted) in [flipped, foreign].into_iter().enumerate() {
        let _: () = redis::cmd("SET")
            .arg(&key)
            .arg(&planted)
            .arg("PX")
            .arg(600_000)
            .query(&mut redis.connection())
            .unwrap();
        let logs = Logs::default();
        let fresh_client = client(&sandbox, store.clone());
        {
            let _guard = logs.capture();
            call(&fresh_client).await;
        }
        assert_eq!(sandbox.token_requests(), round as u64 + 2, "round {round}");
        let (_, now) = token_entry(&redis);
        assert_ne!(
            now, planted,
            "round {round}: the planted value was not replaced"
        );
        assert!(logs.text().contains("did not seal"), "{}", logs.text());
        // The replacement is a good token: the next client takes it without asking.
        call(&client(&sandbox, store.clone())).await;
        assert_eq!(sandbox.token_requests(), round as u64 + 2);
    }
}

#[tokio::test]
async fn different_credentials_in_one_redis_never_share_a_token() {
    let redis = RedisServer::start();
    let store = RedisTokenStore::connect(&redis.url()).await.unwrap();
    let (first, second) = (
        Sandbox::start().await.unwrap(),
        Sandbox::start().await.unwrap(),
    );
    let a = client(&first, store.clone()).access_token().await.unwrap();
    let b = client(&second, store.clone()).access_token().await.unwrap();
    assert_ne!(a.as_str(), b.as_str());
    // Each merchant's token works at its own gateway: nobody got the other's.
    call(&client(&first, store.clone())).await;
    call(&client(&second, store.clone())).await;
    assert_eq!((first.token_requests(), second.token_requests()), (1, 1));
    let keys: Vec<_> = redis.dump().into_iter().map(|(key, _)| key).collect();
    assert_eq!(keys.len(), 2, "{keys:?}");
}

#[tokio::test]
async fn after_a_401_the_rejected_token_leaves_the_store_and_one_new_one_replaces_it() {
    let redis = RedisServer::start();
    let sandbox = Sandbox::start().await.unwrap();
    let store = RedisTokenStore::connect(&redis.url()).await.unwrap();
    // The first client fetches the token; the second reads it from the store.
    call(&client(&sandbox, store.clone())).await;
    let reader = client(&sandbox, store.clone());
    call(&reader).await;
    assert_eq!(sandbox.token_requests(), 1);
    let (_, rejected) = token_entry(&redis);
    sandbox.revoke_all_tokens();
    call(&reader).await;
    assert_eq!(sandbox.unauthorized_responses(), 1);
    assert_eq!(sandbox.token_requests(), 2);
    let (_, replacement) = token_entry(&redis);
    assert_ne!(replacement, rejected);
    // Another replica finds the new token in the store.
    call(&self::client(&sandbox, store)).await;
    assert_eq!(sandbox.token_requests(), 2);
}

#[tokio::test]
async fn an_unreachable_redis_never_fails_a_call_and_says_so() {
    let closed_port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("redis://user:hunter2@127.0.0.1:{closed_port}");
    let error = RedisTokenStore::connect(&url).await.unwrap_err();
    assert!(!error.to_string().contains("hunter2"), "{error}");

    let store = RedisTokenStore::lazy(&url).unwrap();
    assert!(!format!("{store:?}").contains("hunter2"), "{store:?}");
    let sandbox = Sandbox::start().await.unwrap();
    let logs = Logs::default();
    let client = client(&sandbox, store);
    {
        let _guard = logs.capture();
        call(&client).await;
    }
    assert_eq!(sandbox.token_requests(), 1);
    let text = logs.text();
    assert!(
        text.contains("WARN") && text.contains("the token store failed"),
        "{text}"
    );
    assert!(
        !text.contains("hunter2") && !text.contains(sandbox.secret_key()),
        "{text}"
    );
}

#[tokio::test]
async fn a_frozen_redis_costs_one_time_budget_then_is_left_alone_until_the_pause_ends() {
    let redis = RedisServer::start();
    let sandbox = Sandbox::start().await.unwrap();
    let store = RedisTokenStore::connect(&redis.url())
        .await
        .unwrap()
        .operation_timeout(Duration::from_millis(100))
        .pause_after_failure(Duration::from_secs(3));
    redis.freeze();
    let logs = Logs::default();
    let client = client(&sandbox, store.clone());
    let _guard = logs.capture();
    let started = Instant::now();
    call(&client).await;
    let first = started.elapsed();
    assert_eq!(sandbox.token_requests(), 1);
    assert!(
        first < Duration::from_millis(1000),
        "the first call took {first:?}"
    );
    // Within the pause the client does not wait on Redis again: a new token is fetched
    // directly, with no second warning.
    sandbox.revoke_all_tokens();
    call(&client).await;
    assert_eq!(sandbox.token_requests(), 2);
    assert_eq!(
        logs.text().matches("the token store failed").count(),
        1,
        "{}",
        logs.text()
    );
    // Redis answers again, and once the pause is over this client shares again.
    redis.thaw();
    tokio::time::sleep(Duration::from_secs(3)).await;
    sandbox.revoke_all_tokens();
    call(&client).await;
    assert_eq!(sandbox.token_requests(), 3);
    token_entry(&redis);
}

#[tokio::test]
async fn a_redis_answering_garbage_never_fails_a_call() {
    let redis = RedisServer::start();
    let sandbox = Sandbox::start().await.unwrap();
    let store = RedisTokenStore::connect(&redis.url()).await.unwrap();
    call(&client(&sandbox, store.clone())).await;
    let (key, _) = token_entry(&redis);
    // The key now holds a list: every GET on it is a WRONGTYPE error.
    let mut connection = redis.connection();
    let _: () = redis::cmd("DEL").arg(&key).query(&mut connection).unwrap();
    let _: () = redis::cmd("RPUSH")
        .arg(&key)
        .arg("x")
        .query(&mut connection)
        .unwrap();
    let logs = Logs::default();
    {
        let _guard = logs.capture();
        call(&client(&sandbox, store)).await;
    }
    assert_eq!(sandbox.token_requests(), 2);
    assert!(
        logs.text().contains("the token store failed"),
        "{}",
        logs.text()
    );
}

#[tokio::test]
async fn a_lease_left_without_expiry_runs_out_like_any_other() {
    let redis = RedisServer::start();
    let sandbox = Sandbox::start().await.unwrap();
    let store = RedisTokenStore::connect(&redis.url())
        .await
        .unwrap()
        .lease(Duration::from_millis(300));
    call(&client(&sandbox, store.clone())).await;
    let (key, _) = token_entry(&redis);
    let mut connection = redis.connection();
    let _: () = redis::cmd("DEL").arg(&key).query(&mut connection).unwrap();
    // A stuck lease: someone else's id, no expiry.
    let lease = format!("{key}:lease");
    let _: () = redis::cmd("SET")
        .arg(&lease)
        .arg("stuck")
        .query(&mut connection)
        .unwrap();
    let started = Instant::now();
    call(&client(&sandbox, store)).await;
    let took = started.elapsed();
    assert_eq!(sandbox.token_requests(), 2);
    assert!(
        took < Duration::from_secs(2),
        "the stuck lease held the call {took:?}"
    );
    let ttl: i64 = redis::cmd("PTTL")
        .arg(&lease)
        .query(&mut connection)
        .unwrap();
    println!("took {took:?}; the lease's PTTL is now {ttl}");
    assert_eq!(ttl, -2, "the lease is still there (-1: without expiry)");
}

#[test]
fn lazy_outside_a_tokio_runtime_is_an_error_not_a_panic() {
    let outcome = std::panic::catch_unwind(|| RedisTokenStore::lazy("redis://127.0.0.1:1"));
    let error = outcome
        .expect("RedisTokenStore::lazy panicked outside a runtime")
        .expect_err("RedisTokenStore::lazy needs a runtime to listen for publications");
    assert!(error.to_string().contains("Tokio runtime"), "{error}");
}

/// What `connect` says to a cluster node: the way to connect that this build offers.
pub(crate) fn assert_names_the_cluster_constructor(error: &str) {
    assert!(error.contains("is a Redis Cluster node"), "{error}");
    #[cfg(feature = "redis-cluster")]
    assert!(
        error.contains("RedisTokenStore::connect_cluster(&[\"redis://127.0.0.1:"),
        "{error}"
    );
    #[cfg(not(feature = "redis-cluster"))]
    assert!(
        error.contains("cargo feature `redis-cluster`") && error.contains("connect_cluster"),
        "{error}"
    );
}

#[tokio::test]
async fn a_redis_cluster_node_is_refused_by_the_single_server_constructors() {
    // A one-node cluster serving every slot: the cheapest cluster, and one on which a
    // single-server connection would even seem to work. It is refused all the same.
    let redis = RedisServer::start_cluster();
    let error = RedisTokenStore::connect(&redis.url())
        .await
        .unwrap_err()
        .to_string();
    println!("connect: {error}");
    assert_names_the_cluster_constructor(&error);

    // `lazy` cannot tell before first contact: then every operation fails with the refusal,
    // and a client fetches its own token and logs why.
    let store = RedisTokenStore::lazy(&redis.url())
        .unwrap()
        .operation_timeout(Duration::from_millis(500));
    let error = store.read("k").await.unwrap_err().to_string();
    assert_names_the_cluster_constructor(&error);
    assert!(store.claim_lease("k", "a").await.is_err());
    let sandbox = Sandbox::start().await.unwrap();
    let logs = Logs::default();
    {
        let _guard = logs.capture();
        call(&client(&sandbox, store)).await;
    }
    assert_eq!(sandbox.token_requests(), 1);
    assert!(
        logs.text().contains("is a Redis Cluster node"),
        "{}",
        logs.text()
    );
    assert!(redis.dump().is_empty(), "{:?}", redis.dump());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_request_slower_than_the_lease_is_still_the_fleets_only_one() {
    use common::server::TestServer;
    let redis = RedisServer::start();
    let server = TestServer::start().await;
    server.delay_tokens(Duration::from_millis(2500));
    let mut clients = Vec::new();
    // One connection each, as separate processes would have.
    for _ in 0..4 {
        let store = RedisTokenStore::connect(&redis.url())
            .await
            .unwrap()
            .lease(Duration::from_secs(1));
        clients.push(server.client().token_store(store).build().unwrap());
    }
    let tokens = futures_util::future::join_all(clients.iter().map(Client::access_token)).await;
    for token in tokens {
        assert_eq!(token.unwrap().as_str(), "tok-1");
    }
    assert_eq!(server.tokens(), 1);
}
