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

#[tokio::test(start_paused = true)]
async fn first_call_fetches_a_token_and_sends_both_headers() {
    let server = TestServer::start().await;
    let (client, _) = client_for(&server).await;
    let order = client
        .get_order_status()
        .order_id("ORD_1")
        .send()
        .await
        .unwrap();
    assert_eq!(
        order.payload.as_ref().unwrap().order_id.as_deref(),
        Some("ORD_1")
    );
    assert_eq!(server.tokens(), 1);
    let (authorization, access_key) = server.last_order_headers().unwrap();
    assert_eq!(authorization.as_deref(), Some("Bearer tok-1"));
    assert_eq!(access_key.as_deref(), Some(ACCESS_KEY));
    assert!(
        !server.saw_api_version(),
        "no header the spec does not declare"
    );

    // Clones share the cache.
    let clone = client.clone();
    assert!(order_ok(&clone).await);
    assert_eq!(server.tokens(), 1);
    let token = clone.access_token().await.unwrap();
    assert_eq!(token.as_str(), "tok-1");
    let lifetime = token.lifetime();
    assert!(
        lifetime <= HOUR && lifetime > HOUR - Duration::from_secs(1),
        "{lifetime:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn a_thousand_callers_on_a_cold_cache_make_one_request() {
    let server = TestServer::start().await;
    server.close_gate();
    let (client, _) = client_for(&server).await;
    let callers: Vec<_> = (0..1000).map(|_| spawn_caller(&client)).collect();
    server.until_waiting(1).await;
    // Every caller has had its turn to subscribe before the answer comes.
    for _ in 0..10 {
        tokio::task::yield_now().await;
    }
    server.open(1);
    for caller in callers {
        assert_eq!(caller.await.unwrap().unwrap().as_str(), "tok-1");
    }
    assert_eq!(server.tokens(), 1);
}

#[tokio::test(start_paused = true)]
async fn a_failure_reaches_every_waiter_and_is_not_retried_during_backoff() {
    let server = TestServer::start().await;
    server.then(TokenReply::Status(503));
    server.close_gate();
    let (client, _) = client_for(&server).await;
    let callers: Vec<_> = (0..100).map(|_| spawn_caller(&client)).collect();
    server.until_waiting(1).await;
    server.open(1);
    for caller in callers {
        let error = caller.await.unwrap().unwrap_err();
        assert!(error.is_transient(), "{error}");
        assert!(
            matches!(
                error,
                TokenError::Transient {
                    status: Some(503),
                    ..
                }
            ),
            "{error:?}"
        );
    }
    assert_eq!(server.tokens(), 1);

    // During the backoff: the same error, no new request.
    assert!(client.access_token().await.unwrap_err().is_transient());
    assert_eq!(server.tokens(), 1);

    // After it (jittered, at most the initial 1 s): a new attempt, which succeeds.
    advance(Duration::from_secs(1)).await;
    server.open(1);
    assert_eq!(client.access_token().await.unwrap().as_str(), "tok-1");
    assert_eq!(server.tokens(), 2);
}

#[tokio::test(start_paused = true)]
async fn dropping_the_caller_that_started_the_refresh_does_not_abort_it() {
    let server = TestServer::start().await;
    server.close_gate();
    let (client, _) = client_for(&server).await;
    let leader = spawn_caller(&client);
    server.until_waiting(1).await;
    let follower = spawn_caller(&client);
    tokio::task::yield_now().await;
    leader.abort();
    assert!(leader.await.unwrap_err().is_cancelled());
    server.open(1);
    assert_eq!(follower.await.unwrap().unwrap().as_str(), "tok-1");
    assert_eq!(server.tokens(), 1);
}

#[tokio::test(start_paused = true)]
async fn rejected_credentials_are_terminal_and_reported_with_code_and_message() {
    let server = TestServer::start().await;
    server.then(TokenReply::Reject(401, "Invalid access key"));
    let (client, _) = client_for(&server).await;
    let error = client.access_token().await.unwrap_err();
    assert_eq!(
        error,
        TokenError::Rejected {
            status: Some(200),
            code: Some(401),
            message: "Invalid access key".to_string()
        }
    );
    assert!(
        error
            .to_string()
            .contains("resultCode 401: Invalid access key"),
        "{error}"
    );

    // A generated call that needed a token says the same, in a way code can match on.
    let call_error = client
        .get_order_status()
        .order_id("ORD_1")
        .send()
        .await
        .payload()
        .unwrap_err();
    assert_eq!(
        call_error.kind(),
        CallErrorKind::Credentials,
        "{call_error}"
    );
    assert_eq!(server.orders(), 0, "nothing is sent without a token");
}

#[tokio::test(start_paused = true)]
async fn wrong_secret_is_rejected_by_the_server() {
    let server = TestServer::start().await;
    let client = server
        .client()
        .credentials(ACCESS_KEY, "not-the-secret")
        .build()
        .unwrap();
    let error = client.access_token().await.unwrap_err();
    assert!(error.is_rejected(), "{error:?}");
}

#[tokio::test(start_paused = true)]
async fn transient_failures_are_classified_as_such() {
    let server = TestServer::start().await;
    server
        .then(TokenReply::Malformed)
        .then(TokenReply::Status(500))
        .then(TokenReply::Status(429))
        .then(TokenReply::IssueExpiryOffsetMs(-5_000))
        .then(TokenReply::NoExpiry);
    let (client, _) = client_for(&server).await;
    for expected in [
        "not the documented JSON",
        "HTTP 500",
        "HTTP 429",
        "already expired",
        "no expiry",
    ] {
        let error = client.access_token().await.unwrap_err();
        assert!(error.is_transient(), "{error:?}");
        assert!(
            error.to_string().contains(expected),
            "{error} should mention {expected}"
        );
        advance(Duration::from_secs(31)).await;
    }
    let call_error = client.get_order_status().order_id("ORD_1").send().await;
    assert!(
        call_error.is_ok(),
        "after the failures a token is issued again"
    );
}

#[tokio::test(start_paused = true)]
async fn forbidden_and_missing_token_are_rejections() {
    let server = TestServer::start().await;
    server
        .then(TokenReply::Status(403))
        .then(TokenReply::Reject(0, "ok but no token"));
    let (client, _) = client_for(&server).await;
    let first = client.access_token().await.unwrap_err();
    assert!(
        matches!(
            first,
            TokenError::Rejected {
                status: Some(403),
                ..
            }
        ),
        "{first:?}"
    );
    advance(Duration::from_secs(31)).await;
    let second = client.access_token().await.unwrap_err();
    assert!(
        second.is_rejected() && second.to_string().contains("no token"),
        "{second}"
    );
}

#[tokio::test(start_paused = true)]
async fn soft_expiry_refreshes_in_the_background_while_serving_the_old_token() {
    let server = TestServer::start().await;
    let (client, _) = client_for(&server).await;
    assert_eq!(client.access_token().await.unwrap().as_str(), "tok-1");
    server.close_gate();
    // 5 min before expiry (the refresh-ahead window), plus a second for `Date`'s resolution.
    advance(HOUR - Duration::from_secs(300)).await;
    assert_eq!(client.access_token().await.unwrap().as_str(), "tok-1");
    server.until_waiting(1).await;
    // Still served while the refresh is held at the gate, without a second request.
    assert_eq!(client.access_token().await.unwrap().as_str(), "tok-1");
    assert_eq!(server.tokens(), 2);
    server.open(1);
    for _ in 0..100 {
        tokio::task::yield_now().await;
        if client.access_token().await.unwrap().as_str() == "tok-2" {
            return;
        }
    }
    panic!("the background refresh never replaced the token");
}

#[tokio::test(start_paused = true)]
async fn a_failed_refresh_keeps_serving_the_valid_token_until_the_hard_point() {
    let server = TestServer::start().await;
    let (client, _) = client_for(&server).await;
    client.access_token().await.unwrap();
    server
        .then(TokenReply::Status(500))
        .then(TokenReply::Status(500))
        .then(TokenReply::Status(500));
    server.default_lifetime(HOUR);
    advance(HOUR - Duration::from_secs(200)).await;
    for _ in 0..3 {
        assert_eq!(client.access_token().await.unwrap().as_str(), "tok-1");
        // Paused time moves only once every task is idle: the refresh has failed by then.
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(
        server.tokens(),
        2,
        "one background attempt; the backoff holds the others"
    );
    // Past the hard point (60 s before expiry) the old token is never handed out.
    server.close_gate();
    advance(Duration::from_secs(141)).await;
    let waiter = spawn_caller(&client);
    server.until_waiting(1).await;
    assert!(
        !waiter.is_finished(),
        "a hard-expired token must not be handed out"
    );
    server.open(10);
    let token = waiter.await.unwrap();
    // Whatever the script had left, the answer is not the old token.
    assert_ne!(
        token.map(|t| t.as_str().to_string()).unwrap_or_default(),
        "tok-1"
    );
}

#[tokio::test(start_paused = true)]
async fn short_lived_tokens_are_used_for_most_of_their_life() {
    let server = TestServer::start().await;
    server.default_lifetime(Duration::from_secs(10));
    server.without_date_header();
    let (client, _) = client_for(&server).await;
    client.access_token().await.unwrap();
    // A 10 s token: refresh from 5 s before expiry, unusable from 1 s before.
    advance(Duration::from_millis(4_000)).await;
    client.access_token().await.unwrap();
    assert_eq!(server.tokens(), 1, "fresh for the first half of its life");
}

#[tokio::test(start_paused = true)]
async fn a_server_clock_an_hour_off_either_way_works_normally() {
    for skew in [3600, -3600] {
        let server = TestServer::start().await;
        server.skew(skew);
        let (client, _) = client_for(&server).await;
        let token = client.access_token().await.unwrap();
        assert!(
            token.lifetime() > HOUR - Duration::from_secs(2),
            "skew {skew}: {token:?}"
        );
        assert!(order_ok(&client).await);
        advance(Duration::from_secs(1800)).await;
        assert!(order_ok(&client).await);
        assert_eq!(server.tokens(), 1, "skew {skew}: no refresh in mid-life");
    }
}

#[tokio::test(start_paused = true)]
async fn a_wall_clock_jump_expires_the_token_even_if_monotonic_time_stood_still() {
    let server = TestServer::start().await;
    let (client, clock) = client_for(&server).await;
    client.access_token().await.unwrap();
    clock.jump(HOUR); // A suspended laptop: the monotonic clock did not move.
    assert_eq!(client.access_token().await.unwrap().as_str(), "tok-2");
    assert_eq!(server.tokens(), 2);
}

#[tokio::test(start_paused = true)]
async fn a_401_invalidates_the_token_and_replays_the_request_once() {
    let server = TestServer::start().await;
    let (client, _) = client_for(&server).await;
    assert!(order_ok(&client).await);
    server.revoke_all();
    assert!(
        order_ok(&client).await,
        "the replay with a fresh token succeeds"
    );
    assert_eq!(server.tokens(), 2);
    assert_eq!(server.orders(), 3, "one call, one 401, one replay");

    // Two 401s in a row: one replay, then the 401 reaches the caller. No loop.
    server.reject_next_orders(2);
    let error = client
        .get_order_status()
        .order_id("ORD_1")
        .send()
        .await
        .unwrap_err();
    assert_eq!(error.status().map(|s| s.as_u16()), Some(401));
    assert_eq!(server.orders(), 5);
    assert_eq!(server.tokens(), 3);
}

#[tokio::test(start_paused = true)]
async fn a_401_for_a_token_already_replaced_causes_no_second_refresh() {
    let server = TestServer::start().await;
    let (client, _) = client_for(&server).await;
    client.access_token().await.unwrap();
    server.revoke_all();
    // Both calls carry tok-1 and both get a 401; only one refresh follows.
    let (a, b) = tokio::join!(order_ok(&client), order_ok(&client));
    assert!(a && b);
    assert_eq!(server.tokens(), 2);
    assert_eq!(server.orders(), 4);
}

#[tokio::test(start_paused = true)]
async fn token_requests_are_at_most_one_per_second() {
    let server = TestServer::start().await;
    let (client, _) = client_for(&server).await;
    for _ in 0..3 {
        server.revoke_all();
        assert!(order_ok(&client).await);
    }
    // The first call fetched tok-1; each later revocation forced one more.
    let times = server.token_times();
    assert_eq!(times.len(), 3);
    for pair in times.windows(2) {
        assert!(
            pair[1] - pair[0] >= Duration::from_secs(1),
            "{:?}",
            pair[1] - pair[0]
        );
    }
}

#[tokio::test]
async fn a_token_endpoint_timeout_is_transient() {
    let server = TestServer::start().await;
    server.delay_tokens(Duration::from_secs(5));
    let client = enkash::Client::builder()
        .base_url(&server.base_url)
        .credentials(ACCESS_KEY, common::server::SECRET_KEY)
        .timeout(Duration::from_millis(200))
        .build()
        .unwrap();
    let error = client.access_token().await.unwrap_err();
    assert!(
        error.is_transient() && error.to_string().contains("timed out"),
        "{error}"
    );
    let call = client
        .get_order_status()
        .order_id("ORD_1")
        .send()
        .await
        .payload()
        .unwrap_err();
    assert_eq!(call.kind(), CallErrorKind::TokenUnavailable, "{call}");
}

#[test]
fn the_builder_refuses_what_cannot_work() {
    use enkash::{BuildError, Client};
    let build = |url: &str| {
        Client::builder()
            .base_url(url)
            .credentials("a", "s")
            .build()
            .map(|_| ())
    };
    assert!(matches!(
        build("http://olympus-pg.enkash.in"),
        Err(BuildError::InsecureBaseUrl { .. })
    ));
    assert!(matches!(
        build("http://10.0.0.8:8080"),
        Err(BuildError::InsecureBaseUrl { .. })
    ));
    assert!(matches!(
        build("not a url"),
        Err(BuildError::InvalidBaseUrl { .. })
    ));
    assert!(matches!(
        build("ftp://127.0.0.1"),
        Err(BuildError::InvalidBaseUrl { .. })
    ));
    for ok in [
        "http://127.0.0.1:1",
        "http://localhost:1/",
        "http://[::1]:1",
        "https://olympus-pg-uat.enkash.in",
    ] {
        assert_eq!(build(ok), Ok(()), "{ok}");
    }
    assert_eq!(
        Client::builder()
            .base_url("https://x.test")
            .build()
            .map(|_| ()),
        Err(BuildError::MissingCredentials)
    );
    assert_eq!(
        Client::builder()
            .base_url("https://x.test")
            .credentials("", "s")
            .build()
            .map(|_| ()),
        Err(BuildError::MissingCredentials)
    );
    assert_eq!(
        Client::builder().credentials("a", "s").build().map(|_| ()),
        Err(BuildError::MissingBaseUrl)
    );
    let bad_policy = TokenPolicy {
        refresh_ahead_fraction: 1.5,
        ..Default::default()
    };
    assert!(matches!(
        Client::builder()
            .base_url("https://x.test")
            .credentials("a", "s")
            .token_policy(bad_policy)
            .build(),
        Err(BuildError::InvalidPolicy(_))
    ));
}

#[test]
fn absurd_policy_durations_are_build_errors_not_panics() {
    use enkash::{BuildError, Client};
    type Field = fn(&mut TokenPolicy) -> &mut Duration;
    let fields: [(&str, Field); 6] = [
        ("refresh_ahead", |p| &mut p.refresh_ahead),
        ("expiry_margin", |p| &mut p.expiry_margin),
        ("min_request_interval", |p| &mut p.min_request_interval),
        ("backoff_initial", |p| &mut p.backoff_initial),
        ("backoff_max", |p| &mut p.backoff_max),
        ("max_lifetime", |p| &mut p.max_lifetime),
    ];
    for (name, field) in fields {
        let mut policy = TokenPolicy::default();
        *field(&mut policy) = Duration::MAX;
        let outcome = Client::builder()
            .base_url("https://x.test")
            .credentials("a", "s")
            .token_policy(policy)
            .build();
        assert!(
            matches!(outcome, Err(BuildError::InvalidPolicy(_))),
            "{name} = Duration::MAX: {outcome:?}"
        );
    }
    let no_lifetime = TokenPolicy {
        max_lifetime: Duration::ZERO,
        ..Default::default()
    };
    assert!(matches!(
        Client::builder()
            .base_url("https://x.test")
            .credentials("a", "s")
            .token_policy(no_lifetime)
            .build(),
        Err(BuildError::InvalidPolicy(_))
    ));
}

#[tokio::test(start_paused = true)]
async fn no_refresh_task_outlives_the_last_clone_of_the_client() {
    let server = TestServer::start().await;
    server.close_gate();
    let (client, _) = client_for(&server).await;
    let alive = || {
        tokio::runtime::Handle::current()
            .metrics()
            .num_alive_tasks()
    };
    let before = alive();
    let caller = spawn_caller(&client);
    server.until_waiting(1).await;
    let during = alive();
    assert!(
        during >= before + 2,
        "the caller and the refresh task run: {before} -> {during}"
    );

    caller.abort();
    let _ = caller.await;
    assert_eq!(
        alive(),
        during - 1,
        "aborting the caller leaves the refresh running"
    );
    drop(client);
    // The refresh task is aborted with the cache; the server notices the closed connection.
    for _ in 0..100 {
        tokio::task::yield_now().await;
    }
    assert!(
        alive() <= before,
        "tasks left behind: {before} before, {} now",
        alive()
    );
    server.open(1);
    assert_eq!(server.tokens(), 1);
}

/// Where the cached token stands when `access_token()` is called.
#[derive(Debug, Clone, Copy)]
enum Cached {
    Empty,
    Fresh,
    RefreshDue,
    PastHardPoint,
    Expired,
}

/// What the token endpoint answers next.
#[derive(Debug, Clone, Copy)]
enum Endpoint {
    Success,
    TransientFailure,
    Rejection,
    PastExpiry,
}

/// What the caller gets, and the total number of token requests made.
#[derive(Debug, PartialEq)]
enum Gets {
    Token(&'static str),
    Transient,
    Rejected,
}

async fn scenario(cached: Cached, endpoint: Endpoint) -> (Gets, Gets, usize) {
    let server = TestServer::start().await;
    let (client, _) = client_for(&server).await;
    // One-hour tokens: refresh ahead from ~3299 s, never handed out from ~3539 s.
    let age = match cached {
        Cached::Empty => None,
        Cached::Fresh => Some(60),
        Cached::RefreshDue => Some(3350),
        Cached::PastHardPoint => Some(3560),
        Cached::Expired => Some(3700),
    };
    if let Some(age) = age {
        assert_eq!(client.access_token().await.unwrap().as_str(), "tok-1");
        advance(Duration::from_secs(age)).await;
    }
    server.then(match endpoint {
        Endpoint::Success => TokenReply::Issue(HOUR),
        Endpoint::TransientFailure => TokenReply::Status(500),
        Endpoint::Rejection => TokenReply::Reject(401, "Invalid credentials"),
        Endpoint::PastExpiry => TokenReply::IssueExpiryOffsetMs(-5_000),
    });
    let gets = |outcome: Result<enkash::AccessToken, TokenError>| match outcome {
        Ok(token) if token.as_str() == "tok-1" => Gets::Token("tok-1"),
        Ok(token) if token.as_str() == "tok-2" => Gets::Token("tok-2"),
        Ok(token) => panic!("unexpected token {token:?}"),
        Err(e) if e.is_rejected() => Gets::Rejected,
        Err(_) => Gets::Transient,
    };
    let first = gets(client.access_token().await);
    // Let a background refresh finish (paused time moves once every task is idle).
    tokio::time::sleep(Duration::from_millis(10)).await;
    let second = gets(client.access_token().await);
    (first, second, server.tokens())
}

/// The scenario table: every cache state against every endpoint behaviour.
#[tokio::test(start_paused = true)]
async fn scenario_table() {
    use Cached::*;
    use Endpoint::*;
    use Gets::*;
    // A fresh cache never asks; a due refresh serves the old token and asks once in the
    // background, keeping the old token on failure; an unusable or missing token waits for the
    // answer. After a failure, the second call gets the same error without a new request.
    let new = |endpoint| match endpoint {
        Success => Token("tok-1"),
        TransientFailure | PastExpiry => Transient,
        Rejection => Rejected,
    };
    let replaced = |endpoint| match endpoint {
        Success => Token("tok-2"),
        TransientFailure | PastExpiry => Transient,
        Rejection => Rejected,
    };
    for endpoint in [Success, TransientFailure, Rejection, PastExpiry] {
        let cases = [
            (Empty, (new(endpoint), new(endpoint), 1)),
            (Fresh, (Token("tok-1"), Token("tok-1"), 1)),
            (
                RefreshDue,
                (
                    Token("tok-1"),
                    match endpoint {
                        Success => Token("tok-2"),
                        _ => Token("tok-1"),
                    },
                    2,
                ),
            ),
            (PastHardPoint, (replaced(endpoint), replaced(endpoint), 2)),
            (Expired, (replaced(endpoint), replaced(endpoint), 2)),
        ];
        for (cached, expected) in cases {
            let got = scenario(cached, endpoint).await;
            assert_eq!(got, expected, "cache {cached:?}, endpoint {endpoint:?}");
        }
    }
}

#[tokio::test(start_paused = true)]
async fn a_token_claiming_weeks_is_used_up_to_the_cap_and_refreshed_there() {
    let server = TestServer::start().await;
    let thirty_days = Duration::from_secs(30 * 24 * 3600);
    server.then(TokenReply::Issue(thirty_days));
    let cap = Duration::from_secs(7 * 24 * 3600);
    let (client, _) = client_for(&server).await;
    let token = client.access_token().await.unwrap();
    assert_eq!(token.lifetime(), cap, "believed only up to the cap");
    assert!(order_ok(&client).await, "and used for calls");
    // Refreshed ahead of the cap (5 minutes before it), not after thirty days.
    advance(cap - Duration::from_secs(4 * 60)).await;
    client.access_token().await.unwrap();
    for _ in 0..10_000 {
        if server.tokens() == 2 {
            break;
        }
        tokio::task::yield_now().await;
    }
    assert_eq!(server.tokens(), 2, "the refresh ahead of the cap");
}

/// Found by the model test (`tests/token_model.rs`, seed in its regressions file): a token
/// endpoint slower than a token's usable life delivered a token already past its hard point,
/// and the waiting callers got it.
#[tokio::test(start_paused = true)]
async fn a_token_that_arrives_past_its_hard_point_is_a_failed_refresh() {
    let server = TestServer::start().await;
    server.delay_tokens(Duration::from_millis(1936));
    server.then(TokenReply::Issue(Duration::from_secs(2)));
    let (client, _) = client_for(&server).await;
    let callers: Vec<_> = (0..7).map(|_| spawn_caller(&client)).collect();
    for caller in callers {
        let error = caller.await.unwrap().unwrap_err();
        assert!(error.is_transient(), "{error}");
        assert!(error.to_string().contains("past its hard point"), "{error}");
    }
    assert_eq!(server.tokens(), 1, "one request for the seven callers");
}
