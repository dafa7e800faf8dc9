//! The live side of an app: resource tree (fixture 04's shape), events (fixture 07's), and pod
//! logs as the NDJSON stream of v3.5.1 (fixture 10, api-notes §i).

use serde_json::{Value, json};

use super::fleet::{Blueprint, commit, rfc3339};

const TREE_TIME: u64 = 1_782_000_000;

/// A pod with its owners, so log queries can select by any ancestor.
pub struct PodLineage {
    pub deployment: String,
    pub replica_set: String,
    pub pod: String,
}

/// Pods the tree holds for an app: two per Deployment, through a ReplicaSet.
pub fn pods(bp: &Blueprint) -> Vec<PodLineage> {
    deployments(bp)
        .iter()
        .flat_map(|d| {
            let rs = format!("{d}-{}", &commit(d)[..10]);
            [
                format!("{rs}-{}", &commit(&rs)[..5]),
                format!("{rs}-{}", &commit(&format!("{rs}b"))[..5]),
            ]
            .map(|pod| PodLineage {
                deployment: d.clone(),
                replica_set: rs.clone(),
                pod,
            })
        })
        .collect()
}

fn deployments(bp: &Blueprint) -> Vec<String> {
    (0..bp.resources)
        .filter(|i| i % 6 == 0)
        .map(|i| {
            if i < 6 {
                bp.name.clone()
            } else {
                format!("{}-{i}", bp.name)
            }
        })
        .collect()
}

fn uid(seed: &str) -> String {
    let h = commit(seed);
    format!(
        "{}-{}-{}-{}-{}",
        &h[..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

fn node(
    (group, version, kind): (&str, &str, &str),
    ns: &str,
    name: &str,
    parent: Option<Value>,
    health: Option<&str>,
    images: &[String],
) -> Value {
    let mut n = serde_json::Map::new();
    if !group.is_empty() {
        n.insert("group".into(), json!(group));
    }
    n.insert("version".into(), json!(version));
    n.insert("kind".into(), json!(kind));
    n.insert("namespace".into(), json!(ns));
    n.insert("name".into(), json!(name));
    n.insert("uid".into(), json!(uid(&format!("{kind}/{ns}/{name}"))));
    if let Some(parent) = parent {
        n.insert("parentRefs".into(), json!([parent]));
    }
    if kind == "Pod" {
        n.insert("info".into(), json!([{"name": "Status Reason", "value": "Running"}, {"name": "Containers", "value": "1/1"}]));
    }
    n.insert("resourceVersion".into(), json!("3924501"));
    if !images.is_empty() {
        n.insert("images".into(), json!(images));
    }
    if let Some(h) = health {
        n.insert("health".into(), json!({"status": h}));
    }
    n.insert("createdAt".into(), json!(rfc3339(TREE_TIME)));
    Value::Object(n)
}

fn parent_ref(group: &str, kind: &str, ns: &str, name: &str) -> Value {
    json!({"group": group, "kind": kind, "namespace": ns, "name": name, "uid": uid(&format!("{kind}/{ns}/{name}"))})
}

/// `GET /api/v1/applications/{name}/resource-tree`.
pub fn resource_tree(bp: &Blueprint, resources: &[Value]) -> Value {
    let ns = &bp.destination_namespace;
    let image = format!("registry.example.com/{}:v{}", bp.name, bp.history.max(1));
    let mut nodes = Vec::new();
    for r in resources {
        let group = r["group"].as_str().unwrap_or("");
        let kind = r["kind"].as_str().unwrap_or("");
        let name = r["name"].as_str().unwrap_or("");
        let health = r["health"]["status"].as_str();
        nodes.push(node(
            (group, r["version"].as_str().unwrap_or("v1"), kind),
            ns,
            name,
            None,
            health,
            &[],
        ));
        if kind == "Deployment" {
            let rs = format!("{name}-{}", &commit(name)[..10]);
            nodes.push(node(
                ("apps", "v1", "ReplicaSet"),
                ns,
                &rs,
                Some(parent_ref("apps", "Deployment", ns, name)),
                health,
                &[],
            ));
            for pod in [
                format!("{rs}-{}", &commit(&rs)[..5]),
                format!("{rs}-{}", &commit(&format!("{rs}b"))[..5]),
            ] {
                nodes.push(node(
                    ("", "v1", "Pod"),
                    ns,
                    &pod,
                    Some(parent_ref("apps", "ReplicaSet", ns, &rs)),
                    health,
                    std::slice::from_ref(&image),
                ));
            }
        }
    }
    json!({"nodes": nodes, "hosts": [{"name": "node-1", "resourcesInfo": [{"resourceName": "cpu", "requestedByApp": 100, "requestedByNeighbors": 900, "capacity": 4000}], "systemInfo": {"architecture": "amd64", "operatingSystem": "linux", "kernelVersion": "6.1.0"}}]})
}

/// Whether the tree holds a node with exactly this name, namespace and uid (events demand all three).
pub fn tree_has(tree: &Value, name: &str, namespace: &str, uid: &str) -> bool {
    tree["nodes"].as_array().is_some_and(|nodes| {
        nodes
            .iter()
            .any(|n| n["name"] == name && n["namespace"] == namespace && n["uid"] == uid)
    })
}

/// `GET /api/v1/applications/{name}/events`: the app's own events, or one resource's.
pub fn events(app: &str, involved: Option<(&str, &str, &str)>) -> Value {
    let (kind, name, namespace) = match involved {
        Some((kind, name, ns)) => (kind.to_string(), name.to_string(), ns.to_string()),
        None => ("Application".into(), app.to_string(), "argocd".into()),
    };
    let items: Vec<Value> = (0..4)
        .map(|i| {
            let (reason, message, kind_of) = match i {
                0 => ("ResourceUpdated", format!("Updated sync status:  -> Synced for {name}"), "Normal"),
                1 => ("OperationStarted", "Initiated automated sync to 'HEAD'".to_string(), "Normal"),
                2 => ("BackOff", format!("Back-off restarting failed container {name}"), "Warning"),
                _ => ("OperationCompleted", "Sync operation to HEAD succeeded".to_string(), "Normal"),
            };
            json!({
                "metadata": {"name": format!("{name}.{:x}", 0x17f0000 + i), "namespace": namespace, "uid": uid(&format!("event{name}{i}")), "resourceVersion": (4_000_000 + i).to_string(), "creationTimestamp": rfc3339(TREE_TIME + i * 60)},
                "involvedObject": {"kind": kind, "namespace": namespace, "name": name, "uid": uid(&format!("{kind}/{namespace}/{name}")), "apiVersion": "v1", "resourceVersion": "3924501"},
                "reason": reason,
                "message": message,
                "source": {"component": "argocd-application-controller"},
                "firstTimestamp": rfc3339(TREE_TIME + i * 60),
                "lastTimestamp": rfc3339(TREE_TIME + i * 60 + 30),
                "count": 1 + i,
                "type": kind_of,
                "eventTime": null,
                "reportingComponent": "",
                "reportingInstance": ""
            })
        })
        .collect();
    let mut items = items;
    if kind == "Pod" {
        items.push(failed_scheduling(&name, &namespace));
    }
    json!({"metadata": {"resourceVersion": "4000010"}, "items": items})
}

/// The scheduler's event as the core/v1 API shows it: the scheduler writes events.k8s.io/v1,
/// so both timestamps are null, `count` is left out, the time is a MicroTime in `eventTime`,
/// and a repeating event carries a `series`. The newest event of the pod.
fn failed_scheduling(pod: &str, namespace: &str) -> Value {
    json!({
        "metadata": {"name": format!("{pod}.18a1f0c2d3e4b5a6"), "namespace": namespace, "uid": uid(&format!("event{pod}sched")), "resourceVersion": "4000009", "creationTimestamp": rfc3339(TREE_TIME + 600)},
        "involvedObject": {"kind": "Pod", "namespace": namespace, "name": pod, "uid": uid(&format!("Pod/{namespace}/{pod}")), "apiVersion": "v1", "resourceVersion": "3924501"},
        "reason": "FailedScheduling",
        "message": "0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.",
        "source": {},
        "firstTimestamp": null,
        "lastTimestamp": null,
        "type": "Warning",
        "eventTime": rfc3339(TREE_TIME + 600).replace('Z', ".123456Z"),
        "series": {"count": 4, "lastObservedTime": rfc3339(TREE_TIME + 900).replace('Z', ".654321Z")},
        "action": "Scheduling",
        "reportingComponent": "default-scheduler",
        "reportingInstance": "default-scheduler-node-1"
    })
}

/// How many lines each pod logged: huge apps log a lot.
fn lines_per_pod(bp: &Blueprint) -> usize {
    if bp.resources >= 100 { 3000 } else { 40 }
}

/// Log lines of one pod, oldest first: (timestamp seconds, nanos, content).
fn pod_lines(bp: &Blueprint, pod: &str, previous: bool) -> Vec<(u64, u32, String)> {
    let count = if previous { 5 } else { lines_per_pod(bp) };
    let mut lines = (0..count)
        .map(|i| {
            let level = if i % 17 == 3 {
                "ERROR"
            } else if i % 7 == 2 {
                "WARN"
            } else {
                "INFO"
            };
            let text = match level {
                "ERROR" => format!(
                    "level=error msg=\"request failed\" path=/api/orders/{i} status=500 pod={pod}"
                ),
                "WARN" => format!(
                    "level=warn msg=\"slow upstream\" latency_ms={} pod={pod}",
                    200 + i
                ),
                _ => format!("level=info msg=\"GET /healthz 200\" seq={i} pod={pod}"),
            };
            (
                TREE_TIME + i as u64,
                (i as u32 * 7919) % 1_000_000_000,
                if previous {
                    format!("previous container: {text}")
                } else {
                    text
                },
            )
        })
        .collect::<Vec<_>>();
    let newest = TREE_TIME + count as u64;
    if bp.credentials && !previous {
        for (k, line) in super::credentials::log_lines(pod).into_iter().enumerate() {
            lines.push((newest, 10 + k as u32, line));
        }
    }
    if bp.crash_trace && !previous {
        lines.push((newest, 2, stack_trace(pod)));
    }
    lines
}

/// A Java stack trace as a JSON logger writes it: one line of about 14 KB.
pub fn stack_trace(pod: &str) -> String {
    let mut trace = format!(
        "level=error msg=\"unhandled exception\" pod={pod} exception=\"java.lang.IllegalStateException: connection pool exhausted"
    );
    let mut depth = 0;
    while trace.len() < 14 * 1024 {
        trace.push_str(&format!(
            "\\n\\tat com.example.orders.pool.ConnectionPool.acquire(ConnectionPool.java:{})",
            100 + depth
        ));
        depth += 1;
    }
    trace.push('"');
    trace
}

pub struct LogQuery<'a> {
    pub pods: Vec<String>,
    pub tail_lines: Option<usize>,
    pub since_seconds: Option<u64>,
    pub filter: Option<&'a str>,
    pub match_case: bool,
    pub previous: bool,
}

/// The NDJSON body, merged by timestamp, ending with the `last: true` entry.
pub fn log_stream(bp: &Blueprint, query: &LogQuery) -> String {
    let now = super::auth::unix_now();
    let mut entries: Vec<(u64, u32, String, String)> = Vec::new();
    for pod in &query.pods {
        let mut lines = pod_lines(bp, pod, query.previous);
        if let Some(filter) = query.filter.filter(|f| !f.is_empty()) {
            let (negate, needle) = match filter.strip_prefix('!') {
                Some(rest) => (true, rest),
                None => (false, filter),
            };
            lines.retain(|(_, _, text)| {
                let found = if query.match_case {
                    text.contains(needle)
                } else {
                    text.to_lowercase().contains(&needle.to_lowercase())
                };
                found != negate
            });
        }
        if let Some(since) = query.since_seconds.filter(|s| *s > 0) {
            // The generated history is old; "since" keeps the newest lines as if time were now.
            let keep = (since as usize).min(lines.len());
            lines.drain(..lines.len() - keep);
        }
        if let Some(tail) = query.tail_lines.filter(|t| *t > 0) {
            let skip = lines.len().saturating_sub(tail);
            lines.drain(..skip);
        }
        entries.extend(
            lines
                .into_iter()
                .map(|(s, n, text)| (s, n, text, pod.clone())),
        );
    }
    entries.sort_by_key(|e| (e.0, e.1));
    let mut body = String::new();
    for (secs, nanos, content, pod) in entries {
        let line = json!({"result": {"content": content, "timeStamp": rfc3339(secs), "last": false, "timeStampStr": rfc3339(secs).replace('Z', &format!(".{nanos:09}Z")), "podName": pod}});
        body.push_str(&line.to_string());
        body.push('\n');
    }
    let last = json!({"result": {"content": "", "timeStamp": rfc3339(now), "last": true, "timeStampStr": rfc3339(now), "podName": ""}});
    body.push_str(&last.to_string());
    body.push('\n');
    body
}
