//! [`TokenStore`] on Redis: `SET NX PX` leases, Lua scripts for the compare-and-set steps,
//! pub/sub to wake waiters. Every operation has a time budget (default 50 ms). How it reaches
//! Redis, one server or a cluster, is in `connection.rs`.

mod connection;
mod scripts;

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{broadcast, OnceCell};
use tokio::task::AbortHandle;

use self::connection::{redis_error, Connection, CHANNEL};
use self::scripts::Scripts;
use crate::store::token_store::{Lease, Publication, StoredToken, TokenStore, TokenStoreError};

/// Every key this store writes starts with this.
const PREFIX: &str = "enkash:token:";

/// A [`TokenStore`] on Redis (cargo feature `redis`): one token for every process that uses
/// the same credentials and Redis.
///
/// ```no_run
/// # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
/// let store = enkash::store::RedisTokenStore::connect("redis://127.0.0.1:6379").await?;
/// let client = enkash::Client::builder()
///     .environment(enkash::Environment::Uat)
///     .credentials("ACCESS_KEY", "SECRET_KEY")
///     .token_store(store)
///     .build()?;
/// # drop(client); Ok(()) }
/// ```
///
/// What Redis holds, per set of credentials and base URL: `enkash:token:{<hmac>}` (the sealed
/// token, expiring with it) and, during a refresh, `enkash:token:{<hmac>}:lease` (a random
/// owner id). The braces are a Redis Cluster hash tag: both keys live in one slot, as the
/// scripts that touch both require. No key or value contains a credential or a token in clear.
/// `rediss://` (cargo feature `redis-tls`) and `redis://user:password@host` work as the `redis`
/// crate provides. Cheap to clone; clones share one connection.
///
/// # Redis Cluster
///
/// [`connect`](Self::connect) talks to one server, and refuses a Redis Cluster node with an
/// error rather than half-work (a single-server connection gets `MOVED` for the keys of other
/// nodes' slots). With the cargo feature `redis-cluster`, connect to a cluster with
/// `connect_cluster`, giving one or more of its nodes; the rest are discovered, each key goes
/// to its slot's master, and a failover is followed:
///
/// ```ignore
/// // Cargo.toml: enkash = { version = "0.1", features = ["redis-cluster"] }
/// let store = enkash::store::RedisTokenStore::connect_cluster(&[
///     "redis://10.0.0.1:6379",
///     "redis://10.0.0.2:6379",
///     "redis://10.0.0.3:6379",
/// ])
/// .await?;
/// ```
#[derive(Clone)]
pub struct RedisTokenStore {
    inner: Arc<Inner>,
    operation_timeout: Duration,
    lease: Duration,
    pause: Duration,
}

struct Inner {
    connection: Connection,
    /// `scheme://host:port`, for `Debug` and errors: never the password.
    server: String,
    /// Each message is a published entry's key; the empty string wakes every waiter.
    publications: broadcast::Sender<String>,
    /// The single-server pub/sub task; a cluster connection receives its publications itself.
    listener: Option<AbortHandle>,
    scripts: Scripts,
    /// For a single-server connection, whether the server turned out to be a cluster node
    /// (`Some`: the refusal every operation returns). Checked once, on first contact.
    cluster_check: OnceCell<Option<TokenStoreError>>,
}

impl RedisTokenStore {
    /// Connects to the Redis server at `url` and checks it answers; fails if it does not, or if
    /// it is a Redis Cluster node (see [Redis Cluster](Self#redis-cluster)).
    ///
    /// To start even while Redis is down, use [`lazy`](Self::lazy).
    pub async fn connect(url: &str) -> Result<Self, TokenStoreError> {
        let store = Self::lazy(url)?;
        match tokio::time::timeout(Duration::from_secs(2), store.inner.ready()).await {
            Ok(Ok(())) => Ok(store),
            Ok(Err(e)) => Err(e),
            Err(_) => Err(TokenStoreError::new(format!(
                "cannot connect to {}: no answer within 2 s",
                store.inner.server
            ))),
        }
    }

    /// A store that connects on first use: until Redis answers, each client fetches its own
    /// token, and sharing starts once it does. Fails if `url` is not a Redis URL, or if it is
    /// called outside a Tokio runtime (the store listens for publications on a task). If the
    /// server turns out to be a Redis Cluster node, every operation fails with the error
    /// [`connect`](Self::connect) gives, and the client logs it.
    pub fn lazy(url: &str) -> Result<Self, TokenStoreError> {
        let runtime = tokio::runtime::Handle::try_current().map_err(|_| {
            TokenStoreError::new(
                "RedisTokenStore::lazy must be called within a Tokio runtime: it starts a task \
                 that listens for publications",
            )
        })?;
        let (publications, _) = broadcast::channel(64);
        let (connection, listener) = connection::single(url, &runtime, publications.clone())?;
        let server = connection::server_name(url);
        Ok(Self::new(connection, server, publications, Some(listener)))
    }

    /// Connects to the Redis Cluster that `nodes` belong to (cargo feature `redis-cluster`):
    /// give one node URL or more, the others are discovered. Fails if none answers, or if they
    /// are not cluster nodes. Each key goes to the master of its slot; after a failover, the
    /// store follows the promoted replica by itself.
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
    /// let store = enkash::store::RedisTokenStore::connect_cluster(&[
    ///     "redis://127.0.0.1:7000",
    ///     "redis://127.0.0.1:7001",
    /// ])
    /// .await?;
    /// let client = enkash::Client::builder()
    ///     .environment(enkash::Environment::Uat)
    ///     .credentials("ACCESS_KEY", "SECRET_KEY")
    ///     .token_store(store)
    ///     .build()?;
    /// # drop(client); Ok(()) }
    /// ```
    ///
    /// Needs Redis 6 or later (publications arrive as RESP3 pushes).
    #[cfg(feature = "redis-cluster")]
    pub async fn connect_cluster(nodes: &[&str]) -> Result<Self, TokenStoreError> {
        let (publications, _) = broadcast::channel(64);
        let connection = connection::cluster(nodes, publications.clone()).await?;
        let names: Vec<String> = nodes
            .iter()
            .map(|url| connection::server_name(url))
            .collect();
        let server = format!("Redis Cluster ({})", names.join(", "));
        Ok(Self::new(connection, server, publications, None))
    }

    fn new(
        connection: Connection,
        server: String,
        publications: broadcast::Sender<String>,
        listener: Option<AbortHandle>,
    ) -> Self {
        Self {
            inner: Arc::new(Inner {
                connection,
                server,
                publications,
                listener,
                scripts: Scripts::new(),
                cluster_check: OnceCell::new(),
            }),
            operation_timeout: Duration::from_millis(50),
            lease: Duration::from_secs(10),
            pause: Duration::from_secs(5),
        }
    }

    /// The time budget of one Redis operation (default 50 ms). Past it, the client treats
    /// Redis as down for [`pause_after_failure`](Self::pause_after_failure).
    #[must_use]
    pub fn operation_timeout(mut self, timeout: Duration) -> Self {
        self.operation_timeout = timeout;
        self
    }

    /// How long a refresh lease lasts unless renewed (default 10 s). The owner renews it every
    /// third of it while its token request is in flight, so a slow token endpoint still makes
    /// one request for the fleet; the lease is how long the fleet waits for a replica that died
    /// while fetching. At least 1 ms and at most a year, or
    /// [`ClientBuilder::build`](crate::ClientBuilder::build) refuses it.
    #[must_use]
    pub fn lease(mut self, lease: Duration) -> Self {
        self.lease = lease;
        self
    }

    /// How long a client leaves Redis alone after it failed (default 5 s).
    #[must_use]
    pub fn pause_after_failure(mut self, pause: Duration) -> Self {
        self.pause = pause;
        self
    }

    /// The value's key. The entry's name is the key's hash tag (`{...}`), shared with its
    /// lease, so that on Redis Cluster both lie in one slot and a script may touch both.
    fn key(key: &str) -> String {
        format!("{PREFIX}{{{key}}}")
    }

    fn lease_key(key: &str) -> String {
        format!("{PREFIX}{{{key}}}:lease")
    }

    /// Runs one Redis operation within the time budget.
    async fn timed<T>(
        &self,
        what: &str,
        operation: impl std::future::Future<Output = redis::RedisResult<T>>,
    ) -> Result<T, TokenStoreError> {
        let checked = async {
            self.inner.ready().await?;
            operation.await.map_err(|e| redis_error(what, &e))
        };
        match tokio::time::timeout(self.operation_timeout, checked).await {
            Ok(result) => result,
            Err(_) => Err(TokenStoreError::new(format!(
                "{what}: no answer from {} within {} ms",
                self.inner.server,
                self.operation_timeout.as_millis()
            ))),
        }
    }
}

#[async_trait::async_trait]
impl TokenStore for RedisTokenStore {
    async fn read(&self, key: &str) -> Result<Option<StoredToken>, TokenStoreError> {
        let mut connection = self.inner.connection.clone();
        let invocation = self.inner.scripts.read.key(Self::key(key));
        let (value, ttl_ms): (Option<Vec<u8>>, i64) = self
            .timed("read", invocation.invoke_async(&mut connection))
            .await?;
        // -2: no key; -1: a key without expiry, which this store never writes.
        Ok(match (value, u64::try_from(ttl_ms)) {
            (Some(value), Ok(ms)) if ms > 0 => Some(StoredToken {
                value,
                ttl: Duration::from_millis(ms),
            }),
            _ => None,
        })
    }

    async fn claim_lease(&self, key: &str, owner: &str) -> Result<Lease, TokenStoreError> {
        let mut connection = self.inner.connection.clone();
        let mut invocation = self.inner.scripts.claim.key(Self::lease_key(key));
        invocation.arg(owner).arg(millis(self.lease));
        let answer: i64 = self
            .timed("claim the lease", invocation.invoke_async(&mut connection))
            .await?;
        Ok(match answer {
            -1 => Lease::Claimed,
            left => Lease::HeldFor(Duration::from_millis(u64::try_from(left).unwrap_or(0))),
        })
    }

    async fn renew_lease(&self, key: &str, owner: &str) -> Result<bool, TokenStoreError> {
        let mut connection = self.inner.connection.clone();
        let mut invocation = self.inner.scripts.renew.key(Self::lease_key(key));
        invocation.arg(owner).arg(millis(self.lease));
        let renewed: i64 = self
            .timed("renew the lease", invocation.invoke_async(&mut connection))
            .await?;
        Ok(renewed == 1)
    }

    async fn publish(
        &self,
        key: &str,
        owner: &str,
        value: &[u8],
        ttl: Duration,
    ) -> Result<(), TokenStoreError> {
        let ttl_ms = millis(ttl);
        if ttl_ms == 0 {
            return self.release_lease(key, owner).await;
        }
        let mut connection = self.inner.connection.clone();
        let mut invocation = self.inner.scripts.publish.key(Self::key(key));
        invocation
            .key(Self::lease_key(key))
            .arg(value)
            .arg(ttl_ms)
            .arg(owner)
            .arg(CHANNEL);
        let _: i64 = self
            .timed("publish", invocation.invoke_async(&mut connection))
            .await?;
        Ok(())
    }

    async fn release_lease(&self, key: &str, owner: &str) -> Result<(), TokenStoreError> {
        let mut connection = self.inner.connection.clone();
        let mut invocation = self.inner.scripts.delete_if.key(Self::lease_key(key));
        invocation.arg(owner).arg(CHANNEL).arg(Self::key(key));
        let _: i64 = self
            .timed(
                "release the lease",
                invocation.invoke_async(&mut connection),
            )
            .await?;
        Ok(())
    }

    async fn delete_if(&self, key: &str, expected: &[u8]) -> Result<bool, TokenStoreError> {
        let mut connection = self.inner.connection.clone();
        let mut invocation = self.inner.scripts.delete_if.key(Self::key(key));
        invocation.arg(expected);
        let deleted: i64 = self
            .timed(
                "delete the rejected token",
                invocation.invoke_async(&mut connection),
            )
            .await?;
        Ok(deleted == 1)
    }

    fn next_publication(&self, key: &str) -> Publication {
        let mut receiver = self.inner.publications.subscribe();
        let key = Self::key(key);
        Box::pin(async move {
            loop {
                match receiver.recv().await {
                    Ok(published) if published == key || published.is_empty() => return,
                    Ok(_) => continue,
                    // Missed some: one of them may have been ours, so read again.
                    Err(broadcast::error::RecvError::Lagged(_)) => return,
                    // The store is gone: nothing will be published.
                    Err(broadcast::error::RecvError::Closed) => std::future::pending().await,
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

impl fmt::Debug for RedisTokenStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisTokenStore")
            .field("server", &self.inner.server)
            .field("operation_timeout", &self.operation_timeout)
            .field("lease", &self.lease)
            .field("pause_after_failure", &self.pause)
            .finish()
    }
}

impl Inner {
    /// Ready for operations: a single-server connection has found a plain server (checked
    /// once, on first contact); a cluster connection always is.
    async fn ready(&self) -> Result<(), TokenStoreError> {
        if !matches!(self.connection, Connection::Single(_)) {
            return Ok(());
        }
        let refusal = self
            .cluster_check
            .get_or_try_init(|| connection::refuse_a_cluster(&self.connection, &self.server))
            .await?;
        match refusal {
            Some(refusal) => Err(refusal.clone()),
            None => Ok(()),
        }
    }
}

impl Drop for Inner {
    fn drop(&mut self) {
        if let Some(listener) = &self.listener {
            listener.abort();
        }
    }
}

fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}
