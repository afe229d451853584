//! A fleet of replica processes against one sandbox that revokes earlier tokens, with and
//! without the Redis token store (cargo feature `redis`; needs `redis-server`). With the
//! feature `redis-cluster`, `cluster/fleet.rs` runs fleets on a Redis Cluster too.

#![cfg(feature = "redis")]

#[cfg(feature = "redis-cluster")]
#[path = "cluster/fleet.rs"]
mod cluster;
mod common;
#[path = "../examples/fleet/replica.rs"]
mod replica;

use std::process::Stdio;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use common::redis_server::RedisServer;
use enkash_sandbox::{Sandbox, TokenFault};
use replica::{Replica, Report};
use tokio::process::{Child, Command};

const REPLICAS: usize = 6;

/// The fleet tests measure timing with many processes each: one at a time, so that on a
/// 2-core machine they do not steal each other's CPU.
static ONE_FLEET_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// Not a test: the body of one replica process, which the tests below start as
/// `<this test binary> replica_process --exact --ignored`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a replica process; the fleet tests start it"]
async fn replica_process() {
    let replica = Replica::from_env().expect("run by a fleet test, which sets ENKASH_FLEET_*");
    let report = replica.run().await.expect("the replica ran");
    println!("{}", report.line());
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64
}

/// A replica of `sandbox`'s merchant, starting `delay` from now.
fn replica(sandbox: &Sandbox, redis: Option<&RedisServer>, delay: Duration) -> Replica {
    Replica {
        base_url: sandbox.base_url(),
        access_key: sandbox.access_key().to_string(),
        secret_key: sandbox.secret_key().to_string(),
        redis_url: redis.map(RedisServer::url),
        redis_cluster: false,
        callers: 16,
        start_at_ms: now_ms() + delay.as_millis() as u64,
        run_for: Duration::from_millis(1500),
        pause: Duration::from_millis(20),
        lease: Duration::from_secs(2),
        refresh_fraction: 0.5,
    }
}

fn spawn(replica: &Replica) -> Child {
    Command::new(std::env::current_exe().unwrap())
        .args(["replica_process", "--exact", "--ignored", "--nocapture"])
        .envs(replica.env())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("start a replica process")
}

async fn report(child: Child) -> Report {
    let output = child.wait_with_output().await.expect("replica output");
    let stdout = String::from_utf8_lossy(&output.stdout);
    Report::parse(&stdout).unwrap_or_else(|| {
        panic!(
            "a replica printed no result ({}):\n{stdout}\n{}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        )
    })
}

/// Runs `count` replicas made by `make` at once and returns their reports.
async fn run_fleet(count: usize, make: impl Fn() -> Replica) -> Vec<Report> {
    let children: Vec<Child> = (0..count).map(|_| spawn(&make())).collect();
    let mut reports = Vec::new();
    for child in children {
        reports.push(report(child).await);
    }
    reports
}

fn failed(reports: &[Report]) -> u64 {
    reports.iter().map(|r| r.failed).sum()
}

fn ok(reports: &[Report]) -> u64 {
    reports.iter().map(|r| r.ok).sum()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_cold_fleet_with_the_store_makes_one_token_request_and_no_401s() {
    let _one_at_a_time = ONE_FLEET_AT_A_TIME.lock().await;
    let redis = RedisServer::start();
    let shared = Sandbox::builder()
        .revoke_previous_tokens(true)
        .start()
        .await
        .unwrap();
    // Replicas start 1.5 s from now, together, so process start-up does not spread them.
    let start = Duration::from_millis(1500);
    let reports = run_fleet(REPLICAS, || replica(&shared, Some(&redis), start)).await;
    let (store_tokens, store_401s) = (shared.token_requests(), shared.unauthorized_responses());

    let alone = Sandbox::builder()
        .revoke_previous_tokens(true)
        .start()
        .await
        .unwrap();
    let storm = run_fleet(REPLICAS, || replica(&alone, None, start)).await;
    let (storm_tokens, storm_401s) = (alone.token_requests(), alone.unauthorized_responses());
    println!(
        "{REPLICAS} replicas x 16 callers, 1.5 s: with the store {store_tokens} token requests, \
         {store_401s} 401s, {} calls failed of {}; without it {storm_tokens} token requests, \
         {storm_401s} 401s, {} calls failed of {}",
        failed(&reports),
        ok(&reports) + failed(&reports),
        failed(&storm),
        ok(&storm) + failed(&storm),
    );

    assert_eq!(store_tokens, 1, "one token request for the whole fleet");
    assert_eq!(store_401s, 0);
    assert_eq!(failed(&reports), 0, "{reports:?}");
    assert!(reports.iter().all(|r| r.ok > 0), "{reports:?}");
    // The reason the store exists: without it the same fleet storms.
    assert!(
        storm_tokens >= REPLICAS as u64,
        "{storm_tokens} token requests without the store"
    );
    assert!(storm_401s > 0, "no 401s without the store");

    // What Redis holds after the run: no credential and no token in clear.
    let client = enkash::Client::builder()
        .base_url(shared.base_url())
        .credentials(shared.access_key(), shared.secret_key())
        .token_store(
            enkash::store::RedisTokenStore::connect(&redis.url())
                .await
                .unwrap(),
        )
        .build()
        .unwrap();
    let token = client.access_token().await.unwrap();
    assert_eq!(
        shared.token_requests(),
        1,
        "the client read the fleet's token"
    );
    let dump = redis.dump();
    assert!(!dump.is_empty());
    let secrets = [token.as_str(), shared.access_key(), shared.secret_key()];
    for (key, value) in &dump {
        for secret in secrets {
            assert!(!key.contains(secret), "{key}");
            let found = value.windows(secret.len()).any(|w| w == secret.as_bytes());
            assert!(!found, "the value of {key} holds a secret in clear");
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn three_token_lifetimes_take_three_token_requests() {
    let _one_at_a_time = ONE_FLEET_AT_A_TIME.lock().await;
    let redis = RedisServer::start();
    let sandbox = Sandbox::builder()
        .revoke_previous_tokens(true)
        .token_lifetime(Duration::from_secs(4))
        .start()
        .await
        .unwrap();
    // The sandbox's `Date` header has whole seconds, so the client believes 3 s of a 4 s
    // token; refreshed 10% before expiry, the three tokens come at about 0, 2.7 and 5.4 s,
    // and the run ends at 7 s, before a fourth would.
    let reports = run_fleet(REPLICAS, || Replica {
        callers: 4,
        run_for: Duration::from_secs(7),
        pause: Duration::from_millis(25),
        refresh_fraction: 0.1,
        ..replica(&sandbox, Some(&redis), Duration::from_millis(1500))
    })
    .await;
    println!(
        "3 s tokens, 7 s, {REPLICAS} replicas: {} token requests, {} 401s (each replayed), {} of {} calls failed",
        sandbox.token_requests(),
        sandbox.unauthorized_responses(),
        failed(&reports),
        ok(&reports) + failed(&reports)
    );
    assert_eq!(sandbox.token_requests(), 3);
    assert_eq!(failed(&reports), 0, "{reports:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn killing_the_lease_owner_mid_request_costs_one_lease() {
    let _one_at_a_time = ONE_FLEET_AT_A_TIME.lock().await;
    let redis = RedisServer::start();
    let sandbox = Sandbox::builder()
        .revoke_previous_tokens(true)
        .start()
        .await
        .unwrap();
    // The first token request hangs: its replica holds the lease, then dies.
    sandbox.fail_next_token_requests([TokenFault::Delay(Duration::from_secs(60))]);
    let lease = Duration::from_secs(2);
    let owner = spawn(&Replica {
        callers: 2,
        run_for: Duration::from_secs(30),
        ..replica(&sandbox, Some(&redis), Duration::ZERO)
    });
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while sandbox.token_requests() == 0 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the owner never asked for a token"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    // The lease was claimed just before the request went out.
    let lease_claimed_by = now_ms();
    let others: Vec<Child> = (1..REPLICAS)
        .map(|_| {
            spawn(&Replica {
                run_for: Duration::from_secs(3),
                ..replica(&sandbox, Some(&redis), Duration::ZERO)
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(300)).await;
    // The owner renews its lease every third of it while its request is in flight: the lease
    // runs out within one lease of its death, not of the claim.
    let killed_at = now_ms();
    drop(owner); // kill_on_drop: SIGKILL
    let mut reports = Vec::new();
    for child in others {
        reports.push(report(child).await);
    }
    let latest = reports.iter().map(|r| r.first_ok_at_ms).max().unwrap();
    println!(
        "owner killed: {} token requests; the last replica's first call succeeded {} ms after the lease was claimed (lease {} ms)",
        sandbox.token_requests(),
        latest.saturating_sub(lease_claimed_by),
        lease.as_millis()
    );
    assert!(
        sandbox.token_requests() <= 2,
        "{}",
        sandbox.token_requests()
    );
    assert!(reports.iter().all(|r| r.first_ok_at_ms > 0), "{reports:?}");
    assert_eq!(failed(&reports), 0, "{reports:?}");
    // Within a lease of the owner's death plus one round trip (and a scheduling allowance for a
    // loaded machine).
    let bound = killed_at + lease.as_millis() as u64 + 1000;
    assert!(latest <= bound, "{} ms past the bound", latest - bound);
}

#[tokio::test(flavor = "multi_thread")]
async fn redis_stopped_and_restarted_mid_run_fails_no_call_and_sharing_resumes() {
    let _one_at_a_time = ONE_FLEET_AT_A_TIME.lock().await;
    let mut redis = RedisServer::start();
    // Without revocation: with it, a fleet that cannot share revokes itself (the storm above).
    let sandbox = Sandbox::builder()
        .token_lifetime(Duration::from_secs(2))
        .start()
        .await
        .unwrap();
    let start = Duration::from_millis(1500);
    let children: Vec<Child> = (0..REPLICAS)
        .map(|_| {
            spawn(&Replica {
                callers: 4,
                run_for: Duration::from_secs(10),
                pause: Duration::from_millis(25),
                refresh_fraction: 0.2,
                ..replica(&sandbox, Some(&redis), start)
            })
        })
        .collect();
    tokio::time::sleep(start + Duration::from_secs(2)).await;
    redis.stop();
    tokio::time::sleep(Duration::from_millis(2500)).await;
    redis.restart();
    // Replicas converge on the shared token within a token lifetime of the restart.
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let before_window = sandbox.token_requests();
    tokio::time::sleep(Duration::from_secs(3)).await;
    let in_window = sandbox.token_requests() - before_window;
    let mut reports = Vec::new();
    for child in children {
        reports.push(report(child).await);
    }
    let warnings: u64 = reports.iter().map(|r| r.token_warnings).sum();
    println!(
        "Redis down for 2.5 s: {} token requests in all, {in_window} in the last 3 s \
         (2 s tokens refreshed at 1.6 s), {warnings} warnings, {} of {} calls failed",
        sandbox.token_requests(),
        failed(&reports),
        ok(&reports) + failed(&reports)
    );
    assert_eq!(failed(&reports), 0, "{reports:?}");
    assert!(warnings > 0, "the outage was not logged");
    // Shared: about 2 refreshes in 3 s; unshared it would be 2 per replica.
    assert!(in_window <= 4, "{in_window} token requests in the last 3 s");
    assert!(redis
        .dump()
        .iter()
        .any(|(key, _)| key.starts_with("enkash:token:")));
}
