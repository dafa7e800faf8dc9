//! Creating, changing and deleting applications, and deleting one managed resource.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::project_guard::{allowed_app, ensure_app_delete_allowed, project_of};
use super::{
    Tool, app_path, check_create_allowed, check_name, ensure_patch_allowed, ensure_project_allowed,
    ensure_resource_allowed, ensure_upsert_allowed, mutating,
};
use crate::argocd::model::Application;
use crate::argocd::{ArgoClient, ArgoError, Query};
use crate::host::{Host, Method};
use crate::mcp::tool::{Annotations, Progress};

/// The in-cluster API server, Argo CD's default destination.
const IN_CLUSTER: &str = "https://kubernetes.default.svc";

arguments! {
    #[derive(Debug, Deserialize, JsonSchema)]
    #[serde(deny_unknown_fields)]
    pub struct CreateArgs {
        /// Name of the new Application.
        pub name: String,
        pub project: String,
        /// Git or Helm repository URL.
        pub repo_url: String,
        /// Directory in a git repository (or give `chart`).
        #[serde(default)]
        pub path: Option<String>,
        /// Helm chart name in a Helm repository.
        #[serde(default)]
        pub chart: Option<String>,
        /// Branch, tag, commit or chart version; default HEAD.
        #[serde(default)]
        pub target_revision: Option<String>,
        /// Cluster URL (default: Argo CD's own cluster), or give `dest_name`.
        #[serde(default)]
        pub dest_server: Option<String>,
        #[serde(default)]
        pub dest_name: Option<String>,
        pub dest_namespace: String,
        /// Sync automatically when git changes.
        #[serde(default)]
        pub auto_sync: bool,
        /// With auto_sync: delete resources removed from git.
        #[serde(default)]
        pub prune: bool,
        /// With auto_sync: undo changes made in the cluster.
        #[serde(default)]
        pub self_heal: bool,
        /// Create the destination namespace when syncing.
        #[serde(default)]
        pub create_namespace: bool,
        /// Replace an existing app of that name instead of failing.
        #[serde(default)]
        pub upsert: bool,
        /// Namespace for the Application object (apps in any namespace).
        #[serde(default)]
        pub app_namespace: Option<String>,
        confirm,
    }
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct Changed {
    pub app: String,
    pub project: String,
    pub auto_sync: bool,
    pub message: String,
}

pub struct CreateApp;

impl Tool for CreateApp {
    const NAME: &'static str = "create_argocd_app";
    const TITLE: &'static str = "Create application";
    const DESCRIPTION: &'static str = "Creates an application from a git path or Helm chart to a destination namespace, optionally with auto-sync. It does not sync: use sync_argocd_app after. Ask the user first.";
    const ANNOTATIONS: Annotations = mutating(false, false);
    type Args = CreateArgs;
    type Output = Changed;

    async fn run<H: Host>(
        client: &ArgoClient<'_, H>,
        args: CreateArgs,
        _progress: &dyn Progress,
    ) -> Result<Changed, ArgoError> {
        check_name("name", &args.name)?;
        check_name("project", &args.project)?;
        check_name("dest_namespace", &args.dest_namespace)?;
        if let Some(ns) = &args.app_namespace {
            check_name("app_namespace", ns)?;
        }
        if args.path.is_some() == args.chart.is_some() {
            return Err(ArgoError::invalid_input(
                "give exactly one of path (git) or chart (Helm)",
            ));
        }
        if args.dest_server.is_some() && args.dest_name.is_some() {
            // Argo CD refuses a destination with both; neither is dropped silently here.
            return Err(ArgoError::invalid_input(
                "give dest_server or dest_name, not both",
            ));
        }
        check_create_allowed(client, &args.project, args.auto_sync)?;
        if args.upsert {
            ensure_upsert_allowed(client, &args.name, args.app_namespace.as_deref()).await?;
        }
        let mut source = json!({"repoURL": args.repo_url, "targetRevision": args.target_revision.as_deref().unwrap_or("HEAD")});
        match (&args.path, &args.chart) {
            (Some(path), _) => source["path"] = json!(path),
            (_, Some(chart)) => source["chart"] = json!(chart),
            _ => {}
        }
        let mut destination = json!({"namespace": args.dest_namespace});
        match &args.dest_name {
            Some(name) => destination["name"] = json!(name),
            None => {
                destination["server"] = json!(args.dest_server.as_deref().unwrap_or(IN_CLUSTER))
            }
        }
        let mut sync_policy = json!({});
        if args.auto_sync {
            sync_policy["automated"] = json!({"prune": args.prune, "selfHeal": args.self_heal});
        }
        if args.create_namespace {
            sync_policy["syncOptions"] = json!(["CreateNamespace=true"]);
        }
        let mut metadata = json!({"name": args.name});
        if let Some(ns) = &args.app_namespace {
            metadata["namespace"] = json!(ns);
        }
        let body = json!({"metadata": metadata, "spec": {"project": args.project, "source": source, "destination": destination, "syncPolicy": sync_policy}});
        let query = Query::new()
            .add("upsert", if args.upsert { "true" } else { "false" })
            .add("validate", "true");
        let app: Application = client
            .post(
                &format!("/api/v1/applications{}", query.as_str()),
                &body,
                &format!("application '{}'", args.name),
            )
            .await?;
        Ok(Changed {
            auto_sync: app.spec.auto_sync(),
            project: app.spec.project.clone().unwrap_or_else(|| args.project.clone()),
            app: app.metadata.name,
            message: "Created. Nothing is deployed until it syncs: run sync_argocd_app (or wait for auto-sync).".into(),
        })
    }
}

arguments! {
    #[derive(Debug, Deserialize, JsonSchema)]
    #[serde(deny_unknown_fields)]
    pub struct PatchArgs {
        pub app_name: String,
        /// JSON merge patch (RFC 7386) of the Application, e.g.
        /// {"spec": {"syncPolicy": {"automated": null}}} turns auto-sync off.
        pub patch: Value,
        app_namespace,
        confirm,
    }
}

pub struct PatchApp;

impl Tool for PatchApp {
    const NAME: &'static str = "patch_argocd_app";
    const TITLE: &'static str = "Change application";
    const DESCRIPTION: &'static str = "Changes an app's definition with a JSON merge patch: target revision, sync policy (e.g. auto-sync off before a rollback), destination, labels. Ask the user first.";
    const ANNOTATIONS: Annotations = mutating(true, true);
    type Args = PatchArgs;
    type Output = Changed;

    async fn run<H: Host>(
        client: &ArgoClient<'_, H>,
        args: PatchArgs,
        _progress: &dyn Progress,
    ) -> Result<Changed, ArgoError> {
        if !args.patch.is_object() || args.patch.as_object().is_some_and(|p| p.is_empty()) {
            return Err(ArgoError::invalid_input(
                "patch must be a non-empty JSON object (a merge patch of the Application)",
            ));
        }
        super::patch_spelling::check_patch_spelling(None, &args.patch)?;
        check_patch_keeps_the_app(&args.patch, &args.app_name, args.app_namespace.as_deref())?;
        check_patch_is_kept(&args.patch)?;
        let (path, _) = app_path(&args.app_name, args.app_namespace.as_deref(), "")?;
        let project = ensure_patch_allowed(
            client,
            &args.app_name,
            args.app_namespace.as_deref(),
            &args.patch,
        )
        .await?;
        let mut body =
            json!({"name": args.app_name, "patch": args.patch.to_string(), "patchType": "merge"});
        if let Some(ns) = &args.app_namespace {
            body["appNamespace"] = json!(ns);
        }
        // Argo CD refuses the patch if the app is no longer in the project we judged.
        if let Some(project) = project {
            body["project"] = json!(project);
        }
        let app: Application = client
            .call(
                Method::Patch,
                &path,
                Some(&body),
                &format!("application '{}'", args.app_name),
            )
            .await?;
        Ok(Changed {
            auto_sync: app.spec.auto_sync(),
            project: app.spec.project.clone().unwrap_or_else(|| "default".into()),
            app: app.metadata.name,
            message:
                "Changed. A changed source or revision shows as OutOfSync until the app syncs."
                    .into(),
        })
    }
}

/// Refuses a merge patch that names another app: Argo CD's Patch applies the patch, then
/// writes the app the patched object names (`metadata.name`, `metadata.namespace`), replacing
/// that app's spec, labels and finalizers with this one's: a change asked and judged as one to
/// this app would land on another. A name or namespace equal to the app's own is no change.
pub(super) fn check_patch_keeps_the_app(
    patch: &Value,
    app_name: &str,
    app_namespace: Option<&str>,
) -> Result<(), ArgoError> {
    let Some(metadata) = patch.get("metadata") else {
        return Ok(());
    };
    let renames = |field: &str, now: Option<&str>| {
        metadata
            .get(field)
            .is_some_and(|given| now.is_none() || given.as_str() != now)
    };
    if !metadata.is_object()
        || renames("name", Some(app_name))
        || renames("namespace", app_namespace)
    {
        return Err(ArgoError::invalid_input(format!(
            "this patch sets the name or namespace of application '{app_name}': Argo CD would write its result over the app those name, not this one. Rename an app by creating the new one and deleting the old. Nothing was sent to Argo CD."
        )));
    }
    Ok(())
}

/// What Argo CD's Patch keeps of the patched Application: its spec, and of its metadata the
/// labels, annotations and finalizers (`name` and `namespace` are the app's own, checked
/// above). Anything else (`operation`, `status`, `metadata.ownerReferences`) it drops without a
/// word, so a patch holding it is refused: the caller learns it did nothing, and no guard has
/// to judge what Argo CD would never apply.
const KEPT_METADATA: [&str; 5] = ["labels", "annotations", "finalizers", "name", "namespace"];

pub(super) fn check_patch_is_kept(patch: &Value) -> Result<(), ArgoError> {
    let dropped = |at: String| {
        Err(ArgoError::invalid_input(format!(
            "the patch sets {at}, which Argo CD's Patch does not keep (it keeps spec and metadata's labels, annotations and finalizers): sync with sync_argocd_app, or leave it out. Nothing was sent to Argo CD."
        )))
    };
    for (key, value) in patch.as_object().into_iter().flatten() {
        match key.as_str() {
            "spec" => {}
            "metadata" => {
                for field in value.as_object().into_iter().flatten().map(|(k, _)| k) {
                    if !KEPT_METADATA.contains(&field.as_str()) {
                        return dropped(format!("metadata[{}]", Value::from(field.as_str())));
                    }
                }
            }
            other => return dropped(Value::from(other).to_string()),
        }
    }
    Ok(())
}

arguments! {
    #[derive(Debug, Deserialize, JsonSchema)]
    #[serde(deny_unknown_fields)]
    pub struct DeleteArgs {
        pub app_name: String,
        /// true: also delete what the app deployed; false: only the Application, its resources
        /// keep running.
        pub cascade: bool,
        /// With cascade: foreground (wait for dependents) or background.
        #[serde(default)]
        pub propagation_policy: Option<String>,
        app_namespace,
        confirm,
    }
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct Deleted {
    pub deleted: String,
    pub message: String,
}

pub struct DeleteApp;

impl Tool for DeleteApp {
    const NAME: &'static str = "delete_argocd_app";
    const TITLE: &'static str = "Delete application";
    const DESCRIPTION: &'static str = "Deletes an application; with cascade true also everything it deployed, with cascade false its resources keep running unmanaged. Ask the user first, saying which.";
    const ANNOTATIONS: Annotations = mutating(true, true);
    type Args = DeleteArgs;
    type Output = Deleted;

    async fn run<H: Host>(
        client: &ArgoClient<'_, H>,
        args: DeleteArgs,
        _progress: &dyn Progress,
    ) -> Result<Deleted, ArgoError> {
        if let Some(policy) = &args.propagation_policy
            && !matches!(policy.as_str(), "foreground" | "background")
        {
            return Err(ArgoError::invalid_input(
                "propagation_policy is foreground or background",
            ));
        }
        let (path, query) = app_path(&args.app_name, args.app_namespace.as_deref(), "")?;
        let (name, namespace) = (args.app_name.as_str(), args.app_namespace.as_deref());
        let guarded = allowed_app(client, name, namespace).await?;
        if let Some(app) = &guarded {
            ensure_app_delete_allowed(client, (name, namespace), app, args.cascade).await?;
        }
        let project = guarded.as_ref().map(project_of);
        let query = query
            .add_opt("project", project.as_deref())
            .add("cascade", if args.cascade { "true" } else { "false" })
            .add_opt("propagationPolicy", args.propagation_policy.as_deref());
        let _: Value = client
            .call(
                Method::Delete,
                &format!("{path}{}", query.as_str()),
                None,
                &format!("application '{}'", args.app_name),
            )
            .await?;
        Ok(Deleted {
            deleted: args.app_name,
            message: if args.cascade {
                "Deleted with its resources (Argo CD removes them in the background).".into()
            } else {
                "Deleted the Application only; its resources keep running, no longer managed."
                    .into()
            },
        })
    }
}

arguments! {
    #[derive(Debug, Deserialize, JsonSchema)]
    #[serde(deny_unknown_fields)]
    pub struct DeleteResourceArgs {
        pub app_name: String,
        resource,
        /// Delete at once, skipping finalizers' graceful wait.
        #[serde(default)]
        pub force: bool,
        /// Leave the resource's dependents running.
        #[serde(default)]
        pub orphan: bool,
        app_namespace,
        confirm,
    }
}

pub struct DeleteResource;

impl Tool for DeleteResource {
    const NAME: &'static str = "delete_argocd_resource";
    const TITLE: &'static str = "Delete one resource";
    const DESCRIPTION: &'static str = "Deletes one Kubernetes resource of an app (e.g. a stuck Pod or Job); the next sync recreates it if git still has it. Ask the user first.";
    const ANNOTATIONS: Annotations = mutating(true, true);
    type Args = DeleteResourceArgs;
    type Output = Deleted;

    async fn run<H: Host>(
        client: &ArgoClient<'_, H>,
        args: DeleteResourceArgs,
        _progress: &dyn Progress,
    ) -> Result<Deleted, ArgoError> {
        let resource = args.resource();
        let path = resource.path(&args.app_name, args.app_namespace.as_deref(), "/resource")?;
        let project =
            ensure_project_allowed(client, &args.app_name, args.app_namespace.as_deref()).await?;
        ensure_resource_allowed(
            client,
            &args.app_name,
            args.app_namespace.as_deref(),
            &resource,
        )
        .await?;
        let flags = Query::new()
            .add_opt("project", project.as_deref())
            .add("force", if args.force { "true" } else { "false" })
            .add("orphan", if args.orphan { "true" } else { "false" });
        let path = format!("{path}&{}", flags.as_str().trim_start_matches('?'));
        let _: Value = client
            .call(
                Method::Delete,
                &path,
                None,
                &resource.subject(&args.app_name),
            )
            .await?;
        Ok(Deleted {
            deleted: format!("{}/{}", args.kind, args.resource_name),
            message: "Deleted. If git still has it, the next sync creates it again.".into(),
        })
    }
}
