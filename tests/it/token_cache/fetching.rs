//! Fetching a token: one request per episode however many callers, failures shared with every
//! waiter, rejections told apart from transient failures.

use super::*;

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
