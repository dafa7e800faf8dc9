//! Forty-second hostile review (issue 19), fresh context, time box 40 minutes: the whole answer
//! surface, every tool and every field, on the seeded world (`Config::seed_credentials`) through
//! both built components (the server through wasmtime as shipped, the plugin's typed exports).
//!
//! Findings (each `review42_finding_*` asserts the secure behaviour, was seen failing on both
//! components, and is ignored until fixed):
//!
//! - K1 (medium, names, both; `src/tools/masking.rs` `names_credential_parts`, used by objects
//!   and by the text rules through `scrub/names.rs`) a name for several keys is not a
//!   credential's name: `WORDS` holds `key`, `is_run_together_key` reads `<kind>key`, but
//!   `keys` matches neither, so `API_KEYS`, `ENCRYPTION_KEYS`, `DEPLOY_KEYS`, `accessKeys`,
//!   `signing_keys`, `MASTER_KEYS`, `serviceKeys`, `unseal_keys_b64` are shown whole while
//!   `API_KEY`, `ENCRYPTION_KEY` and `apiKeys` (which `INSIDE`'s `apikey` catches) are hidden
//!   (`review42_held_singular_key_names`). Reached as a ConfigMap's keys, an env entry
//!   (`{name: API_KEYS, value: …}`), a container argument (`--encryption-keys=…`), a map in a
//!   custom resource, YAML text (Argo CD notifications' PagerDuty v2 service, whose documented
//!   setting is `service.pagerdutyv2: "serviceKeys:\n  my-service: …"`), an env file
//!   (`API_KEYS=…`), JSON in a condition (`{"serviceKeys":{…}}`, Vault's init output
//!   `{"unseal_keys_b64":[…]}`) and a Helm `--set encryptionKeys[0]=…`. Repro:
//!   `review42_finding_k1_plural_key_names` (get_argocd_resource of a ConfigMap, a
//!   notifications ConfigMap and a Deployment, both components) and
//!   `review42_finding_k1_plural_key_names_in_text` (get_argocd_app_status conditions). Fix:
//!   read a word's plural as the word (`keys` as `key`, `<kind>keys` as `<kind>key`, in `WORDS`
//!   and `is_run_together_key`; the same for `pins`/`pats` once K2 adds them), so `API_KEYS`
//!   means what `API_KEY` means wherever it stands.
//! - K2 (low-medium, names, both; same place) personal access tokens and PINs under their usual
//!   short names are shown: `GITHUB_PAT` (what R's and many CI tools' docs name it), the Azure
//!   DevOps CLI's `AZURE_DEVOPS_EXT_PAT`, `githubPat`, an HSM's `PKCS11_PIN`, SoftHSM's
//!   `HSM_SO_PIN`, `hsmPin`: as env entries and custom-resource fields. Repro:
//!   `review42_finding_k2_pat_and_pin_names`. Fix: add `pat` and `pin` as whole words to
//!   `WORDS` (as words only: not `path`, `pattern`, `spin`, `pinned`); or list them under
//!   *What cannot be hidden*.
//!
//! Tools covered (all 33, `tools/list` checked against `argocd_mcp::tools::definitions`), in
//! `review42_held_every_tool_of_the_server`, each answer read as the whole HTTP answer (SSE
//! messages and progress notifications included, a progress token on every call) and the
//! server's log: get_argocd_app_status (both seeded apps, with resources), list_argocd_apps
//! (all; project + health + sync filters), list_argocd_app_history (both), refresh_argocd_app
//! (hard), get_argocd_app_resource_tree (all; kind filter), get_argocd_app_events (app; one
//! resource), get_argocd_app_logs (workload; previous + tail + since; `filter` `S33D` and
//! `password`; `max_lines` on the multi-source app), get_argocd_app_diff (unchanged included;
//! kind Secret; kind Application), get_argocd_app_manifests (objects; `revision` git refuses;
//! multi-source; `revisions` + `source_positions`), get_argocd_resource (child Application
//! and ApplicationSet full, child Application not full, Deployment, ConfigMap, Secret),
//! list_argocd_resource_actions (child Application; Deployment), get_argocd_revision_metadata
//! (refused revision; `source_index` 1 and 2), get_argocd_sync_windows, list_argocd_app_links,
//! list_argocd_applicationsets, get_argocd_applicationset, preview_argocd_applicationset (list
//! generator with the seeded template; clusters generator over a cluster with a proxy
//! password, its server and labels rendered), wait_for_argocd_operation, get_argocd_server_info,
//! can_i_argocd, list_argocd_projects, get_argocd_project, list_argocd_clusters,
//! get_argocd_cluster (by name and by URL), list_argocd_repositories, sync_argocd_app (dry run
//! with prune; revision; wait with progress; resources), rollback_argocd_app (dry runs),
//! terminate_argocd_operation, run_argocd_resource_action (refresh; restart),
//! create_argocd_app (URL with userinfo; existing name refused), patch_argocd_app (labels;
//! multi-source `sources` replaced; Helm parameters replaced), delete_argocd_resource,
//! delete_argocd_app (plain; cascade). The plugin: the platform tools on the same world
//! (`review42_held_platform_tools_of_the_plugin`), get_argocd_resource and
//! get_argocd_app_status for every probe (`leaks_in_live`, `leaks_in_named_conditions`); the
//! plugin's full sweep is `leaks.rs`'s.
//!
//! Seeding added (in the tests, through `review_clusters`/`review_repos`, as Argo CD v3.5.1
//! answers: `Cluster.Sanitized()` keeps `config.proxyUrl`, `awsAuthConfig`,
//! `tlsClientConfig.caData`/`certData`, labels, annotations; `Repository.Sanitized()` keeps
//! `proxy`, `noProxy`, `username`): a cluster and a repository whose proxy URL holds a
//! password, and whose connection messages quote it (Go's `proxyconnect tcp: http://u:p@…`).
//!
//! Held (passing `review42_held_*`, each asserting its place was reached): every tool above
//! (no `S33D` in any answer, error, progress notification or the log); cluster and repository
//! rows, which are allow-lists (`platform.rs`: proxy, config, annotations never copied) and
//! their proxy-quoting messages (userinfo removed), on both components; the approval question
//! of 14 wider changes under `ARGOCD_REQUIRE_APPROVAL` (9 put to a person; the 5 patches of
//! fields whose old value the masking or scrubbing hides refused, naming the field, as
//! documented; no `S33D` in either: a patch replacing multi-source
//! `sources` whole, Helm `parameters` replaced, `valuesObject`, Helm values one line from the
//! seeded password, `source` → `sources`; upserts over both seeded apps; a sync at a revision
//! git refuses and with `revisions`; a multi-source rollback; a cascade delete; a restart; a
//! ConfigMap delete); argocd-cm (`dex.config` GitHub `clientSecret`, LDAP `bindPW`,
//! `oidc.config` `clientSecret`, legacy `helm.repositories` password) and
//! argocd-notifications-cm with every service's credential written inline (Slack, Gmail,
//! webhook headers and basic auth, Opsgenie `apiKeys`, Alertmanager basic auth and bearer,
//! Teams' key after `/IncomingWebhook/`, Google Chat `key`/`token`, New Relic, a GitHub app's
//! private key, Rocket.Chat, Pushover, Telegram, Webex, Grafana, Mattermost, PagerDuty v1);
//! singular key names beside K1. Logs' `filter: "S33D"` answers no line (the filter reads the
//! lines as shown).
//!
//! Not a finding, noted: a Teams webhook URL's `webhookb2/<group>@<tenant>` part is shown (ids,
//! not the key, which follows `/IncomingWebhook/` and is hidden). `leaks.rs`'s plugin sweep
//! calls `call_list_argocd_repositories(s, None, limit, None)`, passing the sweep's `limit` as
//! the `offset` (the export is `(limit, offset, profile)`), so the plugin answered an empty page
//! and its repository rows were never searched there (done here, held); fix the argument order.
//!
//! Not reached (seeding gaps and places no tool reads): the seeded apps list no Secret among
//! their resources (`get_argocd_resource` of a Secret on the seeded world is refused; Secrets
//! are covered by `leaks_in_live` elsewhere), nor link annotations
//! (`link.argocd.argoproj.io/*` with a token in a query), resource-tree `info`/`images`/
//! `networkingInfo.externalURLs` with credentials, an ApplicationSet's
//! `status.applicationStatus[].message`; no tool reads `/api/v1/settings` (dex, OIDC),
//! GnuPG keys, certificates, accounts or tokens, repository credential templates (repocreds),
//! so those cannot be answered; a sync at a refused revision and a single-source rollback were
//! answered "another operation is already in progress" in the sweep (the approval test asks
//! them); the live feed, prompts, resources and completion under seeded credentials (static or
//! names only, read, not attacked); a preview whose goTemplate runs Sprig functions over
//! cluster parameters (the stand-in renders placeholders only).

use host_test::standin::{Config, credentials};
use serde_json::{Value, json};

use crate::planting::{
    LiveShape, asked_text, assert_none, config_map, leaks_in_live, leaks_in_named_conditions,
    plugin_env,
};
use crate::{PASSWORD, World, harness};

/// Proxy URLs and messages quoting them: what Argo CD v3.5.1 answers for a cluster
/// (`Cluster.Sanitized()` keeps `config.proxyUrl`, `awsAuthConfig`, `tlsClientConfig.caData`/
/// `certData`, labels and annotations) and for a repository (`Repository.Sanitized()` keeps
/// `proxy`, `noProxy`, `username`, `githubAppID`), each holding `S33D`.
const CLUSTER_PROXY_PW: &str = "S33D-r42-cluster-proxy-pw";
const LINK_TOKEN: &str = "S33D-r44-link-token";
const LINK_API_KEY: &str = "S33D-r44-link-api-key";
const LINK_PASSWORD: &str = "S33D-r44-link-pw";
const CLUSTER_MESSAGE_PW: &str = "S33D-r42-cluster-message-pw";
const REPO_PROXY_PW: &str = "S33D-r42-repo-proxy-pw";
const REPO_MESSAGE_PW: &str = "S33D-r42-repo-message-pw";

pub(crate) async fn seeded(variables: &[(&str, &str)]) -> World {
    let mut all = vec![("argocd_username", "admin"), ("argocd_password", PASSWORD)];
    all.extend_from_slice(variables);
    let world = World::with(
        Config {
            seed_credentials: true,
            ..Config::default()
        },
        &all,
    )
    .await;
    plant_platform(&world);
    world
}

fn plant_platform(world: &World) {
    let mut state = world.standin.state();
    // Review44: Argo CD's app links (`application.links`, `link.argocd.argoproj.io/*`) whose
    // URL holds a token in its query and a password as userinfo, and whose description an
    // API key.
    state.app_links.push((
        "Grafana".into(),
        format!("https://grafana.example.com/d/abc?orgId=1&auth_token={LINK_TOKEN}&var-app={{{{.app.metadata.name}}}}"),
        format!("dashboard; apiKey={LINK_API_KEY}"),
    ));
    state.app_links.push((
        "Logs".into(),
        format!("https://logs:{LINK_PASSWORD}@kibana.example.com/app/discover#/?_a=(query:(language:kuery,query:'app:x'))"),
        String::new(),
    ));
    state.review_clusters.push(json!({
        "server": "https://k8s-r42.example.com:6443", "name": "r42-proxied",
        "labels": {"env": "r42", "addons": "enabled"},
        "annotations": {"team": "platform"},
        "config": {"proxyUrl": format!("http://proxyuser:{CLUSTER_PROXY_PW}@proxy.example.com:3128"),
                   "awsAuthConfig": {"clusterName": "r42", "roleARN": "arn:aws:iam::123456789012:role/argocd"},
                   "tlsClientConfig": {"insecure": false, "caData": "LS0tLS1CRUdJTg==", "certData": "LS0tLS1DRVJU"}},
        "connectionState": {"status": "Failed", "message": format!("Get \"https://k8s-r42.example.com:6443/version?timeout=32s\": proxyconnect tcp: http://proxyuser:{CLUSTER_MESSAGE_PW}@proxy.example.com:3128: dial tcp 10.0.0.9:3128: connect: connection refused"), "attemptedAt": "2026-06-20T00:00:00Z"},
        "serverVersion": "1.31",
        "info": {"connectionState": {"status": "Failed", "message": format!("Get \"https://k8s-r42.example.com:6443/version?timeout=32s\": proxyconnect tcp: http://proxyuser:{CLUSTER_MESSAGE_PW}@proxy.example.com:3128: dial tcp 10.0.0.9:3128: connect: connection refused"), "attemptedAt": "2026-06-20T00:00:00Z"}, "serverVersion": "1.31", "applicationsCount": 0}
    }));
    state.review_repos.push(json!({
        "repo": "https://git.example.com/platform/r42.git", "type": "git", "name": "r42",
        "username": "deploybot", "proxy": format!("http://proxyuser:{REPO_PROXY_PW}@proxy.example.com:3128"),
        "noProxy": "*.internal", "project": "default", "inheritedCreds": false,
        "connectionState": {"status": "Failed", "message": format!("unable to ls-remote HEAD on repository: Get \"https://git.example.com/platform/r42.git/info/refs?service=git-upload-pack\": proxyconnect tcp: http://proxyuser:{REPO_MESSAGE_PW}@proxy.example.com:3128: EOF"), "attemptedAt": "2026-06-20T00:00:00Z"}
    }));
}

/// Every place a seeded secret shows in `answer`.
pub(crate) fn shown(label: &str, answer: &str) -> Vec<String> {
    let mut found = Vec::new();
    for secret in credentials::SECRETS {
        if answer.contains(secret) {
            found.push(format!("{label}: {secret}"));
        }
    }
    if answer.contains(credentials::MARK) {
        let at = answer.find(credentials::MARK).unwrap();
        let before: String = answer[..at]
            .chars()
            .rev()
            .take(80)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        let after: String = answer[at..].chars().take(40).collect();
        found.push(format!("{label}: …{before}{after}…"));
    }
    found
}

/// The whole HTTP answer of one `tools/call` (every SSE message, progress included).
async fn whole_answer(world: &World, tool: &str, arguments: Value) -> String {
    let response = world
        .mcp(&json!({"jsonrpc": "2.0", "id": 42, "method": "tools/call",
                     "params": {"name": tool, "arguments": arguments, "_meta": {"progressToken": "r42"}}}))
        .await;
    String::from_utf8_lossy(&response.body).into_owned()
}

/// Every tool, with the arguments that reach the most fields; changes last, deletions at the
/// very end.
fn every_call() -> Vec<(&'static str, Value)> {
    let child = |kind: &str| json!({"app_name": "vault-app", "kind": kind, "resource_name": "vault-app-child", "group": "argoproj.io", "version": "v1alpha1", "namespace": "argocd", "full": true});
    let live = |app: &str, kind: &str, group: &str, name: &str| json!({"app_name": app, "kind": kind, "resource_name": name, "group": group, "version": "v1", "full": true});
    let mut preview = credentials::applicationset();
    preview["spec"]["generators"] =
        json!([{"clusters": {"selector": {"matchLabels": {"env": "r42"}}}}]);
    preview["spec"]["template"]["metadata"]["name"] = json!("r42-{{name}}");
    preview["spec"]["template"]["spec"]["destination"]["server"] = json!("{{server}}");
    preview["spec"]["template"]["metadata"]["labels"] = json!({"env": "{{metadata.labels.env}}"});
    let mut list_preview = credentials::applicationset();
    list_preview["spec"]["generators"] = json!([{"list": {"elements": [{"env": "dev"}]}}]);
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
        (
            "list_argocd_apps",
            json!({"project": "default", "health_status": "Degraded", "sync_status": "OutOfSync"}),
        ),
        ("list_argocd_app_history", json!({"app_name": "vault-app"})),
        (
            "list_argocd_app_history",
            json!({"app_name": "vault-multi"}),
        ),
        (
            "refresh_argocd_app",
            json!({"app_name": "vault-multi", "hard": true}),
        ),
        (
            "get_argocd_app_resource_tree",
            json!({"app_name": "vault-app", "limit": 1000}),
        ),
        (
            "get_argocd_app_resource_tree",
            json!({"app_name": "vault-multi", "kind": "Application"}),
        ),
        ("get_argocd_app_events", json!({"app_name": "vault-app"})),
        (
            "get_argocd_app_events",
            json!({"app_name": "vault-app", "resource_kind": "Deployment", "resource_name": "vault-app"}),
        ),
        (
            "get_argocd_app_logs",
            json!({"app_name": "vault-app", "kind": "Deployment", "resource_name": "vault-app"}),
        ),
        (
            "get_argocd_app_logs",
            json!({"app_name": "vault-app", "kind": "Deployment", "resource_name": "vault-app", "previous": true, "tail_lines": 10000, "since_seconds": 86400}),
        ),
        (
            "get_argocd_app_logs",
            json!({"app_name": "vault-app", "kind": "Deployment", "resource_name": "vault-app", "filter": "S33D"}),
        ),
        (
            "get_argocd_app_logs",
            json!({"app_name": "vault-app", "kind": "Deployment", "resource_name": "vault-app", "filter": "password"}),
        ),
        (
            "get_argocd_app_logs",
            json!({"app_name": "vault-multi", "kind": "Deployment", "resource_name": "vault-multi", "max_lines": 3}),
        ),
        (
            "get_argocd_app_diff",
            json!({"app_name": "vault-app", "include_unchanged": true}),
        ),
        (
            "get_argocd_app_diff",
            json!({"app_name": "vault-app", "include_unchanged": true, "kind": "Secret"}),
        ),
        (
            "get_argocd_app_diff",
            json!({"app_name": "vault-multi", "include_unchanged": true, "kind": "Application"}),
        ),
        (
            "get_argocd_app_manifests",
            json!({"app_name": "vault-app", "include_objects": true}),
        ),
        (
            "get_argocd_app_manifests",
            json!({"app_name": "vault-app", "revision": "feature-x", "include_objects": true}),
        ),
        (
            "get_argocd_app_manifests",
            json!({"app_name": "vault-multi", "include_objects": true}),
        ),
        (
            "get_argocd_app_manifests",
            json!({"app_name": "vault-multi", "revisions": ["feature-x", "HEAD"], "source_positions": [1, 2], "include_objects": true}),
        ),
        ("get_argocd_resource", child("Application")),
        ("get_argocd_resource", child("ApplicationSet")),
        (
            "get_argocd_resource",
            json!({"app_name": "vault-multi", "kind": "Application", "resource_name": "vault-multi-child", "group": "argoproj.io", "version": "v1alpha1", "namespace": "argocd", "full": false}),
        ),
        (
            "get_argocd_resource",
            live("vault-app", "Secret", "", "vault-app"),
        ),
        (
            "get_argocd_resource",
            live("vault-app", "Deployment", "apps", "vault-app"),
        ),
        (
            "get_argocd_resource",
            live("vault-app", "ConfigMap", "", "vault-app"),
        ),
        (
            "get_argocd_resource",
            live("vault-multi", "Secret", "", "vault-multi"),
        ),
        (
            "list_argocd_resource_actions",
            json!({"app_name": "vault-app", "kind": "Application", "resource_name": "vault-app-child", "group": "argoproj.io", "version": "v1alpha1", "namespace": "argocd"}),
        ),
        (
            "list_argocd_resource_actions",
            json!({"app_name": "vault-app", "kind": "Deployment", "resource_name": "vault-app", "group": "apps", "version": "v1"}),
        ),
        (
            "get_argocd_revision_metadata",
            json!({"app_name": "vault-app", "revision": "feature-x"}),
        ),
        (
            "get_argocd_revision_metadata",
            json!({"app_name": "vault-multi", "revision": "feature-x", "source_index": 2}),
        ),
        (
            "get_argocd_revision_metadata",
            json!({"app_name": "vault-multi", "revision": "0123456789abcdef0123456789abcdef01234567", "source_index": 1}),
        ),
        ("get_argocd_sync_windows", json!({"app_name": "vault-app"})),
        ("list_argocd_app_links", json!({"app_name": "vault-app"})),
        ("list_argocd_applicationsets", json!({"limit": 500})),
        ("get_argocd_applicationset", json!({"name": "vault-envs"})),
        (
            "preview_argocd_applicationset",
            json!({"applicationset": list_preview}),
        ),
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
            json!({"resource": "repositories", "action": "get", "object": "*"}),
        ),
        ("list_argocd_projects", json!({"limit": 500})),
        ("get_argocd_project", json!({"name": "default"})),
        ("list_argocd_clusters", json!({"limit": 500})),
        ("get_argocd_cluster", json!({"cluster": "r42-proxied"})),
        (
            "get_argocd_cluster",
            json!({"cluster": "https://k8s-r42.example.com:6443"}),
        ),
        ("list_argocd_repositories", json!({"limit": 500})),
        (
            "sync_argocd_app",
            json!({"app_name": "vault-app", "dry_run": true, "prune": true, "confirm": true}),
        ),
        (
            "sync_argocd_app",
            json!({"app_name": "vault-app", "revision": "feature-x", "confirm": true}),
        ),
        (
            "sync_argocd_app",
            json!({"app_name": "vault-multi", "confirm": true, "wait": true, "timeout_seconds": 20}),
        ),
        (
            "sync_argocd_app",
            json!({"app_name": "vault-app", "resources": [{"group": "argoproj.io", "kind": "Application", "name": "vault-app-child", "namespace": "argocd"}], "confirm": true}),
        ),
        (
            "rollback_argocd_app",
            json!({"app_name": "vault-app", "history_id": 0, "dry_run": true, "confirm": true}),
        ),
        (
            "rollback_argocd_app",
            json!({"app_name": "vault-multi", "history_id": 0, "dry_run": true, "confirm": true}),
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
            "run_argocd_resource_action",
            json!({"app_name": "vault-app", "kind": "Deployment", "resource_name": "vault-app", "group": "apps", "version": "v1", "action": "restart", "confirm": true}),
        ),
        (
            "create_argocd_app",
            json!({"name": "r42-new", "project": "default", "repo_url": format!("https://deploybot:{}@git.example.com/platform/new.git", credentials::REPO_TOKEN), "path": "deploy", "dest_namespace": "r42-new", "confirm": true}),
        ),
        (
            "create_argocd_app",
            json!({"name": "vault-app", "project": "default", "repo_url": "https://git.example.com/platform/vault-app.git", "path": "deploy/vault-app", "dest_namespace": "vault-app", "confirm": true}),
        ),
        (
            "patch_argocd_app",
            json!({"app_name": "vault-multi", "patch": {"metadata": {"labels": {"checked": "yes"}}}, "confirm": true}),
        ),
        (
            "patch_argocd_app",
            json!({"app_name": "vault-multi", "patch": {"spec": {"sources": [{"repoURL": "https://git.example.com/platform/other.git", "path": "a", "targetRevision": "HEAD"}]}}, "confirm": true}),
        ),
        (
            "patch_argocd_app",
            json!({"app_name": "vault-app", "patch": {"spec": {"source": {"helm": {"parameters": [{"name": "image.tag", "value": "v2"}]}}}}, "confirm": true}),
        ),
        (
            "delete_argocd_resource",
            json!({"app_name": "vault-app", "kind": "ApplicationSet", "resource_name": "vault-app-child", "group": "argoproj.io", "version": "v1alpha1", "namespace": "argocd", "confirm": true}),
        ),
        (
            "delete_argocd_app",
            json!({"app_name": "r42-new", "cascade": false, "confirm": true}),
        ),
        (
            "delete_argocd_app",
            json!({"app_name": "vault-app", "cascade": true, "confirm": true}),
        ),
    ]
}

fn assert_every_tool(called: &std::collections::BTreeSet<&str>) {
    let all: std::collections::BTreeSet<&str> = argocd_mcp::tools::definitions(false)
        .iter()
        .map(|d| d.name)
        .collect();
    assert_eq!(all.len(), 33, "{all:?}");
    assert_eq!(&all, called, "every tool must be called");
}

/// Held: every tool of the server, on the seeded world with proxy credentials added to a
/// cluster and a repository, with the arguments that reach the most fields, the whole HTTP
/// answers (progress included) and the server's log: no `S33D` anywhere.
#[tokio::test]
async fn review42_held_every_tool_of_the_server() {
    let world = seeded(&[]).await;
    let mut called = std::collections::BTreeSet::new();
    let mut found = Vec::new();
    let mut transcript = String::new();
    for (tool, arguments) in every_call() {
        let answer = whole_answer(&world, tool, arguments.clone()).await;
        println!(
            "== {tool} {arguments}\n{}",
            answer.chars().take(3000).collect::<String>()
        );
        found.extend(shown(&format!("server {tool} {arguments}"), &answer));
        called.insert(tool);
        transcript.push_str(&answer);
    }
    found.extend(shown("server log", &world.stderr()));
    assert_none(found);
    assert_every_tool(&called);
    let unescaped = transcript.replace("\\\"", "\"");
    for evidence in [
        "proxy.example.com:3128",
        "k8s-r42.example.com",
        "https://git.example.com/platform/vault-app.git",
        "https://git.example.com/platform/vault-multi-values.git",
        "r42-r42-proxied",
        "Authorization: ***",
        "grafana.example.com/d/abc",
        "kibana.example.com",
        "progress",
    ] {
        assert!(unescaped.contains(evidence), "never reached: {evidence}");
    }
}

/// Held: the plugin's cluster, repository and project tools on the same world.
#[tokio::test]
async fn review42_held_platform_tools_of_the_plugin() {
    let world = seeded(&[]).await;
    let env = plugin_env(&world.standin);
    let (p, mut s) = harness().plugin(&env).await.unwrap();
    let mut answers = Vec::new();
    for answer in [
        p.call_list_argocd_clusters(&mut s, Some(500), None, None)
            .await,
        p.call_get_argocd_cluster(&mut s, "r42-proxied", None).await,
        p.call_list_argocd_repositories(&mut s, Some(500), None, None)
            .await,
        p.call_get_argocd_project(&mut s, "default", None).await,
        p.call_list_argocd_projects(&mut s, None, None, None).await,
    ] {
        let (Ok(a) | Err(a)) = answer.expect("plugin answers");
        answers.push(a);
    }
    let all = answers.join("\n");
    println!("{all}");
    assert_none(shown("plugin", &all));
    assert!(all.contains("proxy.example.com:3128"), "{all}");
    assert!(all.contains("git.example.com/platform/r42.git"), "{all}");
}

/// Held: the approval question of changes that rewrite fields holding credentials (a patch
/// replacing multi-source `sources` whole, Helm parameters, Helm values one line away from a
/// password, plugin env; an upsert over the seeded app; a sync at a revision git refuses).
#[tokio::test]
async fn review42_held_approval_questions_of_wider_changes() {
    let world = seeded(&[("require_approval", "true")]).await;
    let values =
        "replicaCount: 3\npostgresql:\n  auth:\n    username: app\n    password: S33D-values-pw\n";
    let calls = [
        (
            "patch_argocd_app",
            json!({"app_name": "vault-multi", "patch": {"spec": {"sources": [{"repoURL": "https://git.example.com/platform/other.git", "path": "a", "targetRevision": "HEAD"}]}}, "confirm": true}),
        ),
        (
            "patch_argocd_app",
            json!({"app_name": "vault-app", "patch": {"spec": {"source": {"helm": {"parameters": [{"name": "image.tag", "value": "v2"}]}}}}, "confirm": true}),
        ),
        (
            "patch_argocd_app",
            json!({"app_name": "vault-app", "patch": {"spec": {"source": {"helm": {"valuesObject": {"ingress": {"enabled": false}}}}}}, "confirm": true}),
        ),
        (
            "patch_argocd_app",
            json!({"app_name": "vault-app", "patch": {"spec": {"source": {"helm": {"values": values.replace("S33D-values-pw", "x")}}}}, "confirm": true}),
        ),
        (
            "patch_argocd_app",
            json!({"app_name": "vault-app", "patch": {"spec": {"source": {"repoURL": "https://git.example.com/platform/vault-app.git"}}}, "confirm": true}),
        ),
        (
            "patch_argocd_app",
            json!({"app_name": "vault-app", "patch": {"spec": {"source": null, "sources": [{"repoURL": "https://git.example.com/platform/vault-app.git", "path": "deploy/vault-app"}]}}, "confirm": true}),
        ),
        (
            "create_argocd_app",
            json!({"name": "vault-app", "project": "default", "repo_url": "https://git.example.com/platform/vault-app.git", "path": "deploy/vault-app", "dest_namespace": "vault-app", "upsert": true, "confirm": true}),
        ),
        (
            "create_argocd_app",
            json!({"name": "vault-multi", "project": "default", "repo_url": "https://git.example.com/platform/x.git", "path": "x", "dest_namespace": "x", "upsert": true, "confirm": true}),
        ),
        (
            "sync_argocd_app",
            json!({"app_name": "vault-app", "revision": "feature-x", "confirm": true}),
        ),
        (
            "sync_argocd_app",
            json!({"app_name": "vault-multi", "revisions": ["feature-x", "HEAD"], "source_positions": [1, 2], "confirm": true}),
        ),
        (
            "rollback_argocd_app",
            json!({"app_name": "vault-multi", "history_id": 0, "confirm": true}),
        ),
        (
            "delete_argocd_app",
            json!({"app_name": "vault-multi", "cascade": true, "confirm": true}),
        ),
        (
            "run_argocd_resource_action",
            json!({"app_name": "vault-app", "kind": "Deployment", "resource_name": "vault-app", "group": "apps", "version": "v1", "action": "restart", "confirm": true}),
        ),
        (
            "delete_argocd_resource",
            json!({"app_name": "vault-app", "kind": "ConfigMap", "resource_name": "vault-app", "version": "v1", "confirm": true}),
        ),
    ];
    let mut found = Vec::new();
    let mut asked = 0;
    for (tool, arguments) in calls {
        let text = asked_text(&world, &json!({"name": tool, "arguments": arguments})).await;
        if text.contains("An agent asks to run") {
            asked += 1;
        }
        found.extend(shown(&format!("{tool} {arguments} question"), &text));
    }
    assert_none(found);
    assert!(asked >= 9, "only {asked} questions were put");
}

/// K1: names of several keys (`API_KEYS`, `ENCRYPTION_KEYS`, `serviceKeys`), where the
/// singular (`API_KEY`, `encryptionKey`) is hidden: as a ConfigMap's keys, an env entry, YAML
/// text (Argo CD notifications' PagerDuty v2 `serviceKeys`) and an env file.
#[tokio::test]
async fn review42_fixed_k1_plural_key_names() {
    let shapes: Vec<LiveShape> = vec![
        (
            "plural key names as ConfigMap keys",
            config_map(
                "r42-k1",
                json!({"API_KEYS": "S33D-r42-k1a", "ENCRYPTION_KEYS": "S33D-r42-k1b",
                       "DEPLOY_KEYS": "S33D-r42-k1c", "accessKeys": "S33D-r42-k1d",
                       "signing_keys": "S33D-r42-k1e", "MASTER_KEYS": "S33D-r42-k1f"}),
            ),
            &[
                "S33D-r42-k1a",
                "S33D-r42-k1b",
                "S33D-r42-k1c",
                "S33D-r42-k1d",
                "S33D-r42-k1e",
                "S33D-r42-k1f",
            ],
        ),
        (
            "notifications pagerdutyv2 serviceKeys",
            json!({"apiVersion": "v1", "kind": "ConfigMap",
                   "metadata": {"name": "argocd-notifications-cm", "namespace": "guestbook"},
                   "data": {"service.pagerdutyv2": "serviceKeys:\n  my-service: S33D-r42-k1g\n  other-service: S33D-r42-k1h\n",
                            "env": "API_KEYS=S33D-r42-k1i\nLOG_LEVEL=info\n"}}),
            &["S33D-r42-k1g", "S33D-r42-k1h", "S33D-r42-k1i"],
        ),
        (
            "env entry and values under plural names",
            json!({"apiVersion": "apps/v1", "kind": "Deployment",
                   "metadata": {"name": "r42-k1-deploy", "namespace": "guestbook"},
                   "spec": {"template": {"spec": {"containers": [{"name": "c", "image": "x",
                       "env": [{"name": "API_KEYS", "value": "S33D-r42-k1j"}],
                       "args": ["--encryption-keys=S33D-r42-k1k"]}]}},
                            "serviceKeys": {"my-service": "S33D-r42-k1l"}}}),
            &["S33D-r42-k1j", "S33D-r42-k1k", "S33D-r42-k1l"],
        ),
    ];
    assert_none(leaks_in_live(&shapes).await);
}

/// K1 in free text (a condition message): an env line, JSON, a Helm `--set`.
#[tokio::test]
async fn review42_fixed_k1_plural_key_names_in_text() {
    let shapes = [
        (
            "env line",
            "exec: API_KEYS=S33D-r42-k1m ENCRYPTION_KEYS=S33D-r42-k1n ./run",
            "S33D-r42-k1m",
        ),
        (
            "env line 2",
            "exec: API_KEYS=S33D-r42-k1m ENCRYPTION_KEYS=S33D-r42-k1n ./run",
            "S33D-r42-k1n",
        ),
        (
            "json",
            "bad config {\"serviceKeys\":{\"svc\":\"S33D-r42-k1o\"}}",
            "S33D-r42-k1o",
        ),
        (
            "vault init output",
            "init: {\"unseal_keys_b64\":[\"S33D-r42-k1r\"],\"unseal_threshold\":3}",
            "S33D-r42-k1r",
        ),
        (
            "flag",
            "helm template --set encryptionKeys[0]=S33D-r42-k1q",
            "S33D-r42-k1q",
        ),
    ];
    assert_none(leaks_in_named_conditions(&shapes).await);
}

/// Held: Argo CD's own ConfigMaps as an app of the Argo CD instance manages them
/// (argocd-cm's `dex.config` and `oidc.config`, argocd-notifications-cm's services with their
/// credentials written inline instead of as `$secret` references), through get_argocd_resource.
#[tokio::test]
async fn review42_held_argocd_config_maps() {
    let shapes: Vec<LiveShape> = vec![
        (
            "argocd-cm",
            json!({"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": "argocd-cm", "namespace": "guestbook"},
            "data": {
                "url": "https://argocd.example.com",
                "dex.config": "connectors:\n- type: github\n  id: github\n  name: GitHub\n  config:\n    clientID: abc\n    clientSecret: S33D-r42-dex-gh\n- type: ldap\n  id: ldap\n  name: LDAP\n  config:\n    host: ldap.example.com:636\n    bindDN: cn=admin,dc=example,dc=com\n    bindPW: S33D-r42-dex-ldap\n",
                "oidc.config": "name: Okta\nissuer: https://example.okta.com\nclientID: xyz\nclientSecret: S33D-r42-oidc\nrequestedScopes: [\"openid\"]\n",
                "repositories": "- url: https://git.example.com/a.git\n  passwordSecret:\n    name: repo\n    key: password\n",
                "helm.repositories": "- url: https://charts.example.com\n  name: c\n  username: u\n  password: S33D-r42-helm-legacy\n"
            }}),
            &[
                "S33D-r42-dex-gh",
                "S33D-r42-dex-ldap",
                "S33D-r42-oidc",
                "S33D-r42-helm-legacy",
            ],
        ),
        (
            "argocd-notifications-cm",
            json!({"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": "argocd-notifications-cm", "namespace": "guestbook"},
            "data": {
                "service.slack": "token: xoxb-S33D-r42-slack-0000\nusername: argocd\n",
                "service.email.gmail": "username: argocd@example.com\npassword: S33D-r42-gmail\nhost: smtp.gmail.com\nport: 465\nfrom: argocd@example.com\n",
                "service.webhook.github": "url: https://api.github.com\nheaders:\n- name: Authorization\n  value: token S33D-r42-wh-header\n- name: X-Custom\n  value: plain\nbasicAuth:\n  username: bot\n  password: S33D-r42-wh-basic\n",
                "service.opsgenie": "apiUrl: https://api.opsgenie.com\napiKeys:\n  my-team: S33D-r42-opsgenie\n",
                "service.alertmanager": "targets:\n- 10.0.0.1:9093\nbasicAuth:\n  username: u\n  password: S33D-r42-am-basic\nbearerToken: S33D-r42-am-bearer\n",
                "service.teams": "recipientUrls:\n  channel: https://example.webhook.office.com/webhookb2/r42-group-id@r42-tenant-id/IncomingWebhook/S33D-r42-teams-b/c\n",
                "service.googlechat": "webhooks:\n  space: https://chat.googleapis.com/v1/spaces/AAA/messages?key=S33D-r42-gkey&token=S33D-r42-gtok\n",
                "service.newrelic": "apiURL: https://api.newrelic.com\napiKey: S33D-r42-newrelic\n",
                "service.github": "appID: 1\ninstallationID: 2\nprivateKey: |\n  -----BEGIN RSA PRIVATE KEY-----\n  MIIS33Dr42githubappkeybody\n  -----END RSA PRIVATE KEY-----\n",
                "service.rocketchat": "email: a@example.com\npassword: S33D-r42-rocket\n",
                "service.pushover": "token: S33D-r42-pushover\n",
                "service.telegram": "token: 123456:S33D-r42-telegram\n",
                "service.webex": "token: S33D-r42-webex\n",
                "service.grafana": "apiUrl: https://grafana.example.com/api\napiKey: S33D-r42-grafana\n",
                "service.mattermost": "apiURL: https://mm.example.com\ntoken: S33D-r42-mattermost\n",
                "service.pagerduty": "token: S33D-r42-pd\nfrom: a@example.com\n"
            }}),
            &[
                "S33D-r42-slack",
                "S33D-r42-gmail",
                "S33D-r42-wh-header",
                "S33D-r42-wh-basic",
                "S33D-r42-opsgenie",
                "S33D-r42-am-basic",
                "S33D-r42-am-bearer",
                "S33D-r42-teams-b",
                "S33D-r42-gkey",
                "S33D-r42-gtok",
                "S33D-r42-newrelic",
                "MIIS33Dr42githubappkeybody",
                "S33D-r42-rocket",
                "S33D-r42-pushover",
                "S33D-r42-telegram",
                "S33D-r42-webex",
                "S33D-r42-grafana",
                "S33D-r42-mattermost",
                "S33D-r42-pd",
            ],
        ),
    ];
    assert_none(leaks_in_live(&shapes).await);
}

/// K2: personal access tokens and PINs by their usual short names (`GITHUB_PAT`, the
/// Azure DevOps CLI's `AZURE_DEVOPS_EXT_PAT`, an HSM's `PKCS11_PIN`).
#[tokio::test]
async fn review42_fixed_k2_pat_and_pin_names() {
    let shapes: Vec<LiveShape> = vec![(
        "pat and pin names",
        json!({"apiVersion": "apps/v1", "kind": "Deployment",
               "metadata": {"name": "r42-k2", "namespace": "guestbook"},
               "spec": {"template": {"spec": {"containers": [{"name": "c", "image": "x",
                   "env": [{"name": "GITHUB_PAT", "value": "S33D-r42-k2a"},
                           {"name": "AZURE_DEVOPS_EXT_PAT", "value": "S33D-r42-k2b"},
                           {"name": "PKCS11_PIN", "value": "S33D-r42-k2c"},
                           {"name": "HSM_SO_PIN", "value": "S33D-r42-k2d"}]}]}},
                        "config": {"githubPat": "S33D-r42-k2e", "hsmPin": "S33D-r42-k2f"}}}),
        &[
            "S33D-r42-k2a",
            "S33D-r42-k2b",
            "S33D-r42-k2c",
            "S33D-r42-k2d",
            "S33D-r42-k2e",
            "S33D-r42-k2f",
        ],
    )];
    assert_none(leaks_in_live(&shapes).await);
}

/// Held, beside K1 and K2: the singular names and `apiKeys` (camel case) are hidden, in an
/// object and in text, so the findings' places are read by the rules.
#[tokio::test]
async fn review42_held_singular_key_names() {
    let shapes: Vec<LiveShape> = vec![(
        "singular names",
        config_map(
            "r42-k0",
            json!({"API_KEY": "S33D-r42-k0a", "ENCRYPTION_KEY": "S33D-r42-k0b", "apiKeys": "S33D-r42-k0c",
                   "DEPLOY_KEY": "S33D-r42-k0d", "GITHUB_TOKEN": "S33D-r42-k0e"}),
        ),
        &[
            "S33D-r42-k0a",
            "S33D-r42-k0b",
            "S33D-r42-k0c",
            "S33D-r42-k0d",
            "S33D-r42-k0e",
        ],
    )];
    assert_none(leaks_in_live(&shapes).await);
    let texts = [
        (
            "json list",
            "bad config {\"apiKeys\":[\"S33D-r42-k0f\"]}",
            "S33D-r42-k0f",
        ),
        (
            "env line",
            "exec: API_KEY=S33D-r42-k0g ./run",
            "S33D-r42-k0g",
        ),
    ];
    assert_none(leaks_in_named_conditions(&texts).await);
}
