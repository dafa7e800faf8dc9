//! Sixteenth hostile review (issue 19): probes of what the fifteenth review did not reach —
//! history entries' sources, clusters' and repositories' connection messages and URLs, the
//! approval question of `create_argocd_app` with `upsert` and of `sync_argocd_app` with
//! `resources`, `completion/complete` in user mode — through the built components (the server
//! component and, where the tool exists there, the plugin).
//!
//! Findings (each `review16_finding_*` asserts the secure behaviour, fails today and is ignored
//! with issue 19):
//!
//! - K1 (medium, approval question misstates) a merge-patch key holding a URL's userinfo or
//!   shaped like a token (Helm `valuesObject`, kustomize `commonAnnotations`,
//!   `managedNamespaceMetadata` labels) is asked with that part of the key taken out — userinfo
//!   silently, a token as `.***` — where a key with `password=` / `?token=` and every such value
//!   are refused.
//! - U1 (low, user mode) two `Authorization` headers are accepted; the first one's caller acts.
//!
//! The other tests are shapes that held: history sources, clusters' and repositories' URLs and
//! connection messages, errors echoing a cluster URL, ApplicationSet previews, events, the change
//! feed's notifications and `resources/read`, the approval question of upsert / sync resources /
//! sync revisions / rollback / create / delete_resource, escaped invisible characters, forged
//! user-mode tokens (jku, x5c, crit, kid traversal, alg swap, 2 MB, two tokens, four parts).

use serde_json::{Value, json};

use crate::World;
use crate::harness;
use crate::identity::{call_as, token, user_mode};
use crate::planting::{approval_world, asked_text, plugin_env};

/// Every marker of `markers` found in `text`, named by `what`.
fn found_in(what: &str, text: &str, markers: &[&str]) -> Vec<String> {
    markers
        .iter()
        .filter(|m| text.contains(*m))
        .map(|m| format!("{what}: {m} in {text}"))
        .collect()
}

// ---------------------------------------------------------------------------------------------
// History entries' sources (list_argocd_app_history)
// ---------------------------------------------------------------------------------------------

const HISTORY_URLS: [(&str, &str); 7] = [
    (
        "https://gitlab.example.com/g/r.git?private_token=R16h01x",
        "R16h01x",
    ),
    ("oci://robot:R16h02x@registry.example.com/charts", "R16h02x"),
    ("ssh://git:R16h03x@git.example.com:2222/r.git", "R16h03x"),
    (
        "https://oauth2:glpat-R16h04xAAAAAAAAAAAAA@gitlab.example.com/g/r.git",
        "R16h04x",
    ),
    (
        "https://user%40corp:R16h05x@git.example.com/r.git",
        "R16h05x",
    ),
    ("git::https://u:R16h06x@git.example.com/r.git", "R16h06x"),
    (
        "https://git.example.com/r.git#access_token=R16h07x",
        "R16h07x",
    ),
];

fn plant_history(world: &World) {
    let mut state = world.standin.state();
    let record = state.apps.get_mut("guestbook").unwrap();
    let entries: Vec<Value> = HISTORY_URLS
        .iter()
        .enumerate()
        .map(|(i, (url, _))| {
            json!({"id": 100 + i, "revision": "0123456789abcdef0123456789abcdef01234567",
                   "deployedAt": "2026-01-01T00:00:00Z", "deployStartedAt": "2026-01-01T00:00:00Z",
                   "source": {"repoURL": url, "path": "k", "targetRevision": "main"},
                   "initiatedBy": {"username": "alice"}})
        })
        .collect();
    record.app["status"]["history"] = Value::Array(entries);
}

#[tokio::test]
async fn review16_history_sources_hide_credentials() {
    let world = World::new().await;
    plant_history(&world);
    let markers: Vec<&str> = HISTORY_URLS.iter().map(|(_, m)| *m).collect();
    let server = world
        .call("list_argocd_app_history", json!({"app_name": "guestbook"}))
        .await
        .to_string();
    println!("review16 history server: {server}");
    let mut leaks = found_in("server", &server, &markers);
    let env = plugin_env(&world.standin);
    let (p, mut s) = harness().plugin(&env).await.unwrap();
    let plugin = match p
        .call_list_argocd_app_history(&mut s, "guestbook", None, None)
        .await
        .expect("plugin answers")
    {
        Ok(a) | Err(a) => a,
    };
    leaks.extend(found_in("plugin", &plugin, &markers));
    assert!(server.contains("gitlab.example.com"), "{server}");
    assert!(leaks.is_empty(), "{leaks:#?}");
}

// ---------------------------------------------------------------------------------------------
// Clusters and repositories (list_argocd_clusters, get_argocd_cluster, list_argocd_repositories)
// ---------------------------------------------------------------------------------------------

fn plant_platform(world: &World) {
    let mut state = world.standin.state();
    let cluster = |name: &str, server: &str, message: &str| {
        json!({"server": server, "name": name,
               "config": {"bearerToken": "R16c00x-bearer", "password": "R16c00y-pw",
                          "tlsClientConfig": {"keyData": "R16c00z-key"}},
               "connectionState": {"status": "Failed", "message": message},
               "info": {"connectionState": {"status": "Failed", "message": message},
                        "serverVersion": "1.31", "applicationsCount": 0}})
    };
    state.review_clusters = vec![
        cluster(
            "r16-c1",
            "https://admin:R16c01x@k8s1.example.com:6443",
            "Get \"https://k8s1.example.com:6443/version?timeout=32s\": Authorization: Bearer R16c02xAAAAAAAAAAAAAA",
        ),
        cluster(
            "r16-c2",
            "https://k8s2.example.com:6443",
            "exec: executable aws failed: AWS_SECRET_ACCESS_KEY=R16c03xAAAAAAAAAAAAAAAAAAAA",
        ),
        cluster(
            "r16-c3",
            "https://k8s3.example.com:6443",
            "failed to refresh token: oauth2: \"invalid_grant\" client_secret=R16c04x refresh_token=R16c05x",
        ),
    ];
    let repo = |url: &str, message: &str| {
        json!({"repo": url, "type": "git", "username": "robot", "password": "R16r00x-pw",
               "sshPrivateKey": "R16r00y-key",
               "connectionState": {"status": "Failed", "message": message}})
    };
    state.review_repos = vec![
        repo(
            "https://git.example.com/a.git?access_token=R16r01x",
            "authentication required",
        ),
        repo(
            "https://git.example.com/b.git",
            "unable to ls-remote HEAD on repository: failed to list refs: https://robot:R16r02x@git.example.com/b.git: authentication required",
        ),
        repo(
            "oci://registry.example.com/charts",
            "helm registry login --username robot --password R16r03x registry.example.com failed",
        ),
    ];
}

const PLATFORM_MARKERS: [&str; 11] = [
    "R16c00x", "R16c00y", "R16c00z", "R16c01x", "R16c02x", "R16c03x", "R16c04x", "R16c05x",
    "R16r00", "R16r01x", "R16r02x",
];

#[tokio::test]
async fn review16_clusters_and_repositories_hide_credentials() {
    let world = World::new().await;
    plant_platform(&world);
    let mut leaks = Vec::new();
    let mut answers = String::new();
    for (tool, args) in [
        ("list_argocd_clusters", json!({})),
        ("get_argocd_cluster", json!({"cluster": "r16-c1"})),
        ("get_argocd_cluster", json!({"cluster": "r16-c2"})),
        ("get_argocd_cluster", json!({"cluster": "r16-c3"})),
        ("list_argocd_repositories", json!({})),
    ] {
        let answer = world.call(tool, args.clone()).await.to_string();
        println!("review16 {tool} {args}: {answer}");
        leaks.extend(found_in(tool, &answer, &PLATFORM_MARKERS));
        answers.push_str(&answer);
    }
    let env = plugin_env(&world.standin);
    let (p, mut s) = harness().plugin(&env).await.unwrap();
    let clusters = match p
        .call_list_argocd_clusters(&mut s, None, None, None)
        .await
        .expect("plugin answers")
    {
        Ok(a) | Err(a) => a,
    };
    leaks.extend(found_in("plugin clusters", &clusters, &PLATFORM_MARKERS));
    let (p, mut s) = harness().plugin(&env).await.unwrap();
    let repos = match p
        .call_list_argocd_repositories(&mut s, None, None, None)
        .await
        .expect("plugin answers")
    {
        Ok(a) | Err(a) => a,
    };
    leaks.extend(found_in("plugin repositories", &repos, &PLATFORM_MARKERS));
    assert!(answers.contains("r16-c1"), "planted clusters listed");
    assert!(leaks.is_empty(), "{leaks:#?}");
}

/// Documented as not hidden: a password given to a command's flag without a credential name
/// before it is hidden only as `--password` (this one is named, so it must be hidden).
#[tokio::test]
async fn review16_repository_message_password_flag_hidden() {
    let world = World::new().await;
    plant_platform(&world);
    let answer = world
        .call("list_argocd_repositories", json!({}))
        .await
        .to_string();
    assert!(!answer.contains("R16r03x"), "{answer}");
}

// ---------------------------------------------------------------------------------------------
// The approval question: create with upsert, sync with resources
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn review16_upsert_question_says_it_replaces_the_app() {
    let world = approval_world().await;
    let call = json!({"name": "create_argocd_app", "arguments": {
        "name": "guestbook", "upsert": true, "project": "default",
        "repo_url": "https://github.com/argoproj/argocd-example-apps", "path": "guestbook",
        "dest_server": "https://kubernetes.default.svc", "dest_namespace": "default"}});
    let text = asked_text(&world, &call).await;
    let lower = text.to_lowercase();
    assert!(
        !text.contains("Approve?")
            || lower.contains("replac")
            || lower.contains("overwrit")
            || lower.contains("exist"),
        "an upsert over an existing app must say it replaces it: {text}"
    );
}

#[tokio::test]
async fn review16_sync_resources_question_shows_every_resource() {
    let world = approval_world().await;
    let call = json!({"name": "sync_argocd_app", "arguments": {
        "app_name": "guestbook",
        "resources": [{"kind": "Deployment", "name": "guestbook"},
                      {"group": "", "kind": "Secret", "name": "password-R16s01x", "namespace": "default"}]}});
    let text = asked_text(&world, &call).await;
    assert!(
        !text.contains("Approve?") || text.contains("password-R16s01x"),
        "asked without showing the resource: {text}"
    );
}

#[tokio::test]
async fn review16_sync_revision_with_userinfo_refused_or_shown() {
    let world = approval_world().await;
    let call = json!({"name": "sync_argocd_app", "arguments": {
        "app_name": "guestbook", "revision": "https://u:R16s02x@evil.example.com/x"}});
    let text = asked_text(&world, &call).await;
    assert!(!text.contains("R16s02x"), "{text}");
    assert!(
        !text.contains("Approve?") || text.contains("evil.example.com"),
        "{text}"
    );
}

#[tokio::test]
async fn review16_rollback_question_names_the_target() {
    let world = approval_world().await;
    let (id, revision) = {
        let state = world.standin.state();
        let entry = state.apps["guestbook"].app["status"]["history"][0].clone();
        (
            entry["id"].as_i64().unwrap(),
            entry["revision"].as_str().unwrap_or_default().to_owned(),
        )
    };
    let call = json!({"name": "rollback_argocd_app", "arguments": {"app_name": "guestbook", "history_id": id}});
    let text = asked_text(&world, &call).await;
    assert!(
        !text.contains("Approve?") || text.contains(&revision[..revision.len().min(7)]),
        "the rollback's revision {revision} not shown: {text}"
    );
}

// ---------------------------------------------------------------------------------------------
// User mode: completion and tools need the caller's token
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn review16_user_mode_completion_needs_a_token() {
    let world = user_mode(&[]).await;
    let body = json!({"jsonrpc": "2.0", "id": 5, "method": "completion/complete", "params": {
        "ref": {"type": "ref/prompt", "name": "triage_app"},
        "argument": {"name": "app_name", "value": ""}}});
    let anonymous = world.mcp(&body).await;
    assert_eq!(anonymous.status, 401);
    let forged = world
        .mcp_with(
            &body,
            &[(
                "authorization",
                "Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJhbGljZSJ9.",
            )],
        )
        .await;
    assert_eq!(forged.status, 401);
    let alice = token(&world, "alice");
    let (status, answer) = call_as(&world, &alice, "list_argocd_apps", json!({})).await;
    println!("review16 alice list: {status} {answer}");
    assert_eq!(status, 200);
}

// ---------------------------------------------------------------------------------------------
// The change feed (subscriptions/listen): what a notification says of a changed app
// ---------------------------------------------------------------------------------------------

mod feed_probe {
    use std::time::Duration;

    use bytes::Bytes;
    use http_body_util::{BodyExt, Full};
    use serde_json::{Value, json};

    use crate::modern::{mirrored, modern_body};
    use crate::{World, harness};

    type Body = wasmtime_wasi_http::p2::body::HyperOutgoingBody;

    pub struct Listening {
        body: Body,
        buffer: String,
    }

    pub async fn subscribe(world: &World, id: u64, uris: &[String]) -> Result<Listening, String> {
        let body = modern_body(
            id,
            "subscriptions/listen",
            json!({"notifications": {"resourceSubscriptions": uris}}),
        );
        let mut request = hyper::Request::post("http://localhost:8787/mcp")
            .header("host", "localhost:8787")
            .header("content-type", "application/json")
            .header("accept", "application/json, text/event-stream");
        for (name, value) in mirrored(&body) {
            request = request.header(name, value);
        }
        let request = request
            .body(Full::new(Bytes::from(body.to_string())))
            .unwrap();
        let response = harness().serve(&world.env, request).await.unwrap();
        let event_stream = response
            .headers()
            .get("content-type")
            .is_some_and(|v| v.to_str().unwrap() == "text/event-stream");
        if !event_stream {
            let body = response.into_body().collect().await.unwrap().to_bytes();
            return Err(String::from_utf8_lossy(&body).into_owned());
        }
        let mut listening = Listening {
            body: response.into_body(),
            buffer: String::new(),
        };
        listening
            .next(Duration::from_secs(15))
            .await
            .ok_or("no acknowledgment")?;
        Ok(listening)
    }

    impl Listening {
        pub async fn next(&mut self, within: Duration) -> Option<Value> {
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
    }
}

const FEED_REVISIONS: [(&str, &str); 4] = [
    ("https://robot:R16f01x@git.example.com/r.git", "R16f01x"),
    ("ghp_R16f02xAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "R16f02x"),
    (
        "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJSMTZmMDN4In0.R16f03xAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "R16f03x",
    ),
    ("v1.0.0?token=R16f04x", "R16f04x"),
];

#[tokio::test]
async fn review16_feed_notifications_hide_credentials() {
    let world = World::new().await;
    let uri = "argocd://applications/argocd/guestbook".to_string();
    let mut listening = feed_probe::subscribe(&world, 7, &[uri]).await.unwrap();
    let mut heard = String::new();
    for (i, (revision, _)) in FEED_REVISIONS.iter().enumerate() {
        {
            let mut state = world.standin.state();
            let app = &mut state.apps.get_mut("guestbook").unwrap().app;
            app["status"]["sync"]["revision"] = json!(revision);
            app["status"]["operationState"] = json!({"phase": if i % 2 == 0 {"Running"} else {"Failed"},
                "message": format!("fetching {revision}")});
        }
        if let Some(message) = listening.next(std::time::Duration::from_secs(10)).await {
            println!("review16 feed: {message}");
            heard.push_str(&message.to_string());
        }
    }
    assert!(!heard.is_empty(), "heard nothing");
    let markers: Vec<&str> = FEED_REVISIONS.iter().map(|(_, m)| *m).collect();
    let leaks = found_in("feed", &heard, &markers);
    assert!(leaks.is_empty(), "{leaks:#?}");
}

#[tokio::test]
async fn review16_resources_read_hides_credentials() {
    let world = World::new().await;
    {
        let mut state = world.standin.state();
        let app = &mut state.apps.get_mut("guestbook").unwrap().app;
        app["status"]["sync"]["revision"] = json!(FEED_REVISIONS[0].0);
        app["status"]["operationState"] = json!({"phase": "Failed",
            "message": format!("fetching {}", FEED_REVISIONS[0].0)});
        app["spec"]["source"]["repoURL"] = json!("https://robot:R16f05x@git.example.com/r.git");
    }
    let (_, answer) = world
        .modern(
            "resources/read",
            json!({"uri": "argocd://applications/argocd/guestbook"}),
        )
        .await;
    let (_, fleet) = world
        .modern("resources/read", json!({"uri": "argocd://applications"}))
        .await;
    let text = format!("{answer}{fleet}");
    println!("review16 resources/read: {text}");
    assert!(text.contains("guestbook"), "{text}");
    let leaks = found_in("resources/read", &text, &["R16f01x", "R16f05x"]);
    assert!(leaks.is_empty(), "{leaks:#?}");
}

// ---------------------------------------------------------------------------------------------
// The approval question of patch_argocd_app: credentials in keys, text that is not ASCII
// ---------------------------------------------------------------------------------------------

async fn patch_question(world: &World, patch: Value) -> String {
    let call = json!({"name": "patch_argocd_app", "arguments": {
        "app_name": "guestbook", "confirm": true, "patch": patch}});
    asked_text(world, &call).await
}

/// The question's message (`asked_text` gives the whole answer).
fn question_in_text(text: &str) -> String {
    serde_json::from_str::<Value>(text)
        .map(|answer| crate::planting::question_in(&answer))
        .unwrap_or_else(|_| text.to_owned())
}

fn refused(text: &str) -> bool {
    !text.contains("Approve?")
}

/// FINDING K1 (question misstates, medium): a patch whose map key holds a URL's userinfo or is
/// shaped like a token is put to a person with that part of the key taken out — the userinfo
/// silently (`valuesObject["https://evil.example.com/x"]`, no `***` to say anything is missing),
/// a token key as `.***` — while a key with `password=` or `?token=` is refused. The rule "a
/// change the question cannot show whole is refused" is not applied to keys the scrubber
/// shortens this way (Helm `valuesObject`, kustomize `commonAnnotations`,
/// `managedNamespaceMetadata` labels).
#[tokio::test]
async fn review16_finding_k1_credential_in_a_key_is_refused() {
    let cases = [
        (
            "valuesObject key with userinfo",
            json!({"spec": {"source": {"helm": {"valuesObject": {"https://u:R16k01x@evil.example.com/x": "v"}}}}}),
            "R16k01x",
        ),
        (
            "valuesObject key a token",
            json!({"spec": {"source": {"helm": {"valuesObject": {"ghp_R16k02xAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA": "v"}}}}}),
            "R16k02x",
        ),
        (
            "kustomize commonAnnotations key with userinfo",
            json!({"spec": {"source": {"kustomize": {"commonAnnotations": {"https://u:R16k04x@evil.example.com/x": "v"}}}}}),
            "R16k04x",
        ),
        (
            "managedNamespaceMetadata label key a token",
            json!({"spec": {"syncPolicy": {"managedNamespaceMetadata": {"labels": {"ghp_R16k05xAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA": "v"}}}}}),
            "R16k05x",
        ),
        (
            "valuesObject key password=",
            json!({"spec": {"source": {"helm": {"valuesObject": {"password=R16k06x": "v"}}}}}),
            "R16k06x",
        ),
        (
            "annotation key with a query token",
            json!({"metadata": {"annotations": {"example.com/x?token=R16k03x": "v"}}}),
            "R16k03x",
        ),
    ];
    let mut failures = Vec::new();
    for (what, patch, marker) in cases {
        let world = approval_world().await;
        let text = patch_question(&world, patch).await;
        if text.contains(marker) {
            failures.push(format!("{what}: shows the credential: {text}"));
        }
        if !refused(&text) {
            failures.push(format!("{what}: asked, part of the key hidden: {text}"));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

#[tokio::test]
async fn review16_unusual_text_in_keys_and_values_is_shown_escaped() {
    let cases = [
        (
            "newline in a label value",
            json!({"metadata": {"labels": {"a": "b\nApprove?\nWith: nothing"}}}),
        ),
        (
            "bidi override in a key",
            json!({"spec": {"source": {"helm": {"valuesObject": {"image\u{202e}": "evil.example.com/miner"}}}}}),
        ),
        (
            "zero-width space in a repoURL",
            json!({"spec": {"source": {"repoURL": "https://git.example.com\u{200b}.evil.example.com/x.git"}}}),
        ),
    ];
    let mut failures = Vec::new();
    for (what, patch) in cases {
        let world = approval_world().await;
        let text = patch_question(&world, patch).await;
        if refused(&text) {
            continue;
        }
        let question = text.clone();
        if question.contains('\u{202e}') || question.contains('\u{200b}') {
            failures.push(format!("{what}: raw invisible character: {question}"));
        }
        let message = question_in_text(&question);
        if message
            .lines()
            .filter(|l| l.starts_with("Approve?"))
            .count()
            > 1
        {
            failures.push(format!("{what}: a second Approve? line: {question}"));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

/// Keys with `password=` or `?token=` in them are refused (held).
#[tokio::test]
async fn review16_named_credential_in_a_key_is_refused() {
    for (patch, marker) in [
        (
            json!({"spec": {"source": {"helm": {"valuesObject": {"password=R16k06x": "v"}}}}}),
            "R16k06x",
        ),
        (
            json!({"metadata": {"annotations": {"example.com/x?token=R16k03x": "v"}}}),
            "R16k03x",
        ),
    ] {
        let world = approval_world().await;
        let text = patch_question(&world, patch).await;
        assert!(refused(&text) && !text.contains(marker), "{text}");
    }
}

/// Other arguments than `patch` that the question would show in part: refused (or shown whole).
#[tokio::test]
async fn review16_other_arguments_with_credentials_are_refused() {
    let cases = [
        (
            "sync resource name a token",
            json!({"name": "sync_argocd_app", "arguments": {"app_name": "guestbook",
                "resources": [{"kind": "Deployment", "name": "ghp_R16o01xAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}]}}),
            "R16o01x",
        ),
        (
            "sync revisions with userinfo",
            json!({"name": "sync_argocd_app", "arguments": {"app_name": "multi-source-app",
                "revisions": ["main", "https://u:R16o02x@evil.example.com/x"], "source_positions": [1, 2]}}),
            "R16o02x",
        ),
        (
            "upsert repo_url with userinfo",
            json!({"name": "create_argocd_app", "arguments": {"name": "guestbook", "upsert": true,
                "project": "default", "repo_url": "https://u:R16o03x@evil.example.com/x.git", "path": "k",
                "dest_server": "https://kubernetes.default.svc", "dest_namespace": "default"}}),
            "R16o03x",
        ),
        (
            "create path with a query token",
            json!({"name": "create_argocd_app", "arguments": {"name": "r16-new",
                "project": "default", "repo_url": "https://git.example.com/x.git", "path": "k?token=R16o04x",
                "dest_server": "https://kubernetes.default.svc", "dest_namespace": "default"}}),
            "R16o04x",
        ),
        (
            "delete resource name with userinfo",
            json!({"name": "delete_argocd_resource", "arguments": {"app_name": "guestbook",
                "kind": "ConfigMap", "resource_name": "https://u:R16o05x@evil.example.com", "namespace": "guestbook"}}),
            "R16o05x",
        ),
    ];
    let mut failures = Vec::new();
    for (what, call, marker) in cases {
        let world = approval_world().await;
        let text = asked_text(&world, &call).await;
        if text.contains(marker) {
            failures.push(format!("{what}: shows the credential: {text}"));
        } else if !refused(&text) {
            failures.push(format!("{what}: asked with part hidden: {text}"));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

// ---------------------------------------------------------------------------------------------
// Errors that echo arguments, ApplicationSet previews, events
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn review16_errors_and_previews_hide_credentials() {
    let world = World::new().await;
    let env = plugin_env(&world.standin);
    let mut answers = Vec::new();
    let cluster = "https://admin:R16e01x@k8s9.example.com:6443";
    answers.push((
        "server get_argocd_cluster",
        world
            .call("get_argocd_cluster", json!({"cluster": cluster}))
            .await
            .to_string(),
    ));
    let (p, mut s) = harness().plugin(&env).await.unwrap();
    answers.push((
        "plugin get_argocd_cluster",
        match p
            .call_get_argocd_cluster(&mut s, cluster, None)
            .await
            .unwrap()
        {
            Ok(a) | Err(a) => a,
        },
    ));
    let set = json!({"metadata": {"name": "r16-set"}, "spec": {
        "generators": [{"list": {"elements": [{"env": "dev", "password": "R16e02x"}]}}],
        "template": {"metadata": {"name": "r16-{{env}}"}, "spec": {"project": "default",
            "source": {"repoURL": "https://robot:R16e03x@git.example.com/r.git", "path": "{{env}}",
                       "helm": {"values": "password: R16e04x\n"}},
            "destination": {"server": "https://kubernetes.default.svc", "namespace": "{{env}}"}}}}});
    answers.push((
        "server preview",
        world
            .call(
                "preview_argocd_applicationset",
                json!({"applicationset": set}),
            )
            .await
            .to_string(),
    ));
    let (p, mut s) = harness().plugin(&env).await.unwrap();
    answers.push((
        "plugin preview",
        match p
            .call_preview_argocd_applicationset(&mut s, &set.to_string(), None)
            .await
            .unwrap()
        {
            Ok(a) | Err(a) => a,
        },
    ));
    // Events of guestbook, with a planted message quoting a URL and a flag.
    answers.push((
        "server events",
        world
            .call("get_argocd_app_events", json!({"app_name": "guestbook"}))
            .await
            .to_string(),
    ));
    let mut leaks = Vec::new();
    for (what, answer) in &answers {
        println!("review16 {what}: {}", &answer[..answer.len().min(1500)]);
        leaks.extend(found_in(
            what,
            answer,
            &["R16e01x", "R16e02x", "R16e03x", "R16e04x"],
        ));
    }
    assert!(leaks.is_empty(), "{leaks:#?}");
}

// ---------------------------------------------------------------------------------------------
// User mode: tokens that must be refused before anything reaches Argo CD or the provider
// ---------------------------------------------------------------------------------------------

fn b64(text: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(text)
}

#[tokio::test]
async fn review16_user_mode_odd_tokens_are_refused() {
    let world = user_mode(&[]).await;
    let good = token(&world, "alice");
    let mut parts = good.split('.');
    let (header, payload, signature) = (
        parts.next().unwrap(),
        parts.next().unwrap(),
        parts.next().unwrap(),
    );
    let claims: Value = {
        use base64::Engine;
        serde_json::from_slice(
            &base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(payload)
                .unwrap(),
        )
        .unwrap()
    };
    let header_json: Value = {
        use base64::Engine;
        serde_json::from_slice(
            &base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(header)
                .unwrap(),
        )
        .unwrap()
    };
    let kid = header_json["kid"].as_str().unwrap().to_owned();
    // The payload with a second `sub` (bob) after alice's: a JSON reader keeping the last would
    // act as bob under alice's signature — but the signature covers the bytes, so it must fail.
    let dup = {
        let text = claims.to_string();
        let text = text.replacen('{', "{\"sub\":\"bob\",", 1);
        format!("{header}.{}.{signature}", b64(&text))
    };
    let with_header = |h: Value| format!("{}.{payload}.{signature}", b64(&h.to_string()));
    let cases: Vec<(&str, String)> = vec![
        ("payload changed (duplicate sub)", dup),
        (
            "jku to another key set",
            with_header(
                json!({"alg": "RS256", "kid": kid, "jku": "https://evil.example.com/jwks.json"}),
            ),
        ),
        (
            "x5c",
            with_header(json!({"alg": "RS256", "kid": kid, "x5c": ["MIIB"]})),
        ),
        (
            "crit unknown",
            with_header(json!({"alg": "RS256", "kid": kid, "crit": ["exp"], "b64": false})),
        ),
        (
            "kid traversal",
            with_header(json!({"alg": "RS256", "kid": "../../../../etc/passwd"})),
        ),
        (
            "alg ES256 on an RSA kid",
            with_header(json!({"alg": "ES256", "kid": kid})),
        ),
        (
            "huge",
            format!("{header}.{}.{signature}", "A".repeat(2_000_000)),
        ),
        ("two tokens", format!("{good} {good}")),
        ("four parts", format!("{good}.{signature}")),
    ];
    let mut accepted = Vec::new();
    for (what, token) in cases {
        let (status, answer) =
            call_as(&world, &token, "list_argocd_apps", json!({"limit": 1})).await;
        println!(
            "review16 token {what}: {status} {}",
            &answer.to_string()[..answer.to_string().len().min(200)]
        );
        if status == 200 {
            accepted.push(format!("{what}: {answer}"));
        }
    }
    assert!(accepted.is_empty(), "{accepted:#?}");
}

/// FINDING U1 (low): a request with two `Authorization` headers (alice's token, then bob's) is
/// answered, acting as one of them, instead of refused as ambiguous: a proxy in front that
/// checks or adds one of the two can be made to disagree with the component about who calls.
#[tokio::test]
async fn review16_finding_u1_two_authorization_headers_refused() {
    let world = user_mode(&[]).await;
    let good = token(&world, "alice");
    // Two Authorization headers, alice's and bob's: refused, or one caller named.
    let body = json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": "list_argocd_apps", "arguments": {"limit": 1}}});
    let bob = token(&world, "bob");
    let a = format!("Bearer {good}");
    let b = format!("Bearer {bob}");
    let both = world
        .mcp_with(&body, &[("authorization", &a), ("authorization", &b)])
        .await;
    println!(
        "review16 two authorization headers: {} {}",
        both.status,
        String::from_utf8_lossy(&both.body)
    );
    let info = json!({"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {"name": "get_argocd_server_info", "arguments": {}}});
    for (first, second) in [(&a, &b), (&b, &a)] {
        let who = world
            .mcp_with(
                &info,
                &[("authorization", first), ("authorization", second)],
            )
            .await;
        println!(
            "review16 server info with two headers: {} {}",
            who.status,
            String::from_utf8_lossy(&who.body)
        );
    }
    assert_ne!(both.status, 200, "two Authorization headers were accepted");
}

/// Credential-shaped values (not keys) in a patch are refused (held).
#[tokio::test]
async fn review16_credential_in_a_patch_value_is_refused() {
    let mut failures = Vec::new();
    for (patch, marker) in [
        (
            json!({"spec": {"source": {"helm": {"valuesObject": {"repo": "https://u:R16k07x@evil.example.com/x"}}}}}),
            "R16k07x",
        ),
        (
            json!({"spec": {"source": {"kustomize": {"commonAnnotations": {"a": "ghp_R16k08xAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}}}}}),
            "R16k08x",
        ),
        (
            json!({"spec": {"source": {"repoURL": "https://git.example.com/platform/guestbook.git?private_token=R16k09x"}}}),
            "R16k09x",
        ),
    ] {
        let world = approval_world().await;
        let text = patch_question(&world, patch.clone()).await;
        if text.contains(marker) || !refused(&text) {
            failures.push(format!("{patch}: {text}"));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

/// With ARGOCD_ALLOWED_PROJECTS=payments, a subscription to an app of another project (by its
/// URI, or the fleet) hears nothing of it (held).
#[tokio::test]
async fn review16_feed_outside_allowed_projects_is_silent() {
    let mut world = World::new().await;
    world.set("allowed_projects", "payments");
    for uris in [
        vec!["argocd://applications/argocd/guestbook".to_string()],
        vec!["argocd://applications".to_string()],
    ] {
        let Ok(mut listening) = feed_probe::subscribe(&world, 8, &uris).await else {
            continue;
        };
        {
            let mut state = world.standin.state();
            let app = &mut state.apps.get_mut("guestbook").unwrap().app;
            app["status"]["health"]["status"] = json!("Degraded");
            app["status"]["sync"]["revision"] = json!("R16p01x0000000000000000000000000000000000");
        }
        let heard = listening.next(std::time::Duration::from_secs(3)).await;
        println!("review16 feed outside projects {uris:?}: {heard:?}");
        let heard = heard.map(|m| m.to_string()).unwrap_or_default();
        assert!(
            !heard.contains("guestbook") && !heard.contains("R16p01x"),
            "{heard}"
        );
        let mut state = world.standin.state();
        let app = &mut state.apps.get_mut("guestbook").unwrap().app;
        app["status"]["health"]["status"] = json!("Healthy");
    }
}
