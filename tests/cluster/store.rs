//! The Redis token store on a real Redis Cluster of three masters with a replica each (cargo
//! feature `redis-cluster`; part of `tests/token_store.rs`). The fleet and the failover are in
//! `cluster/fleet.rs`.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use enkash::store::RedisTokenStore;
use enkash::store::{Lease, TokenStore};
use enkash_sandbox::Sandbox;

use super::common::redis_cluster::RedisCluster;
use super::{assert_names_the_cluster_constructor, call, client};

/// Entry names whose keys lie on each of the cluster's masters: master port -> name.
fn a_name_on_each_master(cluster: &mut RedisCluster) -> BTreeMap<u16, String> {
    let masters = cluster.masters();
    let asked = masters[0];
    let mut names = BTreeMap::new();
    for i in 0..200 {
        let name = format!("entry-{i}");
        // The key's hash tag is the name: its slot is the name's.
        let slot = cluster.slot(&name);
        let master = cluster.master_of_slot(slot, asked).expect("a master");
        names.entry(master).or_insert(name);
        if names.len() == masters.len() {
            return names;
        }
    }
    panic!("no names on every master: {names:?}");
}

#[tokio::test]
async fn on_three_masters_every_key_goes_to_its_slot_and_publications_reach_every_node() {
    let started = Instant::now();
    let mut cluster = RedisCluster::start();
    println!("cluster of 6 nodes up in {:?}", started.elapsed());
    let urls = cluster.urls();
    // One seed is enough: the others are discovered.
    let store = RedisTokenStore::connect_cluster(&[urls[0].as_str()])
        .await
        .unwrap()
        .operation_timeout(Duration::from_millis(500));
    let waiter = RedisTokenStore::connect_cluster(&[urls[3].as_str()])
        .await
        .unwrap();

    let names = a_name_on_each_master(&mut cluster);
    assert_eq!(names.len(), 3, "{names:?}");
    for (master, name) in &names {
        // Every script runs on the master of the name's slot, value and lease together.
        assert_eq!(store.claim_lease(name, "a").await.unwrap(), Lease::Claimed);
        assert!(matches!(
            store.claim_lease(name, "b").await.unwrap(),
            Lease::HeldFor(_)
        ));
        assert!(store.renew_lease(name, "a").await.unwrap());
        let woken = waiter.next_publication(name);
        store
            .publish(name, "a", b"v1", Duration::from_secs(30))
            .await
            .unwrap();
        // PUBLISH reaches every node: the waiter's subscription is on whichever node the
        // channel's slot chose, not necessarily this master.
        tokio::time::timeout(Duration::from_secs(2), woken)
            .await
            .unwrap_or_else(|_| panic!("the waiter on {name} (master {master}) was not woken"));
        let read = store.read(name).await.unwrap().expect("published");
        assert_eq!(read.value, b"v1");
        assert!(read.ttl > Duration::from_secs(25), "{:?}", read.ttl);
        let on_master: Vec<String> = cluster
            .keys()
            .into_iter()
            .filter(|(_, port)| port == master)
            .map(|(key, _)| key)
            .collect();
        assert_eq!(
            on_master,
            [format!("enkash:token:{{{name}}}")],
            "master {master}"
        );
        assert_eq!(store.claim_lease(name, "a").await.unwrap(), Lease::Claimed);
        store.release_lease(name, "a").await.unwrap();
        assert!(!store.delete_if(name, b"v0").await.unwrap());
        assert!(store.delete_if(name, b"v1").await.unwrap());
        assert_eq!(store.read(name).await.unwrap(), None);
    }
    assert!(cluster.keys().is_empty(), "{:?}", cluster.keys());

    // Two clients with stores of their own share one token through the cluster.
    let sandbox = Sandbox::start().await.unwrap();
    call(&client(&sandbox, store)).await;
    call(&client(&sandbox, waiter)).await;
    assert_eq!(sandbox.token_requests(), 1);
    let keys = cluster.keys();
    assert_eq!(keys.len(), 1, "{keys:?}");
    assert!(keys[0].0.starts_with("enkash:token:{"), "{keys:?}");
}

#[tokio::test]
async fn connect_refuses_every_node_of_the_cluster_and_connect_cluster_a_plain_server() {
    let cluster = RedisCluster::start();
    for url in cluster.urls() {
        let error = RedisTokenStore::connect(&url)
            .await
            .unwrap_err()
            .to_string();
        assert_names_the_cluster_constructor(&error);
    }
    let plain = super::common::redis_server::RedisServer::start();
    let error = RedisTokenStore::connect_cluster(&[plain.url().as_str()])
        .await
        .unwrap_err()
        .to_string();
    println!("connect_cluster to a plain server: {error}");
    assert!(
        error.contains("cannot connect to the Redis Cluster"),
        "{error}"
    );
    let error = RedisTokenStore::connect_cluster(&[]).await.unwrap_err();
    assert!(error.to_string().contains("at least one node"), "{error}");
}
