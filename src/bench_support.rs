//! Entry points for the benchmarks in `perf/` (cargo feature `test-util`; not part of the API,
//! hidden from the docs).

use crate::Client;

/// The token cache's hit path, as each call takes it: `true` if the cache holds a token that
/// may be used now. The token is borrowed and its header value copied out, as a call does.
pub fn token_hit(client: &Client) -> bool {
    client.inner.auth().token_hit()
}
