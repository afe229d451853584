//! A throwaway `redis-server` on a free 127.0.0.1 port, persistence off, stopped on drop.
//! Shared by the Redis tests, `examples/fleet` and the token-store benchmark.

#![allow(dead_code)]

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// How to get `redis-server` when it is missing. A Redis test never passes without it.
pub const INSTALL_HINT: &str = "redis-server is not installed: these tests need a real Redis. \
     Install it (Debian/Ubuntu: `sudo apt-get install -y redis-server`; macOS: `brew install redis`), \
     or run `cargo test` without `--features redis` to skip them. `.ci/run` installs it itself.";

/// A running `redis-server`.
pub struct RedisServer {
    child: Option<Child>,
    port: u16,
    /// In cluster mode, the node's directory: its state file, and the snapshots replication
    /// writes (removed on drop).
    cluster_dir: Option<std::path::PathBuf>,
}

impl RedisServer {
    /// Starts one, or panics with [`INSTALL_HINT`] if `redis-server` cannot be found.
    pub fn start() -> Self {
        let port = free_port();
        let mut server = Self {
            child: None,
            port,
            cluster_dir: None,
        };
        server.restart();
        server
    }

    /// Starts a node with cluster mode on and no slots (see `redis_cluster.rs` for a cluster of
    /// several). Its failure detection takes a second (`cluster-node-timeout`), so that a test
    /// sees a failover within seconds.
    pub fn start_cluster_node() -> Self {
        let port = free_port();
        let dir =
            std::env::temp_dir().join(format!("enkash-redis-node-{}-{port}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("create the node's directory");
        let mut server = Self {
            child: None,
            port,
            cluster_dir: Some(dir),
        };
        server.restart();
        server
    }

    /// Starts a one-node Redis Cluster that serves every hash slot. It refuses, as any cluster
    /// does, a command or script whose keys lie in different slots (`CROSSSLOT`).
    pub fn start_cluster() -> Self {
        let server = Self::start_cluster_node();
        let mut connection = server.connection();
        let _: () = redis::cmd("CLUSTER")
            .arg("ADDSLOTSRANGE")
            .arg(0)
            .arg(16383)
            .query(&mut connection)
            .expect("CLUSTER ADDSLOTSRANGE");
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let info: String = redis::cmd("CLUSTER")
                .arg("INFO")
                .query(&mut connection)
                .expect("CLUSTER INFO");
            if info.contains("cluster_state:ok") {
                return server;
            }
            assert!(
                Instant::now() < deadline,
                "the cluster never came up: {info}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// `redis://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Whether the process is running (not stopped, not exited).
    pub fn is_running(&mut self) -> bool {
        matches!(self.child.as_mut().map(Child::try_wait), Some(Ok(None)))
    }

    /// Kills the server (it loses everything: persistence is off).
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts it again on the same port, empty, and waits until it answers.
    pub fn restart(&mut self) {
        self.stop();
        let mut command = Command::new("redis-server");
        command
            .args(["--port", &self.port.to_string()])
            .args(["--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
            .args(["--protected-mode", "yes", "--loglevel", "warning"]);
        if let Some(dir) = &self.cluster_dir {
            command
                .arg("--dir")
                .arg(dir)
                .args([
                    "--cluster-enabled",
                    "yes",
                    "--cluster-config-file",
                    "nodes.conf",
                ])
                .args(["--cluster-node-timeout", "1000"]);
        }
        let child = command.stdout(Stdio::null()).stderr(Stdio::null()).spawn();
        let child = match child {
            Ok(child) => child,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => panic!("{INSTALL_HINT}"),
            Err(e) => panic!("cannot start redis-server: {e}"),
        };
        self.child = Some(child);
        self.wait_until_ready();
    }

    /// Freezes the server (SIGSTOP): connections stay open and nothing answers, like a Redis
    /// that is alive but hopelessly slow.
    pub fn freeze(&self) {
        self.signal("-STOP");
    }

    /// Undoes [`freeze`](Self::freeze).
    pub fn thaw(&self) {
        self.signal("-CONT");
    }

    fn signal(&self, signal: &str) {
        let pid = self.child.as_ref().expect("server running").id();
        let status = Command::new("kill")
            .args([signal, &pid.to_string()])
            .status()
            .expect("run kill");
        assert!(status.success(), "kill {signal} {pid}");
    }

    /// A plain connection, for looking at what the store wrote.
    pub fn connection(&self) -> redis::Connection {
        redis::Client::open(self.url())
            .and_then(|client| client.get_connection())
            .expect("connect to the test redis-server")
    }

    /// Every key and its value (`GET` for strings), sorted by key.
    pub fn dump(&self) -> Vec<(String, Vec<u8>)> {
        let mut connection = self.connection();
        let mut keys: Vec<String> = redis::cmd("KEYS")
            .arg("*")
            .query(&mut connection)
            .expect("KEYS");
        keys.sort();
        keys.into_iter()
            .map(|key| {
                let value: Vec<u8> = redis::cmd("GET")
                    .arg(&key)
                    .query(&mut connection)
                    .unwrap_or_default();
                (key, value)
            })
            .collect()
    }

    fn wait_until_ready(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let answered = redis::Client::open(self.url())
                .and_then(|client| client.get_connection())
                .and_then(|mut connection| redis::cmd("PING").query::<String>(&mut connection));
            if answered.is_ok() {
                return;
            }
            if let Some(Ok(Some(status))) = self.child.as_mut().map(Child::try_wait) {
                panic!(
                    "redis-server exited at start ({status}); is port {} taken?",
                    self.port
                );
            }
            assert!(
                Instant::now() < deadline,
                "redis-server did not answer on port {} within 10 s",
                self.port
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        // SIGKILL ends even a frozen (SIGSTOPped) server.
        self.stop();
        if let Some(dir) = &self.cluster_dir {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|addr| addr.port())
        .expect("find a free port")
}
