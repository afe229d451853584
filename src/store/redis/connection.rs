//! How the Redis token store reaches Redis: one server through a `ConnectionManager` with a
//! pub/sub connection of its own, or a Redis Cluster (cargo feature `redis-cluster`) through the
//! `redis` crate's cluster client, which sends each key to its slot's master, follows `MOVED`,
//! and finds the new master after a failover.
//!
//! A single-server connection to a cluster node would get `MOVED` for most keys: it is refused
//! with an error that names the cluster constructor, never left half-working.

use std::time::Duration;

use redis::aio::{ConnectionLike, ConnectionManager, ConnectionManagerConfig};
use redis::{Cmd, ErrorKind, Pipeline, RedisFuture, Value};
use tokio::sync::broadcast;

use crate::store::token_store::TokenStoreError;

/// The one channel publications go out on; a message is the entry's key.
pub(super) const CHANNEL: &str = "enkash:token:published";

/// A Redis error as a store error. The `redis` crate's messages name commands and kinds, not
/// values, so they are safe to keep.
pub(super) fn redis_error(what: &str, error: &redis::RedisError) -> TokenStoreError {
    TokenStoreError::new(format!("{what}: {error}"))
}

/// The connection every store operation goes through. Cheap to clone.
#[derive(Clone)]
pub(super) enum Connection {
    /// One Redis server (or a primary behind a proxy or Sentinel-managed address).
    Single(ConnectionManager),
    /// A Redis Cluster.
    #[cfg(feature = "redis-cluster")]
    Cluster(redis::cluster_async::ClusterConnection),
}

impl ConnectionLike for Connection {
    fn req_packed_command<'a>(&'a mut self, cmd: &'a Cmd) -> RedisFuture<'a, Value> {
        match self {
            Self::Single(connection) => connection.req_packed_command(cmd),
            #[cfg(feature = "redis-cluster")]
            Self::Cluster(connection) => connection.req_packed_command(cmd),
        }
    }

    fn req_packed_commands<'a>(
        &'a mut self,
        pipeline: &'a Pipeline,
        offset: usize,
        count: usize,
    ) -> RedisFuture<'a, Vec<Value>> {
        match self {
            Self::Single(connection) => connection.req_packed_commands(pipeline, offset, count),
            #[cfg(feature = "redis-cluster")]
            Self::Cluster(connection) => connection.req_packed_commands(pipeline, offset, count),
        }
    }

    fn get_db(&self) -> i64 {
        match self {
            Self::Single(connection) => connection.get_db(),
            #[cfg(feature = "redis-cluster")]
            Self::Cluster(connection) => connection.get_db(),
        }
    }
}

/// A lazy connection to one server, and the task that forwards its publications to
/// `publications` (stopped when the store is dropped).
pub(super) fn single(
    url: &str,
    runtime: &tokio::runtime::Handle,
    publications: broadcast::Sender<String>,
) -> Result<(Connection, tokio::task::AbortHandle), TokenStoreError> {
    let client = redis::Client::open(url).map_err(|e| redis_error("invalid Redis URL", &e))?;
    let config = ConnectionManagerConfig::new()
        .set_connection_timeout(Some(Duration::from_secs(1)))
        .set_number_of_retries(1)
        .set_max_delay(Duration::from_secs(1));
    let connection = ConnectionManager::new_lazy_with_config(client.clone(), config)
        .map_err(|e| redis_error("cannot set up the connection", &e))?;
    let listener = runtime.spawn(listen(client, publications)).abort_handle();
    Ok((Connection::Single(connection), listener))
}

/// Refuses a Redis Cluster node behind a single-server connection: `Some(refusal)` if `INFO
/// cluster` says `cluster_enabled:1`, `None` if it is a plain server. A server that answers
/// `INFO` with an error (a proxy that forbids it) cannot tell, and counts as a plain server;
/// not reaching it at all is an error, and the check runs again next time.
pub(super) async fn refuse_a_cluster(
    connection: &Connection,
    server: &str,
) -> Result<Option<TokenStoreError>, TokenStoreError> {
    let mut connection = connection.clone();
    let info: String = match redis::cmd("INFO")
        .arg("cluster")
        .query_async(&mut connection)
        .await
    {
        Ok(info) => info,
        Err(e) if matches!(e.kind(), ErrorKind::Server(_) | ErrorKind::Extension) => {
            return Ok(None)
        }
        Err(e) => return Err(redis_error("cannot connect", &e)),
    };
    let cluster = info.lines().any(|line| line.trim() == "cluster_enabled:1");
    Ok(cluster.then(|| TokenStoreError::new(cluster_refusal(server))))
}

#[cfg(feature = "redis-cluster")]
fn cluster_refusal(server: &str) -> String {
    format!(
        "{server} is a Redis Cluster node, and RedisTokenStore::connect talks to one server: \
         connect with RedisTokenStore::connect_cluster(&[\"{server}\", ...]) instead"
    )
}

#[cfg(not(feature = "redis-cluster"))]
fn cluster_refusal(server: &str) -> String {
    format!(
        "{server} is a Redis Cluster node, and this build of enkash talks to one Redis server: \
         turn on the cargo feature `redis-cluster` and connect with \
         RedisTokenStore::connect_cluster"
    )
}

/// A connection to the cluster that `nodes` belong to, subscribed to the publication channel.
///
/// Publications arrive as RESP3 pushes, so no second connection is needed: a `PUBLISH` reaches
/// every node of a cluster, and the cluster client subscribes on one of them and moves the
/// subscription when that node fails over.
#[cfg(feature = "redis-cluster")]
pub(super) async fn cluster(
    nodes: &[&str],
    publications: broadcast::Sender<String>,
) -> Result<Connection, TokenStoreError> {
    use redis::cluster::ClusterClient;
    use redis::{ProtocolVersion, PushInfo, PushKind};

    if nodes.is_empty() {
        return Err(TokenStoreError::new(
            "RedisTokenStore::connect_cluster needs at least one node URL",
        ));
    }
    let forward = move |push: PushInfo| -> Result<(), broadcast::error::SendError<String>> {
        if push.kind == PushKind::Disconnection {
            // A node went away: a publication may have been missed, so wake every waiter to
            // read again (the empty key stands for "any").
            let _ = publications.send(String::new());
        } else if let Some(message) = redis::Msg::from_push_info(push) {
            if let Ok(key) = std::str::from_utf8(message.get_payload_bytes()) {
                let _ = publications.send(key.to_string());
            }
        }
        Ok(())
    };
    let client = ClusterClient::builder(nodes.iter().copied())
        .use_protocol(ProtocolVersion::RESP3)
        .push_sender(forward)
        .connection_timeout(Duration::from_secs(1))
        .build()
        .map_err(|e| redis_error("invalid Redis Cluster node URLs", &e))?;
    let connect = async {
        let mut connection = client.get_async_connection().await?;
        connection.subscribe(CHANNEL).await?;
        redis::RedisResult::Ok(connection)
    };
    match tokio::time::timeout(Duration::from_secs(5), connect).await {
        Ok(Ok(connection)) => Ok(Connection::Cluster(connection)),
        Ok(Err(e)) => Err(redis_error("cannot connect to the Redis Cluster", &e)),
        Err(_) => Err(TokenStoreError::new(
            "cannot connect to the Redis Cluster: no answer within 5 s",
        )),
    }
}

/// Keeps one subscription to the publication channel of a single server, reconnecting after a
/// pause whenever Redis goes away, and forwards each message (an entry's key) to the waiters.
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

/// `scheme://host:port` of a Redis URL, without user or password.
pub(super) fn server_name(url: &str) -> String {
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
