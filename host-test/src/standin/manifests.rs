//! Desired and live objects of an app's resources: managed-resources (with the diff Argo CD
//! computes), one live resource, resource actions, revision metadata (fixture 05), sync windows.

use serde_json::{Value, json};

use super::fleet::{Blueprint, commit, rfc3339};

/// The object git wants for one `status.resources[]` entry.
pub fn desired(bp: &Blueprint, resource: &Value) -> Value {
    let kind = resource["kind"].as_str().unwrap_or("");
    if resource["group"] == "argoproj.io" {
        return super::credentials::child_object(bp, kind, false);
    }
    let name = resource["name"].as_str().unwrap_or("");
    let api_version = match resource["group"].as_str() {
        Some(group) if !group.is_empty() => {
            format!("{group}/{}", resource["version"].as_str().unwrap_or("v1"))
        }
        _ => resource["version"].as_str().unwrap_or("v1").to_string(),
    };
    let metadata = json!({"name": name, "namespace": bp.destination_namespace, "labels": {"app.kubernetes.io/instance": bp.name}});
    let image = format!("registry.example.com/{}:v{}", bp.name, bp.history.max(1));
    let spec = match kind {
        "Deployment" => {
            json!({"spec": {"replicas": 3, "selector": {"matchLabels": {"app": name}}, "template": {"metadata": {"labels": {"app": name}}, "spec": {"containers": [{"name": name, "image": image, "ports": [{"containerPort": 8080}]}]}}}})
        }
        "Service" => {
            json!({"spec": {"selector": {"app": name}, "ports": [{"port": 80, "targetPort": 8080}]}})
        }
        "ConfigMap" => json!({"data": {"LOG_LEVEL": "info", "FEATURE_FLAGS": "checkout-v2"}}),
        "Secret" => {
            json!({"type": "Opaque", "data": {"DATABASE_PASSWORD": "c3VwZXItc2VjcmV0LWRiLXBhc3N3b3Jk", "API_KEY": "YWJjZGVmMTIzNDU2"}})
        }
        "Ingress" => {
            json!({"spec": {"rules": [{"host": format!("{name}.example.com"), "http": {"paths": [{"path": "/", "pathType": "Prefix", "backend": {"service": {"name": name, "port": {"number": 80}}}}]}}]}})
        }
        _ => json!({"spec": {"minReplicas": 2, "maxReplicas": 10}}),
    };
    let mut object = json!({"apiVersion": api_version, "kind": kind, "metadata": metadata});
    for (k, v) in spec.as_object().into_iter().flatten() {
        object[k] = v.clone();
    }
    if let Some(config) = bp
        .credentials
        .then(|| super::credentials::workload_config(kind))
        .flatten()
    {
        match kind {
            "Deployment" => object["spec"]["template"]["spec"]["containers"][0]["env"] = config,
            _ => {
                for (k, v) in config.as_object().into_iter().flatten() {
                    object["data"][k] = v.clone();
                }
            }
        }
    }
    object
}

/// The object in the cluster: what git wants, drifted where the resource is OutOfSync, plus the
/// fields the API server adds.
pub fn live(bp: &Blueprint, resource: &Value) -> Value {
    let mut object = if resource["group"] == "argoproj.io" {
        super::credentials::child_object(bp, resource["kind"].as_str().unwrap_or(""), true)
    } else {
        desired(bp, resource)
    };
    let name = resource["name"].as_str().unwrap_or("");
    object["metadata"]["uid"] = json!(commit(&format!("live/{name}"))[..8].to_string());
    object["metadata"]["resourceVersion"] = json!("3924501");
    object["metadata"]["creationTimestamp"] = json!(rfc3339(1_782_000_000));
    object["metadata"]["managedFields"] =
        json!([{"manager": "argocd-controller", "operation": "Apply"}]);
    if resource["status"] == "OutOfSync" {
        match resource["kind"].as_str() {
            Some("ConfigMap") => object["data"]["LOG_LEVEL"] = json!("debug"),
            Some("Deployment") => object["spec"]["replicas"] = json!(1),
            _ => object["metadata"]["labels"]["drifted"] = json!("true"),
        }
    }
    if resource["kind"] == "Deployment" {
        object["status"] = json!({"replicas": 3, "readyReplicas": 3, "observedGeneration": 7});
    }
    object
}

/// Argo CD hides Secret values (`util/argo/diff/normalize` HideSecretData): same length of `+`.
pub fn mask_secret(object: &mut Value) {
    if object["kind"] != "Secret" {
        return;
    }
    for key in ["data", "stringData"] {
        if let Some(map) = object.get_mut(key).and_then(Value::as_object_mut) {
            for value in map.values_mut() {
                let len = value.as_str().map_or(8, str::len);
                *value = json!("+".repeat(len.min(16)));
            }
        }
    }
}

/// `GET /api/v1/applications/{name}/managed-resources`: states are JSON *strings*.
pub fn managed_resources(bp: &Blueprint, resources: &[Value]) -> Value {
    let items: Vec<Value> = resources
        .iter()
        .map(|r| {
            let mut target = desired(bp, r);
            let mut live_state = live(bp, r);
            mask_secret(&mut target);
            mask_secret(&mut live_state);
            json!({
                "group": r.get("group").cloned().unwrap_or(json!("")),
                "kind": r["kind"], "namespace": r["namespace"], "name": r["name"],
                "targetState": target.to_string(),
                "liveState": live_state.to_string(),
                "normalizedLiveState": live_state.to_string(),
                "predictedLiveState": target.to_string(),
                "resourceVersion": "3924501",
                "modified": r["status"] == "OutOfSync"
            })
        })
        .collect();
    json!({"items": items})
}

/// Built-in actions of a kind (the Lua actions Argo CD ships), `disabled` omitted when false.
pub fn actions(kind: &str) -> Value {
    let names: &[&str] = match kind {
        "Deployment" => &["restart", "pause", "resume"],
        "StatefulSet" | "DaemonSet" => &["restart"],
        "Application" => &["refresh"],
        _ => &[],
    };
    let actions: Vec<Value> = names
        .iter()
        .map(|n| {
            if *n == "resume" {
                json!({"name": n, "disabled": true})
            } else {
                json!({"name": n})
            }
        })
        .collect();
    json!({"actions": actions})
}

/// `GET …/revisions/{revision}/metadata`, shaped like fixture 05.
pub fn revision_metadata(bp: &Blueprint, revision: &str, index: usize) -> Value {
    json!({
        "author": format!("Dev {} <dev{}@example.com>", index + 1, index + 1),
        "date": rfc3339(1_782_000_000 + index as u64 * 3600),
        "tags": if index == 0 { json!(["v1.0.0"]) } else { json!(null) },
        "message": format!("deploy {}: change {}\n\nReviewed-by: platform-team", bp.name, &revision[..7]),
    })
}

/// `GET …/syncwindows`: project `data` has a deny window open now.
pub fn sync_windows(project: &str) -> Value {
    let window = json!({"kind": "deny", "schedule": "0 0 * * *", "duration": "24h", "applications": ["*"], "namespaces": [], "clusters": [], "manualSync": false, "timeZone": "UTC"});
    if project == "data" {
        json!({"activeWindows": [window], "assignedWindows": [window], "canSync": false})
    } else {
        json!({"canSync": true})
    }
}
