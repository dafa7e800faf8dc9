//! Reading applications: one app's state, and the fleet.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{Tool, check_name, check_selector, get_app, paginate};
use crate::argocd::model::{Application, ApplicationList, Source};
use crate::argocd::{ArgoClient, ArgoError, Query};
use crate::host::Host;
use crate::mcp::tool::{Annotations, Progress};

/// At most this many resources are listed by `include_resources`; the counts cover all of them.
pub const MAX_RESOURCES_SHOWN: usize = 100;

arguments! {
    #[derive(Debug, Deserialize, JsonSchema)]
    #[serde(deny_unknown_fields)]
    pub struct AppStatusArgs {
        pub app_name: String,
        /// Also list resources (problems first, at most 100) with sync and health.
        #[serde(default)]
        pub include_resources: bool,
        app_namespace,
    }
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct AppStatus {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub app_namespace: Option<String>,
    pub project: String,
    /// Whether the live state matches git. Independent of health.
    pub sync: SyncView,
    /// Whether the live resources work. Independent of sync.
    pub health: HealthView,
    /// The last or current sync operation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub operation: Option<OperationView>,
    /// True while an operation is queued or running: a new sync would be refused.
    pub operation_in_progress: bool,
    pub auto_sync: bool,
    pub conditions: Vec<ConditionView>,
    /// One entry for single-source apps; several for multi-source apps.
    pub sources: Vec<SourceView>,
    pub destination: DestinationView,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reconciled_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resources: Option<ResourcesView>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct SyncView {
    /// Synced, OutOfSync or Unknown.
    pub status: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revision: Option<String>,
    /// Multi-source apps: one revision per source.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub revisions: Vec<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct HealthView {
    /// Healthy, Progressing, Degraded, Suspended, Missing or Unknown.
    pub status: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub since: Option<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct OperationView {
    /// Running, Terminating, Failed, Error or Succeeded.
    pub phase: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub started_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub finished_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_count: Option<i64>,
    /// Resources the operation failed to sync: `Kind/namespace/name: message` (at most 20).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub failed_resources: Vec<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct ConditionView {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct SourceView {
    pub repo_url: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub chart: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_revision: Option<String>,
}

impl From<&Source> for SourceView {
    fn from(s: &Source) -> Self {
        SourceView {
            repo_url: s.repo_url.clone(),
            path: s.path.clone(),
            chart: s.chart.clone(),
            target_revision: s.target_revision.clone(),
        }
    }
}

#[derive(Debug, Default, Serialize, JsonSchema)]
pub struct DestinationView {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub server: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct ResourcesView {
    pub total: usize,
    pub out_of_sync: usize,
    pub unhealthy: usize,
    /// True when `items` stops short of `total`.
    pub truncated: bool,
    pub items: Vec<ResourceView>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct ResourceView {
    pub kind: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub namespace: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sync: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub health: Option<String>,
}

const UNKNOWN: &str = "Unknown";

pub struct GetAppStatus;

impl Tool for GetAppStatus {
    const NAME: &'static str = "get_argocd_app_status";
    const TITLE: &'static str = "Application status";
    const DESCRIPTION: &'static str = "One app's state: sync status and revision, health, last or running operation, conditions, sources, destination.";
    const ANNOTATIONS: Annotations = Annotations::READ;
    type Args = AppStatusArgs;
    type Output = AppStatus;

    async fn run<H: Host>(
        client: &ArgoClient<'_, H>,
        args: AppStatusArgs,
        _progress: &dyn Progress,
    ) -> Result<AppStatus, ArgoError> {
        let app = get_app(client, &args.app_name, args.app_namespace.as_deref(), &[]).await?;
        Ok(summarise(app, args.include_resources))
    }
}

fn summarise(app: Application, include_resources: bool) -> AppStatus {
    let status = app.status;
    let operation = status.operation_state.map(|op| {
        let failed_resources = op
            .sync_result
            .map(|r| r.resources)
            .unwrap_or_default()
            .into_iter()
            .filter(|r| matches!(r.status.as_deref(), Some("SyncFailed")))
            .take(20)
            .map(|r| {
                format!(
                    "{}/{}/{}: {}",
                    r.kind,
                    r.namespace,
                    r.name,
                    r.message.unwrap_or_default()
                )
            })
            .collect();
        OperationView {
            phase: op.phase.unwrap_or_else(|| UNKNOWN.into()),
            message: op.message,
            started_at: op.started_at,
            finished_at: op.finished_at,
            retry_count: op.retry_count,
            failed_resources,
        }
    });
    let operation_in_progress = app.operation.is_some()
        || operation
            .as_ref()
            .is_some_and(|o| matches!(o.phase.as_str(), "Running" | "Terminating"));
    let resources = include_resources.then(|| {
        let total = status.resources.len();
        let is_out_of_sync = |s: &Option<String>| s.as_deref().is_some_and(|s| s != "Synced");
        let is_unhealthy =
            |h: Option<&str>| h.is_some_and(|h| !matches!(h, "Healthy" | "Suspended"));
        let out_of_sync = status
            .resources
            .iter()
            .filter(|r| is_out_of_sync(&r.status))
            .count();
        let unhealthy = status
            .resources
            .iter()
            .filter(|r| is_unhealthy(r.health.as_ref().and_then(|h| h.status.as_deref())))
            .count();
        let mut items: Vec<ResourceView> = status
            .resources
            .into_iter()
            .map(|r| ResourceView {
                kind: r.kind,
                name: r.name,
                namespace: r.namespace,
                sync: r.status,
                health: r.health.and_then(|h| h.status),
            })
            .collect();
        // Problems first: they are what the caller came for when the list is cut.
        let fine =
            |r: &ResourceView| !(is_out_of_sync(&r.sync) || is_unhealthy(r.health.as_deref()));
        crate::order::sort_rows_by(&mut items, |a, b| fine(a).cmp(&fine(b)));
        items.truncate(MAX_RESOURCES_SHOWN);
        ResourcesView {
            total,
            out_of_sync,
            unhealthy,
            truncated: total > items.len(),
            items,
        }
    });
    let destination = app.spec.destination.clone().unwrap_or_default();
    AppStatus {
        name: app.metadata.name,
        app_namespace: app.metadata.namespace,
        project: app.spec.project.clone().unwrap_or_else(|| "default".into()),
        sync: SyncView {
            status: status.sync.status.unwrap_or_else(|| UNKNOWN.into()),
            revision: status.sync.revision,
            revisions: status.sync.revisions,
        },
        health: HealthView {
            status: status.health.status.unwrap_or_else(|| UNKNOWN.into()),
            message: status.health.message.filter(|m| !m.is_empty()),
            since: status.health.last_transition_time,
        },
        operation,
        operation_in_progress,
        auto_sync: app.spec.auto_sync(),
        conditions: status
            .conditions
            .into_iter()
            .take(20)
            .map(|c| ConditionView {
                kind: c.kind,
                message: c.message,
            })
            .collect(),
        sources: app
            .spec
            .all_sources()
            .iter()
            .map(SourceView::from)
            .collect(),
        destination: DestinationView {
            server: destination.server,
            name: destination.name,
            namespace: destination.namespace,
        },
        reconciled_at: status.reconciled_at,
        resources,
    }
}

arguments! {
    #[derive(Debug, Deserialize, JsonSchema)]
    #[serde(deny_unknown_fields)]
    pub struct RefreshArgs {
        pub app_name: String,
        /// Also drop the manifest cache and re-render from git (slower).
        #[serde(default)]
        pub hard: bool,
        app_namespace,
    }
}

/// Argo CD answers a refresh only once the controller has reconciled: it can take a while.
pub const REFRESH_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(120);

pub struct RefreshApp;

impl Tool for RefreshApp {
    const NAME: &'static str = "refresh_argocd_app";
    const TITLE: &'static str = "Refresh application";
    const DESCRIPTION: &'static str = "Makes Argo CD compare the app with git now (hard: re-render manifests too) and returns its fresh status. Use it after a push, before deciding to sync. Changes nothing in the cluster.";
    const ANNOTATIONS: Annotations = Annotations::READ;
    type Args = RefreshArgs;
    type Output = AppStatus;

    async fn run<H: Host>(
        client: &ArgoClient<'_, H>,
        args: RefreshArgs,
        _progress: &dyn Progress,
    ) -> Result<AppStatus, ArgoError> {
        if args.hard && client.settings().read_only {
            return Err(super::read_only::refuse_hard_refresh());
        }
        let slow = client.with_timeout(REFRESH_TIMEOUT.max(client.settings().request_timeout));
        let mode = if args.hard { "hard" } else { "normal" };
        let app = get_app(
            &slow,
            &args.app_name,
            args.app_namespace.as_deref(),
            &[("refresh", mode)],
        )
        .await?;
        Ok(summarise(app, false))
    }
}

/// Default and largest page of `list_argocd_apps`.
pub const DEFAULT_LIST_LIMIT: usize = 50;
pub const MAX_LIST_LIMIT: usize = 500;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListAppsArgs {
    /// Only apps of this Argo CD project (comma-separate several).
    #[serde(default)]
    pub project: Option<String>,
    /// Only apps deploying into this destination namespace.
    #[serde(default)]
    pub namespace: Option<String>,
    /// Only apps with this health: Healthy, Progressing, Degraded, Suspended, Missing, Unknown.
    #[serde(default)]
    pub health_status: Option<String>,
    /// Only apps with this sync status: Synced, OutOfSync, Unknown.
    #[serde(default)]
    pub sync_status: Option<String>,
    /// Label selector on the Application objects, e.g. `team=payments,env in (prod)`.
    #[serde(default)]
    pub selector: Option<String>,
    /// Only apps whose Application object is in this namespace.
    #[serde(default)]
    pub app_namespace: Option<String>,
    /// Default 50, at most 500.
    #[serde(default)]
    pub limit: Option<usize>,
    /// Rows to skip, for the next page (see `next_offset`).
    #[serde(default)]
    pub offset: Option<usize>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct AppList {
    /// Apps matching every filter (the whole fleet view, not just this page).
    pub total: usize,
    pub offset: usize,
    pub returned: usize,
    /// Set when more rows follow: pass it as `offset`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_offset: Option<usize>,
    /// Matching apps counted by health and by sync status.
    pub counts: Counts,
    pub apps: Vec<AppRow>,
}

#[derive(Debug, Default, Serialize, JsonSchema)]
pub struct Counts {
    pub health: BTreeMap<String, usize>,
    pub sync: BTreeMap<String, usize>,
}

/// One compact row per app.
#[derive(Debug, Serialize, JsonSchema)]
pub struct AppRow {
    pub name: String,
    pub project: String,
    pub sync: String,
    pub health: String,
    /// Destination namespace.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// Phase of the current or last operation, when it is not Succeeded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub operation: Option<String>,
}

/// Only what the rows and filters need (List's `fields` allow-list, api-notes §d).
const LIST_FIELDS: &str = "items.metadata.name,items.spec.project,items.spec.destination,items.status.sync.status,items.status.health,items.status.operationState.phase";

pub struct ListApps;

impl Tool for ListApps {
    const NAME: &'static str = "list_argocd_apps";
    const TITLE: &'static str = "List applications";
    const DESCRIPTION: &'static str = "Lists apps as compact rows (project, sync, health, destination namespace, running operation) with health and sync counts over all matches. Filter by project, namespace, health, sync or label selector; page with limit/offset.";
    const ANNOTATIONS: Annotations = Annotations::READ;
    type Args = ListAppsArgs;
    type Output = AppList;

    async fn run<H: Host>(
        client: &ArgoClient<'_, H>,
        args: ListAppsArgs,
        _progress: &dyn Progress,
    ) -> Result<AppList, ArgoError> {
        if let Some(ns) = &args.app_namespace {
            check_name("app_namespace", ns)?;
        }
        let limit = args.limit.unwrap_or(DEFAULT_LIST_LIMIT);
        if limit == 0 || limit > MAX_LIST_LIMIT {
            return Err(ArgoError::invalid_input(format!(
                "limit must be between 1 and {MAX_LIST_LIMIT} (got {limit}); page with offset instead"
            )));
        }
        if let Some(selector) = &args.selector {
            check_selector("selector", selector)?;
        }
        let mut query = Query::new().add("fields", LIST_FIELDS);
        for project in args
            .project
            .iter()
            .flat_map(|p| p.split(','))
            .map(str::trim)
        {
            if !project.is_empty() {
                query = query.add("projects", project);
            }
        }
        let query = query
            .add_opt("selector", args.selector.as_deref())
            .add_opt("appNamespace", args.app_namespace.as_deref());
        let list: ApplicationList = client
            .get(
                &format!("/api/v1/applications{}", query.as_str()),
                "the application list",
            )
            .await?;
        Ok(page(list.items.unwrap_or_default(), &args, limit))
    }
}

/// Names of the apps starting with `prefix` (any case), sorted: what a client offers while the
/// user types an `app_name`. Asks Argo CD for names only.
pub async fn app_names<H: Host>(
    client: &ArgoClient<'_, H>,
    prefix: &str,
) -> Result<Vec<String>, ArgoError> {
    let list: ApplicationList = client
        .get(
            "/api/v1/applications?fields=items.metadata.name",
            "the application names",
        )
        .await?;
    Ok(names_with_prefix(
        list.items
            .unwrap_or_default()
            .into_iter()
            .map(|a| a.metadata.name),
        prefix,
    ))
}

/// Sorted names that start with `prefix`, ignoring ASCII case (Kubernetes names are ASCII:
/// Unicode's case tables would cost the components kilobytes for nothing).
pub fn names_with_prefix(names: impl Iterator<Item = String>, prefix: &str) -> Vec<String> {
    let prefix = prefix.to_ascii_lowercase();
    let mut matching: Vec<String> = names
        .filter(|n| n.to_ascii_lowercase().starts_with(&prefix))
        .collect();
    crate::order::sort_rows_by(&mut matching, |a, b| a.cmp(b));
    matching
}

fn page(items: Vec<Application>, args: &ListAppsArgs, limit: usize) -> AppList {
    let wanted = |want: &Option<String>, have: &str| {
        want.as_deref()
            .is_none_or(|w| w.trim().is_empty() || w.eq_ignore_ascii_case(have))
    };
    let mut counts = Counts::default();
    let mut rows = Vec::new();
    for app in items {
        let destination_ns = app
            .spec
            .destination
            .as_ref()
            .and_then(|d| d.namespace.clone());
        if let Some(ns) = args.namespace.as_deref().filter(|n| !n.is_empty())
            && destination_ns.as_deref() != Some(ns)
        {
            continue;
        }
        let health = app.status.health.status.unwrap_or_else(|| UNKNOWN.into());
        let sync = app.status.sync.status.unwrap_or_else(|| UNKNOWN.into());
        if !wanted(&args.health_status, &health) || !wanted(&args.sync_status, &sync) {
            continue;
        }
        *counts.health.entry(health.clone()).or_default() += 1;
        *counts.sync.entry(sync.clone()).or_default() += 1;
        rows.push(AppRow {
            name: app.metadata.name,
            project: app.spec.project.unwrap_or_else(|| "default".into()),
            sync,
            health,
            namespace: destination_ns,
            operation: app
                .status
                .operation_state
                .and_then(|o| o.phase)
                .filter(|p| p != "Succeeded"),
        });
    }
    let offset = args.offset.unwrap_or(0).min(rows.len());
    let (total, apps, next_offset) = paginate(rows, limit, offset);
    AppList {
        total,
        offset,
        returned: apps.len(),
        next_offset,
        counts,
        apps,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{FakeHost, reply, token_settings};

    fn fixture(name: &str) -> String {
        std::fs::read_to_string(format!(
            "{}/host-test/fixtures/argocd/fixtures/{name}",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap()
    }

    #[test]
    fn status_of_the_captured_app() {
        let host = FakeHost::new(vec![reply(
            200,
            &fixture("03-application-get.public-capture.json"),
        )]);
        let settings = token_settings();
        let client = ArgoClient::new(
            &host,
            crate::context::RequestContext::for_account(&settings),
        )
        .unwrap();
        let args = AppStatusArgs {
            app_name: "myapp".into(),
            include_resources: true,
            app_namespace: Some("argocd".into()),
        };
        let status = pollster::block_on(GetAppStatus::run(
            &client,
            args,
            &crate::mcp::tool::NoProgress,
        ))
        .unwrap();
        assert_eq!(status.name, "myapp");
        assert_eq!(status.sync.status, "Synced");
        assert!(status.operation.is_some());
        assert_eq!(status.sources.len(), 1);
        let resources = status.resources.unwrap();
        assert_eq!(resources.total, resources.items.len());
        assert_eq!(
            host.requests()[0].url,
            "https://cd.test/api/v1/applications/myapp?appNamespace=argocd"
        );
    }

    #[test]
    fn list_counts_the_fleet_and_pages() {
        let app = |name: &str, health: &str, sync: &str| {
            format!(
                r#"{{"metadata":{{"name":"{name}"}},"spec":{{"project":"p","destination":{{"namespace":"ns"}}}},"status":{{"sync":{{"status":"{sync}"}},"health":{{"status":"{health}"}}}}}}"#
            )
        };
        let body = format!(
            r#"{{"metadata":{{}},"items":[{},{},{}]}}"#,
            app("a", "Healthy", "Synced"),
            app("b", "Degraded", "OutOfSync"),
            app("c", "Healthy", "OutOfSync")
        );
        let host = FakeHost::new(vec![reply(200, &body), reply(200, &body)]);
        let settings = token_settings();
        let client = ArgoClient::new(
            &host,
            crate::context::RequestContext::for_account(&settings),
        )
        .unwrap();
        let args: ListAppsArgs =
            serde_json::from_str(r#"{"project":"p, q","sync_status":"outofsync","limit":1}"#)
                .unwrap();
        let list = pollster::block_on(ListApps::run(&client, args, &crate::mcp::tool::NoProgress))
            .unwrap();
        assert_eq!(
            (list.total, list.returned, list.next_offset),
            (2, 1, Some(1))
        );
        assert_eq!(list.counts.health.get("Degraded"), Some(&1));
        assert_eq!(list.apps[0].name, "b");
        let url = &host.requests()[0].url;
        assert!(url.contains("projects=p&projects=q"), "{url}");
        assert!(url.contains("fields=items.metadata.name%2C"), "{url}");
        let null_items = FakeHost::new(vec![reply(200, r#"{"items":null,"metadata":{}}"#)]);
        let client = ArgoClient::new(
            &null_items,
            crate::context::RequestContext::for_account(&settings),
        )
        .unwrap();
        let args: ListAppsArgs = serde_json::from_str("{}").unwrap();
        assert_eq!(
            pollster::block_on(ListApps::run(&client, args, &crate::mcp::tool::NoProgress))
                .unwrap()
                .total,
            0
        );
    }
}
