//! The live feed through the server component (issue 18): applications as resources, and
//! 2026-07-28 `subscriptions/listen` backed by the stand-in's watch, from the acknowledgment to
//! the client leaving.

use std::time::Duration;

use bytes::Bytes;
use host_test::standin::{Config, Fault, FaultRule};
use http_body_util::{BodyExt, Full};
use serde_json::{Value, json};

use crate::modern::{mirrored, modern_body};
use crate::{PASSWORD, World, harness};

const SUBSCRIPTION_ID: &str = "io.modelcontextprotocol/subscriptionId";
const CHANGE: &str = "argocd-mcp/change";
const WATCH: &str = "/api/v1/stream/applications";
/// How long a test waits for something that should come within moments.
const SOON: Duration = Duration::from_secs(15);

fn app_uri(name: &str) -> String {
    format!("argocd://applications/argocd/{name}")
}

fn listen_request(id: u64, uris: &[String], accept: &str) -> hyper::Request<Full<Bytes>> {
    let body = modern_body(
        id,
        "subscriptions/listen",
        json!({"notifications": {"resourceSubscriptions": uris}}),
    );
    let mut request = hyper::Request::post("http://localhost:8787/mcp")
        .header("host", "localhost:8787")
        .header("content-type", "application/json")
        .header("accept", accept);
    for (name, value) in mirrored(&body) {
        request = request.header(name, value);
    }
    request
        .body(Full::new(Bytes::from(body.to_string())))
        .unwrap()
}

type Body = wasmtime_wasi_http::p2::body::HyperOutgoingBody;

/// An open subscription: its SSE body, read message by message as it comes.
struct Listening {
    body: Body,
    buffer: String,
}

/// What opening a subscription gave: a stream, or a whole answer (status, content type, JSON).
enum Opened {
    Stream(Listening),
    Whole(u16, String, Value),
}

async fn listen(world: &World, id: u64, uris: &[String], accept: &str) -> Opened {
    let response = harness()
        .serve(&world.env, listen_request(id, uris, accept))
        .await
        .unwrap();
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    if content_type == "text/event-stream" {
        assert_eq!(status, 200);
        return Opened::Stream(Listening {
            body: response.into_body(),
            buffer: String::new(),
        });
    }
    let body = response.into_body().collect().await.unwrap().to_bytes();
    let json = serde_json::from_slice(&body)
        .unwrap_or_else(|_| panic!("not JSON: {}", String::from_utf8_lossy(&body)));
    Opened::Whole(status, content_type, json)
}

/// Opens a subscription that must be accepted; returns it after its acknowledgment.
async fn subscribe(world: &World, id: u64, uris: &[String]) -> (Listening, Value) {
    let mut listening = match listen(world, id, uris, "application/json, text/event-stream").await {
        Opened::Stream(listening) => listening,
        Opened::Whole(status, _, body) => panic!("refused ({status}): {body}"),
    };
    let ack = listening.next(SOON).await.expect("an acknowledgment");
    (listening, ack)
}

impl Listening {
    /// The next message, or `None` when none came within `within` or the stream ended.
    async fn next(&mut self, within: Duration) -> Option<Value> {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            if let Some(end) = self.buffer.find("\n\n") {
                let event: String = self.buffer.drain(..end + 2).collect();
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

    /// The next `notifications/resources/updated`, checked to carry subscription `id`.
    async fn update(&mut self, id: u64) -> Value {
        let message = self
            .next(SOON)
            .await
            .expect("a notification within moments");
        assert_eq!(
            message["method"], "notifications/resources/updated",
            "{message}"
        );
        assert_eq!(message["params"]["_meta"][SUBSCRIPTION_ID], id, "{message}");
        message
    }
}

/// What a notification says changed: the app, and `field from→to` for each change, sorted.
fn said(update: &Value) -> (String, Vec<String>) {
    let change = &update["params"]["_meta"][CHANGE];
    let mut fields: Vec<String> = ["sync", "health", "operation"]
        .iter()
        .filter(|f| change.get(**f).is_some())
        .map(|f| {
            let text = |end: &str| change[*f][end].as_str().unwrap().to_owned();
            format!("{f} {}→{}", text("from"), text("to"))
        })
        .collect();
    fields.sort();
    assert!(
        change["summary"]
            .as_str()
            .unwrap()
            .starts_with(&format!("{}: ", change["app"].as_str().unwrap())),
        "{change}"
    );
    (update["params"]["uri"].as_str().unwrap().to_owned(), fields)
}

async fn wait_until(what: &str, check: impl Fn() -> bool) {
    let deadline = tokio::time::Instant::now() + SOON;
    while !check() {
        assert!(tokio::time::Instant::now() < deadline, "never: {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn watch_requests(world: &World) -> usize {
    world
        .standin
        .requests()
        .iter()
        .filter(|r| r.method == "GET" && r.path.starts_with(WATCH))
        .count()
}

#[tokio::test]
async fn apps_are_resources_and_only_the_modern_era_offers_subscriptions() {
    let world = World::new().await;
    let (status, templates) = world.modern("resources/templates/list", json!({})).await;
    assert_eq!(status, 200, "{templates}");
    let listed: Vec<&str> = templates["result"]["resourceTemplates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["uriTemplate"].as_str().unwrap())
        .collect();
    assert_eq!(
        listed,
        [
            "argocd://applications/{namespace}/{name}",
            "argocd://applications"
        ]
    );

    let uri = app_uri("broken-app");
    let (status, read) = world.modern("resources/read", json!({"uri": uri})).await;
    assert_eq!(status, 200, "{read}");
    let content = &read["result"]["contents"][0];
    assert_eq!(content["uri"], uri);
    assert_eq!(content["mimeType"], "application/json");
    let app: Value = serde_json::from_str(content["text"].as_str().unwrap()).unwrap();
    assert_eq!(app["name"], "broken-app");
    assert_eq!(app["health"]["status"], "Degraded", "{app}");
    assert_eq!(app["sync"]["status"], "OutOfSync", "{app}");

    let (status, fleet) = world
        .modern("resources/read", json!({"uri": "argocd://applications"}))
        .await;
    assert_eq!(status, 200, "{fleet}");
    assert!(
        fleet["result"]["contents"][0]["text"]
            .as_str()
            .unwrap()
            .contains("guestbook")
    );

    let unknown = app_uri("no-such-app");
    let (_, missing) = world
        .modern("resources/read", json!({"uri": unknown}))
        .await;
    assert_eq!(missing["error"]["code"], -32602, "{missing}");
    assert!(
        missing["error"]["message"]
            .as_str()
            .unwrap()
            .contains("no-such-app"),
        "{missing}"
    );

    let (_, discover) = world.modern("server/discover", json!({})).await;
    assert_eq!(
        discover["result"]["capabilities"]["resources"]["subscribe"], true,
        "{discover}"
    );
    let handshake = world
        .mcp(
            &json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
            "protocolVersion": "2025-11-25", "capabilities": {},
            "clientInfo": {"name": "e2e", "version": "1"}}}),
        )
        .await
        .json()
        .unwrap();
    assert_eq!(
        handshake["result"]["capabilities"]["resources"]["subscribe"], false,
        "{handshake}"
    );
}

/// Two apps watched; one is synced through the component. Each step of the sync comes once and
/// in order, tagged with the subscription; a reconcile that changes nothing and a change to an
/// app not subscribed send nothing; the other app is heard when it changes.
#[tokio::test]
async fn a_sync_is_heard_step_by_step_once_and_in_order() {
    let world = World::with(
        Config {
            operation_time: Duration::from_millis(1500),
            ..Config::default()
        },
        &[("argocd_username", "admin"), ("argocd_password", PASSWORD)],
    )
    .await;
    world.standin.set_rollout_time(Duration::from_millis(500));
    let uris = [app_uri("guestbook"), app_uri("broken-app")];
    let (mut listening, ack) = subscribe(&world, 41, &uris).await;
    assert_eq!(ack["method"], "notifications/subscriptions/acknowledged");
    assert_eq!(ack["params"]["_meta"][SUBSCRIPTION_ID], 41);
    assert_eq!(
        ack["params"]["notifications"],
        json!({"resourceSubscriptions": uris})
    );
    wait_until("the watch is open", || world.standin.open_watches() == 1).await;

    // Nothing to tell: a reconcile that changes nothing watched, and an app not subscribed.
    assert!(world.standin.set_health("guestbook", "Healthy"));
    assert!(world.standin.set_health("payments", "Degraded"));
    assert!(world.standin.set_sync_status("guestbook", "OutOfSync"));
    world
        .ok(
            "sync_argocd_app",
            json!({"app_name": "guestbook", "confirm": true}),
        )
        .await;

    let guestbook = app_uri("guestbook");
    let mut heard = Vec::new();
    while heard.last().is_none_or(|(_, f): &(String, Vec<String>)| {
        f != &vec!["health Progressing→Healthy".to_owned()]
    }) {
        let update = listening.update(41).await;
        let (uri, fields) = said(&update);
        assert_eq!(uri, guestbook, "only the synced app changed: {update}");
        heard.push((uri, fields));
        assert!(heard.len() <= 6, "more than the sync's steps: {heard:?}");
    }
    let steps: Vec<Vec<String>> = heard.into_iter().map(|(_, f)| f).collect();
    let strings = |list: &[&str]| list.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    assert_eq!(
        steps,
        [
            strings(&["sync Synced→OutOfSync"]),
            strings(&["operation Succeeded→Running"]),
            strings(&[
                "health Healthy→Progressing",
                "operation Running→Succeeded",
                "sync OutOfSync→Synced"
            ]),
            strings(&["health Progressing→Healthy"]),
        ]
    );

    // Settled; the other app subscribed is heard next, and nothing came in between.
    assert!(world.standin.set_health("broken-app", "Healthy"));
    let update = listening.update(41).await;
    assert_eq!(
        said(&update),
        (
            app_uri("broken-app"),
            vec!["health Degraded→Healthy".to_owned()]
        )
    );
}

/// The client leaving (dropping the stream) closes the watch on Argo CD.
#[tokio::test]
async fn the_client_leaving_closes_the_upstream_watch() {
    let world = World::new().await;
    let (listening, _) = subscribe(&world, 5, &[app_uri("guestbook")]).await;
    wait_until("the watch is open", || world.standin.open_watches() == 1).await;
    drop(listening);
    wait_until("the watch closes after the client left", || {
        world.standin.open_watches() == 0
    })
    .await;
    // And stays closed: nothing reconnects for a client who is gone.
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(world.standin.open_watches(), 0);
}

/// A watch cut mid-stream loses nothing: a change while it is down is told after it, once, and a
/// change after the reconnection too.
#[tokio::test]
async fn a_dropped_watch_loses_nothing_and_repeats_nothing() {
    let world = World::new().await;
    world
        .standin
        .inject(FaultRule::new(Some("GET"), WATCH, Fault::DropAfter(1)).times(1));
    let (mut listening, _) = subscribe(&world, 8, &[app_uri("guestbook")]).await;
    wait_until("the first watch was cut", || {
        watch_requests(&world) >= 1 && world.standin.open_watches() == 0
    })
    .await;
    assert!(world.standin.set_health("guestbook", "Degraded"));
    wait_until("the watch is open again", || {
        watch_requests(&world) >= 2 && world.standin.open_watches() == 1
    })
    .await;
    assert!(world.standin.set_health("guestbook", "Healthy"));
    let first = said(&listening.update(8).await);
    let second = said(&listening.update(8).await);
    assert_eq!(
        (first.1, second.1),
        (
            vec!["health Healthy→Degraded".to_owned()],
            vec!["health Degraded→Healthy".to_owned()]
        )
    );
    assert_eq!(first.0, app_uri("guestbook"));
}

/// What cannot be watched is refused with a JSON-RPC error, never a stream.
#[tokio::test]
async fn refusals_are_errors_not_streams() {
    let world = World::new().await;
    let many: Vec<String> = (0..51).map(|i| app_uri(&format!("app-{i}"))).collect();
    for (uris, expected) in [
        (
            vec!["argocd-mcp://guides/sync-safety".to_owned()],
            "not a resource this server watches",
        ),
        (vec![app_uri("no-such-app")], "no-such-app"),
        (many, "at most 50"),
    ] {
        match listen(&world, 3, &uris, "application/json, text/event-stream").await {
            Opened::Stream(mut listening) => panic!(
                "{uris:?} opened a stream: {:?}",
                listening.next(Duration::from_secs(1)).await
            ),
            Opened::Whole(_, content_type, body) => {
                assert_eq!(content_type, "application/json", "{body}");
                assert_eq!(body["id"], 3, "{body}");
                assert_eq!(body["error"]["code"], -32602, "{body}");
                let message = body["error"]["message"].as_str().unwrap();
                assert!(message.contains(expected), "{message}");
            }
        }
    }
    assert_eq!(watch_requests(&world), 0, "nothing was watched");

    match listen(&world, 4, &[app_uri("guestbook")], "application/json").await {
        Opened::Stream(_) => panic!("a stream for a client that does not take one"),
        Opened::Whole(_, _, body) => {
            assert_eq!(body["id"], 4, "{body}");
            let message = body["error"]["message"].as_str().unwrap();
            assert!(message.contains("text/event-stream"), "{message}");
        }
    }
    assert_eq!(watch_requests(&world), 0, "nothing was watched");
}

/// The watch is asked for as server-sent events: Argo CD's keepalives keep a quiet watch open,
/// and a watch that stalls (open, but nothing comes, not even a keepalive) is noticed after
/// `watch_stall_ms` and opened again through the catch-up, so a change made meanwhile is still
/// heard, once. The stand-in's keepalive is shortened to match the shortened stall limit (three
/// keepalives, as Argo CD's 15 s against the default 45 s).
#[tokio::test]
async fn a_stalled_watch_is_noticed_and_opened_again() {
    let world = World::with(
        Config::default(),
        &[
            ("argocd_username", "admin"),
            ("argocd_password", PASSWORD),
            ("watch_stall_ms", "1500"),
        ],
    )
    .await;
    world.standin.set_sse_keepalive(Duration::from_millis(500));

    // A quiet, healthy watch: its keepalives keep it open well past the stall limit.
    let (mut quiet, _) = subscribe(&world, 21, &[app_uri("guestbook")]).await;
    wait_until("the watch is open", || world.standin.open_watches() == 1).await;
    let asked: Vec<Option<String>> = world
        .standin
        .requests()
        .iter()
        .filter(|r| r.method == "GET" && r.path.starts_with(WATCH))
        .map(|r| {
            r.headers
                .iter()
                .find(|(name, _)| name.eq_ignore_ascii_case("accept"))
                .map(|(_, value)| value.clone())
        })
        .collect();
    assert_eq!(asked, [Some("text/event-stream".to_owned())]);
    tokio::time::sleep(Duration::from_secs(5)).await;
    assert_eq!(
        watch_requests(&world),
        1,
        "a watch that keeps alive is never reopened"
    );

    // The next watch stalls right after its first message: no event, no keepalive.
    world
        .standin
        .inject(FaultRule::new(Some("GET"), WATCH, Fault::StallAfter(1)).times(1));
    let (mut stalled, _) = subscribe(&world, 22, &[app_uri("guestbook")]).await;
    wait_until("both watches are open", || {
        watch_requests(&world) == 2 && world.standin.open_watches() == 2
    })
    .await;
    assert!(world.standin.set_health("guestbook", "Degraded"));
    let change = (
        app_uri("guestbook"),
        vec!["health Healthy→Degraded".to_owned()],
    );
    assert_eq!(said(&quiet.update(21).await), change);
    // Heard only once the stall is noticed and the watch opened again (a generous deadline).
    let heard = stalled
        .next(Duration::from_secs(30))
        .await
        .expect("the stalled subscription hears the change after reopening");
    assert_eq!(heard["params"]["_meta"][SUBSCRIPTION_ID], 22, "{heard}");
    assert_eq!(said(&heard), change);
    // Told by the catch-up, which comes before the watch is opened again.
    wait_until("the stalled watch is replaced: two open again", || {
        watch_requests(&world) == 3 && world.standin.open_watches() == 2
    })
    .await;

    // And the reopened watch goes on: the next change comes once to each.
    assert!(world.standin.set_health("guestbook", "Healthy"));
    let next = (
        app_uri("guestbook"),
        vec!["health Degraded→Healthy".to_owned()],
    );
    assert_eq!(said(&stalled.update(22).await), next);
    assert_eq!(said(&quiet.update(21).await), next);
    assert!(
        stalled.next(Duration::from_secs(2)).await.is_none(),
        "nothing told twice"
    );
}
