//! Twenty-sixth hostile review (issue 19): today's guards (58bdba8..90ae3b6) attacked through
//! the built components.
//!
//! Findings (each `review26_finding_*` asserts the secure behaviour, fails today, and is
//! ignored so the suite stays green). Fixed, their tests run: A1, A2, A3, A5 (`project_guard.rs`:
//! a create with auto-sync, a patch of the sources leaving auto-sync on and a rollback to other
//! sources refused; every Argo CD object a sync applies judged), S1, S2 and C1–C4
//! (`own_secrets.rs`, `commands.rs`, `members.rs`). A4 stays ignored, by design: ordinary
//! objects an allowed app deploys are its AppProject's to govern (README, the guard table):
//!
//! - A1 (high, allow-list, server; `lifecycle.rs` create, `project_guard.rs`
//!   `ensure_upsert_allowed`) `create_argocd_app` with `auto_sync` (no prune) in the allowed
//!   project, from a repository and path the caller names, is judged by its project only: a
//!   PreSync hook Application `guestbook` (project default) in that Git is deleted and created
//!   again by Argo CD's first auto-sync. Upsert without prune alike.
//! - A2 (medium, allow-list, server) `ensure_patch_allowed` judges a patch of `spec.source`
//!   that leaves auto-sync on by the manifests rendered before the patch (no `revision` asked
//!   even for a new `targetRevision`): the auto-sync then applies the new path's hooks.
//! - A3 (medium, allow-list, server) `manifests_query` for a rollback reads the app's current
//!   source at the entry's revision, while Argo CD's rollback deploys the history entry's own
//!   `source`/`sources`: an entry of another path is judged by the wrong manifests.
//! - A4 (medium, allow-list, server) `ensure_applied_deletes_allowed` judges only Argo CD
//!   objects and Namespaces: a hook (or `Replace=true`/`Force=true`) Deployment in Git named as
//!   another project's live Deployment is deleted (BeforeHookCreation takes the live object
//!   of that key) by a sync of the allowed app. Both components.
//! - A5 (medium, allow-list, server) a sync to a `revision` the caller names applies plain
//!   (no hook, no Replace) Applications of other projects unjudged: `guestbook`'s spec is
//!   overwritten with an empty source and automated prune, so its own controller deletes all it
//!   deployed.
//! - S1 (medium, own secrets, both) `own_secrets.rs` `hex_hidden_in` allows one separator
//!   between bytes and does not read across lines: `hexdump -C`'s two spaces after the eighth
//!   byte, or an `xxd` line break, leave the password's hex readable (the text column alone is
//!   masked).
//! - S2 (low, own secrets, both) `html_entity` reads named entities other than the five as a
//!   character past ASCII: `&plus;`, `&equals;`, `&sol;` (PHP `htmlentities(…, ENT_HTML5)`)
//!   show an ASCII password.
//! - C1 (medium, commands, both) `mc alias set --api S3v4 ALIAS URL KEY SECRET`, `mcli alias
//!   set …`, and `mc alias set` continued over lines with `\`: SECRET shown.
//! - C2 (medium, commands, both) `rabbitmqctl add_user \` with its arguments on continued
//!   lines: the password shown.
//! - C3 (low, literals, both) a black-wrapped Python literal with a comment after `(`.
//! - C4 (low, commands, both) `ldappasswd … -s NEWPW`: the new password shown.
//!
//! Held: Replace/Force spellings (case, spaces, among other options, with ServerSideApply),
//! every hook type and delete policy, helm hooks, a hook Application without namespace or with
//! `generateName`, a Namespace or AppProject hook, 17 hooks (the cap); own secrets as
//! `&#x00E4;`, `&Auml;`, `%C3%A4`, double-escaped JSON, a surrogate pair, a passphrase wrapped
//! (escaped `\n`, CRLF with indent, escaped tab), `xxd` on one line, upper-case hex with colons;
//! 128 KB answers of 18 adversarial shapes each read through both components in under a
//! second; command neighbours (`sudo`/`env`/`sh -c`/absolute path prefixes, `--`, quoting,
//! `--password=`, `lftp -e 'open -u'`, `rabbitmqctl -n`, `mc config host add`, ldap clusters,
//! mongofiles, 7za/7zr, sshpass, smbclient, htpasswd, openssl, mysql), command lists (300
//! options before, `env`, `sh -c`), anchors 120 items below the owner, merge keys, tagged
//! anchors, Python/C# literal shapes, folded headers.
//!
//! Not reached (time box): the own-secrets order in progress messages, the feed and approval
//! refusals. Stand-in: it judges auto-sync by its blueprint (`blueprint.auto_sync`), real Argo
//! CD by `spec.syncPolicy.automated` (tests here set both); its `…/manifests` ignores the
//! source (and `revision`), so A2/A3 show the guard reading the wrong thing, not the hook.

use std::time::Instant;

use serde_json::{Value, json};

use crate::planting::{
    LiveShape, config_map, leaks_in_live, manual_payments, plant_conditions, plugin_status,
    sent_writes,
};

// ---------------------------------------------------------------------------------------------
// The allow-list and what a sync applies
// ---------------------------------------------------------------------------------------------

/// An Application of project default, written in Git as a hook.
fn hook_application(name: &str) -> Value {
    json!({"apiVersion": "argoproj.io/v1alpha1", "kind": "Application",
           "metadata": {"name": name, "namespace": "argocd",
                        "annotations": {"argocd.argoproj.io/hook": "PreSync"}},
           "spec": {"project": "default"}})
}

fn no_writes(world: &crate::World) {
    assert!(
        sent_writes(world).is_empty(),
        "sent: {:?}",
        sent_writes(world)
    );
}

/// A1: `create_argocd_app` with `auto_sync` (no prune) of an app in the allowed project whose
/// Git (a repository and path the caller names) holds a PreSync hook Application named as an
/// app of another project: Argo CD's first auto-sync deletes `guestbook` (BeforeHookCreation)
/// with all it deployed. The create is judged by its project only.
#[tokio::test]
async fn review26_finding_a1_create_with_auto_sync_applies_a_hook_that_deletes_another_projects_app()
 {
    let world = manual_payments().await;
    world
        .standin
        .state()
        .review_git
        .insert("pay-hooks".into(), vec![hook_application("guestbook")]);
    let create = json!({"name": "pay-hooks", "project": "payments",
                        "repo_url": "https://git.example.com/attacker/hooks.git", "path": "hooks",
                        "dest_namespace": "payments", "auto_sync": true, "confirm": true});
    let answer = world.call("create_argocd_app", create).await;
    println!("create: {answer}");
    assert_eq!(answer["isError"], true, "the create went: {answer}");
    no_writes(&world);
}

/// A2: a patch of `payments`' source (path and targetRevision) leaving auto-sync on: the
/// manifests judged are those rendered before the patch (`ensure_patch_allowed` reads the app's
/// current source), while the auto-sync then applies the new path at the new revision. Secure:
/// refused (or judged by what the patched source renders: the revision at least can be asked).
#[tokio::test]
async fn review26_finding_a2_patch_of_the_source_with_auto_sync_on_is_judged_by_the_old_source() {
    let mut world = crate::World::new().await;
    world.set("allowed_projects", "payments");
    world.standin.state().apps.get_mut("payments").unwrap().app["spec"]["syncPolicy"] =
        json!({"automated": {"selfHeal": true}});
    let patch = json!({"app_name": "payments", "confirm": true,
                       "patch": {"spec": {"source": {"path": "attacker/hooks", "targetRevision": "attacker-branch"}}}});
    let answer = world.call("patch_argocd_app", patch).await;
    println!("patch: {answer}");
    let asked: Vec<String> = world
        .standin
        .requests()
        .iter()
        .filter(|r| r.path.contains("/manifests"))
        .map(|r| r.path.clone())
        .collect();
    println!("manifests read: {asked:?}");
    let judged_new = asked.iter().any(|p| p.contains("attacker-branch"));
    assert!(
        answer["isError"] == true || judged_new,
        "patched without judging the new source: {answer} (read {asked:?})"
    );
}

/// A3: a rollback deploys its history entry's `source` (Argo CD's Rollback sends
/// `deploymentInfo.Source` with the sync), but the manifests judged are the app's current
/// source at the entry's revision: an entry whose path differs is judged by the wrong path.
#[tokio::test]
async fn review26_finding_a3_rollback_to_an_entry_of_another_source_is_judged_by_the_current_one() {
    let world = manual_payments().await;
    {
        let mut state = world.standin.state();
        let app = &mut state.apps.get_mut("payments").unwrap().app;
        let current = app["spec"]["source"]["path"].clone();
        let history = app["status"]["history"].as_array_mut().expect("history");
        let entry = history.iter_mut().find(|e| e["id"] == 1).expect("entry 1");
        entry["source"]["path"] = json!("attacker/hooks");
        assert_ne!(current, json!("attacker/hooks"));
    }
    let answer = world
        .call(
            "rollback_argocd_app",
            json!({"app_name": "payments", "history_id": 1, "confirm": true}),
        )
        .await;
    println!("rollback: {answer}");
    assert_eq!(
        answer["isError"], true,
        "rolled back to another source: {answer}"
    );
    no_writes(&world);
}

/// A4: a hook (or `Replace=true`/`Force=true`) object in `payments`' Git that is no Argo CD
/// object but has the name of another project's live resource: Argo CD takes the live object
/// of that key as the hook's and deletes it before creating the hook (BeforeHookCreation).
/// `ensure_applied_deletes_allowed` judges only Argo CD objects and Namespaces.
#[tokio::test]
#[ignore = "by design (README, ARGOCD_ALLOWED_PROJECTS): what an allowed app deploys of ordinary kinds is governed by its AppProject's destinations, not this server"]
async fn review26_finding_a4_a_hook_named_as_another_projects_deployment_deletes_it() {
    let planted = || async {
        let world = manual_payments().await;
        world.standin.state().review_git.insert(
            "payments".into(),
            vec![json!({"apiVersion": "apps/v1", "kind": "Deployment",
                        "metadata": {"name": "guestbook", "namespace": "guestbook",
                                     "annotations": {"argocd.argoproj.io/hook": "PreSync"}},
                        "spec": {"replicas": 0}})],
        );
        world
    };
    let world = planted().await;
    let answer = world
        .call(
            "sync_argocd_app",
            json!({"app_name": "payments", "confirm": true}),
        )
        .await;
    println!("sync: {answer}");
    let server_sent = sent_writes(&world);
    // The plugin on a stand-in of its own, restricted alike.
    let world = planted().await;
    let mut env = crate::planting::plugin_env(&world.standin);
    env.env
        .push(("ARGOCD_ALLOWED_PROJECTS".into(), "payments".into()));
    let (plugin, mut store) = crate::harness().plugin(&env).await.unwrap();
    let by_plugin = plugin
        .call_sync_argocd_app(
            &mut store, "payments", None, None, None, None, None, None, None, None, None, true,
            None,
        )
        .await
        .expect("the plugin answers");
    println!("plugin sync: {by_plugin:?}");
    let plugin_sent = sent_writes(&world);
    assert!(
        server_sent.is_empty() && plugin_sent.is_empty(),
        "guestbook's Deployment replaced: server {answer} sent {server_sent:?}; plugin {by_plugin:?} sent {plugin_sent:?}"
    );
}

/// A5: a sync to a revision the caller names whose manifests apply (no hook, no Replace) an
/// Application of another project: Argo CD overwrites `guestbook`'s spec (project default)
/// with what the chosen revision says, here an empty source with automated prune, so
/// guestbook's own auto-sync deletes all it deployed.
#[tokio::test]
async fn review26_finding_a5_a_sync_to_a_chosen_revision_rewrites_another_projects_app() {
    let world = manual_payments().await;
    world.standin.state().review_git.insert(
        "payments".into(),
        vec![json!({"apiVersion": "argoproj.io/v1alpha1", "kind": "Application",
                    "metadata": {"name": "guestbook", "namespace": "argocd"},
                    "spec": {"project": "default",
                             "source": {"repoURL": "https://git.example.com/attacker/empty.git", "path": "."},
                             "destination": {"server": "https://kubernetes.default.svc", "namespace": "guestbook"},
                             "syncPolicy": {"automated": {"prune": true}}}})],
    );
    let answer = world
        .call(
            "sync_argocd_app",
            json!({"app_name": "payments", "revision": "attacker-branch", "confirm": true}),
        )
        .await;
    println!("sync: {answer}");
    assert_eq!(
        answer["isError"], true,
        "guestbook rewritten by payments' sync: {answer}"
    );
    no_writes(&world);
}

/// Held: annotation spellings Argo CD accepts (and some it does not) on a child Application of
/// another project, hooks of every kind, no namespace, among many objects: each refused with
/// nothing sent, and the refusal names no more than the object and the list.
#[tokio::test]
async fn review26_held_spellings_of_replace_force_and_hooks_refuse_the_sync() {
    let annotated = |annotations: Value, namespace: Option<&str>| {
        let mut app = json!({"apiVersion": "argoproj.io/v1alpha1", "kind": "Application",
               "metadata": {"name": "guestbook", "annotations": annotations},
               "spec": {"project": "default"}});
        if let Some(ns) = namespace {
            app["metadata"]["namespace"] = json!(ns);
        }
        app
    };
    let shapes = [
        annotated(
            json!({"argocd.argoproj.io/sync-options": "Prune=false,Replace=true"}),
            Some("argocd"),
        ),
        annotated(
            json!({"argocd.argoproj.io/sync-options": " replace=TRUE "}),
            Some("argocd"),
        ),
        annotated(
            json!({"argocd.argoproj.io/sync-options": "ServerSideApply=true,Force=true,Replace=true"}),
            Some("argocd"),
        ),
        annotated(
            json!({"argocd.argoproj.io/hook": "PostSync", "argocd.argoproj.io/hook-delete-policy": "HookSucceeded"}),
            Some("argocd"),
        ),
        annotated(
            json!({"argocd.argoproj.io/hook": "SyncFail"}),
            Some("argocd"),
        ),
        annotated(
            json!({"argocd.argoproj.io/hook": "PreDelete"}),
            Some("argocd"),
        ),
        annotated(json!({"argocd.argoproj.io/hook": " Sync "}), Some("argocd")),
        annotated(json!({"helm.sh/hook": "post-upgrade"}), Some("argocd")),
        annotated(json!({"argocd.argoproj.io/hook": "PreSync"}), None),
        json!({"apiVersion": "argoproj.io/v1alpha1", "kind": "Application",
               "metadata": {"generateName": "guestbook-", "namespace": "argocd",
                            "annotations": {"argocd.argoproj.io/hook": "PreSync"}},
               "spec": {"project": "default"}}),
        json!({"apiVersion": "v1", "kind": "Namespace",
               "metadata": {"name": "argocd", "annotations": {"argocd.argoproj.io/hook": "PreSync"}}}),
        json!({"apiVersion": "argoproj.io/v1alpha1", "kind": "AppProject",
               "metadata": {"name": "default", "namespace": "argocd",
                            "annotations": {"argocd.argoproj.io/sync-options": "Force=true"}}}),
    ];
    for shape in shapes {
        let world = manual_payments().await;
        world
            .standin
            .state()
            .review_git
            .insert("payments".into(), vec![shape.clone()]);
        let refusal = world
            .tool_error(
                "sync_argocd_app",
                json!({"app_name": "payments", "confirm": true}),
            )
            .await;
        println!("{shape}\n  → {refusal}");
        no_writes(&world);
    }
    // Past the cap: 17 hook Applications of the allowed project itself.
    let world = manual_payments().await;
    let many: Vec<Value> = (0..17)
        .map(|i| {
            let mut app = hook_application(&format!("pay-{i}"));
            app["spec"]["project"] = json!("payments");
            app
        })
        .collect();
    world
        .standin
        .state()
        .review_git
        .insert("payments".into(), many);
    let refusal = world
        .tool_error(
            "sync_argocd_app",
            json!({"app_name": "payments", "confirm": true}),
        )
        .await;
    println!("17 hooks → {refusal}");
    no_writes(&world);
}

// ---------------------------------------------------------------------------------------------
// The settings' own secrets
// ---------------------------------------------------------------------------------------------

/// Each spelling (name, text, part that must not show) as a condition message of guestbook,
/// read back through both components of a world logged in with `password`: those shown.
async fn own_secret_shown(password: &str, spellings: &[(&str, String, String)]) -> Vec<String> {
    let world = crate::planting::world_with_password(password).await;
    let env = crate::planting::password_plugin_env(&world.standin, password);
    let mut shown = Vec::new();
    for (name, spelling, part) in spellings {
        let message = format!("upstream said: {spelling} R26own");
        plant_conditions(&world.standin, "guestbook", &[("m", message, "")]);
        let server = world
            .call("get_argocd_app_status", json!({"app_name": "guestbook"}))
            .await
            .to_string();
        let plugin = plugin_status(&env).await;
        for (component, answer) in [("server", &server), ("plugin", &plugin)] {
            assert!(answer.contains("R26own"), "{component} {name}: {answer}");
            if answer.contains(part.as_str()) {
                println!("review26 {component} {name}: {answer}");
                shown.push(format!("{component} {name}"));
            }
        }
    }
    shown
}

/// `bytes` as `hexdump -C` writes them: 16 a line, two spaces after the eighth byte.
fn hexdump_c(bytes: &[u8]) -> String {
    let mut out = String::new();
    for (line, chunk) in bytes.chunks(16).enumerate() {
        out.push_str(&format!("{:08x}  ", line * 16));
        for (i, b) in chunk.iter().enumerate() {
            out.push_str(&format!("{b:02x} "));
            if i == 7 {
                out.push(' ');
            }
        }
        let ascii: String = chunk
            .iter()
            .map(|b| {
                if b.is_ascii_graphic() {
                    *b as char
                } else {
                    '.'
                }
            })
            .collect();
        out.push_str(&format!(" |{ascii}|\n"));
    }
    out
}

/// `bytes` as `xxd` writes them: 16 a line in groups of two, the text after two spaces.
fn xxd(bytes: &[u8]) -> String {
    let mut out = String::new();
    for (line, chunk) in bytes.chunks(16).enumerate() {
        out.push_str(&format!("{:08x}:", line * 16));
        for pair in chunk.chunks(2) {
            out.push(' ');
            for b in pair {
                out.push_str(&format!("{b:02x}"));
            }
        }
        let ascii: String = chunk
            .iter()
            .map(|b| {
                if b.is_ascii_graphic() {
                    *b as char
                } else {
                    '.'
                }
            })
            .collect();
        out.push_str(&format!("  {ascii}\n"));
    }
    out
}

fn hex_of(bytes: &[u8], sep: &str) -> String {
    bytes
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(sep)
}

/// S1: the password in a hex dump as `hexdump -C` and `xxd` write it: `hex_hidden_in` takes at
/// most one separator between bytes, and a dump's lines are not read across (offset and text
/// column between). `hexdump -C`'s two spaces after the eighth byte, or a line break, split
/// the secret's hex in two: neither part is taken out, and together they read back to it.
#[tokio::test]
async fn review26_finding_s1_the_password_in_a_hexdump_c_or_wrapped_xxd_is_shown() {
    let password = crate::PASSWORD;
    // `=` before it: the password crosses hexdump -C's middle gap on one line.
    let mut one_line = b"=".to_vec();
    one_line.extend_from_slice(password.as_bytes());
    let dump = hexdump_c(&one_line);
    let gapped = format!(
        "{}  {}",
        hex_of(&password.as_bytes()[..7], " "),
        hex_of(&password.as_bytes()[7..], " ")
    );
    assert!(dump.contains(&gapped), "{dump}");
    // Ten bytes before it: it crosses xxd's line break.
    let mut wrapped = b"body: pw: ".to_vec();
    wrapped.extend_from_slice(password.as_bytes());
    let dumped = xxd(&wrapped);
    let tail_hex: String = hex_of(&password.as_bytes()[6..], "");
    // The second line's first groups hold the password's bytes 6.. (`3363 7265 …`).
    let second = dumped.lines().nth(1).unwrap().to_owned();
    let second_hex = second[10..].split("  ").next().unwrap().replace(' ', "");
    assert!(tail_hex.starts_with(&second_hex), "{dumped}");
    let shown = own_secret_shown(
        password,
        &[
            ("hexdump -C, one line", dump.clone(), gapped.clone()),
            (
                "xxd, over two lines",
                dumped.clone(),
                second[10..30].to_owned(),
            ),
        ],
    )
    .await;
    assert!(
        shown.is_empty(),
        "the password recoverable: {shown:?}\n{dump}\n{dumped}"
    );
}

/// S2: a password holding `+`, `=`, `/` in a page written by PHP's `htmlentities(…, ENT_HTML5)`
/// (or any escaper using HTML5's named references): `&plus;`, `&equals;`, `&sol;`. `html_entity`
/// reads named entities other than the five as a character past ASCII, so the pattern of an
/// ASCII secret never matches.
#[tokio::test]
async fn review26_finding_s2_the_password_in_html5_named_entities_is_shown() {
    let password = "R26+pw=Kx7/Lm";
    let shown = own_secret_shown(
        password,
        &[
            (
                "php htmlentities ENT_HTML5",
                "<td>R26&plus;pw&equals;Kx7&sol;Lm</td>".into(),
                "pw&equals;Kx7&sol;Lm".into(),
            ),
            (
                "upper-case hex entities",
                "<td>R26&#X2B;pw&#X3D;Kx7&#X2F;Lm</td>".into(),
                "pw&#X3D;Kx7&#X2F;Lm".into(),
            ),
        ],
    )
    .await;
    assert!(shown.is_empty(), "the password recoverable: {shown:?}");
}

/// Held probes of today's own-secret spellings: `&#x00E4;`, `&AUML;`-style entities, a
/// surrogate pair for an astral character, a passphrase wrapped and escaped, `%C3%A4`, xxd on
/// one line, hex with colons.
#[tokio::test]
async fn review26_held_escaped_and_wrapped_own_secrets_are_taken_out() {
    let umlaut = "R26-p\u{e4}sswort-Zq9";
    let mut shown = own_secret_shown(
        umlaut,
        &[
            (
                "hex entity with zeros",
                "<td>R26-p&#x00E4;sswort-Zq9</td>".into(),
                "sswort-Zq9".into(),
            ),
            (
                "upper-case named entity",
                "<td>R26-p&Auml;sswort-Zq9</td>".into(),
                "sswort-Zq9".into(),
            ),
            (
                "percent-encoded",
                "GET /?pw=R26-p%C3%A4sswort-Zq9".into(),
                "sswort-Zq9".into(),
            ),
            (
                "double-escaped json",
                "{\\\"pw\\\": \\\"R26-p\\\\u00e4sswort-Zq9\\\"}".into(),
                "sswort-Zq9".into(),
            ),
        ],
    )
    .await;
    let astral = "R26-\u{1f600}-smile-Zq9";
    shown.extend(
        own_secret_shown(
            astral,
            &[(
                "surrogate pair",
                "{\"pw\": \"R26-\\ud83d\\ude00-smile-Zq9\"}".into(),
                "smile-Zq9".into(),
            )],
        )
        .await,
    );
    let phrase = "correct horse battery staple";
    shown.extend(
        own_secret_shown(
            phrase,
            &[
                (
                    "wrapped, escaped",
                    "{\"pw\": \"correct horse\\nbattery staple\"}".into(),
                    "battery staple".into(),
                ),
                (
                    "wrapped with CRLF and indent",
                    "pw: correct horse\r\n    battery staple".into(),
                    "battery staple".into(),
                ),
                (
                    "tab, escaped",
                    "{\"pw\": \"correct\\thorse battery staple\"}".into(),
                    "battery staple".into(),
                ),
            ],
        )
        .await,
    );
    let password = crate::PASSWORD;
    shown.extend(
        own_secret_shown(
            password,
            &[
                (
                    "xxd on one line",
                    xxd(format!("={password}").as_bytes()),
                    hex_of(&password.as_bytes()[2..8], ""),
                ),
                (
                    "colons, upper case",
                    hex_of(password.as_bytes(), ":").to_ascii_uppercase(),
                    hex_of(&password.as_bytes()[2..8], ":").to_ascii_uppercase(),
                ),
            ],
        )
        .await,
    );
    assert!(shown.is_empty(), "shown: {shown:?}");
}

/// Cost: 128 KB answers of shapes that make the own-secrets passes and the rules work (escapes,
/// entities, hex pairs, base64 with spaces, a passphrase's words), through the server and the
/// plugin: each answered, the time printed (about a second each on 2 cores; the suite holds no
/// timing assertions, which a busy machine fails: a rule gone quadratic shows as minutes here
/// and in the unit tests' long runs).
#[tokio::test]
async fn review26_held_a_128_kb_answer_is_scrubbed_quickly() {
    let phrase = "Adm1n horse s3cret pw";
    let world = crate::planting::world_with_password(phrase).await;
    let env = crate::planting::password_plugin_env(&world.standin, phrase);
    let fill = |unit: &str| unit.repeat(128 * 1024 / unit.len());
    let shapes = [
        ("hex pairs", fill("41 64 6d 31 6e ")),
        ("entities", fill("&#228;&auml;&#x41;")),
        ("escapes", fill("\\\\u00e4\\\\\\\\")),
        ("base64 spaced", fill("QWRt MW4g aG9y c2Ug ")),
        ("phrase words", fill("Adm1n horse s3cret\n  ")),
        ("percent", fill("%C3%A4%41%")),
        ("command words", fill("zip -rP x -P ")),
        ("anchors", fill("- *pw\n")),
        ("rabbit words", fill("rabbitmqctl add_user a b ")),
        ("mc words", fill("mc alias set a http://b c ")),
        ("anchor defs", fill("k: &a x\n*a ")),
        ("flow nesting", fill("[")),
        ("python parens", fill("PASSWORD = (\n")),
        ("folded headers", fill("Authorization:\n ")),
        ("backslashes", fill("\\")),
        ("entity starts", fill("&#")),
        ("hex one byte", fill("41 ")),
        ("cs verbatim", fill("password = @\"")),
    ];
    for (name, text) in shapes {
        let object = config_map("r26-big", json!({"big": text}));
        crate::planting::plant_live(&world, std::slice::from_ref(&object));
        let started = Instant::now();
        let (server, plugin) = crate::planting::read_live(&world, &env, &object).await;
        let took = started.elapsed();
        println!(
            "{}\n{}",
            &server[..300.min(server.len())],
            &plugin[..300.min(plugin.len())]
        );
        println!(
            "{name}: {took:?} ({} / {} bytes)",
            server.len(),
            plugin.len()
        );
        for answer in [&server, &plugin] {
            assert!(
                answer.contains("r26-big"),
                "{name}: not answered: {answer:.300}"
            );
        }
        world.standin.state().review_live.clear();
    }
}

// ---------------------------------------------------------------------------------------------
// Credential rules
// ---------------------------------------------------------------------------------------------

const PW: &str = "Zq9R26hunterPw";

fn script(name: &'static str, text: String) -> LiveShape {
    (
        name,
        config_map(
            &format!("r26-{}", name.replace([' ', '/', ','], "-")),
            json!({"run.sh": text}),
        ),
        &[PW],
    )
}

/// Neighbours of today's command rules (held): flag orders, `--`, quoting, `sudo`/`env`/`sh -c`
/// prefixes, an absolute path, `mc config host add`, ldap clusters, sibling tools.
#[tokio::test]
async fn review26_held_command_neighbours() {
    let shapes = vec![
        script(
            "sudo zip",
            format!("sudo -u backup zip -rP {PW} out.zip dir\n"),
        ),
        script("zip dashdash", format!("zip -r -P {PW} -- out.zip dir\n")),
        script("zip quoted", format!("zip -rP '{PW}' out.zip dir\n")),
        script("zip long", format!("zip --password {PW} out.zip dir\n")),
        script("zip long eq", format!("zip --password={PW} out.zip dir\n")),
        script("unzip qoP", format!("unzip -qoP {PW} in.zip\n")),
        script("unzip sep", format!("unzip -o -q -P {PW} in.zip\n")),
        script("7zr x", format!("7zr x -p{PW} a.7z\n")),
        script("7za", format!("7za a -p{PW} -mhe=on a.7z dir\n")),
        script(
            "lftp quoted",
            format!("lftp -u 'backup,{PW}' sftp://host\n"),
        ),
        script(
            "lftp e open",
            format!("lftp -e 'open -u backup,{PW} host; mirror'\n"),
        ),
        script("lftp after host", format!("lftp host -u backup,{PW}\n")),
        script(
            "lftp user flag",
            format!("lftp --user backup --password {PW} host\n"),
        ),
        script(
            "rabbit env",
            format!("env X=1 rabbitmqctl add_user admin {PW}\n"),
        ),
        script(
            "rabbit node",
            format!("rabbitmqctl -n rabbit@host add_user admin {PW}\n"),
        ),
        script(
            "rabbit quoted",
            format!("rabbitmqctl add_user \"admin\" \"{PW}\"\n"),
        ),
        script(
            "rabbit dashdash",
            format!("rabbitmqctl add_user -- admin {PW}\n"),
        ),
        script(
            "rabbit sudo",
            format!("sudo rabbitmqctl change_password admin {PW}\n"),
        ),
        script(
            "rabbit sh c",
            format!("sh -c \"rabbitmqctl add_user admin {PW}\"\n"),
        ),
        script(
            "rabbit abs",
            format!("/usr/sbin/rabbitmqctl add_user admin {PW}\n"),
        ),
        script(
            "mc config host",
            format!("mc config host add minio http://minio:9000 AKIAR26 {PW}\n"),
        ),
        script("ldap xw", format!("ldapsearch -xw {PW} -D cn=admin\n")),
        script(
            "ldapmodify cluster",
            format!("ldapmodify -xZw{PW} -D cn=admin -f x.ldif\n"),
        ),
        script(
            "mongofiles long",
            format!("mongofiles --password={PW} put f\n"),
        ),
        script(
            "mongofiles cluster",
            format!("mongofiles -u admin -p{PW} put f\n"),
        ),
        script("sshpass", format!("sshpass -p {PW} ssh host\n")),
        script("smbclient", format!("smbclient //h/s -U admin%{PW}\n")),
        script("htpasswd b", format!("htpasswd -bc /etc/h admin {PW}\n")),
        script(
            "openssl pass",
            format!("openssl enc -aes256 -pass pass:{PW} -in f\n"),
        ),
        script("mysql cluster", format!("mysql -uroot -hdb -p{PW}\n")),
    ];
    crate::planting::assert_none(leaks_in_live(&shapes).await);
}

/// C1: `mc alias set` with a flag before the alias (`--api S3v4`, as MinIO's docs write it),
/// the `mcli` name (Debian/Fedora packages), or wrapped over lines with `\`: the positional
/// SECRET is shown. `mc config host add` (the older spelling) is taken out.
#[tokio::test]
async fn review26_finding_c1_mc_alias_with_a_flag_mcli_or_continued_lines_is_shown() {
    let shapes = vec![
        script(
            "mc api flag",
            format!("mc alias set --api S3v4 minio http://minio:9000 AKIAR26 {PW}\n"),
        ),
        script(
            "mcli",
            format!("mcli alias set minio http://minio:9000 AKIAR26 {PW}\n"),
        ),
        script(
            "mc continued",
            format!("mc alias set minio \\\n  http://minio:9000 \\\n  AKIAR26 \\\n  {PW}\n"),
        ),
    ];
    crate::planting::assert_none(leaks_in_live(&shapes).await);
}

/// C2: `rabbitmqctl add_user` with its arguments on continued lines (`\` then a line break),
/// as scripts in ConfigMaps are written: the positional password is shown.
#[tokio::test]
async fn review26_finding_c2_rabbitmqctl_over_continued_lines_is_shown() {
    let shapes = vec![script(
        "rabbit continued",
        format!("rabbitmqctl add_user \\\n  admin \\\n  {PW}\n"),
    )];
    crate::planting::assert_none(leaks_in_live(&shapes).await);
}

/// C3: a black-wrapped Python literal with a comment after the opening parenthesis
/// (`DB_PASSWORD = (  # db`): the literal on the next line is shown.
#[tokio::test]
async fn review26_finding_c3_python_wrapped_literal_after_a_comment_is_shown() {
    let shapes = vec![(
        "python black comment",
        config_map(
            "r26-py-comment",
            json!({"settings.py": format!("DB_PASSWORD = (  # db\n    \"{PW}\"\n)\n")}),
        ),
        &[PW] as &[&str],
    )];
    crate::planting::assert_none(leaks_in_live(&shapes).await);
}

/// C4 (low): `ldappasswd -s NEWPW` (the new password set for a user; `-w` beside it is taken
/// out) is shown.
#[tokio::test]
async fn review26_finding_c4_ldappasswd_new_password_is_shown() {
    let shapes = vec![script(
        "ldappasswd s",
        format!("ldappasswd -x -D cn=admin -w x -s {PW} uid=bob\n"),
    )];
    crate::planting::assert_none(leaks_in_live(&shapes).await);
}

/// Held: command lists (a container's command and args), a window past 300 options, anchors
/// beyond 2048 bytes... as planted below; and Python/C# literal shapes of today.
#[tokio::test]
async fn review26_held_lists_anchors_literals() {
    let deployment = |name: &'static str, command: Value, args: Value| -> LiveShape {
        (
            name,
            json!({"apiVersion": "apps/v1", "kind": "Deployment",
                   "metadata": {"name": format!("r26-{}", name.replace(' ', "-")), "namespace": "guestbook"},
                   "spec": {"template": {"spec": {"containers": [{"name": "c", "image": "x", "command": command, "args": args}]}}}}),
            &[PW],
        )
    };
    let pad: Vec<Value> = (0..300).map(|i| json!(format!("--opt-{i}"))).collect();
    let mut padded = pad.clone();
    padded.extend([
        json!("rabbitmqctl"),
        json!("add_user"),
        json!("admin"),
        json!(PW),
    ]);
    let anchors = |name: &'static str, text: String| -> LiveShape {
        (
            name,
            config_map(
                &format!("r26-{}", name.replace(' ', "-")),
                json!({"values.yaml": text}),
            ),
            &[PW],
        )
    };
    let big_pad: String = (0..120)
        .map(|i| format!("  - item-number-{i:04}\n"))
        .collect();
    let shapes = vec![
        deployment(
            "sh c zip",
            json!(["sh", "-c"]),
            json!([format!("zip -rP {PW} /b.zip /data")]),
        ),
        deployment(
            "rabbit list",
            json!(["rabbitmqctl"]),
            json!(["add_user", "admin", PW]),
        ),
        deployment(
            "rabbit env list",
            json!(["env", "X=1", "rabbitmqctl", "add_user", "admin", PW]),
            json!([]),
        ),
        deployment(
            "mc list",
            json!(["mc"]),
            json!(["alias", "set", "m", "http://x", "AKIAR26", PW]),
        ),
        deployment("long pad", Value::Array(padded), json!([])),
        deployment(
            "lftp list",
            json!(["lftp", "-u"]),
            json!([format!("backup,{PW}"), "host"]),
        ),
        deployment("zip list", json!(["zip", "-rP", PW]), json!([])),
        anchors(
            "owner far",
            format!("common: &pw {PW}\npasswords:\n{big_pad}  - *pw\n"),
        ),
        anchors(
            "merge key",
            format!("base: &b {{password: {PW}}}\ndb:\n  <<: *b\n"),
        ),
        anchors(
            "alias in flow map",
            format!("common: &pw {PW}\ndb: {{password: *pw}}\n"),
        ),
        anchors(
            "alias tagged",
            format!("common: &pw !!str {PW}\npasswords:\n  - *pw\n"),
        ),
        anchors(
            "python black",
            format!("DB_PASSWORD = (\n    \"{PW}\"\n)\n"),
        ),
        anchors(
            "python fstring",
            format!("DB_PASSWORD = (\n    f\"{PW}\"\n)\n"),
        ),
        anchors("csharp verbatim", format!("var password = @\"{PW}\";\n")),
        anchors(
            "csharp interp verbatim",
            format!("var password = $@\"{PW}\";\n"),
        ),
        anchors("csharp raw", format!("var password = \"\"\"{PW}\"\"\";\n")),
        anchors("folded header", format!("Authorization: Basic\n  {PW}\n")),
        anchors("folded header tab", format!("X-Api-Key:\n\t{PW}\n")),
        anchors(
            "curl folded",
            format!("curl -H 'Authorization: Bearer\n {PW}' http://x\n"),
        ),
    ];
    crate::planting::assert_none(leaks_in_live(&shapes).await);
}
