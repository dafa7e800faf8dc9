//! Sixth hostile review: request context (who a request acts as) and the live feed.
//! Each test prints what it found; a test fails only on a real breach of the stated guards,
//! or (named `review6_finding_*`) where it demonstrates a finding.

use std::time::Duration;

use serde_json::{Value, json};

use crate::identity::{call_as, token, user_mode};
use crate::{PASSWORD, World};

use crate::listening::{FLEET, Listening, Opened, WATCH, app_uri, open_with as open};

async fn subscribe(
    world: &World,
    id: u64,
    notifications: Value,
    extra: &[(&str, &str)],
) -> Listening {
    match open(world, id, notifications, extra, "localhost:8787").await {
        Opened::Stream(mut l) => {
            let ack = l.next(Duration::from_secs(15)).await.expect("ack");
            assert_eq!(
                ack["method"], "notifications/subscriptions/acknowledged",
                "{ack}"
            );
            l
        }
        Opened::Whole(status, body) => panic!("refused ({status}): {body}"),
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

async fn wait_watch(world: &World, n: usize) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    while watch_requests(world) < n {
        assert!(tokio::time::Instant::now() < deadline, "no watch opened");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
}

fn service_world_vars(allowed: &str) -> Vec<(&'static str, String)> {
    vec![
        ("argocd_username", "admin".into()),
        ("argocd_password", PASSWORD.into()),
        ("allowed_projects", allowed.into()),
    ]
}

async fn service_world(allowed: &str) -> World {
    let vars = service_world_vars(allowed);
    let vars: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (*k, v.as_str())).collect();
    World::with(host_test::standin::Config::default(), &vars).await
}

/// A fleet subscription (the fleet URI and resourcesListChanged) with ARGOCD_ALLOWED_PROJECTS=payments
/// hears of apps of `payments` only: a change of `guestbook` (default) or an app added to `default`
/// says nothing.
#[tokio::test]
async fn review6_fleet_hears_nothing_of_disallowed_projects() {
    let world = service_world("payments").await;
    let mut l = subscribe(
        &world,
        61,
        json!({"resourceSubscriptions": [FLEET, app_uri("payments")], "resourcesListChanged": true}),
        &[],
    )
    .await;
    wait_watch(&world, 1).await;
    assert!(world.standin.set_health("guestbook", "Degraded"));
    assert!(world.standin.set_sync_status("broken-app", "Synced"));
    let mut newcomer = host_test::standin::fleet::Blueprint::new("intruder");
    newcomer.project = "default".into();
    world.standin.add_app(newcomer);
    assert!(world.standin.remove_app("huge-app"));
    assert!(world.standin.set_health("payments", "Degraded"));
    let heard = l.drain(Duration::from_secs(4)).await;
    println!("review6 fleet heard: {heard:#?}");
    let text = serde_json::to_string(&heard).unwrap();
    for other in ["guestbook", "broken-app", "intruder", "huge-app"] {
        assert!(!text.contains(other), "heard of {other}: {text}");
    }
    assert!(
        heard
            .iter()
            .all(|m| m["method"] != "notifications/resources/list_changed"),
        "a list change for an app of a disallowed project: {text}"
    );
    assert!(
        text.contains("payments"),
        "the allowed change was heard: {text}"
    );
}

/// An app agreed to (project payments) moved to `default` after agreement, then changed: what is
/// heard of it afterwards.
#[tokio::test]
async fn review6_app_moved_out_after_agreement() {
    let mut world = service_world("payments").await;
    let mut l = subscribe(
        &world,
        62,
        json!({"resourceSubscriptions": [app_uri("payments"), FLEET]}),
        &[],
    )
    .await;
    wait_watch(&world, 1).await;
    // Someone else (not this server) moves it: a server without the project guard.
    world.env.variables.remove("allowed_projects");
    let moved = world
        .call(
            "patch_argocd_app",
            json!({"app_name": "payments", "patch": {"spec": {"project": "default"}}, "confirm": true}),
        )
        .await;
    println!("review6 move: {moved}");
    let after_move = l.drain(Duration::from_secs(3)).await;
    println!("review6 heard after the move: {after_move:#?}");
    assert!(world.standin.set_health("payments", "Degraded"));
    assert!(world.standin.set_sync_status("payments", "OutOfSync"));
    let after_change = l.drain(Duration::from_secs(4)).await;
    println!("review6 heard after changes in project default: {after_change:#?}");
    let text = serde_json::to_string(&after_change).unwrap();
    assert!(
        !text.contains("Degraded") && !text.contains("OutOfSync"),
        "a change of an app now in a disallowed project was told: {text}"
    );
}

/// URI tricks: every one refused whole, before any watch; and resources/read of them.
#[tokio::test]
async fn review6_uri_tricks_are_refused() {
    let world = service_world("payments").await;
    let tricks = [
        "argocd://applications/argocd/../payments",
        "argocd://applications/argocd/%70ayments",
        "argocd://applications/argocd/Payments",
        "ARGOCD://applications/argocd/payments",
        "argocd://applications/argocd/payments/",
        "argocd://applications/argocd/payments?x=1",
        "argocd://applications/argocd/payments#x",
        "argocd://applications//payments",
        "argocd://applications/argocd/guestbook",
        "argocd://applications/other-ns/payments",
        "argocd://applications/",
        "argocd://applications/argocd/payments\u{0}",
        "argocd://applications/argocd/pay ments",
        "argocd://applications/argocd/payments ",
        "argocd://Applications",
        "argocd://applications?",
    ];
    let mut opened = Vec::new();
    for (i, uri) in tricks.iter().enumerate() {
        match open(
            &world,
            100 + i as u64,
            json!({"resourceSubscriptions": [uri]}),
            &[],
            "localhost:8787",
        )
        .await
        {
            Opened::Stream(mut l) => {
                let first = l.next(Duration::from_secs(2)).await;
                opened.push(format!("{uri:?}: {first:?}"));
            }
            Opened::Whole(status, body) => {
                println!("review6 {uri:?}: {status} {}", body["error"]["message"])
            }
        }
    }
    assert!(opened.is_empty(), "streams opened: {opened:#?}");
    assert_eq!(watch_requests(&world), 0);
}

/// resources/read of an app outside ARGOCD_ALLOWED_PROJECTS (the project guard is for writes
/// and subscriptions; reads follow the tools).
#[tokio::test]
async fn review6_reads_of_disallowed_project() {
    let world = service_world("payments").await;
    let (status, read) = world
        .modern("resources/read", json!({"uri": app_uri("guestbook")}))
        .await;
    println!(
        "review6 read guestbook (project default) with allowed=payments: {status} {}",
        read.to_string().chars().take(300).collect::<String>()
    );
    let (status, fleet) = world.modern("resources/read", json!({"uri": FLEET})).await;
    let text = fleet.to_string();
    println!(
        "review6 read fleet: {status}; names guestbook: {}",
        text.contains("guestbook")
    );
}

/// A refusal is a whole JSON-RPC error naming the limit's setting.
fn refused_by(opened: &Opened, setting: &str) -> bool {
    match opened {
        Opened::Whole(_, body) => body["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains(setting)),
        Opened::Stream(_) => false,
    }
}

/// Reads of the app by name at the stand-in (each agreement reads its apps once).
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

/// Found by this review: one client opened 40 subscriptions, 40 watches on Argo CD. Now the
/// server holds at most ARGOCD_FEED_MAX_SUBSCRIPTIONS, counted in the store: twelve arriving at
/// once (each request its own instance of the component) for three places get exactly three;
/// the nine refused are refused before any app is read; a client leaving gives its place back.
#[tokio::test]
async fn review6_subscriptions_are_bounded_for_the_server() {
    let mut world = service_world("payments").await;
    world.set("feed_max_subscriptions", "3");
    let payments = json!({"resourceSubscriptions": [app_uri("payments")]});
    let reads_before = app_reads(&world, "payments");
    let arriving =
        (0..12u64).map(|i| open(&world, 1000 + i, payments.clone(), &[], "localhost:8787"));
    let outcomes = futures_util::future::join_all(arriving).await;
    let refused = outcomes
        .iter()
        .filter(|o| refused_by(o, "ARGOCD_FEED_MAX_SUBSCRIPTIONS"))
        .count();
    let mut open_ones: Vec<Listening> = outcomes
        .into_iter()
        .filter_map(|o| match o {
            Opened::Stream(l) => Some(l),
            Opened::Whole(..) => None,
        })
        .collect();
    println!(
        "review6 twelve at once for three places: {} open, {refused} refused",
        open_ones.len()
    );
    assert_eq!(open_ones.len(), 3);
    assert_eq!(refused, 9, "every other one refused, naming the limit");
    assert_eq!(
        app_reads(&world, "payments") - reads_before,
        3,
        "a refused subscription read no app"
    );
    wait_watch(&world, 3).await;
    assert_eq!(world.standin.open_watches(), 3);

    // One client leaves: its watch closes and its place is free again, for exactly one.
    drop(open_ones.pop());
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    let reopened = loop {
        match open(&world, 2000, payments.clone(), &[], "localhost:8787").await {
            Opened::Stream(l) => break l,
            refused => assert!(
                refused_by(&refused, "ARGOCD_FEED_MAX_SUBSCRIPTIONS"),
                "refused for another reason"
            ),
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the place of a client who left never came back"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert!(refused_by(
        &open(&world, 2001, payments.clone(), &[], "localhost:8787").await,
        "ARGOCD_FEED_MAX_SUBSCRIPTIONS"
    ));
    drop(reopened);
}

/// In user mode each caller (one subject, whatever token) holds at most
/// ARGOCD_FEED_MAX_PER_CALLER; another caller is not held back by them.
#[tokio::test]
async fn review6_subscriptions_are_bounded_per_caller() {
    let mut world = user_mode(&[]).await;
    world.set("feed_max_per_caller", "2");
    let alice = format!("Bearer {}", token(&world, "alice"));
    // Another token of alice's (signed apart, with its own id).
    let alice_again = {
        let mut state = world.standin.state();
        let mut claims = state.idp.claims_for(
            "alice",
            &[crate::identity::RESOURCE],
            3600,
            "openid profile email groups",
        );
        claims["jti"] = json!("alice-second-token");
        format!("Bearer {}", state.idp.sign(&claims))
    };
    assert_ne!(alice, alice_again);
    let bob = format!("Bearer {}", token(&world, "bob"));
    let payments = json!({"resourceSubscriptions": [app_uri("payments")]});
    let _first = subscribe(&world, 1, payments.clone(), &[("authorization", &alice)]).await;
    let _second = subscribe(
        &world,
        2,
        payments.clone(),
        &[("authorization", &alice_again)],
    )
    .await;
    let third = open(
        &world,
        3,
        payments.clone(),
        &[("authorization", &alice)],
        "localhost:8787",
    )
    .await;
    assert!(
        refused_by(&third, "ARGOCD_FEED_MAX_PER_CALLER"),
        "alice's third subscription, with either of her tokens, is refused"
    );
    let _bobs = subscribe(
        &world,
        4,
        json!({"resourceSubscriptions": [FLEET]}),
        &[("authorization", &bob)],
    )
    .await;
}

/// The bearer and Host checks on the stream path.
#[tokio::test]
async fn review6_stream_path_keeps_bearer_and_host() {
    let mut world = service_world("payments").await;
    world.set("mcp_auth_token", "b3arer-of-review6");
    let n = json!({"resourceSubscriptions": [app_uri("payments")]});
    for (extra, host) in [
        (vec![], "localhost:8787"),
        (vec![("authorization", "Bearer wrong")], "localhost:8787"),
        (
            vec![("authorization", "Bearer b3arer-of-review6")],
            "evil.example:8787",
        ),
        (
            vec![
                ("authorization", "Bearer b3arer-of-review6"),
                ("origin", "http://evil.example"),
            ],
            "localhost:8787",
        ),
    ] {
        match open(&world, 7, n.clone(), &extra, host).await {
            Opened::Stream(_) => panic!("a stream opened for {extra:?} {host}"),
            Opened::Whole(status, _) => {
                println!("review6 stream refused {status} for {extra:?} {host}")
            }
        }
    }
    assert_eq!(watch_requests(&world), 0);
    assert!(
        world
            .standin
            .requests()
            .iter()
            .all(|r| !r.path.starts_with("/api/v1/applications")),
        "Argo CD was asked before the bearer was checked"
    );
    let _ = subscribe(
        &world,
        8,
        n,
        &[("authorization", "Bearer b3arer-of-review6")],
    )
    .await;
}

/// User mode with an ARGOCD_TOKEN also configured: the caller (bob, a viewer) must act as bob:
/// a profile is refused, and every request a subscription makes carries bob's exchanged token,
/// never the configured one.
#[tokio::test]
async fn review6_user_mode_subscription_never_uses_the_configured_account() {
    let world = user_mode(&[]).await;
    let configured = world.standin.api_token("admin", None);
    let mut world = world;
    world.set("argocd_token", &configured);
    let bob = token(&world, "bob");
    let alice = token(&world, "alice");
    let (status, answer) = call_as(
        &world,
        &bob,
        "list_argocd_apps",
        json!({"profile": "default"}),
    )
    .await;
    println!(
        "review6 bob with profile: {status} {}",
        answer.to_string().chars().take(300).collect::<String>()
    );
    assert!(
        answer.to_string().contains("cannot be chosen")
            || status != 200
            || answer["result"]["isError"] == true,
        "{answer}"
    );

    let bob_auth = format!("Bearer {bob}");
    // bob may not see payments (alice's group deploys it): refused, or at least never with admin's token.
    match open(
        &world,
        9,
        json!({"resourceSubscriptions": [app_uri("payments")]}),
        &[("authorization", &bob_auth)],
        "localhost:8787",
    )
    .await
    {
        Opened::Stream(mut l) => println!(
            "review6 bob subscribed to payments: {:?}",
            l.next(Duration::from_secs(2)).await
        ),
        Opened::Whole(status, body) => println!(
            "review6 bob refused payments: {status} {}",
            body["error"]["message"]
        ),
    }
    let mut l = subscribe(
        &world,
        10,
        json!({"resourceSubscriptions": [FLEET], "resourcesListChanged": true}),
        &[("authorization", &bob_auth)],
    )
    .await;
    wait_watch(&world, 1).await;
    assert!(world.standin.set_health("payments", "Degraded"));
    let heard = l.drain(Duration::from_secs(3)).await;
    println!("review6 bob's fleet heard: {heard:#?}");
    let used_configured: Vec<String> = world
        .standin
        .requests()
        .iter()
        .filter(|r| {
            r.path.starts_with("/api/v1/")
                && r.authorization.as_deref() == Some(&format!("Bearer {configured}"))
        })
        .map(|r| r.path.clone())
        .collect();
    assert!(
        used_configured.is_empty(),
        "the configured token was used for: {used_configured:?}"
    );
    let _ = alice;
}

/// A subscription ends at the caller's token expiry (a token of the provider valid for 6 s).
#[tokio::test]
async fn review6_subscription_ends_at_token_expiry() {
    let world = user_mode(&[]).await;
    let short = {
        let mut state = world.standin.state();
        let claims = state.idp.claims_for(
            "alice",
            &[crate::identity::RESOURCE],
            6,
            "openid profile email groups",
        );
        state.idp.sign(&claims)
    };
    let auth = format!("Bearer {short}");
    let started = std::time::Instant::now();
    let mut l = subscribe(
        &world,
        77,
        json!({"resourceSubscriptions": [app_uri("payments")]}),
        &[("authorization", &auth)],
    )
    .await;
    let mut ended = None;
    while started.elapsed() < Duration::from_secs(30) {
        match l.next(Duration::from_secs(30)).await {
            Some(m) if m.get("result").is_some() => {
                ended = Some(started.elapsed());
                break;
            }
            Some(_) => {}
            None => {
                ended = Some(started.elapsed());
                break;
            }
        }
    }
    println!("review6 subscription with a 6 s token ended after {ended:?}");
    assert!(
        ended.is_some_and(|d| d < Duration::from_secs(15)),
        "{ended:?}"
    );
}
