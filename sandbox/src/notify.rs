//! Delivering payment notifications, as EnKash does, to the order's `notifyUrl`.

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use super::ledger::Notify;
use super::SandboxState;

/// Posts the notification in the background, only to loopback URLs: the sandbox never sends
/// traffic off the machine.
pub(super) fn deliver(state: &Arc<SandboxState>, notify: Notify) {
    let loopback = reqwest::Url::parse(&notify.url).is_ok_and(|url| is_loopback(&url));
    if !loopback {
        tracing::debug!(target: "enkash_sandbox", "not notifying a non-loopback notifyUrl");
        return;
    }
    state.notifications_sent.fetch_add(1, Ordering::SeqCst);
    state.outbound.queued();
    let state = Arc::clone(state);
    let runtime = state.runtime.clone();
    runtime.spawn(async move {
        let client = reqwest::Client::new();
        let sent = client
            .post(&notify.url)
            .json(&notify.notification)
            .timeout(Duration::from_secs(5))
            .send()
            .await;
        if sent.is_ok_and(|response| response.status().is_success()) {
            state.notifications_delivered.fetch_add(1, Ordering::SeqCst);
        }
        state.outbound.finished();
    });
}

/// `localhost` or a loopback address.
fn is_loopback(url: &reqwest::Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(domain)) => domain.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}
