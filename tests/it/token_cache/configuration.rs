//! Configuration, cancellation and the scenario table: the builder's refusals, no task outliving
//! the client, every cached state against every answer, lifetimes at their cap.

use super::*;

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
    let bad_policy = TokenPolicy::default().refresh_ahead_fraction(1.5);
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
    type Setter = fn(TokenPolicy, Duration) -> TokenPolicy;
    let setters: [(&str, Setter); 6] = [
        ("refresh_ahead", TokenPolicy::refresh_ahead),
        ("expiry_margin", TokenPolicy::expiry_margin),
        ("min_request_interval", TokenPolicy::min_request_interval),
        ("backoff_initial", TokenPolicy::backoff_initial),
        ("backoff_max", TokenPolicy::backoff_max),
        ("max_lifetime", TokenPolicy::max_lifetime),
    ];
    for (name, set) in setters {
        let policy = set(TokenPolicy::default(), Duration::MAX);
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
    let no_lifetime = TokenPolicy::default().max_lifetime(Duration::ZERO);
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
