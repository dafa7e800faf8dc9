//! Nineteenth hostile review (issue 19): the fixes of reviews 17 and 18 (the approval
//! question's masking-context and line checks, a patch renaming the app, the allow-list for an
//! app of apps' resources, the settings' own secrets taken out by value, empty `scp`, the new
//! scrubbing rules) attacked through the built components.
//!
//! Findings (each `review19_finding_*` asserts the secure behaviour, fails today and is ignored
//! with issue 19):
//!
//! - F1 (low, secrets in answers; the S1 fix missed a path) in user mode, a provider whose
//!   exchange refusal quotes the client secret has it shown in the JSON-RPC error of
//!   `subscriptions/listen` naming an app: `src/feed/mod.rs` `watched_app` scrubs the refusal
//!   with `without_credentials` only, never `OwnSecrets`.
//! - B1 (low, secrets in answers) the same provider quoting the client credentials as the Basic
//!   header carries them, `base64(client_id:secret)`, without the word `Basic`: shown in every
//!   tool error. `OwnSecrets` knows the secret as written and form-encoded only.
//! - C1 (medium, ARGOCD_ALLOWED_PROJECTS; the P1 fix covers one of two ways) `delete_argocd_app`
//!   of an allowed app of apps with `cascade: true` deletes its child Application of a project
//!   outside the list (Argo CD's cascade deletes every managed resource; the child's finalizer
//!   then deletes what it deployed); `delete_argocd_resource` of that child is refused. Root:
//!   `src/tools/lifecycle.rs` `DeleteApp::run` judges the parent's project alone.
//! - D1 (low, Secret data in messages) a Secret written out as `kubectl -o yaml` and Go's JSON
//!   order it (`apiVersion`, `data`, `kind`) with a few KB of data (a CA or TLS bundle) puts the
//!   word `Secret` more than 4096 bytes after the `data` key: every value of the data is shown.
//!   Root: `src/tools/scrub/secret_data.rs` `credential` (`NEAR` window around the key).
//! - D2 (low, Secret data in messages) a Secret's YAML inside JSON text (line breaks escaped as
//!   `\n`): `block_below` reads real line breaks only.
//! - T3 (low, scrubbing) `docker login -pX` (attached, as Docker's flag parser takes it), a
//!   typed `password: String = String::from("…")`, `assertEquals(` with its arguments on the
//!   next line, a template action after `password:` continuing on the next line.
//! - X1 (medium, denial of service) `commands.rs` `piped_password` reads from every `echo ` /
//!   `printf ` to the end of its line: quadratic on one long line holding the word many times;
//!   256 KB of `echo x ` in a condition message makes one `get_argocd_app_status` take 10-13 s
//!   through the server component (the same length of `ecko x `: 0.8 s; native probe: 64 KB
//!   0.9 s, 128 KB 4.9 s; 1 MB minutes). `comparisons.rs`
//!   `argument_of_comparing_call` is costly too (128 KB of `assertEquals("a" ` 4.8 s).
//!
//! What held (the other tests and probes): a refusal of `resources/read` and tool calls hides
//! the echoed client secret; `scp` of `[""]`, blanks, or another JSON type holds no scope (403
//! or 401, nothing sent); `delete_argocd_resource` of a child Application of another project is
//! refused before anything is sent; 300 000 random texts made of the new rules' pieces made the
//! scrubber panic nowhere.

use serde_json::json;

use crate::identity::{CLIENT_SECRET, call_as, token, user_mode};
use crate::listening::{Opened, app_uri, open};

/// F1: a provider whose exchange refusal quotes the client secret: a `subscriptions/listen`
/// naming an app reads it as the caller (an exchange), and the refusal is put in the JSON-RPC
/// error scrubbed by shape only, not by the settings' own secrets.
#[tokio::test]
async fn review19_finding_f1_a_subscription_refusal_quotes_the_client_secret() {
    let world = user_mode(&[]).await;
    let alice = token(&world, "alice");
    world.standin.state().idp.exchange_error_echo =
        Some("client {id} (secret {secret}) may not exchange tokens R19f01q".into());
    let said = match open(
        &world,
        190,
        json!({"resourceSubscriptions": [app_uri("guestbook")]}),
        Some(&alice),
    )
    .await
    {
        Opened::Stream(mut listening) => format!(
            "{:?}",
            listening.next(std::time::Duration::from_secs(2)).await
        ),
        Opened::Whole(status, body) => format!("{status} {body}"),
    };
    println!("review19 F1: {said}");
    assert!(said.contains("R19f01q") || said.contains("error"), "{said}");
    assert!(!said.contains(CLIENT_SECRET), "{said}");
}

/// B1: a provider quoting the client credentials base64-encoded, as the Basic header carries
/// them (`base64(client_id:client_secret)`), without the word `Basic` before them: the secret is
/// taken out by value only as written and form-encoded, and the scrubber sees no shape in the
/// base64 word, so the OIDC client secret reaches every caller in the tool error.
#[tokio::test]
async fn review19_finding_b1_base64_client_credentials_quoted_by_the_provider() {
    let world = user_mode(&[]).await;
    let alice = token(&world, "alice");
    world.standin.state().idp.exchange_error_echo =
        Some("client credentials {basic} are not valid here R19b01q".into());
    let (status, body) = call_as(&world, &alice, "get_argocd_server_info", json!({})).await;
    let said = format!("{status} {body}");
    println!("review19 B1: {said}");
    use base64::Engine;
    let basic = base64::engine::general_purpose::STANDARD
        .encode(format!("{}:{CLIENT_SECRET}", crate::identity::CLIENT_ID));
    assert!(said.contains("R19b01q"), "{said}");
    assert!(!said.contains(&basic), "{said}");
}

// ---------------------------------------------------------------------------------------------
// ARGOCD_ALLOWED_PROJECTS and an app of apps: the parent deleted with cascade
// ---------------------------------------------------------------------------------------------

fn deletes_of(world: &crate::World, app: &str) -> Vec<String> {
    world
        .standin
        .requests()
        .iter()
        .filter(|r| r.method == "DELETE" && r.path.contains(&format!("/applications/{app}")))
        .map(|r| r.path.clone())
        .collect()
}

/// C1: with ARGOCD_ALLOWED_PROJECTS=payments, `delete_argocd_resource` of the child Application
/// `guestbook` (project default) through its parent `payments` is now refused (review18 P1);
/// `delete_argocd_app payments cascade: true` deletes the same child the same way (Argo CD's
/// cascade deletes every resource the parent manages, the child Application among them, whose
/// finalizer then deletes all it deployed), judged by the parent's project alone.
#[tokio::test]
async fn review19_finding_c1_a_cascade_delete_of_the_parent_deletes_a_child_of_another_project() {
    let mut world = crate::World::new().await;
    world.set("allowed_projects", "payments");
    crate::planting::manages(&world.standin, "payments", "guestbook");
    // The guard of review18 P1 holds for the resource itself.
    let resource = world
        .call(
            "delete_argocd_resource",
            json!({"app_name": "payments", "kind": "Application", "group": "argoproj.io",
                   "version": "v1alpha1", "resource_name": "guestbook", "namespace": "argocd",
                   "confirm": true}),
        )
        .await;
    println!("review19 C1 resource: {resource}");
    let result = world
        .call(
            "delete_argocd_app",
            json!({"app_name": "payments", "cascade": true, "confirm": true}),
        )
        .await;
    println!("review19 C1 cascade: {result}");
    let sent = deletes_of(&world, "payments");
    assert!(
        sent.is_empty(),
        "payments (which manages the Application guestbook of project default) was deleted with cascade: {sent:?} ({result})"
    );
}

// ---------------------------------------------------------------------------------------------
// User mode: scope claims of odd shapes (held)
// ---------------------------------------------------------------------------------------------

/// Signed tokens whose `scp` holds none of the configured scopes in some odd shape (a list of an
/// empty string, blanks, both claims empty) are refused with 403 before anything is sent; `scp`
/// of another JSON type is no valid token (401).
#[tokio::test]
async fn review19_scope_claims_of_odd_shapes_hold_no_scope() {
    let world = user_mode(&[]).await;
    let header = r#"{"alg":"RS256","kid":"{kid}","typ":"JWT"}"#;
    let mut wrong = Vec::new();
    for (scp, expected) in [
        (json!([""]), 403),
        (json!(["   "]), 403),
        (json!(" \t "), 403),
        (json!(7), 401),
        (json!({"openid": true}), 401),
        (json!([["openid"]]), 401),
    ] {
        let mut claims = world.standin.state().idp.claims_for(
            "alice",
            &[crate::identity::RESOURCE],
            3600,
            "openid profile email groups",
        );
        claims.as_object_mut().unwrap().remove("scope");
        claims["scp"] = scp.clone();
        let token = world
            .standin
            .state()
            .idp
            .sign_raw(header, &claims.to_string());
        let (status, body) = call_as(&world, &token, "get_argocd_server_info", json!({})).await;
        println!("review19 scp {scp}: {status} {body}");
        if status != expected {
            wrong.push(format!("scp {scp}: {status} (expected {expected}) {body}"));
        }
    }
    let sent: Vec<String> = world
        .standin
        .requests()
        .iter()
        .filter(|r| r.path.starts_with("/api/v1") || r.path.starts_with("/api/dex/token"))
        .map(|r| format!("{} {}", r.method, r.path))
        .collect();
    assert!(wrong.is_empty(), "{wrong:#?}");
    assert_eq!(sent, Vec::<String>::new());
}

// ---------------------------------------------------------------------------------------------
// A Secret's data written out in a message, further than 4096 bytes from the word `Secret`
// ---------------------------------------------------------------------------------------------

/// The base64 value planted in a text (it starts `UjE5`, base64 of `R19`).
fn base64_marker_of(text: &str) -> &str {
    let start = text.find("UjE5").expect("a planted value");
    let rest = &text[start..];
    let end = rest.find(['"', '\n', '\\']).unwrap_or(rest.len());
    &rest[..end]
}

/// D1: a Secret written out in a message as `kubectl get -o yaml` and Go's JSON write it (keys
/// in order: `apiVersion`, `data`, `kind`): when its data holds a certificate bundle (a few KB,
/// as a TLS or CA Secret does), `kind: Secret` comes more than 4096 bytes after the `data` key,
/// and every value of the data is shown (`conn`: a connection string, base64). "A Secret's data
/// is credentials whatever its keys are called".
#[tokio::test]
async fn review19_finding_d1_a_secrets_data_longer_than_4096_bytes_is_shown() {
    let bundle = "TUlJQ2FrQ0NBZE9nQXdJQkFnSUpBTm".repeat(180);
    let yaml = format!(
        "failed to apply manifest:\napiVersion: v1\ndata:\n  ca.crt: {bundle}\n  conn: UjE5ZDAxcS1wb3N0Z3JlczovL2FwcDpodW50ZXIyQGRi\nkind: Secret\nmetadata:\n  name: db\n  namespace: payments\n"
    );
    let json = format!(
        r#"error when applying patch: {{"apiVersion":"v1","data":{{"ca.crt":"{bundle}","conn":"UjE5ZDAycS1wb3N0Z3JlczovL2FwcDpodW50ZXIyQGRi"}},"kind":"Secret","metadata":{{"name":"db"}}}}"#
    );
    let found = crate::planting::leaks_in_conditions(&[&yaml, &json], base64_marker_of).await;
    assert!(
        found.is_empty(),
        "{}",
        found
            .iter()
            .map(|f| format!("{} … {}", &f[..30], &f[f.len() - 120..]))
            .collect::<Vec<_>>()
            .join("\n")
    );
}

// ---------------------------------------------------------------------------------------------
// The scrubber on long text: a rule that reads to the end of the line at each of its words
// ---------------------------------------------------------------------------------------------

/// How long `get_argocd_app_status` of guestbook takes with `message` as its condition.
async fn status_time(message: &str) -> (std::time::Duration, usize) {
    let world = crate::World::new().await;
    crate::planting::plant_conditions(&world.standin, "guestbook", &[("m", message, "")]);
    let started = std::time::Instant::now();
    let answer = world
        .call("get_argocd_app_status", json!({"app_name": "guestbook"}))
        .await;
    (started.elapsed(), answer.to_string().len())
}

/// X1: the scrubbing of `echo … | … --password-stdin` (`commands.rs` `piped_password`) reads
/// from each `echo ` (and `printf `) to the end of its line, looking for a pipe: on one long line
/// holding that word many times it is quadratic. A condition message (or a ConfigMap, a log line,
/// an operation message) of 256 KB of `echo x ` makes one `get_argocd_app_status` take tens of
/// seconds of CPU (native: 64 KB 0.9 s, 128 KB 4.9 s; 1 MB several minutes), where the same
/// length of other words takes well under a second: whoever can write an app's source can make
/// every read of it hang the server.
#[tokio::test]
#[ignore = "a timing probe (fixed; the suite holds no timing assertions): run it by hand with --ignored"]
async fn review19_finding_x1_a_long_line_of_echo_words_takes_the_scrubber_minutes() {
    let size = 256 * 1024;
    let plain = "ecko x ".repeat(size / 7);
    let echo = "echo x ".repeat(size / 7);
    let (plain_time, plain_len) = status_time(&plain).await;
    let (echo_time, echo_len) = status_time(&echo).await;
    println!(
        "review19 X1: other words {plain_time:?} ({plain_len} bytes), echo {echo_time:?} ({echo_len} bytes)"
    );
    assert!(
        echo_time < std::time::Duration::from_secs(5),
        "256 KB of `echo x ` took {echo_time:?} to answer (other words: {plain_time:?})"
    );
}

/// Held: the same provider echo through a tool call and `resources/read` of an app (both pass
/// through `scrub::call`, which takes the settings' secrets out by value) shows no client secret.
#[tokio::test]
async fn review19_the_client_secret_echoed_is_hidden_in_tool_and_resource_answers() {
    let world = user_mode(&[]).await;
    let alice = token(&world, "alice");
    world.standin.state().idp.exchange_error_echo =
        Some("client {id} (secret {secret}) may not exchange tokens R19h01q".into());
    let bearer = format!("Bearer {alice}");
    let read = world
        .mcp_with(
            &json!({"jsonrpc": "2.0", "id": 5, "method": "resources/read",
                    "params": {"uri": app_uri("guestbook")}}),
            &[("authorization", &bearer)],
        )
        .await;
    let (status, body) = call_as(
        &world,
        &alice,
        "get_argocd_app_status",
        json!({"app_name": "guestbook"}),
    )
    .await;
    let said = format!(
        "{} {}\n{status} {body}",
        read.status,
        String::from_utf8_lossy(&read.body)
    );
    println!("review19 held read: {said}");
    assert!(said.contains("R19h01q"), "{said}");
    assert!(!said.contains(CLIENT_SECRET), "{said}");
}

/// The planted credential in a text: the word that starts `R19`.
fn r19_marker_of(text: &str) -> &str {
    let start = text.find("R19").expect("a planted value");
    let rest = &text[start..];
    let end = rest
        .find(|c: char| !c.is_ascii_alphanumeric())
        .unwrap_or(rest.len());
    &rest[..end]
}

/// D2: a Secret's YAML quoted inside JSON text (a log line or an event written as JSON, a
/// webhook's answer), its line breaks escaped as `\n`: the `data` block is read only across
/// real line breaks, so its values are shown. (The scrubber reads escapes elsewhere: `\"` for
/// a quote, `\/` for a slash.)
#[tokio::test]
async fn review19_finding_d2_a_secrets_yaml_with_escaped_line_breaks_is_shown() {
    let texts = [
        r#"admission webhook denied the request: {"object": "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\ndata:\n  conn: R19d21qcG9zdGdyZXM6Ly9hcHA\n"}"#,
        r#"{"level":"error","msg":"failed to apply manifest:\nkind: Secret\nstringData:\n  conn: R19d22qpostgres\n  other: x\n"}"#,
    ];
    let found = crate::planting::leaks_in_conditions(&texts, r19_marker_of).await;
    crate::planting::assert_none(found);
}

/// T3: credentials of the seventeenth review's kinds (a login's `-p`, a typed declaration's
/// value, a comparing call's literal, a template action) in shapes the new rules miss: `-p`
/// with its value attached (`docker login -pX`, as Docker's flag parser takes it), a Rust
/// `String::from("…")` assigned to a typed `password`, an `assertEquals(` whose arguments
/// start on the next line, and a template action after `password:` that goes on to the next
/// line (the first line is masked, the literal below it is not).
#[tokio::test]
async fn review19_finding_t3_credentials_of_the_new_rules_kinds_in_other_shapes() {
    let texts = [
        "+ docker login -u robot -pR19t31qpw registry.example.com",
        "src/db.rs:12: let password: String = String::from(\"R19t32qpw\");",
        "LoginTest.java:40: assertEquals(\n    \"R19t33qpw\", client.token());",
        "templates/secret.yaml:3: password: {{\n  \"R19t34qpw\" | b64enc }}",
    ];
    let found = crate::planting::leaks_in_conditions(&texts, r19_marker_of).await;
    crate::planting::assert_none(found);
}
