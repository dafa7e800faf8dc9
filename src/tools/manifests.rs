//! Desired versus live: the diff of an app's resources, one live resource, the git revision
//! behind a deploy, and whether a sync is allowed now.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::masking::mask_secrets;
use super::{ResourceSelector, Tool, app_path, check_name, check_revision, page_bounds};
use crate::argocd::{ArgoClient, ArgoError};
use crate::host::Host;
use crate::mcp::tool::{Annotations, Progress};

/// Longest value shown in a diff line.
const MAX_VALUE_CHARS: usize = 160;
/// Changed paths listed per resource.
const MAX_CHANGES: usize = 30;

/// Fields the API server owns: never part of a drift.
fn strip_server_fields(object: &mut Value) {
    if let Some(metadata) = object.get_mut("metadata").and_then(Value::as_object_mut) {
        for key in [
            "managedFields",
            "resourceVersion",
            "uid",
            "generation",
            "creationTimestamp",
            "selfLink",
        ] {
            metadata.remove(key);
        }
        if let Some(annotations) = metadata
            .get_mut("annotations")
            .and_then(Value::as_object_mut)
        {
            annotations.remove("kubectl.kubernetes.io/last-applied-configuration");
            annotations.remove("deployment.kubernetes.io/revision");
        }
    }
    if let Some(map) = object.as_object_mut() {
        map.remove("status");
    }
}

/// A diff line shows a value with its path, not its siblings: a value that only a sibling names
/// (`{"name": "api-token", "type": "string", "default": …}`, a Tekton parameter) is judged by
/// the text rules reading the object's JSON whole, as they would read it in a log line. When
/// what they leave is no longer JSON, the object stays as masked, each value still scrubbed.
fn scrub_as_text(object: &mut Value) {
    let text = object.to_string();
    if let std::borrow::Cow::Owned(clean) = super::scrub::without_credentials(&text)
        && let Ok(scrubbed) = serde_json::from_str::<Value>(&clean)
    {
        *object = scrubbed;
    }
}

fn short(value: &Value) -> String {
    // Scrubbed before it is cut: a cut between `://` and `@` would leave a password the
    // answer's scrubber can no longer recognise.
    let text = match value {
        Value::String(s) => super::scrub::without_credentials(s).into_owned(),
        other => super::scrub::without_credentials(&other.to_string()).into_owned(),
    };
    if text.len() <= MAX_VALUE_CHARS {
        return text;
    }
    format!("{}…", crate::cut::at_word(&text, MAX_VALUE_CHARS))
}

/// Every field git sets whose live value differs: `path: desired → live`. Fields only the cluster
/// has are defaults or status, as Argo CD's own comparison treats them.
fn changes(desired: &Value, live: &Value, path: &str, out: &mut Vec<String>) {
    match (desired, live) {
        (Value::Object(d), Value::Object(l)) => {
            for (key, value) in d {
                let at = if path.is_empty() {
                    key.clone()
                } else {
                    format!("{path}.{key}")
                };
                match l.get(key) {
                    Some(live_value) => changes(value, live_value, &at, out),
                    None => out.push(format!("{at}: {} → (absent)", short(value))),
                }
            }
        }
        (Value::Array(d), Value::Array(l)) if d.len() == l.len() => {
            for (i, (dv, lv)) in d.iter().zip(l).enumerate() {
                changes(dv, lv, &format!("{path}[{i}]"), out);
            }
        }
        _ if desired != live => out.push(format!("{path}: {} → {}", short(desired), short(live))),
        _ => {}
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct ManagedResources {
    items: Vec<ResourceDiff>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct ResourceDiff {
    group: String,
    kind: String,
    namespace: String,
    name: String,
    target_state: Option<String>,
    live_state: Option<String>,
    modified: bool,
}

arguments! {
    #[derive(Debug, Deserialize, JsonSchema)]
    #[serde(deny_unknown_fields)]
    pub struct DiffArgs {
        pub app_name: String,
        /// Only resources of this kind.
        #[serde(default)]
        pub kind: Option<String>,
        /// Only the resource with this name.
        #[serde(default)]
        pub resource_name: Option<String>,
        /// Also list resources that match git.
        #[serde(default)]
        pub include_unchanged: bool,
        /// Resources listed at most: default 20, at most 100.
        #[serde(default)]
        pub limit: Option<usize>,
        app_namespace,
    }
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct Diff {
    pub app: String,
    pub resources_compared: usize,
    pub drifted: usize,
    /// True when more drifted resources exist than are listed.
    pub truncated: bool,
    pub resources: Vec<ResourceDrift>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct ResourceDrift {
    /// `Kind/namespace/name`.
    pub resource: String,
    /// in_sync, drifted, missing (git has it, the cluster not: a sync creates it) or extra (the
    /// cluster has it, git not: a pruning sync deletes it).
    pub state: String,
    /// `path: desired → live`, at most 30.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub changes: Vec<String>,
}

pub struct GetAppDiff;

impl Tool for GetAppDiff {
    const NAME: &'static str = "get_argocd_app_diff";
    const TITLE: &'static str = "Live vs desired diff";
    const DESCRIPTION: &'static str = "What differs between git and the cluster for one app: changed fields per drifted resource (`path: desired → live`), missing and extra resources, Secrets masked.";
    const ANNOTATIONS: Annotations = Annotations::READ;
    type Args = DiffArgs;
    type Output = Diff;

    async fn run<H: Host>(
        client: &ArgoClient<'_, H>,
        args: DiffArgs,
        _progress: &dyn Progress,
    ) -> Result<Diff, ArgoError> {
        let (limit, _) = page_bounds(args.limit, None, 20, 100)?;
        if let Some(name) = &args.resource_name {
            check_name("resource_name", name)?;
        }
        let (path, query) = app_path(
            &args.app_name,
            args.app_namespace.as_deref(),
            "/managed-resources",
        )?;
        let query = query
            .add_opt("kind", args.kind.as_deref())
            .add_opt("name", args.resource_name.as_deref());
        let managed: ManagedResources = client
            .get(
                &format!("{path}{}", query.as_str()),
                &format!("application '{}'", args.app_name),
            )
            .await?;
        let parse = |state: &Option<String>| {
            state
                .as_deref()
                .and_then(|s| serde_json::from_str::<Value>(s).ok())
                .filter(|v| !v.is_null())
        };
        let compared = managed.items.len();
        let mut drifted = 0;
        let mut resources = Vec::new();
        for item in &managed.items {
            let (desired, live) = (parse(&item.target_state), parse(&item.live_state));
            let (state, mut found) = match (desired, live) {
                (Some(_), None) => ("missing", Vec::new()),
                (None, Some(_)) => ("extra", Vec::new()),
                (None, None) => ("in_sync", Vec::new()),
                (Some(mut desired), Some(mut live)) => {
                    for object in [&mut desired, &mut live] {
                        strip_server_fields(object);
                        mask_secrets(object);
                        scrub_as_text(object);
                    }
                    let mut found = Vec::new();
                    changes(&desired, &live, "", &mut found);
                    let state = if found.is_empty() && !item.modified {
                        "in_sync"
                    } else {
                        "drifted"
                    };
                    (state, found)
                }
            };
            if state == "in_sync" && !args.include_unchanged {
                continue;
            }
            if state != "in_sync" {
                drifted += 1;
            }
            found.truncate(MAX_CHANGES);
            let group = if item.group.is_empty() {
                String::new()
            } else {
                format!("{}.", item.group)
            };
            resources.push(ResourceDrift {
                resource: format!("{group}{}/{}/{}", item.kind, item.namespace, item.name),
                state: state.into(),
                changes: found,
            });
        }
        let truncated = resources.len() > limit;
        resources.truncate(limit);
        Ok(Diff {
            app: args.app_name,
            resources_compared: compared,
            drifted,
            truncated,
            resources,
        })
    }
}

arguments! {
    #[derive(Debug, Deserialize, JsonSchema)]
    #[serde(deny_unknown_fields)]
    pub struct ResourceArgs {
        pub app_name: String,
        resource,
        /// Keep `status` and server-owned metadata.
        #[serde(default)]
        pub full: bool,
        app_namespace,
    }
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct LiveResource {
    pub app: String,
    /// The live object; Secret values are always masked.
    pub manifest: Value,
    /// True when the object was cut to stay within 16 KB (long fields shortened).
    pub truncated: bool,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ManifestResponse {
    manifest: Option<String>,
}

/// One resource of an app as the cluster has it now, unmasked (callers mask what they show);
/// `null` when Argo CD's answer holds no object.
pub(super) async fn live_object<H: Host>(
    client: &ArgoClient<'_, H>,
    app_name: &str,
    app_namespace: Option<&str>,
    resource: &ResourceSelector<'_>,
) -> Result<Value, ArgoError> {
    let path = resource.path(app_name, app_namespace, "/resource")?;
    let response: ManifestResponse = client.get(&path, &resource.subject(app_name)).await?;
    Ok(response
        .manifest
        .as_deref()
        .and_then(|m| serde_json::from_str(m).ok())
        .unwrap_or(Value::Null))
}

/// Largest live object returned.
const MAX_MANIFEST_BYTES: usize = 16 * 1024;

/// Shortens long strings until the object fits the budget.
fn fit(object: &mut Value, budget: usize) -> bool {
    if object.to_string().len() <= budget {
        return false;
    }
    fn shorten(value: &mut Value, max: usize) {
        match value {
            Value::String(s) if s.chars().count() > max => {
                // Scrubbed before it is cut (see `short`).
                let clean = super::scrub::without_credentials(s).into_owned();
                *s = format!("{}…", crate::cut::at_word(&clean, max));
            }
            Value::Array(items) => items.iter_mut().for_each(|v| shorten(v, max)),
            Value::Object(map) => map.values_mut().for_each(|v| shorten(v, max)),
            _ => {}
        }
    }
    for max in [512, 128, 32] {
        shorten(object, max);
        if object.to_string().len() <= budget {
            return true;
        }
    }
    true
}

pub struct GetResource;

impl Tool for GetResource {
    const NAME: &'static str = "get_argocd_resource";
    const TITLE: &'static str = "One live resource";
    const DESCRIPTION: &'static str = "The live Kubernetes object of one resource of an app, as JSON; Secret values are always masked.";
    const ANNOTATIONS: Annotations = Annotations::READ;
    type Args = ResourceArgs;
    type Output = LiveResource;

    async fn run<H: Host>(
        client: &ArgoClient<'_, H>,
        args: ResourceArgs,
        _progress: &dyn Progress,
    ) -> Result<LiveResource, ArgoError> {
        let mut manifest = live_object(
            client,
            &args.app_name,
            args.app_namespace.as_deref(),
            &args.resource(),
        )
        .await?;
        mask_secrets(&mut manifest);
        if !args.full {
            strip_server_fields(&mut manifest);
        }
        let truncated = fit(&mut manifest, MAX_MANIFEST_BYTES);
        Ok(LiveResource {
            app: args.app_name,
            manifest,
            truncated,
        })
    }
}

arguments! {
    #[derive(Debug, Deserialize, JsonSchema)]
    #[serde(deny_unknown_fields)]
    pub struct RevisionArgs {
        pub app_name: String,
        /// Commit SHA (e.g. from list_argocd_app_history) or tag.
        pub revision: String,
        /// For multi-source apps: which source (0-based).
        #[serde(default)]
        pub source_index: Option<u32>,
        app_namespace,
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct RevisionMetadataResponse {
    author: Option<String>,
    date: Option<String>,
    tags: Option<Vec<String>>,
    message: Option<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct RevisionMetadata {
    pub revision: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

pub struct GetRevisionMetadata;

impl Tool for GetRevisionMetadata {
    const NAME: &'static str = "get_argocd_revision_metadata";
    const TITLE: &'static str = "Git revision details";
    const DESCRIPTION: &'static str =
        "Author, date, tags and message of a git revision an app deployed or could deploy.";
    const ANNOTATIONS: Annotations = Annotations::READ;
    type Args = RevisionArgs;
    type Output = RevisionMetadata;

    async fn run<H: Host>(
        client: &ArgoClient<'_, H>,
        args: RevisionArgs,
        _progress: &dyn Progress,
    ) -> Result<RevisionMetadata, ArgoError> {
        check_revision("revision", args.revision.trim())?;
        let sent = super::read_only::check_named_revisions(
            client,
            &args.app_name,
            args.app_namespace.as_deref(),
            &[(args.revision.trim(), args.source_index.map(|i| i as usize))],
        )
        .await?;
        let revision = sent.first().map_or("", String::as_str);
        let (path, query) = app_path(
            &args.app_name,
            args.app_namespace.as_deref(),
            &format!(
                "/revisions/{}/metadata",
                crate::argocd::client::encode(revision)
            ),
        )?;
        let index = args.source_index.map(|i| i.to_string());
        let query = query.add_opt("sourceIndex", index.as_deref());
        let meta: RevisionMetadataResponse = client
            .get(
                &format!("{path}{}", query.as_str()),
                &format!("revision {revision} of application '{}'", args.app_name),
            )
            .await?;
        Ok(RevisionMetadata {
            revision: revision.to_owned(),
            author: meta.author,
            date: meta.date,
            tags: meta.tags.unwrap_or_default(),
            message: meta.message.map(|m| short(&Value::String(m))),
        })
    }
}

arguments! {
    #[derive(Debug, Deserialize, JsonSchema)]
    #[serde(deny_unknown_fields)]
    pub struct WindowsArgs {
        pub app_name: String,
        app_namespace,
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct WindowsResponse {
    active_windows: Vec<Window>,
    assigned_windows: Vec<Window>,
    can_sync: Option<bool>,
}

#[derive(Debug, Default, Deserialize, Serialize, JsonSchema)]
#[serde(default, rename_all = "camelCase")]
pub struct Window {
    /// allow or deny.
    pub kind: String,
    /// Cron schedule of the window start.
    pub schedule: String,
    pub duration: String,
    /// Whether a manual sync is allowed inside a deny window.
    pub manual_sync: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time_zone: Option<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct SyncWindows {
    pub app: String,
    /// Whether a sync is allowed right now.
    pub can_sync: bool,
    pub active: Vec<Window>,
    pub assigned: Vec<Window>,
}

pub struct GetSyncWindows;

impl Tool for GetSyncWindows {
    const NAME: &'static str = "get_argocd_sync_windows";
    const TITLE: &'static str = "Sync windows";
    const DESCRIPTION: &'static str = "Whether one app may be synced now, and the project's sync windows (allow/deny schedules) for it: Argo CD refuses syncs inside a deny window.";
    const ANNOTATIONS: Annotations = Annotations::READ;
    type Args = WindowsArgs;
    type Output = SyncWindows;

    async fn run<H: Host>(
        client: &ArgoClient<'_, H>,
        args: WindowsArgs,
        _progress: &dyn Progress,
    ) -> Result<SyncWindows, ArgoError> {
        let (path, query) = app_path(
            &args.app_name,
            args.app_namespace.as_deref(),
            "/syncwindows",
        )?;
        let windows: WindowsResponse = client
            .get(
                &format!("{path}{}", query.as_str()),
                &format!("application '{}'", args.app_name),
            )
            .await?;
        Ok(SyncWindows {
            app: args.app_name,
            can_sync: windows.can_sync.unwrap_or(false),
            active: windows.active_windows.into_iter().take(20).collect(),
            assigned: windows.assigned_windows.into_iter().take(20).collect(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_named_only_by_its_sibling_is_hidden_from_the_diff() {
        let param = |default: &str| {
            serde_json::json!({"spec": {"params": [
                {"name": "api-token", "type": "string", "default": default},
                {"name": "replicas", "type": "string", "default": default}
            ]}})
        };
        let (mut desired, mut live) = (param("T-1"), param("T-2"));
        for object in [&mut desired, &mut live] {
            scrub_as_text(object);
        }
        let mut found = Vec::new();
        changes(&desired, &live, "", &mut found);
        assert_eq!(found, ["spec.params[1].default: T-1 → T-2"]);
    }

    #[test]
    fn values_are_scrubbed_before_they_are_cut() {
        let value = Value::String(format!(
            "https://deploybot:{}@git.example.com/a.git",
            "T0KEN".repeat(60)
        ));
        let shown = short(&value);
        assert!(
            !shown.contains("T0KEN") && !shown.contains("deploybot"),
            "{shown}"
        );
    }
    use serde_json::json;

    #[test]
    fn diffs_name_the_changed_fields_only() {
        let desired =
            json!({"kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"A": "1", "B": "2"}});
        let live = json!({"kind": "ConfigMap", "metadata": {"name": "c", "uid": "u"}, "data": {"A": "1", "B": "3", "C": "extra"}});
        let mut found = Vec::new();
        changes(&desired, &live, "", &mut found);
        assert_eq!(found, ["data.B: 2 → 3"]);
    }

    #[test]
    fn big_objects_are_cut_to_the_budget() {
        let mut object = json!({"data": {"blob": "x".repeat(40_000)}});
        assert!(fit(&mut object, 1024));
        assert!(object.to_string().len() <= 1024);
    }
}

arguments! {
    #[derive(Debug, Deserialize, JsonSchema)]
    #[serde(deny_unknown_fields)]
    pub struct ManifestsArgs {
        pub app_name: String,
        /// Git revision or chart version to render; default: the app's target revision.
        #[serde(default)]
        pub revision: Option<String>,
        multi_source,
        /// Also the objects themselves (Secrets masked), within 16 KB.
        #[serde(default)]
        pub include_objects: bool,
        /// Objects listed at most: default 100, at most 1000.
        #[serde(default)]
        pub limit: Option<usize>,
        app_namespace,
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct ManifestsResponse {
    manifests: Vec<String>,
    revision: Option<String>,
    source_type: Option<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct Manifests {
    pub app: String,
    /// The commit the manifests were rendered from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revision: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_type: Option<String>,
    pub count: usize,
    /// `Kind/namespace/name` of each rendered object.
    pub objects: Vec<String>,
    /// The objects, with `include_objects`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub manifests: Vec<Value>,
    pub truncated: bool,
}

pub struct GetManifests;

impl Tool for GetManifests {
    const NAME: &'static str = "get_argocd_app_manifests";
    const TITLE: &'static str = "Rendered manifests";
    const DESCRIPTION: &'static str = "What git renders for one app at its target revision or another: the objects listed, optionally in full (Secrets masked).";
    const ANNOTATIONS: Annotations = Annotations::READ;
    type Args = ManifestsArgs;
    type Output = Manifests;

    async fn run<H: Host>(
        client: &ArgoClient<'_, H>,
        args: ManifestsArgs,
        _progress: &dyn Progress,
    ) -> Result<Manifests, ArgoError> {
        let (limit, _) = page_bounds(args.limit, None, 100, 1000)?;
        let (path, query) = app_path(&args.app_name, args.app_namespace.as_deref(), "/manifests")?;
        // Each revision with the source it is applied to (positions are 1-based here); a
        // position that is not a number of a source judges it against no source's.
        let positions = args.source_positions.iter().flatten().map(|p| {
            usize::try_from(*p)
                .ok()
                .and_then(|p| p.checked_sub(1))
                .or(Some(usize::MAX))
        });
        let named: Vec<(&str, Option<usize>)> = args
            .revision
            .iter()
            .map(|r| (r.as_str(), None))
            .chain(
                args.revisions
                    .iter()
                    .flatten()
                    .map(String::as_str)
                    .zip(positions.chain(std::iter::repeat(None))),
            )
            .collect();
        let paired = match (&args.revisions, &args.source_positions) {
            (None, None) => true,
            (Some(revisions), Some(positions)) => {
                revisions.len() == positions.len() && positions.iter().all(|p| *p >= 1)
            }
            _ => false,
        };
        if !paired {
            return Err(ArgoError::invalid_input(
                "revisions and source_positions go together, one 1-based position per revision",
            ));
        }
        let sent = super::read_only::check_named_revisions(
            client,
            &args.app_name,
            args.app_namespace.as_deref(),
            &named,
        )
        .await?;
        // `named` lists `revision` (when given) first, then each of `revisions`.
        let (revision, revisions) = sent.split_at(usize::from(args.revision.is_some()));
        let mut query = query.add_opt("revision", revision.first().map(String::as_str));
        for (revision, position) in revisions.iter().zip(args.source_positions.iter().flatten()) {
            query = query
                .add("revisions", revision)
                .add("sourcePositions", &position.to_string());
        }
        let response: ManifestsResponse = client
            .get(
                &format!("{path}{}", query.as_str()),
                &format!("application '{}'", args.app_name),
            )
            .await?;
        let count = response.manifests.len();
        let mut objects = Vec::new();
        let mut manifests = Vec::new();
        let mut manifest_bytes = 0;
        let mut truncated = count > limit;
        for text in response.manifests.iter().take(limit) {
            let mut object: Value = serde_json::from_str(text).unwrap_or(Value::Null);
            mask_secrets(&mut object);
            let name = |key: &str| {
                object
                    .pointer(key)
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_owned()
            };
            objects.push(format!(
                "{}/{}/{}",
                name("/kind"),
                name("/metadata/namespace"),
                name("/metadata/name")
            ));
            if args.include_objects {
                // Whole objects while they fit the budget; the rest are only named in `objects`.
                let size = object.to_string().len();
                if manifest_bytes + size <= MAX_MANIFEST_BYTES {
                    manifest_bytes += size;
                    manifests.push(object);
                } else {
                    truncated = true;
                }
            }
        }
        Ok(Manifests {
            app: args.app_name,
            revision: response.revision,
            source_type: response.source_type,
            count,
            objects,
            manifests,
            truncated,
        })
    }
}
