//! A fleet of replica processes against one gateway that revokes earlier tokens, first each
//! process for itself, then sharing one token through Redis (cargo feature `redis`):
//!
//! ```sh
//! cargo run --example fleet --features redis -- --replicas 6 --callers 16 --seconds 2
//! ```
//!
//! It starts the sandbox in revoke-previous mode and its own `redis-server` (persistence off,
//! on a free loopback port), runs the replicas as child processes of this binary, and prints
//! token requests, 401s and failed calls for each run. Needs `redis-server` on the `PATH`.

#[path = "../../tests/common/redis_server.rs"]
mod redis_server;
mod replica;

use std::process::{ExitCode, Stdio};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use enkash_sandbox::Sandbox;
use redis_server::RedisServer;
use replica::{Replica, Report};

const ROLE: &str = "ENKASH_FLEET_ROLE";

struct Options {
    replicas: usize,
    callers: usize,
    seconds: u64,
}

fn parse(mut args: impl Iterator<Item = String>) -> Result<Options, String> {
    let mut options = Options {
        replicas: 6,
        callers: 16,
        seconds: 2,
    };
    while let Some(flag) = args.next() {
        let value = args.next().ok_or_else(|| format!("{flag} needs a value"))?;
        let number: u64 = value
            .parse()
            .map_err(|_| format!("{flag}: {value:?} is not a number"))?;
        match flag.as_str() {
            "--replicas" => options.replicas = number as usize,
            "--callers" => options.callers = number as usize,
            "--seconds" => options.seconds = number,
            other => {
                return Err(format!(
                    "unknown option {other}; see examples/fleet/main.rs"
                ))
            }
        }
    }
    Ok(options)
}

#[tokio::main]
async fn main() -> ExitCode {
    if std::env::var_os(ROLE).is_some() {
        return run_replica().await;
    }
    let options = match parse(std::env::args().skip(1)) {
        Ok(options) => options,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    match compare(&options).await {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("fleet: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Runs the fleet without and with the store; whether the store did its job.
async fn compare(options: &Options) -> Result<bool, Box<dyn std::error::Error>> {
    let redis = RedisServer::start();
    println!(
        "{} replicas x {} callers for {} s, against a sandbox that revokes earlier tokens",
        options.replicas, options.callers, options.seconds
    );
    println!(
        "{:<28} {:>15} {:>6} {:>13} {:>8}",
        "", "token requests", "401s", "failed calls", "calls"
    );
    let mut figures = Vec::new();
    for (name, redis_url) in [
        ("each process for itself", None),
        ("one token through Redis", Some(redis.url())),
    ] {
        let sandbox = Sandbox::builder()
            .revoke_previous_tokens(true)
            .start()
            .await?;
        let reports = run(options, &sandbox, redis_url).await?;
        let failed: u64 = reports.iter().map(|r| r.failed).sum();
        let calls: u64 = reports.iter().map(|r| r.ok + r.failed).sum();
        let tokens = sandbox.token_requests();
        let unauthorized = sandbox.unauthorized_responses();
        println!("{name:<28} {tokens:>15} {unauthorized:>6} {failed:>13} {calls:>8}");
        figures.push((tokens, unauthorized, failed));
    }
    Ok(figures[1] == (1, 0, 0))
}

async fn run(
    options: &Options,
    sandbox: &Sandbox,
    redis_url: Option<String>,
) -> Result<Vec<Report>, Box<dyn std::error::Error>> {
    let start_at_ms = SystemTime::now().duration_since(UNIX_EPOCH)?.as_millis() as u64 + 1500;
    let replica = Replica {
        base_url: sandbox.base_url(),
        access_key: sandbox.access_key().to_string(),
        secret_key: sandbox.secret_key().to_string(),
        redis_url,
        redis_cluster: false,
        callers: options.callers,
        start_at_ms,
        run_for: Duration::from_secs(options.seconds),
        pause: Duration::from_millis(20),
        lease: Duration::from_secs(10),
        refresh_fraction: 0.5,
    };
    let children: Vec<_> = (0..options.replicas)
        .map(|_| {
            tokio::process::Command::new(std::env::current_exe()?)
                .env(ROLE, "replica")
                .envs(replica.env())
                .stdout(Stdio::piped())
                .kill_on_drop(true)
                .spawn()
        })
        .collect::<Result<_, _>>()?;
    let mut reports = Vec::new();
    for child in children {
        let output = child.wait_with_output().await?;
        let stdout = String::from_utf8_lossy(&output.stdout);
        reports.push(Report::parse(&stdout).ok_or("a replica printed no result")?);
    }
    Ok(reports)
}

async fn run_replica() -> ExitCode {
    let outcome = match Replica::from_env() {
        Ok(replica) => replica.run().await,
        Err(e) => Err(e),
    };
    match outcome {
        Ok(report) => {
            println!("{}", report.line());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("replica: {e}");
            ExitCode::FAILURE
        }
    }
}
