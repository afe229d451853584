//! Everything the sandbox posts to the merchant, as EnKash does: payment notifications (to the
//! order's `notifyUrl`, each on its own) and UPI Autopay callbacks (one at a time, in order).
//! Only to loopback URLs: the sandbox never sends traffic off the machine. It also knows how
//! many posts are on their way, so that the
//! [`CallFault::AnswerAfterCallbacks`](crate::CallFault::AnswerAfterCallbacks) fault can hold
//! an answer until none is, and a test sees the callback before the answer on any machine.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use serde::Serialize;

use crate::ledger::{Notify, Outgoing};

/// Each post gives up after this long.
const POST_TIMEOUT: Duration = Duration::from_secs(5);
/// The longest an answer waits for its callbacks (several posts' timeouts).
const LONGEST_WAIT: Duration = Duration::from_secs(30);

/// The sandbox's one sender of notifications and callbacks.
#[derive(Debug)]
pub(crate) struct Outbox {
    /// The runtime the sandbox started on, where posts are made from: settling a payment from
    /// code outside the runtime still sends its notification.
    runtime: tokio::runtime::Handle,
    /// Callbacks waiting to be posted, in order, by one task.
    callback_queue: OnceLock<tokio::sync::mpsc::UnboundedSender<Outgoing>>,
    /// Payment notifications queued and delivered (a 2xx answer).
    pub notifications: Arc<Counts>,
    /// UPI Mandate and Mandate Debit Callbacks queued and delivered.
    pub callbacks: Arc<Counts>,
    in_flight: Arc<InFlight>,
}

/// Posts queued for a loopback URL, and those answered with a 2xx.
#[derive(Debug, Default)]
pub(crate) struct Counts {
    sent: AtomicU64,
    delivered: AtomicU64,
}

impl Counts {
    /// Posts queued for a loopback URL.
    pub(crate) fn sent(&self) -> u64 {
        self.sent.load(Ordering::SeqCst)
    }

    /// Posts answered with a 2xx.
    pub(crate) fn delivered(&self) -> u64 {
        self.delivered.load(Ordering::SeqCst)
    }
}

impl Outbox {
    /// An outbox posting from `runtime`.
    pub(crate) fn new(runtime: tokio::runtime::Handle) -> Self {
        Self {
            runtime,
            callback_queue: OnceLock::new(),
            notifications: Arc::default(),
            callbacks: Arc::default(),
            in_flight: Arc::default(),
        }
    }

    /// Posts the payment notification in the background.
    pub(crate) fn notify(&self, notify: Notify) {
        if !is_loopback(&notify.url) {
            tracing::debug!(target: "enkash_sandbox", "not notifying a non-loopback notifyUrl");
            return;
        }
        self.notifications.sent.fetch_add(1, Ordering::SeqCst);
        self.in_flight.queued();
        let counts = Arc::clone(&self.notifications);
        let in_flight = Arc::clone(&self.in_flight);
        self.runtime.spawn(async move {
            post(
                &reqwest::Client::new(),
                &notify.url,
                &notify.notification,
                &counts,
            )
            .await;
            in_flight.finished();
        });
    }

    /// Queues callbacks for posting, in order, by one task on the sandbox's runtime.
    pub(crate) fn callbacks(&self, callbacks: Vec<Outgoing>) {
        for callback in callbacks {
            if !is_loopback(&callback.url) {
                tracing::debug!(target: "enkash_sandbox", "not posting a callback to a non-loopback URL");
                continue;
            }
            self.callbacks.sent.fetch_add(1, Ordering::SeqCst);
            let queue = self.callback_queue.get_or_init(|| {
                let (queue, mut waiting) = tokio::sync::mpsc::unbounded_channel::<Outgoing>();
                let counts = Arc::clone(&self.callbacks);
                let in_flight = Arc::clone(&self.in_flight);
                self.runtime.spawn(async move {
                    let client = reqwest::Client::new();
                    while let Some(callback) = waiting.recv().await {
                        post(&client, &callback.url, &callback.body, &counts).await;
                        in_flight.finished();
                    }
                });
                queue
            });
            self.in_flight.queued();
            if queue.send(callback).is_err() {
                self.in_flight.finished();
            }
        }
    }

    /// Waits until no post is in flight (or [`LONGEST_WAIT`] has passed).
    pub(crate) async fn drained(&self) {
        self.in_flight.drained().await;
    }
}

/// Posts `body` to `url`; counts it delivered on a 2xx.
async fn post(client: &reqwest::Client, url: &str, body: &impl Serialize, counts: &Counts) {
    let sent = client
        .post(url)
        .json(body)
        .timeout(POST_TIMEOUT)
        .send()
        .await;
    if sent.is_ok_and(|response| response.status().is_success()) {
        counts.delivered.fetch_add(1, Ordering::SeqCst);
    }
}

/// The posts queued and not yet finished (delivered, refused or timed out).
#[derive(Debug, Default)]
struct InFlight {
    count: AtomicU64,
    finished: tokio::sync::Notify,
}

impl InFlight {
    fn queued(&self) {
        self.count.fetch_add(1, Ordering::SeqCst);
    }

    fn finished(&self) {
        self.count.fetch_sub(1, Ordering::SeqCst);
        self.finished.notify_waiters();
    }

    async fn drained(&self) {
        let wait = async {
            loop {
                let finished = self.finished.notified();
                if self.count.load(Ordering::SeqCst) == 0 {
                    return;
                }
                finished.await;
            }
        };
        let _ = tokio::time::timeout(LONGEST_WAIT, wait).await;
    }
}

/// Whether `url` is `http(s)` to `localhost` or a loopback address.
fn is_loopback(url: &str) -> bool {
    let Ok(url) = url::Url::parse(url) else {
        return false;
    };
    if !matches!(url.scheme(), "http" | "https") {
        return false;
    }
    match url.host() {
        Some(url::Host::Domain(domain)) => domain.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::is_loopback;

    #[test]
    fn callbacks_go_only_to_loopback_http() {
        for url in [
            "http://127.0.0.1:9/hook",
            "http://localhost/x",
            "https://[::1]:8443/",
        ] {
            assert!(is_loopback(url), "{url}");
        }
        for url in [
            "http://example.com/hook",
            "http://10.0.0.1/",
            "ftp://127.0.0.1/",
            "not a url",
            "http://127.0.0.1.example.com/",
        ] {
            assert!(!is_loopback(url), "{url}");
        }
    }
}
