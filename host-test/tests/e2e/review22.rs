//! Twenty-second hostile review (issue 19): this session's changes (the allow-list judging what
//! a cascade delete or a prune deletes, the settings' own secrets read through escapes and
//! wrapped base64, the reading budget, cuts at a word's edge, argument errors from the published
//! schema) and the answer surface, attacked through the built components.
//!
//! Findings (each `review22_finding_*` asserts the secure behaviour, fails today, and is
//! ignored so the suite stays green; X1-X3 assert times and so only run by hand, like
//! review 21's):
//!
//! - A1 (medium, ARGOCD_ALLOWED_PROJECTS) `patch_argocd_app payments` with
//!   `{"spec":{"syncPolicy":{"automated":{"prune":true}}}}` is sent, while `sync_argocd_app
//!   payments prune: true` is refused because its prune deletes the child Application
//!   `broken-app` of project `default`: Argo CD's auto-sync then does that very prune. Root:
//!   `lifecycle.rs` PatchApp / `project_guard.rs` `check_patch_allowed` judge only the project
//!   before and after; `ensure_managed_deletes_allowed` is not applied to a patch turning on
//!   (or keeping on while changing the source of) automated prune, nor in the approval
//!   question (`guards.rs`, read, not tested), nor (read, not tested) to a `create_argocd_app upsert` replacing
//!   an app of apps with an automated-prune spec.
//! - A2 (medium, ARGOCD_ALLOWED_PROJECTS, apps in any namespace) an allowed app managing the
//!   Namespace `team-b`, which holds the Application `broken-app` (project `default`):
//!   `delete_argocd_resource` of that Namespace and `delete_argocd_app payments cascade: true`
//!   are both sent; deleting the Namespace deletes the Applications in it (and, through their
//!   finalizers, what they deployed). Root: `ensure_resource_allowed` refuses only the
//!   namespace of the acting app's own Application object, and `ensure_apps_allowed` only
//!   namespaces of Applications it read through `status.resources`; no one asks Argo CD which
//!   Applications a Namespace holds.
//! - S1 (medium, own secrets) a provider refusal quoting the token request in MIME base64
//!   (76 characters a line): `delegation.rs` cuts `error_description` at a word's edge before
//!   200 bytes, and a line break is a word's edge, so the cut falls inside the secret's base64
//!   and the lines kept hold its start, which no whole spelling or core matches:
//!   `Cl1ent-s3c` of `Cl1ent-s3cret-of-the-server` decodes from the answer (LF and CRLF).
//!   Root: `cut.rs` `at_word` treats any whitespace as a word's edge; `OwnSecrets` finds only
//!   whole cores (the same for `error.rs`, `logs.rs`, `manifests.rs` cuts).
//! - S2 (low, own secrets) a password holding `&` quoted in an HTML page as `&amp;`, `&#38;`
//!   or `&#x26;` (`R22/pw&amp;Zx9-kq`) is shown by both components. Root: `reading.rs`
//!   `entity` reads quotes, `<`, `>` and `@` only, and no spelling lists HTML escapes.
//! - S3 (low, own secrets) the Argo CD password inside base64 wrapped with an indent after
//!   each line break (a YAML block scalar: `blob: |` then indented lines), or with spaces or
//!   tabs for line breaks (a log flattened to one line), decodes whole from both components'
//!   `get_argocd_app_status` (wrapped at 16 here so a break falls in the core; at 76 it does
//!   for some offsets). Root: `own_secrets.rs` `read_through_escapes` drops only line breaks
//!   directly between base64 characters.
//! - L1 (low, credentials in objects) a YAML anchor aliased under a credential's name, in
//!   shapes `anchors.rs` does not read: on a block scalar (`&dbpass |` and the value below), a
//!   plain value on the next line, the alias in a flow mapping (`auth: {password: *dbpass}`),
//!   and the seventeenth anchor (`ANCHORS_MOST` = 16): shown by both components'
//!   `get_argocd_resource`.
//! - L3 (low-medium, credentials in text) review 21's L1 shape itself (`common: &dbpass …` /
//!   `password: *dbpass`) in any text other than Helm values (a condition message): shown by
//!   both components. Root: `scrub.rs` `without_credentials` runs `mask_named` before
//!   `anchors::hide_aliased` in each pass, so the alias is already `password: ***` when the
//!   anchors are read; the anchors unit test calls `hide_aliased` alone.
//! - L2 (low, credentials in text) shapes the new rules miss: a Java or Go declaration whose
//!   literal is on the next line (`String dbPassword =` / `"…";`, `var dbPassword string =`;
//!   `members.rs` reads the next line only after `name: Type =`), `vault login -address URL
//!   TOKEN` (the flag's value taken as the token), a here-document into `--password-stdin`
//!   (`docker login --password-stdin <<EOF`, `cat <<EOF | helm registry login
//!   --password-stdin`). Natively also `vault  login` (two spaces), `mysqladmin … PASSWORD …`.
//! - X1 (high, denial of service) `files.rs` `properties_password`, run by `spans::mask_all`
//!   at every position, looks back to the line's start (`rposition` of a line break) and
//!   checks every byte since: one long line costs quadratic time, none of it `unit()` reading,
//!   so the reading `Budget` never sees it. 128 KB of `a` in one line: ~7.9 s through the
//!   server component, ~13 s through the plugin (in lines: 0.24 s); natively 128 KB 4.7 s, perf: 77 % in
//!   `properties_password`. Any long line does it: minified JSON, a
//!   `last-applied-configuration`, a JSON log line.
//! - X2 (high, denial of service) `anchors.rs` `anchored_value` reads, at each `&` of a line,
//!   to the next whitespace for the anchor's name; with one `password: *a` anywhere in the
//!   text, 32 KB of `&` takes ~9.7 s through the server component, 64 KB ~40 s (also outside
//!   the `Budget`, and again at each of `without_credentials`' passes).
//! - X3 (high, denial of service by any caller) X1 needs nothing planted: `tools/call` of an
//!   unknown tool quotes its name whole (`Unknown tool: "aaa…"`), and an unknown argument key
//!   is quoted whole by `argument_fit.rs` (`unknown field `aaa…``, new this session); both are
//!   scrubbed: 128 KB ~7.7 s each, from any holder of the bearer (read-only included); a
//!   request may be 1 MiB (~64× that). (`Method not found: …` echoes the method whole too, but
//!   unscrubbed: 1 ms.)
//!
//! What held: the sync/rollback/cascade prune walk (A1's sync is refused); argument errors
//! (`review22_argument_errors_refuse_and_never_echo_values`: wrong types, nested misfits,
//! out-of-range numbers, `confirm` not true: all refused, no value echoed, nothing sent;
//! non-object arguments refused by the protocol layer); credentials cut by `at_word` (PEM
//! without its END, a bearer split over lines, `password:` with the value on the next line,
//! URL userinfo: `review22_probe_native_cut_shapes`); with a line break every 2,000 bytes, ~65
//! patterns (`review22_probe_native_timing_in_lines`) all read in under 0.2 s at 64 KB (X1
//! dominates any long line); a ConfigMap key other than `values.yaml` holding the anchor
//! shape is hidden in `get_argocd_resource`. Not reached in the time box: prompts/resources,
//! the feed and subscription paths for own secrets, base32/quoted-printable/UTF-16 spellings,
//! the budget hiding legitimate text.

use crate::planting::{password_plugin_env, pruning_world, sent_writes, world_with_password};
use serde_json::{Value, json};

use crate::identity::{CLIENT_ID, CLIENT_SECRET, call_as, token, user_mode};

// ---------------------------------------------------------------------------------------------
// Allow-list
// ---------------------------------------------------------------------------------------------

/// A1: a sync with prune of `payments` is refused (it would delete `broken-app` of project
/// default), but the patch that turns on auto-sync with prune on `payments` is sent: Argo CD's
/// own auto-sync then prunes `broken-app` (and, through its finalizer, all it deployed).
#[tokio::test]
async fn review22_finding_a1_patch_turning_on_auto_prune_deletes_a_child_of_another_project() {
    let world = pruning_world().await;
    // The sync with prune is refused (holds).
    let sync = world
        .call(
            "sync_argocd_app",
            json!({"app_name": "payments", "prune": true, "confirm": true}),
        )
        .await;
    println!("review22 A1 sync prune: {sync}");
    assert_eq!(sync["isError"], true, "{sync}");
    assert!(sent_writes(&world).is_empty(), "{:?}", sent_writes(&world));
    // The same delete, asked of Argo CD's auto-sync.
    let patch = world
        .call(
            "patch_argocd_app",
            json!({"app_name": "payments", "confirm": true,
                   "patch": {"spec": {"syncPolicy": {"automated": {"prune": true, "selfHeal": true}}}}}),
        )
        .await;
    println!("review22 A1 patch: {patch}");
    let writes = sent_writes(&world);
    assert!(
        writes.is_empty() && patch["isError"] == true,
        "auto-sync with prune turned on for an app whose prune deletes broken-app (project default): {writes:?} {patch}"
    );
}

/// A2: with apps in any namespace, Applications of other projects live in their own
/// namespaces. An allowed app managing such a Namespace (a platform app creating namespaces):
/// deleting that Namespace deletes the Applications in it, whatever their project; only the
/// namespace of the acting app's own Application object is refused.
#[tokio::test]
async fn review22_finding_a2_a_namespace_holding_another_projects_applications_is_deleted() {
    let mut world = crate::World::new().await;
    world.set("allowed_projects", "payments");
    {
        let mut state = world.standin.state();
        // broken-app (project default) lives in namespace team-b.
        let broken = state.apps.get_mut("broken-app").unwrap();
        broken.app["metadata"]["namespace"] = json!("team-b");
        let project = broken.app["spec"]["project"].clone();
        println!("review22 A2 broken-app project {project}");
    }
    crate::planting::manages_namespace(&world.standin, "payments", "team-b");
    // Argo CD's list shows the Application object in team-b (its metadata.namespace).
    let listed = world.standin.state().apps["broken-app"].app["metadata"]["namespace"].clone();
    assert_eq!(listed, json!("team-b"));
    let delete = world
        .call(
            "delete_argocd_resource",
            json!({"app_name": "payments", "kind": "Namespace", "resource_name": "team-b",
                   "version": "v1", "confirm": true}),
        )
        .await;
    println!("review22 A2 delete Namespace: {delete}");
    let after_resource = sent_writes(&world);
    let cascade = world
        .call(
            "delete_argocd_app",
            json!({"app_name": "payments", "cascade": true, "confirm": true}),
        )
        .await;
    println!("review22 A2 cascade: {cascade}");
    let writes = sent_writes(&world);
    assert!(
        after_resource.is_empty() && writes.is_empty(),
        "the Namespace team-b, holding broken-app (project default), deleted: {writes:?}"
    );
}

/// A2 held the other way: a Namespace that holds no Application is deleted through an allowed
/// app as before (the guard asks Argo CD which Applications live there), and when that list
/// cannot be read the delete is refused, not sent.
#[tokio::test]
async fn review22_held_a_namespace_without_applications_is_deleted_and_an_unreadable_list_refuses()
{
    use host_test::standin::{Fault, FaultRule};
    let mut world = crate::World::new().await;
    world.set("allowed_projects", "payments");
    crate::planting::manages_namespace(&world.standin, "payments", "scratch");
    let delete = json!({"app_name": "payments", "kind": "Namespace", "resource_name": "scratch",
                        "version": "v1", "confirm": true});
    // Reads fail from the third on (the app's project, the parent's namespace, then the list,
    // retried): refused, saying why.
    world
        .standin
        .inject(FaultRule::new(Some("GET"), "/api/v1/applications", Fault::Reset).after(2));
    let refused = world.call("delete_argocd_resource", delete.clone()).await;
    println!("review22 A2 held, list unreadable: {refused}");
    assert_eq!(refused["isError"], true, "{refused}");
    assert!(
        refused.to_string().contains("could not be listed"),
        "{refused}"
    );
    assert!(sent_writes(&world).is_empty(), "{:?}", sent_writes(&world));
    let listed = world.standin.requests().iter().any(|r| {
        r.method == "GET"
            && r.path
                .starts_with("/api/v1/applications?appNamespace=scratch")
    });
    assert!(listed, "the Applications in scratch were not asked for");
    world.standin.state().faults.clear();
    let deleted = world.call("delete_argocd_resource", delete).await;
    println!("review22 A2 held, no Application in scratch: {deleted}");
    assert_ne!(deleted["isError"], true, "{deleted}");
    let writes = sent_writes(&world);
    assert!(
        writes.iter().any(|w| w.starts_with("DELETE ")),
        "the Namespace scratch, holding no Application, was not deleted: {writes:?}"
    );
}

// ---------------------------------------------------------------------------------------------
// The settings' own secrets
// ---------------------------------------------------------------------------------------------

/// S1: the provider's refusal quotes the request it refused in MIME base64 (76 characters a
/// line); `delegation.rs` cuts `error_description` at a word's edge before 200 bytes, and a
/// line break is a word's edge: the cut falls inside the secret's base64, and the lines kept
/// hold the start of it, which no spelling of the whole secret matches.
#[tokio::test]
async fn review22_finding_s1_a_cut_in_wrapped_base64_shows_the_head_of_the_client_secret() {
    use base64::Engine;
    let body = format!(
        "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Atoken-exchange&client_id={CLIENT_ID}&client_secret={CLIENT_SECRET}&scope=openid"
    );
    let b64 = base64::engine::general_purpose::STANDARD.encode(&body);
    let lines: Vec<&str> = b64
        .as_bytes()
        .chunks(76)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect();
    let world = user_mode(&[]).await;
    let alice = token(&world, "alice");
    let head = &CLIENT_SECRET[..9];
    let mut shown = Vec::new();
    for (name, joined) in [("LF", lines.join("\n")), ("CRLF", lines.join("\r\n"))] {
        world.standin.state().idp.exchange_error_echo = Some(format!("refused R22s01q [{joined}]"));
        let (status, answer) = call_as(&world, &alice, "get_argocd_server_info", json!({})).await;
        let said = format!("{status} {answer}");
        println!("review22 S1 {name}: {said}");
        assert!(said.contains("R22s01q"), "{said}");
        // What a reader recovers: the bracketed base64, line breaks dropped, decoded.
        let text = answer.to_string();
        for part in text.split("R22s01q [").skip(1) {
            let kept: String = part
                .replace("\\\\r", "")
                .replace("\\\\n", "")
                .replace("\\r", "")
                .replace("\\n", "")
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '+' || *c == '/')
                .collect();
            let usable = &kept[..kept.len() / 4 * 4];
            let decoded = base64::engine::general_purpose::STANDARD
                .decode(usable)
                .map(|d| String::from_utf8_lossy(&d).into_owned())
                .unwrap_or_default();
            println!("review22 S1 {name} decoded: {decoded}");
            if decoded.contains(head) {
                shown.push(format!("{name}: {decoded}"));
            }
        }
    }
    assert!(
        shown.is_empty(),
        "the head of the client secret {CLIENT_SECRET} recoverable: {shown:?}"
    );
}

/// S2: a secret holding `&` (or `<`, `>`, a quote) quoted in an HTML page (a proxy's or an
/// identity provider's error page, Argo CD behind one): `&amp;` is not among the escapes read
/// through (`reading.rs` `entity` reads the quotes, `<`, `>` and `@` only), and no spelling
/// lists it, so the password is shown, through both components.
#[tokio::test]
async fn review22_finding_s2_a_password_html_escaped_is_shown() {
    let password = "R22/pw&Zx9-kq";
    let world = world_with_password(password).await;
    let env = password_plugin_env(&world.standin, password);
    let mut shown = Vec::new();
    for (name, spelling) in [
        ("&amp;", "R22/pw&amp;Zx9-kq"),
        ("&#38;", "R22/pw&#38;Zx9-kq"),
        ("&#x26;", "R22/pw&#x26;Zx9-kq"),
    ] {
        let message = format!("upstream page: <p>seed {spelling} rejected</p> R22s02q");
        crate::planting::plant_conditions(&world.standin, "guestbook", &[("m", message, "")]);
        let server = world
            .call("get_argocd_app_status", json!({"app_name": "guestbook"}))
            .await
            .to_string();
        let plugin = crate::planting::plugin_status(&env).await;
        for (component, answer) in [("server", &server), ("plugin", &plugin)] {
            assert!(answer.contains("R22s02q"), "{component} {name}: {answer}");
            if answer.contains("Zx9-kq") {
                shown.push(format!("{component} {name}"));
                println!("review22 S2 {component} {name}: {answer}");
            }
        }
    }
    assert!(shown.is_empty(), "the password {password} shown: {shown:?}");
}

// ---------------------------------------------------------------------------------------------
// Argument errors (held)
// ---------------------------------------------------------------------------------------------

/// Argument errors from the published schema: every misfit refused, never echoing a value.
#[tokio::test]
async fn review22_argument_errors_refuse_and_never_echo_values() {
    let world = crate::World::new().await;
    let secret = "R22argV4lue";
    for (tool, arguments) in [
        (
            "get_argocd_app_logs",
            json!({"app_name": "guestbook", "tail_lines": secret}),
        ),
        (
            "get_argocd_app_logs",
            json!({"app_name": "guestbook", "tail_lines": [secret]}),
        ),
        (
            "get_argocd_app_logs",
            json!({"app_name": "guestbook", "tail_lines": {"a": secret}}),
        ),
        (
            "get_argocd_app_logs",
            json!({"app_name": "guestbook", "tail_lines": -1}),
        ),
        (
            "get_argocd_app_logs",
            json!({"app_name": "guestbook", "tail_lines": 1.5}),
        ),
        (
            "get_argocd_app_logs",
            json!({"app_name": "guestbook", "tail_lines": 99999999999u64}),
        ),
        ("get_argocd_app_status", json!({"app_name": [secret]})),
        ("get_argocd_app_status", json!({"app_name": {"x": secret}})),
        ("get_argocd_app_status", json!({"app_name": true})),
        ("get_argocd_app_status", json!({"app_namespace": secret})),
        (
            "sync_argocd_app",
            json!({"app_name": "guestbook", "confirm": secret}),
        ),
        (
            "sync_argocd_app",
            json!({"app_name": "guestbook", "confirm": true, "prune": secret}),
        ),
        (
            "sync_argocd_app",
            json!({"app_name": "guestbook", "confirm": true, "resources": [{"kind": secret, "name": 7}]}),
        ),
        (
            "sync_argocd_app",
            json!({"app_name": "guestbook", "confirm": true, "resources": [{"kind": "Pod", "name": "x", "extra": secret}]}),
        ),
        (
            "sync_argocd_app",
            json!({"app_name": "guestbook", "confirm": true, "resources": secret}),
        ),
        (
            "sync_argocd_app",
            json!({"app_name": "guestbook", "confirm": true, "revisions": [secret], "source_positions": [secret]}),
        ),
        (
            "rollback_argocd_app",
            json!({"app_name": "guestbook", "confirm": true, "history_id": secret}),
        ),
        (
            "rollback_argocd_app",
            json!({"app_name": "guestbook", "confirm": true, "history_id": 1e30}),
        ),
        (
            "patch_argocd_app",
            json!({"app_name": "guestbook", "confirm": true}),
        ),
        (
            "patch_argocd_app",
            json!({"app_name": "guestbook", "confirm": true, "patch": secret}),
        ),
        (
            "delete_argocd_app",
            json!({"app_name": "guestbook", "confirm": true, "cascade": secret}),
        ),
        (
            "delete_argocd_app",
            json!({"app_name": "guestbook", "confirm": true, "propagation_policy": [secret]}),
        ),
        (
            "create_argocd_app",
            json!({"name": "x", "confirm": true, "helm_parameters": secret}),
        ),
    ] {
        let result = world.call(tool, arguments.clone()).await;
        let text = result.to_string();
        println!("review22 args {tool} {arguments}: {text}");
        assert_eq!(
            result["isError"], true,
            "{tool} {arguments}: accepted: {text}"
        );
        assert!(!text.contains(secret), "{tool} {arguments}: echoed: {text}");
    }
    let writes = sent_writes(&world);
    assert!(writes.is_empty(), "{writes:?}");
}

// ---------------------------------------------------------------------------------------------
// YAML anchors (`scrub/anchors.rs`)
// ---------------------------------------------------------------------------------------------

fn config_map(name: &str, key: &str, text: &str) -> Value {
    json!({"apiVersion": "v1", "kind": "ConfigMap",
           "metadata": {"name": name, "namespace": "guestbook"},
           "data": {key: text}})
}

/// Sixteen aliases under credentials' names, then the seventeenth: `ANCHORS_MOST`.
fn seventeen_aliases() -> String {
    let mut text = String::new();
    for n in 0..16 {
        text.push_str(&format!("d{n}: &d{n} ***\n"));
    }
    text.push_str("real: &realpw R22l04d\n");
    for n in 0..16 {
        text.push_str(&format!("s{n}:\n  password: *d{n}\n"));
    }
    text.push_str("db:\n  password: *realpw\n");
    text
}

/// L1: a value anchored under an innocent name and aliased under a credential's name in the
/// shapes the twenty-first review's fix does not read: a block scalar (`&pw |` with the value on
/// the lines after), a plain scalar on the next line, the alias in a flow mapping
/// (`auth: {password: *pw}`), and the seventeenth anchor (the rule judges 16).
#[tokio::test]
async fn review22_finding_l1_yaml_anchor_shapes_still_shown() {
    let seventeen: &'static str = Box::leak(seventeen_aliases().into_boxed_str());
    let found = crate::planting::leaks_in_live(&[
        (
            "anchor on a block scalar",
            config_map(
                "r22-l1a",
                "values.yaml",
                "shared: &dbpass |\n  R22l01a\npostgresql:\n  auth:\n    password: *dbpass\n",
            ),
            &["R22l01a"],
        ),
        (
            "anchor with the value on the next line",
            config_map(
                "r22-l1b",
                "values.yaml",
                "shared: &dbpass\n  R22l02b\npostgresql:\n  auth:\n    password: *dbpass\n",
            ),
            &["R22l02b"],
        ),
        (
            "alias in a flow mapping",
            config_map(
                "r22-l1c",
                "values.yaml",
                "shared: &dbpass R22l03c\npostgresql:\n  auth: {password: *dbpass}\n",
            ),
            &["R22l03c"],
        ),
        (
            "the seventeenth anchor",
            config_map("r22-l1d", "values.yaml", seventeen),
            &["R22l04d"],
        ),
    ])
    .await;
    assert!(found.is_empty(), "{found:?}");
}

/// L3: the twenty-first review's L1 shape itself (`common: &dbpass …` then `password:
/// *dbpass`) outside Helm values text: `without_credentials` runs `mask_named` before
/// `anchors::hide_aliased` in each pass, so `password: *dbpass` is already `password: ***`
/// when the anchors are read, and the anchored value stays. In a condition message, a log line,
/// and a ConfigMap key not read as values text, through both components.
#[tokio::test]
async fn review22_finding_l3_the_aliased_anchor_is_shown_in_any_text() {
    let yaml = "common: &dbpass R22l03t\npostgresql:\n  auth:\n    password: *dbpass\n";
    // Natively first: the rule as it runs on any text.
    let clean = argocd_mcp::tools::without_credentials(yaml);
    println!("review22 L3 native: {clean:?}");
    let mut found = Vec::new();
    if clean.contains("R22l03t") {
        found.push("native without_credentials".to_string());
    }
    let world = crate::World::new().await;
    crate::planting::plant_conditions(&world.standin, "guestbook", &[("m", yaml, "R22l03t")]);
    world.standin.state().review_log_lines = yaml.lines().map(str::to_owned).collect();
    let env = crate::planting::plugin_env(&world.standin);
    let server = world
        .call("get_argocd_app_status", json!({"app_name": "guestbook"}))
        .await
        .to_string();
    let plugin = crate::planting::plugin_status(&env).await;
    for (component, answer) in [("server status", &server), ("plugin status", &plugin)] {
        assert!(answer.contains("ComparisonError"), "{component}: {answer}");
        if answer.contains("R22l03t") {
            found.push(component.to_string());
        }
    }
    let leaks = crate::planting::leaks_in_live(&[(
        "ConfigMap key settings.yaml",
        config_map("r22-l3", "settings.yaml", yaml),
        &["R22l03t"],
    )])
    .await;
    found.extend(leaks);
    assert!(found.is_empty(), "{found:?}");
}

/// L2: credentials in command lines and code the rules added this session do not read, planted
/// as condition messages and read through both components: a Java or Go declaration whose
/// literal is on the next line (`members.rs` reads the next line after `name: Type =` only),
/// `vault login` with a flag and its value before the token, a here-document fed to
/// `--password-stdin`.
#[tokio::test]
async fn review22_finding_l2_command_and_code_shapes_still_shown() {
    let shapes = [
        (
            "java next line",
            "private static final String PASSWORD =\n    \"R22l2ja\";",
            "R22l2ja",
        ),
        (
            "java local next line",
            "String dbPassword =\n\t\"R22l2jb\";",
            "R22l2jb",
        ),
        (
            "go var next line",
            "var dbPassword string =\n  \"R22l2go\"",
            "R22l2go",
        ),
        (
            "vault login -address",
            "vault login -address https://vault:8200 R22l2va",
            "R22l2va",
        ),
        (
            "heredoc stdin",
            "docker login --password-stdin -u bot <<EOF\nR22l2hd\nEOF",
            "R22l2hd",
        ),
        (
            "cat heredoc pipe",
            "cat <<EOF | helm registry login --password-stdin r.io\nR22l2hc\nEOF",
            "R22l2hc",
        ),
    ];
    let mut found = Vec::new();
    for (name, text, secret) in shapes {
        let world = crate::World::new().await;
        crate::planting::plant_conditions(&world.standin, "guestbook", &[(name, text, secret)]);
        let server = world
            .call("get_argocd_app_status", json!({"app_name": "guestbook"}))
            .await
            .to_string();
        let plugin =
            crate::planting::plugin_status(&crate::planting::plugin_env(&world.standin)).await;
        for (component, answer) in [("server", &server), ("plugin", &plugin)] {
            assert!(
                answer.contains("ComparisonError"),
                "{component} {name}: {answer}"
            );
            if answer.contains(secret) {
                found.push(format!("{component} {name}"));
            }
        }
    }
    assert!(found.is_empty(), "{found:?}");
}

/// Text shapes through the credential rules natively: prints the ones whose secret stays.
#[test]
#[ignore = "a probe: run it by hand with --ignored"]
fn review22_probe_native_text_shapes() {
    let seventeen = seventeen_aliases();
    let shapes: Vec<(String, &str)> = vec![
        (
            "shared: &dbpass |\n  R22n01x\nauth:\n  password: *dbpass\n".into(),
            "R22n01x",
        ),
        (
            "shared: &dbpass >-\n  R22n02x\nauth:\n  password: *dbpass\n".into(),
            "R22n02x",
        ),
        (
            "shared: &dbpass\n  R22n03x\nauth:\n  password: *dbpass\n".into(),
            "R22n03x",
        ),
        (
            "shared: &dbpass R22n04x\nauth: {password: *dbpass}\n".into(),
            "R22n04x",
        ),
        (
            "shared: &dbpass R22n05x\nauth:\n  - {user: u, password: *dbpass}\n".into(),
            "R22n05x",
        ),
        (seventeen.clone(), "R22l04d"),
        (
            "shared: &dbpass 'R22n06x'\nauth:\n  \"password\": *dbpass\n".into(),
            "R22n06x",
        ),
        (
            "shared: &dbpass R22n07x\nauth:\n  password : *dbpass\n".into(),
            "R22n07x",
        ),
        (
            "shared: &dbpass R22n08x\nauth:\n  password:   *dbpass   # shared\n".into(),
            "R22n08x",
        ),
        (
            "[shared, &dbpass R22n09x]\nauth:\n  password: *dbpass\n".into(),
            "R22n09x",
        ),
        (
            "shared: &dbpass\n  - R22n10x\nauth:\n  passwords: *dbpass\n".into(),
            "R22n10x",
        ),
        (
            "common: &creds\n  user: admin\n  secret_value: R22n11x\nauth: *creds\n".into(),
            "R22n11x",
        ),
        ("vault  login R22n12x".into(), "R22n12x"),
        (
            "vault login -address https://vault:8200 R22n13x".into(),
            "R22n13x",
        ),
        ("mysqladmin -u root PASSWORD R22n14x".into(), "R22n14x"),
        (
            "docker login --password-stdin <<EOF\nR22n15x\nEOF".into(),
            "R22n15x",
        ),
        (
            "cat <<EOF | docker login --password-stdin -u bot\nR22n16x\nEOF".into(),
            "R22n16x",
        ),
        (
            "echo R22n17x | podman login --password-stdin -u bot".into(),
            "R22n17x",
        ),
        (
            "echo R22n18x|docker login --password-stdin".into(),
            "R22n18x",
        ),
        ("az login -u x --password R22n19x".into(), "R22n19x"),
        (
            "az login --service-principal -u id -p R22n20x --tenant t".into(),
            "R22n20x",
        ),
        (
            "smtp.PlainAuth(\"\", \"u@x.io\", `R22n21x`, \"smtp\")".into(),
            "R22n21x",
        ),
        (
            "smtp.PlainAuth(\"\", \"u@x.io\", 'R22n22x', \"smtp\")".into(),
            "R22n22x",
        ),
        (
            "smtp.PlainAuth( \"\" , \"u\" , \"R22n23x\" , host )".into(),
            "R22n23x",
        ),
        ("expect(password).toBe('R22n24x')".into(), "R22n24x"),
        ("expect(user.password).to.eql('R22n25x')".into(), "R22n25x"),
        (
            "expect(config.password).toEqual(\"R22n26x\")".into(),
            "R22n26x",
        ),
        (
            "expect(config.password).toStrictEqual(\"R22n27x\")".into(),
            "R22n27x",
        ),
        (
            "assert.Equal(t, \"R22n28x\", cfg.Password)".into(),
            "R22n28x",
        ),
        (
            "assertEquals(\"R22n29x\", config.getPassword())".into(),
            "R22n29x",
        ),
        (
            "private static final String PASSWORD =\n    \"R22n30x\";".into(),
            "R22n30x",
        ),
        ("String password =\n\t\"R22n31x\";".into(), "R22n31x"),
        ("const password: string =\n  'R22n32x';".into(), "R22n32x"),
        ("var dbPassword string =\n  \"R22n33x\"".into(), "R22n33x"),
        ("spring.datasource.password\tR22n34x".into(), "R22n34x"),
        ("spring.datasource.password = R22n35x".into(), "R22n35x"),
        ("db.password    R22n36x\n".into(), "R22n36x"),
        (
            "htpasswd -cb /etc/nginx/.htpasswd admin R22n37x".into(),
            "R22n37x",
        ),
        ("htpasswd -nbB admin R22n38x".into(), "R22n38x"),
        ("mysqladmin -uroot password 'R22n39x'".into(), "R22n39x"),
        ("vault login -method=token R22n40x".into(), "R22n40x"),
        ("VAULT_ADDR=x vault login R22n41x".into(), "R22n41x"),
    ];
    let mut stayed = Vec::new();
    for (shape, secret) in &shapes {
        let clean = argocd_mcp::tools::without_credentials(shape);
        if clean.contains(secret) {
            stayed.push(format!("{shape:?} → {clean:?}"));
        }
    }
    for s in &stayed {
        println!("review22 native STAYS {s}");
    }
    println!("review22 native: {} of {} stay", stayed.len(), shapes.len());
}

/// Timing natively: `R22_SIZE` bytes of each pattern after `R22_HEAD`, through
/// `without_credentials`.
#[test]
#[ignore = "a timing probe: run it by hand with --ignored"]
fn review22_probe_native_timing() {
    let size: usize = std::env::var("R22_SIZE")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(32 * 1024);
    let patterns: Vec<(&str, String)> = vec![
        ("password: *a\\n", "&".into()),
        ("password: *a\\n", "&a".into()),
        ("password: *a\\n", "&b".into()),
        ("", "&".into()),
        ("password: *a\\n", "\\\\n".into()),
        ("password: *a\\n", "a:".into()),
        ("", "a".into()),
        ("", "password: *a\\n".into()),
        ("", "expect(".into()),
        ("", ".toBe(".into()),
        ("", "String password =\\n".into()),
        ("", "=\\n".into()),
        ("", "mysqladmin ".into()),
        ("", "htpasswd -b ".into()),
        ("", "vault login ".into()),
        ("", "echo |".into()),
        ("", "<<<".into()),
        ("", "PlainAuth(".into()),
        ("", "a: &b\\n".into()),
    ];
    for (head, pattern) in &patterns {
        let text = format!("{head}{}", pattern.repeat(size / pattern.len().max(1)));
        let started = std::time::Instant::now();
        let clean = argocd_mcp::tools::without_credentials(&text);
        println!(
            "review22 timing {head:?}+{pattern:?} x{size}: {:?} (kept {} of {})",
            started.elapsed(),
            clean.len(),
            text.len()
        );
    }
}

/// X1/X2 through the server component: a condition message of `R22_SIZE` bytes of each pattern,
/// one `get_argocd_app_status`, timed.
#[tokio::test]
#[ignore = "a timing probe: run it by hand with --ignored"]
async fn review22_probe_x_component_timing() {
    let size: usize = std::env::var("R22_SIZE")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(64 * 1024);
    for (head, pattern) in [
        ("", "a"),
        ("", "{\"k\":\"v\","),
        ("password: *a\n", "&"),
        ("", "a\n"),
    ] {
        let world = crate::World::new().await;
        let text = format!("{head}{}", pattern.repeat(size / pattern.len()));
        crate::planting::plant_conditions(&world.standin, "guestbook", &[("m", text, "")]);
        let started = std::time::Instant::now();
        let answer = world
            .call("get_argocd_app_status", json!({"app_name": "guestbook"}))
            .await;
        println!(
            "review22 X server {head:?}+{pattern:?} x{size}: {:?} ({} bytes)",
            started.elapsed(),
            answer.to_string().len()
        );
    }
}

/// One `get_argocd_app_status` through the server component with `text` as a condition
/// message: how long it took.
async fn status_time(text: String) -> std::time::Duration {
    let world = crate::World::new().await;
    crate::planting::plant_conditions(&world.standin, "guestbook", &[("m", text, "")]);
    let started = std::time::Instant::now();
    let answer = world
        .call("get_argocd_app_status", json!({"app_name": "guestbook"}))
        .await;
    let took = started.elapsed();
    assert!(answer.to_string().contains("ComparisonError"), "{answer}");
    took
}

/// X1 (a timing finding, run by hand): `files.rs` `properties_password`, run by `mask_all` at
/// each position, looks back to the start of the line (`rposition` of a line break) and checks
/// every byte from there: on one long line each position costs its distance from the line's
/// start, and none of it is `unit()` reading, so the [`Budget`] never sees it. 128 KB of `a` in
/// one line (a minified JSON, a `last-applied-configuration`) vs the same in short lines.
#[tokio::test]
#[ignore = "a timing probe (fixed; the suite holds no timing assertions): run it by hand with --ignored"]
async fn review22_finding_x1_one_long_line_takes_quadratic_time() {
    let size = 128 * 1024;
    let lines = status_time("a\n".repeat(size / 2)).await;
    let one_line = status_time("a".repeat(size)).await;
    // The plugin reads the same.
    let world = crate::World::new().await;
    crate::planting::plant_conditions(&world.standin, "guestbook", &[("m", "a".repeat(size), "")]);
    let env = crate::planting::plugin_env(&world.standin);
    let started = std::time::Instant::now();
    let _ = crate::planting::plugin_status(&env).await;
    let plugin = started.elapsed();
    println!(
        "review22 X1: {size} bytes in lines {lines:?}, in one line {one_line:?}, plugin {plugin:?}"
    );
    assert!(
        one_line < std::time::Duration::from_secs(3) && plugin < std::time::Duration::from_secs(3),
        "one line of {size} bytes took {one_line:?}, through the plugin {plugin:?} (in lines {lines:?})"
    );
}

/// X2 (a timing finding, run by hand): `anchors.rs` `anchored_value` reads, at every `&` of a
/// line, to the next whitespace for the anchor's name; a line of `&` (or of a query string's
/// `&k=v`) with one `password: *x` anywhere in the text costs the line's length at each `&`,
/// again at each of `without_credentials`' passes, outside the [`Budget`]. 32 KB: ~10 s through
/// the server component; 64 KB ~40 s.
#[tokio::test]
#[ignore = "a timing probe (fixed; the suite holds no timing assertions): run it by hand with --ignored"]
async fn review22_finding_x2_ampersands_with_an_alias_take_quadratic_time() {
    let size = 32 * 1024;
    let plain = status_time(format!("password: *a\n{}", "a".repeat(size))).await;
    let ampersands = status_time(format!("password: *a\n{}", "&".repeat(size))).await;
    println!("review22 X2: {size} bytes of a {plain:?}, of & {ampersands:?}");
    assert!(
        ampersands < std::time::Duration::from_secs(3),
        "{size} bytes of & after an alias took {ampersands:?} (of a: {plain:?})"
    );
}

/// Timing natively with a raw line break every `R22_LINE` bytes (so X1 does not dominate):
/// prints each pattern's time against plain `a`.
#[test]
#[ignore = "a timing probe: run it by hand with --ignored"]
fn review22_probe_native_timing_in_lines() {
    let size: usize = std::env::var("R22_SIZE")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(64 * 1024);
    let line: usize = std::env::var("R22_LINE")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(2000);
    let patterns = [
        "a",
        "&",
        "&a",
        "*",
        "expect(",
        "toBe(",
        ".eql(",
        "String password =",
        "password =",
        "password: string =",
        "val password: String =",
        "mysqladmin ",
        "htpasswd -b ",
        "vault login ",
        "az login -p ",
        "echo ",
        "echo |",
        "cat <<<",
        "<<<",
        "PlainAuth(",
        "PlainAuth(\"",
        "(\"",
        "\",",
        "password ",
        "PASSWORD ",
        "db.password ",
        "\\\"",
        "\\u0026",
        "%25",
        "&quot;",
        "=",
        ":",
        "\"a\":",
        "a.b ",
        "A_B ",
        "{{",
        "(",
        "[",
        "'",
        "`",
        "@",
        "u:p@",
        "://",
        "-p",
        "--password ",
        "Password:",
        "toBe(\"",
        "assert.Equal(",
        "equals(\"",
        "password\n  ",
        "?",
        "&a=",
        "a b",
        "# ",
        "$",
        "\\\\",
        ";",
        "|",
        "-",
        "_",
        ".",
        "/",
    ];
    let mut results = Vec::new();
    for pattern in patterns {
        let unit_line: String = pattern.repeat((line / pattern.len()).max(1));
        let text = format!("{unit_line}\n").repeat(size / (unit_line.len() + 1));
        let started = std::time::Instant::now();
        let _ = argocd_mcp::tools::without_credentials(&text);
        results.push((started.elapsed(), pattern));
    }
    results.sort();
    for (took, pattern) in results.iter().rev().take(15) {
        println!("review22 lines {pattern:?} x{size} lines of {line}: {took:?}");
    }
}

/// Cut texts natively: credentials whose end a cut removed.
#[test]
#[ignore = "a probe: run it by hand with --ignored"]
fn review22_probe_native_cut_shapes() {
    for (text, secret) in [
        (
            "key: -----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAR22c01x\nMIIEowIBAAKCAQEAR22c01y",
            "R22c01",
        ),
        (
            "-----BEGIN OPENSSH PRIVATE KEY-----\\nb3BlbnNzaC1rZXktR22c02x\\nAAAA",
            "R22c02",
        ),
        (
            "-----BEGIN PRIVATE KEY----- MIIEvR22c03xQIBADANBgkqhkiG9w0BAQEFAASC",
            "R22c03",
        ),
        (
            "-----BEGIN ENCRYPTED PRIVATE KEY-----\r\nMIIFHDBOBgkqR22c04x",
            "R22c04",
        ),
        (
            "Authorization: Bearer\neyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJSMjJjMDV4In0.R22c05x",
            "R22c05",
        ),
        ("password:\n  R22c06x", "R22c06"),
        ("{\"password\":\n \"R22c07x\"}", "R22c07"),
        ("token = \"\"\"\nR22c08x", "R22c08"),
        ("password: |\n  R22c09x\n  R22c09y", "R22c09"),
        ("PGPASSWORD='R22c10x", "R22c10"),
        ("https://user:R22c11x", "R22c11"),
    ] {
        let clean = argocd_mcp::tools::without_credentials(text);
        let stays = clean.contains(secret);
        println!(
            "review22 cut {} {text:?} → {clean:?}",
            if stays { "STAYS" } else { "hidden" }
        );
    }
}

/// X3 (a timing finding, run by hand): X1 needs nothing planted: any caller's request quoting
/// a long word back (an unknown tool's name, an unknown method, a prompt's argument) is scrubbed
/// like any answer. Each request below carries 128 KB of `a`; times printed, and each must take
/// under 3 s.
#[tokio::test]
#[ignore = "a timing probe (fixed; the suite holds no timing assertions): run it by hand with --ignored"]
async fn review22_finding_x3_any_caller_triggers_the_long_line_cost() {
    let world = crate::World::new().await;
    let long = "a".repeat(128 * 1024);
    let mut slow = Vec::new();
    for (name, message) in [
        (
            "unknown tool",
            json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": long, "arguments": {}}}),
        ),
        (
            "unknown method",
            json!({"jsonrpc": "2.0", "id": 1, "method": long, "params": {}}),
        ),
        (
            "prompt argument",
            json!({"jsonrpc": "2.0", "id": 1, "method": "prompts/get", "params": {"name": "diagnose-app", "arguments": {"app_name": long}}}),
        ),
        (
            "tool argument key",
            json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": "get_argocd_app_status", "arguments": {"app_name": "guestbook", long.as_str(): 1}}}),
        ),
    ] {
        let started = std::time::Instant::now();
        let response = world.mcp(&message).await;
        let took = started.elapsed();
        let body = String::from_utf8_lossy(&response.body);
        println!(
            "review22 X3 {name}: {took:?}, {} {} bytes: {}",
            response.status,
            body.len(),
            &body[..body.len().min(300)]
        );
        if took > std::time::Duration::from_secs(3) {
            slow.push(format!("{name}: {took:?}"));
        }
    }
    assert!(slow.is_empty(), "{slow:?}");
}

/// S3: the Argo CD password inside base64 wrapped with an indentation after each line break
/// (a YAML block scalar, a folded header) or with spaces for line breaks (a log flattened to
/// one line): `read_through_escapes` drops a line break between base64 characters only, so an
/// indent or a space splits the secret's core. Through both components.
#[tokio::test]
async fn review22_finding_s3_the_password_in_indented_wrapped_base64_is_shown() {
    use base64::Engine;
    let world = crate::World::new().await;
    let env = password_plugin_env(&world.standin, crate::PASSWORD);
    let body = format!(
        "{{\"username\":\"admin\",\"password\":\"{}\",\"x\":1}}",
        crate::PASSWORD
    );
    let b64 = base64::engine::general_purpose::STANDARD.encode(&body);
    let lines: Vec<&str> = b64
        .as_bytes()
        .chunks(16)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect();
    let mut shown = Vec::new();
    for (name, joined) in [
        (
            "indented block scalar",
            format!("blob: |\n    {}", lines.join("\n    ")),
        ),
        ("spaces", format!("blob {}", lines.join(" "))),
        ("tabs", format!("blob {}", lines.join("\t"))),
    ] {
        let message = format!("R22s03q {joined} end");
        crate::planting::plant_conditions(&world.standin, "guestbook", &[("m", message, "")]);
        let server = world
            .call("get_argocd_app_status", json!({"app_name": "guestbook"}))
            .await;
        let server = server["structuredContent"]["conditions"][0]["message"]
            .as_str()
            .unwrap_or("")
            .to_owned();
        let plugin: Value = serde_json::from_str(&crate::planting::plugin_status(&env).await)
            .unwrap_or(Value::Null);
        let plugin = plugin["conditions"][0]["message"]
            .as_str()
            .unwrap_or("")
            .to_owned();
        for (component, message) in [("server", server), ("plugin", plugin)] {
            assert!(message.contains("R22s03q"), "{component} {name}: {message}");
            let joined: String = message
                .split_whitespace()
                .filter(|w| {
                    *w != "R22s03q" && *w != "end" && *w != "blob" && *w != "blob:" && *w != "|"
                })
                .collect();
            let decoded = base64::engine::general_purpose::STANDARD
                .decode(&joined[..joined.len() / 4 * 4])
                .map(|d| String::from_utf8_lossy(&d).into_owned())
                .unwrap_or_default();
            println!("review22 S3 {component} {name}: {message:?} → {decoded:?}");
            if decoded.contains(crate::PASSWORD) {
                shown.push(format!("{component} {name}"));
            }
        }
    }
    assert!(shown.is_empty(), "the password recoverable: {shown:?}");
}
