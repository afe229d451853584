//! A throwaway Redis Cluster on 127.0.0.1: three masters with one replica each, six
//! `redis-server` nodes from `redis_server.rs` tied together by `redis-cli --cluster create`,
//! all stopped on drop. Failure detection takes a second (`cluster-node-timeout 1000`), so a
//! killed master's replica takes over within seconds.

#![allow(dead_code)]

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::redis_server::{RedisServer, INSTALL_HINT};

/// How to get `redis-cli` when it is missing.
pub const CLI_INSTALL_HINT: &str = "redis-cli is not installed: the Redis Cluster tests create \
     their cluster with it. Install it (Debian/Ubuntu: `sudo apt-get install -y redis-tools`, \
     which `redis-server` brings; macOS: `brew install redis`). `.ci/run` installs it itself.";

/// A running cluster.
pub struct RedisCluster {
    nodes: Vec<RedisServer>,
}

/// One line of `CLUSTER NODES`.
#[derive(Debug, Clone)]
pub struct Node {
    pub port: u16,
    pub master: bool,
    /// Flagged `fail` or `fail?` by the node asked.
    pub failing: bool,
    /// The slot ranges it serves (masters only), inclusive.
    pub slots: Vec<(u16, u16)>,
}

impl RedisCluster {
    /// Starts three masters with one replica each and waits until the cluster is healthy: every
    /// slot served, every replica in sync with its master. Panics with an install hint when
    /// `redis-server` or `redis-cli` is missing.
    pub fn start() -> Self {
        let nodes: Vec<RedisServer> = (0..6).map(|_| RedisServer::start_cluster_node()).collect();
        let addresses: Vec<String> = nodes
            .iter()
            .map(|node| format!("127.0.0.1:{}", node.port()))
            .collect();
        let created = Command::new("redis-cli")
            .args(["--cluster", "create"])
            .args(&addresses)
            .args(["--cluster-replicas", "1", "--cluster-yes"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .output();
        let created = match created {
            Ok(output) => output,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => panic!("{CLI_INSTALL_HINT}"),
            Err(e) => panic!("cannot run redis-cli: {e} ({INSTALL_HINT})"),
        };
        assert!(
            created.status.success(),
            "redis-cli --cluster create failed:\n{}{}",
            String::from_utf8_lossy(&created.stdout),
            String::from_utf8_lossy(&created.stderr)
        );
        let mut cluster = Self { nodes };
        cluster.wait_until_healthy(Duration::from_secs(30));
        cluster
    }

    /// Every node's URL, masters and replicas (the seed list a client is given).
    pub fn urls(&self) -> Vec<String> {
        self.nodes.iter().map(RedisServer::url).collect()
    }

    /// The node on `port`.
    pub fn node(&self, port: u16) -> &RedisServer {
        self.nodes
            .iter()
            .find(|node| node.port() == port)
            .expect("a node of this cluster")
    }

    /// Kills the node on `port` with SIGKILL: it answers nothing more and loses everything.
    pub fn kill(&mut self, port: u16) {
        let node = self
            .nodes
            .iter_mut()
            .find(|node| node.port() == port)
            .expect("a node of this cluster");
        node.stop();
    }

    /// The slot `key` hashes to.
    pub fn slot(&mut self, key: &str) -> u16 {
        redis::cmd("CLUSTER")
            .arg("KEYSLOT")
            .arg(key)
            .query(&mut self.any_connection())
            .expect("CLUSTER KEYSLOT")
    }

    /// The port of the master serving `slot`, as the running node `asked` sees it (`None`: no
    /// master that is not failing serves it).
    pub fn master_of_slot(&self, slot: u16, asked: u16) -> Option<u16> {
        cluster_nodes(self.node(asked))
            .into_iter()
            .find(|n| {
                n.master && !n.failing && n.slots.iter().any(|&(a, b)| a <= slot && slot <= b)
            })
            .map(|n| n.port)
    }

    /// The ports of the running masters that serve slots.
    pub fn masters(&mut self) -> Vec<u16> {
        let mut masters: Vec<u16> = cluster_nodes(self.any_node())
            .into_iter()
            .filter(|n| n.master && !n.failing && !n.slots.is_empty())
            .map(|n| n.port)
            .collect();
        masters.sort_unstable();
        masters
    }

    /// Every key on the running masters, with the port of the master that holds it.
    pub fn keys(&mut self) -> Vec<(String, u16)> {
        let mut keys = Vec::new();
        for port in self.masters() {
            let found: Vec<String> = redis::cmd("KEYS")
                .arg("*")
                .query(&mut self.node(port).connection())
                .expect("KEYS");
            keys.extend(found.into_iter().map(|key| (key, port)));
        }
        keys.sort();
        keys
    }

    /// Waits, up to `bound`, until every running node agrees that a running master other than
    /// `old_master` serves `slot` and says `cluster_state:ok`; returns that master's port.
    /// Panics past the bound with what the nodes said.
    pub fn wait_for_new_master(&mut self, slot: u16, old_master: u16, bound: Duration) -> u16 {
        let deadline = Instant::now() + bound;
        loop {
            let running: Vec<u16> = self.running_ports();
            let seen: Vec<Option<u16>> = running
                .iter()
                .map(|&port| {
                    let ok = cluster_info(self.node(port)).contains("cluster_state:ok");
                    ok.then(|| self.master_of_slot(slot, port)).flatten()
                })
                .collect();
            if let Some(Some(new)) = seen.first() {
                let agreed = seen.iter().all(|s| *s == Some(*new));
                if agreed && *new != old_master && running.contains(new) {
                    return *new;
                }
            }
            assert!(
                Instant::now() < deadline,
                "no new master for slot {slot} within {bound:?}: the nodes {running:?} see {seen:?}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Waits until every running node says `cluster_state:ok` with all 16384 slots served, and
    /// every running replica's link to its master is up (it holds what the master holds).
    pub fn wait_until_healthy(&mut self, bound: Duration) {
        let deadline = Instant::now() + bound;
        loop {
            let mut problems = Vec::new();
            for port in self.running_ports() {
                let node = self.node(port);
                let info = cluster_info(node);
                if !info.contains("cluster_state:ok") || !info.contains("cluster_slots_ok:16384") {
                    problems.push(format!("{port}: {}", info.replace("\r\n", " ")));
                }
                let replication: String = redis::cmd("INFO")
                    .arg("replication")
                    .query(&mut node.connection())
                    .expect("INFO replication");
                if replication.contains("role:slave")
                    && !replication.contains("master_link_status:up")
                {
                    problems.push(format!("{port}: replica link down"));
                }
            }
            if problems.is_empty() {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "the cluster is not healthy after {bound:?}: {problems:?}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn running_ports(&mut self) -> Vec<u16> {
        self.nodes
            .iter_mut()
            .filter_map(|node| node.is_running().then(|| node.port()))
            .collect()
    }

    fn any_node(&mut self) -> &RedisServer {
        let port = *self.running_ports().first().expect("a running node");
        self.node(port)
    }

    fn any_connection(&mut self) -> redis::Connection {
        self.any_node().connection()
    }
}

/// `CLUSTER INFO` of one node.
fn cluster_info(node: &RedisServer) -> String {
    redis::cmd("CLUSTER")
        .arg("INFO")
        .query(&mut node.connection())
        .expect("CLUSTER INFO")
}

/// `CLUSTER NODES` of one node, parsed.
fn cluster_nodes(node: &RedisServer) -> Vec<Node> {
    let text: String = redis::cmd("CLUSTER")
        .arg("NODES")
        .query(&mut node.connection())
        .expect("CLUSTER NODES");
    text.lines()
        .filter_map(|line| {
            // <id> <ip:port@cport> <flags> <master> <ping> <pong> <epoch> <link> <slot>...
            let fields: Vec<&str> = line.split_whitespace().collect();
            let address = fields.get(1)?.split('@').next()?;
            let port = address.rsplit(':').next()?.parse().ok()?;
            let flags: Vec<&str> = fields.get(2)?.split(',').collect();
            let slots = fields
                .iter()
                .skip(8)
                .filter(|s| !s.starts_with('['))
                .filter_map(|range| match range.split_once('-') {
                    Some((a, b)) => Some((a.parse().ok()?, b.parse().ok()?)),
                    None => range.parse().ok().map(|slot| (slot, slot)),
                })
                .collect();
            Some(Node {
                port,
                master: flags.contains(&"master"),
                failing: flags.contains(&"fail") || flags.contains(&"fail?"),
                slots,
            })
        })
        .collect()
}
