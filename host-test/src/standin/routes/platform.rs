//! Projects, clusters and repositories.

use serde_json::{Value, json};

use crate::standin::State;
use crate::standin::fleet::{commit, rfc3339};
use crate::standin::manifests;

use super::*;

/// Every project the apps use, as `AppProject` objects.
pub(super) fn project_items(s: &State) -> Vec<Value> {
    let mut names: Vec<&str> = s
        .apps
        .values()
        .map(|r| r.blueprint.project.as_str())
        .collect();
    names.sort_unstable();
    names.dedup();
    names
        .iter()
        .map(|name| {
            let windows = manifests::sync_windows(name)["assignedWindows"].clone();
            let mut spec = json!({"sourceRepos": ["*"], "destinations": [{"server": "https://kubernetes.default.svc", "namespace": if *name == "default" { "*".to_string() } else { format!("{name}-*") }}], "description": format!("Apps of team {name}"), "clusterResourceWhitelist": [{"group": "*", "kind": "*"}], "roles": [{"name": "ci", "policies": [format!("p, proj:{name}:ci, applications, sync, {name}/*, allow")], "jwtTokens": [{"iat": 1_780_000_000i64, "id": "tok-1"}]}]});
            if windows.is_array() {
                spec["syncWindows"] = windows;
            }
            if s.seeded_credentials && *name == "default" {
                spec["sourceRepos"] = json!(["*", crate::standin::credentials::project_repo()]);
            }
            json!({
                "metadata": {"name": name, "namespace": "argocd", "uid": commit(name)[..8].to_string(), "resourceVersion": "3900001", "creationTimestamp": rfc3339(1_780_000_000)},
                "spec": spec,
                "status": {}
            })
        })
        .collect()
}

pub(super) fn projects(s: &State) -> Reply {
    json_reply(
        200,
        &json!({"metadata": {"resourceVersion": "3900001"}, "items": project_items(s)}),
    )
}

/// `GET /api/v1/repositories`: sanitized, as Argo CD lists them (no secrets in the real API).
pub(super) fn repositories(s: &State) -> Reply {
    let mut repos: Vec<String> = s
        .apps
        .values()
        .filter_map(|r| {
            r.app["spec"]["source"]["repoURL"]
                .as_str()
                .or_else(|| r.app["spec"]["sources"][0]["repoURL"].as_str())
                .map(str::to_owned)
        })
        .collect();
    repos.sort();
    repos.dedup();
    let mut items: Vec<Value> = repos
        .iter()
        .take(50)
        .map(|repo| json!({"repo": repo, "type": "git", "connectionState": {"status": "Successful", "message": "", "attemptedAt": rfc3339(1_782_000_000)}}))
        .collect();
    items.extend(s.review_repos.iter().cloned());
    json_reply(200, &json!({"metadata": {}, "items": items}))
}

/// The clusters Argo CD knows: in-cluster, and one it cannot reach.
pub(super) fn cluster_items(s: &State) -> Vec<Value> {
    let apps = s.apps.len();
    let cluster = |name: &str,
                   server: &str,
                   labels: Value,
                   status: &str,
                   message: &str,
                   count: usize| {
        json!({
            "server": server, "name": name, "labels": labels, "config": {"tlsClientConfig": {"insecure": false}},
            "connectionState": {"status": status, "message": message, "attemptedAt": rfc3339(1_782_000_000)},
            "serverVersion": "1.31",
            "info": {"connectionState": {"status": status, "message": message, "attemptedAt": rfc3339(1_782_000_000)}, "serverVersion": "1.31", "cacheInfo": {"resourcesCount": 4210, "apisCount": 92, "lastCacheSyncTime": rfc3339(1_782_000_000)}, "applicationsCount": count}
        })
    };
    let mut items = vec![
        cluster(
            "in-cluster",
            "https://kubernetes.default.svc",
            json!({"addons": "enabled", "env": "prod"}),
            "Successful",
            "",
            apps,
        ),
        cluster(
            "edge-eu",
            "https://edge-eu.example.com:6443",
            json!({"region": "eu"}),
            "Failed",
            "Unable to connect to cluster: the server has asked for the client to provide credentials",
            0,
        ),
    ];
    items.extend(s.review_clusters.iter().cloned());
    items
}

pub(super) fn clusters(s: &State) -> Reply {
    json_reply(200, &json!({"metadata": {}, "items": cluster_items(s)}))
}
