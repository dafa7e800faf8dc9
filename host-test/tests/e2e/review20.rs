//! Twentieth hostile review (issue 19): the fixes of review 19 attacked through the built
//! components (short time box).
//!
//! Findings (each `review20_finding_*` asserts the secure behaviour and failed when it was
//! found; all four are fixed, and the two timing probes, X2 and X3, are run by hand with
//! `--ignored` because the suite holds no timing assertions):
//!
//! - E1 (low, secrets in answers) a provider quoting the client secret in hex (either case), or
//!   in standard base64 of a longer text that holds it at an offset not a multiple of 3 (the
//!   form body `…&client_secret=…`, `s=<secret>`), has it shown in every tool error:
//!   `OwnSecrets::of` lists the secret raw, form-encoded, JSON-escaped, and base64 of the
//!   secret alone and of the `id:secret` pair only.
//! - X2 (medium, denial of service) `secret_data.rs` `block_below` looks for the end of the
//!   key's line (`next_break`, unbounded) at every `data:` of a text naming a Secret: one long
//!   line of `data: x ` with `Secret` once is quadratic (256 KB: ~10.5 s through the server
//!   component against 0.4 s for `datx: x `; an escaped-backslash `\\n data:` variant 8 s).
//! - X3 (high, denial of service) a run of backslashes ending in no escape: 32 KB of `\` then
//!   `z` in a condition message makes one `get_argocd_app_status` take ~36 s (letters: 0.1 s);
//!   256 KB ran over nine minutes without answering. Likely root: `reading.rs` `json_escape`
//!   counts the whole run of backslashes from the position asked, and rules reading unit by
//!   unit ask at every backslash of the run (also `secret_data.rs` `break_len` counts a run
//!   backwards, unbounded).
//! - C2 (medium, ARGOCD_ALLOWED_PROJECTS) an app of apps of apps: `payments` (allowed) manages
//!   the Application `broken-app` (project payments, allowed), which manages `guestbook`
//!   (project default). `delete_argocd_app payments cascade: true` is sent: the child is judged
//!   by its own project only, not by what it manages in turn, and its finalizer deletes the
//!   grandchild of the refused project. Root: `ensure_cascade_allowed` /
//!   `ensure_resource_allowed` do not recurse (the same for `delete_argocd_resource` of the
//!   child).
//!
//! What held (probes, 256 KB condition messages through the server component): `data:{`
//! repeated (16 ms: a found map is skipped), `data:{} `, quoted `"data": "x"`, `password: {{ x`,
//! `password(x, `, `assertEquals(x, `, `set password x `, lines ended by `\r` or U+2028 all
//! answered in under 0.5 s. The client secret as a JSON `\u002d` escape is decoded when the
//! provider's error is read, so never shown in that spelling. `delete_argocd_resource` of a
//! grandchild through a parent that does not manage it is refused by its project.

use serde_json::json;

use crate::identity::{CLIENT_ID, CLIENT_SECRET, call_as, token, user_mode};

// ---------------------------------------------------------------------------------------------
// The settings' own secrets in encodings `OwnSecrets` does not know
// ---------------------------------------------------------------------------------------------

fn hex(text: &str) -> String {
    text.bytes().map(|b| format!("{b:02x}")).collect()
}

/// E1: a provider (or a proxy before it) quoting what it was sent in its refusal, in spellings
/// other than the ones `OwnSecrets` lists: hex, the base64 of a longer text holding the secret
/// at an offset not a multiple of 3 (the form body, `client_secret=…`, or any prefix of 1 or 2
/// bytes mod 3), with the padding that standard base64 then needs.
#[tokio::test]
async fn review20_finding_e1_the_client_secret_in_other_encodings_is_shown() {
    use base64::Engine;
    let b64 = |text: &str| base64::engine::general_purpose::STANDARD.encode(text);
    let variants = [
        ("hex", hex(CLIENT_SECRET)),
        ("HEX", hex(CLIENT_SECRET).to_uppercase()),
        (
            "base64 of the form body",
            b64(&format!(
                "grant_type=token-exchange&client_id={CLIENT_ID}&client_secret={CLIENT_SECRET}"
            )),
        ),
        ("base64 at offset 1", b64(&format!("s{CLIENT_SECRET}"))),
        ("base64 at offset 2", b64(&format!("s={CLIENT_SECRET}"))),
    ];
    let world = user_mode(&[]).await;
    let alice = token(&world, "alice");
    let mut shown = Vec::new();
    for (name, spelling) in &variants {
        world.standin.state().idp.exchange_error_echo =
            Some(format!("refused R20e01q [{spelling}]"));
        let (status, body) = call_as(&world, &alice, "get_argocd_server_info", json!({})).await;
        let said = format!("{status} {body}");
        println!("review20 E1 {name}: {said}");
        assert!(said.contains("R20e01q"), "{said}");
        if said.contains(spelling.as_str()) {
            shown.push(format!("{name}: {spelling}"));
        }
    }
    assert!(
        shown.is_empty(),
        "the client secret {CLIENT_SECRET} shown as:\n{}",
        shown.join("\n")
    );
}

// ---------------------------------------------------------------------------------------------
// The scrubber on long text: other rules that read far at each of their words
// ---------------------------------------------------------------------------------------------

/// How long `get_argocd_app_status` of guestbook takes with `message` as its condition.
async fn status_time(message: &str) -> std::time::Duration {
    let world = crate::World::new().await;
    crate::planting::plant_conditions(&world.standin, "guestbook", &[("m", message, "")]);
    let started = std::time::Instant::now();
    let _ = world
        .call("get_argocd_app_status", json!({"app_name": "guestbook"}))
        .await;
    started.elapsed()
}

/// X2: the scrubbing of a Secret's data written as a YAML block (`secret_data.rs`
/// `block_below`) looks, at every `data:` of a text that names a Secret once, for the end of the
/// key's line (`next_break`, unbounded) before it knows whether anything follows the colon: one
/// long line of `data: x ` with the word `Secret` once is quadratic. 256 KB of it in a condition
/// message makes one `get_argocd_app_status` take about 10 s through the server component
/// (`datx: x `, same length: 0.4 s; quadratic, so 1 MB would take minutes). An
/// escaped-backslash variant (`\\n data:`) takes 8 s.
#[tokio::test]
#[ignore = "a timing probe (fixed; the suite holds no timing assertions): run it by hand with --ignored"]
async fn review20_finding_x2_a_long_line_of_data_keys_in_a_secret_takes_seconds() {
    let size = 256 * 1024;
    let plain = format!("Secret {}", "datx: x ".repeat(size / 8));
    let data = format!("Secret {}", "data: x ".repeat(size / 8));
    let plain_time = status_time(&plain).await;
    let data_time = status_time(&data).await;
    println!("review20 X2: other words {plain_time:?}, data: {data_time:?}");
    assert!(
        data_time < plain_time * 5 + std::time::Duration::from_secs(1),
        "256 KB of `data: x ` after `Secret` took {data_time:?} to answer (other words: {plain_time:?})"
    );
}

/// X3: a long run of backslashes. The scrubber reads JSON escapes after a run of backslashes
/// (`reading.rs` `json_escape` counts the whole run from where it is asked); a rule that reads
/// the text one unit at a time asks again at each backslash of a run that ends in no escape, so
/// a run of n backslashes costs n². 32 KB of `\\` then `z` in a condition message; the 256 KB
/// probe ran for over nine minutes without answering.
#[tokio::test]
#[ignore = "a timing probe (fixed; the suite holds no timing assertions): run it by hand with --ignored"]
async fn review20_finding_x3_a_long_run_of_backslashes_takes_quadratic_time() {
    let size = 32 * 1024;
    let plain = format!("{}z", "a".repeat(size));
    let run = format!("{}z", "\\".repeat(size));
    let plain_time = status_time(&plain).await;
    let run_time = status_time(&run).await;
    println!("review20 X3: letters {plain_time:?}, backslashes {run_time:?}");
    assert!(
        run_time < plain_time * 5 + std::time::Duration::from_secs(1),
        "32 KB of backslashes took {run_time:?} to answer (letters: {plain_time:?})"
    );
}

// ---------------------------------------------------------------------------------------------
// ARGOCD_ALLOWED_PROJECTS: a cascade delete of an app of apps of apps
// ---------------------------------------------------------------------------------------------

/// C2: with ARGOCD_ALLOWED_PROJECTS=payments, `payments` (allowed) manages the Application
/// `broken-app` (project payments, allowed), which manages the Application `guestbook` (project
/// default). `delete_argocd_app payments cascade: true` judges `broken-app` by its project only:
/// Argo CD deletes it, and its finalizer deletes `guestbook` and all `guestbook` deployed.
/// Root: `ensure_cascade_allowed` / `ensure_resource_allowed` judge a child Application by its
/// project, not by what it manages in turn (the same one level down for
/// `delete_argocd_resource` of `broken-app`).
#[tokio::test]
async fn review20_finding_c2_a_cascade_delete_reaches_a_grandchild_of_another_project() {
    let mut world = crate::World::new().await;
    world.set("allowed_projects", "payments");
    world
        .standin
        .state()
        .apps
        .get_mut("broken-app")
        .unwrap()
        .app["spec"]["project"] = json!("payments");
    crate::planting::manages(&world.standin, "payments", "broken-app");
    crate::planting::manages(&world.standin, "broken-app", "guestbook");
    let direct = world
        .call(
            "delete_argocd_resource",
            json!({"app_name": "payments", "kind": "Application", "group": "argoproj.io",
                   "version": "v1alpha1", "resource_name": "guestbook", "namespace": "argocd",
                   "confirm": true}),
        )
        .await;
    println!("review20 C2 direct (guestbook is not managed by payments): {direct}");
    let result = world
        .call(
            "delete_argocd_app",
            json!({"app_name": "payments", "cascade": true, "confirm": true}),
        )
        .await;
    println!("review20 C2 cascade: {result}");
    let sent: Vec<String> = world
        .standin
        .requests()
        .iter()
        .filter(|r| r.method == "DELETE")
        .map(|r| r.path.clone())
        .collect();
    assert!(
        sent.is_empty(),
        "payments → broken-app (payments) → guestbook (default) deleted with cascade: {sent:?} ({result})"
    );
    assert!(
        result
            .to_string()
            .contains("can delete application 'guestbook', which an app it acts on manages"),
        "{result}"
    );

    // The same tree through the plugin.
    let (standin, env) = crate::plugin::setup_with(
        Default::default(),
        &[("ARGOCD_ALLOWED_PROJECTS", "payments")],
    )
    .await;
    standin.state().apps.get_mut("broken-app").unwrap().app["spec"]["project"] = json!("payments");
    crate::planting::manages(&standin, "payments", "broken-app");
    crate::planting::manages(&standin, "broken-app", "guestbook");
    let (plugin, mut store) = crate::harness().plugin(&env).await.unwrap();
    let refused = plugin
        .call_delete_argocd_app(&mut store, "payments", true, None, None, true, None)
        .await
        .unwrap()
        .expect_err("refused");
    assert!(
        refused.contains("'guestbook' belongs to project 'default'")
            && refused.contains("can delete application 'guestbook'"),
        "{refused}"
    );
    assert!(
        !standin.requests().iter().any(|r| r.method == "DELETE"),
        "{refused}"
    );
}

/// The judgement of an app of apps ends and lets through what it should: `payments` manages
/// `broken-app` (moved to payments), which manages `payments` back (a cycle). Every Application
/// reached is allowed, so the cascade delete is sent, once, and each app was read once (and
/// its manifests once, for its delete hooks).
#[tokio::test]
async fn an_app_of_apps_all_allowed_is_deleted_and_a_cycle_ends() {
    let mut world = crate::World::new().await;
    world.set("allowed_projects", "payments");
    world
        .standin
        .state()
        .apps
        .get_mut("broken-app")
        .unwrap()
        .app["spec"]["project"] = json!("payments");
    crate::planting::manages(&world.standin, "payments", "broken-app");
    crate::planting::manages(&world.standin, "broken-app", "payments");
    let result = world
        .call(
            "delete_argocd_app",
            json!({"app_name": "payments", "cascade": true, "confirm": true}),
        )
        .await;
    let requests = world.standin.requests();
    let deletes: Vec<&str> = requests
        .iter()
        .filter(|r| r.method == "DELETE")
        .map(|r| r.path.as_str())
        .collect();
    assert_eq!(deletes.len(), 1, "{deletes:?} {result}");
    assert!(
        deletes[0].starts_with("/api/v1/applications/payments?"),
        "{deletes:?}"
    );
    let reads_of = |path: &str| {
        requests
            .iter()
            .filter(|r| r.method == "GET" && r.path.split('?').next() == Some(path))
            .count()
    };
    assert_eq!(reads_of("/api/v1/applications/broken-app"), 1, "{result}");
    // Its delete hooks, once: deleting it runs them (review29 A1).
    let hooks = reads_of("/api/v1/applications/broken-app/manifests");
    assert_eq!(hooks, 1, "{result}");
}
