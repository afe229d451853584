//! The token cache over real HTTP on 127.0.0.1, under Tokio's paused clock.

use crate::common;

use std::sync::Arc;
use std::time::Duration;

use common::clock::TestClock;
use common::server::{TestServer, TokenReply, ACCESS_KEY};
use enkash::{CallErrorKind, Payload, TokenError, TokenPolicy};
use tokio::time::advance;

/// One-hour tokens: refresh ahead 5 min, expiry margin 60 s.
const HOUR: Duration = Duration::from_secs(3600);

async fn client_for(server: &TestServer) -> (enkash::Client, Arc<TestClock>) {
    let clock = TestClock::new();
    let client = server.client().clock(clock.clone()).build().unwrap();
    (client, clock)
}

/// A task asking for a token, as an independent caller would.
fn spawn_caller(
    client: &enkash::Client,
) -> tokio::task::JoinHandle<Result<enkash::AccessToken, TokenError>> {
    let client = client.clone();
    tokio::spawn(async move { client.access_token().await })
}

async fn order_ok(client: &enkash::Client) -> bool {
    client
        .get_order_status()
        .order_id("ORD_1")
        .send()
        .await
        .is_ok()
}

mod configuration;
mod expiry;
mod fetching;
