//! [`TokenStore`], the contract a fleet-wide store fulfils, and the values it trades in.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

/// A shared entry as a store holds it: sealed bytes and the time it has left to live.
#[derive(Clone, PartialEq, Eq)]
pub struct StoredToken {
    /// The sealed value, exactly as it was published. Opaque to the store.
    pub value: Vec<u8>,
    /// How long the store will keep it, by the store's own clock (Redis: `PTTL`).
    pub ttl: Duration,
}

impl fmt::Debug for StoredToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StoredToken")
            .field(
                "value",
                &format_args!("<{} sealed bytes>", self.value.len()),
            )
            .field("ttl", &self.ttl)
            .finish()
    }
}

/// The answer to [`TokenStore::claim_lease`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lease {
    /// The caller now holds the refresh lease: it fetches the token and publishes it.
    Claimed,
    /// Another process holds the lease for this much longer.
    HeldFor(Duration),
}

/// Why a store operation failed. The client never fails a call because of it: it fetches a
/// token for its own process and tries the store again after a pause.
#[derive(Debug, Clone, thiserror::Error)]
#[error("token store: {message}")]
pub struct TokenStoreError {
    message: String,
}

impl TokenStoreError {
    /// An error with this message. Never put a credential or a token in it.
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
        }
    }
}

/// A future that completes when a new token is published under a key.
pub type Publication = Pin<Box<dyn Future<Output = ()> + Send + 'static>>;

/// Where a fleet of clients shares one token. Plug another engine by implementing it; the
/// client does the rest.
///
/// # The contract
///
/// Keys are opaque strings the client derives with a keyed hash: they name no credential.
/// Values are sealed by the client (AES-256-GCM under a key derived from the secret key): a
/// store never sees a token, an access key or a secret key in clear, and needs no crypto of
/// its own.
///
/// - [`read`](Self::read) returns the value under `key` **and** its remaining time to live,
///   taken together (one round trip, one snapshot). The client measures the token's remaining
///   lifetime from that TTL, never from comparing clocks.
/// - [`claim_lease`](Self::claim_lease) takes the refresh lease for `key` only if nobody holds
///   it (Redis: `SET NX PX`), for [`lease_duration`](Self::lease_duration). Exactly one claimant
///   may win while a lease lives; a lease whose owner died runs out by itself.
/// - [`publish`](Self::publish) writes the value with the given TTL, releases the lease if
///   `owner` still holds it, and wakes everyone waiting in [`next_publication`](Self::next_publication).
///   It must not overwrite a value while another owner holds the lease.
/// - [`renew_lease`](Self::renew_lease) extends the lease to a full
///   [`lease_duration`](Self::lease_duration) from now, only if `owner` still holds it. The
///   owner renews every third of a lease while its token request is in flight, so the lease
///   outlives the request however slow the token endpoint is, and a lease whose owner died
///   still runs out within one lease.
/// - [`release_lease`](Self::release_lease) gives the lease back if `owner` still holds it
///   (after a failed token request), and wakes waiters so one of them can try.
/// - [`delete_if`](Self::delete_if) deletes the value only if it is still byte-for-byte
///   `expected`, in one atomic step: after a 401, a replica forgets the rejected token without
///   ever deleting a newer one.
/// - [`next_publication`](Self::next_publication) is called *before* a read and resolves at the
///   next publish or release for `key` after the call. It may resolve early (the client reads
///   again) or never (the client bounds every wait by the lease).
///
/// Every method should answer quickly or fail: the client treats an error as "no store for a
/// while" and fetches for its own process. Stores apply their own time budget per operation.
///
/// `tests/it/token_store_trait.rs` in the repository implements the contract in memory in about
/// a hundred lines, and checks a fleet of clients against it.
#[async_trait::async_trait]
pub trait TokenStore: fmt::Debug + Send + Sync + 'static {
    /// The value under `key` and its remaining TTL, or `None` if there is none.
    async fn read(&self, key: &str) -> Result<Option<StoredToken>, TokenStoreError>;

    /// Claims the refresh lease for `key` under the random id `owner`.
    async fn claim_lease(&self, key: &str, owner: &str) -> Result<Lease, TokenStoreError>;

    /// Publishes `value` under `key` for `ttl`, releases `owner`'s lease, wakes waiters.
    async fn publish(
        &self,
        key: &str,
        owner: &str,
        value: &[u8],
        ttl: Duration,
    ) -> Result<(), TokenStoreError>;

    /// Extends `owner`'s lease on `key` to a full [`lease_duration`](Self::lease_duration)
    /// from now if `owner` still holds it; returns whether it did (`false`: the lease ran out
    /// or someone else holds it).
    async fn renew_lease(&self, key: &str, owner: &str) -> Result<bool, TokenStoreError>;

    /// Releases `owner`'s lease on `key` without publishing, and wakes waiters.
    async fn release_lease(&self, key: &str, owner: &str) -> Result<(), TokenStoreError>;

    /// Deletes the value under `key` if it is still `expected`; returns whether it did.
    async fn delete_if(&self, key: &str, expected: &[u8]) -> Result<bool, TokenStoreError>;

    /// Resolves at the next publish or release for `key` after this call.
    fn next_publication(&self, key: &str) -> Publication;

    /// How long a refresh lease lasts unless renewed. Its owner renews it every third of it
    /// while its token request is in flight, so it need not cover a slow token request: it is
    /// how long the fleet waits for an owner that died. Waiters give up after three leases and
    /// fetch for themselves. Above zero and at most a year, or
    /// [`ClientBuilder::build`](crate::ClientBuilder::build) refuses the store.
    fn lease_duration(&self) -> Duration;

    /// How long the client goes without the store after it failed (default 5 s). At most a
    /// year, or [`ClientBuilder::build`](crate::ClientBuilder::build) refuses the store.
    fn pause_after_failure(&self) -> Duration {
        Duration::from_secs(5)
    }
}
