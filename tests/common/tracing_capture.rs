//! Capturing what `tracing` records in one test of a binary whose tests run in parallel.
//!
//! `tracing` decides once per process whether a call site (a `span!` or `info!` line) is
//! enabled, and caches it. With no global subscriber, the first thread to reach a call site
//! decides: a sibling test with no subscriber of its own caches "never", and from then on that
//! line records nothing, also on the thread that installed a capturing subscriber. That is
//! why `call_tracing` once lost its spans on a loaded machine (the sibling tests reached
//! `enkash::call`'s lines first) and passed alone.
//!
//! A do-nothing global subscriber (a bare `Registry`, which is interested in everything)
//! removes the race: every thread then has a subscriber that wants every call site, so none is
//! cached as "never", and each event still goes to the current thread's subscriber, the test's
//! own capture. No test in the binary may set another global subscriber.

use std::sync::Once;

use tracing::subscriber::DefaultGuard;
use tracing::Subscriber;

/// Installs `subscriber` for this thread until the guard drops, after making sure the
/// process has its do-nothing global subscriber.
pub fn scoped<S>(subscriber: S) -> DefaultGuard
where
    S: Subscriber + Send + Sync + 'static,
{
    static GLOBAL: Once = Once::new();
    GLOBAL.call_once(|| {
        tracing::subscriber::set_global_default(tracing_subscriber::registry())
            .expect("no other global tracing subscriber in the test binaries");
    });
    let guard = tracing::subscriber::set_default(subscriber);
    // Call sites cached before the global subscriber existed are asked again.
    tracing::callsite::rebuild_interest_cache();
    guard
}
