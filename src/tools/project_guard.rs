//! ARGOCD_ALLOWED_PROJECTS: writes only to apps of the listed projects. A write is judged by the
//! app's project before it and, for a change of the app itself, after it; the project found is
//! sent with the write, so Argo CD refuses it should the app have moved in between.

use std::borrow::Cow;

use serde_json::Value;

use super::app_path;
use crate::argocd::{ArgoClient, ArgoError, Query};
use crate::host::Host;

/// Argo CD's project for an Application without one.
const DEFAULT_PROJECT: &str = "default";

fn allowed_list(allowed: &[String]) -> String {
    if allowed.is_empty() {
        "no project".to_string()
    } else {
        allowed.join(", ")
    }
}

/// Refuses a project outside ARGOCD_ALLOWED_PROJECTS without asking Argo CD.
pub fn check_project_allowed<H: Host>(
    client: &ArgoClient<'_, H>,
    project: &str,
) -> Result<(), ArgoError> {
    match &client.settings().allowed_projects {
        Some(allowed) if !allowed.iter().any(|p| p == project) => {
            Err(ArgoError::invalid_input(format!(
                "project '{project}' is not in ARGOCD_ALLOWED_PROJECTS / allowed_projects ({}); nothing was sent to Argo CD",
                allowed_list(allowed)
            )))
        }
        _ => Ok(()),
    }
}

/// The Application exactly as a write to `app_name` in `app_namespace` would reach it: the
/// single-app read, whose answer must name that app (a list filtered by name can hold apps of
/// the same name in other namespaces).
pub async fn current_app<H: Host>(
    client: &ArgoClient<'_, H>,
    app_name: &str,
    app_namespace: Option<&str>,
) -> Result<Value, ArgoError> {
    let (path, query) = app_path(app_name, app_namespace, "")?;
    let app: Value = client
        .get(
            &format!("{path}{}", query.as_str()),
            &format!("application '{app_name}'"),
        )
        .await?;
    let name = app.pointer("/metadata/name").and_then(Value::as_str);
    let namespace = app.pointer("/metadata/namespace").and_then(Value::as_str);
    if name != Some(app_name) || app_namespace.is_some_and(|ns| namespace != Some(ns)) {
        return Err(ArgoError::new(
            crate::argocd::error::ErrorKind::InvalidResponse,
            format!(
                "Argo CD answered about another application than '{app_name}' ({}); nothing was changed",
                name.unwrap_or("none")
            ),
            "check that ARGOCD_URL points at the Argo CD API server",
        ));
    }
    Ok(app)
}

/// The project of an Application object (Argo CD's default when it names none).
pub(super) fn project_of(app: &Value) -> String {
    match app.pointer("/spec/project").and_then(Value::as_str) {
        Some(project) if !project.is_empty() => project.to_owned(),
        _ => DEFAULT_PROJECT.to_owned(),
    }
}

fn refuse_app(app_name: &str, project: &str, allowed: &[String]) -> ArgoError {
    ArgoError::invalid_input(format!(
        "application '{app_name}' belongs to project '{project}'; this server may only change apps of {} (ARGOCD_ALLOWED_PROJECTS / allowed_projects). Nothing was sent to Argo CD.",
        allowed_list(allowed)
    ))
}

/// With ARGOCD_ALLOWED_PROJECTS set, refuses a write to an app of another project and returns
/// the app's project, to send with the write. Without it, `None` and no read.
pub async fn ensure_project_allowed<H: Host>(
    client: &ArgoClient<'_, H>,
    app_name: &str,
    app_namespace: Option<&str>,
) -> Result<Option<String>, ArgoError> {
    let app = allowed_app(client, app_name, app_namespace).await?;
    Ok(app.as_ref().map(project_of))
}

/// With ARGOCD_ALLOWED_PROJECTS set, the app a write acts on, read once, refused when it belongs
/// to another project: what the write's later checks judge, so all judge the same app. Without
/// it, `None` and no read.
pub async fn allowed_app<H: Host>(
    client: &ArgoClient<'_, H>,
    app_name: &str,
    app_namespace: Option<&str>,
) -> Result<Option<Value>, ArgoError> {
    let Some(allowed) = &client.settings().allowed_projects else {
        return Ok(None);
    };
    let app = current_app(client, app_name, app_namespace).await?;
    let project = project_of(&app);
    if !allowed.contains(&project) {
        return Err(refuse_app(app_name, &project, allowed));
    }
    Ok(Some(app))
}

/// With ARGOCD_ALLOWED_PROJECTS set, a write to one resource of an allowed app that is itself
/// an Argo CD object (an app of apps manages Applications, ApplicationSets, AppProjects): Argo
/// CD judges only the parent, while deleting a child Application deletes all it deployed, its
/// own child Applications and all they deployed in turn. A child Application is allowed when
/// its own project is and every Application it reaches that way is (read from Argo CD, as the
/// caller); an ApplicationSet or AppProject makes or governs apps of any project, so it is
/// refused.
pub async fn ensure_resource_allowed<H: Host>(
    client: &ArgoClient<'_, H>,
    app_name: &str,
    app_namespace: Option<&str>,
    resource: &super::ResourceSelector<'_>,
) -> Result<(), ArgoError> {
    let Some(allowed) = &client.settings().allowed_projects else {
        return Ok(());
    };
    if is_namespace(resource) {
        let parent = current_app(client, app_name, app_namespace).await?;
        return ensure_namespace_delete_allowed(client, allowed, &parent, resource.name).await;
    }
    match argo_object(resource, allowed)? {
        Some(app) => {
            ensure_apps_allowed(client, allowed, app, None, Deletes::AppAndAllItManages).await
        }
        None => Ok(()),
    }
}

/// A delete of `namespace` through `parent`: the namespace the app's own Application object
/// lives in holds Argo CD's Applications, and deleting it deletes them all, whatever their
/// project; with apps in any namespace, any other Namespace may hold Applications too.
async fn ensure_namespace_delete_allowed<H: Host>(
    client: &ArgoClient<'_, H>,
    allowed: &[String],
    parent: &Value,
    namespace: &str,
) -> Result<(), ArgoError> {
    let held = parent
        .pointer("/metadata/namespace")
        .and_then(Value::as_str);
    if held == Some(namespace) {
        return Err(refuse_applications_namespace(namespace, allowed));
    }
    ensure_namespace_holds_no_apps(client, allowed, namespace).await
}

fn is_namespace(resource: &super::ResourceSelector<'_>) -> bool {
    resource.kind.eq_ignore_ascii_case("Namespace") && resource.group.is_none_or(str::is_empty)
}

/// Refuses deleting a Namespace that holds an Application Argo CD shows the caller (apps in any
/// namespace: `--application-namespaces`): deleting the Namespace deletes the Applications in
/// it, whatever their project. Asks Argo CD for names and namespaces only; a list that cannot be
/// read refuses, since what it would hold is unknown. Applications the caller cannot see (RBAC
/// filters the list) cannot be judged: the README says so.
async fn ensure_namespace_holds_no_apps<H: Host>(
    client: &ArgoClient<'_, H>,
    allowed: &[String],
    namespace: &str,
) -> Result<(), ArgoError> {
    let query = Query::new()
        .add("appNamespace", namespace)
        .add("fields", "items.metadata.name,items.metadata.namespace");
    let list: Value = client
        .get(
            &format!("/api/v1/applications{}", query.as_str()),
            "the applications in a namespace",
        )
        .await
        .map_err(|e| {
            ArgoError::invalid_input(format!(
                "the Applications in the Namespace '{namespace}' could not be listed to check them against ARGOCD_ALLOWED_PROJECTS / allowed_projects ({e}). Nothing was sent to Argo CD."
            ))
        })?;
    // Filtered here too: an Argo CD that ignored `appNamespace` lists every namespace.
    let holds_one =
        list["items"].as_array().into_iter().flatten().any(|app| {
            app.pointer("/metadata/namespace").and_then(Value::as_str) == Some(namespace)
        });
    if holds_one {
        return Err(refuse_applications_namespace(namespace, allowed));
    }
    Ok(())
}

fn refuse_applications_namespace(namespace: &str, allowed: &[String]) -> ArgoError {
    ArgoError::invalid_input(format!(
        "the Namespace '{namespace}' holds Argo CD's Applications, and deleting it deletes them all, of every project; ARGOCD_ALLOWED_PROJECTS / allowed_projects ({}) is set: this server does not act on it. Nothing was sent to Argo CD.",
        allowed_list(allowed)
    ))
}

/// With ARGOCD_ALLOWED_PROJECTS set, a sync or rollback with prune of an app of apps (it
/// deletes what the revision no longer has; which ones is known only once Argo CD renders it,
/// so every one the app manages counts; a delete of the app is [`ensure_app_delete_allowed`]). The Argo CD objects among them and,
/// through each child Application, what that manages in turn, are each judged as a delete of
/// that resource alone would be ([`ensure_resource_allowed`]).
pub async fn ensure_managed_deletes_allowed<H: Host>(
    client: &ArgoClient<'_, H>,
    app_name: &str,
    app_namespace: Option<&str>,
) -> Result<(), ArgoError> {
    let Some(allowed) = &client.settings().allowed_projects else {
        return Ok(());
    };
    let app = (app_name.to_owned(), app_namespace.map(str::to_owned));
    ensure_apps_allowed(client, allowed, app, None, Deletes::WhatItManages).await
}

/// Whether the app's own sync options make a sync delete what it manages and create it again:
/// `Replace=true` (`kubectl replace`, a delete with `Force=true`) and `Force=true` (`apply
/// --force` deletes and recreates on a conflict). Argo CD applies them to every sync of the app,
/// a manual one that names none included; a child Application deleted so is deleted with all
/// it deployed (its finalizer), and a Namespace with all in it.
pub fn replaces_what_it_manages(app: &Value) -> bool {
    let options = app.pointer("/spec/syncPolicy/syncOptions");
    options
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .any(|option| {
            let option = option.trim();
            option.eq_ignore_ascii_case("Replace=true") || option.eq_ignore_ascii_case("Force=true")
        })
}

/// What a sync or rollback deploys, for the manifests it applies to be read.
pub enum Deployed<'a> {
    /// A sync, by the body sent: its `revision`, or `revisions` with `sourcePositions`; neither
    /// deploys the app's target revisions.
    Sync(&'a Value),
    /// A rollback to the history entry of this id.
    History(i64),
    /// The app deleted: Argo CD creates the PreDelete and PostDelete hooks its target revisions
    /// render, then deletes them.
    Deletion,
}

/// With ARGOCD_ALLOWED_PROJECTS set, a sync or rollback (not a dry run) judged for what it
/// deletes and what it writes: everything the app manages ([`ensure_managed_deletes_allowed`])
/// with `prune`, or when the app's own sync options replace what it manages
/// ([`replaces_what_it_manages`]); and the Argo CD objects of the manifests it applies
/// ([`ensure_applied_objects_allowed`]). A rollback deploys its history entry's source, which
/// only the app's own can be rendered for: another is refused ([`ensure_entry_renders`]).
/// Gives the revision Argo CD resolved the judged manifests at (a commit for a branch), for the
/// sync to be pinned to ([`pinned_revision`]).
pub async fn ensure_sync_allowed<H: Host>(
    client: &ArgoClient<'_, H>,
    (app_name, app_namespace): (&str, Option<&str>),
    app: &Value,
    prune: bool,
    deployed: &Deployed<'_>,
) -> Result<Option<String>, ArgoError> {
    let Some(allowed) = &client.settings().allowed_projects else {
        return Ok(None);
    };
    if let Deployed::History(id) = deployed {
        ensure_entry_renders(app, *id, allowed)?;
    }
    if prune || replaces_what_it_manages(app) {
        let first = (app_name.to_owned(), app_namespace.map(str::to_owned));
        ensure_apps_allowed(client, allowed, first, Some(app), Deletes::WhatItManages).await?;
    }
    let app_ref = (app_name, app_namespace);
    ensure_applied_objects_allowed(client, allowed, app_ref, app, deployed).await
}

/// What renders an Application's manifests apart from its revisions: its sources, each without
/// `targetRevision`, in the shape given (`source`, or `sources` for a multi-source app: Argo CD
/// reads a revision for each differently); of a history entry alike.
fn sources_but_revisions(holder: &Value) -> Value {
    let strip = |source: &Value| {
        let mut source = source.clone();
        if let Some(fields) = source.as_object_mut() {
            fields.remove("targetRevision");
        }
        source
    };
    match holder.get("sources").and_then(Value::as_array) {
        Some(sources) if !sources.is_empty() => {
            let sources: Vec<Value> = sources.iter().map(strip).collect();
            serde_json::json!({"sources": sources})
        }
        _ => serde_json::json!({"source": holder.get("source").map(strip)}),
    }
}

/// An Application's spec apart from its target revisions and its sync policy: what else decides
/// what Argo CD renders and where it applies it (sources, destination, which differences it
/// ignores).
fn spec_but_revisions_and_policy(spec: &Value) -> Value {
    let mut rest = spec.clone();
    if let Some(fields) = rest.as_object_mut() {
        for renders in ["syncPolicy", "source", "sources"] {
            fields.remove(renders);
        }
    }
    serde_json::json!({"rest": rest, "sources": sources_but_revisions(spec)})
}

/// The revision a sync of `app` whose `body` names `revision` (or none) is sent with, so Argo CD
/// applies what [`ensure_sync_allowed`] judged at `judged` (the revision its manifests were
/// resolved at) and not what a branch or tag points at by the time the sync starts: a push
/// between the two would otherwise deploy unjudged objects. None where the sync cannot be
/// pinned: a multi-source app (Argo CD resolves one revision per source; the manifests answer
/// gives one), an app Argo CD syncs by itself (it refuses a revision other than the target one,
/// and deploys every new commit anyway), or nothing resolved.
pub fn pinned_revision(app: &Value, body: &Value, judged: Option<String>) -> Option<String> {
    let judged = judged.filter(|revision| !revision.trim().is_empty())?;
    // By the app alone: Argo CD reads a body's `revisions` only for an app of several sources.
    if has_sources(app) || auto_synced(app) {
        return None;
    }
    (body["revision"].as_str() != Some(judged.as_str())).then_some(judged)
}

/// Whether `app` is one of several sources (`spec.sources`, not empty), as Argo CD tells them.
pub fn has_sources(app: &Value) -> bool {
    app.pointer("/spec/sources")
        .and_then(Value::as_array)
        .is_some_and(|sources| !sources.is_empty())
}

/// Whether Argo CD syncs `app` by itself: `automated` set and not turned off by its `enabled`
/// (v3.1+).
fn auto_synced(app: &Value) -> bool {
    app.pointer("/spec/syncPolicy/automated")
        .is_some_and(|automated| !automated.is_null() && automated["enabled"] != Value::Bool(false))
}

/// What an auto-sync of `spec` deploys, as a sync's body names it: `revision` for one source,
/// `revisions` with `sourcePositions` for several.
fn target_revisions(spec: &Value) -> Value {
    let revision = |source: &Value| {
        source["targetRevision"]
            .as_str()
            .unwrap_or("HEAD")
            .to_owned()
    };
    match spec.get("sources").and_then(Value::as_array) {
        Some(sources) if !sources.is_empty() => {
            let revisions: Vec<String> = sources.iter().map(revision).collect();
            let positions: Vec<usize> = (1..=sources.len()).collect();
            serde_json::json!({"revisions": revisions, "sourcePositions": positions})
        }
        _ => serde_json::json!({"revision": revision(&spec["source"])}),
    }
}

/// Refuses a rollback to a history entry whose sources are not the app's own but for their
/// revisions (another path, chart, repository, Helm values): Argo CD deploys the entry's, and
/// its manifests can be rendered only for the app's sources.
fn ensure_entry_renders(app: &Value, id: i64, allowed: &[String]) -> Result<(), ArgoError> {
    let history = app.pointer("/status/history").and_then(Value::as_array);
    let Some(entry) = history
        .into_iter()
        .flatten()
        .find(|entry| entry["id"].as_i64() == Some(id))
    else {
        // Argo CD refuses an id it does not have.
        return Ok(());
    };
    let recorded = sources_but_revisions(entry);
    if recorded == serde_json::json!({"source": null})
        || recorded == sources_but_revisions(&app["spec"])
    {
        return Ok(());
    }
    Err(ArgoError::invalid_input(format!(
        "history entry {id} deployed other sources than the app has now (another repository, path, chart or parameters), and what a rollback to it applies cannot be read beforehand to check it against ARGOCD_ALLOWED_PROJECTS / allowed_projects ({}). Nothing was sent to Argo CD.",
        allowed_list(allowed)
    )))
}

/// `query` asking the manifests for what `deployed` deploys of `app`: a rollback's revisions are
/// its history entry's (an id not in the history reads the app's targets; Argo CD then refuses
/// the rollback itself).
fn manifests_query(mut query: Query, app: &Value, deployed: &Deployed<'_>) -> Query {
    let texts = |value: &Value| -> Vec<String> {
        let items = value.as_array().into_iter().flatten();
        items.filter_map(Value::as_str).map(str::to_owned).collect()
    };
    let (revision, revisions, positions) = match deployed {
        Deployed::Sync(body) => {
            let positions = body["sourcePositions"].as_array().into_iter().flatten();
            let positions = positions.filter_map(Value::as_i64).collect();
            (
                body["revision"].as_str(),
                texts(&body["revisions"]),
                positions,
            )
        }
        Deployed::History(id) => {
            let history = app.pointer("/status/history").and_then(Value::as_array);
            let entry = history
                .into_iter()
                .flatten()
                .find(|entry| entry["id"].as_i64() == Some(*id));
            let revisions = entry
                .map(|entry| texts(&entry["revisions"]))
                .unwrap_or_default();
            // A multi-source entry lists one revision per source, in the sources' order.
            let positions = (1..).take(revisions.len()).collect();
            let revision = entry.and_then(|entry| entry["revision"].as_str());
            (revision, revisions, positions)
        }
        // No revision named: Argo CD renders the app's target revisions.
        Deployed::Deletion => (None, Vec::new(), Vec::new()),
    };
    if revisions.is_empty() {
        query = query.add_opt("revision", revision);
    }
    for (revision, position) in revisions.iter().zip::<Vec<i64>>(positions) {
        query = query
            .add("revisions", revision)
            .add("sourcePositions", &position.to_string());
    }
    query
}

/// Whether Argo CD deletes the object a manifest describes when a sync applies it: its own
/// `argocd.argoproj.io/sync-options` annotation says `Replace=true` or `Force=true` (read per
/// resource, as the app's options are), or it is a hook, which Argo CD deletes before creating
/// it again (`BeforeHookCreation`, the policy when none is given) or after it ran. A Skip hook
/// is never applied.
fn deleted_when_applied(object: &Value) -> bool {
    let annotation = |name: &str| {
        object
            .pointer("/metadata/annotations")
            .and_then(|annotations| annotations.get(name))
            .and_then(Value::as_str)
    };
    let replaces = annotation("argocd.argoproj.io/sync-options")
        .into_iter()
        .flat_map(|options| options.split(','))
        .map(str::trim)
        .any(|option| {
            option.eq_ignore_ascii_case("Replace=true") || option.eq_ignore_ascii_case("Force=true")
        });
    let argo_hook = annotation("argocd.argoproj.io/hook").is_some_and(|hook| {
        hook.split(',')
            .any(|kind| !kind.trim().eq_ignore_ascii_case("Skip"))
    });
    replaces || argo_hook || annotation("helm.sh/hook").is_some()
}

/// Each Argo CD object of the manifests a sync of `app_name` applies, judged before it is sent:
/// an ApplicationSet or AppProject (which make or govern apps of any project) is refused; an
/// Application must belong to an allowed project as written and, when it exists, as it is
/// (applying it rewrites that app); one Argo CD deletes when applying it
/// ([`deleted_when_applied`]: a `Replace=true` annotation, a hook) is judged as a delete of it
/// ([`ensure_resource_allowed`]: with all it deploys in turn), and so is such a Namespace.
/// Manifests that cannot be read refuse: what they hold is unknown. At most [`APPS_READ_MOST`]
/// objects are judged; more are refused rather than judged in part.
async fn ensure_applied_objects_allowed<H: Host>(
    client: &ArgoClient<'_, H>,
    allowed: &[String],
    (app_name, app_namespace): (&str, Option<&str>),
    app: &Value,
    deployed: &Deployed<'_>,
) -> Result<Option<String>, ArgoError> {
    let Rendered {
        objects,
        default_namespace,
        revision,
    } = rendered_objects(client, (app_name, app_namespace), app, deployed).await?;
    let default_namespace = default_namespace.as_deref();
    let mut judged = 0;
    for object in &objects {
        let selector = selector_of(object, default_namespace);
        let deleted = deleted_when_applied(object);
        let applied_app = if deleted
            || !selector
                .kind
                .eq_ignore_ascii_case("CustomResourceDefinition")
        {
            argo_object(&selector, allowed)?
        } else {
            None
        };
        if !(applied_app.is_some() || (deleted && is_namespace(&selector))) {
            continue;
        }
        judged += 1;
        if judged > APPS_READ_MOST {
            return Err(too_many_reads(allowed));
        }
        let written = project_of(object);
        if applied_app.is_some() && !allowed.contains(&written) {
            return Err(ArgoError::invalid_input(format!(
                "a sync of '{app_name}' applies the Application '{}' of project '{written}'; this server may only change apps of {} (ARGOCD_ALLOWED_PROJECTS / allowed_projects). Nothing was sent to Argo CD.",
                selector.name,
                allowed_list(allowed)
            )));
        }
        if deleted {
            ensure_resource_allowed(client, app_name, app_namespace, &selector)
                .await
                .map_err(|e| {
                    ArgoError::invalid_input(format!(
                        "a sync of '{app_name}' deletes {} '{}' and creates it again (its manifest's argocd.argoproj.io/sync-options annotation says Replace=true or Force=true, or it is a hook, which Argo CD deletes before creating it again or after it ran): {}",
                        selector.kind, selector.name, e.message
                    ))
                })?;
        } else if let Some((name, namespace)) = &applied_app {
            // Applying an Application rewrites the one of that name as it is.
            match current_app(client, name, namespace.as_deref()).await {
                Ok(live) if !allowed.contains(&project_of(&live)) => {
                    return Err(ArgoError::invalid_input(format!(
                        "a sync of '{app_name}' rewrites the Application '{name}', which belongs to project '{}'; this server may only change apps of {} (ARGOCD_ALLOWED_PROJECTS / allowed_projects). Nothing was sent to Argo CD.",
                        project_of(&live),
                        allowed_list(allowed)
                    )));
                }
                Ok(_) => {}
                // Argo CD answers alike for an app that does not exist and one the caller may
                // not see (403; 404 with a project named, also for an app of another project):
                // only an app read tells which project it is in.
                Err(e) => {
                    return Err(ArgoError::invalid_input(format!(
                        "a sync of '{app_name}' applies the Application '{name}', which could not be read ({e}): Argo CD answers alike for an app that does not exist and one the caller may not see, so whether the sync rewrites an app of another project is unknown under ARGOCD_ALLOWED_PROJECTS / allowed_projects ({}). Create it first with create_argocd_app (checked), then sync. Nothing was sent to Argo CD.",
                        allowed_list(allowed)
                    )));
                }
            }
        }
    }
    Ok(revision)
}

/// What Argo CD renders of an app: its objects, the namespace it applies one without a
/// namespace in, and the revision it resolved (a commit for a branch or tag).
struct Rendered {
    objects: Vec<Value>,
    default_namespace: Option<String>,
    revision: Option<String>,
}

/// The manifests `deployed` renders of the app ([`Rendered`]). Manifests that cannot be read
/// refuse: what they hold is unknown.
async fn rendered_objects<H: Host>(
    client: &ArgoClient<'_, H>,
    (app_name, app_namespace): (&str, Option<&str>),
    app: &Value,
    deployed: &Deployed<'_>,
) -> Result<Rendered, ArgoError> {
    let (path, query) = app_path(app_name, app_namespace, "/manifests")?;
    let query = manifests_query(query, app, deployed);
    let act = match deployed {
        Deployed::Deletion => "a delete of",
        Deployed::Sync(_) | Deployed::History(_) => "a sync of",
    };
    let unreadable = |why: String| {
        ArgoError::invalid_input(format!(
            "the manifests {act} '{app_name}' applies could not be read to check them against ARGOCD_ALLOWED_PROJECTS / allowed_projects ({why}). Nothing was sent to Argo CD."
        ))
    };
    let rendered: Value = client
        .get(&format!("{path}{}", query.as_str()), "the app's manifests")
        .await
        .map_err(|e| unreadable(e.to_string()))?;
    let mut objects = Vec::new();
    for manifest in rendered["manifests"].as_array().into_iter().flatten() {
        objects.push(match manifest {
            Value::String(text) => serde_json::from_str(text)
                .map_err(|_| unreadable("a manifest is not JSON".into()))?,
            other => other.clone(),
        });
    }
    // Argo CD applies an object without a namespace in the app's destination namespace.
    let default_namespace = app
        .pointer("/spec/destination/namespace")
        .and_then(Value::as_str)
        .or(rendered["namespace"].as_str())
        .map(str::to_owned);
    Ok(Rendered {
        objects,
        default_namespace,
        revision: rendered["revision"].as_str().map(str::to_owned),
    })
}

/// The resource a rendered object is, as the guards name resources.
fn selector_of<'a>(
    object: &'a Value,
    default_namespace: Option<&'a str>,
) -> super::ResourceSelector<'a> {
    let text = |pointer: &str| object.pointer(pointer).and_then(Value::as_str);
    let api_version = text("/apiVersion").unwrap_or("v1");
    let (group, version) = api_version.rsplit_once('/').unwrap_or(("", api_version));
    super::ResourceSelector {
        kind: text("/kind").unwrap_or(""),
        name: text("/metadata/name").unwrap_or(""),
        namespace: text("/metadata/namespace").or(default_namespace),
        group: Some(group),
        version: Some(version),
    }
}

/// Whether Argo CD runs the object as a hook when the app is deleted (`PreDelete`,
/// `PostDelete`, Helm's `pre-delete`, `post-delete`): it creates it from Git then, with the
/// controller's own rights, and deletes it once it has run.
fn runs_on_delete(object: &Value) -> bool {
    let annotation = |name: &str| {
        object
            .pointer("/metadata/annotations")
            .and_then(|annotations| annotations.get(name))
            .and_then(Value::as_str)
            .unwrap_or("")
    };
    let names = |value: &str, kinds: [&str; 2]| {
        value
            .split(',')
            .any(|kind| kinds.iter().any(|k| kind.trim().eq_ignore_ascii_case(k)))
    };
    names(
        annotation("argocd.argoproj.io/hook"),
        ["PreDelete", "PostDelete"],
    ) || names(annotation("helm.sh/hook"), ["pre-delete", "post-delete"])
}

/// What deleting an app makes Argo CD create and then delete: its delete hooks
/// ([`runs_on_delete`]) at its target revisions. An ApplicationSet or AppProject among them is
/// refused, and so is an Application written in a project outside the list; the Applications
/// (to be read and judged as deletes, with all they manage) and Namespaces (deleted once the
/// hook ran) among them are returned.
async fn delete_hooks<H: Host>(
    client: &ArgoClient<'_, H>,
    allowed: &[String],
    app_ref: (&str, Option<&str>),
    app: &Value,
) -> Result<(Vec<AppName>, Vec<String>), ArgoError> {
    let Rendered {
        objects,
        default_namespace,
        ..
    } = rendered_objects(client, app_ref, app, &Deployed::Deletion).await?;
    let (mut apps, mut namespaces) = (Vec::new(), Vec::new());
    for object in objects.iter().filter(|object| runs_on_delete(object)) {
        let selector = selector_of(object, default_namespace.as_deref());
        let refused = |e: ArgoError| {
            ArgoError::invalid_input(format!(
                "deleting '{}' runs its delete hooks (PreDelete/PostDelete), which Argo CD creates from Git with its own rights and then deletes, and one is {} '{}': {}",
                app_ref.0, selector.kind, selector.name, e.message
            ))
        };
        if is_namespace(&selector) {
            namespaces.push(selector.name.to_owned());
        } else if let Some(hook_app) = argo_object(&selector, allowed).map_err(refused)? {
            let written = project_of(object);
            if !allowed.contains(&written) {
                return Err(refused(ArgoError::invalid_input(format!(
                    "it is written in project '{written}'; this server may only change apps of {} (ARGOCD_ALLOWED_PROJECTS / allowed_projects). Nothing was sent to Argo CD.",
                    allowed_list(allowed)
                ))));
            }
            apps.push(hook_app);
        }
    }
    Ok((apps, namespaces))
}

/// With ARGOCD_ALLOWED_PROJECTS set, a delete of the app (read as `app`): with `cascade`,
/// everything it manages too ([`ensure_apps_allowed`]); either way its delete hooks
/// ([`delete_hooks`]), the Applications among them judged as deletes with all they manage, the
/// Namespaces as deletes of them.
pub async fn ensure_app_delete_allowed<H: Host>(
    client: &ArgoClient<'_, H>,
    (app_name, app_namespace): (&str, Option<&str>),
    app: &Value,
    cascade: bool,
) -> Result<(), ArgoError> {
    let Some(allowed) = &client.settings().allowed_projects else {
        return Ok(());
    };
    let root = (app_name.to_owned(), app_namespace.map(str::to_owned));
    let deletes = if cascade {
        Deletes::AppAndAllItManages
    } else {
        Deletes::AppOnly
    };
    ensure_apps_allowed(client, allowed, root, Some(app), deletes).await
}

/// What a call deletes of the first app it is judged by.
#[derive(Clone, Copy, PartialEq)]
enum Deletes {
    /// What the app manages, the app staying (a sync or rollback that prunes or replaces).
    WhatItManages,
    /// The app and all it manages (a cascade delete; an Application deleted as a resource).
    AppAndAllItManages,
    /// The app alone (a delete without cascade): what it manages stays, its delete hooks run.
    AppOnly,
}

/// An Application named by its name and, when known, its namespace.
type AppName = (String, Option<String>);

/// The most Applications read (and Namespaces listed) to judge one act on an app of apps: a tree
/// larger than this is refused rather than judged in part.
const APPS_READ_MOST: usize = 64;

/// An Argo CD object a write reaches: an Application to judge by reading it, a refusal for an
/// ApplicationSet or AppProject, nothing for any other resource.
fn argo_object(
    resource: &super::ResourceSelector<'_>,
    allowed: &[String],
) -> Result<Option<AppName>, ArgoError> {
    let defines_argo_kind = resource
        .kind
        .eq_ignore_ascii_case("CustomResourceDefinition")
        && resource.name.to_ascii_lowercase().ends_with(".argoproj.io");
    if defines_argo_kind {
        // The definition of an Argo CD kind (`applications.argoproj.io`): deleting it deletes
        // every object of that kind, of every project.
        return Err(ArgoError::invalid_input(format!(
            "the CustomResourceDefinition '{}' defines an Argo CD kind, and deleting it deletes every object of that kind, of every project; ARGOCD_ALLOWED_PROJECTS / allowed_projects ({}) is set: this server does not act on it. Nothing was sent to Argo CD.",
            resource.name,
            allowed_list(allowed)
        )));
    }
    if !resource
        .group
        .is_some_and(|group| group.eq_ignore_ascii_case("argoproj.io"))
    {
        return Ok(None);
    }
    if resource.kind.eq_ignore_ascii_case("Application") {
        return Ok(Some((
            resource.name.to_owned(),
            resource.namespace.map(str::to_owned),
        )));
    }
    if ["ApplicationSet", "AppProject"]
        .iter()
        .any(|kind| resource.kind.eq_ignore_ascii_case(kind))
    {
        return Err(ArgoError::invalid_input(format!(
            "{} '{}' makes or governs applications of any project, and ARGOCD_ALLOWED_PROJECTS / allowed_projects ({}) is set: this server does not act on it. Nothing was sent to Argo CD.",
            resource.kind,
            resource.name,
            allowed_list(allowed)
        )));
    }
    Ok(None)
}

/// `first` and every Application it reaches through the resources each manages (not those of
/// `first` when it [`Deletes::AppOnly`]): each in an allowed project, and no ApplicationSet or
/// AppProject among what they manage. An app reached twice (a cycle, two parents) is read once;
/// `first` not at all when the caller has read it. Every app deleted (all it reaches, and
/// `first` unless it stays) runs its delete hooks ([`delete_hooks`]): the Applications and
/// Namespaces among them are judged as deletes too. All reads and Namespace lists count
/// towards one bound, [`APPS_READ_MOST`].
async fn ensure_apps_allowed<H: Host>(
    client: &ArgoClient<'_, H>,
    allowed: &[String],
    first: AppName,
    mut first_read: Option<&Value>,
    first_deletes: Deletes,
) -> Result<(), ArgoError> {
    let mut seen = vec![first.clone()];
    let mut pending = vec![first];
    let mut read = 0;
    // Namespaces the apps manage, and those their Application objects live in: judged once all
    // are read (a child may live where its parent's Namespace is).
    let (mut managed_namespaces, mut app_namespaces) = (Vec::new(), Vec::new());
    let mut root_pending = true;
    while let Some((name, namespace)) = pending.pop() {
        read += 1;
        if read > APPS_READ_MOST {
            return Err(too_many_reads(allowed));
        }
        let at_root = std::mem::replace(&mut root_pending, false);
        let app = match first_read.take() {
            Some(app) => Cow::Borrowed(app),
            None => Cow::Owned(current_app(client, &name, namespace.as_deref())
                .await
                .map_err(|e| {
                    ArgoError::invalid_input(format!(
                        "the Application '{name}' this call reaches could not be read to check its project against ARGOCD_ALLOWED_PROJECTS / allowed_projects ({e}). Nothing was sent to Argo CD."
                    ))
                })?),
        };
        if let Some(held) = app.pointer("/metadata/namespace").and_then(Value::as_str) {
            app_namespaces.push(held.to_owned());
        }
        let project = project_of(&app);
        if !allowed.contains(&project) && at_root {
            return Err(refuse_app(&name, &project, allowed));
        }
        if !allowed.contains(&project) {
            // Reached through the apps the call acts on: say how, or the refusal names an app
            // the caller never mentioned.
            return Err(ArgoError::invalid_input(format!(
                "this call can delete application '{name}', which an app it acts on manages or runs as a delete hook (a cascade delete or a prune deletes the Applications an app manages, a delete runs the app's delete hooks, and deleting an Application deletes all it deployed), and '{name}' belongs to project '{project}'; this server may only change apps of {} (ARGOCD_ALLOWED_PROJECTS / allowed_projects). Nothing was sent to Argo CD.",
                allowed_list(allowed)
            )));
        }
        if !at_root || first_deletes != Deletes::WhatItManages {
            // One more read, counted with the apps.
            read += 1;
            if read > APPS_READ_MOST {
                return Err(too_many_reads(allowed));
            }
            let app_ref = (name.as_str(), namespace.as_deref());
            let (hook_apps, hook_namespaces) = delete_hooks(client, allowed, app_ref, &app).await?;
            managed_namespaces.extend(hook_namespaces);
            for hook_app in hook_apps {
                if !seen.contains(&hook_app) {
                    seen.push(hook_app.clone());
                    pending.push(hook_app);
                }
            }
        }
        if at_root && first_deletes == Deletes::AppOnly {
            continue;
        }
        for resource in app["status"]["resources"].as_array().into_iter().flatten() {
            let text = |field: &str| resource.get(field).and_then(Value::as_str);
            let selector = super::ResourceSelector {
                kind: text("kind").unwrap_or(""),
                name: text("name").unwrap_or(""),
                namespace: text("namespace"),
                group: text("group"),
                version: text("version"),
            };
            if is_namespace(&selector) {
                managed_namespaces.push(selector.name.to_owned());
            }
            if let Some(child) = argo_object(&selector, allowed)?
                && !seen.contains(&child)
            {
                seen.push(child.clone());
                pending.push(child);
            }
        }
    }
    if let Some(held) = managed_namespaces
        .iter()
        .find(|namespace| app_namespaces.contains(namespace))
    {
        return Err(refuse_applications_namespace(held, allowed));
    }
    // The other Namespaces may hold Applications too (apps in any namespace): one list each,
    // counted with the reads.
    let mut listed: Vec<&String> = Vec::new();
    for namespace in &managed_namespaces {
        if listed.contains(&namespace) {
            continue;
        }
        listed.push(namespace);
        if read + listed.len() > APPS_READ_MOST {
            return Err(too_many_reads(allowed));
        }
        ensure_namespace_holds_no_apps(client, allowed, namespace).await?;
    }
    Ok(())
}

fn too_many_reads(allowed: &[String]) -> ArgoError {
    ArgoError::invalid_input(format!(
        "this call reaches more than {APPS_READ_MOST} Applications and Namespaces through the apps each manages, too many to check against ARGOCD_ALLOWED_PROJECTS / allowed_projects ({}): act on them one by one. Nothing was sent to Argo CD.",
        allowed_list(allowed)
    ))
}

/// Refuses, with ARGOCD_ALLOWED_PROJECTS set, a write to `current` (the app as read) whose
/// project is outside the list: what the write itself would refuse, said before a person is
/// asked to approve it.
pub fn check_app_allowed<H: Host>(
    client: &ArgoClient<'_, H>,
    app_name: &str,
    current: &Value,
) -> Result<(), ArgoError> {
    match &client.settings().allowed_projects {
        Some(allowed) if !allowed.contains(&project_of(current)) => {
            Err(refuse_app(app_name, &project_of(current), allowed))
        }
        _ => Ok(()),
    }
}

/// RFC 7386 JSON merge patch: objects merge key by key, `null` removes, anything else replaces.
pub fn merge_patch(target: &mut Value, patch: &Value) {
    let Value::Object(changes) = patch else {
        *target = patch.clone();
        return;
    };
    if !target.is_object() {
        *target = Value::Object(serde_json::Map::new());
    }
    let Value::Object(fields) = target else {
        return;
    };
    for (key, change) in changes {
        if change.is_null() {
            fields.remove(key);
        } else {
            merge_patch(fields.entry(key.clone()).or_insert(Value::Null), change);
        }
    }
}

/// The project an app would have after `patch`: `None` when the result names none (Argo CD
/// would then put it in `default`, which a patch must not do behind the list's back).
pub fn project_after_patch(current: &Value, patch: &Value) -> Option<String> {
    let mut after = current.clone();
    merge_patch(&mut after, patch);
    match after.pointer("/spec/project") {
        Some(Value::String(project)) if !project.is_empty() => Some(project.clone()),
        _ => None,
    }
}

/// For a merge patch of the app itself: both the project before and the one after must be in
/// the list. Returns the project before, to send with the patch.
pub async fn ensure_patch_allowed<H: Host>(
    client: &ArgoClient<'_, H>,
    app_name: &str,
    app_namespace: Option<&str>,
    patch: &Value,
) -> Result<Option<String>, ArgoError> {
    if client.settings().allowed_projects.is_none() {
        return Ok(None);
    }
    let current = current_app(client, app_name, app_namespace).await?;
    let project = check_patch_allowed(client, app_name, &current, patch)?;
    // A patch of the spec that leaves automated sync on: Argo CD's next auto-sync applies the
    // patched app at once, judged as a sync of it would be ([`ensure_sync_allowed`]).
    let mut after = current.clone();
    merge_patch(&mut after, patch);
    let automated = after
        .pointer("/spec/syncPolicy/automated")
        .is_some_and(|automated| !automated.is_null());
    if !automated || patch.get("spec").is_none() {
        return Ok(project);
    }
    let Some(allowed) = &client.settings().allowed_projects else {
        return Ok(project);
    };
    // The manifests can be read beforehand only for the app as it is, at any revision: patched
    // sources, a patched destination (where objects without a namespace land, what Helm renders
    // for) render only once Argo CD holds them.
    if spec_but_revisions_and_policy(&after["spec"])
        != spec_but_revisions_and_policy(&current["spec"])
    {
        return Err(ArgoError::invalid_input(format!(
            "this patch changes the app's spec beyond its target revisions and sync policy (its sources, destination or other settings, which decide what Argo CD renders and where it applies it) and leaves automated sync on, so Argo CD applies the result at once, and what it renders cannot be read beforehand to check it against ARGOCD_ALLOWED_PROJECTS / allowed_projects ({}): turn automated sync off in this patch (\"automated\": null), sync with sync_argocd_app (checked), then turn it on. Nothing was sent to Argo CD.",
            allowed_list(allowed)
        )));
    }
    let prunes = after.pointer("/spec/syncPolicy/automated/prune") == Some(&Value::Bool(true));
    // Argo CD's auto-sync with sync options that replace what the app manages deletes it too.
    if prunes || replaces_what_it_manages(&after) {
        let first = (app_name.to_owned(), app_namespace.map(str::to_owned));
        ensure_apps_allowed(
            client,
            allowed,
            first,
            Some(&current),
            Deletes::WhatItManages,
        )
        .await?;
    }
    let revisions = target_revisions(&after["spec"]);
    let app = (app_name, app_namespace);
    ensure_applied_objects_allowed(client, allowed, app, &current, &Deployed::Sync(&revisions))
        .await?;
    Ok(project)
}

/// [`ensure_patch_allowed`] of the app as read (`current`): also said before a person is asked
/// to approve the patch.
pub fn check_patch_allowed<H: Host>(
    client: &ArgoClient<'_, H>,
    app_name: &str,
    current: &Value,
    patch: &Value,
) -> Result<Option<String>, ArgoError> {
    let Some(allowed) = &client.settings().allowed_projects else {
        return Ok(None);
    };
    // The project is judged by its usual spelling: a patch spelling it otherwise is refused.
    super::patch_spelling::check_patch_spelling(Some(current), patch)?;
    let before = project_of(current);
    if !allowed.contains(&before) {
        return Err(refuse_app(app_name, &before, allowed));
    }
    match project_after_patch(current, patch) {
        Some(after) if allowed.contains(&after) => Ok(Some(before)),
        Some(after) => Err(ArgoError::invalid_input(format!(
            "this patch moves application '{app_name}' to project '{after}', which is not in ARGOCD_ALLOWED_PROJECTS / allowed_projects ({}). Nothing was sent to Argo CD.",
            allowed_list(allowed)
        ))),
        None => Err(ArgoError::invalid_input(format!(
            "this patch leaves application '{app_name}' without spec.project (Argo CD would put it in 'default'); keep the project. Nothing was sent to Argo CD."
        ))),
    }
}

/// Refuses, with ARGOCD_ALLOWED_PROJECTS set, a create in a project outside the list, and one
/// with auto-sync: Argo CD syncs a new app with auto-sync at once, applying manifests it renders
/// only once it holds the app, so what that first sync writes or deletes cannot be judged
/// beforehand (a hook named as another project's app deletes it). Created without, the app is
/// synced by `sync_argocd_app` and given auto-sync by `patch_argocd_app`, both judged.
pub fn check_create_allowed<H: Host>(
    client: &ArgoClient<'_, H>,
    project: &str,
    auto_sync: bool,
) -> Result<(), ArgoError> {
    check_project_allowed(client, project)?;
    match &client.settings().allowed_projects {
        Some(allowed) if auto_sync => Err(ArgoError::invalid_input(format!(
            "ARGOCD_ALLOWED_PROJECTS / allowed_projects ({}) is set: an app is created without auto-sync, whose first sync would apply what Argo CD renders only once it holds the app, unchecked. Create it without auto_sync, sync it with sync_argocd_app, then turn auto-sync on with patch_argocd_app (both checked). Nothing was sent to Argo CD.",
            allowed_list(allowed)
        ))),
        _ => Ok(()),
    }
}

/// For a create with `upsert`: an existing app of that name is replaced, so its project must be
/// in the list too. An app Argo CD does not show us (403/404) is not ours to judge: the create
/// itself then fails or creates it. (With the list set, the new app has no auto-sync:
/// [`check_create_allowed`].)
pub async fn ensure_upsert_allowed<H: Host>(
    client: &ArgoClient<'_, H>,
    app_name: &str,
    app_namespace: Option<&str>,
) -> Result<(), ArgoError> {
    let Some(allowed) = &client.settings().allowed_projects else {
        return Ok(());
    };
    match current_app(client, app_name, app_namespace).await {
        Ok(existing) => {
            let project = project_of(&existing);
            if !allowed.contains(&project) {
                return Err(refuse_app(app_name, &project, allowed));
            }
            Ok(())
        }
        Err(e) if matches!(e.status, Some(403 | 404)) => Ok(()),
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_sync_is_pinned_where_argo_cd_deploys_the_revision_it_is_sent() {
        let commit = "0123456789abcdef0123456789abcdef01234567";
        let judged = || Some(commit.to_owned());
        let single =
            json!({"spec": {"source": {"repoURL": "https://git/x", "targetRevision": "main"}}});
        let pinned = |app: &Value, body: Value| pinned_revision(app, &body, judged());
        assert_eq!(pinned(&single, json!({})), judged());
        assert_eq!(pinned(&single, json!({"revision": "main"})), judged());
        // Already the commit judged: nothing to change.
        assert_eq!(pinned(&single, json!({"revision": commit})), None);
        assert_eq!(pinned_revision(&single, &json!({}), None), None);
        assert_eq!(pinned_revision(&single, &json!({}), Some(" ".into())), None);
        // Argo CD resolves a revision per source; the manifests answer names one.
        let multi = json!({"spec": {"sources": [{"repoURL": "https://git/x"}, {"repoURL": "https://git/y"}]}});
        assert_eq!(pinned(&multi, json!({})), None);
        // A single-source app's sync deploys its target revision whatever `revisions` says.
        assert_eq!(
            pinned(&single, json!({"revisions": ["a"], "sourcePositions": [1]})),
            judged()
        );
        let no_sources = json!({"spec": {"source": {}, "sources": []}});
        assert_eq!(pinned(&no_sources, json!({})), judged());
        // Argo CD refuses a revision other than the target one while it syncs by itself.
        let auto = json!({"spec": {"source": {}, "syncPolicy": {"automated": {"prune": true}}}});
        assert_eq!(pinned(&auto, json!({})), None);
        let auto_on = json!({"spec": {"syncPolicy": {"automated": {"enabled": true}}}});
        assert_eq!(pinned(&auto_on, json!({})), None);
        let auto_off = json!({"spec": {"syncPolicy": {"automated": {"enabled": false}}}});
        assert_eq!(pinned(&auto_off, json!({})), judged());
        let auto_null = json!({"spec": {"syncPolicy": {"automated": null}}});
        assert_eq!(pinned(&auto_null, json!({})), judged());
    }

    #[test]
    fn sync_options_that_delete_and_create_again_are_told_apart() {
        let with = |options: Value| json!({"spec": {"syncPolicy": {"syncOptions": options}}});
        for deleting in [
            json!(["Replace=true"]),
            json!(["CreateNamespace=true", " force=TRUE "]),
        ] {
            assert!(
                replaces_what_it_manages(&with(deleting.clone())),
                "{deleting}"
            );
        }
        for keeping in [
            json!(["Replace=false", "ServerSideApply=true"]),
            json!([]),
            json!("Replace=true"),
        ] {
            assert!(
                !replaces_what_it_manages(&with(keeping.clone())),
                "{keeping}"
            );
        }
        assert!(!replaces_what_it_manages(&json!({"spec": {}})));
    }

    /// Review24 A1: Replace/Force in a resource's own annotation, and hooks, delete what a sync
    /// applies; other annotations and Skip hooks do not.
    #[test]
    fn manifests_that_a_sync_deletes_are_told_apart() {
        let annotated = |annotations: Value| json!({"kind": "Application", "metadata": {"name": "c", "annotations": annotations}});
        for deleting in [
            json!({"argocd.argoproj.io/sync-options": "Replace=true"}),
            json!({"argocd.argoproj.io/sync-options": "ServerSideApply=true, force=TRUE"}),
            json!({"argocd.argoproj.io/hook": "Sync"}),
            json!({"argocd.argoproj.io/hook": "PreSync", "argocd.argoproj.io/hook-delete-policy": "HookSucceeded"}),
            json!({"argocd.argoproj.io/hook": "Skip,PostSync"}),
            json!({"helm.sh/hook": "pre-install"}),
        ] {
            assert!(
                deleted_when_applied(&annotated(deleting.clone())),
                "{deleting}"
            );
        }
        for keeping in [
            json!({"argocd.argoproj.io/sync-options": "Replace=false,Prune=false"}),
            json!({"argocd.argoproj.io/hook": "Skip"}),
            json!({"argocd.argoproj.io/sync-wave": "1"}),
            json!({}),
        ] {
            assert!(
                !deleted_when_applied(&annotated(keeping.clone())),
                "{keeping}"
            );
        }
        assert!(!deleted_when_applied(&json!({"kind": "Application"})));
    }

    /// Review26 A2/A3: sources are told apart but for their revisions; an auto-sync deploys the
    /// spec's target revisions; a rollback to an entry of other sources is refused.
    #[test]
    fn sources_are_compared_but_for_their_revisions() {
        let spec = json!({"source": {"repoURL": "r", "path": "p", "targetRevision": "main"}});
        let moved = json!({"source": {"repoURL": "r", "path": "p", "targetRevision": "v2"}});
        let elsewhere = json!({"source": {"repoURL": "r", "path": "q", "targetRevision": "main"}});
        assert_eq!(sources_but_revisions(&spec), sources_but_revisions(&moved));
        assert_ne!(
            sources_but_revisions(&spec),
            sources_but_revisions(&elsewhere)
        );
        // Review27 B1/B2: one source as a list of one is another shape; a destination or any
        // setting but the revisions and the sync policy is a change.
        let listed = json!({"sources": [{"repoURL": "r", "path": "p", "targetRevision": "x"}]});
        assert_ne!(sources_but_revisions(&spec), sources_but_revisions(&listed));
        let mut policy = moved.clone();
        policy["syncPolicy"] = json!({"automated": {"prune": true}});
        assert_eq!(
            spec_but_revisions_and_policy(&spec),
            spec_but_revisions_and_policy(&policy)
        );
        let mut destined = spec.clone();
        destined["destination"] = json!({"namespace": "argocd"});
        assert_ne!(
            spec_but_revisions_and_policy(&spec),
            spec_but_revisions_and_policy(&destined)
        );
        assert_eq!(target_revisions(&moved), json!({"revision": "v2"}));
        let multi = json!({"sources": [{"repoURL": "a", "targetRevision": "x"}, {"repoURL": "b"}]});
        assert_eq!(
            target_revisions(&multi),
            json!({"revisions": ["x", "HEAD"], "sourcePositions": [1, 2]})
        );
        let app = json!({"spec": spec, "status": {"history": [
            {"id": 1, "revision": "abc", "source": moved["source"]},
            {"id": 2, "revision": "def", "source": elsewhere["source"]},
            {"id": 3, "revision": "ghi"},
            {"id": 4, "revisions": ["jkl"], "sources": [moved["source"]]}
        ]}});
        let allowed = ["payments".to_owned()];
        assert!(ensure_entry_renders(&app, 1, &allowed).is_ok());
        assert!(
            ensure_entry_renders(&app, 3, &allowed).is_ok(),
            "no source recorded"
        );
        assert!(
            ensure_entry_renders(&app, 9, &allowed).is_ok(),
            "Argo CD refuses"
        );
        let refused = ensure_entry_renders(&app, 2, &allowed).unwrap_err();
        assert!(refused.message.contains("history entry 2"), "{refused}");
        assert!(
            ensure_entry_renders(&app, 4, &allowed).is_err(),
            "another shape"
        );
    }

    /// The manifests are read for what the call deploys: the sync's revision or revisions, the
    /// rollback's history entry, the app's targets otherwise.
    #[test]
    fn the_manifests_read_are_those_the_call_deploys() {
        let app = json!({"status": {"history": [
            {"id": 3, "revision": "abc123"},
            {"id": 4, "revisions": ["r1", "r/2"]}
        ]}});
        let base = || Query::new().add("appNamespace", "team");
        let asked =
            |deployed: Deployed<'_>| manifests_query(base(), &app, &deployed).as_str().to_owned();
        assert_eq!(
            asked(Deployed::History(3)),
            "?appNamespace=team&revision=abc123"
        );
        assert_eq!(
            asked(Deployed::History(4)),
            "?appNamespace=team&revisions=r1&sourcePositions=1&revisions=r%2F2&sourcePositions=2"
        );
        assert_eq!(asked(Deployed::History(9)), "?appNamespace=team");
        let body = json!({"revision": "v2"});
        assert_eq!(
            asked(Deployed::Sync(&body)),
            "?appNamespace=team&revision=v2"
        );
        let body = json!({"revisions": ["a", "b"], "sourcePositions": [2, 1]});
        assert_eq!(
            asked(Deployed::Sync(&body)),
            "?appNamespace=team&revisions=a&sourcePositions=2&revisions=b&sourcePositions=1"
        );
        assert_eq!(
            asked(Deployed::Sync(&json!({"prune": false}))),
            "?appNamespace=team"
        );
    }

    #[test]
    fn merge_patch_follows_rfc_7386() {
        // The RFC's own example.
        let mut doc = json!({"title": "Goodbye!", "author": {"givenName": "John", "familyName": "Doe"}, "tags": ["example", "sample"], "content": "This will be unchanged"});
        merge_patch(
            &mut doc,
            &json!({"title": "Hello!", "phoneNumber": "+01-123-456-7890", "author": {"familyName": null}, "tags": ["example"]}),
        );
        assert_eq!(
            doc,
            json!({"title": "Hello!", "author": {"givenName": "John"}, "tags": ["example"], "content": "This will be unchanged", "phoneNumber": "+01-123-456-7890"})
        );
        let mut scalar = json!({"a": 1});
        merge_patch(&mut scalar, &json!({"a": {"b": null, "c": 2}}));
        assert_eq!(scalar, json!({"a": {"c": 2}}));
    }

    #[test]
    fn the_project_after_a_patch_is_judged_not_just_the_patch() {
        let app = json!({"spec": {"project": "payments", "destination": {"namespace": "pay"}}});
        let retarget = json!({"spec": {"destination": {"namespace": "x"}}});
        assert_eq!(
            project_after_patch(&app, &retarget).as_deref(),
            Some("payments")
        );
        // Deleting the project, emptying it, or replacing the whole spec without one.
        for drop in [
            json!({"spec": {"project": null, "destination": {"namespace": "kube-system"}}}),
            json!({"spec": {"project": ""}}),
            json!({"spec": null}),
            json!({"spec": {"project": 7}}),
        ] {
            assert_eq!(project_after_patch(&app, &drop), None, "{drop}");
        }
        assert_eq!(
            project_after_patch(&app, &json!({"spec": {"project": "other"}})).as_deref(),
            Some("other")
        );
    }
}
