//! The live side of one app: its resource tree and its Kubernetes events.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{Tool, app_path, page_bounds, paginate};
use crate::argocd::{ArgoClient, ArgoError};
use crate::host::Host;
use crate::mcp::tool::{Annotations, Progress};

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct Tree {
    nodes: Vec<Node>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct Node {
    kind: String,
    name: String,
    namespace: String,
    uid: String,
    parent_refs: Vec<NodeRef>,
    images: Vec<String>,
    health: Option<NodeHealth>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct NodeRef {
    kind: String,
    name: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct NodeHealth {
    status: Option<String>,
    message: Option<String>,
}

arguments! {
    #[derive(Debug, Deserialize, JsonSchema)]
    #[serde(deny_unknown_fields)]
    pub struct TreeArgs {
        pub app_name: String,
        /// Only nodes of this kind, e.g. Pod or Deployment.
        #[serde(default)]
        pub kind: Option<String>,
        /// Only nodes with this health, e.g. Degraded; `unhealthy` for anything but Healthy.
        #[serde(default)]
        pub health: Option<String>,
        /// Default 50, at most 1000.
        #[serde(default)]
        pub limit: Option<usize>,
        #[serde(default)]
        pub offset: Option<usize>,
        app_namespace,
    }
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct ResourceTree {
    pub app: String,
    /// Nodes matching the filters.
    pub total: usize,
    pub offset: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_offset: Option<usize>,
    /// All nodes of the app counted by kind and by health.
    pub counts: TreeCounts,
    pub nodes: Vec<TreeNode>,
}

#[derive(Debug, Default, Serialize, JsonSchema)]
pub struct TreeCounts {
    pub kind: BTreeMap<String, usize>,
    pub health: BTreeMap<String, usize>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct TreeNode {
    pub kind: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub namespace: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub health: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub images: Vec<String>,
    /// `Kind/name` of the owner, e.g. the ReplicaSet of a Pod.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
}

pub struct GetResourceTree;

impl Tool for GetResourceTree {
    const NAME: &'static str = "get_argocd_app_resource_tree";
    const TITLE: &'static str = "Resource tree";
    const DESCRIPTION: &'static str = "Every live resource of one app, generated ones too (ReplicaSets, Pods), with health, images and owner, and counts by kind and health. Filter by kind or health to find what is broken.";
    const ANNOTATIONS: Annotations = Annotations::READ;
    type Args = TreeArgs;
    type Output = ResourceTree;

    async fn run<H: Host>(
        client: &ArgoClient<'_, H>,
        args: TreeArgs,
        _progress: &dyn Progress,
    ) -> Result<ResourceTree, ArgoError> {
        let (limit, offset) = page_bounds(args.limit, args.offset, 50, 1000)?;
        let (path, query) = app_path(
            &args.app_name,
            args.app_namespace.as_deref(),
            "/resource-tree",
        )?;
        let tree: Tree = client
            .get(
                &format!("{path}{}", query.as_str()),
                &format!("application '{}'", args.app_name),
            )
            .await?;
        let mut counts = TreeCounts::default();
        let mut matching = Vec::new();
        for node in tree.nodes {
            let health = node.health.as_ref().and_then(|h| h.status.clone());
            *counts.kind.entry(node.kind.clone()).or_default() += 1;
            *counts
                .health
                .entry(health.clone().unwrap_or_else(|| "None".into()))
                .or_default() += 1;
            if args
                .kind
                .as_deref()
                .is_some_and(|k| !k.eq_ignore_ascii_case(&node.kind))
            {
                continue;
            }
            let health_wanted = match args.health.as_deref() {
                None => true,
                Some(w) if w.eq_ignore_ascii_case("unhealthy") => {
                    health.as_deref().is_some_and(|h| h != "Healthy")
                }
                Some(w) => health.as_deref().is_some_and(|h| h.eq_ignore_ascii_case(w)),
            };
            if !health_wanted {
                continue;
            }
            matching.push(TreeNode {
                parent: node
                    .parent_refs
                    .first()
                    .map(|p| format!("{}/{}", p.kind, p.name)),
                message: node
                    .health
                    .and_then(|h| h.message)
                    .filter(|m| !m.is_empty()),
                kind: node.kind,
                name: node.name,
                namespace: node.namespace,
                health,
                images: node.images,
            });
        }
        let offset = offset.min(matching.len());
        let (total, nodes, next_offset) = paginate(matching, limit, offset);
        Ok(ResourceTree {
            app: args.app_name,
            total,
            offset,
            next_offset,
            counts,
            nodes,
        })
    }
}

/// Cuts newest-first `rows` to `limit`, keeping warnings before normal events (a page of
/// routine updates must not push out the one failure), and leaves them newest first.
fn keep_warnings_first(rows: &mut Vec<EventRow>, limit: usize) {
    if rows.len() <= limit {
        return;
    }
    let room_for_normal = limit.saturating_sub(rows.iter().filter(|r| r.kind == "Warning").count());
    let mut normal_kept = 0;
    let mut warnings_kept = 0;
    rows.retain(|row| {
        if row.kind == "Warning" {
            warnings_kept += 1;
            warnings_kept <= limit
        } else {
            normal_kept += 1;
            normal_kept <= room_for_normal
        }
    });
}

arguments! {
    #[derive(Debug, Deserialize, JsonSchema)]
    #[serde(deny_unknown_fields)]
    pub struct EventsArgs {
        pub app_name: String,
        /// Events of this resource (kind and name as the resource tree shows them).
        #[serde(default)]
        pub resource_kind: Option<String>,
        #[serde(default)]
        pub resource_name: Option<String>,
        /// Only if the app has several of that kind and name.
        #[serde(default)]
        pub resource_namespace: Option<String>,
        /// At most this many events, newest first: default 30, at most 200.
        #[serde(default)]
        pub limit: Option<usize>,
        app_namespace,
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct EventList {
    items: Vec<Event>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct Event {
    #[serde(rename = "type")]
    kind: Option<String>,
    reason: Option<String>,
    message: Option<String>,
    involved_object: InvolvedObject,
    count: Option<i64>,
    last_timestamp: Option<String>,
    first_timestamp: Option<String>,
    /// Set alone by components that write events.k8s.io/v1 (the scheduler's FailedScheduling):
    /// then both timestamps are null and `count` is absent.
    event_time: Option<String>,
    /// A repeating events.k8s.io/v1 event: how often, and when last.
    series: Option<EventSeries>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct EventSeries {
    count: Option<i64>,
    last_observed_time: Option<String>,
}

impl Event {
    /// When it was last seen: the newest of the times an event can carry, whichever API wrote it.
    fn last_seen(&self) -> Option<String> {
        [
            self.series
                .as_ref()
                .and_then(|s| s.last_observed_time.as_ref()),
            self.event_time.as_ref(),
            self.last_timestamp.as_ref(),
            self.first_timestamp.as_ref(),
        ]
        .into_iter()
        .flatten()
        .filter(|t| !t.is_empty())
        .max_by_key(|t| instant(t))
        .cloned()
    }
}

/// A Kubernetes time (`2026-07-01T10:00:00Z`, or MicroTime `2026-07-01T10:00:00.123456Z`) as a
/// key that orders by time: whole seconds, then the fraction padded to nanoseconds (as text the
/// two forms of one second would order by `Z` against `.`). Kubernetes writes UTC.
fn instant(time: &str) -> (&str, String) {
    let seconds = time.get(..19).unwrap_or(time);
    let fraction: String = time
        .get(19..)
        .and_then(|rest| rest.strip_prefix('.'))
        .map(|rest| rest.chars().take_while(char::is_ascii_digit).collect())
        .unwrap_or_default();
    (seconds, format!("{fraction:0<9}"))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct InvolvedObject {
    kind: String,
    name: String,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct Events {
    pub app: String,
    pub total: usize,
    pub warnings: usize,
    /// Newest first.
    pub events: Vec<EventRow>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct EventRow {
    /// Normal or Warning.
    #[serde(rename = "type")]
    pub kind: String,
    pub reason: String,
    pub message: String,
    /// `Kind/name` the event is about.
    pub object: String,
    pub count: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_seen: Option<String>,
}

pub struct GetAppEvents;

impl Tool for GetAppEvents {
    const NAME: &'static str = "get_argocd_app_events";
    const TITLE: &'static str = "Kubernetes events";
    const DESCRIPTION: &'static str = "Kubernetes events of one app or one of its resources, newest first, warnings counted: back-offs, failed pulls, scheduling.";
    const ANNOTATIONS: Annotations = Annotations::READ;
    type Args = EventsArgs;
    type Output = Events;

    async fn run<H: Host>(
        client: &ArgoClient<'_, H>,
        args: EventsArgs,
        _progress: &dyn Progress,
    ) -> Result<Events, ArgoError> {
        let (limit, _) = page_bounds(args.limit, None, 30, 200)?;
        let (path, mut query) = app_path(&args.app_name, args.app_namespace.as_deref(), "/events")?;
        let subject = format!("application '{}'", args.app_name);
        match (&args.resource_kind, &args.resource_name) {
            (None, None) => {}
            (Some(kind), Some(name)) => {
                super::arguments::check_kind(kind)?;
                super::arguments::check_name("resource_name", name)?;
                // Argo CD wants name, namespace and uid of a node of the app's tree.
                let (tree_path, tree_query) = app_path(
                    &args.app_name,
                    args.app_namespace.as_deref(),
                    "/resource-tree",
                )?;
                let tree: Tree = client
                    .get(&format!("{tree_path}{}", tree_query.as_str()), &subject)
                    .await?;
                let node = tree
                    .nodes
                    .into_iter()
                    .find(|n| {
                        n.kind.eq_ignore_ascii_case(kind)
                            && n.name == *name
                            && args.resource_namespace.as_ref().is_none_or(|ns| *ns == n.namespace)
                    })
                    .ok_or_else(|| {
                        ArgoError::invalid_input(format!(
                            "{kind} '{name}' is not part of application '{}'; see get_argocd_app_resource_tree",
                            args.app_name
                        ))
                    })?;
                query = query
                    .add("resourceName", &node.name)
                    .add("resourceNamespace", &node.namespace)
                    .add("resourceUID", &node.uid);
            }
            _ => {
                return Err(ArgoError::invalid_input(
                    "resource_kind and resource_name go together; leave both out for the app's own events",
                ));
            }
        }
        let list: EventList = client
            .get(&format!("{path}{}", query.as_str()), &subject)
            .await?;
        let mut rows: Vec<EventRow> = list
            .items
            .into_iter()
            .map(|e| EventRow {
                last_seen: e.last_seen(),
                count: e
                    .count
                    .filter(|c| *c > 0)
                    .or(e.series.as_ref().and_then(|s| s.count))
                    .unwrap_or(1),
                kind: e.kind.unwrap_or_else(|| "Normal".into()),
                reason: e.reason.unwrap_or_default(),
                message: e.message.unwrap_or_default(),
                object: format!("{}/{}", e.involved_object.kind, e.involved_object.name),
            })
            .collect();
        crate::order::sort_rows_by(&mut rows, |a, b| {
            let (a, b) = (a.last_seen.as_deref(), b.last_seen.as_deref());
            b.map(instant).cmp(&a.map(instant))
        });
        let total = rows.len();
        let warnings = rows.iter().filter(|r| r.kind == "Warning").count();
        keep_warnings_first(&mut rows, limit);
        Ok(Events {
            app: args.app_name,
            total,
            warnings,
            events: rows,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{FakeHost, reply, token_settings};

    /// An event as the API shows one written through core/v1 (`lastTimestamp` set).
    fn core_event(reason: &str, kind: &str, last: &str) -> serde_json::Value {
        serde_json::json!({"involvedObject": {"kind": "Pod", "name": "web-1"}, "reason": reason, "message": reason,
            "source": {"component": "kubelet"}, "firstTimestamp": last, "lastTimestamp": last, "count": 1,
            "type": kind, "eventTime": null, "reportingComponent": "", "reportingInstance": ""})
    }

    fn events_of(items: Vec<serde_json::Value>, limit: usize) -> Events {
        let body = serde_json::json!({"metadata": {}, "items": items}).to_string();
        let host = FakeHost::new(vec![reply(200, &body)]);
        let settings = token_settings();
        let client = ArgoClient::new(
            &host,
            crate::context::RequestContext::for_account(&settings),
        )
        .unwrap();
        let args =
            serde_json::from_value(serde_json::json!({"app_name": "web", "limit": limit})).unwrap();
        pollster::block_on(GetAppEvents::run(
            &client,
            args,
            &crate::mcp::tool::NoProgress,
        ))
        .unwrap()
    }

    #[test]
    fn an_event_with_only_event_time_sorts_by_it() {
        // The scheduler writes events.k8s.io/v1: null timestamps, no count, a MicroTime, and a
        // series once it repeats.
        let failed_scheduling = serde_json::json!({
            "metadata": {"name": "web-1.18a1", "namespace": "shop"},
            "involvedObject": {"kind": "Pod", "namespace": "shop", "name": "web-1", "apiVersion": "v1"},
            "reason": "FailedScheduling",
            "message": "0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.",
            "source": {}, "firstTimestamp": null, "lastTimestamp": null, "type": "Warning",
            "eventTime": "2026-07-01T10:00:00.000100Z",
            "series": {"count": 7, "lastObservedTime": "2026-07-01T10:05:00.250000Z"},
            "action": "Scheduling", "reportingComponent": "default-scheduler", "reportingInstance": "default-scheduler-node-1"
        });
        let mut items: Vec<_> = (0..40)
            .map(|i| core_event("Pulled", "Normal", &format!("2026-07-01T09:{:02}:00Z", i)))
            .collect();
        // Same second as the newest MicroTime: the fraction makes it older.
        items.push(core_event("Started", "Normal", "2026-07-01T10:05:00Z"));
        items.push(failed_scheduling);
        let events = events_of(items, 30);
        assert_eq!(events.total, 42);
        let first = &events.events[0];
        assert_eq!(first.reason, "FailedScheduling");
        assert_eq!(first.count, 7);
        assert_eq!(
            first.last_seen.as_deref(),
            Some("2026-07-01T10:05:00.250000Z")
        );
        assert_eq!(events.events[1].reason, "Started");
        assert_eq!(events.events.len(), 30);
    }

    #[test]
    fn warnings_survive_the_cut_and_the_page_stays_newest_first() {
        let mut items: Vec<_> = (0..10)
            .map(|i| {
                core_event(
                    "Updated",
                    "Normal",
                    &format!("2026-07-01T10:{:02}:00Z", 10 + i),
                )
            })
            .collect();
        items.push(core_event("BackOff", "Warning", "2026-07-01T09:00:00Z"));
        items.push(core_event("Unhealthy", "Warning", "2026-07-01T08:00:00Z"));
        let events = events_of(items, 4);
        let reasons: Vec<_> = events.events.iter().map(|e| e.reason.as_str()).collect();
        assert_eq!(reasons, ["Updated", "Updated", "BackOff", "Unhealthy"]);
        assert_eq!(
            events.events[0].last_seen.as_deref(),
            Some("2026-07-01T10:19:00Z")
        );
        assert_eq!(events.warnings, 2);
        assert_eq!(events.total, 12);
    }
}
