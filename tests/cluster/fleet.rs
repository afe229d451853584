//! A fleet of replica processes sharing one token through a real Redis Cluster of three masters
//! with a replica each (cargo feature `redis-cluster`; part of `tests/fleet.rs`), before and
//! through a master failover.

use std::time::{Duration, Instant};

use enkash_sandbox::Sandbox;
use tokio::task::block_in_place;

use super::common::redis_cluster::RedisCluster;
use super::replica::Replica;
use super::{failed, ok, replica, report, run_fleet, spawn, ONE_FLEET_AT_A_TIME, REPLICAS};

/// A replica of `sandbox`'s merchant sharing its token through `cluster`, starting `delay`
/// from now. It is given every node as a seed.
fn on_cluster(sandbox: &Sandbox, cluster: &RedisCluster, delay: Duration) -> Replica {
    Replica {
        redis_url: Some(cluster.urls().join(",")),
        redis_cluster: true,
        ..replica(sandbox, None, delay)
    }
}

/// The token entry's key (not its lease), from the cluster's masters.
fn token_key(cluster: &mut RedisCluster) -> String {
    let keys: Vec<String> = cluster
        .keys()
        .into_iter()
        .map(|(key, _)| key)
        .filter(|key| key.starts_with("enkash:token:{") && key.ends_with('}'))
        .collect();
    assert_eq!(keys.len(), 1, "{keys:?}");
    keys.into_iter().next().unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_cold_fleet_on_a_cluster_makes_one_token_request_and_no_401s() {
    let _one_at_a_time = ONE_FLEET_AT_A_TIME.lock().await;
    let cluster = block_in_place(RedisCluster::start);
    let sandbox = Sandbox::builder()
        .revoke_previous_tokens(true)
        .start()
        .await
        .unwrap();
    let started = Instant::now();
    let reports = run_fleet(REPLICAS, || {
        on_cluster(&sandbox, &cluster, Duration::from_millis(1500))
    })
    .await;
    println!(
        "{REPLICAS} replicas x 16 callers on a 3-master cluster, 1.5 s: {} token requests, \
         {} 401s, {} of {} calls failed ({:?})",
        sandbox.token_requests(),
        sandbox.unauthorized_responses(),
        failed(&reports),
        ok(&reports) + failed(&reports),
        started.elapsed()
    );
    assert_eq!(
        sandbox.token_requests(),
        1,
        "one token request for the fleet"
    );
    assert_eq!(sandbox.unauthorized_responses(), 0);
    assert_eq!(failed(&reports), 0, "{reports:?}");
    assert!(reports.iter().all(|r| r.ok > 0), "{reports:?}");
}

/// The master that holds the token is SIGKILLed between two refreshes; its replica takes over.
///
/// What is asserted, and why it is exact: replicas read the store only when their in-process
/// token needs refreshing, so a failover that completes between two refreshes costs nothing if
/// the entry survived it. It does: it was written seconds before the kill, and the replica was
/// in sync (the harness waits for its link). So the whole run, one lifetime before the kill and
/// two after, must take exactly three token requests (a replica fetching a token of its own
/// would be one more) with no failed call; and the third token must be on the promoted master.
/// 401s are not counted against it: the sandbox revokes a token when it issues the next, so at
/// each refresh the callers still holding the old one get a 401 and replay, as on one server. A failover still running when the next refresh is due would cost
/// up to one request per replica (each fetches its own while its store fails): the test checks
/// that the failover ended first, and fails saying so if not, rather than loosen the count.
#[tokio::test(flavor = "multi_thread")]
async fn through_a_master_failover_the_fleet_makes_one_token_request_per_lifetime() {
    let _one_at_a_time = ONE_FLEET_AT_A_TIME.lock().await;
    let test_started = Instant::now();
    let mut cluster = block_in_place(RedisCluster::start);
    // The `Date` header has whole seconds, so the client believes 7 to 8 s of an 8 s token;
    // refreshed 10% before expiry, tokens come at 0, 6.3 to 7.2 and 12.6 to 14.4 s, and the
    // run ends at 16 s, before a fourth (18.9 s at the earliest).
    let lifetime = Duration::from_secs(8);
    let earliest_refresh = Duration::from_millis(6300);
    let sandbox = Sandbox::builder()
        .revoke_previous_tokens(true)
        .token_lifetime(lifetime)
        .start()
        .await
        .unwrap();
    let children: Vec<_> = (0..REPLICAS)
        .map(|_| {
            spawn(&Replica {
                callers: 4,
                run_for: Duration::from_secs(16),
                pause: Duration::from_millis(25),
                refresh_fraction: 0.1,
                ..on_cluster(&sandbox, &cluster, Duration::from_millis(1500))
            })
        })
        .collect();

    let deadline = Instant::now() + Duration::from_secs(20);
    while sandbox.token_requests() == 0 {
        assert!(
            Instant::now() < deadline,
            "the fleet never asked for a token"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let first_token = Instant::now();
    // Let the token be published and replicated.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let (key, slot, old_master, new_master, failover) = block_in_place(|| {
        let key = token_key(&mut cluster);
        let slot = cluster.slot(&key);
        let asked = *cluster.masters().iter().max().unwrap();
        let old_master = cluster.master_of_slot(slot, asked).expect("a master");
        let killed = Instant::now();
        cluster.kill(old_master);
        let new_master = cluster.wait_for_new_master(slot, old_master, Duration::from_secs(20));
        (key, slot, old_master, new_master, killed.elapsed())
    });
    let requests_at_failover = sandbox.token_requests();
    let failover_done = first_token.elapsed();
    assert!(
        failover_done < earliest_refresh && requests_at_failover == 1,
        "the failover ended {failover_done:?} after the first token ({requests_at_failover} \
         token requests by then), not before the first refresh could be due \
         ({earliest_refresh:?}): this test cannot tell a failover's cost from a refresh's"
    );

    let mut reports = Vec::new();
    for child in children {
        reports.push(report(child).await);
    }
    let total = sandbox.token_requests();
    println!(
        "failover of master {old_master} (slot {slot}) to {new_master}: {failover:?} from SIGKILL \
         to every node agreeing; token requests: 1 in the lifetime before it, {} in the two \
         lifetimes after; {} 401s (replayed: each refresh revokes the token before); {} of {} calls failed; test took {:?}",
        total - requests_at_failover,
        sandbox.unauthorized_responses(),
        failed(&reports),
        ok(&reports) + failed(&reports),
        test_started.elapsed()
    );
    assert_eq!(failed(&reports), 0, "{reports:?}");
    assert_eq!(
        total, 3,
        "one token request per lifetime, the failover costing none"
    );
    let after: Vec<(String, u16)> = block_in_place(|| cluster.keys());
    assert!(
        after.contains(&(key.clone(), new_master)),
        "the token is not on the promoted master {new_master}: {after:?}"
    );
}
