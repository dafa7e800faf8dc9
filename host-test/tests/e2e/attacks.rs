//! Every guard, tried the way an attacker would, through the shipped server component (and the
//! runner where the guard lives in its path): approvals, the project allow-list, the Host and
//! Origin lists, the health check, the bearer, and the size of what a client may send.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use bytes::Bytes;
use http_body_util::BodyExt;
use serde_json::{Value, json};

use crate::modern::{mirrored, modern_body};
use crate::{ARGOCD_URL, World, harness};

pub(crate) fn count(world: &World, method: &str, path_end: &str) -> usize {
    world
        .standin
        .requests()
        .iter()
        .filter(|r| r.method == method && r.path.split('?').next().unwrap().ends_with(path_end))
        .count()
}

/// A 2026-07-28 `tools/call` from a client that can show forms.
pub(crate) fn modern_call(params: Value) -> Value {
    let mut body = modern_body(9, "tools/call", params);
    body["params"]["_meta"]["io.modelcontextprotocol/clientCapabilities"] =
        json!({"elicitation": {}});
    body
}

const YES: &str = r#"{"action": "accept", "content": {"approve": true}}"#;

#[tokio::test]
async fn an_approval_cannot_be_self_granted_moved_or_replayed() {
    let mut world = World::new().await;
    world.set("require_approval", "true");
    let yes: Value = serde_json::from_str(YES).unwrap();
    let sync_of = |app: &str| json!({"name": "sync_argocd_app", "arguments": {"app_name": app, "confirm": true}});

    // The agent (or a client it controls) writes the "yes" into its first request: asked, not run.
    let mut forged = sync_of("guestbook");
    forged["inputResponses"] = json!({"approval": yes});
    let body = modern_call(forged.clone());
    let (_, answer) = world.post(&body, &mirrored(&body)).await;
    assert_eq!(answer["result"]["resultType"], "input_required", "{answer}");
    assert_eq!(count(&world, "POST", "/sync"), 0);

    // A state made up by the client, or taken from another server's answer shape: asked again.
    for made_up in [
        json!("v1.e30.AAAA"),
        json!("anything"),
        json!({"approved": true}),
    ] {
        let mut attempt = forged.clone();
        attempt["requestState"] = made_up;
        let body = modern_call(attempt);
        let (_, answer) = world.post(&body, &mirrored(&body)).await;
        assert_eq!(answer["result"]["resultType"], "input_required", "{answer}");
    }
    assert_eq!(count(&world, "POST", "/sync"), 0);

    // A person approves syncing guestbook; the client sends that yes with payments instead.
    let body = modern_call(sync_of("guestbook"));
    let (_, asked) = world.post(&body, &mirrored(&body)).await;
    let state = asked["result"]["requestState"].clone();
    assert!(state.is_string(), "{asked}");
    let mut moved = sync_of("payments");
    moved["requestState"] = state.clone();
    moved["inputResponses"] = json!({"approval": yes});
    let body = modern_call(moved);
    let (_, answer) = world.post(&body, &mirrored(&body)).await;
    assert_eq!(answer["result"]["resultType"], "input_required", "{answer}");
    // Or with an extra argument slipped in (prune), or to another tool.
    let mut widened = sync_of("guestbook");
    widened["arguments"]["prune"] = json!(true);
    widened["requestState"] = state.clone();
    widened["inputResponses"] = json!({"approval": yes});
    let body = modern_call(widened);
    let (_, answer) = world.post(&body, &mirrored(&body)).await;
    assert_eq!(answer["result"]["resultType"], "input_required", "{answer}");
    let mut other_tool = json!({"name": "terminate_argocd_operation", "arguments": {"app_name": "guestbook", "confirm": true}});
    other_tool["requestState"] = state.clone();
    other_tool["inputResponses"] = json!({"approval": yes});
    let body = modern_call(other_tool);
    let (_, answer) = world.post(&body, &mirrored(&body)).await;
    assert_eq!(answer["result"]["resultType"], "input_required", "{answer}");
    assert_eq!(count(&world, "POST", "/sync"), 0);
    assert_eq!(count(&world, "DELETE", "/operation"), 0);

    // The genuine retry runs, in another instance (every request is one), once.
    let mut genuine = sync_of("guestbook");
    genuine["requestState"] = state.clone();
    genuine["inputResponses"] = json!({"approval": yes});
    let body = modern_call(genuine);
    let (_, done) = world.post(&body, &mirrored(&body)).await;
    assert_eq!(done["result"]["resultType"], "complete", "{done}");
    assert_eq!(count(&world, "POST", "/sync"), 1);
    let (_, replayed) = world.post(&body, &mirrored(&body)).await;
    assert_eq!(
        replayed["result"]["resultType"], "input_required",
        "{replayed}"
    );
    assert_eq!(count(&world, "POST", "/sync"), 1, "one yes, one sync");

    // The key is derived from the store key for this Argo CD: in no store, in no answer.
    let key = argocd_mcp::store_seal::StoreSeal::from_secret(host_test::embed::TEST_STORE_KEY)
        .unwrap()
        .approval_key(ARGOCD_URL);
    assert!(!state.as_str().unwrap().contains(&hex(&key)));
    assert!(
        world
            .env
            .kv
            .snapshot()
            .keys()
            .all(|k| !k.starts_with("argocd-mcp/approval/key"))
    );

    // With the store down, a yes cannot be spent, so it runs nothing: refused, nothing sent.
    world.env.kv.set_failing(true);
    let body = modern_call(sync_of("guestbook"));
    let (_, asked) = world.post(&body, &mirrored(&body)).await;
    assert_eq!(asked["result"]["resultType"], "input_required", "{asked}");
    let mut retry = sync_of("guestbook");
    retry["requestState"] = asked["result"]["requestState"].clone();
    retry["inputResponses"] = json!({"approval": yes});
    let body = modern_call(retry);
    let (_, refused) = world.post(&body, &mirrored(&body)).await;
    assert_eq!(refused["result"]["isError"], true, "{refused}");
    assert!(refused.to_string().contains("key-value store"), "{refused}");
    assert_eq!(count(&world, "POST", "/sync"), 1);
}

/// With approvals on, a write the allow-list refuses is refused before a person is asked: no
/// question for an app of another project, a patch moving an app out of the list, a create in
/// another project or an upsert over another project's app; a write within the list is asked.
#[tokio::test]
async fn the_allow_list_refuses_before_a_person_is_asked() {
    let mut world = World::new().await;
    world.set("require_approval", "true");
    world.set("allowed_projects", "payments");
    let call =
        |name: &str, arguments: Value| modern_call(json!({"name": name, "arguments": arguments}));
    let refused_unasked = [
        call(
            "sync_argocd_app",
            json!({"app_name": "guestbook", "confirm": true}),
        ),
        call(
            "patch_argocd_app",
            json!({"app_name": "guestbook", "confirm": true,
            "patch": {"spec": {"destination": {"namespace": "x"}}}}),
        ),
        call(
            "patch_argocd_app",
            json!({"app_name": "payments", "confirm": true,
            "patch": {"spec": {"project": "default"}}}),
        ),
        call(
            "patch_argocd_app",
            json!({"app_name": "payments", "confirm": true,
            "patch": {"spec": {"project": null}}}),
        ),
        call(
            "create_argocd_app",
            json!({"name": "new-svc", "project": "default",
            "repo_url": "https://git.example/x.git", "path": "x", "dest_namespace": "x", "confirm": true}),
        ),
        call(
            "create_argocd_app",
            json!({"name": "guestbook", "project": "payments",
            "repo_url": "https://git.example/x.git", "path": "x", "dest_namespace": "x",
            "upsert": true, "confirm": true}),
        ),
    ];
    for body in refused_unasked {
        let (_, answer) = world.post(&body, &mirrored(&body)).await;
        assert!(
            answer["result"]["inputRequests"].is_null(),
            "a person was asked: {answer}"
        );
        assert_eq!(answer["result"]["isError"], true, "{answer}");
        let text = answer.to_string();
        let judged =
            text.contains("ARGOCD_ALLOWED_PROJECTS") || text.contains("without spec.project");
        assert!(
            judged && text.to_lowercase().contains("nothing was sent"),
            "{text}"
        );
    }
    // Within the list, the person is asked.
    let body = call(
        "patch_argocd_app",
        json!({"app_name": "payments", "confirm": true,
               "patch": {"spec": {"destination": {"namespace": "payments-v2"}}}}),
    );
    let (_, asked) = world.post(&body, &mirrored(&body)).await;
    assert!(
        asked["result"]["inputRequests"]["approval"].is_object(),
        "{asked}"
    );
    for write in ["PATCH", "POST", "PUT", "DELETE"] {
        let writes: Vec<String> = world
            .standin
            .requests()
            .into_iter()
            .filter(|r| r.method == write && !r.path.contains("/session"))
            .map(|r| r.path)
            .collect();
        assert!(writes.is_empty(), "{write} reached Argo CD: {writes:?}");
    }
}

/// A patch setting what Argo CD's Patch drops without a word (`operation`, `status`, other
/// metadata) is refused on both components before anything is sent or asked: it would do
/// nothing, and under the allow-list it is not judged (an `operation` naming a source of its
/// own, review28's probe). Labels, annotations and finalizers still go through.
#[tokio::test]
async fn a_patch_of_what_argo_cd_does_not_keep_is_refused_on_both_components() {
    let mut world = World::new().await;
    world.set("allowed_projects", "payments");
    let allowed = [("ARGOCD_ALLOWED_PROJECTS", "payments")];
    let (plugin_standin, plugin_env) =
        crate::plugin::setup_with(host_test::standin::Config::default(), &allowed).await;
    let dropped = [
        json!({"operation": {"sync": {"revision": "evil", "source": {"repoURL": "https://git.example.com/x.git", "path": "hooks"}}}}),
        json!({"status": {"sync": {"status": "Synced"}}}),
        json!({"spec": {"syncPolicy": {"automated": null}}, "apiVersion": "argoproj.io/v2"}),
        json!({"metadata": {"ownerReferences": [{"kind": "AppProject", "name": "x"}]}}),
        json!({"metadata": {"labels": {"team": "a"}, "deletionTimestamp": "2026-01-01T00:00:00Z"}}),
    ];
    for patch in &dropped {
        let refused = world
            .tool_error(
                "patch_argocd_app",
                json!({"app_name": "payments", "confirm": true, "patch": patch}),
            )
            .await;
        assert!(refused.contains("does not keep"), "{patch}: {refused}");
        let (plugin, mut store) = harness().plugin(&plugin_env).await.unwrap();
        let refused = plugin
            .call_patch_argocd_app(&mut store, "payments", &patch.to_string(), None, true, None)
            .await
            .unwrap()
            .unwrap_err();
        assert!(
            refused.contains("does not keep"),
            "plugin, {patch}: {refused}"
        );
    }
    assert_eq!(
        count(&world, "PATCH", "/payments"),
        0,
        "no patch reached Argo CD"
    );
    let patches = plugin_standin
        .requests()
        .iter()
        .filter(|r| r.method == "PATCH")
        .count();
    assert_eq!(patches, 0, "no patch reached Argo CD from the plugin");
    let kept = json!({"metadata": {"labels": {"team": "a"}, "annotations": {"note": "b"},
                                   "finalizers": ["resources-finalizer.argocd.argoproj.io"]}});
    world
        .ok(
            "patch_argocd_app",
            json!({"app_name": "payments", "confirm": true, "patch": kept}),
        )
        .await;
    assert_eq!(count(&world, "PATCH", "/payments"), 1);
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[tokio::test]
async fn the_project_allow_list_judges_the_app_before_and_after_a_write() {
    let mut world = World::new().await;
    world.set("allowed_projects", "payments");
    let patches = |world: &World| count(world, "PATCH", "/payments");

    // Drop the project (Argo CD would read it as `default`) and retarget in one write.
    let escape = world
        .tool_error(
            "patch_argocd_app",
            json!({"app_name": "payments", "confirm": true,
                   "patch": {"spec": {"project": null, "destination": {"namespace": "kube-system"}}}}),
        )
        .await;
    assert!(escape.contains("without spec.project"), "{escape}");
    // Move it to a project outside the list, or replace the whole spec.
    for patch in [
        json!({"spec": {"project": "default"}}),
        json!({"spec": {"project": ""}}),
        json!({"spec": null}),
    ] {
        let refused = world
            .tool_error(
                "patch_argocd_app",
                json!({"app_name": "payments", "confirm": true, "patch": patch}),
            )
            .await;
        assert!(refused.contains("Nothing was sent"), "{patch}: {refused}");
    }
    assert_eq!(patches(&world), 0, "no patch reached Argo CD");

    // A patch within the project goes through, and names the project so Argo CD checks it too
    // (auto-sync turned off with it: left on, a new destination would be applied unchecked).
    let changed = world
        .ok(
            "patch_argocd_app",
            json!({"app_name": "payments", "confirm": true,
                   "patch": {"spec": {"destination": {"namespace": "payments-v2"},
                                      "syncPolicy": {"automated": null}}}}),
        )
        .await;
    assert_eq!(changed["project"], "payments");
    assert_eq!(patches(&world), 1);

    // Apps of other projects stay out of reach, by any write.
    let refused = world
        .tool_error(
            "sync_argocd_app",
            json!({"app_name": "guestbook", "confirm": true}),
        )
        .await;
    assert!(
        refused.contains("belongs to project 'default'"),
        "{refused}"
    );
    // `upsert` over an existing app of another project is a write to that app.
    let upsert = world
        .tool_error(
            "create_argocd_app",
            json!({"name": "guestbook", "project": "payments", "repo_url": "https://git.example/x.git",
                   "path": "x", "dest_namespace": "x", "upsert": true, "confirm": true}),
        )
        .await;
    assert!(upsert.contains("belongs to project 'default'"), "{upsert}");
    assert_eq!(count(&world, "POST", "/applications"), 0);

    // Syncs of allowed apps carry the project: Argo CD refuses them if the app moved meanwhile.
    world
        .ok(
            "sync_argocd_app",
            json!({"app_name": "payments", "confirm": true, "dry_run": true}),
        )
        .await;
    let sync = world
        .standin
        .requests()
        .into_iter()
        .find(|r| r.method == "POST" && r.path.ends_with("/payments/sync"))
        .unwrap();
    let sent: Value = serde_json::from_str(&sync.body).unwrap();
    assert_eq!(sent["project"], "payments", "{sent}");
    let patch = world
        .standin
        .requests()
        .into_iter()
        .find(|r| r.method == "PATCH")
        .unwrap();
    assert_eq!(
        serde_json::from_str::<Value>(&patch.body).unwrap()["project"],
        "payments"
    );
    // An app of that name in a namespace Argo CD does not serve is never taken for it.
    let elsewhere = world
        .tool_error(
            "delete_argocd_app",
            json!({"app_name": "payments", "app_namespace": "team-b", "cascade": false, "confirm": true}),
        )
        .await;
    assert!(elsewhere.contains("403"), "{elsewhere}");
    assert_eq!(count(&world, "DELETE", "/payments"), 0);
}

/// The Origin and Host a rebinding browser sends: its own name in both.
#[tokio::test]
async fn a_rebinding_browser_is_refused_by_the_component() {
    let mut world = World::new().await;
    let ping = r#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#;
    let request = |authority: &str, origin: Option<&str>| {
        let mut builder = http::Request::post(format!("http://{authority}/mcp"))
            .header("host", authority)
            .header("content-type", "application/json")
            .header("accept", "application/json, text/event-stream");
        if let Some(origin) = origin {
            builder = builder.header("origin", origin);
        }
        builder.body(Bytes::from_static(ping.as_bytes())).unwrap()
    };
    let status = |world: &World, authority: &str, origin: Option<&str>| {
        let request = request(authority, origin);
        let env = world.env.clone();
        async move { harness().request(&env, request).await.unwrap().status }
    };
    assert_eq!(
        status(
            &world,
            "evil.example:3000",
            Some("http://evil.example:3000")
        )
        .await,
        403
    );
    assert_eq!(status(&world, "evil.example:3000", None).await, 403);
    assert_eq!(
        status(&world, "localhost:3000", Some("http://evil.example:3000")).await,
        403
    );
    assert_eq!(status(&world, "127.0.0.1:3000", None).await, 200);
    // The health check is guarded the same way: its answer is worth reading for a page too.
    let health = http::Request::get("http://evil.example:3000/health/argocd")
        .header("host", "evil.example:3000")
        .body(Bytes::new())
        .unwrap();
    assert_eq!(
        harness().request(&world.env, health).await.unwrap().status,
        403
    );

    // The operator names the host and the console origin it serves.
    world.set("allowed_hosts", "mcp.example.com");
    world.set("allowed_origins", "https://console.example.com");
    assert_eq!(status(&world, "mcp.example.com", None).await, 200);
    assert_eq!(
        status(
            &world,
            "mcp.example.com",
            Some("https://console.example.com")
        )
        .await,
        200
    );
    assert_eq!(
        status(&world, "mcp.example.com", Some("https://mcp.example.com")).await,
        403,
        "an origin is allowed by the list, not by matching the host"
    );
    assert_eq!(status(&world, "evil.example:3000", None).await, 403);
}

/// The same attack against the runner, through a real socket.
#[test]
fn a_rebinding_browser_is_refused_by_the_runner() {
    let (_runner, listen) = crate::processes::serve(|command| {
        command
            .env("ARGOCD_URL", "http://127.0.0.1:9")
            .env("ARGOCD_TOKEN", "t");
    });
    let send = |host: &str, origin: Option<&str>| -> u16 {
        use std::io::{Read, Write};
        let body = r#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#;
        let origin = origin.map_or(String::new(), |o| format!("Origin: {o}\r\n"));
        let mut stream = std::net::TcpStream::connect(&listen).unwrap();
        write!(
            stream,
            "POST /mcp HTTP/1.1\r\nHost: {host}\r\n{origin}Content-Type: application/json\r\nAccept: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
        .unwrap();
        let mut answer = String::new();
        stream.read_to_string(&mut answer).unwrap();
        answer[9..12].parse().unwrap()
    };
    assert_eq!(
        send("evil.example:8787", Some("http://evil.example:8787")),
        403
    );
    assert_eq!(send("evil.example:8787", None), 403);
    assert_eq!(send(&listen, Some("http://evil.example:8787")), 403);
    assert_eq!(send(&listen, None), 200);
}

#[tokio::test]
async fn health_details_need_the_bearer_and_hits_cost_no_logins() {
    let mut world = World::new().await;
    world.set("mcp_auth_token", "mcp-s3cret");
    let bare = world.http("GET", "/health/argocd", &[], "").await;
    assert_eq!(bare.status, 200);
    let body = bare.json().unwrap();
    let keys: Vec<&String> = body.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["latency_ms", "status"], "{body}");
    let text = String::from_utf8_lossy(&bare.body);
    assert!(!text.contains("argocd.example.com") && !text.contains("admin"));

    let full = world
        .http(
            "GET",
            "/health/argocd",
            &[("authorization", "Bearer mcp-s3cret")],
            "",
        )
        .await;
    assert_eq!(full.json().unwrap()["authenticated_as"], "admin");
    assert_eq!(full.json().unwrap()["argocd_url"], ARGOCD_URL);
    // An unknown profile says nothing of the configured ones without the bearer.
    let unknown = world.http("GET", "/health/argocd?profile=x", &[], "").await;
    assert_eq!(unknown.status, 404);
    for _ in 0..10 {
        world.http("GET", "/health/argocd", &[], "").await;
    }
    assert_eq!(
        world.standin.login_count(),
        1,
        "the cached session serves every hit"
    );

    // Down is still down without the bearer, with nothing about why.
    world.standin.set_fail_with(Some(503));
    let down = world.http("GET", "/health/argocd", &[], "").await;
    assert_eq!(down.status, 503);
    assert_eq!(down.json().unwrap()["status"], "unavailable");
    assert!(down.json().unwrap().get("error").is_none());
}

#[tokio::test]
async fn the_bearer_is_trimmed_case_blind_in_its_scheme_and_never_blank() {
    let mut world = World::new().await;
    let ping = json!({"jsonrpc": "2.0", "id": 1, "method": "ping"});
    // A mounted secret with a trailing newline.
    world.set("mcp_auth_token", "mcp-s3cret\n");
    for header in [
        "Bearer mcp-s3cret",
        "bearer mcp-s3cret",
        "BEARER  mcp-s3cret",
    ] {
        let answer = world.mcp_with(&ping, &[("authorization", header)]).await;
        assert_eq!(answer.status, 200, "{header}");
    }
    for header in [
        "Bearer mcp-s3cret-x",
        "Basic mcp-s3cret",
        "Bearer MCP-S3CRET",
    ] {
        let answer = world.mcp_with(&ping, &[("authorization", header)]).await;
        assert_eq!(answer.status, 401, "{header}");
    }
    // Set but blank: nobody gets in, and the answer says why; it never means "no auth".
    world.set("mcp_auth_token", "  \n");
    for header in [None, Some("Bearer "), Some("Bearer x")] {
        let extra: Vec<(&str, &str)> = header.map(|h| ("authorization", h)).into_iter().collect();
        let answer = world.mcp_with(&ping, &extra).await;
        assert_eq!(answer.status, 503, "{header:?}");
        assert!(String::from_utf8_lossy(&answer.body).contains("MCP_AUTH_TOKEN"));
    }
}

/// A body that counts how much of it was read, sent in 64 KiB chunks as long as it is read.
fn counted_body(
    total: usize,
    pulled: Arc<AtomicUsize>,
) -> http_body_util::combinators::BoxBody<Bytes, std::convert::Infallible> {
    const CHUNK: usize = 64 << 10;
    let chunks = futures_util::stream::iter((0..total / CHUNK).map(move |_| {
        pulled.fetch_add(CHUNK, Ordering::SeqCst);
        Ok::<_, std::convert::Infallible>(hyper::body::Frame::data(Bytes::from(vec![b' '; CHUNK])))
    }));
    http_body_util::StreamBody::new(chunks).boxed()
}

#[tokio::test]
async fn an_oversized_request_is_refused_without_being_read() {
    let world = World::new().await;
    // 16 MB chunked: refused after about the limit, not after the whole body.
    let pulled = Arc::new(AtomicUsize::new(0));
    let request = hyper::Request::post("http://localhost:8787/mcp")
        .header("host", "localhost:8787")
        .header("content-type", "application/json")
        .body(counted_body(16 << 20, pulled.clone()))
        .unwrap();
    let response = harness().serve(&world.env, request).await.unwrap();
    assert_eq!(response.status(), 413);
    let read = pulled.load(Ordering::SeqCst);
    assert!(
        read <= (1 << 20) + (256 << 10),
        "read {read} bytes of 16 MiB"
    );

    // A declared length beyond 4 GiB (a 32-bit cast would wrap it to a small one): not read.
    let pulled = Arc::new(AtomicUsize::new(0));
    let request = hyper::Request::post("http://localhost:8787/mcp")
        .header("host", "localhost:8787")
        .header("content-type", "application/json")
        .header("content-length", ((1u64 << 32) + 10).to_string())
        .body(counted_body(1 << 20, pulled.clone()))
        .unwrap();
    let response = harness().serve(&world.env, request).await.unwrap();
    assert_eq!(response.status(), 413);
    assert!(pulled.load(Ordering::SeqCst) <= 256 << 10);
    // And the next ordinary call works.
    world
        .ok("get_argocd_app_status", json!({"app_name": "guestbook"}))
        .await;
}

#[tokio::test]
async fn requests_to_argo_cd_carry_a_length_never_chunked() {
    let world = World::new().await;
    world
        .ok(
            "sync_argocd_app",
            json!({"app_name": "guestbook", "confirm": true, "dry_run": true}),
        )
        .await;
    let requests = world.standin.requests();
    let writes: Vec<_> = requests.iter().filter(|r| r.method != "GET").collect();
    assert!(writes.len() >= 2, "login and sync");
    for write in writes {
        let header = |name: &str| {
            write
                .headers
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
        };
        assert!(
            header("transfer-encoding").is_none(),
            "{} {}",
            write.method,
            write.path
        );
        let length: usize = header("content-length")
            .expect("content-length")
            .parse()
            .unwrap();
        assert!(length > 0);
    }
}
