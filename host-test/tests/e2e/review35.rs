//! Thirty-fifth hostile review (issue 19), fresh context, time box 20 minutes: the three
//! fixes of review34 (logs filter oracle, label selector oracle, single-source `revisions`).
//!
//! Findings (each `review35_finding_*` asserts the secure behaviour, was seen failing, and is
//! ignored until fixed):
//!
//! Fixed in session 22 (its test runs): S1 (`check_selector` ends a key where Kubernetes'
//! lexer does, at `= ! ( ) < > ,` or any ASCII blank, and judges the whole key and its last
//! part).
//!
//! - S1 (medium, selector oracle, both components; `src/tools/arguments.rs` `check_selector`)
//!   the key of a requirement is cut at `=`, `!`, `(`, space or tab only. Kubernetes' selector
//!   lexer (apimachinery `labels/selector.go`) also ends a key at `>` and `<` (the `gt`/`lt`
//!   operators, integer values) and treats `\r` and `\n` as whitespace. So `otp>123455` is
//!   judged as the "key" `otp>123455`, whose last word is `123455`, and `session\nin\n(guess)`
//!   as `session\nin\n`, whose last word is `in`: `names_a_credential` decides labels like
//!   `otp`, `session`, `jwt`, `sig`, `hmac` (credential by their LAST word only,
//!   `names_a_credential_value`) by that last word, so they pass and Argo CD evaluates them
//!   against the hidden value: an exact-match oracle (`\n`-spaced `in`) and a binary search on a
//!   numeric one (`>`/`<`), e.g. a TOTP label. (Names with `password`/`token`/`secret` inside
//!   are still refused, since those match anywhere in the string; `names_a_place` would also
//!   let through anything whose overlong "key" ended in a place word.) Repro:
//!   `list_argocd_apps {selector: "otp>5"}` or `{selector: "session\nin\n(x)"}`: the request
//!   reaches Argo CD with that selector (seen failing on both components, 11 cases; the
//!   stand-in's own selector parser answers `otp>5` with a 500, which real Kubernetes parses
//!   as `gt` — the test asserts on what was sent, so it holds either way). Fix: tokenise as Kubernetes does — the key ends at
//!   any of `= ! ( ) , < >` or any ASCII whitespace (`' ' \t \r \n`); better still, refuse a
//!   selector holding anything but `[A-Za-z0-9._/-]`, the operators and single spaces, and
//!   judge the key with `names_a_credential` as well as by its last `/` part.
//!
//! Held (`review35_held_*`): selector variants with the key cut properly (`==`, `!=`, `in`,
//! `notin`, `!key`, tabs, `  in(x)`, uppercase, a prefix, empty requirements, `key=`, a
//! `\n`-spaced `in` on a `password` label, an `in` list before it); the logs filter and its
//! `!` inversion give the same lines and `received` for the right and a wrong password; a
//! single-source sync's `revisions` refused with `spec.sources: []`, with `revision: ""`
//! beside it, through the plugin export; whitespace `revision` is pinned; `dry_run` sends
//! no pin and judges nothing (as designed: a dry run deploys nothing).
//!
//! Not reached: a length oracle through the 8 MiB stream cap / 1 MiB frame cap in
//! `read_stream` (the cut falls by RAW bytes, so `received` near the cap depends on the
//! hidden secret's raw length — low, needs ~8 MiB of logs; suggested fix: count the cap in
//! lines, or say only "cut" without exposing where); `warnings` (pod-less entries) are not
//! scrubbed in `parse_stream` itself (presumably by the answer scrubber — not verified);
//! multi-source apps are not pinned (documented design); the app read by the guard vs the app
//! at sync time (a concurrent change to `spec.sources`).

use serde_json::json;

use crate::harness;
use crate::planting::{payments_sync_bodies, plugin_env, selector_requests, without_auto_sync};

/// S1: a key cut at `>`/`<`/`\n` by Kubernetes but not by `check_selector`.
#[tokio::test]
async fn review35_finding_s1_selector_key_cut_at_gt_lt_newline() {
    let mut found = Vec::new();
    for selector in [
        "otp>5",
        "otp<999999",
        "session\nin\n(guess)",
        "jwt\r\nnotin\n(x)",
        "a/hmac>0",
    ] {
        for tool in ["list_argocd_apps", "list_argocd_applicationsets"] {
            let world = crate::World::new().await;
            let result = world.call(tool, json!({"selector": selector})).await;
            let text = result["content"][0]["text"]
                .as_str()
                .unwrap_or("")
                .to_owned();
            let sent = selector_requests(&world);
            if !text.contains("Select by other labels") || !sent.is_empty() {
                found.push(format!(
                    "server {tool} {selector:?}: not refused, sent {sent:?}"
                ));
            }
        }
    }
    let world = crate::World::new().await;
    let (plugin, mut store) = harness().plugin(&plugin_env(&world.standin)).await.unwrap();
    let answer = plugin
        .call_list_argocd_apps(
            &mut store,
            None,
            None,
            None,
            None,
            Some("otp>5"),
            None,
            None,
            None,
            None,
        )
        .await
        .expect("the plugin answers");
    if answer.is_ok() || !selector_requests(&world).is_empty() {
        found.push(format!(
            "plugin otp>5: {answer:?}, sent {:?}",
            selector_requests(&world)
        ));
    }
    crate::planting::assert_none(found);
}

/// Held: selector spellings whose key is cut where Kubernetes cuts it are refused.
#[tokio::test]
async fn review35_held_selector_variants_are_refused() {
    let world = crate::World::new().await;
    for selector in [
        "db-password==v",
        "db-password!=v",
        "db-password in (x)",
        "db-password notin (x)",
        "!db-password",
        "! db-password",
        "\tdb-password\t=\tx",
        "db-password  in(x)",
        "DB-PASSWORD=x",
        "a.b/db-password=x",
        ",,db-password=x",
        "db-password=",
        "db-password\nin\n(x)",
        "team in (a,b),db-password=x",
        "team=a , otp=1",
        "x.io/session=abc",
        "jwt",
    ] {
        let refused = world
            .tool_error("list_argocd_apps", json!({"selector": selector}))
            .await;
        assert!(
            refused.contains("Select by other labels"),
            "{selector:?}: {refused}"
        );
    }
    assert!(
        selector_requests(&world).is_empty(),
        "{:?}",
        selector_requests(&world)
    );
    // Reached: an ordinary selector does go to Argo CD.
    world
        .ok(
            "list_argocd_apps",
            json!({"selector": "team in (payments)"}),
        )
        .await;
    assert_eq!(selector_requests(&world).len(), 1);
}

/// A world seeded with credentials everywhere the stand-in knows.
async fn seeded_world() -> crate::World {
    crate::World::with(
        host_test::standin::Config {
            seed_credentials: true,
            ..host_test::standin::Config::default()
        },
        &[
            ("argocd_username", "admin"),
            ("argocd_password", crate::PASSWORD),
        ],
    )
    .await
}

/// Held: with the true password and a wrong one, plain and inverted with `!`, and with small
/// byte budgets, the answers' lines, `received` and `truncated` are the same.
#[tokio::test]
async fn review35_held_log_filter_and_inversion_are_no_oracle() {
    use host_test::standin::credentials::LOG_PASSWORD;
    let world = seeded_world().await;
    let right = format!("postgres://app:{LOG_PASSWORD}@");
    let mut wrong = format!("postgres://app:{LOG_PASSWORD}");
    wrong.pop();
    wrong.push_str("X@");
    let ask = |filter: String, max_bytes: Option<usize>| {
        let world = &world;
        async move {
            let mut args = json!({"app_name": "vault-app", "kind": "Deployment",
                "resource_name": "vault-app", "filter": filter, "tail_lines": 10000});
            if let Some(b) = max_bytes {
                args["max_bytes"] = json!(b);
            }
            let answer = world.ok("get_argocd_app_logs", args).await;
            (
                answer["lines"].clone(),
                answer["received"].clone(),
                answer["truncated"].clone(),
            )
        }
    };
    for (r, w) in [
        (right.clone(), wrong.clone()),
        (format!("!{right}"), format!("!{wrong}")),
        (right.to_uppercase(), wrong.to_uppercase()),
    ] {
        for budget in [None, Some(256)] {
            assert_eq!(
                ask(r.clone(), budget).await,
                ask(w.clone(), budget).await,
                "{r} / {budget:?}"
            );
        }
    }
    // Reached: the seeded line is kept by what it shows, and `!` drops it.
    let (shown, _, _) = ask("db.internal".into(), None).await;
    assert!(!shown.as_array().unwrap().is_empty(), "{shown}");
    assert!(!shown.to_string().contains(LOG_PASSWORD));
    let (inverted, _, _) = ask("!db.internal".into(), None).await;
    assert!(!inverted.to_string().contains("db.internal"), "{inverted}");
    // `filter` never reaches Argo CD.
    assert!(
        world
            .standin
            .requests()
            .iter()
            .all(|r| !r.path.contains("filter=")),
        "filter sent"
    );
}

async fn payments_alone() -> crate::World {
    let mut world = crate::World::new().await;
    world.set("allowed_projects", "payments");
    without_auto_sync(world)
}

/// Held: `revisions` on a single-source app refused however spelled; a whitespace revision is
/// pinned to the judged commit; a dry run is sent unpinned (deploys nothing).
#[tokio::test]
async fn review35_held_single_source_revisions_refused() {
    let judged = host_test::standin::fleet::commit("payments@HEAD");
    for (label, args, empty_sources) in [
        (
            "plain",
            json!({"revisions": ["main"], "source_positions": [1]}),
            false,
        ),
        (
            "sources: []",
            json!({"revisions": ["main"], "source_positions": [1]}),
            true,
        ),
        (
            "revision empty too",
            json!({"revision": "", "revisions": ["main"], "source_positions": [1]}),
            false,
        ),
        (
            "revision blank too",
            json!({"revision": "  ", "revisions": [""], "source_positions": [1]}),
            false,
        ),
    ] {
        let world = payments_alone().await;
        if empty_sources {
            world.standin.state().apps.get_mut("payments").unwrap().app["spec"]["sources"] =
                json!([]);
        }
        let mut call = args.clone();
        call["app_name"] = json!("payments");
        call["confirm"] = json!(true);
        let refused = world.tool_error("sync_argocd_app", call).await;
        assert!(
            refused.contains("one source") || refused.contains("not both"),
            "{label}: {refused}"
        );
        assert!(
            payments_sync_bodies(&world).is_empty(),
            "{label}: {:?}",
            payments_sync_bodies(&world)
        );
    }
    // A blank revision: pinned to the judged commit.
    let world = payments_alone().await;
    world
        .ok(
            "sync_argocd_app",
            json!({"app_name": "payments", "revision": " \t", "confirm": true}),
        )
        .await;
    let bodies = payments_sync_bodies(&world);
    assert_eq!(bodies.len(), 1);
    assert_eq!(
        bodies[0]["revision"].as_str(),
        Some(judged.as_str()),
        "{bodies:?}"
    );

    // The plugin export with `sources: []`.
    let world = payments_alone().await;
    world.standin.state().apps.get_mut("payments").unwrap().app["spec"]["sources"] = json!([]);
    let mut env = plugin_env(&world.standin);
    env.env
        .push(("ARGOCD_ALLOWED_PROJECTS".into(), "payments".into()));
    let (plugin, mut store) = harness().plugin(&env).await.unwrap();
    let answer = plugin
        .call_sync_argocd_app(
            &mut store,
            "payments",
            None,
            Some(&["main".to_owned()]),
            Some(&[1]),
            None,
            None,
            None,
            None,
            None,
            None,
            true,
            None,
        )
        .await
        .expect("the plugin answers");
    let refused = answer.expect_err("the plugin refuses");
    assert!(refused.contains("one source"), "{refused}");
    assert!(payments_sync_bodies(&world).is_empty());
}
