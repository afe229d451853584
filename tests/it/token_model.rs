//! The token cache against a model: random step sequences run the real cache over loopback HTTP
//! under Tokio's paused clock, and invariants are checked after every step.
//!
//! On failure proptest prints the shrunk step sequence (readable: `Vec<Step>`) and records the
//! seed in `tests/token_model.proptest-regressions`, which replays it first next time. Cases:
//! `PROPTEST_CASES` (default 256; CI runs thousands).

use crate::common;

use std::collections::HashSet;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use common::clock::TestClock;
use common::server::{TestServer, TokenReply};
use enkash::{AccessToken, Clock, TokenError, TokenPolicy};
use proptest::prelude::*;
use tokio::time::Instant;

/// One thing that happens to the client, its clocks or its gateway.
#[derive(Debug, Clone)]
enum Step {
    /// Both clocks move on by this many milliseconds.
    Advance(u32),
    /// The wall clock alone jumps by this many seconds (a suspend, an NTP correction).
    WallJump(i32),
    /// The next token request gets this answer.
    Reply(Reply),
    /// The gateway's clock is off by this many seconds (its `Date` and `expiry` move together).
    Skew(i16),
    /// This many callers ask for a token at once.
    Callers(u8),
    /// An API call whose token the gateway rejects with 401 (then the single replay).
    Rejected401,
}

#[derive(Debug, Clone)]
enum Reply {
    /// A token living this many seconds.
    Token(u16),
    Status503,
    Rejection,
    Malformed,
    /// A token, after this many milliseconds.
    Slow(u16),
}

fn step() -> impl Strategy<Value = Step> {
    let reply = prop_oneof![
        4 => (1..7200u16).prop_map(Reply::Token),
        2 => Just(Reply::Status503),
        1 => Just(Reply::Rejection),
        1 => Just(Reply::Malformed),
        1 => (1..5000u16).prop_map(Reply::Slow),
    ];
    prop_oneof![
        4 => (1..600_000u32).prop_map(Step::Advance),
        1 => (-3600..3600i32).prop_map(Step::WallJump),
        3 => reply.prop_map(Step::Reply),
        1 => (-600..600i16).prop_map(Step::Skew),
        4 => (1..24u8).prop_map(Step::Callers),
        1 => Just(Step::Rejected401),
    ]
}

/// The storm guard and the backoff the model checks, given to the client (the defaults).
const MIN_REQUEST_INTERVAL: Duration = Duration::from_secs(1);
const BACKOFF_INITIAL: Duration = Duration::from_secs(1);
const BACKOFF_MAX: Duration = Duration::from_secs(30);

/// What the model knows, and the checks it makes.
struct Model {
    server: Arc<TestServer>,
    clock: Arc<TestClock>,
    client: enkash::Client,
    /// The last token handed to a caller, unless the gateway has rejected it since.
    last_handed_out: Option<AccessToken>,
    rejected: HashSet<String>,
}

impl Model {
    /// A token handed out must be before its hard point on both clocks.
    fn check_handed_out(
        &mut self,
        token: &AccessToken,
        at: (Instant, SystemTime),
    ) -> Result<(), String> {
        let (_, unusable_at, _, unusable_at_wall) = token.deadlines();
        if at.0 >= unusable_at || at.1 >= unusable_at_wall {
            return Err(format!(
                "a token past its hard point was handed out: now {:?} / {:?}, hard point {:?} / {:?}",
                at.0, at.1, unusable_at, unusable_at_wall
            ));
        }
        let margin = Duration::from_secs(60).min(token.lifetime().mul_f64(0.1));
        if token.expires_at().checked_sub(margin) != Some(unusable_at_wall) {
            return Err("the wall-clock hard point is not expiry minus the margin".into());
        }
        if !self.rejected.contains(token.as_str()) {
            self.last_handed_out = Some(token.clone());
        }
        Ok(())
    }

    /// An error is only allowed once the last good token is unusable (or was rejected).
    /// Judged only while that token is the newest one issued: a background refresh may have
    /// replaced it with a newer token no caller has seen, and the cache holds that one.
    fn check_error(&self, error: &TokenError, at: (Instant, SystemTime)) -> Result<(), String> {
        let Some(token) = &self.last_handed_out else {
            return Ok(());
        };
        if self.server.last_issued().as_deref() != Some(token.as_str()) {
            return Ok(());
        }
        let (_, unusable_at, _, unusable_at_wall) = token.deadlines();
        let still_usable = at.0 < unusable_at && at.1 < unusable_at_wall;
        if still_usable && !self.rejected.contains(token.as_str()) {
            return Err(format!("a failure replaced a usable token: {error}"));
        }
        Ok(())
    }

    /// Calls `count` callers at once and checks what each gets; every one must get an answer.
    async fn callers(&mut self, count: u8) -> Result<(), String> {
        let handles: Vec<_> = (0..count)
            .map(|_| {
                let client = self.client.clone();
                let clock = self.clock.clone();
                tokio::spawn(async move {
                    let outcome = client.access_token().await;
                    (outcome, (Instant::now(), clock.now()))
                })
            })
            .collect();
        let answers = tokio::time::timeout(
            Duration::from_secs(3600),
            futures_util::future::join_all(handles),
        )
        .await
        .map_err(|_| "a waiting caller never got an answer".to_string())?;
        for answer in answers {
            let (outcome, at) = answer.map_err(|e| format!("a caller panicked: {e}"))?;
            match outcome {
                Ok(token) => self.check_handed_out(&token, at)?,
                Err(error) => self.check_error(&error, at)?,
            }
        }
        Ok(())
    }

    async fn rejected_call(&mut self) -> Result<(), String> {
        let Some(token) = self.last_handed_out.clone() else {
            return Ok(());
        };
        self.server.reject_next_orders(1);
        let _ = self
            .client
            .get_order_status()
            .order_id("ORD_1")
            .send()
            .await;
        // The gateway refused the token the call carried: the cached one at the time.
        self.rejected.insert(token.as_str().to_string());
        self.last_handed_out = None;
        Ok(())
    }

    /// After every step: one token request at a time, the storm guard and the backoff held.
    fn check_server(&self) -> Result<(), String> {
        let max = self
            .server
            .max_in_flight
            .load(std::sync::atomic::Ordering::SeqCst);
        if max > 1 {
            return Err(format!("{max} token requests were in flight at once"));
        }
        let log = self.server.token_log();
        let mut failures = 0u32;
        for pair in log.windows(2) {
            let (earlier, later) = (pair[0], pair[1]);
            let gap = later.arrived.duration_since(earlier.arrived);
            if gap < MIN_REQUEST_INTERVAL {
                return Err(format!(
                    "token requests {gap:?} apart, under the storm guard"
                ));
            }
            failures = if earlier.issued { 0 } else { failures + 1 };
            if failures > 0 {
                // The backoff is full * [0.5, 1): at least half of it.
                let doublings = (failures - 1).min(16);
                let full = (BACKOFF_INITIAL * (1 << doublings)).min(BACKOFF_MAX);
                let waited = later.arrived.duration_since(earlier.answered);
                if waited < full / 2 {
                    return Err(format!(
                        "retried {waited:?} after failure {failures}, backoff {full:?}"
                    ));
                }
            }
        }
        Ok(())
    }
}

async fn run(steps: Vec<Step>) -> Result<(), String> {
    let server = TestServer::start().await;
    let alive = || {
        tokio::runtime::Handle::current()
            .metrics()
            .num_alive_tasks()
    };
    let before = alive();
    let clock = TestClock::new();
    let policy = TokenPolicy::default()
        .min_request_interval(MIN_REQUEST_INTERVAL)
        .backoff_initial(BACKOFF_INITIAL)
        .backoff_max(BACKOFF_MAX);
    let client = server
        .client()
        .clock(clock.clone())
        .token_policy(policy)
        .build()
        .unwrap();
    let mut model = Model {
        server: Arc::clone(&server),
        clock,
        client,
        last_handed_out: None,
        rejected: HashSet::new(),
    };
    for (index, step) in steps.iter().enumerate() {
        let outcome = match step {
            Step::Advance(ms) => {
                tokio::time::sleep(Duration::from_millis(u64::from(*ms))).await;
                Ok(())
            }
            Step::WallJump(secs) if *secs >= 0 => {
                model
                    .clock
                    .jump(Duration::from_secs(secs.unsigned_abs().into()));
                Ok(())
            }
            Step::WallJump(secs) => {
                model
                    .clock
                    .jump_back(Duration::from_secs(secs.unsigned_abs().into()));
                Ok(())
            }
            Step::Reply(reply) => {
                let scripted = match reply {
                    Reply::Token(secs) => TokenReply::Issue(Duration::from_secs((*secs).into())),
                    Reply::Status503 => TokenReply::Status(503),
                    Reply::Rejection => TokenReply::Reject(401, "Invalid credentials"),
                    Reply::Malformed => TokenReply::Malformed,
                    Reply::Slow(ms) => {
                        server.delay_tokens(Duration::from_millis((*ms).into()));
                        TokenReply::Issue(Duration::from_secs(3600))
                    }
                };
                server.then(scripted);
                Ok(())
            }
            Step::Skew(secs) => {
                server.skew((*secs).into());
                Ok(())
            }
            Step::Callers(count) => model.callers(*count).await,
            Step::Rejected401 => model.rejected_call().await,
        };
        outcome
            .and_then(|()| model.check_server())
            .map_err(|problem| format!("after step {index} ({step:?}): {problem}"))?;
    }
    // No task outlives the client: drop it, let slow handlers finish, count what is left.
    drop(model);
    tokio::time::sleep(Duration::from_secs(60)).await;
    for _ in 0..100 {
        tokio::task::yield_now().await;
    }
    let after = alive();
    if after > before {
        return Err(format!("tasks left behind: {before} before, {after} after"));
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(256),
        ..ProptestConfig::default()
    })]

    #[test]
    fn the_token_cache_keeps_its_invariants(steps in proptest::collection::vec(step(), 1..40)) {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .start_paused(true)
            .build()
            .unwrap();
        let outcome = runtime.block_on(run(steps));
        prop_assert!(outcome.is_ok(), "{}", outcome.unwrap_err());
    }
}
