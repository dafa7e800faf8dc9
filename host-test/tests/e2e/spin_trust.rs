//! Trust, round two, on real Spin where the host matters: many instances at once, and two nodes
//! on one Redis store. Skipped (saying so) without a Spin binary or `redis-server`.

use std::process::{Command, Stdio};

use host_test::spin::{SpinNode, app_dir, free_port, redis_runtime_config};
use serde_json::{Value, json};

use crate::modern::{mirrored, modern_body};
use crate::spin::{
    MCP_HEADERS, borrowed, exchange, fresh_standin, login_variables, redis, spin_binary,
};

/// A 2026-07-28 tools/call as raw headers and body, from a client that can ask a person.
fn modern_call(params: &Value, bearer: Option<&str>) -> (String, String) {
    let mut body = modern_body(5, "tools/call", params.clone());
    body["params"]["_meta"]["io.modelcontextprotocol/clientCapabilities"] =
        json!({"elicitation": {"form": {}}});
    let mut headers = MCP_HEADERS.to_owned();
    for (name, value) in mirrored(&body) {
        headers.push_str(&format!("{name}: {value}\r\n"));
    }
    if let Some(token) = bearer {
        headers.push_str(&format!("Authorization: Bearer {token}\r\n"));
    }
    (headers, body.to_string())
}

fn post(port: u16, (headers, body): &(String, String)) -> Value {
    let (status, answer) = exchange(port, "POST", "/mcp", headers, body);
    assert_eq!(status, 200, "{answer}");
    serde_json::from_str(&answer).unwrap_or_else(|_| panic!("{answer}"))
}

/// Two Spin nodes sharing an emptied Redis store, logging in to a fresh stand-in's admin with
/// approvals required; `None` (the test says it is skipped) without Spin or `redis-server`.
pub(crate) struct TwoNodesOnRedis {
    pub standin: host_test::standin::StandIn,
    pub nodes: [SpinNode; 2],
    pub redis_port: u16,
    /// Redis runs while this is held.
    _redis: host_test::spin::Killed,
}

pub(crate) async fn two_nodes_on_redis_with_approvals(test: &str) -> Option<TwoNodesOnRedis> {
    two_nodes_on_redis(test, &[("require_approval", "true")]).await
}

/// Two Spin nodes sharing an emptied Redis store, logging in to a fresh stand-in's admin, with
/// `settings` besides; `None` (the test says it is skipped) without Spin or `redis-server`.
pub(crate) async fn two_nodes_on_redis(
    test: &str,
    settings: &[(&'static str, &str)],
) -> Option<TwoNodesOnRedis> {
    let spin = spin_binary(test)?;
    let (redis, redis_port) = redis(test)?;
    let _ = Command::new("redis-cli")
        .args(["-p", &redis_port.to_string(), "flushall"])
        .stdout(Stdio::null())
        .status();
    let standin = fresh_standin().await;
    let mut variables = login_variables(&standin, "password");
    variables.extend(
        settings
            .iter()
            .map(|(name, value)| (*name, value.to_string())),
    );
    let dir = app_dir(test);
    let config = redis_runtime_config(&dir, redis_port);
    let nodes = [
        SpinNode::start(&spin, &dir, &borrowed(&variables), Some(&config)),
        SpinNode::start(&spin, &dir, &borrowed(&variables), Some(&config)),
    ];
    Some(TwoNodesOnRedis {
        standin,
        nodes,
        redis_port,
        _redis: redis,
    })
}

/// One approved `requestState`, retried 16 times at once, half on each of two Spin nodes that
/// share Redis: it runs exactly once (the nonce is spent by one atomic increment).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_two_spin_nodes_one_approval_runs_exactly_once() {
    // Held whole to the end: Redis runs as long as this value lives.
    let Some(two) =
        two_nodes_on_redis_with_approvals("on_two_spin_nodes_one_approval_runs_exactly_once").await
    else {
        return;
    };
    let (standin, [first, second]) = (&two.standin, &two.nodes);

    let sync = json!({"name": "sync_argocd_app",
                      "arguments": {"app_name": "guestbook", "confirm": true}});
    let asked = post(first.port, &modern_call(&sync, None));
    assert_eq!(asked["result"]["resultType"], "input_required", "{asked}");
    let mut retry = sync.clone();
    retry["requestState"] = asked["result"]["requestState"].clone();
    retry["inputResponses"] =
        json!({"approval": {"action": "accept", "content": {"approve": true}}});
    let request = modern_call(&retry, None);
    let ports = [first.port, second.port];
    let barrier = std::sync::Arc::new(std::sync::Barrier::new(16));
    let threads: Vec<_> = (0..16)
        .map(|i| {
            let request = request.clone();
            let barrier = barrier.clone();
            let port = ports[i % 2];
            std::thread::spawn(move || {
                barrier.wait();
                post(port, &request)
            })
        })
        .collect();
    let answers: Vec<Value> = threads.into_iter().map(|t| t.join().unwrap()).collect();
    let ran = answers
        .iter()
        .filter(|a| a["result"]["resultType"] == "complete" && a["result"]["isError"] == false)
        .count();
    let syncs = standin
        .requests()
        .iter()
        .filter(|r| r.method == "POST" && r.path.ends_with("/sync"))
        .count();
    assert_eq!((ran, syncs), (1, 1), "{answers:?}");
}

/// User mode on Spin: a profile entry is refused outright (no caller becomes the profile's
/// account), and fifty callers inventing key ids at once, over two nodes on one Redis store,
/// cost the provider at most one discovery and one key fetch.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_spin_user_mode_holds_against_profiles_and_invented_key_ids() {
    let Some(spin) = spin_binary("on_spin_user_mode_holds_against_profiles_and_invented_key_ids")
    else {
        return;
    };
    let standin = fresh_standin().await;
    let port = free_port();
    let resource = format!("http://127.0.0.1:{port}/mcp");
    let secret = "spin-test-client-secret";
    standin.trust_mcp_server("argocd-mcp", secret, &resource);
    let variables: Vec<(&str, String)> = standin
        .user_mode_settings("argocd-mcp", secret, &resource)
        .into_iter()
        .map(|(setting, value)| (setting.variable, value))
        .collect();
    let bob = standin.user_token("bob", &resource);
    let alice = standin.user_token("alice", &resource);
    let sync = json!({"name": "sync_argocd_app",
        "arguments": {"app_name": "payments", "confirm": true, "profile": "prod"}});

    // One profile naming the admin account beside user mode: every call refused.
    let mut with_profile = variables.clone();
    with_profile.push((
        "profiles",
        format!(
            r#"[{{"name": "prod", "url": "{}", "username": "admin", "password": "password"}}]"#,
            standin.url()
        ),
    ));
    {
        let node = SpinNode::start(
            &spin,
            &app_dir("user-mode-profile"),
            &borrowed(&with_profile),
            None,
        );
        let (headers, body) = modern_call(&sync, Some(&bob));
        let (status, answer) = exchange(node.port, "POST", "/mcp", &headers, &body);
        assert_eq!(status, 503, "{answer}");
        assert!(answer.contains("ARGOCD_PROFILES"), "{answer}");
    }
    assert!(
        standin
            .requests()
            .iter()
            .all(|r| !r.path.ends_with("/sync")),
        "nothing reached Argo CD"
    );

    // Two nodes on one Redis store when redis-server is at hand (one node otherwise): the
    // fetch counts hold across nodes, not only across one node's instances.
    let dir = app_dir("user-mode-kids");
    let redis = redis("on_spin_user_mode_holds_against_profiles_and_invented_key_ids (two nodes)");
    let config = redis
        .as_ref()
        .map(|(_, redis_port)| redis_runtime_config(&dir, *redis_port));
    let node = SpinNode::start_on(port, &spin, &dir, &borrowed(&variables), config.as_deref());
    let second = config
        .as_deref()
        .map(|config| SpinNode::start(&spin, &dir, &borrowed(&variables), Some(config)));
    let ports = [node.port, second.as_ref().map_or(node.port, |n| n.port)];
    // Warm: the provider's keys are known; then the cool-down passes.
    let info = json!({"name": "get_argocd_server_info", "arguments": {}});
    let warm = post(node.port, &modern_call(&info, Some(&alice)));
    assert_eq!(warm["result"]["isError"], false, "{warm}");
    std::thread::sleep(std::time::Duration::from_millis(
        argocd_mcp::identity::provider::REFETCH_COOLDOWN_MS + 300,
    ));
    let fetches = || {
        let requests = standin.requests();
        let count = |suffix: &str| requests.iter().filter(|r| r.path.ends_with(suffix)).count();
        (
            count("/.well-known/openid-configuration"),
            count("/api/dex/keys"),
        )
    };
    let before = fetches();
    let threads: Vec<_> = (0..50)
        .map(|i| {
            use base64::Engine;
            let rest = alice.split_once('.').unwrap().1.to_owned();
            let header = base64::engine::general_purpose::URL_SAFE_NO_PAD
                .encode(format!(r#"{{"alg":"RS256","kid":"invented-{i}"}}"#));
            let forged = format!("{header}.{rest}");
            let port = ports[i % 2];
            let info = info.clone();
            std::thread::spawn(move || {
                let (headers, body) = modern_call(&info, Some(&forged));
                exchange(port, "POST", "/mcp", &headers, &body).0
            })
        })
        .collect();
    for thread in threads {
        assert_eq!(thread.join().unwrap(), 401);
    }
    let after = fetches();
    assert!(
        after.0 - before.0 <= 1 && after.1 - before.1 <= 1,
        "50 invented kids on Spin: {before:?} → {after:?}"
    );
}

/// The feed's limit counted across two Spin nodes that share Redis: twelve subscriptions arriving
/// at once, half on each node, for three places get exactly three, the others refused naming
/// the setting; a client leaving on one node frees its place for a newcomer on the other.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_two_spin_nodes_subscriptions_are_counted_together() {
    use host_test::listen_client::RawSubscription;
    use std::time::{Duration, Instant};

    let Some(two) = two_nodes_on_redis(
        "on_two_spin_nodes_subscriptions_are_counted_together",
        &[("feed_max_subscriptions", "3")],
    )
    .await
    else {
        return;
    };
    let ports = [two.nodes[0].port, two.nodes[1].port];
    let guestbook = json!({"resourceSubscriptions": ["argocd://applications/argocd/guestbook"]});
    // Its first message: the acknowledgment of an open subscription, or the refusal.
    fn first(port: u16, id: u64, filter: &Value) -> (RawSubscription, Value) {
        let subscription = RawSubscription::open(port, id, filter.clone()).unwrap();
        let (_, message) = subscription
            .next(Duration::from_secs(60))
            .expect("an acknowledgment or a refusal");
        (subscription, message)
    }
    let barrier = std::sync::Arc::new(std::sync::Barrier::new(12));
    let threads: Vec<_> = (0..12u64)
        .map(|i| {
            let barrier = barrier.clone();
            let port = ports[i as usize % 2];
            let filter = guestbook.clone();
            std::thread::spawn(move || {
                barrier.wait();
                first(port, 100 + i, &filter)
            })
        })
        .collect();
    let outcomes: Vec<(RawSubscription, Value)> =
        threads.into_iter().map(|t| t.join().unwrap()).collect();
    let refused_by_limit = |message: &Value| {
        message["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("ARGOCD_FEED_MAX_SUBSCRIPTIONS"))
    };
    let (open, refused): (Vec<_>, Vec<_>) = outcomes
        .into_iter()
        .partition(|(_, message)| message["method"] == "notifications/subscriptions/acknowledged");
    println!(
        "two Spin nodes, twelve at once for three places: {} open, {} refused",
        open.len(),
        refused.len()
    );
    assert_eq!(open.len(), 3);
    assert!(
        refused.iter().all(|(_, message)| refused_by_limit(message)),
        "{:?}",
        refused.iter().map(|(_, m)| m).collect::<Vec<_>>()
    );

    // One leaves on the node it came to; a newcomer gets its place on either node.
    let mut open = open;
    let (leaving, _) = open.pop().unwrap();
    leaving.leave();
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut attempt = 0u64;
    let reopened = loop {
        let (subscription, message) = first(ports[attempt as usize % 2], 200 + attempt, &guestbook);
        if message["method"] == "notifications/subscriptions/acknowledged" {
            break subscription;
        }
        assert!(refused_by_limit(&message), "{message}");
        assert!(
            Instant::now() < deadline,
            "the place of a client who left never came back"
        );
        attempt += 1;
        std::thread::sleep(Duration::from_millis(300));
    };
    let (_, over) = first(ports[0], 300, &guestbook);
    assert!(
        refused_by_limit(&over),
        "a fourth while three are open: {over}"
    );
    reopened.leave();
}
