//! The merchant's side of a test against the sandbox: a client with the sandbox's keys, and a
//! webhook endpoint on 127.0.0.1 that hands every body it receives to the test.

use axum::body::Bytes;
use axum::routing::post;
use enkash::Client;
use enkash_sandbox::Sandbox;
use tokio::sync::mpsc;

/// A client for `sandbox`, with its keys and the default policies.
pub fn client_for(sandbox: &Sandbox) -> Client {
    Client::builder()
        .base_url(sandbox.base_url())
        .credentials(sandbox.access_key(), sandbox.secret_key())
        .build()
        .unwrap()
}

/// A merchant webhook endpoint on 127.0.0.1: its URL, and every body it receives.
pub async fn webhook_receiver() -> (String, mpsc::UnboundedReceiver<Bytes>) {
    let (sender, receiver) = mpsc::unbounded_channel();
    let app = axum::Router::new().route(
        "/hooks/enkash",
        post(move |body: Bytes| {
            let sender = sender.clone();
            async move {
                let _ = sender.send(body);
                "{}"
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hooks/enkash", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, receiver)
}
