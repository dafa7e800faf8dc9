//! Generated Applications shaped like fixture 03 (a real `GET /api/v1/applications/{name}`),
//! in Go's key order, with the sizes of real fleets.

use serde_json::{Value, json};
use sha2::{Digest, Sha256};

/// What one generated app looks like.
#[derive(Debug, Clone)]
pub struct Blueprint {
    pub name: String,
    pub project: String,
    pub destination_namespace: String,
    pub health: String,
    pub sync: String,
    pub auto_sync: bool,
    pub resources: usize,
    pub history: usize,
    pub multi_source: bool,
    /// Phase of the last operation, or none if the app never synced.
    pub last_operation: Option<String>,
    pub labels: Vec<(String, String)>,
    /// Credentials wherever Argo CD can hold them (see `credentials`).
    pub credentials: bool,
    /// The newest line of each pod is a 14 KB stack trace logged as one line.
    pub crash_trace: bool,
}

impl Blueprint {
    /// A healthy, synced single-source app with three resources and three deploys.
    pub fn new(name: &str) -> Self {
        Blueprint {
            name: name.into(),
            project: "default".into(),
            destination_namespace: name.into(),
            health: "Healthy".into(),
            sync: "Synced".into(),
            auto_sync: false,
            resources: 3,
            history: 3,
            multi_source: false,
            last_operation: Some("Succeeded".into()),
            labels: Vec::new(),
            credentials: false,
            crash_trace: false,
        }
    }
}

/// A deterministic 40-hex commit id.
pub fn commit(seed: &str) -> String {
    let digest = Sha256::digest(seed.as_bytes());
    digest.iter().take(20).map(|b| format!("{b:02x}")).collect()
}

/// RFC 3339 UTC for a Unix time, as Go's metav1.Time prints it.
pub fn rfc3339(unix: u64) -> String {
    let days = (unix / 86_400) as i64;
    let secs = unix % 86_400;
    // Howard Hinnant's days-to-civil.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

const BASE_TIME: u64 = 1_782_000_000; // mid-2026

pub fn source(name: &str, index: usize) -> Value {
    json!({
        "repoURL": format!("https://git.example.com/platform/{}.git", if index == 0 { name.to_string() } else { format!("{name}-values") }),
        "path": format!("deploy/{name}"),
        "targetRevision": "HEAD"
    })
}

/// A source of the app: seeded ones carry credentials.
pub fn source_of(bp: &Blueprint, index: usize) -> Value {
    if bp.credentials {
        super::credentials::source(&bp.name, index)
    } else {
        source(&bp.name, index)
    }
}

fn resource_kinds(i: usize) -> (&'static str, &'static str, &'static str) {
    match i % 6 {
        0 => ("apps", "v1", "Deployment"),
        1 => ("", "v1", "Service"),
        2 => ("", "v1", "ConfigMap"),
        3 => ("networking.k8s.io", "v1", "Ingress"),
        4 => ("", "v1", "Secret"),
        _ => ("autoscaling", "v2", "HorizontalPodAutoscaler"),
    }
}

/// The resources of an app as `status.resources[]` lists them (health filled, as GET does).
pub fn resources(bp: &Blueprint) -> Vec<Value> {
    let mut all = generated_resources(bp);
    if bp.credentials {
        all.extend(super::credentials::child_resources(bp));
    }
    all
}

fn generated_resources(bp: &Blueprint) -> Vec<Value> {
    (0..bp.resources)
        .map(|i| {
            let (group, version, kind) = resource_kinds(i);
            let name = if i < 6 {
                bp.name.clone()
            } else {
                format!("{}-{i}", bp.name)
            };
            let degraded = bp.health == "Degraded" && i == 0;
            let out_of_sync = bp.sync == "OutOfSync" && i == 2;
            let mut r = serde_json::Map::new();
            if !group.is_empty() {
                r.insert("group".into(), json!(group));
            }
            r.insert("version".into(), json!(version));
            r.insert("kind".into(), json!(kind));
            r.insert("namespace".into(), json!(bp.destination_namespace));
            r.insert("name".into(), json!(name));
            r.insert(
                "status".into(),
                json!(if out_of_sync { "OutOfSync" } else { "Synced" }),
            );
            if matches!(
                kind,
                "Deployment" | "Service" | "Ingress" | "HorizontalPodAutoscaler"
            ) {
                let health = if degraded {
                    "Degraded"
                } else if bp.health == "Progressing" && i == 0 {
                    "Progressing"
                } else {
                    "Healthy"
                };
                r.insert("health".into(), json!({"status": health}));
            }
            Value::Object(r)
        })
        .collect()
}

pub fn history_entry(bp: &Blueprint, id: i64, revision: &str, deployed_at: u64, by: &str) -> Value {
    let initiated = if by == "automated" {
        json!({"automated": true})
    } else {
        json!({"username": by})
    };
    if bp.multi_source {
        json!({
            "deployedAt": rfc3339(deployed_at),
            "id": id,
            "source": {"repoURL": ""},
            "deployStartedAt": rfc3339(deployed_at - 1),
            "sources": [source_of(bp, 0), source_of(bp, 1)],
            "initiatedBy": initiated,
            "revisions": [revision, commit(&format!("{revision}-values"))]
        })
    } else {
        json!({
            "revision": revision,
            "deployedAt": rfc3339(deployed_at),
            "id": id,
            "source": source_of(bp, 0),
            "deployStartedAt": rfc3339(deployed_at - 1),
            "initiatedBy": initiated
        })
    }
}

/// A finished operation as `status.operationState` shows it.
pub fn operation_state(
    bp: &Blueprint,
    phase: &str,
    revision: &str,
    started: u64,
    finished: Option<u64>,
    message: &str,
) -> Value {
    let results: Vec<Value> = resources(bp)
        .iter()
        .take(20)
        .enumerate()
        .map(|(i, r)| {
            let failed = phase == "Failed" && i == 0;
            json!({
                "group": r.get("group").cloned().unwrap_or(json!("")),
                "version": r["version"], "kind": r["kind"], "namespace": r["namespace"], "name": r["name"],
                "status": if failed { "SyncFailed" } else { "Synced" },
                "message": if failed { format!("one or more objects failed to apply, reason: {} is invalid", r["name"].as_str().unwrap_or("")) } else { format!("{}/{} configured", r["kind"].as_str().unwrap_or("").to_lowercase(), r["name"].as_str().unwrap_or("")) },
                "hookPhase": if failed { "Failed" } else { "Running" },
                "syncPhase": "Sync"
            })
        })
        .collect();
    let mut state = json!({
        "operation": {"sync": {"revision": revision, "syncStrategy": {"hook": {}}}, "initiatedBy": {"username": "admin"}, "retry": {}},
        "phase": phase,
        "message": message,
        "syncResult": {"resources": results, "revision": revision, "source": source_of(bp, 0)},
        "startedAt": rfc3339(started),
    });
    if let Some(finished) = finished {
        state["finishedAt"] = json!(rfc3339(finished));
    }
    state
}

/// The whole Application object.
pub fn application(bp: &Blueprint, seq: usize) -> Value {
    let created = BASE_TIME - 86_400 * 30 + seq as u64 * 17;
    let revisions: Vec<String> = (0..bp.history.max(1))
        .map(|h| commit(&format!("{}-{h}", bp.name)))
        .collect();
    let current = revisions.last().cloned().unwrap_or_default();
    let destination =
        json!({"server": "https://kubernetes.default.svc", "namespace": bp.destination_namespace});
    let mut labels = serde_json::Map::new();
    for (k, v) in &bp.labels {
        labels.insert(k.clone(), json!(v));
    }
    let mut metadata = json!({
        "name": bp.name,
        "namespace": "argocd",
        "uid": format!("{}-4305-42fc-bfe3-{}", &commit(&bp.name)[..8], &commit(&format!("uid{}", bp.name))[..12]),
        "resourceVersion": (3_900_000 + seq * 7).to_string(),
        "generation": 100 + seq,
        "creationTimestamp": rfc3339(created),
    });
    if !labels.is_empty() {
        metadata["labels"] = Value::Object(labels);
    }
    metadata["managedFields"] = json!([{
        "manager": "argocd-server", "operation": "Update", "apiVersion": "argoproj.io/v1alpha1",
        "time": rfc3339(created + 60), "fieldsType": "FieldsV1",
        "fieldsV1": {"f:spec": {".": {}, "f:destination": {".": {}, "f:namespace": {}, "f:server": {}}, "f:project": {}, "f:source": {".": {}, "f:path": {}, "f:repoURL": {}, "f:targetRevision": {}}},
                      "f:status": {".": {}, "f:health": {}, "f:sourceHydrator": {}, "f:summary": {}, "f:sync": {".": {}, "f:comparedTo": {".": {}, "f:destination": {}, "f:source": {}}}}}
    }]);
    let mut spec = serde_json::Map::new();
    if bp.multi_source {
        spec.insert(
            "sources".into(),
            json!([source_of(bp, 0), source_of(bp, 1)]),
        );
    } else {
        spec.insert("source".into(), source_of(bp, 0));
    }
    spec.insert("destination".into(), destination.clone());
    spec.insert("project".into(), json!(bp.project));
    if bp.auto_sync {
        spec.insert(
            "syncPolicy".into(),
            json!({"automated": {"prune": true, "selfHeal": true}}),
        );
    }
    let history: Vec<Value> = revisions
        .iter()
        .take(bp.history)
        .enumerate()
        .map(|(i, rev)| {
            history_entry(
                bp,
                i as i64,
                rev,
                created + 3600 * (i as u64 + 1),
                if bp.auto_sync { "automated" } else { "admin" },
            )
        })
        .collect();
    let mut sync = json!({"status": bp.sync, "comparedTo": {"destination": destination}});
    if bp.multi_source {
        sync["comparedTo"]["sources"] = json!([source_of(bp, 0), source_of(bp, 1)]);
        sync["revisions"] = json!([current, commit(&format!("{current}-values"))]);
    } else {
        sync["comparedTo"]["source"] = source_of(bp, 0);
        sync["revision"] = json!(current);
    }
    let mut status = serde_json::Map::new();
    status.insert("resources".into(), json!(resources(bp)));
    status.insert("sync".into(), sync);
    status.insert(
        "health".into(),
        json!({"status": bp.health, "lastTransitionTime": rfc3339(created + 7200)}),
    );
    if !history.is_empty() {
        status.insert("history".into(), json!(history));
    }
    if bp.credentials {
        // Go's order: history, conditions, reconciledAt.
        status.insert("conditions".into(), super::credentials::conditions());
    }
    status.insert("reconciledAt".into(), json!(rfc3339(BASE_TIME)));
    if let Some(phase) = &bp.last_operation {
        let message = match phase.as_str() {
            _ if bp.credentials => super::credentials::operation_message(&bp.name),
            "Succeeded" => "successfully synced (all tasks run)".to_string(),
            "Running" => "waiting for healthy state of apps/Deployment/".to_string() + &bp.name,
            _ => "one or more synchronization tasks completed unsuccessfully".to_string(),
        };
        let finished = (phase != "Running").then_some(created + 7201);
        status.insert(
            "operationState".into(),
            operation_state(bp, phase, &current, created + 7199, finished, &message),
        );
    }
    status.insert(
        "sourceType".into(),
        json!(if bp.multi_source { "Helm" } else { "Directory" }),
    );
    status.insert(
        "summary".into(),
        json!({"images": [format!("registry.example.com/{}:v{}", bp.name, bp.history.max(1))]}),
    );
    status.insert("resourceHealthSource".into(), json!("appTree"));
    status.insert("controllerNamespace".into(), json!("argocd"));
    status.insert("sourceHydrator".into(), json!({}));
    let mut app =
        json!({"metadata": metadata, "spec": Value::Object(spec), "status": Value::Object(status)});
    if bp.last_operation.as_deref() == Some("Running") {
        app["operation"] = json!({"sync": {"revision": current, "syncStrategy": {"hook": {}}}, "initiatedBy": {"username": "admin"}, "retry": {}});
    }
    app
}

const TEAMS: &[&str] = &[
    "payments", "search", "checkout", "identity", "platform", "data",
];
const SERVICES: &[&str] = &[
    "api",
    "worker",
    "gateway",
    "frontend",
    "scheduler",
    "cache",
    "indexer",
    "notifier",
];

/// `count` apps with a realistic spread of health, sync, projects and sizes; the same every time.
pub fn fleet(count: usize) -> Vec<Blueprint> {
    (0..count)
        .map(|i| {
            let team = TEAMS[i % TEAMS.len()];
            let service = SERVICES[(i / TEAMS.len()) % SERVICES.len()];
            let env = ["prod", "staging", "dev"][i % 3];
            let mut bp = Blueprint::new(&format!("{team}-{service}-{env}-{i:04}"));
            bp.project = team.into();
            bp.destination_namespace = format!("{team}-{env}");
            bp.health = match (i / TEAMS.len()) % 20 {
                3 => "Degraded",
                7 | 11 => "Progressing",
                13 => "Missing",
                17 => "Suspended",
                _ => "Healthy",
            }
            .into();
            bp.sync = if (i / TEAMS.len()) % 9 == 4 {
                "OutOfSync"
            } else {
                "Synced"
            }
            .into();
            bp.auto_sync = i % 4 == 0;
            bp.resources = 4 + i % 5;
            bp.history = 1 + i % 5;
            bp.multi_source = i % 25 == 5;
            bp.last_operation = match i % 50 {
                21 => Some("Failed".into()),
                _ => Some("Succeeded".into()),
            };
            bp.labels = vec![("team".into(), team.into()), ("env".into(), env.into())];
            bp
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_print_like_go() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(1_755_071_344), "2025-08-13T07:49:04Z");
    }

    #[test]
    fn a_fleet_app_weighs_like_a_real_one() {
        let app = application(&fleet(10)[3], 3);
        let size = app.to_string().len();
        assert!((3_000..8_000).contains(&size), "{size} bytes");
        assert!(app["status"]["history"][0]["id"].is_i64());
    }
}
