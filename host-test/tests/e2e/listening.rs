//! A 2026-07-28 `subscriptions/listen` through the server component in the harness, with any
//! filter and any caller (a bearer token for user mode): the stream read message by message as
//! it comes, or the whole answer it was refused with.

use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use serde_json::{Value, json};

use crate::World;
use crate::harness;
use crate::modern::{mirrored, modern_body};

pub(crate) const SUBSCRIPTION_ID: &str = "io.modelcontextprotocol/subscriptionId";
pub(crate) const CHANGE: &str = "argocd-mcp/change";
pub(crate) const FLEET: &str = "argocd://applications";
pub(crate) const WATCH: &str = "/api/v1/stream/applications";
/// How long a test waits for something that should come within moments.
pub(crate) const SOON: Duration = Duration::from_secs(15);

pub(crate) fn app_uri(name: &str) -> String {
    format!("argocd://applications/argocd/{name}")
}

type Body = wasmtime_wasi_http::p2::body::HyperOutgoingBody;

/// An open subscription's SSE body.
pub(crate) struct Listening {
    body: Body,
    buffer: String,
}

/// What opening a subscription gave: a stream, or a whole answer (status, JSON).
pub(crate) enum Opened {
    Stream(Listening),
    Whole(u16, Value),
}

/// Sends `subscriptions/listen` with `notifications` as its filter, as `bearer` when given.
pub(crate) async fn open(
    world: &World,
    id: u64,
    notifications: Value,
    bearer: Option<&str>,
) -> Opened {
    let authorization = bearer.map(|token| format!("Bearer {token}"));
    let extra: Vec<(&str, &str)> = authorization
        .iter()
        .map(|value| ("authorization", value.as_str()))
        .collect();
    open_with(world, id, notifications, &extra, "localhost:8787").await
}

/// [`open`] with `extra` headers, addressed to `host` (for the checks on who may call).
pub(crate) async fn open_with(
    world: &World,
    id: u64,
    notifications: Value,
    extra: &[(&str, &str)],
    host: &str,
) -> Opened {
    let body = modern_body(
        id,
        "subscriptions/listen",
        json!({"notifications": notifications}),
    );
    let mut request = hyper::Request::post(format!("http://{host}/mcp"))
        .header("host", host)
        .header("content-type", "application/json")
        .header("accept", "application/json, text/event-stream");
    for (name, value) in mirrored(&body) {
        request = request.header(name, value);
    }
    for (name, value) in extra {
        request = request.header(*name, *value);
    }
    let request = request
        .body(Full::new(Bytes::from(body.to_string())))
        .unwrap();
    let response = harness().serve(&world.env, request).await.unwrap();
    let status = response.status().as_u16();
    let streamed = response
        .headers()
        .get("content-type")
        .is_some_and(|v| v == "text/event-stream");
    if streamed {
        assert_eq!(status, 200);
        return Opened::Stream(Listening {
            body: response.into_body(),
            buffer: String::new(),
        });
    }
    let body = response.into_body().collect().await.unwrap().to_bytes();
    // A refusal before the MCP layer (a wrong Host) may be plain text: kept as a string.
    let json =
        serde_json::from_slice(&body).unwrap_or_else(|_| json!(String::from_utf8_lossy(&body)));
    Opened::Whole(status, json)
}

/// Opens a subscription that must be accepted: the stream after its acknowledgment, and the
/// acknowledgment.
pub(crate) async fn subscribe(
    world: &World,
    id: u64,
    notifications: Value,
    bearer: Option<&str>,
) -> (Listening, Value) {
    let mut listening = match open(world, id, notifications, bearer).await {
        Opened::Stream(listening) => listening,
        Opened::Whole(status, body) => panic!("refused ({status}): {body}"),
    };
    let ack = listening.next(SOON).await.expect("an acknowledgment");
    assert_eq!(
        ack["method"], "notifications/subscriptions/acknowledged",
        "{ack}"
    );
    assert_eq!(ack["params"]["_meta"][SUBSCRIPTION_ID], id, "{ack}");
    (listening, ack)
}

impl Listening {
    /// The next message, or `None` when none came within `within` or the stream ended.
    pub(crate) async fn next(&mut self, within: Duration) -> Option<Value> {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            if let Some(end) = self.buffer.find("\n\n") {
                let event: String = self.buffer.drain(..end + 2).collect();
                // Comments (the keepalives) carry no message.
                let Some(data) = event.lines().find_map(|l| l.strip_prefix("data: ")) else {
                    continue;
                };
                return Some(serde_json::from_str(data).expect("SSE data is JSON"));
            }
            let frame = tokio::time::timeout_at(deadline, self.body.frame())
                .await
                .ok()??;
            if let Ok(data) = frame.ok()?.into_data() {
                self.buffer.push_str(std::str::from_utf8(&data).unwrap());
            }
        }
    }

    /// Every message until none comes for `quiet`.
    pub(crate) async fn drain(&mut self, quiet: Duration) -> Vec<Value> {
        let mut all = Vec::new();
        while let Some(message) = self.next(quiet).await {
            all.push(message);
        }
        all
    }

    /// Whether the stream has ended (the server closed it), waiting at most `within`.
    pub(crate) async fn ended(&mut self, within: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            match tokio::time::timeout_at(deadline, self.body.frame()).await {
                Err(_) => return false,
                Ok(None) => return true,
                Ok(Some(Err(_))) => return true,
                // Keepalive comments may still come before the end.
                Ok(Some(Ok(_))) => {}
            }
        }
    }
}

/// What an update says: its URI, the app its change names, and `field from→to` for each
/// change (sorted), or `deleted` when the app went.
pub(crate) fn said(update: &Value) -> (String, String, Vec<String>) {
    let change = &update["params"]["_meta"][CHANGE];
    let mut fields: Vec<String> = ["sync", "health", "operation"]
        .iter()
        .filter(|f| change.get(**f).is_some())
        .map(|f| {
            let end = |e: &str| change[*f][e].as_str().unwrap_or("").to_owned();
            format!("{f} {}→{}", end("from"), end("to"))
        })
        .collect();
    fields.sort();
    if change["deleted"] == true {
        fields.push("deleted".into());
    }
    (
        update["params"]["uri"].as_str().unwrap_or("").to_owned(),
        change["app"].as_str().unwrap_or("").to_owned(),
        fields,
    )
}

pub(crate) async fn wait_until(what: &str, check: impl Fn() -> bool) {
    let deadline = tokio::time::Instant::now() + SOON;
    while !check() {
        assert!(tokio::time::Instant::now() < deadline, "never: {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

pub(crate) fn watch_requests(world: &World) -> usize {
    world
        .standin
        .requests()
        .iter()
        .filter(|r| r.method == "GET" && r.path.starts_with(WATCH))
        .count()
}
