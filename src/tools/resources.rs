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
        /// Page size: default 50, at most 1000.
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
    const DESCRIPTION: &'static str = "Every live resource of one app, including generated ones (ReplicaSets, Pods), with health, images and owner, plus counts by kind and health. Filter by kind or health to find what is broken.";
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

arguments! {
    #[derive(Debug, Deserialize, JsonSchema)]
    #[serde(deny_unknown_fields)]
    pub struct EventsArgs {
        pub app_name: String,
        /// Events of this resource (kind and name as get_argocd_app_resource_tree shows them).
        #[serde(default)]
        pub resource_kind: Option<String>,
        #[serde(default)]
        pub resource_name: Option<String>,
        /// Needed only when the app has several resources of that kind and name.
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
    const DESCRIPTION: &'static str = "Kubernetes events of one app (or one of its resources), newest first, warnings counted: back-offs, failed pulls, scheduling. Use it when an app is Degraded or Progressing for too long.";
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
                            "{kind} {name} is not part of application '{}'; see get_argocd_app_resource_tree",
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
                kind: e.kind.unwrap_or_else(|| "Normal".into()),
                reason: e.reason.unwrap_or_default(),
                message: e.message.unwrap_or_default(),
                object: format!("{}/{}", e.involved_object.kind, e.involved_object.name),
                count: e.count.unwrap_or(1),
                last_seen: e.last_timestamp.or(e.first_timestamp),
            })
            .collect();
        rows.sort_by(|a, b| b.last_seen.cmp(&a.last_seen));
        let total = rows.len();
        let warnings = rows.iter().filter(|r| r.kind == "Warning").count();
        rows.truncate(limit);
        Ok(Events {
            app: args.app_name,
            total,
            warnings,
            events: rows,
        })
    }
}
