//! The stand-in's watch stream (`GET /api/v1/stream/applications`) as api-notes §d and Argo CD
//! v3.5.1's code describe it, read over a bare socket so the stand-in is tested without the code
//! under test: the ADDED burst or its absence, events in order with growing resource versions,
//! RBAC, `fields`, narrowing, SSE, error chunks, and the faults that cut or stall a stream.

use std::time::Duration;

use host_test::standin::idp::ARGOCD_CLIENT;
use host_test::standin::rbac::Policy;
use host_test::standin::{Blueprint, Config, Fault, FaultRule, StandIn};
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::time::timeout;

use crate::standin::{raw, token};

const WATCH: &str = "/api/v1/stream/applications";

/// How long a test waits for something that should come at once.
const SOON: Duration = Duration::from_secs(5);
/// How long a test waits to be sure something does not come.
const QUIET: Duration = Duration::from_millis(400);

/// One open watch, its chunked body read as it comes.
struct Watch {
    reader: BufReader<TcpStream>,
    status: u16,
    head: String,
    /// Body bytes read and not yet handed out.
    pending: Vec<u8>,
    /// The body ended with its last chunk (a clean end).
    ended: bool,
}

/// What reading the body found.
#[derive(Debug, PartialEq)]
enum Read {
    Bytes(Vec<u8>),
    /// The last chunk came: the server ended the stream.
    End,
    /// The connection closed in the middle of the body.
    Cut,
}

/// Sends the request; returns the socket before its answer's head is read.
async fn send(standin: &StandIn, query: &str, headers: &[(&str, &str)]) -> TcpStream {
    let mut stream = TcpStream::connect(standin.addr).await.unwrap();
    let mut request = format!("GET {WATCH}{query} HTTP/1.1\r\nhost: argocd\r\n");
    for (k, v) in headers {
        request.push_str(&format!("{k}: {v}\r\n"));
    }
    request.push_str("\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    stream
}

impl Watch {
    /// Opens a watch and reads its head, which must come within `SOON`.
    async fn open(standin: &StandIn, query: &str, headers: &[(&str, &str)]) -> Watch {
        let stream = send(standin, query, headers).await;
        timeout(SOON, Watch::head(stream))
            .await
            .expect("the head comes")
    }

    async fn head(stream: TcpStream) -> Watch {
        let mut reader = BufReader::new(stream);
        let mut head = String::new();
        loop {
            let mut line = String::new();
            reader.read_line(&mut line).await.unwrap();
            if line == "\r\n" || line.is_empty() {
                break;
            }
            head.push_str(&line);
        }
        let status = head.get(9..12).and_then(|s| s.parse().ok()).unwrap_or(0);
        Watch {
            reader,
            status,
            head: head.to_ascii_lowercase(),
            pending: Vec::new(),
            ended: false,
        }
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.head
            .lines()
            .find_map(|l| l.strip_prefix(&format!("{name}: ")))
            .map(str::trim)
    }

    /// The next chunk of the body.
    async fn chunk(&mut self) -> Read {
        if self.ended {
            return Read::End;
        }
        let mut size = String::new();
        match self.reader.read_line(&mut size).await {
            Ok(0) | Err(_) => return Read::Cut,
            Ok(_) => {}
        }
        let Ok(size) = usize::from_str_radix(size.trim(), 16) else {
            return Read::Cut;
        };
        let mut data = vec![0; size + 2];
        if self.reader.read_exact(&mut data).await.is_err() {
            return Read::Cut;
        }
        data.truncate(size);
        if size == 0 {
            self.ended = true;
            return Read::End;
        }
        Read::Bytes(data)
    }

    /// Everything up to and including the next `delimiter`, or what the body ended with.
    async fn until(&mut self, delimiter: &[u8], within: Duration) -> Result<Vec<u8>, Read> {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            if let Some(at) = self
                .pending
                .windows(delimiter.len())
                .position(|w| w == delimiter)
            {
                return Ok(self.pending.drain(..at + delimiter.len()).collect());
            }
            match tokio::time::timeout_at(deadline, self.chunk()).await {
                Ok(Read::Bytes(data)) => self.pending.extend(data),
                Ok(other) => return Err(other),
                Err(_) => return Err(Read::Bytes(Vec::new())),
            }
        }
    }

    /// The next NDJSON message.
    async fn message(&mut self) -> Value {
        let line = self
            .until(b"\n", SOON)
            .await
            .unwrap_or_else(|why| panic!("no message: {why:?}"));
        serde_json::from_slice(&line).unwrap()
    }

    /// The next event: (type, app).
    async fn event(&mut self) -> (String, Value) {
        let message = self.message().await;
        let result = &message["result"];
        (
            result["type"].as_str().unwrap_or("").to_owned(),
            result["application"].clone(),
        )
    }

    /// Nothing arrives for `QUIET`, and the stream is still open.
    async fn quiet(&mut self) {
        assert_eq!(
            self.until(b"\n", QUIET).await,
            Err(Read::Bytes(Vec::new())),
            "nothing more comes, and the stream stays open"
        );
    }
}

async fn standin() -> StandIn {
    StandIn::start(Config {
        operation_time: Duration::from_millis(300),
        ..Config::default()
    })
    .await
    .unwrap()
}

/// A token of the identity provider for `user`, as Argo CD accepts it.
fn sso_token(standin: &StandIn, user: &str) -> String {
    let mut state = standin.state();
    let claims = state.idp.claims_for(user, &[ARGOCD_CLIENT], 600, "openid");
    state.idp.sign(&claims)
}

/// A watch whose request was sent has no answer yet, not even its head.
async fn no_head_yet(stream: &mut TcpStream) {
    let mut byte = [0u8; 1];
    assert!(
        timeout(QUIET, stream.read(&mut byte)).await.is_err(),
        "no head before the first message"
    );
}

fn version(app: &Value) -> u64 {
    app["metadata"]["resourceVersion"]
        .as_str()
        .and_then(|v| v.parse().ok())
        .expect("a numeric resourceVersion")
}

/// (sync, operation phase, health) of an app, for following a sync.
fn summary(app: &Value) -> (String, String, String) {
    let text = |v: &Value| v.as_str().unwrap_or("-").to_owned();
    (
        text(&app["status"]["sync"]["status"]),
        text(&app["status"]["operationState"]["phase"]),
        text(&app["status"]["health"]["status"]),
    )
}

async fn wait_until(what: &str, check: impl Fn() -> bool) {
    let deadline = tokio::time::Instant::now() + SOON;
    while !check() {
        assert!(tokio::time::Instant::now() < deadline, "{what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// A sync, watched by name: the app first (ADDED), then every step the controller takes, each
/// once, in order, with a growing resource version, though nobody reads the app meanwhile.
#[tokio::test]
async fn a_watch_starts_with_the_app_and_hears_every_step_of_a_sync_in_order() {
    let standin = standin().await;
    standin.set_rollout_time(Duration::from_millis(300));
    let token = token(&standin).await;
    let bearer = format!("Bearer {token}");
    let mut watch = Watch::open(
        &standin,
        "?name=guestbook&appNamespace=argocd",
        &[("authorization", &bearer)],
    )
    .await;
    assert_eq!(watch.status, 200);
    assert_eq!(watch.header("content-type"), Some("application/json"));
    let (kind, app) = watch.event().await;
    assert_eq!(
        (kind.as_str(), app["metadata"]["name"].as_str()),
        ("ADDED", Some("guestbook"))
    );
    // Watch fills in each resource's health, as Get does (api-notes §d).
    assert!(app["status"]["resources"][0]["health"].is_object());

    assert!(standin.set_sync_status("guestbook", "OutOfSync"));
    let (status, _, _) = raw(
        &standin,
        "POST",
        "/api/v1/applications/guestbook/sync",
        &[
            ("authorization", &bearer),
            ("content-type", "application/json"),
        ],
        "{}",
    )
    .await;
    assert_eq!(status, 200);
    let mut seen = vec![summary(&app)];
    let mut versions = vec![version(&app)];
    let mut operation_announced = false;
    while seen.len() < 6 {
        let (kind, app) = watch.event().await;
        assert_eq!(kind, "MODIFIED");
        operation_announced |= app["operation"]["sync"].is_object();
        seen.push(summary(&app));
        versions.push(version(&app));
    }
    let expected = [
        ("Synced", "Succeeded", "Healthy"),
        ("OutOfSync", "Succeeded", "Healthy"),
        // Sync sets `operation` and clears the old state (SetAppOperation).
        ("OutOfSync", "-", "Healthy"),
        ("OutOfSync", "Running", "Healthy"),
        ("Synced", "Succeeded", "Progressing"),
        ("Synced", "Succeeded", "Healthy"),
    ];
    let seen: Vec<(&str, &str, &str)> = seen
        .iter()
        .map(|(a, b, c)| (a.as_str(), b.as_str(), c.as_str()))
        .collect();
    assert_eq!(seen, expected);
    assert!(operation_announced, "the requested operation shows first");
    assert!(
        versions.windows(2).all(|w| w[0] < w[1]),
        "resource versions grow: {versions:?}"
    );
    assert_eq!(
        standin.app("guestbook").map(|a| version(&a)),
        versions.last().copied()
    );
    // Settled: nothing more, and the stream does not end by itself.
    watch.quiet().await;
}

/// Without `resourceVersion` every visible app comes first, sorted; with it (and no `name`)
/// nothing is replayed, and since the head waits for the first message, none comes until an app
/// changes. With `name`, the app comes first anyway unless its version is older.
#[tokio::test]
async fn a_resource_version_skips_the_start_and_replays_nothing() {
    let standin = standin().await;
    let bearer = format!("Bearer {}", token(&standin).await);
    let auth = [("authorization", bearer.as_str())];
    let mut all = Watch::open(&standin, "", &auth).await;
    let expected: Vec<String> = standin.state().apps.keys().cloned().collect();
    let mut names = Vec::new();
    for _ in &expected {
        let (kind, app) = all.event().await;
        assert_eq!(kind, "ADDED");
        names.push(app["metadata"]["name"].as_str().unwrap().to_owned());
    }
    assert_eq!(names, expected);
    all.quiet().await;

    // Changes made before the watch opens are history: not replayed.
    standin.set_health("guestbook", "Degraded");
    let (_, changed) = all.event().await;
    let now = version(&changed);
    standin.set_health("guestbook", "Healthy");
    all.event().await;
    let mut resumed = send(&standin, &format!("?resourceVersion={now}"), &auth).await;
    wait_until("the watch is open", || standin.open_watches() == 2).await;
    no_head_yet(&mut resumed).await;
    standin.set_health("payments", "Degraded");
    let mut resumed = timeout(SOON, Watch::head(resumed)).await.unwrap();
    assert_eq!(resumed.status, 200);
    let (kind, app) = resumed.event().await;
    assert_eq!(
        (kind.as_str(), app["metadata"]["name"].as_str()),
        ("MODIFIED", Some("payments"))
    );
    assert_eq!(app["status"]["health"]["status"], "Degraded");

    // With `name`: ADDED even with a version, unless the app's own is older.
    let guestbook = version(&standin.app("guestbook").unwrap());
    let mut named = Watch::open(
        &standin,
        &format!("?name=guestbook&resourceVersion={guestbook}"),
        &auth,
    )
    .await;
    assert_eq!(named.event().await.0, "ADDED");
    let mut newer = send(
        &standin,
        &format!("?name=guestbook&resourceVersion={}", guestbook + 1),
        &auth,
    )
    .await;
    no_head_yet(&mut newer).await;
}

/// Apps added and removed are ADDED and DELETED events; a refresh is two MODIFIED ones (the
/// annotation, then the reconcile).
#[tokio::test]
async fn creation_refresh_and_deletion_are_events() {
    let standin = standin().await;
    let bearer = format!("Bearer {}", token(&standin).await);
    let auth = [("authorization", bearer.as_str())];
    let start = standin.resource_version();
    let watch = send(&standin, &format!("?resourceVersion={start}"), &auth).await;
    wait_until("the watch is open", || standin.open_watches() == 1).await;
    standin.add_app(Blueprint::new("newcomer"));
    let mut watch = timeout(SOON, Watch::head(watch)).await.unwrap();
    let (kind, app) = watch.event().await;
    assert_eq!(
        (kind.as_str(), app["metadata"]["name"].as_str()),
        ("ADDED", Some("newcomer"))
    );
    let (status, _, refreshed) = raw(
        &standin,
        "GET",
        "/api/v1/applications/newcomer?refresh=hard",
        &auth,
        "",
    )
    .await;
    assert_eq!(status, 200);
    assert!(refreshed["metadata"].get("annotations").is_none());
    let (_, marked) = watch.event().await;
    assert_eq!(
        marked["metadata"]["annotations"]["argocd.argoproj.io/refresh"],
        "hard"
    );
    let (_, reconciled) = watch.event().await;
    assert!(reconciled["metadata"].get("annotations").is_none());
    assert!(standin.remove_app("newcomer"));
    let (kind, gone) = watch.event().await;
    assert_eq!(
        (kind.as_str(), gone["metadata"]["name"].as_str()),
        ("DELETED", Some("newcomer"))
    );
    assert!(version(&app) < version(&marked) && version(&marked) < version(&reconciled));
    assert!(version(&reconciled) < version(&gone));
}

/// An RBAC-limited user sees only the apps they may `get`, from the start and as they change,
/// judged with the policies of the moment; a local account sees all.
#[tokio::test]
async fn rbac_filters_what_a_watch_sees() {
    let standin = standin().await;
    standin.state().rbac = vec![Policy::new(
        "payments-deployers",
        "applications",
        "get",
        "payments/*",
    )];
    let alice = format!("Bearer {}", sso_token(&standin, "alice"));
    let mut watch = Watch::open(&standin, "", &[("authorization", &alice)]).await;
    let payments: Vec<String> = standin
        .state()
        .apps
        .values()
        .filter(|r| r.blueprint.project == "payments")
        .map(|r| r.blueprint.name.clone())
        .collect();
    assert!(!payments.is_empty());
    for name in &payments {
        let (kind, app) = watch.event().await;
        assert_eq!(
            (kind.as_str(), app["metadata"]["name"].as_str()),
            ("ADDED", Some(name.as_str()))
        );
    }
    standin.set_health("guestbook", "Degraded");
    watch.quiet().await;
    standin.set_health("payments", "Degraded");
    let (_, app) = watch.event().await;
    assert_eq!(app["metadata"]["name"], "payments");
    // A policy granted later applies to the open watch.
    standin.state().rbac.push(Policy::new(
        "payments-deployers",
        "applications",
        "get",
        "default/guestbook",
    ));
    standin.set_health("guestbook", "Healthy");
    let (_, app) = watch.event().await;
    assert_eq!(app["metadata"]["name"], "guestbook");
    // Bob's groups are granted nothing now: his watch stays silent, without even a head.
    let bob = format!("Bearer {}", sso_token(&standin, "bob"));
    let mut silent = send(&standin, "", &[("authorization", &bob)]).await;
    no_head_yet(&mut silent).await;
}

/// `fields` trims each message (with `result.` paths) and then identical messages per app are
/// skipped: a change outside the fields kept sends nothing.
#[tokio::test]
async fn fields_trim_messages_and_unchanged_ones_are_skipped() {
    let standin = standin().await;
    let bearer = format!("Bearer {}", token(&standin).await);
    let auth = [("authorization", bearer.as_str())];
    let mut trimmed = Watch::open(
        &standin,
        "?name=guestbook&fields=result.type,result.application.metadata.name,result.application.status.sync.status",
        &auth,
    )
    .await;
    let mut whole = Watch::open(&standin, "?name=guestbook", &auth).await;
    assert_eq!(
        trimmed.message().await,
        json!({"result": {"type": "ADDED", "application": {"metadata": {"name": "guestbook"}, "status": {"sync": {"status": "Synced"}}}}})
    );
    whole.event().await;
    raw(
        &standin,
        "GET",
        "/api/v1/applications/guestbook?refresh=normal",
        &auth,
        "",
    )
    .await;
    assert_eq!(whole.event().await.0, "MODIFIED");
    assert_eq!(whole.event().await.0, "MODIFIED");
    // The first change after ADDED differs in `type` alone: it is sent; the second is equal.
    assert_eq!(trimmed.message().await["result"]["type"], "MODIFIED");
    trimmed.quiet().await;
    standin.set_sync_status("guestbook", "OutOfSync");
    assert_eq!(
        trimmed.message().await,
        json!({"result": {"type": "MODIFIED", "application": {"metadata": {"name": "guestbook"}, "status": {"sync": {"status": "OutOfSync"}}}}})
    );
}

/// `projects` narrows (the legacy `project` wins over it), `name` narrows to one app only in its
/// namespace, and `appNamespace` alone narrows nothing.
#[tokio::test]
async fn name_and_projects_narrow_a_watch() {
    let standin = standin().await;
    let bearer = format!("Bearer {}", token(&standin).await);
    let auth = [("authorization", bearer.as_str())];
    let of_project = |project: &str| -> Vec<String> {
        standin
            .state()
            .apps
            .values()
            .filter(|r| r.blueprint.project == project)
            .map(|r| r.blueprint.name.clone())
            .collect()
    };
    for (query, project) in [
        ("?projects=payments", "payments"),
        ("?projects=payments&project=default", "default"),
        ("?projects=payments&appNamespace=elsewhere", "payments"),
    ] {
        let mut watch = Watch::open(&standin, query, &auth).await;
        for name in of_project(project) {
            let (_, app) = watch.event().await;
            assert_eq!(
                app["metadata"]["name"].as_str(),
                Some(name.as_str()),
                "{query}"
            );
        }
        watch.quiet().await;
    }
    let mut elsewhere = send(&standin, "?name=payments&appNamespace=elsewhere", &auth).await;
    no_head_yet(&mut elsewhere).await;
    let mut selected = send(&standin, "?selector=team%3Dnobody,name", &auth).await;
    no_head_yet(&mut selected).await;
}

/// The SSE form when `Accept` is exactly `text/event-stream`: `data: {json} \n\n` and the `\n`
/// delimiter, then `:\n` keepalives.
#[tokio::test]
async fn the_sse_form_frames_messages_and_keeps_alive() {
    let standin = standin().await;
    standin.set_sse_keepalive(Duration::from_millis(200));
    let bearer = format!("Bearer {}", token(&standin).await);
    let headers = [
        ("authorization", bearer.as_str()),
        ("accept", "text/event-stream"),
    ];
    let mut watch = Watch::open(&standin, "?name=guestbook", &headers).await;
    assert_eq!(watch.header("content-type"), Some("text/event-stream"));
    let message = watch.until(b" \n\n\n", SOON).await.unwrap();
    let text = String::from_utf8(message).unwrap();
    let json = text
        .strip_prefix("data: ")
        .and_then(|t| t.strip_suffix(" \n\n\n"))
        .expect("SSE framing");
    let json: Value = serde_json::from_str(json).unwrap();
    assert_eq!(json["result"]["type"], "ADDED");
    assert_eq!(watch.until(b":\n", SOON).await.unwrap(), b":\n");
    let mut ndjson = Watch::open(
        &standin,
        "?name=guestbook",
        &[
            ("authorization", bearer.as_str()),
            ("accept", "text/event-stream, */*"),
        ],
    )
    .await;
    assert_eq!(ndjson.header("content-type"), Some("application/json"));
    assert_eq!(ndjson.event().await.0, "ADDED");
}

/// Failures before the first message are one error chunk, without delimiter, whose `http_code`
/// is the status.
#[tokio::test]
async fn errors_are_a_final_chunk() {
    let standin = standin().await;
    let mut anonymous = Watch::open(&standin, "", &[]).await;
    assert_eq!(anonymous.status, 401);
    let mut body = Vec::new();
    while let Read::Bytes(data) = anonymous.chunk().await {
        body.extend(data);
    }
    assert_eq!(
        String::from_utf8(body).unwrap(),
        r#"{"error":{"grpc_code":16,"http_code":401,"message":"no session information","http_status":"Unauthorized"}}"#
    );
    let bearer = format!("Bearer {}", token(&standin).await);
    let mut bad = Watch::open(
        &standin,
        "?selector=team%20in%20x",
        &[("authorization", bearer.as_str())],
    )
    .await;
    assert_eq!(bad.status, 500);
    let mut body = Vec::new();
    while let Read::Bytes(data) = bad.chunk().await {
        body.extend(data);
    }
    let chunk: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(chunk["error"]["grpc_code"], 2);
    assert!(
        chunk["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("error parsing labels with selectors: ")
    );
}

/// Faults of a stream: cut after N events (no last chunk), stalled after N (open, silent, no
/// keepalive), ended by an error chunk after N. A client that leaves closes its watch at once.
#[tokio::test]
async fn faults_cut_stall_or_end_a_stream_and_leaving_closes_it() {
    let standin = standin().await;
    let bearer = format!("Bearer {}", token(&standin).await);
    let auth = [("authorization", bearer.as_str())];
    assert_eq!(standin.open_watches(), 0);

    standin.inject(FaultRule::new(Some("GET"), WATCH, Fault::DropAfter(3)).times(1));
    let mut dropped = Watch::open(&standin, "", &auth).await;
    for _ in 0..3 {
        assert_eq!(dropped.event().await.0, "ADDED");
    }
    assert_eq!(dropped.until(b"\n", SOON).await, Err(Read::Cut));
    wait_until("a cut stream is closed", || standin.open_watches() == 0).await;

    standin.set_sse_keepalive(Duration::from_millis(100));
    standin.inject(FaultRule::new(Some("GET"), WATCH, Fault::StallAfter(1)).times(1));
    let mut stalled = Watch::open(
        &standin,
        "?name=guestbook",
        &[("authorization", &bearer), ("accept", "text/event-stream")],
    )
    .await;
    assert!(stalled.until(b" \n\n\n", SOON).await.is_ok());
    standin.set_health("guestbook", "Degraded");
    assert_eq!(
        stalled.until(b"\n", QUIET).await,
        Err(Read::Bytes(Vec::new())),
        "no event and no keepalive"
    );
    assert_eq!(standin.open_watches(), 1);
    drop(stalled);
    wait_until("a stalled watch closes when its client leaves", || {
        standin.open_watches() == 0
    })
    .await;

    standin.inject(
        FaultRule::new(
            Some("GET"),
            WATCH,
            Fault::ErrorAfter(1, 14, "transport is closing".into()),
        )
        .times(1),
    );
    let mut ended = Watch::open(&standin, "?name=guestbook", &auth).await;
    assert_eq!(ended.event().await.0, "ADDED");
    let mut rest = Vec::new();
    loop {
        match ended.chunk().await {
            Read::Bytes(data) => rest.extend(data),
            Read::End => break,
            Read::Cut => panic!("the stream ends cleanly after its error chunk"),
        }
    }
    assert_eq!(
        String::from_utf8(rest).unwrap(),
        r#"{"error":{"grpc_code":14,"http_code":503,"message":"transport is closing","http_status":"Service Unavailable"}}"#
    );

    // Leaving: an open watch, and one still waiting for its first message (no head yet).
    let open = Watch::open(&standin, "?name=guestbook", &auth).await;
    let waiting = send(
        &standin,
        &format!("?resourceVersion={}", standin.resource_version() + 1),
        &auth,
    )
    .await;
    wait_until("both watches open", || standin.open_watches() == 2).await;
    drop(open);
    drop(waiting);
    wait_until("leaving closes the watches", || standin.open_watches() == 0).await;
}

/// Messages as the capture (fixture 06) and the swagger have them: the envelope's keys in Go's
/// order, only declared fields; the error chunk's keys in the order of the real one (fixture 08).
#[tokio::test]
async fn messages_look_like_the_captures() {
    use crate::standin::{FIXTURES, check_against, swagger};
    let standin = standin().await;
    let bearer = format!("Bearer {}", token(&standin).await);
    let mut watch = Watch::open(&standin, "?name=guestbook", &[("authorization", &bearer)]).await;
    let line = String::from_utf8(watch.until(b"\n", SOON).await.unwrap()).unwrap();
    let capture = std::fs::read_to_string(format!(
        "{FIXTURES}/fixtures/06-stream-applications-watch.public-capture.ndjson"
    ))
    .unwrap();
    let opening = |text: &str| text[..text.find("\"application\":{").unwrap()].to_owned();
    assert_eq!(opening(&line), opening(&capture));
    let swagger = swagger();
    let schema = swagger["paths"][WATCH]["get"]["responses"]["200"]["schema"].clone();
    let mut problems = Vec::new();
    check_against(
        &swagger,
        &schema,
        &serde_json::from_str(&line).unwrap(),
        "watch",
        &mut problems,
    );
    assert!(problems.is_empty(), "undeclared fields: {problems:?}");

    let mut anonymous = Watch::open(&standin, "", &[]).await;
    let Read::Bytes(chunk) = anonymous.chunk().await else {
        panic!("an error chunk");
    };
    let ours = String::from_utf8(chunk).unwrap();
    let real = std::fs::read_to_string(format!(
        "{FIXTURES}/fixtures/08-logs-stream-error-chunk.horizon-mock-2020.json"
    ))
    .unwrap();
    let order = |text: &str| {
        let mut keys = ["grpc_code", "http_code", "message", "http_status"];
        keys.sort_by_key(|k| text.find(&format!("\"{k}\"")).unwrap());
        keys
    };
    assert_eq!(order(&ours), order(&real));
    let real: Value = serde_json::from_str(&real).unwrap();
    let mut problems = Vec::new();
    check_against(
        &swagger,
        &schema,
        &serde_json::from_str(&ours).unwrap(),
        "error",
        &mut problems,
    );
    assert!(
        problems.is_empty() && real["error"].is_object(),
        "{problems:?}"
    );
}
