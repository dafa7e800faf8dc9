//! MCP 2026-07-28 through the server component: per-request `_meta`, mirrored headers, discovery,
//! its error codes, and a dual-era client that may fall back to `initialize`.

use std::time::Duration;

use serde_json::{Value, json};

use crate::{PASSWORD, World};

const MODERN: &str = "2026-07-28";

/// A 2026-07-28 request body: `params` plus the per-request `_meta` a client must send.
pub(crate) fn modern_body(id: u64, method: &str, params: Value) -> Value {
    let mut params = params;
    let meta = params
        .as_object_mut()
        .unwrap()
        .entry("_meta")
        .or_insert_with(|| json!({}));
    meta["io.modelcontextprotocol/protocolVersion"] = json!(MODERN);
    meta["io.modelcontextprotocol/clientCapabilities"] = json!({});
    meta["io.modelcontextprotocol/clientInfo"] = json!({"name": "e2e", "version": "1"});
    json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params})
}

/// The headers a conforming 2026-07-28 client mirrors from `body`.
pub(crate) fn mirrored(body: &Value) -> Vec<(String, String)> {
    let method = body["method"].as_str().unwrap();
    let mut headers = vec![
        ("mcp-protocol-version".to_owned(), MODERN.to_owned()),
        ("mcp-method".to_owned(), method.to_owned()),
    ];
    let name = match method {
        "tools/call" | "prompts/get" => body["params"]["name"].as_str(),
        "resources/read" => body["params"]["uri"].as_str(),
        _ => None,
    };
    if let Some(name) = name {
        headers.push(("mcp-name".to_owned(), name.to_owned()));
    }
    headers
}

impl World {
    /// POSTs `body` with exactly `headers` besides the content negotiation ones.
    pub(crate) async fn post(&self, body: &Value, headers: &[(String, String)]) -> (u16, Value) {
        let mut all = vec![
            ("content-type", "application/json"),
            ("accept", "application/json, text/event-stream"),
        ];
        all.extend(headers.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        let response = self.http("POST", "/mcp", &all, &body.to_string()).await;
        let json = if response.body.is_empty() {
            Value::Null
        } else {
            response.json().unwrap()
        };
        (response.status, json)
    }

    pub(crate) async fn modern(&self, method: &str, params: Value) -> (u16, Value) {
        let body = modern_body(1, method, params);
        self.post(&body, &mirrored(&body)).await
    }
}

#[tokio::test]
async fn a_modern_exchange_discover_list_call_read_get() {
    let world = World::new().await;
    let (status, discover) = world.modern("server/discover", json!({})).await;
    assert_eq!(status, 200, "{discover}");
    let result = &discover["result"];
    assert_eq!(result["resultType"], "complete");
    assert!(
        result["supportedVersions"]
            .as_array()
            .unwrap()
            .contains(&json!(MODERN))
    );
    for capability in ["tools", "resources", "prompts"] {
        assert!(result["capabilities"][capability].is_object(), "{result}");
    }
    assert_eq!(
        result["_meta"]["io.modelcontextprotocol/serverInfo"]["name"],
        "argocd-mcp"
    );
    assert!(result["ttlMs"].as_u64().unwrap() > 0);
    assert_eq!(result["cacheScope"], "public");

    let (status, list) = world.modern("tools/list", json!({})).await;
    assert_eq!(status, 200);
    assert!(list["result"]["tools"].as_array().unwrap().len() >= 30);
    assert!(list["result"]["ttlMs"].is_u64());

    let (status, call) = world
        .modern(
            "tools/call",
            json!({"name": "get_argocd_app_status", "arguments": {"app_name": "guestbook"}}),
        )
        .await;
    assert_eq!(status, 200);
    let result = &call["result"];
    assert_eq!(result["resultType"], "complete");
    assert_eq!(result["isError"], false);
    assert_eq!(result["structuredContent"]["name"], "guestbook");
    assert!(result.get("ttlMs").is_none(), "tool results are not cached");

    let (status, guide) = world
        .modern(
            "resources/read",
            json!({"uri": "argocd-mcp://guides/sync-safety"}),
        )
        .await;
    assert_eq!(status, 200);
    assert!(
        guide["result"]["contents"][0]["text"]
            .as_str()
            .unwrap()
            .contains("sync")
    );
    assert_eq!(guide["result"]["cacheScope"], "public");

    let (status, prompt) = world
        .modern(
            "prompts/get",
            json!({"name": "triage_app", "arguments": {"app_name": "payments"}}),
        )
        .await;
    assert_eq!(status, 200);
    assert!(
        prompt["result"]["messages"][0]["content"]["text"]
            .as_str()
            .unwrap()
            .contains("payments")
    );

    let (status, missing) = world
        .modern("resources/read", json!({"uri": "argocd-mcp://guides/nope"}))
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        missing["error"]["code"], -32602,
        "2026-07-28 reports an unknown resource as invalid params"
    );
}

#[tokio::test]
async fn header_and_version_refusals() {
    let world = World::new().await;
    let call = modern_body(
        3,
        "tools/call",
        json!({"name": "get_argocd_app_status", "arguments": {"app_name": "guestbook"}}),
    );
    let good = mirrored(&call);
    let without = |name: &str| -> Vec<(String, String)> {
        good.iter().filter(|(k, _)| k != name).cloned().collect()
    };
    let replaced = |name: &str, value: &str| -> Vec<(String, String)> {
        let mut headers = without(name);
        headers.push((name.to_owned(), value.to_owned()));
        headers
    };
    for (case, headers) in [
        ("no MCP-Protocol-Version", without("mcp-protocol-version")),
        ("no Mcp-Method", without("mcp-method")),
        ("no Mcp-Name", without("mcp-name")),
        ("other method", replaced("mcp-method", "tools/list")),
        ("other tool", replaced("mcp-name", "delete_argocd_app")),
        ("broken base64", replaced("mcp-name", "=?base64?***?=")),
        (
            "older version",
            replaced("mcp-protocol-version", "2025-11-25"),
        ),
    ] {
        let (status, answer) = world.post(&call, &headers).await;
        assert_eq!(status, 400, "{case}: {answer}");
        assert_eq!(answer["error"]["code"], -32020, "{case}: {answer}");
        assert_eq!(answer["id"], 3, "{case}: the error keeps the id");
    }
    assert!(
        world.standin.requests().is_empty(),
        "nothing reached Argo CD for refused requests"
    );

    // A name sent base64-encoded is decoded before the comparison.
    let encoded = replaced("mcp-name", "=?base64?Z2V0X2FyZ29jZF9hcHBfc3RhdHVz?=");
    let (status, answer) = world.post(&call, &encoded).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["result"]["structuredContent"]["name"], "guestbook");

    // A version we do not speak: -32022 with the versions to retry with.
    let mut future = call.clone();
    future["params"]["_meta"]["io.modelcontextprotocol/protocolVersion"] = json!("2099-01-01");
    let (status, answer) = world
        .post(&future, &replaced("mcp-protocol-version", "2099-01-01"))
        .await;
    assert_eq!(status, 400);
    assert_eq!(answer["error"]["code"], -32022);
    assert_eq!(answer["error"]["data"]["requested"], "2099-01-01");
    let supported = answer["error"]["data"]["supported"].as_array().unwrap();
    assert!(supported.contains(&json!(MODERN)) && supported.contains(&json!("2025-11-25")));

    // Required `_meta` fields: client capabilities.
    let mut bare = call.clone();
    bare["params"]["_meta"]
        .as_object_mut()
        .unwrap()
        .remove("io.modelcontextprotocol/clientCapabilities");
    let (status, answer) = world.post(&bare, &good).await;
    assert_eq!(
        (status, answer["error"]["code"].as_i64()),
        (400, Some(-32602))
    );

    // Unknown methods are 404 + -32601; so is `ping`, which 2026-07-28 removed.
    for method in ["tasks/get", "ping", "logging/setLevel"] {
        let (status, answer) = world.modern(method, json!({})).await;
        assert_eq!(status, 404, "{method}: {answer}");
        assert_eq!(answer["error"]["code"], -32601, "{method}");
    }
    // Notifications are accepted without a body.
    let notification = json!({"jsonrpc": "2.0", "method": "notifications/cancelled",
        "params": {"requestId": 3, "_meta": {"io.modelcontextprotocol/protocolVersion": MODERN}}});
    let (status, _) = world
        .post(
            &notification,
            &[("mcp-protocol-version".into(), MODERN.into())],
        )
        .await;
    assert_eq!(status, 202);
}

/// A dual-era client tries 2026-07-28 first and falls back to `initialize` on a non-modern error;
/// a handshake-era client only knows `initialize`. Both must end up calling tools.
#[tokio::test]
async fn dual_era_and_legacy_clients_both_work() {
    let world = World::new().await;
    // Modern probe: the answer is modern, so the client stays modern.
    let (status, probe) = world.modern("server/discover", json!({})).await;
    assert_eq!(status, 200);
    assert_eq!(probe["result"]["resultType"], "complete");

    // The same client, configured to speak the handshake era to this origin, still gets it.
    let init = json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "old", "version": "1"}}});
    let (status, answer) = world
        .post(
            &init,
            &[("mcp-protocol-version".into(), "2025-11-25".into())],
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(answer["result"]["protocolVersion"], "2025-11-25");
    assert!(answer["result"].get("resultType").is_none());
    // An initialize that names the stateless revision is answered with the handshake era's newest.
    let mut modern_init = init.clone();
    modern_init["params"]["protocolVersion"] = json!(MODERN);
    let (_, answer) = world.post(&modern_init, &[]).await;
    assert_eq!(answer["result"]["protocolVersion"], "2025-11-25");

    let call = json!({"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {
        "name": "list_argocd_apps", "arguments": {"limit": 2}}});
    let (status, answer) = world
        .post(
            &call,
            &[("mcp-protocol-version".into(), "2025-11-25".into())],
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(answer["result"]["structuredContent"]["returned"], 2);
    assert!(answer["result"].get("resultType").is_none());
    // A handshake-era client that never sends the version header (2025-03-26 and before).
    let (status, answer) = world.post(&call, &[]).await;
    assert_eq!(status, 200);
    assert_eq!(answer["result"]["isError"], false);
}

#[tokio::test]
async fn modern_progress_streams_over_sse() {
    let world = World::with(
        host_test::standin::Config {
            operation_time: Duration::from_millis(1500),
            ..Default::default()
        },
        &[("argocd_username", "admin"), ("argocd_password", PASSWORD)],
    )
    .await;
    let sync = modern_body(
        4,
        "tools/call",
        json!({"name": "sync_argocd_app", "arguments": {"app_name": "guestbook", "confirm": true, "wait": true, "timeout_seconds": 30},
               "_meta": {"progressToken": 17}}),
    );
    let headers = mirrored(&sync);
    let mut all = vec![
        ("content-type", "application/json"),
        ("accept", "application/json, text/event-stream"),
    ];
    all.extend(headers.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    let response = world.http("POST", "/mcp", &all, &sync.to_string()).await;
    assert_eq!(response.status, 200);
    assert_eq!(response.header("content-type"), Some("text/event-stream"));
    let messages = crate::sse_messages(&response.body);
    let (answer, progress) = messages.split_last().expect("an answer");
    assert!(!progress.is_empty(), "progress before the answer");
    for note in progress {
        assert_eq!(note["method"], "notifications/progress");
        assert_eq!(note["params"]["progressToken"], 17);
    }
    assert_eq!(answer["id"], 4);
    assert_eq!(answer["result"]["resultType"], "complete");
    assert_eq!(
        answer["result"]["structuredContent"]["outcome"]["verdict"],
        "healthy"
    );
}

/// With `require_approval`, a change runs only after a person said yes through the client:
/// 2026-07-28 multi round-trip elicitation, -32021 for a client that cannot ask, a tool error
/// for an earlier revision, and nothing reaches Argo CD until the yes.
#[tokio::test]
async fn changes_wait_for_a_persons_approval_through_the_client() {
    let mut world = World::new().await;
    world.set("require_approval", "true");
    let syncs = |world: &World| {
        world
            .standin
            .requests()
            .iter()
            .filter(|r| r.method == "POST" && r.path.ends_with("/sync"))
            .count()
    };
    let sync = json!({"name": "sync_argocd_app",
                      "arguments": {"app_name": "guestbook", "confirm": true}});
    let with_capabilities = |params: &Value, capabilities: Value| {
        let mut body = modern_body(7, "tools/call", params.clone());
        body["params"]["_meta"]["io.modelcontextprotocol/clientCapabilities"] = capabilities;
        body
    };

    // A client that cannot ask a person: 400 + -32021 naming the capability.
    let body = with_capabilities(&sync, json!({}));
    let (status, refused) = world.post(&body, &mirrored(&body)).await;
    assert_eq!(status, 400, "{refused}");
    assert_eq!(refused["error"]["code"], -32021);
    assert!(
        refused["error"]["data"]["requiredCapabilities"]
            .get("elicitation")
            .is_some()
    );

    // A client that can: the form comes back, and nothing was sent to Argo CD.
    let body = with_capabilities(&sync, json!({"elicitation": {"form": {}}}));
    let (status, asked) = world.post(&body, &mirrored(&body)).await;
    assert_eq!(status, 200, "{asked}");
    assert_eq!(asked["result"]["resultType"], "input_required");
    let (key, request) = asked["result"]["inputRequests"]
        .as_object()
        .unwrap()
        .iter()
        .next()
        .unwrap();
    assert_eq!(request["method"], "elicitation/create");
    let question = request["params"]["message"].as_str().unwrap();
    assert!(
        question.contains("sync_argocd_app") && question.contains("guestbook"),
        "{question}"
    );
    assert!(!question.contains(PASSWORD));
    assert_eq!(syncs(&world), 0);

    // The person says no: nothing happens. The retry echoes the server's sealed state.
    let mut retry = sync.clone();
    retry["requestState"] = asked["result"]["requestState"].clone();
    retry["inputResponses"] = json!({ key: {"action": "decline"} });
    let body = with_capabilities(&retry, json!({"elicitation": {}}));
    let (_, declined) = world.post(&body, &mirrored(&body)).await;
    assert_eq!(declined["result"]["isError"], true, "{declined}");
    assert_eq!(syncs(&world), 0);

    // A no is final: the same state answered yes is asked again, nothing runs.
    retry["inputResponses"] = json!({ key: {"action": "accept", "content": {"approve": true}} });
    let body = with_capabilities(&retry, json!({"elicitation": {}}));
    let (_, again) = world.post(&body, &mirrored(&body)).await;
    assert_eq!(again["result"]["resultType"], "input_required", "{again}");
    assert_eq!(syncs(&world), 0);

    // The person says yes to the question asked again: the same call, retried, runs.
    retry["requestState"] = again["result"]["requestState"].clone();
    let body = with_capabilities(&retry, json!({"elicitation": {}}));
    let (status, done) = world.post(&body, &mirrored(&body)).await;
    assert_eq!(status, 200);
    assert_eq!(done["result"]["resultType"], "complete", "{done}");
    assert_eq!(done["result"]["structuredContent"]["operation"], "sync");
    assert_eq!(syncs(&world), 1);

    // Reads and dry runs need nobody's yes.
    let (_, status_read) = world
        .modern(
            "tools/call",
            json!({"name": "get_argocd_app_status", "arguments": {"app_name": "guestbook"}}),
        )
        .await;
    assert_eq!(status_read["result"]["isError"], false, "{status_read}");
    let (_, dry) = world
        .modern(
            "tools/call",
            json!({"name": "sync_argocd_app",
                   "arguments": {"app_name": "payments", "confirm": true, "dry_run": true}}),
        )
        .await;
    assert_eq!(dry["result"]["isError"], false, "{dry}");

    // A 2025-era client cannot be asked mid-call: refused with the reason, nothing sent.
    let before = syncs(&world);
    let legacy = world
        .tool_error(
            "sync_argocd_app",
            json!({"app_name": "guestbook", "confirm": true}),
        )
        .await;
    assert!(legacy.contains("approval"), "{legacy}");
    assert_eq!(syncs(&world), before);
}

/// With several instances, `profile` carries `x-mcp-header: Profile`: 2026-07-28 clients mirror
/// it into `Mcp-Param-Profile` (so a gateway can route on it), and the server refuses a header
/// that disagrees with the body.
#[tokio::test]
async fn the_profile_argument_is_mirrored_into_a_header() {
    let (world, staging) = crate::profiles::two_instances().await;
    let (_, list) = world.modern("tools/list", json!({})).await;
    for tool in list["result"]["tools"].as_array().unwrap() {
        assert_eq!(
            tool["inputSchema"]["properties"]["profile"]["x-mcp-header"], "Profile",
            "{}",
            tool["name"]
        );
    }
    let call = |profile: Option<&str>| {
        let mut arguments = json!({"app_name": "guestbook"});
        if let Some(profile) = profile {
            arguments["profile"] = json!(profile);
        }
        modern_body(
            5,
            "tools/call",
            json!({"name": "get_argocd_app_status", "arguments": arguments}),
        )
    };
    let with = |body: &Value, extra: &[(&str, &str)]| {
        let mut headers = mirrored(body);
        headers.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        headers
    };

    let body = call(Some("staging"));
    let (status, answer) = world
        .post(&body, &with(&body, &[("Mcp-Param-Profile", "staging")]))
        .await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["result"]["isError"], false, "{answer}");
    assert!(
        staging
            .requests()
            .iter()
            .any(|r| r.path.ends_with("/guestbook"))
    );
    // Base64 form, as clients send values that are not plain ASCII.
    let (status, _) = world
        .post(
            &body,
            &with(&body, &[("Mcp-Param-Profile", "=?base64?c3RhZ2luZw==?=")]),
        )
        .await;
    assert_eq!(status, 200);

    for (body, headers, why) in [
        (call(Some("staging")), vec![], "missing"),
        (
            call(Some("staging")),
            vec![("Mcp-Param-Profile", "default")],
            "different",
        ),
        (
            call(None),
            vec![("Mcp-Param-Profile", "staging")],
            "no argument",
        ),
    ] {
        let (status, refused) = world.post(&body, &with(&body, &headers)).await;
        assert_eq!(status, 400, "{why}: {refused}");
        assert_eq!(refused["error"]["code"], -32020, "{why}");
        assert!(
            refused["error"]["message"]
                .as_str()
                .unwrap()
                .contains("Mcp-Param-Profile"),
            "{why}"
        );
    }
    // No profile, no header: the default instance.
    let body = call(None);
    let (status, _) = world.post(&body, &mirrored(&body)).await;
    assert_eq!(status, 200);
}
