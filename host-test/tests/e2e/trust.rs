//! Trust, round two: attacks on user mode and approvals through the server component, each the
//! exact move an attacker made, with what must hold instead.

use serde_json::{Value, json};

use crate::identity::{CLIENT_ID, CLIENT_SECRET, RESOURCE, call_as, token, user_mode};
use crate::modern::{mirrored, modern_body};
use crate::{PASSWORD, World};

/// Syncs that reached the stand-in's Argo CD, whoever sent them.
fn syncs(world: &World) -> usize {
    world
        .standin
        .requests()
        .iter()
        .filter(|r| r.method == "POST" && r.path.ends_with("/sync"))
        .count()
}

/// One `ARGOCD_PROFILES` entry naming the admin account, in user mode: the settings refuse it
/// outright (every call, with the reason), so no `profile` argument can make a signed-in caller
/// act as that account.
#[tokio::test]
async fn a_profile_never_turns_a_caller_into_the_profiles_account() {
    let admin_profile = format!(
        r#"[{{"name": "prod", "url": "https://argocd.example.com", "username": "admin", "password": "{PASSWORD}"}}]"#
    );
    let mut world = user_mode(&[]).await;
    world.set("profiles", &admin_profile);
    for without_url in [false, true] {
        if without_url {
            world.env.variables.remove("argocd_url");
        }
        let bob = token(&world, "bob");
        let (status, body) = call_as(
            &world,
            &bob,
            "sync_argocd_app",
            json!({"app_name": "payments", "confirm": true, "profile": "prod"}),
        )
        .await;
        assert_eq!(status, 503, "{body}");
        let said = body["error"]["message"].as_str().unwrap_or_default();
        assert!(said.contains("ARGOCD_PROFILES"), "{said}");
        assert!(!said.contains(PASSWORD), "{said}");
        assert_eq!(syncs(&world), 0);
    }

    // Without profiles, a `profile` argument is refused for a caller: it cannot aim their call
    // at another Argo CD or another account.
    let world = user_mode(&[]).await;
    let bob = token(&world, "bob");
    let (_, body) = call_as(
        &world,
        &bob,
        "sync_argocd_app",
        json!({"app_name": "payments", "confirm": true, "profile": "prod"}),
    )
    .await;
    assert_eq!(body["result"]["isError"], true, "{body}");
    assert_eq!(syncs(&world), 0);
    // As himself, bob's sync reaches Argo CD and its RBAC refuses him.
    let (_, body) = call_as(
        &world,
        &bob,
        "sync_argocd_app",
        json!({"app_name": "payments", "confirm": true}),
    )
    .await;
    assert_eq!(body["result"]["isError"], true, "{body}");
    assert!(
        world
            .standin
            .audit_trail()
            .iter()
            .all(|(user, _, allowed)| user == "bob" && !allowed),
        "{:?}",
        world.standin.audit_trail()
    );
}

/// A 2026-07-28 `tools/call` body from a client that can ask a person (elicitation forms).
fn call_from_a_client_that_asks(params: &Value) -> Value {
    let mut body = modern_body(9, "tools/call", params.clone());
    body["params"]["_meta"]["io.modelcontextprotocol/clientCapabilities"] =
        json!({"elicitation": {"form": {}}});
    body
}

/// A 2026-07-28 `tools/call` sent with `token` as the bearer, from a client that can ask a person.
async fn modern_call_as(world: &World, token: &str, params: &Value) -> (u16, Value) {
    let body = call_from_a_client_that_asks(params);
    let mut headers = mirrored(&body);
    headers.push(("authorization".into(), format!("Bearer {token}")));
    world.post(&body, &headers).await
}

/// The approval alice was asked for is hers: bob retrying with her `requestState` and a yes is
/// asked again (nothing runs), and her own yes still runs her call afterwards.
#[tokio::test]
async fn an_approval_holds_only_for_the_caller_it_was_asked_of() {
    let world = user_mode(&[("require_approval", "true")]).await;
    let alice = token(&world, "alice");
    let bob = token(&world, "bob");
    let sync = json!({"name": "sync_argocd_app",
                      "arguments": {"app_name": "payments", "confirm": true}});
    let (status, asked) = modern_call_as(&world, &alice, &sync).await;
    assert_eq!(status, 200, "{asked}");
    assert_eq!(asked["result"]["resultType"], "input_required", "{asked}");
    let mut retry = sync.clone();
    retry["requestState"] = asked["result"]["requestState"].clone();
    retry["inputResponses"] =
        json!({"approval": {"action": "accept", "content": {"approve": true}}});

    let (_, stolen) = modern_call_as(&world, &bob, &retry).await;
    assert_eq!(
        stolen["result"]["resultType"], "input_required",
        "bob is asked for himself: {stolen}"
    );
    assert_eq!(syncs(&world), 0);

    let (_, done) = modern_call_as(&world, &alice, &retry).await;
    assert_eq!(done["result"]["resultType"], "complete", "{done}");
    assert_eq!(done["result"]["isError"], false, "{done}");
    assert_eq!(syncs(&world), 1, "alice's yes was not spent by bob");
}

/// Over stdio, a refused `MCP_USER_TOKEN` is answered with the id of the request it refuses.
#[test]
fn over_stdio_a_refused_token_is_answered_with_the_requests_id() {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let standin = runtime
        .block_on(host_test::standin::StandIn::start(
            host_test::standin::Config::default(),
        ))
        .unwrap();
    let resource = "http://localhost/mcp";
    standin.trust_mcp_server(CLIENT_ID, CLIENT_SECRET, resource);
    let mut child = Command::new(crate::processes::RUNNER)
        .arg("stdio")
        .env_remove("ARGOCD_TOKEN")
        .env_remove("ARGOCD_USERNAME")
        .env_remove("MCP_AUTH_TOKEN")
        .envs(
            standin
                .user_mode_settings(CLIENT_ID, CLIENT_SECRET, resource)
                .into_iter()
                .map(|(setting, value)| (setting.env, value)),
        )
        .env(host_test::runner::USER_TOKEN_ENV, "not.a.token")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the runner starts");
    let mut stdin = child.stdin.take().unwrap();
    for (id, method) in [(json!(41), "tools/list"), (json!("call-7"), "tools/call")] {
        let message = json!({"jsonrpc": "2.0", "id": id, "method": method,
                             "params": {"name": "get_argocd_server_info", "arguments": {}}});
        writeln!(stdin, "{message}").unwrap();
    }
    drop(stdin);
    let answers = crate::processes::answers(&mut child);
    let mut ids: Vec<String> = answers.iter().map(|a| a["id"].to_string()).collect();
    ids.sort();
    assert_eq!(ids, ["\"call-7\"", "41"], "{answers:?}");
    assert!(
        answers.iter().all(|a| a["error"].is_object()),
        "{answers:?}"
    );
}

/// A provider that compares Basic client credentials as sent (without form-decoding them) lets
/// this server in: `argocd-mcp` is sent as `argocd-mcp`, not `argocd%2Dmcp`.
#[tokio::test]
async fn client_credentials_are_encoded_exactly_as_a_form_serializer_does() {
    let world = user_mode(&[]).await;
    world.standin.state().idp.decodes_client_credentials = false;
    let alice = token(&world, "alice");
    let (_, body) = call_as(&world, &alice, "get_argocd_server_info", json!({})).await;
    assert_eq!(
        body["result"]["structuredContent"]["username"], "alice",
        "{body}"
    );
}

/// A caller whose exchanged token Argo CD refuses is told what fits user mode (sign in again;
/// the operator checks Argo CD's OIDC trust), never to check an ARGOCD_TOKEN there is none of.
#[tokio::test]
async fn a_refusal_in_user_mode_is_explained_in_user_modes_terms() {
    use host_test::standin::{Fault, FaultRule};
    let world = user_mode(&[]).await;
    world.standin.inject(FaultRule::new(
        Some("GET"),
        "/api/v1/applications/payments",
        Fault::Unauthorized,
    ));
    let alice = token(&world, "alice");
    let (_, body) = call_as(
        &world,
        &alice,
        "get_argocd_app_status",
        json!({"app_name": "payments"}),
    )
    .await;
    let said = body["result"]["content"][0]["text"]
        .as_str()
        .unwrap_or_default();
    assert_eq!(body["result"]["isError"], true, "{body}");
    assert!(said.contains("sign in again"), "{said}");
    assert!(
        !said.contains("ARGOCD_TOKEN") && !said.contains("ARGOCD_PASSWORD"),
        "{said}"
    );
}

/// An ES256 token and its high-S twin (the same signature, (r, n − s)) are one token: one
/// verdict, one exchange, one entry in the store, whichever spelling arrives.
#[tokio::test]
async fn an_es256_token_has_one_identity_whichever_way_its_signature_is_spelled() {
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let world = user_mode(&[]).await;
    let token = {
        let mut state = world.standin.state();
        let claims =
            state
                .idp
                .claims_for("alice", &[RESOURCE], 3600, "openid profile email groups");
        state.idp.sign_es256(&claims)
    };
    let (input, signature) = token.rsplit_once('.').unwrap();
    let signature =
        p256::ecdsa::Signature::from_slice(&URL_SAFE_NO_PAD.decode(signature).unwrap()).unwrap();
    let low = signature.normalize_s().unwrap_or(signature);
    let (r, s) = low.split_scalars();
    let high = p256::ecdsa::Signature::from_scalars(r, -*s).unwrap();
    let spell =
        |sig: p256::ecdsa::Signature| format!("{input}.{}", URL_SAFE_NO_PAD.encode(sig.to_bytes()));
    for spelling in [spell(low), spell(high), spell(low), spell(high)] {
        let (_, body) = call_as(&world, &spelling, "get_argocd_server_info", json!({})).await;
        assert_eq!(
            body["result"]["structuredContent"]["username"], "alice",
            "{body}"
        );
    }
    assert_eq!(
        world.standin.state().idp.exchanges.len(),
        1,
        "both spellings share one exchanged token"
    );
    let keys: Vec<String> = world.env.kv.snapshot().into_keys().collect();
    let verdicts = keys
        .iter()
        .filter(|k| k.contains("/oidc/verified/"))
        .count();
    let exchanged = keys
        .iter()
        .filter(|k| k.contains("/oidc/exchanged/") && !k.ends_with("/lease"))
        .count();
    assert_eq!((verdicts, exchanged), (1, 1), "{keys:?}");
}

/// `token` with its header's `kid` replaced: a key id the provider never published.
fn with_invented_kid(token: &str, kid: &str) -> String {
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let rest = token.split_once('.').unwrap().1;
    let header = URL_SAFE_NO_PAD.encode(format!(r#"{{"alg":"RS256","kid":"{kid}","typ":"JWT"}}"#));
    format!("{header}.{rest}")
}

/// Requests for the provider's discovery document and for its keys, so far.
fn provider_fetches(world: &World) -> (usize, usize) {
    let requests = world.standin.requests();
    let count = |suffix: &str| requests.iter().filter(|r| r.path.ends_with(suffix)).count();
    (
        count("/.well-known/openid-configuration"),
        count("/api/dex/keys"),
    )
}

/// Fifty callers inventing key ids at once cost the provider at most one discovery and one key
/// fetch; with the provider hanging, a failed fetch is remembered for the cool-down, and a
/// caller whose key is known is answered as fast as ever meanwhile.
#[tokio::test]
async fn invented_key_ids_cost_the_provider_one_fetch_per_cool_down() {
    use futures_util::future::join_all;
    use host_test::standin::{Fault, FaultRule};
    use std::time::{Duration, Instant};
    let cool_down =
        Duration::from_millis(argocd_mcp::identity::provider::REFETCH_COOLDOWN_MS + 200);
    let world = user_mode(&[("request_timeout_ms", "2000")]).await;
    let alice = token(&world, "alice");
    let (_, warm) = call_as(&world, &alice, "get_argocd_server_info", json!({})).await;
    assert_eq!(warm["result"]["isError"], false, "{warm}");
    tokio::time::sleep(cool_down).await;

    let before = provider_fetches(&world);
    let forged: Vec<String> = (0..50)
        .map(|i| with_invented_kid(&alice, &format!("invented-{i}")))
        .collect();
    let answers = join_all(
        forged
            .iter()
            .map(|t| call_as(&world, t, "get_argocd_server_info", json!({}))),
    )
    .await;
    assert!(
        answers.iter().all(|(status, _)| *status == 401),
        "{answers:?}"
    );
    let after = provider_fetches(&world);
    assert!(
        after.0 - before.0 <= 1 && after.1 - before.1 <= 1,
        "50 invented kids: {before:?} → {after:?}"
    );

    // The provider hangs: one caller's fetch waits out its timeout, everyone else inventing
    // kids learns of that one failure, and alice (known key) is not held up by any of it.
    tokio::time::sleep(cool_down).await;
    world
        .standin
        .inject(FaultRule::new(Some("GET"), "/api/dex/keys", Fault::Hang));
    let before = provider_fetches(&world);
    let flood = join_all(
        forged
            .iter()
            .take(20)
            .map(|t| call_as(&world, t, "get_argocd_server_info", json!({}))),
    );
    let known_caller = async {
        tokio::time::sleep(Duration::from_millis(200)).await;
        let started = Instant::now();
        let (_, body) = call_as(&world, &alice, "get_argocd_server_info", json!({})).await;
        (started.elapsed(), body)
    };
    let (flooded, (elapsed, body)) = tokio::join!(flood, known_caller);
    assert_eq!(body["result"]["isError"], false, "{body}");
    assert!(
        elapsed < Duration::from_millis(1000),
        "a known key waited {elapsed:?} for a hanging provider"
    );
    assert!(flooded.iter().all(|(status, _)| *status >= 400));
    let after = provider_fetches(&world);
    assert!(after.1 - before.1 <= 1, "hanging: {before:?} → {after:?}");
    // Within the cool-down the failure is the answer: nobody asks again, nobody waits.
    let started = Instant::now();
    let (status, _) = call_as(&world, &forged[0], "get_argocd_server_info", json!({})).await;
    assert_eq!(status, 401);
    assert!(started.elapsed() < Duration::from_millis(1000));
    assert_eq!(provider_fetches(&world).1, after.1);
}

/// With the server's own client secret wrong at the provider, every exchange would fail: health
/// says so (503, naming what to fix) instead of `ok`; with the right one it is `ok`, and the
/// check is refused by the provider as a grant (nothing issued).
#[tokio::test]
async fn health_proves_the_provider_takes_this_servers_client_credentials() {
    async fn health(world: &World, bearer: &str) -> (u16, Value) {
        let response = world
            .http("GET", "/health/argocd", &[("authorization", bearer)], "")
            .await;
        (response.status, response.json().unwrap_or(Value::Null))
    }
    let mut world = user_mode(&[]).await;
    let bearer = format!("Bearer {}", token(&world, "alice"));
    // Anonymous: the client check alone, which the provider refuses as a grant (nothing issued).
    let anonymous = world.http("GET", "/health/argocd", &[], "").await;
    assert_eq!(anonymous.status, 200);
    assert!(
        world.standin.state().idp.exchanges.is_empty(),
        "nothing issued"
    );
    let (status, report) = health(&world, &bearer).await;
    assert_eq!((status, &report["status"]), (200, &json!("ok")), "{report}");

    world.set(
        "oidc_client_secret",
        "a-rotated-secret-nobody-told-the-provider",
    );
    let (status, report) = health(&world, &bearer).await;
    assert_eq!(status, 503, "{report}");
    let said = report["error"].as_str().unwrap_or_default();
    assert!(
        said.contains("client credentials") && said.contains("OIDC_CLIENT_SECRET"),
        "{said}"
    );
    assert!(!said.contains("a-rotated-secret"), "{said}");
    // Without a sign-in, a probe learns only that it is down.
    let bare = world.http("GET", "/health/argocd", &[], "").await;
    assert_eq!(bare.status, 503);
}

/// Asks for the approval of `tool` with `arguments` (service mode, approvals required) and
/// returns the question put to the person, or the refusal when none could be put.
async fn question_for(world: &World, tool: &str, arguments: Value) -> Result<String, String> {
    let body = call_from_a_client_that_asks(&json!({"name": tool, "arguments": arguments}));
    let (_, answer) = world.post(&body, &mirrored(&body)).await;
    let result = &answer["result"];
    if result["resultType"] == "input_required" {
        Ok(result["inputRequests"]["approval"]["params"]["message"]
            .as_str()
            .unwrap()
            .to_owned())
    } else {
        Err(result["content"][0]["text"]
            .as_str()
            .unwrap_or_default()
            .to_owned())
    }
}

/// The padding attack, on every tool a person approves: harmless text first (an early-sorting
/// key, a long list), the change that matters after it. The person is shown all of it, each
/// value whole, or the call is refused as too large to read — never a question cut short.
#[tokio::test]
async fn a_person_is_shown_everything_they_approve_however_it_is_padded() {
    let mut world = World::new().await;
    world.set("require_approval", "true");
    let padding = "harmless note ".repeat(45);
    let attacker_repo = "https://attacker.example.com/evil.git";
    let resources: Vec<Value> = (0..20)
        .map(|i| json!({"kind": "ConfigMap", "name": format!("pad-{i:02}")}))
        .collect();
    let cases = [
        (
            "patch_argocd_app",
            json!({"app_name": "guestbook", "confirm": true, "patch": {
                "metadata": {"annotations": {"a-note": padding}},
                "spec": {"source": {"repoURL": attacker_repo},
                         "syncPolicy": {"automated": {"prune": true, "selfHeal": true}}}}}),
            vec![
                attacker_repo,
                "spec.source.repoURL",
                "spec.syncPolicy.automated.selfHeal: (absent) → true",
                "project \"default\"",
            ],
        ),
        (
            "sync_argocd_app",
            json!({"app_name": "guestbook", "confirm": true, "resources": resources,
                   "revision": "attacker-branch", "prune": true}),
            vec!["revision: \"attacker-branch\"", "prune: true", "pad-19"],
        ),
        (
            "rollback_argocd_app",
            json!({"app_name": "guestbook", "confirm": true, "history_id": 1, "prune": true}),
            vec!["history_id: 1", "prune: true"],
        ),
        (
            "delete_argocd_app",
            json!({"app_name": "guestbook", "confirm": true, "cascade": true,
                   "propagation_policy": "foreground"}),
            vec!["cascade: true", "propagation_policy: \"foreground\""],
        ),
        (
            "delete_argocd_resource",
            json!({"app_name": "guestbook", "confirm": true, "kind": "Deployment",
                   "group": "apps", "resource_name": "guestbook", "force": true,
                   "orphan": false}),
            vec![
                "resource_name: \"guestbook\"",
                "force: true",
                "orphan: false",
            ],
        ),
        (
            "run_argocd_resource_action",
            json!({"app_name": "guestbook", "confirm": true, "kind": "Deployment",
                   "group": "apps", "resource_name": "guestbook", "action": "restart"}),
            vec![
                "action: \"restart\"",
                "kind: \"Deployment\"",
                "Resource: \"Deployment\" \"guestbook\"",
                "object uid",
            ],
        ),
        (
            "create_argocd_app",
            json!({"name": "newapp", "project": "default", "confirm": true,
                   "path": padding, "repo_url": attacker_repo, "dest_namespace": "prod",
                   "auto_sync": true, "upsert": true}),
            vec![
                attacker_repo,
                "upsert: true",
                "auto_sync: true",
                "dest_namespace: \"prod\"",
            ],
        ),
        (
            "terminate_argocd_operation",
            json!({"app_name": "guestbook", "confirm": true}),
            vec!["Application: \"guestbook\""],
        ),
    ];
    for (tool, arguments, shown) in cases {
        let question = question_for(&world, tool, arguments)
            .await
            .unwrap_or_else(|refusal| panic!("{tool}: {refusal}"));
        for expected in shown {
            assert!(
                question.contains(expected),
                "{tool}: {expected:?} in\n{question}"
            );
        }
        assert!(!question.contains('…'), "{tool}: never cut\n{question}");
        assert!(question.contains(tool) && question.ends_with("Approve?"));
    }
    assert_eq!(syncs(&world), 0);

    // Too much to read: refused, asking for a smaller change; nothing asked, nothing run.
    let many: Vec<Value> = (0..60)
        .map(|i| json!({"kind": "ConfigMap", "name": format!("pad-{i:02}")}))
        .collect();
    let refusal = question_for(
        &world,
        "sync_argocd_app",
        json!({"app_name": "guestbook", "confirm": true, "resources": many, "revision": "x"}),
    )
    .await
    .unwrap_err();
    assert!(refusal.contains("smaller"), "{refusal}");
    let huge_patch = json!({"spec": {"source": {"repoURL": attacker_repo}},
                            "metadata": {"annotations": {"a": "y".repeat(5_000)}}});
    let refusal = question_for(
        &world,
        "patch_argocd_app",
        json!({"app_name": "guestbook", "confirm": true, "patch": huge_patch}),
    )
    .await
    .unwrap_err();
    assert!(refusal.contains("smaller"), "{refusal}");
    assert_eq!(syncs(&world), 0);
}

/// One approved state retried many times at once is run once, with the store's atomic
/// increment and without it (the write-and-read-back fallback).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_approval_runs_once_however_many_retries_race() {
    use futures_util::future::join_all;
    for atomics in [true, false] {
        let mut world = World::new().await;
        world.set("require_approval", "true");
        world.env.kv.set_without_atomics(!atomics);
        let sync = json!({"name": "sync_argocd_app",
                          "arguments": {"app_name": "guestbook", "confirm": true}});
        let ask = call_from_a_client_that_asks;
        let body = ask(&sync);
        let (_, asked) = world.post(&body, &mirrored(&body)).await;
        let mut retry = sync.clone();
        retry["requestState"] = asked["result"]["requestState"].clone();
        retry["inputResponses"] =
            json!({"approval": {"action": "accept", "content": {"approve": true}}});
        let body = ask(&retry);
        let headers = mirrored(&body);
        let answers = join_all((0..12).map(|_| world.post(&body, &headers))).await;
        let ran = answers
            .iter()
            .filter(|(_, a)| a["result"]["resultType"] == "complete")
            .count();
        assert_eq!(
            (ran, syncs(&world)),
            (1, 1),
            "atomics {atomics}: {answers:?}"
        );
    }
}

/// What the store shares is bounded: once callers' tokens have expired, everything kept for
/// them (verdicts, exchanged tokens, spent approvals, leftover lease windows) is swept as the
/// server works, and what is live stays.
#[tokio::test]
async fn the_store_holds_what_is_live_not_everything_ever_seen() {
    use argocd_mcp::store_sweep::{MAX_DELETES_PER_SWEEP, expiring};
    let world = user_mode(&[]).await;
    let alice = token(&world, "alice");
    let (_, body) = call_as(&world, &alice, "get_argocd_server_info", json!({})).await;
    assert_eq!(body["result"]["isError"], false, "{body}");
    let live: Vec<String> = world.env.kv.snapshot().into_keys().collect();
    // 10,000 callers whose tokens expired an hour ago, in the shapes the server writes for a
    // caller (a verdict and an exchanged token each), plus their spent approvals.
    let shapes: Vec<String> = live
        .iter()
        .filter(|k| k.contains("/oidc/verified/") || k.contains("/oidc/exchanged/"))
        .map(|k| {
            k.rsplit_once('/')
                .unwrap()
                .0
                .rsplit_once('/')
                .unwrap()
                .0
                .to_owned()
        })
        .collect();
    assert_eq!(shapes.len(), 2, "{live:?}");
    let expired_s = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        - 3600;
    for caller in 0..10_000 {
        for shape in &shapes {
            let key = expiring(&format!("{shape}/{caller:064x}"), expired_s);
            world.env.kv.set(&key, b"{}".to_vec()).unwrap();
        }
        let spent = expiring(
            &format!("argocd-mcp/approval/spent/{caller:032x}"),
            expired_s,
        );
        world.env.kv.set(&spent, b"1".to_vec()).unwrap();
    }
    assert!(world.env.kv.snapshot().len() > 30_000);
    // A minute later (the warm call took this minute's sweep; the once-a-minute turn itself is
    // unit-tested): the turn's key is gone, as the clock would make it worthless.
    for key in world.env.kv.snapshot().into_keys() {
        if key.starts_with("argocd-mcp/sweep/") {
            world.env.kv.delete(&key).unwrap();
        }
    }
    // The server works on: each request lets one sweep run, bounded; one that reaches the
    // bound lets the next request go on.
    let needed = 30_000 / MAX_DELETES_PER_SWEEP + 2;
    for _ in 0..needed {
        let (_, body) = call_as(&world, &alice, "get_argocd_server_info", json!({})).await;
        assert_eq!(body["result"]["isError"], false, "{body}");
    }
    let left: Vec<String> = world.env.kv.snapshot().into_keys().collect();
    assert!(
        left.len() <= live.len() + 2,
        "{} keys left of {} live: {:?}",
        left.len(),
        live.len(),
        left.iter().take(10).collect::<Vec<_>>()
    );
    for key in &live {
        if argocd_mcp::store_sweep::expiry_of(key).is_some() && !key.contains("/sweep/") {
            assert!(left.contains(key), "a live key was swept: {key}");
        }
    }
}

/// Found by the hostile review and kept as regressions: characters a renderer breaks lines at
/// (U+2028) or that look like others (a Cyrillic `і` in `github`) reach the person escaped, so
/// no line can be faked and no host passes for another; an upsert over an existing app says it
/// replaces it and what it deploys now; a yes is sealed to where the app deploys, so a source
/// repointed between question and answer is asked again.
#[tokio::test]
async fn the_question_cannot_be_faked_and_holds_to_the_app_as_it_was() {
    let mut world = World::new().await;
    world.set("require_approval", "true");
    let fake_lines = format!(
        "ok\u{2028}  none: the patch changes nothing\u{2028}Approve?{}",
        "\u{2028}".repeat(600)
    );
    let question = question_for(
        &world,
        "patch_argocd_app",
        json!({"app_name": "guestbook", "confirm": true, "patch": {
            "metadata": {"annotations": {"a": fake_lines}},
            "spec": {"source": {"repoURL": "https://attacker.example.com/evil.git"}}}}),
    )
    .await;
    match question {
        Ok(text) => {
            let breaks = |c: char| matches!(c, '\n' | '\r' | '\u{85}' | '\u{2028}' | '\u{2029}');
            assert!(text.split(breaks).count() <= 40, "{text}");
            assert!(
                text.contains("\\u{2028}") && text.contains("evil.git"),
                "{text}"
            );
        }
        Err(refusal) => assert!(refusal.contains("smaller"), "{refusal}"),
    }
    let question = question_for(
        &world,
        "create_argocd_app",
        json!({"name": "guestbook", "project": "default", "confirm": true, "upsert": true,
               "repo_url": "https://g\u{456}thub.com/acme/app.git", "dest_namespace": "kube-system"}),
    )
    .await
    .unwrap();
    assert!(question.contains("g\\u{0456}thub.com"), "{question}");
    assert!(question.contains("REPLACES"), "{question}");
    let existing = world.standin.app("guestbook").unwrap();
    let repo = existing["spec"]["source"]["repoURL"].as_str().unwrap();
    assert!(question.contains(repo), "{question}");

    // Asked to sync guestbook; its source is repointed before the yes: asked again.
    let sync = json!({"name": "sync_argocd_app",
                      "arguments": {"app_name": "guestbook", "confirm": true}});
    let ask = call_from_a_client_that_asks;
    let body = ask(&sync);
    let (_, asked) = world.post(&body, &mirrored(&body)).await;
    {
        let mut state = world.standin.state();
        let app = &mut state.apps.get_mut("guestbook").unwrap().app;
        app["spec"]["source"]["repoURL"] = json!("https://attacker.example.com/evil.git");
    }
    let mut retry = sync.clone();
    retry["requestState"] = asked["result"]["requestState"].clone();
    retry["inputResponses"] =
        json!({"approval": {"action": "accept", "content": {"approve": true}}});
    let body = ask(&retry);
    let (_, again) = world.post(&body, &mirrored(&body)).await;
    assert_eq!(again["result"]["resultType"], "input_required", "{again}");
    assert_eq!(syncs(&world), 0);
}

/// Anyone may ask `/health/argocd`: the check of the client credentials is kept for a minute,
/// so forty anonymous health checks cost the provider's token endpoint one request.
#[tokio::test]
async fn anonymous_health_checks_do_not_drive_the_token_endpoint() {
    let world = user_mode(&[]).await;
    for _ in 0..40 {
        world.http("GET", "/health/argocd", &[], "").await;
    }
    let token_requests = world
        .standin
        .requests()
        .iter()
        .filter(|r| r.path == "/api/dex/token")
        .count();
    assert_eq!(token_requests, 1);
}

/// A refusal answers a request object's own string or number id, and nothing else: not an id
/// taken from inside a batch, nor an object passed off as one.
#[tokio::test]
async fn a_refusal_takes_only_a_proper_request_id() {
    let world = user_mode(&[]).await;
    let bearer = "Bearer not.a.token";
    for (body, id) in [
        (
            r#"{"jsonrpc":"2.0","id":3,"method":"tools/list"}"#,
            json!(3),
        ),
        (
            r#"{"jsonrpc":"2.0","id":"a","method":"tools/list"}"#,
            json!("a"),
        ),
        (
            r#"[{"jsonrpc":"2.0","id":3,"method":"tools/list"}]"#,
            Value::Null,
        ),
        (r#"["x"]"#, Value::Null),
        (
            r#"{"jsonrpc":"2.0","id":{"x":1},"method":"tools/list"}"#,
            Value::Null,
        ),
    ] {
        let response = world
            .http(
                "POST",
                "/mcp",
                &[
                    ("content-type", "application/json"),
                    ("authorization", bearer),
                ],
                body,
            )
            .await;
        assert_eq!(response.status, 401, "{body}");
        assert_eq!(response.json().unwrap()["id"], id, "{body}");
    }
}

/// A provider that takes this server's credentials but refuses it the exchange for Argo CD: a
/// signed-in caller's health check goes through their own exchange and says so (503), where
/// the anonymous check can only see that the credentials are right.
#[tokio::test]
async fn a_signed_in_health_check_proves_the_exchange_itself() {
    let world = user_mode(&[]).await;
    for client in world.standin.state().idp.clients.iter_mut() {
        if client.id == CLIENT_ID {
            client.may_exchange_for.clear();
        }
    }
    let bearer = format!("Bearer {}", token(&world, "alice"));
    let response = world
        .http("GET", "/health/argocd", &[("authorization", &bearer)], "")
        .await;
    let report = response.json().unwrap();
    assert_eq!(response.status, 503, "{report}");
    assert!(
        report["error"]
            .as_str()
            .unwrap_or_default()
            .contains("exchange"),
        "{report}"
    );
    // Restored, the same check is ok, as alice.
    for client in world.standin.state().idp.clients.iter_mut() {
        if client.id == CLIENT_ID {
            client.may_exchange_for = vec![host_test::standin::idp::ARGOCD_CLIENT.into()];
        }
    }
    let response = world
        .http("GET", "/health/argocd", &[("authorization", &bearer)], "")
        .await;
    assert_eq!(response.status, 200, "{:?}", response.json());
}

/// A provider that replaces a key under the same `kid`: a token the old key signed, verified
/// and remembered before, is refused once the server has the new keys (the verdict names the
/// key by its thumbprint, not by its id), and tokens of the new key are let in.
#[tokio::test]
async fn a_verdict_dies_with_the_exact_key_that_earned_it() {
    let world = user_mode(&[]).await;
    let before = token(&world, "alice");
    let (status, _) = call_as(&world, &before, "get_argocd_server_info", json!({})).await;
    assert_eq!(status, 200);
    world.standin.state().idp.replace_key_keeping_its_id();
    // The server's keys age past their refresh (what ten minutes would do): dropped from the
    // store, so the next request fetches the provider's keys again.
    for key in world.env.kv.snapshot().into_keys() {
        if key.starts_with("argocd-mcp/oidc/provider") {
            world.env.kv.delete(&key).unwrap();
        }
    }
    let after = token(&world, "alice");
    assert_eq!(
        after.split('.').next(),
        before.split('.').next(),
        "the same kid"
    );
    let (status, body) = call_as(&world, &after, "get_argocd_server_info", json!({})).await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = call_as(&world, &before, "get_argocd_server_info", json!({})).await;
    assert_eq!(status, 401, "the withdrawn key's token: {body}");
}

/// A 2026-07-28 `tools/call` in service mode from a client that can ask a person.
async fn modern_call(world: &World, params: &Value) -> Value {
    let body = call_from_a_client_that_asks(params);
    world.post(&body, &mirrored(&body)).await.1
}

/// Found by the fifth review (R5): a store writer who deletes an approval's spent marker could
/// have the same yes run again within its 10 minutes. The question a yes is sealed to now says
/// where the app stands (its spec's generation, its last operation and when it started), and
/// the call it approved moves that on: replayed after the marker is gone, the same yes is asked
/// again and nothing runs twice. A patch's replay meets a question whose "before" is the patched
/// app.
#[tokio::test]
async fn a_yes_replayed_after_its_spent_marker_was_deleted_is_asked_again() {
    let world = World::with(
        host_test::standin::Config::default(),
        &[
            ("argocd_username", "admin"),
            ("argocd_password", PASSWORD),
            ("require_approval", "true"),
        ],
    )
    .await;
    let forget_spent = |world: &World| {
        for key in world.env.kv.keys().unwrap() {
            if key.starts_with("argocd-mcp/approval/spent/") {
                world.env.kv.delete(&key).unwrap();
            }
        }
    };
    let patches = |world: &World| {
        world
            .standin
            .requests()
            .iter()
            .filter(|r| r.method == "PATCH")
            .count()
    };
    for (call, done) in [
        (
            json!({"name": "sync_argocd_app",
                   "arguments": {"app_name": "guestbook", "confirm": true}}),
            syncs as fn(&World) -> usize,
        ),
        (
            json!({"name": "patch_argocd_app",
                   "arguments": {"app_name": "guestbook", "confirm": true,
                                 "patch": {"spec": {"source": {"targetRevision": "v9"}}}}}),
            patches,
        ),
    ] {
        let before = done(&world);
        let asked = modern_call(&world, &call).await;
        assert_eq!(asked["result"]["resultType"], "input_required", "{asked}");
        let question = asked["result"]["inputRequests"]["approval"]["params"]["message"].clone();
        println!("asked: {question}");
        let mut retry = call.clone();
        retry["requestState"] = asked["result"]["requestState"].clone();
        retry["inputResponses"] =
            json!({"approval": {"action": "accept", "content": {"approve": true}}});
        let ran = modern_call(&world, &retry).await;
        assert_eq!(ran["result"]["isError"], false, "{ran}");
        assert_eq!(done(&world), before + 1);
        // Wait for the operation to end, as a real replay would come after it.
        world
            .ok(
                "wait_for_argocd_operation",
                json!({"app_name": "guestbook", "timeout_seconds": 30}),
            )
            .await;

        forget_spent(&world);
        let replayed = modern_call(&world, &retry).await;
        assert_eq!(
            replayed["result"]["resultType"], "input_required",
            "{}: the replayed yes was taken: {replayed}",
            call["name"]
        );
        assert_eq!(done(&world), before + 1, "{} ran twice", call["name"]);
    }
}
