//! Twenty-first hostile review (issue 19). HEADER-PLACEHOLDER

use serde_json::{Value, json};

use crate::identity::{CLIENT_ID, CLIENT_SECRET, call_as, token, user_mode};

// ---------------------------------------------------------------------------------------------
// ARGOCD_ALLOWED_PROJECTS: deletes of child Applications other than delete and cascade
// ---------------------------------------------------------------------------------------------

/// A world with allowed_projects=payments where `payments` (allowed) manages the Application
/// `broken-app` (project default, refused), marked as to be pruned (gone from the parent's Git).
async fn pruning_world() -> crate::World {
    let mut world = crate::World::new().await;
    world.set("allowed_projects", "payments");
    crate::planting::manages(&world.standin, "payments", "broken-app");
    let mut state = world.standin.state();
    let record = state.apps.get_mut("payments").unwrap();
    for resource in record.app["status"]["resources"].as_array_mut().unwrap() {
        if resource["name"] == "broken-app" {
            resource["requiresPruning"] = json!(true);
            resource["status"] = json!("OutOfSync");
        }
    }
    drop(state);
    world
}

fn sent_writes(world: &crate::World) -> Vec<String> {
    world
        .standin
        .requests()
        .iter()
        .filter(|r| r.method != "GET" && r.path != "/api/v1/session")
        .map(|r| format!("{} {}", r.method, r.path))
        .collect()
}

/// P1: a sync with `prune: true` of an allowed app of apps deletes the child Application that
/// Git no longer holds, whatever its project: the delete the allow-list refuses through
/// `delete_argocd_resource` (and through the cascade delete of the parent) is sent as a sync.
#[tokio::test]
#[ignore = "issue 19: sync prune of an allowed app of apps deletes a child Application of a refused project"]
async fn review21_finding_p1_sync_prune_deletes_a_child_application_of_another_project() {
    let world = pruning_world().await;
    // The same delete asked directly is refused (holds).
    let direct = world
        .call(
            "delete_argocd_resource",
            json!({"app_name": "payments", "kind": "Application", "group": "argoproj.io",
                   "version": "v1alpha1", "resource_name": "broken-app", "namespace": "argocd",
                   "confirm": true}),
        )
        .await;
    println!("review21 P1 direct: {direct}");
    assert_eq!(direct["isError"], true, "{direct}");
    assert!(sent_writes(&world).is_empty(), "{:?}", sent_writes(&world));
    let result = world
        .call(
            "sync_argocd_app",
            json!({"app_name": "payments", "prune": true, "confirm": true}),
        )
        .await;
    println!("review21 P1 sync prune: {result}");
    let sent = sent_writes(&world);
    assert!(
        sent.is_empty(),
        "payments synced with prune while it would prune broken-app (project default): {sent:?} ({result})"
    );
}

/// A child Application listed with a namespace spelled otherwise, or none: it is read as listed
/// and a mismatch refuses (fail closed).
#[tokio::test]
async fn review21_held_child_listed_in_another_namespace_spelling_is_refused() {
    for namespace in [json!(""), json!("ArgoCD"), json!("argocd "), Value::Null] {
        let mut world = crate::World::new().await;
        world.set("allowed_projects", "payments");
        {
            let mut state = world.standin.state();
            state.apps.get_mut("broken-app").unwrap().app["spec"]["project"] = json!("payments");
            let record = state.apps.get_mut("payments").unwrap();
            let mut child = json!({"group": "argoproj.io", "version": "v1alpha1",
                "kind": "Application", "name": "broken-app", "status": "Synced"});
            if !namespace.is_null() {
                child["namespace"] = namespace.clone();
            }
            record.app["status"]["resources"].as_array_mut().unwrap().push(child);
        }
        crate::planting::manages(&world.standin, "broken-app", "guestbook");
        let result = world
            .call(
                "delete_argocd_app",
                json!({"app_name": "payments", "cascade": true, "confirm": true}),
            )
            .await;
        println!("review21 namespace {namespace}: {result}");
        let sent: Vec<String> = sent_writes(&world);
        assert!(sent.is_empty(), "namespace {namespace}: {sent:?} {result}");
    }
}

// ---------------------------------------------------------------------------------------------
// The settings' own secrets in answers
// ---------------------------------------------------------------------------------------------

/// E2: a provider (or a proxy before it) quoting the request it refused in spellings
/// `OwnSecrets` does not know: base64 wrapped at 76 characters as MIME writes it (the secret's
/// characters cut by the line break), every byte percent-encoded, hex in mixed case, HTML
/// entities for the punctuation.
#[tokio::test]
#[ignore = "issue 19: the client secret quoted MIME-wrapped in base64 or fully percent-encoded is shown"]
async fn review21_finding_e2_the_client_secret_in_more_encodings_is_shown() {
    use base64::Engine;
    let body = format!(
        "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Atoken-exchange&client_id={CLIENT_ID}&client_secret={CLIENT_SECRET}&scope=openid"
    );
    let b64 = base64::engine::general_purpose::STANDARD.encode(&body);
    let wrapped: Vec<String> = b64
        .as_bytes()
        .chunks(76)
        .map(|c| String::from_utf8(c.to_vec()).unwrap())
        .collect();
    let percent: String = CLIENT_SECRET.bytes().map(|b| format!("%{b:02X}")).collect();
    let variants = [
        ("MIME base64 of the body (CRLF)", wrapped.join("\r\n")),
        ("MIME base64 of the body (LF)", wrapped.join("\n")),
        ("every byte percent-encoded", percent.clone()),
        ("every byte percent-encoded, lower", percent.to_lowercase()),
    ];
    let world = user_mode(&[]).await;
    let alice = token(&world, "alice");
    let mut shown = Vec::new();
    for (name, spelling) in &variants {
        world.standin.state().idp.exchange_error_echo =
            Some(format!("refused R21e02q [{spelling}]"));
        let (status, body) = call_as(&world, &alice, "get_argocd_server_info", json!({})).await;
        let said = format!("{status} {body}");
        println!("review21 E2 {name}: {said}");
        assert!(said.contains("R21e02q"), "{said}");
        // Decode what the answer holds and look for the secret in it.
        let text = body.to_string();
        let decoded = decode_echo(&text);
        if decoded.iter().any(|d| d.contains(CLIENT_SECRET)) {
            shown.push(name.to_string());
        }
    }
    assert!(
        shown.is_empty(),
        "the client secret {CLIENT_SECRET} recoverable from: {shown:?}"
    );
}

/// What a reader recovers from the bracketed echo of an answer: percent-decoded and base64
/// decoded with line breaks dropped.
fn decode_echo(text: &str) -> Vec<String> {
    use base64::Engine;
    let mut out = Vec::new();
    for part in text.split("R21e02q [").skip(1) {
        let inner = part.split(']').next().unwrap_or("");
        // The JSON text escapes: read it as the string it was.
        let unescaped = inner.replace("\\\\r", "").replace("\\\\n", "").replace("\\r", "").replace("\\n", "");
        out.push(unescaped.clone());
        let bytes = unescaped.as_bytes();
        let mut decoded = Vec::new();
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] == b'%' && i + 2 < bytes.len() + 0 && i + 2 <= bytes.len() - 1 {
                if let Ok(b) = u8::from_str_radix(&unescaped[i + 1..i + 3], 16) {
                    decoded.push(b);
                    i += 3;
                    continue;
                }
            }
            decoded.push(bytes[i]);
            i += 1;
        }
        out.push(String::from_utf8_lossy(&decoded).into_owned());
        if let Ok(b) = base64::engine::general_purpose::STANDARD.decode(unescaped.trim()) {
            out.push(String::from_utf8_lossy(&b).into_owned());
        }
        // Base64 decoding of a word with masks in it fails: decode each run of base64 text.
        for run in unescaped.split(|c: char| !(c.is_ascii_alphanumeric() || "+/=".contains(c))) {
            for cut in 0..4 {
                if run.len() > cut {
                    let piece = &run[cut..];
                    let piece = &piece[..piece.len() / 4 * 4];
                    if let Ok(b) = base64::engine::general_purpose::STANDARD.decode(piece) {
                        out.push(String::from_utf8_lossy(&b).into_owned());
                    }
                }
            }
        }
    }
    out
}

/// A world whose admin password holds a quote and a backslash (what a password may hold).
async fn world_with_password(password: &str) -> crate::World {
    let mut config = host_test::standin::Config::default();
    config.users = vec![("admin".into(), password.into())];
    let standin = host_test::standin::StandIn::start(config).await.unwrap();
    let mut env = host_test::embed::HostEnv {
        redirect: Some(standin.addr),
        stderr: Some(wasmtime_wasi::p2::pipe::MemoryOutputPipe::new(1 << 20)),
        ..Default::default()
    };
    env.variables.insert("argocd_url".into(), crate::ARGOCD_URL.into());
    env.variables.insert("argocd_username".into(), "admin".into());
    env.variables.insert("argocd_password".into(), password.into());
    crate::World { standin, env }
}

/// E3: the settings' own secrets are taken out of a whole answer as its JSON text: a secret
/// holding a quote or a backslash is written escaped once in `structuredContent` but twice in
/// the `content` text (JSON text inside a JSON string), a spelling `OwnSecrets` does not list.
#[tokio::test]
#[ignore = "issue 19: a password with a quote or backslash quoted by Argo CD is shown doubly escaped in content text"]
async fn review21_finding_e3_a_password_with_a_quote_is_shown_in_the_content_text() {
    let password = "R21q\"Zx9\\kpw";
    let world = world_with_password(password).await;
    crate::planting::plant_conditions(
        &world.standin,
        "guestbook",
        &[("m", format!("rendered {password} into the chart"), "")],
    );
    let result = world
        .call("get_argocd_app_status", json!({"app_name": "guestbook"}))
        .await;
    assert_eq!(result["isError"], false, "{result}");
    let structured = result["structuredContent"].to_string();
    let text = result["content"][0]["text"].as_str().unwrap_or("").to_owned();
    println!("review21 E3 structured: {structured}");
    println!("review21 E3 text: {text}");
    assert!(
        !structured.contains("R21q") || !structured.contains("Zx9"),
        "structured: {structured}"
    );
    assert!(
        !text.contains("Zx9"),
        "the password {password} in the content text: {text}"
    );
}

// ---------------------------------------------------------------------------------------------
// Denial of service: 256 KB of one repeated pattern in a condition message
// ---------------------------------------------------------------------------------------------

/// Every pattern repeated to 256 KB, with and without a `kind: Secret` line before it, through
/// one `get_argocd_app_status` each: the slowest are printed.
#[tokio::test]
#[ignore = "a timing probe: run it by hand with --ignored"]
async fn review21_probe_repeated_patterns_timing() {
    let size: usize = std::env::var("R21_SIZE")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(256 * 1024);
    let only = std::env::var("R21_ONLY").ok();
    let patterns: Vec<String> = [
        "\\", "\\\\z", "%", "%25", "%5C", "&", "&#", "&#x", "&quot;", ":", "=", "@", "/", "\"",
        "'", "-", ".", "$", "${", "{", "[", "<", " ", "\t", "\n", "\\n", "#", "*", "|", "`",
        "\u{1b}[", "\\u001b[1", ";", "://", "Bearer ", "password=", "password: ", "-----BEGIN ",
        "eyJ", "ghp_", "AKIA", "data:", "stringData:", "token:", "\\\"", "\\u005c", "a:b@",
        "x://a:b", "--password ", "-p", "Authorization: ", "Basic ", "key=", "secret ", "pass",
        "password", "\"password\":", "'password':", "password=\"", "PASSWORD=", "apiKey",
        "\\\\\\\"", "\\u0022", "%22", "%2522", "&#34;", "-----", "a=b&", "a=", "=a", "_", "aA1",
        "0", "==", "\\x1b[", "\\033[", "\\e[", "\r", "\u{2028}", "\u{e9}", "é:", "@@", "::",
        "//", "@a:", "a@", ":@", "{{", "}}", "${{", "\\\\", "\\/", "%2F", "%40", "%3A",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let world = crate::World::new().await;
    let mut times = Vec::new();
    for pattern in &patterns {
        if only.as_deref().is_some_and(|o| o != pattern) {
            continue;
        }
        for prefix in ["", "kind: Secret\n"] {
            let body = pattern.repeat(size / pattern.len().max(1));
            let message = format!("{prefix}{body}z");
            crate::planting::plant_conditions(&world.standin, "guestbook", &[("m", &message, "")]);
            let started = std::time::Instant::now();
            let _ = world
                .call("get_argocd_app_status", json!({"app_name": "guestbook"}))
                .await;
            let took = started.elapsed();
            println!("review21 timing {pattern:?} {prefix:?}: {took:?}");
            times.push((took, format!("{pattern:?} {prefix:?}")));
        }
    }
    times.sort();
    times.reverse();
    for (took, name) in times.iter().take(10) {
        println!("review21 slowest {name}: {took:?}");
    }
}
