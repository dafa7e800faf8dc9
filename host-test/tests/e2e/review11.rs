//! Eleventh hostile review: credentials in fields of Argo CD's own kinds no earlier test seeds
//! (Kustomize patches and annotations, Helm and plugin parameters that pair a name with a value
//! across two entries, value files, managed namespace metadata, jq expressions, Jsonnet), read
//! back through every tool that shows an Application and through the approval question; a
//! cluster and repositories with credentials where Argo CD quotes them; a private key logged
//! line by line. A test named `review11_finding_*` asserts nothing leaks where the review
//! found a breach (issue 19; all fixed since); the others held.
//!
//! Found: a JSON6902 operation's `value` under a `path` naming a credential
//! (`/stringData/password`), as YAML or JSON text (an Application's Kustomize patch, a Flux
//! Kustomization) or as objects (Flux `patchesJson6902`); Helm's `env[0].name=DB_PASSWORD` /
//! `env[0].value=…` given as two Helm or plugin parameters, or as two keys of a map; a jq
//! expression in `ignoreDifferences` comparing `.data.password` with its value. Each is shown by
//! `get_argocd_resource` (both components) and the Application ones by `patch_argocd_app`'s
//! approval question.

use serde_json::{Value, json};

use crate::World;
use crate::planting::LiveShape;

fn destination() -> Value {
    json!({"server": "https://kubernetes.default.svc", "namespace": "child"})
}

fn app(name: &str, source: Value) -> Value {
    json!({"apiVersion": "argoproj.io/v1alpha1", "kind": "Application",
           "metadata": {"name": name, "namespace": "argocd"},
           "spec": {"project": "default", "destination": destination(), "source": source}})
}

/// Kustomize sources: patches as JSON6902 YAML text, as JSON text, a strategic-merge Secret,
/// and annotations naming a credential.
fn kustomize_shapes() -> Vec<LiveShape> {
    let repo = "https://git.example.com/platform/guestbook.git";
    vec![
        (
            "kustomize patch: env entry added by JSON6902 (name/value under value)",
            app(
                "r11-k3",
                json!({"repoURL": repo, "path": "k", "kustomize": {"patches": [
                {"target": {"kind": "Deployment", "name": "api"},
                 "patch": "- op: add\n  path: /spec/template/spec/containers/0/env/-\n  value:\n    name: DB_PASSWORD\n    value: R11k03a\n"}]}}),
            ),
            &["R11k03a"],
        ),
        (
            "kustomize patch: strategic merge Secret stringData",
            app(
                "r11-k4",
                json!({"repoURL": repo, "path": "k", "kustomize": {"patches": [
                {"patch": "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\nstringData:\n  DB_PASSWORD: R11k04a\n  token: R11k04b\n"}]}}),
            ),
            &["R11k04a", "R11k04b"],
        ),
        (
            "kustomize commonAnnotations and commonLabels under credential names",
            app(
                "r11-k5",
                json!({"repoURL": repo, "path": "k", "kustomize": {
                "commonAnnotations": {"api-key": "R11k05b"},
                "commonLabels": {"auth-token": "R11k05c"}}}),
            ),
            &["R11k05b", "R11k05c"],
        ),
    ]
}

/// Helm sources: a `--set env[0].name=DB_PASSWORD,env[0].value=…` pair as two parameters, value
/// files with userinfo, and a sync policy's managed namespace annotations.
fn helm_shapes() -> Vec<LiveShape> {
    vec![
        (
            "helm values text: --set style pair in a values string",
            app(
                "r11-h2",
                json!({"repoURL": "https://charts.example.com", "chart": "api", "targetRevision": "1.0.0",
                "helm": {"values": "env:\n  - {name: DB_PASSWORD, value: R11h02a}\n  - name: X\n    value: ok\n",
                         "valuesObject": {"env": {"0": {"name": "API_TOKEN", "value": "R11h02b"}}}}}),
            ),
            &["R11h02a", "R11h02b"],
        ),
        (
            "helm valueFiles with userinfo",
            app(
                "r11-h3",
                json!({"repoURL": "https://charts.example.com", "chart": "api", "targetRevision": "1.0.0",
                "helm": {"valueFiles": ["https://ci:R11h03a@raw.example.com/values.yaml", "https://R11h03b@raw.example.com/v2.yaml"]}}),
            ),
            &["R11h03a", "R11h03b"],
        ),
        (
            "helm fileParameters, apiVersions, kubeVersion, releaseName carrying values",
            app(
                "r11-h4",
                json!({"repoURL": "https://charts.example.com", "chart": "api", "targetRevision": "1.0.0",
                "helm": {"fileParameters": [{"name": "auth.password", "path": "https://u:R11h04a@x.example.com/p"}]}}),
            ),
            &["R11h04a"],
        ),
    ]
}

fn other_shapes() -> Vec<LiveShape> {
    let src =
        json!({"repoURL": "https://charts.example.com", "chart": "api", "targetRevision": "1.0.0"});
    let mut managed = app("r11-o1", src.clone());
    managed["spec"]["syncPolicy"] = json!({"syncOptions": ["CreateNamespace=true"],
        "managedNamespaceMetadata": {"annotations": {"vault.hashicorp.com/token": "R11o01a", "db-password": "R11o01b"}}});
    let mut info = app("r11-o3", src.clone());
    info["spec"]["info"] =
        json!([{"name": "Dashboard", "value": "https://admin:R11o03a@grafana.example.com/d/1"}]);
    let mut jsonnet = app(
        "r11-o4",
        json!({"repoURL": "https://git.example.com/j.git", "path": "j",
        "directory": {"jsonnet": {"extVars": [{"name": "dbPassword", "value": "R11o04a", "code": false}],
            "tlas": [{"name": "config", "value": "{password: 'R11o04b'}", "code": true}],
            "libs": ["https://u:R11o04c@git.example.com/lib.git"]}}}),
    );
    jsonnet["spec"]["revisionHistoryLimit"] = json!(3);
    let mut plugin = app(
        "r11-o5",
        json!({"repoURL": "https://git.example.com/p.git", "path": "p",
        "plugin": {"name": "cmp", "env": [{"name": "ARGS", "value": "--password=R11o05a"}],
                   "parameters": [{"name": "extra-args", "array": ["--token", "R11o05b"]},
                                  {"name": "config", "string": "apiToken: R11o05c"}]}}),
    );
    plugin["metadata"]["annotations"] = json!({"notifications.argoproj.io/subscribe.on-sync.webhook": "https://hooks.example.com/R11o05d?token=R11o05e"});
    vec![
        (
            "syncPolicy.managedNamespaceMetadata annotations",
            managed,
            &["R11o01a", "R11o01b"],
        ),
        ("info entry: URL with userinfo", info, &["R11o03a"]),
        (
            "jsonnet tlas code and libs",
            jsonnet,
            &["R11o04a", "R11o04b", "R11o04c"],
        ),
        (
            "plugin env/params as flags and text, notification webhook token",
            plugin,
            &["R11o05a", "R11o05b", "R11o05c", "R11o05e"],
        ),
    ]
}

/// JSON6902 patches (an Application's `spec.source.kustomize.patches[].patch`, a Flux
/// Kustomization's `patches` text or `patchesJson6902` operations): the `path` names the
/// credential (`/stringData/password`, `/data/apiToken`), the `value` holds it. Neither the
/// Application masking (`mask_sources` reads Helm, plugin and Jsonnet only) nor the text rules
/// (a `value:` member is judged by its own name) pair them.
fn json6902_shapes() -> Vec<LiveShape> {
    let repo = "https://git.example.com/platform/guestbook.git";
    vec![
        (
            "kustomize patch: JSON6902 YAML text, path names the credential",
            app(
                "r11-k1",
                json!({"repoURL": repo, "path": "k", "kustomize": {"patches": [
                {"target": {"kind": "Secret", "name": "db"},
                 "patch": "- op: add\n  path: /stringData/password\n  value: R11k01a\n"}]}}),
            ),
            &["R11k01a"],
        ),
        (
            "kustomize patch: JSON6902 as JSON text",
            app(
                "r11-k2",
                json!({"repoURL": repo, "path": "k", "kustomize": {"patches": [
                {"target": {"kind": "Secret", "name": "db"},
                 "patch": "[{\"op\":\"replace\",\"path\":\"/data/apiToken\",\"value\":\"R11k02a\"}]"}]}}),
            ),
            &["R11k02a"],
        ),
        (
            "kustomize patch: JSON6902 with a path into an env var name",
            app(
                "r11-k6",
                json!({"repoURL": repo, "path": "k", "kustomize": {"patches": [
                {"target": {"kind": "ConfigMap", "name": "cfg"},
                 "patch": "- op: replace\n  path: /data/DB_PASSWORD\n  value: R11k06a\n- {op: add, path: /data/API_TOKEN, value: R11k06b}\n"}]}}),
            ),
            &["R11k06a", "R11k06b"],
        ),
        (
            "Flux Kustomization: JSON6902 patch as text",
            json!({"apiVersion": "kustomize.toolkit.fluxcd.io/v1", "kind": "Kustomization",
                   "metadata": {"name": "r11-flux-text", "namespace": "guestbook"},
                   "spec": {"interval": "10m", "path": "./apps", "sourceRef": {"kind": "GitRepository", "name": "apps"},
                            "patches": [{"target": {"kind": "Secret", "name": "db"},
                                         "patch": "- op: replace\n  path: /stringData/password\n  value: R11f01a\n"}]}}),
            &["R11f01a"],
        ),
        (
            "Flux Kustomization (v1beta1): JSON6902 operations as objects",
            json!({"apiVersion": "kustomize.toolkit.fluxcd.io/v1beta1", "kind": "Kustomization",
                   "metadata": {"name": "r11-flux-ops", "namespace": "guestbook"},
                   "spec": {"interval": "10m", "path": "./apps", "sourceRef": {"kind": "GitRepository", "name": "apps"},
                            "patchesJson6902": [{"target": {"kind": "Secret", "name": "db"},
                                                 "patch": [{"op": "add", "path": "/stringData/password", "value": "R11f02a"},
                                                           {"op": "replace", "path": "/data/api-token", "value": "R11f02b"}]}]}}),
            &["R11f02a", "R11f02b"],
        ),
    ]
}

/// Helm's `--set env[0].name=DB_PASSWORD --set env[0].value=…` given field by field as two
/// entries: two Helm parameters or two plugin parameters of an Application (`mask_named` judges
/// each by its own `name`, `env[0].value`), or two keys of a map (a ConfigMap holding a chart's
/// flattened values). The pairing `mask_paired_assignments` does for argument lists is applied
/// to none of them.
fn split_pair_shapes() -> Vec<LiveShape> {
    vec![
        (
            "helm parameters: a name/value pair split across two parameters",
            app(
                "r11-h1",
                json!({"repoURL": "https://charts.example.com", "chart": "api", "targetRevision": "1.0.0",
                "helm": {"parameters": [
                    {"name": "env[0].name", "value": "DB_PASSWORD"},
                    {"name": "env[0].value", "value": "R11h01a"},
                    {"name": "extraEnv[1].name", "value": "API_TOKEN"},
                    {"name": "extraEnv[1].value", "value": "R11h01b", "forceString": true}]}}),
            ),
            &["R11h01a", "R11h01b"],
        ),
        (
            "plugin parameters: a name/value pair split across two parameters",
            app(
                "r11-h5",
                json!({"repoURL": "https://git.example.com/p.git", "path": "p",
                "plugin": {"name": "helm-cmp", "parameters": [
                    {"name": "env[0].name", "string": "DB_PASSWORD"},
                    {"name": "env[0].value", "string": "R11h05a"}]}}),
            ),
            &["R11h05a"],
        ),
        (
            "ConfigMap: --set paths as keys (a chart's flattened values)",
            json!({"apiVersion": "v1", "kind": "ConfigMap",
                   "metadata": {"name": "r11-flat", "namespace": "guestbook"},
                   "data": {"env[0].name": "DB_PASSWORD", "env[0].value": "R11h06a"}}),
            &["R11h06a"],
        ),
    ]
}

/// An `ignoreDifferences` jq expression that selects a Secret entry by its value.
fn jq_shapes() -> Vec<LiveShape> {
    let src =
        json!({"repoURL": "https://charts.example.com", "chart": "api", "targetRevision": "1.0.0"});
    let mut ignore = app("r11-o2", src);
    ignore["spec"]["ignoreDifferences"] = json!([{"kind": "Secret", "jqPathExpressions": [".data.password | select(. == \"R11o02a\")"]}]);
    vec![(
        "ignoreDifferences jqPathExpressions quoting a value",
        ignore,
        &["R11o02a"],
    )]
}

/// FINDING: a credential set by a Kustomize JSON6902 patch of an app-of-apps child
/// Application, read through `get_argocd_resource` (both components).
#[tokio::test]
async fn review11_finding_kustomize_json6902_patch_value() {
    check(json6902_shapes()).await;
}

/// FINDING: a Helm `env[0].name=DB_PASSWORD` / `env[0].value=…` pair given as two parameters
/// of a child Application, read through `get_argocd_resource` (both components).
#[tokio::test]
async fn review11_finding_helm_parameters_split_pair() {
    check(split_pair_shapes()).await;
}

/// FINDING (low: an unusual expression): a jq expression comparing a Secret entry named
/// `password` with its value, read through `get_argocd_resource` (both components).
#[tokio::test]
async fn review11_finding_jq_expression_quotes_value() {
    check(jq_shapes()).await;
}

/// FINDING: the approval question of `patch_argocd_app` setting each of the three shapes above
/// on guestbook lists the credential on its after side.
#[tokio::test]
async fn review11_finding_patch_question_shows_unpaired_credentials() {
    let mut shapes = json6902_shapes();
    shapes.extend(split_pair_shapes());
    shapes.extend(jq_shapes());
    let found = patch_question_leaks(&shapes).await;
    assert!(
        found.is_empty(),
        "leaked {}:\n{}",
        found.len(),
        found.join("\n")
    );
}

async fn check(shapes: Vec<LiveShape>) {
    let found = crate::planting::leaks_in_live(&shapes).await;
    assert!(
        found.is_empty(),
        "leaked {}:\n{}",
        found.len(),
        found.join("\n")
    );
}

#[tokio::test]
async fn review11_kustomize_fields() {
    check(kustomize_shapes()).await;
}

#[tokio::test]
async fn review11_helm_fields() {
    check(helm_shapes()).await;
}

#[tokio::test]
async fn review11_other_fields() {
    check(other_shapes()).await;
}

/// Every shape as guestbook's own spec, read by every tool that shows the app.
#[tokio::test]
async fn review11_app_spec_through_app_tools() {
    let mut shapes = kustomize_shapes();
    shapes.extend(helm_shapes());
    shapes.extend(other_shapes());
    shapes.extend(json6902_shapes());
    shapes.extend(split_pair_shapes());
    shapes.extend(jq_shapes());
    let mut found = Vec::new();
    for (shape, object, secrets) in shapes.iter().filter(|(_, o, _)| o["kind"] == "Application") {
        let world = World::new().await;
        {
            let mut state = world.standin.state();
            let app = &mut state.apps.get_mut("guestbook").unwrap().app;
            app["spec"]["source"] = object["spec"]["source"].clone();
            for key in ["syncPolicy", "ignoreDifferences", "info"] {
                if let Some(v) = object["spec"].get(key) {
                    app["spec"][key] = v.clone();
                }
            }
            if let Some(a) = object["metadata"].get("annotations") {
                app["metadata"]["annotations"] = a.clone();
            }
        }
        let calls = [
            ("get_argocd_app_status", json!({"app_name": "guestbook"})),
            ("list_argocd_apps", json!({})),
            ("list_argocd_app_history", json!({"app_name": "guestbook"})),
            ("get_argocd_app_manifests", json!({"app_name": "guestbook"})),
            ("get_argocd_app_diff", json!({"app_name": "guestbook"})),
            ("get_argocd_app_events", json!({"app_name": "guestbook"})),
        ];
        for (tool, args) in calls {
            let answer = world.call(tool, args).await.to_string();
            for s in *secrets {
                if answer.contains(s) {
                    found.push(format!("{tool} {shape}: {s}"));
                }
            }
        }
    }
    for f in &found {
        eprintln!("LEAK {f}");
    }
    assert!(
        found.is_empty(),
        "leaked {}:\n{}",
        found.len(),
        found.join("\n")
    );
}

// ---------------------------------------------------------------------------------------------
// The approval question
// ---------------------------------------------------------------------------------------------

fn asking(params: &Value) -> Value {
    let mut body = crate::modern::modern_body(9, "tools/call", params.clone());
    body["params"]["_meta"]["io.modelcontextprotocol/clientCapabilities"] =
        json!({"elicitation": {"form": {}}});
    body
}

async fn approval_world() -> World {
    World::with(
        host_test::standin::Config::default(),
        &[
            ("argocd_username", "admin"),
            ("argocd_password", crate::PASSWORD),
            ("require_approval", "true"),
        ],
    )
    .await
}

/// What the agent is answered for `call` (the question, or anything else), as text.
async fn asked_text(world: &World, call: &Value) -> String {
    let body = asking(call);
    let asked = world.post(&body, &crate::modern::mirrored(&body)).await.1;
    let text = asked["result"]["inputRequests"]["approval"]["params"]["message"]
        .as_str()
        .map_or_else(|| asked.to_string(), str::to_owned);
    println!("review11 asked:\n{text}");
    asked.to_string()
}

/// What the approval question of a patch setting each shape on guestbook showed.
async fn patch_question_leaks(shapes: &[LiveShape]) -> Vec<String> {
    let world = approval_world().await;
    let mut found = Vec::new();
    for (shape, object, secrets) in shapes.iter().filter(|(_, o, _)| o["kind"] == "Application") {
        let mut patch = json!({"spec": {"source": object["spec"]["source"].clone()}});
        for key in ["syncPolicy", "ignoreDifferences", "info"] {
            if let Some(v) = object["spec"].get(key) {
                patch["spec"][key] = v.clone();
            }
        }
        if let Some(a) = object["metadata"].get("annotations") {
            patch["metadata"] = json!({"annotations": a});
        }
        let call = json!({"name": "patch_argocd_app", "arguments": {
            "app_name": "guestbook", "confirm": true, "patch": patch}});
        let text = asked_text(&world, &call).await;
        for s in *secrets {
            if text.contains(s) {
                found.push(format!("patch question {shape}: {s}"));
            }
        }
    }
    found
}

/// Held: the approval question of patches carrying every other shape above, and of creates
/// whose repository URL or revision carries a credential.
#[tokio::test]
async fn review11_approval_question_shapes() {
    let mut shapes = kustomize_shapes();
    shapes.extend(helm_shapes());
    shapes.extend(other_shapes());
    let mut found = patch_question_leaks(&shapes).await;
    let world = approval_world().await;
    let creates = [
        (
            json!({"repo_url": "https://ci:R11c01a@git.example.com/a.git", "path": "a"}),
            "R11c01a",
        ),
        (
            json!({"repo_url": "git.example.com/a.git?private_token=R11c02a", "path": "a"}),
            "R11c02a",
        ),
        (
            json!({"repo_url": "https://git.example.com/a.git", "path": "a", "target_revision": "token=R11c03a"}),
            "R11c03a",
        ),
        (
            json!({"repo_url": "ssh://git:R11c04a@git.example.com:22/a.git", "path": "a"}),
            "R11c04a",
        ),
        (
            json!({"repo_url": "oci://u:R11c05a@registry.example.com/charts", "chart": "api"}),
            "R11c05a",
        ),
    ];
    for (extra, secret) in creates {
        let mut args = json!({"name": "r11-new", "project": "default", "dest_namespace": "r11", "confirm": true});
        for (k, v) in extra.as_object().unwrap() {
            args[k] = v.clone();
        }
        let text = asked_text(
            &world,
            &json!({"name": "create_argocd_app", "arguments": args}),
        )
        .await;
        if text.contains(secret) {
            found.push(format!("create question {extra}: {secret}"));
        }
    }
    for f in &found {
        eprintln!("LEAK {f}");
    }
    assert!(
        found.is_empty(),
        "leaked {}:\n{}",
        found.len(),
        found.join("\n")
    );
}

// ---------------------------------------------------------------------------------------------
// Clusters and repositories
// ---------------------------------------------------------------------------------------------

/// A cluster and repositories with credentials where Argo CD keeps and quotes them: a server URL
/// with userinfo, a connection message quoting a kubeconfig and a request header, a repository
/// URL with a token in its query and userinfo, and a connection message quoting git.
#[tokio::test]
async fn review11_clusters_and_repositories() {
    let world = World::new().await;
    {
        let mut state = world.standin.state();
        state.review_clusters.push(json!({
            "server": "https://admin:R11x01a@edge-us.example.com:6443", "name": "edge-us",
            "config": {"bearerToken": "R11x01b", "password": "R11x01c", "tlsClientConfig": {"keyData": "R11x01d"}},
            "connectionState": {"status": "Failed", "message": "Get \"https://edge-us.example.com:6443/version?timeout=32s\": Authorization: Bearer R11x01e rejected; kubeconfig: token: R11x01f", "attemptedAt": "2026-06-20T00:00:00Z"},
            "info": {"connectionState": {"status": "Failed", "message": "client-key-data: R11x01g password=R11x01h"}, "applicationsCount": 0}
        }));
        state.review_repos.push(json!({
            "repo": "https://gitlab.example.com/a.git?private_token=R11r01a", "type": "git", "name": "a",
            "password": "R11r01b", "sshPrivateKey": "R11r01c", "project": "default",
            "connectionState": {"status": "Failed", "message": "fatal: unable to access 'https://oauth2:R11r01d@gitlab.example.com/a.git/': The requested URL returned error: 403", "attemptedAt": "2026-06-20T00:00:00Z"}
        }));
        state.review_repos.push(json!({
            "repo": "oci://robot$ci:R11r02a@registry.example.com/charts", "type": "helm", "name": "oci",
            "connectionState": {"status": "Failed", "message": "helm registry login --password R11r02b registry.example.com", "attemptedAt": "2026-06-20T00:00:00Z"}
        }));
    }
    let secrets = [
        "R11x01a", "R11x01b", "R11x01c", "R11x01d", "R11x01e", "R11x01f", "R11x01g", "R11x01h",
        "R11r01a", "R11r01b", "R11r01c", "R11r01d", "R11r02a", "R11r02b",
    ];
    let mut found = Vec::new();
    let calls = [
        ("list_argocd_clusters", json!({})),
        ("get_argocd_cluster", json!({"cluster": "edge-us"})),
        (
            "get_argocd_cluster",
            json!({"cluster": "https://admin:R11x01a@edge-us.example.com:6443"}),
        ),
        ("list_argocd_repositories", json!({})),
    ];
    for (tool, args) in calls {
        let answer = world.call(tool, args.clone()).await.to_string();
        println!("review11 {tool} {args}: {answer}");
        for s in secrets {
            if answer.contains(s) {
                found.push(format!("{tool} {args}: {s}"));
            }
        }
    }
    assert!(
        found.is_empty(),
        "leaked {}:\n{}",
        found.len(),
        found.join("\n")
    );
}

// ---------------------------------------------------------------------------------------------
// Logs: a private key logged line by line, cut by the budgets
// ---------------------------------------------------------------------------------------------

const KEY_LINES: [&str; 3] = [
    "MIIEowIBAAKCAQEAR11p01aQ3VzdG9tS2V5RGF0YUZvclRoZVJldmlld0VsZXZlbnRo",
    "R11p01bWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFh",
    "R11p01cZGRkZGRkZGRkZGRkZGRkZGRkZGRkZGRk==",
];

/// A PEM private key logged one line per log entry (with and without its END line), through both components' get_argocd_app_logs.
#[tokio::test]
async fn review11_private_key_across_log_lines() {
    let variants: [(&str, Vec<String>, Option<u32>); 2] = [
        ("whole key", pem(true, true), None),
        ("no END line (process died)", pem(true, false), None),
    ];
    let mut found = Vec::new();
    for (what, lines, max_lines) in variants {
        let world = World::new().await;
        world.standin.state().review_log_lines = lines;
        let mut args = json!({"app_name": "guestbook", "kind": "Deployment", "resource_name": "guestbook", "tail_lines": 500});
        if let Some(n) = max_lines {
            args["max_lines"] = json!(n);
        }
        let server = world.call("get_argocd_app_logs", args).await.to_string();
        let env = crate::planting::plugin_env(&world.standin);
        let plugin = crate::planting::plugin_logs_within(&env, max_lines, None).await;
        println!("review11 logs {what}:\n server: {server}\n plugin: {plugin}");
        for s in ["R11p01a", "R11p01b", "R11p01c"] {
            if server.contains(s) {
                found.push(format!("server logs {what}: {s}"));
            }
            if plugin.contains(s) {
                found.push(format!("plugin logs {what}: {s}"));
            }
        }
    }
    assert!(
        found.is_empty(),
        "leaked {}:\n{}",
        found.len(),
        found.join("\n")
    );
}

fn pem(begin: bool, end: bool) -> Vec<String> {
    let mut v = Vec::new();
    if begin {
        v.push("-----BEGIN RSA PRIVATE KEY-----".to_owned());
    }
    v.extend(KEY_LINES.iter().map(|l| (*l).to_owned()));
    if end {
        v.push("-----END RSA PRIVATE KEY-----".to_owned());
    }
    v
}
