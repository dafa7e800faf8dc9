//! Ninth hostile review: escapes glued to credentials (reading.rs), over-masking after escapes,
//! the wait's own-app rule under a hostile watch, feed places. `review9_finding_*` fails while
//! the breach is there; the others passed.
//!
//! Found: a credential glued to an escape `reading.rs` does not read (`\f`, `\b`, `\x0a`,
//! `\u00a0`) or to an ANSI colour code (raw ESC or `\u001b`, `[1m` before a Bearer, ghp_,
//! JWT, `password=` or `--password`; a header or userinfo held) shows; 300 events of the waited
//! app's OWN name and namespace with a flapping health made 302 reads (one per event, no floor;
//! the 30 s every such wait takes here is the stalled stand-in watch's quiet-read fallback,
//! 2 reads with lookalike events). (`tokenizer: …` after `\n` is hidden,
//! as the README's list of names taken says; not failed.) A first read that shows no namespace
//! (and no `app_namespace`) leaves the own-app rule without one: 300 events of `team-b/guestbook`
//! made 302 reads again.

use std::time::Duration;

use serde_json::json;

use crate::planting::plant_conditions;
use crate::{PASSWORD, World};

type Shape = (&'static str, &'static str, &'static str);

/// Plants `shapes` as condition messages and log lines; reads status and logs via the server.
async fn through_server(world: &World, chunk: &[Shape]) -> (String, String) {
    plant_conditions(&world.standin, "guestbook", chunk);
    world.standin.state().review_log_lines =
        chunk.iter().map(|(_, t, _)| (*t).to_owned()).collect();
    let status = world
        .call("get_argocd_app_status", json!({"app_name": "guestbook"}))
        .await
        .to_string();
    let logs = world
        .call(
            "get_argocd_app_logs",
            json!({"app_name": "guestbook", "kind": "Deployment", "resource_name": "guestbook", "tail_lines": 500, "max_lines": 2000, "max_bytes": 65536}),
        )
        .await
        .to_string();
    (status, logs)
}

fn glued_shapes() -> Vec<Shape> {
    vec![
        (
            "form feed \\f before Bearer",
            "{\"msg\":\"auth\\fBearer R9e01xOpaque0123\"}",
            "R9e01x",
        ),
        (
            "backspace \\b before ghp_",
            "{\"msg\":\"x\\bghp_R9e02xAbCdEfGhIjKlMnOpQrStUvWxYz0123\"}",
            "R9e02x",
        ),
        (
            "raw ANSI colour before ghp_",
            "token \u{1b}[1mghp_R9e03xAbCdEfGhIjKlMnOpQrStUvWxYz0123\u{1b}[0m",
            "R9e03x",
        ),
        (
            "JSON-escaped ANSI colour before Bearer",
            "{\"msg\":\"\\u001b[33mBearer R9e04xOpaque0123\\u001b[0m\"}",
            "R9e04x",
        ),
        (
            "\\x0a before Bearer",
            "b'GET / HTTP/1.1\\x0aBearer R9e05xOpaque0123'",
            "R9e05x",
        ),
        (
            "\\u000A uppercase before Bearer",
            "{\"msg\":\"x\\u000ABearer R9e06xOpaque0123\"}",
            "R9e06x",
        ),
        (
            "\\u000d\\u000a before Authorization",
            "{\"msg\":\"GET /\\u000d\\u000aAuthorization: Bearer R9e07xOpaque0123\"}",
            "R9e07x",
        ),
        (
            "%0d%0a lowercase before Authorization (CRLF injection)",
            "GET /x?a=1%0d%0aAuthorization:%20Bearer%20R9e08xOpaque0123 HTTP/1.1",
            "R9e08x",
        ),
        (
            "%250A before ghp_",
            "https://h.example.com/cb?m=x%250Aghp_R9e09xAbCdEfGhIjKlMnOpQrStUvWxYz0123",
            "R9e09x",
        ),
        (
            "two levels \\\\n before Bearer",
            "{\"log\":\"{\\\\\"m\\\\\":\\\\\"x\\\\nBearer R9e10xOpaque0123\\\\\"}\"}",
            "R9e10x",
        ),
        (
            "\\t before Bearer",
            "{\"msg\":\"auth\\tBearer R9e11xOpaque0123\"}",
            "R9e11x",
        ),
        (
            "\\u000b before Bearer",
            "{\"msg\":\"x\\u000bBearer R9e12xOpaque0123\"}",
            "R9e12x",
        ),
        (
            "\\u00a0 (NBSP) before Bearer",
            "{\"msg\":\"auth\\u00a0Bearer R9e14xOpaque0123\"}",
            "R9e14x",
        ),
        (
            "\\r\\n before userinfo",
            "{\"msg\":\"dsn\\r\\napp:R9e16xAbCdEf@db.example.com:5432/app\"}",
            "R9e16x",
        ),
        (
            "\\n before --password=",
            "{\"cmd\":\"helm repo add x https://c.example.com\\n--password=R9e17xAbCdEf\"}",
            "R9e17x",
        ),
        (
            "\\f before password=",
            "{\"msg\":\"cfg\\fpassword=R9e18xAbCdEf\"}",
            "R9e18x",
        ),
        (
            "\\u000a before ghp_",
            "{\"msg\":\"x\\u000aghp_R9e19xAbCdEfGhIjKlMnOpQrStUvWxYz0123\"}",
            "R9e19x",
        ),
        (
            "raw ANSI colour before password=",
            "cfg \u{1b}[36mpassword=R9e21xAbCdEf\u{1b}[0m",
            "R9e21x",
        ),
        (
            "raw ANSI colour before Authorization",
            "> \u{1b}[2mAuthorization: Bearer R9e22xOpaque0123",
            "R9e22x",
        ),
        (
            "raw ANSI colour before userinfo",
            "dsn \u{1b}[1mapp:R9e23xAbCdEf@db.example.com:5432/app",
            "R9e23x",
        ),
        (
            "raw ANSI colour before JWT",
            "id \u{1b}[1meyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJSOWUyNHgifQ.R9e24xSignatureAbCdEf0123",
            "R9e24x",
        ),
        (
            "raw ANSI colour before --password",
            "run \u{1b}[1m--password R9e25xAbCdEf",
            "R9e25x",
        ),
        (
            "%0A before Authorization header",
            "x%0AAuthorization: Bearer R9e20xOpaque0123",
            "R9e20x",
        ),
    ]
}

fn keep_shapes() -> Vec<Shape> {
    vec![
        (
            "image digest after \\n",
            "{\"msg\":\"pulling\\nnginx:1.25.3@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\"}",
            "nginx:1.25.3@sha256:0123456789abcdef",
        ),
        (
            "host:port after \\n",
            "{\"msg\":\"dial\\nredis:6379 refused\"}",
            "redis:6379",
        ),
        (
            "ports after \\n",
            "{\"msg\":\"ports:\\n8080:80\"}",
            "8080:80",
        ),
        (
            "user@host after \\n",
            "{\"msg\":\"ssh\\ngit@github.com:org/repo.git\"}",
            "git@github.com:org/repo.git",
        ),
        (
            "config line after \\n",
            "{\"msg\":\"cfg\\nkeyspace: orders\\nreplicas: 3\"}",
            "keyspace: orders",
        ),
        (
            "image tag after %0A",
            "m=pull%0Aghcr.io/org/app:v1.2.3",
            "ghcr.io/org/app:v1.2.3",
        ),
        (
            "ANSI coloured image",
            "\u{1b}[32mimage nginx:1.25.3 ready\u{1b}[0m",
            "nginx:1.25.3 ready",
        ),
    ]
}

/// FINDING candidates: credentials glued to escapes the eighth review's fix does not read.
#[tokio::test]
async fn review9_finding_credentials_glued_to_other_escapes() {
    let world = World::new().await;
    let shapes = glued_shapes();
    let mut leaks = Vec::new();
    for chunk in shapes.chunks(20) {
        let (status, logs) = through_server(&world, chunk).await;
        for (shape, text, secret) in chunk {
            for (which, answer) in [("status", &status), ("logs", &logs)] {
                if answer.contains(secret) {
                    leaks.push(format!("{which}: {shape}: {text:?}"));
                }
            }
        }
    }
    for l in &leaks {
        eprintln!("  LEAK {l}");
    }
    assert!(
        leaks.is_empty(),
        "leaked {}:\n{}",
        leaks.len(),
        leaks.join("\n")
    );
}

/// Over-masking after escapes: innocent text right after `\n`/`%0A`/ANSI stays readable.
#[tokio::test]
async fn review9_innocent_text_after_escapes_stays() {
    let world = World::new().await;
    let keeps = keep_shapes();
    let (status, logs) = through_server(&world, &keeps).await;
    let mut lost = Vec::new();
    for (shape, text, needle) in &keeps {
        for (which, answer) in [("status", &status), ("logs", &logs)] {
            let escaped = serde_json::to_string(needle).unwrap();
            let escaped = &escaped[1..escaped.len() - 1];
            if !answer.contains(needle) && !answer.contains(escaped) {
                lost.push(format!("{which}: {shape}: {text:?} lost {needle:?}"));
            }
        }
    }
    for l in &lost {
        eprintln!("  OVERMASKED {l}");
    }
    assert!(
        lost.is_empty(),
        "over-masked {}:\n{}",
        lost.len(),
        lost.join("\n")
    );
}

fn app_reads(world: &World, name: &str) -> usize {
    let path = format!("/api/v1/applications/{name}");
    world
        .standin
        .requests()
        .iter()
        .filter(|r| {
            r.method == "GET" && (r.path == path || r.path.starts_with(&format!("{path}?")))
        })
        .count()
}

async fn syncing(operation_time: Duration) -> World {
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

async fn wait_with_events(world: &World, events: Vec<serde_json::Value>, label: &str) -> usize {
    use host_test::standin::{Fault, FaultRule};
    let mut body = String::new();
    for e in events {
        body.push_str(&e.to_string());
        body.push('\n');
    }
    world.standin.inject(FaultRule::new(
        Some("GET"),
        "/api/v1/stream/applications",
        Fault::Stall(body),
    ));
    let before = app_reads(world, "guestbook");
    let started = std::time::Instant::now();
    let outcome = world
        .call(
            "wait_for_argocd_operation",
            json!({"app_name": "guestbook", "timeout_seconds": 30}),
        )
        .await;
    let reads = app_reads(world, "guestbook") - before;
    println!(
        "review9 {label}: {reads} reads in {:?}; {}",
        started.elapsed(),
        outcome.to_string().chars().take(300).collect::<String>()
    );
    reads
}

/// FINDING candidate (amplification): the watch of the app's OWN name and namespace carries
/// 300 events whose health contradicts the app's reads (a proxy replaying, or an app flapping):
/// each event differing from the last read wakes another read, with no floor between reads.
#[tokio::test]
async fn review9_finding_own_app_flapping_events_each_wake_a_read() {
    let world = syncing(Duration::from_millis(6000)).await;
    let events = (0..300)
        .map(|i| {
            let health = if i % 2 == 0 { "Degraded" } else { "Missing" };
            json!({"result": {"type": "MODIFIED", "application": {
                "metadata": {"name": "guestbook", "namespace": "argocd"},
                "status": {"health": {"status": health}, "sync": {"status": "OutOfSync"}}
            }}})
        })
        .collect();
    let reads = wait_with_events(&world, events, "300 flapping events of argocd/guestbook").await;
    assert!(
        reads <= 20,
        "{reads} reads of argocd/guestbook in one 6 s wait"
    );
}

/// Held? Events without a namespace, with a case variant of the name or namespace, and of the
/// same name in another namespace (no app_namespace given) wake nothing.
#[tokio::test]
async fn review9_events_of_lookalike_apps_wake_nothing() {
    let world = syncing(Duration::from_millis(6000)).await;
    let mut events = Vec::new();
    for i in 0..300 {
        let health = if i % 2 == 0 { "Degraded" } else { "Missing" };
        let meta = match i % 4 {
            0 => json!({"name": "guestbook"}),
            1 => json!({"name": "Guestbook", "namespace": "argocd"}),
            2 => json!({"name": "guestbook", "namespace": "ArgoCD"}),
            _ => json!({"name": "guestbook", "namespace": ""}),
        };
        events.push(json!({"result": {"type": if i % 8 == 7 { "DELETED" } else { "MODIFIED" }, "application": {
            "metadata": meta,
            "status": {"health": {"status": health}, "sync": {"status": "OutOfSync"}}
        }}}));
    }
    let reads = wait_with_events(&world, events, "300 lookalike events").await;
    assert!(reads <= 20, "{reads} reads woken by lookalike events");
}

// ---------------------------------------------------------------------------------------------
// Feed places: leaving at odd moments, duplicates, failing URIs, empty-looking filters
// ---------------------------------------------------------------------------------------------

use crate::listening::{Opened, app_uri, open_with, watch_requests};

async fn feed_world(limit: &str) -> World {
    let mut world = World::with(
        host_test::standin::Config::default(),
        &[
            ("argocd_username", "admin"),
            ("argocd_password", PASSWORD),
            ("allowed_projects", "payments"),
        ],
    )
    .await;
    world.set("feed_max_subscriptions", limit);
    world
}

fn describe(o: &Opened) -> String {
    match o {
        Opened::Stream(_) => "stream".into(),
        Opened::Whole(s, b) => format!("{s} {b}"),
    }
}

async fn real_one_admitted(world: &World, id: u64) -> (bool, String) {
    let o = open_with(
        world,
        id,
        json!({"resourceSubscriptions": [app_uri("payments")]}),
        &[],
        "localhost:8787",
    )
    .await;
    (matches!(o, Opened::Stream(_)), describe(&o))
}

/// A client that leaves before the answer's head (mid-agreement): its place comes back.
#[tokio::test]
async fn review9_leaving_before_the_head_frees_the_place() {
    let world = feed_world("1").await;
    for i in 0..3u64 {
        let r = tokio::time::timeout(
            Duration::from_millis(2 + 3 * i),
            open_with(
                &world,
                100 + i,
                json!({"resourceSubscriptions": [app_uri("payments")]}),
                &[],
                "localhost:8787",
            ),
        )
        .await;
        println!(
            "review9 left before head #{i}: {}",
            match &r {
                Ok(opened) => describe(opened),
                Err(_) => "dropped".into(),
            }
        );
    }
    tokio::time::sleep(Duration::from_secs(6)).await;
    let (ok, d) = real_one_admitted(&world, 200).await;
    println!("review9 after three clients left before the head: {d}");
    assert!(ok, "places held by clients that left before the head: {d}");
}

/// A stream dropped right after it opened (ack unread), and one dropped after the ack.
#[tokio::test]
async fn review9_leaving_right_after_open_frees_the_place() {
    let world = feed_world("1").await;
    let o = open_with(
        &world,
        1,
        json!({"resourceSubscriptions": [app_uri("payments")]}),
        &[],
        "localhost:8787",
    )
    .await;
    println!("review9 first: {}", describe(&o));
    drop(o);
    tokio::time::sleep(Duration::from_secs(5)).await;
    let o = open_with(
        &world,
        2,
        json!({"resourceSubscriptions": [app_uri("payments"), app_uri("payments")]}),
        &[],
        "localhost:8787",
    )
    .await;
    let second = describe(&o);
    let mut ack = None;
    if let Opened::Stream(mut l) = o {
        ack = l.next(Duration::from_secs(5)).await;
    }
    println!("review9 second (duplicate URIs) after the first left unread: {second}; ack {ack:?}");
    assert_eq!(
        second, "stream",
        "the first, dropped unread, still holds its place"
    );
    tokio::time::sleep(Duration::from_secs(5)).await;
    let (ok, d) = real_one_admitted(&world, 3).await;
    println!("review9 third after the second left after its ack: {d}");
    assert!(
        ok,
        "a subscription that left after its ack still holds its place: {d}"
    );
}

/// URIs that fail after the place is taken give it back; empty-looking filters take none and
/// open no watch.
#[tokio::test]
async fn review9_failing_uris_and_empty_filters_hold_nothing() {
    let world = feed_world("1").await;
    let tries = [
        json!({"resourceSubscriptions": [app_uri("payments"), app_uri("no-such-app")]}),
        json!({"resourceSubscriptions": [app_uri("no-such-app")]}),
        json!({"resourceSubscriptions": [app_uri("guestbook")]}),
        json!({"resourceSubscriptions": [app_uri("payments"), "argocd://nope"]}),
        json!({"toolsListChanged": true, "resourceSubscriptions": []}),
        json!({"resourcesListChanged": false}),
        json!({"promptsListChanged": true, "toolsListChanged": true}),
    ];
    for (i, t) in tries.iter().enumerate() {
        let o = open_with(&world, 10 + i as u64, t.clone(), &[], "localhost:8787").await;
        let d = match o {
            Opened::Stream(mut l) => {
                serde_json::to_string(&l.drain(Duration::from_secs(2)).await).unwrap()
            }
            whole => describe(&whole),
        };
        println!("review9 {t}: {}", d.chars().take(300).collect::<String>());
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    let watches = watch_requests(&world);
    let (ok, d) = real_one_admitted(&world, 50).await;
    println!("review9 after failing and empty filters: watches {watches}; real: {d}");
    assert_eq!(watches, 0, "an empty or refused filter opened a watch");
    assert!(ok, "a failing or empty filter kept a place: {d}");
}

/// When the first read shows no namespace (an Argo CD or proxy answering without one) and the
/// wait names none, the own-app rule has no namespace to hold: events of a same-named app in
/// another namespace count again (the seventh review's amplification).
#[tokio::test]
async fn review9_finding_read_without_namespace_lets_lookalikes_count() {
    let world = syncing(Duration::from_millis(6000)).await;
    if let Some(meta) =
        world.standin.state().apps.get_mut("guestbook").unwrap().app["metadata"].as_object_mut()
    {
        meta.remove("namespace");
    }
    let events = (0..300)
        .map(|i| {
            let health = if i % 2 == 0 { "Degraded" } else { "Missing" };
            json!({"result": {"type": "MODIFIED", "application": {
                "metadata": {"name": "guestbook", "namespace": "team-b"},
                "status": {"health": {"status": health}, "sync": {"status": "OutOfSync"}}
            }}})
        })
        .collect();
    let reads = wait_with_events(
        &world,
        events,
        "300 team-b events, app read without namespace",
    )
    .await;
    assert!(
        reads <= 20,
        "{reads} reads woken by another namespace's app"
    );
}

/// The client gone before the component answers at all (its response slot dropped at the first
/// poll): each agreement still runs in the component; its place must come back.
#[tokio::test]
async fn review9_leaving_before_any_answer_frees_the_place() {
    let world = feed_world("1").await;
    let mut gone = 0;
    for i in 0..3u64 {
        let r = tokio::time::timeout(
            Duration::ZERO,
            open_with(
                &world,
                300 + i,
                json!({"resourceSubscriptions": [app_uri("payments")]}),
                &[],
                "localhost:8787",
            ),
        )
        .await;
        if r.is_err() {
            gone += 1;
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    println!("review9 clients gone before any answer: {gone} of 3");
    tokio::time::sleep(Duration::from_secs(6)).await;
    let (ok, d) = real_one_admitted(&world, 400).await;
    println!("review9 after they left: {d}");
    assert!(
        ok,
        "places held by clients that left before any answer: {d}"
    );
}
