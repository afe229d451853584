//! One replica of a fleet: a process with its own `Client` (and, if asked, the Redis token
//! store) and a herd of concurrent callers. It is configured through the environment, so the
//! fleet example and the fleet tests can start many of it as child processes, and it prints
//! one result line on stdout.

#![allow(dead_code)]

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use enkash::store::RedisTokenStore;
use enkash::{Client, Payload, TokenPolicy};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};

/// The line a replica prints its result on.
pub const RESULT_PREFIX: &str = "FLEET-REPLICA ";
/// An order the sandbox seeds.
const PAID_ORDER_ID: &str = "ORD_SANDBOX_PAID";

/// What one replica does; every field travels as an `ENKASH_FLEET_*` variable.
#[derive(Debug, Clone)]
pub struct Replica {
    pub base_url: String,
    pub access_key: String,
    pub secret_key: String,
    /// `None`: no shared store, each process for itself.
    pub redis_url: Option<String>,
    /// `redis_url` is a comma-separated list of Redis Cluster nodes, for
    /// `RedisTokenStore::connect_cluster` (cargo feature `redis-cluster`).
    pub redis_cluster: bool,
    pub callers: usize,
    /// The callers start at this wall-clock time (ms since the epoch), together.
    pub start_at_ms: u64,
    /// And stop calling after this long.
    pub run_for: Duration,
    /// Pause between one caller's calls.
    pub pause: Duration,
    /// The store's refresh lease.
    pub lease: Duration,
    /// `TokenPolicy::refresh_ahead_fraction` (the expiry margin is half of it).
    pub refresh_fraction: f64,
}

/// What a replica reports.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Report {
    pub ok: u64,
    pub failed: u64,
    /// When the first call succeeded (ms since the epoch; 0: none did).
    pub first_ok_at_ms: u64,
    /// Warnings on the `enkash::token` target (the store failing, for one).
    pub token_warnings: u64,
}

impl Replica {
    /// The environment a child process needs to run this replica.
    pub fn env(&self) -> Vec<(String, String)> {
        let mut env = vec![
            ("BASE_URL", self.base_url.clone()),
            ("ACCESS_KEY", self.access_key.clone()),
            ("SECRET_KEY", self.secret_key.clone()),
            ("CALLERS", self.callers.to_string()),
            ("START_AT_MS", self.start_at_ms.to_string()),
            ("RUN_FOR_MS", self.run_for.as_millis().to_string()),
            ("PAUSE_MS", self.pause.as_millis().to_string()),
            ("LEASE_MS", self.lease.as_millis().to_string()),
            ("REFRESH_FRACTION", self.refresh_fraction.to_string()),
        ];
        if let Some(url) = &self.redis_url {
            env.push(("REDIS_URL", url.clone()));
        }
        if self.redis_cluster {
            env.push(("REDIS_CLUSTER", "1".to_string()));
        }
        env.into_iter()
            .map(|(name, value)| (format!("ENKASH_FLEET_{name}"), value))
            .collect()
    }

    /// The replica the `ENKASH_FLEET_*` variables describe.
    pub fn from_env() -> Result<Self, String> {
        let var = |name: &str| {
            std::env::var(format!("ENKASH_FLEET_{name}"))
                .map_err(|_| format!("ENKASH_FLEET_{name} is not set"))
        };
        let number = |name: &str| -> Result<u64, String> {
            var(name)?
                .parse()
                .map_err(|_| format!("ENKASH_FLEET_{name} is not a number"))
        };
        Ok(Self {
            base_url: var("BASE_URL")?,
            access_key: var("ACCESS_KEY")?,
            secret_key: var("SECRET_KEY")?,
            redis_url: var("REDIS_URL").ok(),
            redis_cluster: var("REDIS_CLUSTER").is_ok(),
            callers: number("CALLERS")? as usize,
            start_at_ms: number("START_AT_MS")?,
            run_for: Duration::from_millis(number("RUN_FOR_MS")?),
            pause: Duration::from_millis(number("PAUSE_MS")?),
            lease: Duration::from_millis(number("LEASE_MS")?),
            refresh_fraction: var("REFRESH_FRACTION")?
                .parse()
                .map_err(|_| "ENKASH_FLEET_REFRESH_FRACTION is not a number".to_string())?,
        })
    }

    /// Runs the herd and returns what happened.
    pub async fn run(&self) -> Result<Report, String> {
        // A replica is a process of its own: the global subscriber is its alone.
        let warnings = Arc::new(AtomicU64::new(0));
        let subscriber =
            tracing_subscriber::registry().with(CountTokenWarnings(Arc::clone(&warnings)));
        let _ = tracing::subscriber::set_global_default(subscriber);

        let mut builder = Client::builder()
            .base_url(&self.base_url)
            .credentials(self.access_key.as_str(), self.secret_key.as_str())
            .token_policy(
                TokenPolicy::default()
                    .refresh_ahead_fraction(self.refresh_fraction)
                    .expiry_margin_fraction(self.refresh_fraction / 2.0),
            );
        if let Some(url) = &self.redis_url {
            let store = self
                .connect(url)
                .await
                .map_err(|e| e.to_string())?
                .lease(self.lease)
                // Generous for a loaded 2-core CI machine; production keeps the 50 ms default.
                .operation_timeout(Duration::from_millis(500))
                .pause_after_failure(Duration::from_millis(500));
            builder = builder.token_store(store);
        }
        let client = builder.build().map_err(|e| e.to_string())?;

        let start_at = UNIX_EPOCH + Duration::from_millis(self.start_at_ms);
        if let Ok(wait) = start_at.duration_since(SystemTime::now()) {
            tokio::time::sleep(wait).await;
        }
        let stop_at = tokio::time::Instant::now() + self.run_for;
        let tally = Arc::new(Tally::default());
        let herd: Vec<_> = (0..self.callers)
            .map(|_| {
                let (client, tally, pause) = (client.clone(), Arc::clone(&tally), self.pause);
                tokio::spawn(async move {
                    loop {
                        let answer = client
                            .get_order_status()
                            .order_id(PAID_ORDER_ID)
                            .send()
                            .await
                            .payload();
                        tally.record(answer.is_ok());
                        if tokio::time::Instant::now() + pause >= stop_at {
                            break;
                        }
                        tokio::time::sleep(pause).await;
                    }
                })
            })
            .collect();
        for caller in herd {
            caller.await.map_err(|e| e.to_string())?;
        }
        Ok(Report {
            ok: tally.ok.load(Ordering::SeqCst),
            failed: tally.failed.load(Ordering::SeqCst),
            first_ok_at_ms: tally.first_ok_at_ms.load(Ordering::SeqCst),
            token_warnings: warnings.load(Ordering::SeqCst),
        })
    }
}

impl Replica {
    async fn connect(&self, url: &str) -> Result<RedisTokenStore, enkash::store::TokenStoreError> {
        if !self.redis_cluster {
            return RedisTokenStore::connect(url).await;
        }
        #[cfg(feature = "redis-cluster")]
        {
            let nodes: Vec<&str> = url.split(',').collect();
            RedisTokenStore::connect_cluster(&nodes).await
        }
        #[cfg(not(feature = "redis-cluster"))]
        Err(enkash::store::TokenStoreError::new(
            "a cluster replica needs the cargo feature redis-cluster",
        ))
    }
}

impl Report {
    /// `FLEET-REPLICA ok=… failed=… first_ok_at_ms=… token_warnings=…`
    pub fn line(&self) -> String {
        format!(
            "{RESULT_PREFIX}ok={} failed={} first_ok_at_ms={} token_warnings={}",
            self.ok, self.failed, self.first_ok_at_ms, self.token_warnings
        )
    }

    /// Reads the result line out of a child's whole stdout.
    pub fn parse(stdout: &str) -> Option<Self> {
        let line = stdout.lines().find_map(|l| l.strip_prefix(RESULT_PREFIX))?;
        let mut report = Self::default();
        for pair in line.split_whitespace() {
            let (name, value) = pair.split_once('=')?;
            let value: u64 = value.parse().ok()?;
            match name {
                "ok" => report.ok = value,
                "failed" => report.failed = value,
                "first_ok_at_ms" => report.first_ok_at_ms = value,
                "token_warnings" => report.token_warnings = value,
                _ => return None,
            }
        }
        Some(report)
    }
}

#[derive(Default)]
struct Tally {
    ok: AtomicU64,
    failed: AtomicU64,
    first_ok_at_ms: AtomicU64,
}

impl Tally {
    fn record(&self, ok: bool) {
        if ok {
            self.ok.fetch_add(1, Ordering::SeqCst);
            let now_ms = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| d.as_millis() as u64);
            let _ =
                self.first_ok_at_ms
                    .compare_exchange(0, now_ms, Ordering::SeqCst, Ordering::SeqCst);
        } else {
            self.failed.fetch_add(1, Ordering::SeqCst);
        }
    }
}

/// Counts warnings on the `enkash::token` target.
struct CountTokenWarnings(Arc<AtomicU64>);

impl<S: Subscriber> Layer<S> for CountTokenWarnings {
    fn on_event(&self, event: &Event<'_>, _: Context<'_, S>) {
        let meta = event.metadata();
        if *meta.level() == Level::WARN && meta.target() == "enkash::token" {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }
}
