//! [`TokenStore`] on Redis: `SET NX PX` leases, Lua scripts for the compare-and-set steps,
//! pub/sub to wake waiters. Every operation has a time budget (default 50 ms).

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::{AsyncCommands, Script};
use tokio::sync::broadcast;
use tokio::task::AbortHandle;

use super::{Lease, Publication, StoredToken, TokenStore, TokenStoreError};

/// Every key this store writes starts with this.
const PREFIX: &str = "enkash:token:";
/// The one channel publications go out on; a message is the entry's key.
const CHANNEL: &str = "enkash:token:published";

/// Claims the lease if free: `-1` when claimed, else the lease's remaining milliseconds. A
/// lease key without expiry (written by hand, or by something else) would otherwise answer
/// `PTTL` -1, read as "claimed", and its holder would never let the fleet share: it is given
/// the lease's duration instead, so it runs out like any other.
const CLAIM: &str = r"
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return -1 end
local left = redis.call('PTTL', KEYS[1])
if left == -1 then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return tonumber(ARGV[2])
end
return left
";
/// Writes the token only while the caller still holds the lease (or nobody holds it and there
/// is no entry), releases the lease, and wakes waiters.
const PUBLISH: &str = r"
local lease = redis.call('GET', KEYS[2])
if lease == ARGV[3] or (not lease and redis.call('EXISTS', KEYS[1]) == 0) then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
end
if lease == ARGV[3] then redis.call('DEL', KEYS[2]) end
redis.call('PUBLISH', ARGV[4], KEYS[1])
return 1
";
/// Extends the lease KEYS[1] to ARGV[2] ms only while it still holds the owner id ARGV[1]: 1 if
/// it did, else 0.
const RENEW: &str = r"
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
";
/// Deletes KEYS[1] only if it still holds ARGV[1]; with ARGV[2], also publishes.
const DELETE_IF: &str = r"
local deleted = 0
if redis.call('GET', KEYS[1]) == ARGV[1] then deleted = redis.call('DEL', KEYS[1]) end
if ARGV[2] then redis.call('PUBLISH', ARGV[2], ARGV[3]) end
return deleted
";

/// A [`TokenStore`] on Redis (cargo feature `redis`): one token for every process that uses
/// the same credentials and Redis.
///
/// ```no_run
/// # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
/// let store = enkash::RedisTokenStore::connect("redis://127.0.0.1:6379").await?;
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
/// scripts that touch both require. No key or value contains a credential or a token in clear. `rediss://` (cargo feature
/// `redis-tls`) and `redis://user:password@host` work as the `redis` crate provides. Cheap to
/// clone; clones share one connection.
#[derive(Clone)]
pub struct RedisTokenStore {
    inner: Arc<Inner>,
    operation_timeout: Duration,
    lease: Duration,
    pause: Duration,
}

struct Inner {
    connection: ConnectionManager,
    /// `scheme://host:port`, for `Debug`: never the password.
    server: String,
    publications: broadcast::Sender<String>,
    listener: AbortHandle,
    scripts: Scripts,
}

struct Scripts {
    claim: Script,
    renew: Script,
    publish: Script,
    delete_if: Script,
}

impl RedisTokenStore {
    /// Connects to Redis at `url` and checks it answers; fails if it does not.
    ///
    /// To start even while Redis is down, use [`lazy`](Self::lazy).
    pub async fn connect(url: &str) -> Result<Self, TokenStoreError> {
        let store = Self::lazy(url)?;
        let mut connection = store.inner.connection.clone();
        let ping = async { connection.ping::<String>().await };
        match tokio::time::timeout(Duration::from_secs(2), ping).await {
            Ok(Ok(_)) => Ok(store),
            Ok(Err(e)) => Err(redis_error("cannot connect", &e)),
            Err(_) => Err(TokenStoreError::new(format!(
                "cannot connect to {}: no answer within 2 s",
                store.inner.server
            ))),
        }
    }

    /// A store that connects on first use: until Redis answers, each client fetches its own
    /// token, and sharing starts once it does. Fails if `url` is not a Redis URL, or if it is
    /// called outside a Tokio runtime (the store listens for publications on a task).
    pub fn lazy(url: &str) -> Result<Self, TokenStoreError> {
        let runtime = tokio::runtime::Handle::try_current().map_err(|_| {
            TokenStoreError::new(
                "RedisTokenStore::lazy must be called within a Tokio runtime: it starts a task \
                 that listens for publications",
            )
        })?;
        let client = redis::Client::open(url).map_err(|e| redis_error("invalid Redis URL", &e))?;
        let server = server_name(url);
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(Duration::from_secs(1)))
            .set_number_of_retries(1)
            .set_max_delay(Duration::from_secs(1));
        let connection = ConnectionManager::new_lazy_with_config(client.clone(), config)
            .map_err(|e| redis_error("cannot set up the connection", &e))?;
        let (publications, _) = broadcast::channel(64);
        let listener = runtime
            .spawn(listen(client, publications.clone()))
            .abort_handle();
        Ok(Self {
            inner: Arc::new(Inner {
                connection,
                server,
                publications,
                listener,
                scripts: Scripts {
                    claim: Script::new(CLAIM),
                    renew: Script::new(RENEW),
                    publish: Script::new(PUBLISH),
                    delete_if: Script::new(DELETE_IF),
                },
            }),
            operation_timeout: Duration::from_millis(50),
            lease: Duration::from_secs(10),
            pause: Duration::from_secs(5),
        })
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
        match tokio::time::timeout(self.operation_timeout, operation).await {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(e)) => Err(redis_error(what, &e)),
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
        let key = Self::key(key);
        let mut pipe = redis::pipe();
        pipe.atomic().get(&key).pttl(&key);
        let (value, ttl_ms): (Option<Vec<u8>>, i64) = self
            .timed("read", pipe.query_async(&mut connection))
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
                    Ok(published) if published == key => return,
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

impl Drop for Inner {
    fn drop(&mut self) {
        self.listener.abort();
    }
}

/// Keeps one subscription to the publication channel, reconnecting after a pause whenever
/// Redis goes away, and forwards each message (an entry's key) to the waiters.
async fn listen(client: redis::Client, publications: broadcast::Sender<String>) {
    use futures_util::StreamExt;
    loop {
        let subscribed = async {
            let mut pubsub = client.get_async_pubsub().await?;
            pubsub.subscribe(CHANNEL).await?;
            redis::RedisResult::Ok(pubsub)
        };
        if let Ok(Ok(pubsub)) = tokio::time::timeout(Duration::from_secs(2), subscribed).await {
            let mut messages = pubsub.into_on_message();
            while let Some(message) = messages.next().await {
                if let Ok(key) = std::str::from_utf8(message.get_payload_bytes()) {
                    let _ = publications.send(key.to_string());
                }
            }
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

/// `scheme://host:port` of a Redis URL, without user or password.
fn server_name(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(url) => format!(
            "{}://{}:{}",
            url.scheme(),
            url.host_str().unwrap_or("?"),
            url.port().unwrap_or(6379)
        ),
        Err(_) => "<unparsable URL>".to_string(),
    }
}

/// A Redis error as a store error. The `redis` crate's messages name commands and kinds, not
/// values, so they are safe to keep.
fn redis_error(what: &str, error: &redis::RedisError) -> TokenStoreError {
    TokenStoreError::new(format!("{what}: {error}"))
}
