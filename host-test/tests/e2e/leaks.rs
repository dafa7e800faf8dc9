//! No credential in any answer: a stand-in seeded with credentials in every place Argo CD can
//! hold them (`host_test::standin::credentials`), and every tool called at the seeded apps
//! through both shipped components. Each answer (result or error, text and structured) is
//! searched for every seeded secret; the places they were seeded must show up scrubbed or
//! masked, so a sweep that saw nothing cannot pass.

use std::collections::BTreeSet;

use host_test::embed::HostEnv;
use host_test::standin::{Config, StandIn, credentials};
use serde_json::{Value, json};

use crate::{PASSWORD, World, harness};

async fn seeded_world() -> World {
    World::with(
        Config {
            seed_credentials: true,
            ..Config::default()
        },
        &[("argocd_username", "admin"), ("argocd_password", PASSWORD)],
    )
    .await
}

/// Every tool, aimed where the credentials are; changes last, the deletions at the very end.
fn sweep() -> Vec<(&'static str, Value)> {
    let child = |kind: &str| json!({"app_name": "vault-app", "kind": kind, "resource_name": "vault-app-child", "group": "argoproj.io", "version": "v1alpha1", "namespace": "argocd", "full": true});
    let mut preview = credentials::applicationset();
    preview["spec"]["generators"] =
        json!([{"list": {"elements": [{"env": "dev"}, {"env": "prod"}]}}]);
    vec![
        (
            "get_argocd_app_status",
            json!({"app_name": "vault-app", "include_resources": true}),
        ),
        (
            "get_argocd_app_status",
            json!({"app_name": "vault-multi", "include_resources": true}),
        ),
        ("list_argocd_apps", json!({"limit": 500})),
        ("list_argocd_app_history", json!({"app_name": "vault-app"})),
        (
            "list_argocd_app_history",
            json!({"app_name": "vault-multi"}),
        ),
        (
            "refresh_argocd_app",
            json!({"app_name": "vault-app", "hard": true}),
        ),
        (
            "get_argocd_app_resource_tree",
            json!({"app_name": "vault-app", "limit": 1000}),
        ),
        ("get_argocd_app_events", json!({"app_name": "vault-app"})),
        (
            "get_argocd_app_logs",
            json!({"app_name": "vault-app", "kind": "Deployment", "resource_name": "vault-app"}),
        ),
        (
            "get_argocd_app_diff",
            json!({"app_name": "vault-app", "include_unchanged": true}),
        ),
        (
            "get_argocd_app_manifests",
            json!({"app_name": "vault-app", "include_objects": true}),
        ),
        (
            "get_argocd_app_manifests",
            json!({"app_name": "vault-multi", "include_objects": true}),
        ),
        ("get_argocd_resource", child("Application")),
        ("get_argocd_resource", child("ApplicationSet")),
        (
            "get_argocd_resource",
            json!({"app_name": "vault-app", "kind": "Secret", "resource_name": "vault-app", "version": "v1", "full": true}),
        ),
        (
            "get_argocd_resource",
            json!({"app_name": "vault-app", "kind": "Deployment", "resource_name": "vault-app", "group": "apps", "version": "v1", "full": true}),
        ),
        (
            "get_argocd_resource",
            json!({"app_name": "vault-app", "kind": "ConfigMap", "resource_name": "vault-app", "version": "v1", "full": true}),
        ),
        (
            "list_argocd_resource_actions",
            json!({"app_name": "vault-app", "kind": "Application", "resource_name": "vault-app-child", "group": "argoproj.io", "version": "v1alpha1", "namespace": "argocd"}),
        ),
        (
            "get_argocd_revision_metadata",
            json!({"app_name": "vault-app", "revision": "feature-x"}),
        ),
        ("get_argocd_sync_windows", json!({"app_name": "vault-app"})),
        ("list_argocd_app_links", json!({"app_name": "vault-app"})),
        ("list_argocd_applicationsets", json!({})),
        ("get_argocd_applicationset", json!({"name": "vault-envs"})),
        (
            "preview_argocd_applicationset",
            json!({"applicationset": preview}),
        ),
        (
            "wait_for_argocd_operation",
            json!({"app_name": "vault-app", "timeout_seconds": 2}),
        ),
        ("get_argocd_server_info", json!({})),
        (
            "can_i_argocd",
            json!({"resource": "applications", "action": "get", "object": "default/vault-app"}),
        ),
        ("list_argocd_projects", json!({})),
        ("get_argocd_project", json!({"name": "default"})),
        ("list_argocd_clusters", json!({})),
        ("get_argocd_cluster", json!({"cluster": "in-cluster"})),
        ("list_argocd_repositories", json!({"limit": 500})),
        (
            "sync_argocd_app",
            json!({"app_name": "vault-multi", "confirm": true, "wait": true, "timeout_seconds": 20}),
        ),
        (
            "rollback_argocd_app",
            json!({"app_name": "vault-app", "history_id": 0, "dry_run": true, "confirm": true}),
        ),
        (
            "terminate_argocd_operation",
            json!({"app_name": "vault-app", "confirm": true}),
        ),
        (
            "run_argocd_resource_action",
            json!({"app_name": "vault-app", "kind": "Application", "resource_name": "vault-app-child", "group": "argoproj.io", "version": "v1alpha1", "namespace": "argocd", "action": "refresh", "confirm": true}),
        ),
        (
            "create_argocd_app",
            json!({"name": "leak-new", "project": "default", "repo_url": format!("https://deploybot:{}@git.example.com/platform/new.git", credentials::REPO_TOKEN), "path": "deploy", "dest_namespace": "leak-new", "confirm": true}),
        ),
        (
            "patch_argocd_app",
            json!({"app_name": "vault-multi", "patch": {"metadata": {"labels": {"checked": "yes"}}}, "confirm": true}),
        ),
        (
            "delete_argocd_resource",
            json!({"app_name": "vault-app", "kind": "ApplicationSet", "resource_name": "vault-app-child", "group": "argoproj.io", "version": "v1alpha1", "namespace": "argocd", "confirm": true}),
        ),
        (
            "delete_argocd_app",
            json!({"app_name": "leak-new", "cascade": false, "confirm": true}),
        ),
    ]
}

/// What the seeded places look like once cleaned: each must appear somewhere in the answers.
const SCRUBBED_EVIDENCE: [&str; 23] = [
    // Repository URLs of sources, history and the repository list, without their userinfo.
    "https://git.example.com/platform/vault-app.git",
    "https://git.example.com/platform/vault-multi-values.git",
    // The child Application read as an object: Helm values, parameters and plugin env masked.
    "apiKey: ***",
    "\"value\":\"***\"",
    // Conditions, errors, events, logs and the generator's URL, scrubbed but kept.
    "repository 'https://git.example.com/platform/vault-app.git' not accessible",
    "authentication required: https://git.example.com/platform/vault-app.git",
    "Unable to fetch https://git.example.com/platform/vault-app.git",
    "dsn=postgres://db.internal:5432/app",
    // Values text (with its continued scalar and explicit key); a plugin map parameter; the
    // child ApplicationSet's list elements and clusters values.
    "passphrase: ***",
    "\"db.password\":\"***\"",
    "\"dbPassword\":\"***\"",
    "\"vaultToken\":\"***\"",
    // Log lines: JSON-escaped, query token, Authorization header, `/` in a password, a URL
    // percent-encoded in another.
    "json-log.example.com",
    "access_token=***",
    "Authorization: ***",
    "from=https://mirror.example.com/charts",
    "next=https%3A%2F%2Fci.example.com%2Fjob",
    "https://git.example.com/platform/vault.git envs/dev",
    // A workload's env and a ConfigMap's entry and file; a Helm command's flag; a log line's
    // `KEY: value` and scp-like address.
    "\"name\":\"DB_PASSWORD\",\"value\":\"***\"",
    "\"SMTP_PASSWORD\":\"***\"",
    "--password ***",
    "DB_PASSWORD: ***",
    "mirror git.example.com:platform/charts.git",
];

fn assert_clean(tool: &str, answer: &str) {
    for secret in credentials::SECRETS {
        assert!(
            !answer.contains(secret),
            "{tool} answered {secret}:\n{answer}"
        );
    }
    assert!(
        !answer.contains(credentials::MARK),
        "{tool} answered a seeded secret:\n{answer}"
    );
}

fn assert_every_tool_swept(swept: &BTreeSet<&str>) {
    let all: BTreeSet<&str> = argocd_mcp::tools::definitions(false)
        .iter()
        .map(|d| d.name)
        .collect();
    assert_eq!(&all, swept, "the sweep must call every tool");
}

fn assert_seeding_reached_the_answers(transcript: &str) {
    for evidence in SCRUBBED_EVIDENCE {
        // Answers quote JSON in text blocks: compare without the escaping.
        let unescaped = transcript.replace("\\\"", "\"");
        assert!(
            unescaped.contains(evidence),
            "the answers never showed {evidence:?}: the seeding or the sweep missed a place"
        );
    }
}

/// The stand-in does hold the credentials: what the sweep finds missing was removed by us.
fn assert_standin_holds_them(standin: &StandIn) {
    let app = standin.app("vault-app").unwrap().to_string();
    for secret in [
        credentials::REPO_TOKEN,
        credentials::VALUES_PASSWORD,
        credentials::PARAMETER_PASSWORD,
        credentials::CONDITION_TOKEN,
        credentials::OPERATION_TOKEN,
    ] {
        assert!(app.contains(secret), "the stand-in lost {secret}");
    }
}

#[tokio::test]
async fn no_credential_in_any_answer_of_the_server() {
    let world = seeded_world().await;
    assert_standin_holds_them(&world.standin);
    let mut swept = BTreeSet::new();
    let mut transcript = String::new();
    for (tool, arguments) in sweep() {
        let answer = world.call(tool, arguments).await.to_string();
        assert_clean(tool, &answer);
        swept.insert(tool);
        transcript.push_str(&answer);
    }
    assert_every_tool_swept(&swept);
    assert_seeding_reached_the_answers(&transcript);
    let logs = world.stderr();
    assert_clean("the server's log", &logs);
}

/// The plugin's typed export for `tool`, called with the sweep's JSON arguments.
async fn plugin_call(env: &HostEnv, tool: &str, a: &Value) -> Result<String, String> {
    let (p, mut s) = harness().plugin(env).await.unwrap();
    let s = &mut s;
    let text = |k: &str| a[k].as_str().map(str::to_owned);
    let req = |k: &str| a[k].as_str().unwrap_or_default().to_owned();
    let flag = |k: &str| a[k].as_bool();
    let number = |k: &str| a[k].as_u64().map(|n| n as u32);
    let app = req("app_name");
    let ns = text("namespace");
    let group = text("group");
    let version = text("version");
    let call = match tool {
        "get_argocd_app_status" => {
            p.call_get_argocd_app_status(s, &app, flag("include_resources"), None, None)
                .await
        }
        "list_argocd_apps" => {
            p.call_list_argocd_apps(
                s,
                None,
                None,
                None,
                None,
                None,
                None,
                number("limit"),
                None,
                None,
            )
            .await
        }
        "list_argocd_app_history" => p.call_list_argocd_app_history(s, &app, None, None).await,
        "refresh_argocd_app" => {
            p.call_refresh_argocd_app(s, &app, flag("hard"), None, None)
                .await
        }
        "get_argocd_app_resource_tree" => {
            p.call_get_argocd_app_resource_tree(
                s,
                &app,
                None,
                None,
                number("limit"),
                None,
                None,
                None,
            )
            .await
        }
        "get_argocd_app_events" => {
            p.call_get_argocd_app_events(s, &app, None, None, None, None, None, None)
                .await
        }
        "get_argocd_app_logs" => {
            p.call_get_argocd_app_logs(
                s,
                &app,
                None,
                text("kind").as_deref(),
                text("resource_name").as_deref(),
                None,
                None,
                None,
                None,
                None,
                None,
                None,
                None,
                None,
                None,
            )
            .await
        }
        "get_argocd_app_diff" => {
            p.call_get_argocd_app_diff(
                s,
                &app,
                None,
                None,
                flag("include_unchanged"),
                None,
                None,
                None,
            )
            .await
        }
        "get_argocd_app_manifests" => {
            p.call_get_argocd_app_manifests(
                s,
                &app,
                None,
                None,
                None,
                flag("include_objects"),
                None,
                None,
                None,
            )
            .await
        }
        "get_argocd_resource" => {
            p.call_get_argocd_resource(
                s,
                &app,
                &req("kind"),
                &req("resource_name"),
                ns.as_deref(),
                group.as_deref(),
                version.as_deref(),
                flag("full"),
                None,
                None,
            )
            .await
        }
        "list_argocd_resource_actions" => {
            p.call_list_argocd_resource_actions(
                s,
                &app,
                &req("kind"),
                &req("resource_name"),
                ns.as_deref(),
                group.as_deref(),
                version.as_deref(),
                None,
                None,
            )
            .await
        }
        "get_argocd_revision_metadata" => {
            p.call_get_argocd_revision_metadata(s, &app, &req("revision"), None, None, None)
                .await
        }
        "get_argocd_sync_windows" => p.call_get_argocd_sync_windows(s, &app, None, None).await,
        "list_argocd_app_links" => p.call_list_argocd_app_links(s, &app, None, None).await,
        "list_argocd_applicationsets" => {
            p.call_list_argocd_applicationsets(s, None, None, None, None, None)
                .await
        }
        "get_argocd_applicationset" => {
            p.call_get_argocd_applicationset(s, &req("name"), None, None)
                .await
        }
        "preview_argocd_applicationset" => {
            p.call_preview_argocd_applicationset(s, &a["applicationset"].to_string(), None)
                .await
        }
        "wait_for_argocd_operation" => {
            p.call_wait_for_argocd_operation(s, &app, number("timeout_seconds"), None, None)
                .await
        }
        "get_argocd_server_info" => p.call_get_argocd_server_info(s, None).await,
        "can_i_argocd" => {
            p.call_can_i_argocd(s, &req("resource"), &req("action"), &req("object"), None)
                .await
        }
        "list_argocd_projects" => p.call_list_argocd_projects(s, None, None, None).await,
        "get_argocd_project" => p.call_get_argocd_project(s, &req("name"), None).await,
        "list_argocd_clusters" => p.call_list_argocd_clusters(s, None, None, None).await,
        "get_argocd_cluster" => p.call_get_argocd_cluster(s, &req("cluster"), None).await,
        "list_argocd_repositories" => {
            // (limit, offset, profile)
            p.call_list_argocd_repositories(s, number("limit"), None, None)
                .await
        }
        "sync_argocd_app" => {
            p.call_sync_argocd_app(
                s,
                &app,
                None,
                None,
                None,
                None,
                None,
                None,
                None,
                flag("wait"),
                number("timeout_seconds"),
                true,
                None,
            )
            .await
        }
        "rollback_argocd_app" => {
            p.call_rollback_argocd_app(
                s,
                &app,
                a["history_id"].as_i64().unwrap(),
                None,
                flag("dry_run"),
                None,
                None,
                None,
                true,
                None,
            )
            .await
        }
        "terminate_argocd_operation" => {
            p.call_terminate_argocd_operation(s, &app, None, true, None)
                .await
        }
        "run_argocd_resource_action" => {
            p.call_run_argocd_resource_action(
                s,
                &app,
                &req("kind"),
                &req("resource_name"),
                ns.as_deref(),
                group.as_deref(),
                version.as_deref(),
                None,
                &req("action"),
                true,
                None,
            )
            .await
        }
        "create_argocd_app" => {
            p.call_create_argocd_app(
                s,
                &req("name"),
                &req("project"),
                &req("repo_url"),
                text("path").as_deref(),
                None,
                None,
                None,
                None,
                &req("dest_namespace"),
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
        }
        "patch_argocd_app" => {
            p.call_patch_argocd_app(s, &app, &a["patch"].to_string(), None, true, None)
                .await
        }
        "delete_argocd_resource" => {
            p.call_delete_argocd_resource(
                s,
                &app,
                &req("kind"),
                &req("resource_name"),
                ns.as_deref(),
                group.as_deref(),
                version.as_deref(),
                None,
                None,
                None,
                true,
                None,
            )
            .await
        }
        "delete_argocd_app" => {
            p.call_delete_argocd_app(
                s,
                &app,
                flag("cascade").unwrap_or(false),
                None,
                None,
                true,
                None,
            )
            .await
        }
        other => panic!("the plugin sweep has no call for {other}"),
    };
    call.expect("the plugin answers")
}

#[tokio::test]
async fn no_credential_in_any_answer_of_the_plugin() {
    let standin = StandIn::start(Config {
        seed_credentials: true,
        ..Config::default()
    })
    .await
    .unwrap();
    assert_standin_holds_them(&standin);
    let env = HostEnv {
        env: vec![
            ("ARGOCD_URL".into(), "https://argocd.example.com".into()),
            ("ARGOCD_TOKEN".into(), standin.api_token("admin", None)),
        ],
        redirect: Some(standin.addr),
        ..HostEnv::default()
    };
    let mut swept = BTreeSet::new();
    let mut transcript = String::new();
    for (tool, arguments) in sweep() {
        let answer = match plugin_call(&env, tool, &arguments).await {
            Ok(answer) | Err(answer) => answer,
        };
        assert_clean(tool, &answer);
        swept.insert(tool);
        transcript.push_str(&answer);
    }
    assert_every_tool_swept(&swept);
    assert_seeding_reached_the_answers(&transcript);
}
