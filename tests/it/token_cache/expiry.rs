//! Expiry and refresh: the soft and hard points, whose clock counts, 401s, the storm guard, a slow
//! token endpoint.

use super::*;

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
