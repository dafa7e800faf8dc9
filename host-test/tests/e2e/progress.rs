//! Progress notifications stream over SSE while a long tool runs (2025-11-25 Streamable HTTP).

use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use serde_json::{Value, json};

use crate::{PASSWORD, World, harness};

fn call_request(
    arguments: Value,
    progress_token: Option<&str>,
    accept: &str,
) -> hyper::Request<Full<Bytes>> {
    let mut params = json!({"name": "wait_for_argocd_operation", "arguments": arguments});
    if let Some(token) = progress_token {
        params["_meta"] = json!({"progressToken": token});
    }
    let body = json!({"jsonrpc": "2.0", "id": 9, "method": "tools/call", "params": params});
    hyper::Request::post("http://localhost:8787/mcp")
        .header("host", "localhost:8787")
        .header("content-type", "application/json")
        .header("accept", accept)
        .header("mcp-protocol-version", "2025-11-25")
        .body(Full::new(Bytes::from(body.to_string())))
        .unwrap()
}

/// A world whose `guestbook` has just started a sync that runs for `operation_time`.
pub(crate) async fn syncing(operation_time: Duration) -> World {
    let world = World::with(
        host_test::standin::Config {
            operation_time,
            ..Default::default()
        },
        &[("argocd_username", "admin"), ("argocd_password", PASSWORD)],
    )
    .await;
    world
        .ok(
            "sync_argocd_app",
            json!({"app_name": "guestbook", "confirm": true}),
        )
        .await;
    world
}

#[tokio::test]
async fn progress_arrives_while_waiting_and_the_answer_ends_the_stream() {
    let world = syncing(Duration::from_millis(2000)).await;
    let started = Instant::now();
    let request = call_request(
        json!({"app_name": "guestbook", "timeout_seconds": 30}),
        Some("wait-1"),
        "application/json, text/event-stream",
    );
    let response = harness().serve(&world.env, request).await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "text/event-stream");
    let mut body = response.into_body();
    let mut buffer = String::new();
    let mut events: Vec<(Duration, Value)> = Vec::new();
    while let Some(frame) = body.frame().await {
        let Ok(data) = frame.unwrap().into_data() else {
            continue;
        };
        buffer.push_str(std::str::from_utf8(&data).unwrap());
        while let Some(end) = buffer.find("\n\n") {
            let event: String = buffer.drain(..end + 2).collect();
            let data = event
                .lines()
                .find_map(|l| l.strip_prefix("data: "))
                .expect("a data line");
            events.push((started.elapsed(), serde_json::from_str(data).unwrap()));
        }
    }
    let (last_at, answer) = events.pop().expect("an answer");
    assert_eq!(answer["id"], 9);
    assert_eq!(answer["result"]["structuredContent"]["verdict"], "healthy");
    assert!(
        last_at >= Duration::from_millis(1800),
        "answered at {last_at:?}"
    );
    assert!(events.len() >= 2, "{events:?}");
    let (first_at, first) = &events[0];
    assert!(
        *first_at < Duration::from_millis(1500),
        "the first progress came only at {first_at:?}: not streamed"
    );
    let mut previous = 0.0;
    for (_, event) in &events {
        assert_eq!(event["method"], "notifications/progress");
        assert_eq!(event["params"]["progressToken"], "wait-1");
        let progress = event["params"]["progress"].as_f64().unwrap();
        assert!(progress > previous, "progress must increase");
        previous = progress;
        assert!(
            event["params"]["message"]
                .as_str()
                .unwrap()
                .contains("health")
        );
    }
    assert!(first.get("id").is_none(), "notifications carry no id");
}

#[tokio::test]
async fn without_a_token_or_sse_the_answer_is_plain_json() {
    let world = World::new().await;
    for (token, accept) in [
        (None, "application/json, text/event-stream"),
        (Some("t"), "application/json"),
    ] {
        let request = call_request(
            json!({"app_name": "guestbook", "timeout_seconds": 5}),
            token,
            accept,
        );
        let response = harness().serve(&world.env, request).await.unwrap();
        assert_eq!(response.headers()["content-type"], "application/json");
        let body = response.into_body().collect().await.unwrap().to_bytes();
        let answer: Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(answer["result"]["structuredContent"]["phase"], "Succeeded");
    }
}

#[tokio::test]
async fn a_refused_streaming_request_is_not_streamed() {
    let mut world = World::new().await;
    world.set("mcp_auth_token", "needed");
    let request = call_request(
        json!({"app_name": "guestbook"}),
        Some("t"),
        "application/json, text/event-stream",
    );
    let response = harness().serve(&world.env, request).await.unwrap();
    assert_eq!(response.status(), 401);
}

/// 2026-07-28: closing the response stream is the cancellation. A client that hangs up on a
/// streamed wait stops the polling; nothing keeps asking Argo CD for an answer nobody reads.
#[tokio::test]
async fn hanging_up_on_a_streamed_wait_stops_it() {
    let world = syncing(Duration::from_secs(20)).await;
    let polls = || {
        world
            .standin
            .requests()
            .iter()
            .filter(|r| r.method == "GET" && r.path == "/api/v1/applications/guestbook")
            .count()
    };
    let request = call_request(
        json!({"app_name": "guestbook", "timeout_seconds": 60}),
        Some("gone"),
        "application/json, text/event-stream",
    );
    let response = harness().serve(&world.env, request).await.unwrap();
    let mut body = response.into_body();
    let first = body.frame().await.expect("a first event").unwrap();
    assert!(first.is_data());
    drop(body);
    // One poll may already be under way when the stream closes; then the polling stops.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let settled = polls();
    tokio::time::sleep(Duration::from_secs(5)).await;
    assert_eq!(
        polls(),
        settled,
        "the wait went on polling after the client hung up"
    );
    // A client that stays gets its answer: the same wait, read to the end, still works.
    let request = call_request(
        json!({"app_name": "guestbook", "timeout_seconds": 1}),
        Some("stays"),
        "application/json, text/event-stream",
    );
    let response = harness().serve(&world.env, request).await.unwrap();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    let messages = crate::sse_messages(&body);
    let answer = messages.last().expect("an answer");
    assert_eq!(
        answer["result"]["structuredContent"]["verdict"],
        "timed_out"
    );
}

/// A wait listens to the app's watch rather than reading it every few seconds: a sync that runs
/// 6 s is read when it starts and again when the watch shows it ended (read every 0.25–3 s, it
/// was read 6 times), and the answer still comes when it ends.
#[tokio::test]
async fn a_wait_reads_the_app_when_the_watch_shows_a_change_not_every_few_seconds() {
    let world = syncing(Duration::from_millis(6000)).await;
    let reads = |world: &World| {
        world
            .standin
            .requests()
            .iter()
            .filter(|r| r.method == "GET" && r.path.starts_with("/api/v1/applications/guestbook"))
            .count()
    };
    let watches = |world: &World| {
        world
            .standin
            .requests()
            .iter()
            .filter(|r| {
                r.method == "GET"
                    && r.path
                        .starts_with("/api/v1/stream/applications?name=guestbook")
            })
            .count()
    };
    let (reads_before, watches_before) = (reads(&world), watches(&world));
    let started = Instant::now();
    let outcome = world
        .ok(
            "wait_for_argocd_operation",
            json!({"app_name": "guestbook", "timeout_seconds": 30}),
        )
        .await;
    let took = started.elapsed();
    let (read, watched) = (
        reads(&world) - reads_before,
        watches(&world) - watches_before,
    );
    println!("a 6 s sync waited for in {took:?}: {read} reads of the app, {watched} watch(es)");
    assert_eq!(outcome["verdict"], "healthy", "{outcome}");
    assert_eq!(watched, 1, "one watch, opened once");
    assert!(read <= 3, "{read} reads of the app for one operation");
    assert_eq!(outcome["polls"], read, "the answer counts its reads");
}
