//! Seventh hostile review: subscription limits, waiting on the watch, approvals bound to where
//! the app stands. A test named `review7_finding_*` asserts the guarded behaviour and fails
//! while the breach it reproduces is there; the others found the guard holding and pass.

use std::time::Duration;

use serde_json::{Value, json};

use crate::identity::{token, user_mode};
use crate::modern::{mirrored, modern_body};
use crate::{PASSWORD, World};

use crate::listening::{Opened, app_uri};
use crate::progress::syncing;

impl Opened {
    fn describe(&self) -> String {
        match self {
            Opened::Stream(_) => "stream".into(),
            Opened::Whole(status, body) => format!("{status} {}", body["error"]["message"]),
        }
    }
}

async fn open(world: &World, id: u64, notifications: Value, extra: &[(&str, &str)]) -> Opened {
    crate::listening::open_with(world, id, notifications, extra, "localhost:8787").await
}

fn refused_by(opened: &Opened, setting: &str) -> bool {
    match opened {
        Opened::Whole(_, body) => body["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains(setting)),
        Opened::Stream(_) => false,
    }
}

async fn service_world(allowed: &str) -> World {
    World::with(
        host_test::standin::Config::default(),
        &[
            ("argocd_username", "admin"),
            ("argocd_password", PASSWORD),
            ("allowed_projects", allowed),
        ],
    )
    .await
}

/// Opens a subscription and reads it to its end (ack, then the closing result when it closes
/// at once), returning what it heard.
async fn open_and_read(
    world: &World,
    id: u64,
    notifications: Value,
    extra: &[(&str, &str)],
) -> String {
    match open(world, id, notifications, extra).await {
        Opened::Stream(mut l) => {
            let heard = l.drain(Duration::from_secs(3)).await;
            serde_json::to_string(&heard).unwrap()
        }
        whole => whole.describe(),
    }
}

/// FINDING: a `subscriptions/listen` whose filter asks for nothing this server honours
/// (`{}`, or `toolsListChanged`/`promptsListChanged` only) is agreed to: a place is taken
/// under the limits, the agreed filter is empty, so `follow` never calls the provider's
/// `listen`, and the place is never given back (it frees only when the window after next
/// begins). The stream closes at once, so a client can take every place in a loop of quick
/// requests: the server then refuses every real subscription for one to two minutes, and
/// again and again as the loop goes on. A denial of service for anyone who can reach the
/// endpoint (the bearer's holder, or in user mode as many callers as the server limit allows).
#[tokio::test]
async fn review7_finding_empty_filter_leaks_its_place() {
    let mut world = service_world("payments").await;
    world.set("feed_max_subscriptions", "3");
    for (i, n) in [
        json!({}),
        json!({"toolsListChanged": true}),
        json!({"promptsListChanged": true, "resourceSubscriptions": []}),
    ]
    .into_iter()
    .enumerate()
    {
        let heard = open_and_read(&world, 10 + i as u64, n.clone(), &[]).await;
        println!(
            "review7 empty-ish filter {n}: {}",
            heard.chars().take(400).collect::<String>()
        );
    }
    // Every one of those streams has ended. Nobody holds a subscription now.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let real = open(
        &world,
        20,
        json!({"resourceSubscriptions": [app_uri("payments")]}),
        &[],
    )
    .await;
    println!(
        "review7 a real subscription after three empty ones ended: {}",
        real.describe()
    );
    assert!(
        matches!(real, Opened::Stream(_)),
        "three subscriptions that asked for nothing and ended at once still hold every place: {}",
        real.describe()
    );
}

// ---------------------------------------------------------------------------------------------
// Waiting on the watch
// ---------------------------------------------------------------------------------------------

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

/// FINDING (request amplification): the wait's watch judges every event it gets against the
/// app's last read without asking which app the event is of. Without `app_namespace` the watch
/// covers every enabled namespace (api-notes §d: "Empty means all enabled namespaces"), so an
/// app of the same name elsewhere, or anything in between answering the watch with more than
/// the one app, wakes a read of the app for each of its events. Here the watch answers with 300
/// events of `guestbook` in namespace `team-b` (health flipping) while a sync of
/// `argocd/guestbook` runs 6 s: polling read it about 5 times; on the watch, once per event.
#[tokio::test]
async fn review7_finding_wait_reads_the_app_for_events_of_another_app() {
    use host_test::standin::{Fault, FaultRule};
    let world = syncing(Duration::from_millis(6000)).await;
    let mut events = String::new();
    for i in 0..300 {
        let health = if i % 2 == 0 { "Degraded" } else { "Healthy" };
        events.push_str(
            &json!({"result": {"type": "MODIFIED", "application": {
                "metadata": {"name": "guestbook", "namespace": "team-b"},
                "status": {"health": {"status": health}, "sync": {"status": "OutOfSync"}}
            }}})
            .to_string(),
        );
        events.push('\n');
    }
    world.standin.inject(FaultRule::new(
        Some("GET"),
        "/api/v1/stream/applications",
        Fault::Stall(events),
    ));
    let before = app_reads(&world, "guestbook");
    let started = std::time::Instant::now();
    let outcome = world
        .call(
            "wait_for_argocd_operation",
            json!({"app_name": "guestbook", "timeout_seconds": 30}),
        )
        .await;
    let reads = app_reads(&world, "guestbook") - before;
    println!(
        "review7 a 6 s wait whose watch carries 300 events of guestbook in team-b: {reads} reads in {:?}; {}",
        started.elapsed(),
        outcome.to_string().chars().take(300).collect::<String>()
    );
    assert!(
        reads <= 20,
        "{reads} reads of argocd/guestbook, woken by events of another app"
    );
}

/// A watch whose head never comes (a proxy holding it): how long a wait of 3 s takes, and that
/// it still ends with the right verdict. Generous bound: the wait may overrun by a request
/// timeout or two (15 s each), never much more.
#[tokio::test]
async fn review7_wait_with_a_watch_that_never_answers() {
    use host_test::standin::{Fault, FaultRule};
    let world = syncing(Duration::from_secs(120)).await;
    world.standin.inject(FaultRule::new(
        Some("GET"),
        "/api/v1/stream/applications",
        Fault::Hang,
    ));
    let started = std::time::Instant::now();
    let outcome = world
        .call(
            "wait_for_argocd_operation",
            json!({"app_name": "guestbook", "timeout_seconds": 3}),
        )
        .await;
    let took = started.elapsed();
    println!(
        "review7 a 3 s wait whose watch hangs took {took:?}: {}",
        outcome.to_string().chars().take(400).collect::<String>()
    );
    assert!(outcome.to_string().contains("timed_out"), "{outcome}");
    assert!(took < Duration::from_secs(50), "{took:?}");
}

// ---------------------------------------------------------------------------------------------
// Approvals
// ---------------------------------------------------------------------------------------------

fn asking(params: &Value) -> Value {
    let mut body = modern_body(9, "tools/call", params.clone());
    body["params"]["_meta"]["io.modelcontextprotocol/clientCapabilities"] =
        json!({"elicitation": {"form": {}}});
    body
}

async fn modern_call(world: &World, params: &Value) -> Value {
    let body = asking(params);
    world.post(&body, &mirrored(&body)).await.1
}

fn forget_spent(world: &World) -> usize {
    let mut n = 0;
    for key in world.env.kv.keys().unwrap() {
        if key.starts_with("argocd-mcp/approval/spent/") {
            world.env.kv.delete(&key).unwrap();
            n += 1;
        }
    }
    n
}

async fn approval_world() -> World {
    World::with(
        host_test::standin::Config::default(),
        &[
            ("argocd_username", "admin"),
            ("argocd_password", PASSWORD),
            ("require_approval", "true"),
        ],
    )
    .await
}

/// Asks, answers yes, runs; returns the retry (the sealed yes) and what the run answered.
async fn approve_and_run(world: &World, call: &Value) -> (Value, Value) {
    let asked = modern_call(world, call).await;
    assert_eq!(asked["result"]["resultType"], "input_required", "{asked}");
    println!(
        "review7 asked: {}",
        asked["result"]["inputRequests"]["approval"]["params"]["message"]
    );
    let mut retry = call.clone();
    retry["requestState"] = asked["result"]["requestState"].clone();
    retry["inputResponses"] =
        json!({"approval": {"action": "accept", "content": {"approve": true}}});
    let ran = modern_call(world, &retry).await;
    (retry, ran)
}

fn count(world: &World, method: &str, path: &str) -> usize {
    world
        .standin
        .requests()
        .iter()
        .filter(|r| r.method == method && r.path.starts_with(path))
        .count()
}

/// FINDING: `create_argocd_app`'s question states no app as it stands (it names no `app_name`),
/// so after the app it created is deleted (by anyone), a store writer deleting the yes's spent
/// marker has the same yes create it again within its 10 minutes, nobody asked. The README
/// names only a resource action as able to run twice.
#[ignore = "issue 19, open and documented (seventh review): a store writer deleting the spent marker lets a create run again once the app was deleted; nothing outside the store tells it from the first"]
#[tokio::test]
async fn review7_finding_a_create_replayed_after_the_app_was_deleted_runs_again() {
    let world = approval_world().await;
    let create = json!({"name": "create_argocd_app", "arguments": {
        "name": "review7-app", "project": "default",
        "repo_url": "https://github.com/argoproj/argocd-example-apps.git",
        "path": "guestbook", "dest_namespace": "review7", "confirm": true}});
    let (retry, ran) = approve_and_run(&world, &create).await;
    assert_eq!(ran["result"]["isError"], false, "{ran}");
    let posts = count(&world, "POST", "/api/v1/applications");
    assert!(world.standin.app("review7-app").is_some());
    // The app goes (someone deletes it; here as if by hand).
    assert!(world.standin.remove_app("review7-app"));
    let forgot = forget_spent(&world);
    let replayed = modern_call(&world, &retry).await;
    println!(
        "review7 create replayed after {forgot} spent marker(s) deleted: {} ; app back: {}",
        replayed.to_string().chars().take(300).collect::<String>(),
        world.standin.app("review7-app").is_some()
    );
    assert_eq!(
        replayed["result"]["resultType"], "input_required",
        "the replayed yes created the app again: {replayed}"
    );
    assert_eq!(count(&world, "POST", "/api/v1/applications"), posts);
}

/// Fixed: the question states the app's object uid, which a recreated app does not share.
/// FINDING (narrow): a delete's question states the app's generation and last operation; an
/// app recreated under the same name (an ApplicationSet regenerating it, someone applying the
/// same manifest) stands as the deleted one stood (a new object's generation starts again;
/// no operation yet), so the delete's yes, its spent marker deleted, deletes the new app too.
#[tokio::test]
async fn review7_finding_a_delete_replayed_on_a_recreated_app_runs_again() {
    let world = approval_world().await;
    let blueprint = host_test::standin::fleet::Blueprint::new("review7-doomed");
    world.standin.add_app(blueprint.clone());
    let delete = json!({"name": "delete_argocd_app", "arguments": {
        "app_name": "review7-doomed", "cascade": true, "confirm": true}});
    let (retry, ran) = approve_and_run(&world, &delete).await;
    println!(
        "review7 delete ran: {}",
        ran.to_string().chars().take(200).collect::<String>()
    );
    assert_eq!(ran["result"]["isError"], false, "{ran}");
    let deletes = count(&world, "DELETE", "/api/v1/applications/review7-doomed");
    tokio::time::sleep(Duration::from_secs(1)).await;
    // Gone (the stand-in may keep it a moment with a deletionTimestamp): recreated as it was.
    world.standin.remove_app("review7-doomed");
    world.standin.add_app(blueprint);
    forget_spent(&world);
    let replayed = modern_call(&world, &retry).await;
    println!(
        "review7 delete replayed on the recreated app: {}",
        replayed.to_string().chars().take(300).collect::<String>()
    );
    assert_eq!(
        replayed["result"]["resultType"], "input_required",
        "the replayed yes deleted the recreated app: {replayed}"
    );
    assert_eq!(
        count(&world, "DELETE", "/api/v1/applications/review7-doomed"),
        deletes
    );
}

/// Honest users: between the question and the yes the app's health and sync status change
/// (a reconcile) while nothing the person approved changed: the yes still runs.
#[tokio::test]
async fn review7_a_yes_survives_a_reconcile_between_ask_and_answer() {
    let world = approval_world().await;
    let sync = json!({"name": "sync_argocd_app",
                      "arguments": {"app_name": "guestbook", "confirm": true}});
    let asked = modern_call(&world, &sync).await;
    assert_eq!(asked["result"]["resultType"], "input_required", "{asked}");
    assert!(world.standin.set_health("guestbook", "Degraded"));
    assert!(world.standin.set_sync_status("guestbook", "OutOfSync"));
    // A refresh through the tools too (read-only: no approval).
    let refreshed = modern_call(
        &world,
        &json!({"name": "refresh_argocd_app", "arguments": {"app_name": "guestbook"}}),
    )
    .await;
    println!(
        "review7 refresh between ask and yes: {}",
        refreshed.to_string().chars().take(200).collect::<String>()
    );
    let mut retry = sync.clone();
    retry["requestState"] = asked["result"]["requestState"].clone();
    retry["inputResponses"] =
        json!({"approval": {"action": "accept", "content": {"approve": true}}});
    let ran = modern_call(&world, &retry).await;
    println!(
        "review7 the yes after a reconcile: {}",
        ran.to_string().chars().take(300).collect::<String>()
    );
    assert_eq!(
        ran["result"]["isError"], false,
        "the honest yes was refused: {ran}"
    );
}

// ---------------------------------------------------------------------------------------------
// Subscription limits, more
// ---------------------------------------------------------------------------------------------

fn alice_token(world: &World, jti: &str) -> String {
    let mut state = world.standin.state();
    let mut claims = state.idp.claims_for(
        "alice",
        &[crate::identity::RESOURCE],
        3600,
        "openid profile email groups",
    );
    claims["jti"] = json!(jti);
    format!("Bearer {}", state.idp.sign(&claims))
}

/// The same leak in user mode: alice's two empty subscriptions, ended at once, hold both her
/// places (ARGOCD_FEED_MAX_PER_CALLER=2), so her own real subscription is refused.
#[tokio::test]
async fn review7_finding_empty_filter_locks_out_its_caller() {
    let mut world = user_mode(&[]).await;
    world.set("feed_max_per_caller", "2");
    let alice = format!("Bearer {}", token(&world, "alice"));
    for id in 0..2 {
        let heard = open_and_read(&world, 30 + id, json!({}), &[("authorization", &alice)]).await;
        println!(
            "review7 alice empty {id}: {}",
            heard.chars().take(200).collect::<String>()
        );
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    let real = open(
        &world,
        40,
        json!({"resourceSubscriptions": [app_uri("payments")]}),
        &[("authorization", &alice)],
    )
    .await;
    println!(
        "review7 alice's real subscription after two empty ones ended: {}",
        real.describe()
    );
    assert!(
        matches!(real, Opened::Stream(_)),
        "alice's ended empty subscriptions still hold her places: {}",
        real.describe()
    );
}

/// Twelve of alice's subscriptions at once, each with its own token (its own jti), for her
/// two places: exactly two open, the rest refused naming ARGOCD_FEED_MAX_PER_CALLER; bob is
/// not held back.
#[tokio::test]
async fn review7_many_tokens_of_one_person_racing() {
    let mut world = user_mode(&[]).await;
    world.set("feed_max_per_caller", "2");
    let tokens: Vec<String> = (0..12)
        .map(|i| alice_token(&world, &format!("r7-{i}")))
        .collect();
    let payments = json!({"resourceSubscriptions": [app_uri("payments")]});
    let outcomes = futures_util::future::join_all(tokens.iter().enumerate().map(|(i, t)| {
        let payments = payments.clone();
        let world = &world;
        async move {
            open(
                world,
                100 + i as u64,
                payments,
                &[("authorization", t.as_str())],
            )
            .await
        }
    }))
    .await;
    let streams = outcomes
        .iter()
        .filter(|o| matches!(o, Opened::Stream(_)))
        .count();
    let refused = outcomes
        .iter()
        .filter(|o| refused_by(o, "ARGOCD_FEED_MAX_PER_CALLER"))
        .count();
    let others: Vec<String> = outcomes
        .iter()
        .filter(|o| !matches!(o, Opened::Stream(_)) && !refused_by(o, "ARGOCD_FEED_MAX_PER_CALLER"))
        .map(Opened::describe)
        .collect();
    println!("review7 alice x12 tokens: {streams} open, {refused} refused, others {others:?}");
    assert_eq!(streams, 2);
    assert_eq!(refused, 10);
    let bob = format!("Bearer {}", token(&world, "bob"));
    let bobs = open(
        &world,
        200,
        json!({"resourceSubscriptions": ["argocd://applications"]}),
        &[("authorization", &bob)],
    )
    .await;
    println!("review7 bob meanwhile: {}", bobs.describe());
    assert!(matches!(bobs, Opened::Stream(_)));
    drop(outcomes);
}

/// One place (ARGOCD_FEED_MAX_SUBSCRIPTIONS=1) held across a window boundary (real clock):
/// after the boundary a newcomer is still refused; when the holder leaves, the place comes
/// back within seconds. Also: a subscription that failed after its place was taken (an app
/// that cannot be read) gives it back.
#[tokio::test]
async fn review7_a_place_held_across_a_window_boundary() {
    let mut world = service_world("payments").await;
    world.set("feed_max_subscriptions", "1");
    let payments = json!({"resourceSubscriptions": [app_uri("payments")]});
    // Fails after its place was taken: an unknown app, and one outside the allowed projects.
    for (i, bad) in ["no-such-app", "guestbook"].iter().enumerate() {
        let o = open(
            &world,
            300 + i as u64,
            json!({"resourceSubscriptions": [app_uri("payments"), app_uri(bad)]}),
            &[],
        )
        .await;
        println!("review7 {bad}: {}", o.describe());
        assert!(!matches!(o, Opened::Stream(_)));
    }
    let mut holder = match open(&world, 310, payments.clone(), &[]).await {
        Opened::Stream(l) => l,
        other => panic!(
            "the one place was not free after failed subscriptions: {}",
            other.describe()
        ),
    };
    let now_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64;
    let to_boundary = 60_000 - now_ms % 60_000;
    println!("review7 holding across the boundary in {to_boundary} ms");
    // Keep reading the holder's stream while the clock passes the boundary.
    let _ = holder
        .drain(Duration::from_millis(to_boundary + 5_000))
        .await;
    let _ = holder.next(Duration::from_millis(1)).await;
    let newcomer = open(&world, 311, payments.clone(), &[]).await;
    println!(
        "review7 newcomer after the boundary: {}",
        newcomer.describe()
    );
    assert!(
        refused_by(&newcomer, "ARGOCD_FEED_MAX_SUBSCRIPTIONS"),
        "a newcomer took the held place after a window boundary"
    );
    drop(newcomer);
    drop(holder);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(25);
    loop {
        match open(&world, 312, payments.clone(), &[]).await {
            Opened::Stream(_) => break,
            other => {
                assert!(
                    tokio::time::Instant::now() < deadline,
                    "the place never came back after the holder left: {}",
                    other.describe()
                );
            }
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    println!("review7 the place came back after the holder left");
}

/// Fixed: the question states the resource's object uid, which a recreated one does not share.
/// FINDING (README says "a deleted app or resource is not there to act on twice"): a resource
/// that comes back under the same name without an operation of the app (a StatefulSet's pod
/// `web-0`, a Deployment's ReplicaSet, anything another controller recreates) stands in an app
/// whose generation and last operation did not move, so `delete_argocd_resource`'s yes, its
/// spent marker deleted, deletes it again. Here the stand-in's next reconcile brings the
/// ConfigMap back as its blueprint has it.
#[tokio::test]
async fn review7_finding_a_resource_delete_replayed_on_a_recreated_resource_runs_again() {
    let world = approval_world().await;
    let delete = json!({"name": "delete_argocd_resource", "arguments": {
        "app_name": "guestbook", "kind": "ConfigMap", "resource_name": "guestbook",
        "namespace": "guestbook", "confirm": true}});
    let (retry, ran) = approve_and_run(&world, &delete).await;
    assert_eq!(ran["result"]["isError"], false, "{ran}");
    let deletes = count(&world, "DELETE", "/api/v1/applications/guestbook/resource");
    // Recreated with the same name by something else than a sync of the app.
    assert!(world.standin.set_health("guestbook", "Healthy"));
    forget_spent(&world);
    let replayed = modern_call(&world, &retry).await;
    println!(
        "review7 resource delete replayed on the recreated ConfigMap: {}",
        replayed.to_string().chars().take(300).collect::<String>()
    );
    assert_eq!(
        count(&world, "DELETE", "/api/v1/applications/guestbook/resource"),
        deletes,
        "the replayed yes deleted the recreated resource again: {replayed}"
    );
}

/// FINDING: `create_argocd_app` with `upsert` over an existing app states where that app
/// deploys (source and destination) but not where it stands (no generation): after someone
/// changed the app in a way the question does not show (here its sync policy and Helm values,
/// with the generation raised as Kubernetes does), the upsert's yes, its spent marker deleted,
/// replaces the app again and undoes that change, nobody asked.
#[tokio::test]
async fn review7_finding_an_upsert_replayed_after_the_app_changed_runs_again() {
    let world = approval_world().await;
    let existing = world.standin.app("guestbook").expect("guestbook");
    let source = &existing["spec"]["source"];
    let upsert = json!({"name": "create_argocd_app", "arguments": {
        "name": "guestbook", "project": "default",
        "repo_url": source["repoURL"], "path": source["path"],
        "target_revision": source["targetRevision"],
        "dest_server": existing["spec"]["destination"]["server"],
        "dest_namespace": existing["spec"]["destination"]["namespace"],
        "auto_sync": true, "upsert": true, "confirm": true}});
    let (retry, ran) = approve_and_run(&world, &upsert).await;
    assert_eq!(ran["result"]["isError"], false, "{ran}");
    let writes = |world: &World| {
        world
            .standin
            .requests()
            .iter()
            .filter(|r| {
                (r.method == "POST" || r.method == "PUT")
                    && r.path.starts_with("/api/v1/applications")
                    && !r.path.contains("/sync")
            })
            .count()
    };
    let before = writes(&world);
    // Someone else changes the app (as a kubectl edit would): no auto-sync, other values.
    {
        let mut state = world.standin.state();
        let record = state.apps.get_mut("guestbook").unwrap();
        record.app["spec"]["syncPolicy"] = json!({});
        record.app["spec"]["source"]["helm"] = json!({"values": "replicas: 5"});
        let generation = record.app["metadata"]["generation"].as_u64().unwrap_or(1);
        record.app["metadata"]["generation"] = json!(generation + 1);
    }
    forget_spent(&world);
    let replayed = modern_call(&world, &retry).await;
    let after = world.standin.app("guestbook").unwrap();
    println!(
        "review7 upsert replayed after the app changed: {} ; syncPolicy now {}",
        replayed.to_string().chars().take(300).collect::<String>(),
        after["spec"]["syncPolicy"]
    );
    assert_eq!(
        replayed["result"]["resultType"], "input_required",
        "the replayed upsert replaced the changed app again: {replayed}"
    );
    assert_eq!(writes(&world), before);
}

/// The empty-filter leak at the default limit (ARGOCD_FEED_MAX_SUBSCRIPTIONS=100): a hundred
/// quick `{"notifications": {}}` listens, each ended at once, leave the server refusing every
/// real subscription; printed: how long until one opens again (the places free when the window
/// after next begins, 60–120 s; a client repeating the burst keeps the feed shut).
#[tokio::test]
async fn review7_finding_empty_filter_exhausts_the_default_limit() {
    let world = service_world("payments").await;
    for batch in 0..10u64 {
        let burst =
            (0..10u64).map(|i| open_and_read(&world, 1000 + batch * 10 + i, json!({}), &[]));
        futures_util::future::join_all(burst).await;
    }
    let payments = json!({"resourceSubscriptions": [app_uri("payments")]});
    let started = std::time::Instant::now();
    let first = open(&world, 2000, payments.clone(), &[]).await;
    println!(
        "review7 a real subscription after 100 empty ones ended: {}",
        first.describe()
    );
    let first_opened = matches!(first, Opened::Stream(_));
    drop(first);
    if !first_opened {
        loop {
            tokio::time::sleep(Duration::from_secs(5)).await;
            if let Opened::Stream(_) = open(&world, 2001, payments.clone(), &[]).await {
                println!(
                    "review7 the feed opened again after {:?}",
                    started.elapsed()
                );
                break;
            }
            if started.elapsed() > Duration::from_secs(150) {
                println!(
                    "review7 the feed was still shut after {:?}",
                    started.elapsed()
                );
                break;
            }
        }
    }
    assert!(
        first_opened,
        "100 ended empty subscriptions shut the feed for everyone"
    );
}
