//! Starting the server: the shared state, the router made from the spec, and the task that
//! serves until the [`Sandbox`] handle is dropped.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::ledger::Ledger;
use crate::outbox::Outbox;
use crate::sandbox::{Sandbox, SandboxBuilder};
use crate::state::{Inner, Landings, SandboxState};

/// Numbers each sandbox's credentials.
static NEXT_ID: AtomicU64 = AtomicU64::new(1);

impl SandboxBuilder {
    /// Binds and starts serving.
    pub async fn start(self) -> std::io::Result<Sandbox> {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", self.port)).await?;
        let addr = listener.local_addr()?;
        let id = NEXT_ID.fetch_add(1, Ordering::Relaxed);
        let access_key = format!("AK_SANDBOX_{id:04}");
        let base_url = format!("http://{addr}");
        let mut ledger = Ledger::seeded();
        ledger.seed_orders(&access_key, &base_url);
        ledger.seed_mandate(chrono::Utc::now());
        let state = Arc::new(SandboxState {
            secret_key: format!("SK_SANDBOX_{id:04}_{:08x}", fastrand::u32(..)),
            access_key,
            base_url,
            addr,
            inner: Mutex::new(Inner {
                token_lifetime: self.token_lifetime,
                revoke_previous_tokens: self.revoke_previous_tokens,
                skew_secs: 0,
                faults: VecDeque::new(),
                tokens: HashMap::new(),
                ledger,
                authenticated: HashMap::new(),
                attempts: HashMap::new(),
                call_faults: HashMap::new(),
                business_ahead: Duration::ZERO,
            }),
            unauthorized: AtomicU64::new(0),
            outbox: Outbox::new(tokio::runtime::Handle::current()),
            landings: Landings::default(),
        });
        let app = crate::router::router(Arc::clone(&state));
        let (shutdown, stopped) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = stopped.await;
                })
                .await;
        });
        Ok(Sandbox {
            state,
            addr,
            shutdown: Some(shutdown),
        })
    }
}
