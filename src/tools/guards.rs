//! Guards every change passes: the caller's confirmation, and the question a person is asked
//! before it runs (approvals). The read-only guard is in the registry's dispatch; the project
//! allow-list in `project_guard`.

use serde_json::Value;

use super::project_guard::{
    check_app_allowed, check_create_allowed, check_patch_allowed, current_app,
    ensure_app_delete_allowed, merge_patch, project_of,
};
use super::statement::{Statement, shown};
use super::{PROFILE_ARGUMENT, ResourceSelector, Tool};
use crate::argocd::{ArgoClient, ArgoError};
use crate::context::RequestContext;
use crate::host::Host;

/// Whether a call of `T` with `arguments` waits for a person's yes: a change, with arguments
/// the tool accepts (a call with bad ones is refused without asking anyone), that is not a dry
/// run (a dry run changes nothing).
pub(super) fn needs_approval_of<T: Tool>(arguments: &Value) -> bool {
    if T::ANNOTATIONS.read_only_hint {
        return false;
    }
    let mut parsed = arguments.as_object().cloned().unwrap_or_default();
    parsed.remove(PROFILE_ARGUMENT);
    parsed.insert("confirm".into(), Value::Bool(true));
    // The same deserializer as `invoke`, so the argument parsers are not compiled twice.
    if super::registry::parse_arguments::<T::Args>(&Value::Object(parsed)).is_err() {
        return false;
    }
    // The arguments parsed, so this tool has a dry run if one is claimed: every argument type
    // refuses unknown fields (a test checks).
    arguments.get("dry_run") != Some(&Value::Bool(true))
}

/// The tool a person is asked about: what [`approval_question_of`] says of it.
#[derive(Clone, Copy)]
pub(super) struct Asked {
    pub name: &'static str,
    pub title: &'static str,
    pub destructive: bool,
}

impl Asked {
    pub fn of<T: Tool>() -> Self {
        Asked {
            name: T::NAME,
            title: T::TITLE,
            destructive: T::ANNOTATIONS.destructive_hint,
        }
    }
}

/// What a person is asked before `tool` runs with `arguments`, which need approval
/// ([`needs_approval_of`]; see [`statement`]): the target app and its project as Argo CD has
/// them now, for a patch every field it changes (before → after, the merge applied here exactly
/// as Argo CD will), and every argument given, whole. `Err` refuses the call: the statement is
/// too long to read, or the app cannot be read to state it. The server seals this text with the
/// call, so a yes approves exactly it. Not generic over the tool: one copy serves every tool.
pub(super) async fn approval_question_of<H: Host>(
    host: &H,
    context: RequestContext<'_>,
    arguments: &Value,
    tool: Asked,
) -> Result<Option<String>, String> {
    let mut given = arguments.as_object().cloned().unwrap_or_default();
    given.remove("confirm");
    let profile = given.remove(PROFILE_ARGUMENT);
    let context = context.with_profile(profile.as_ref().and_then(Value::as_str))?;
    let client = ArgoClient::new(host, context).map_err(|e| e.to_string())?;
    let effect = if tool.destructive {
        "It changes or removes what runs in the cluster."
    } else {
        "It changes Argo CD."
    };
    let mut said = Statement::default();
    said.line(format!(
        "An agent asks to run \"{}\" ({}). {effect}",
        tool.title, tool.name
    ));
    if let Some(profile) = &profile {
        said.line(format!("Argo CD instance: {}", shown(profile)));
    }
    let app_name = given.remove("app_name");
    // Said with the app it names; a call naming no app (a create) lists it with the rest.
    let app_namespace = if app_name.is_some() {
        given.remove("app_namespace")
    } else {
        given.get("app_namespace").cloned()
    };
    if let Some(Value::String(app)) = &app_name {
        let namespace = app_namespace.as_ref().and_then(Value::as_str);
        let current = current_app(&client, app, namespace).await.map_err(|e| {
            format!(
                "{} needs a person's approval, but application '{app}' could not be read to tell them what would change ({e}). Nothing was changed.",
                tool.name
            )
        })?;
        // A write the allow-list refuses is refused now: a person is not asked to approve
        // what would not run.
        check_app_allowed(&client, app, &current).map_err(|e| e.to_string())?;
        let given_true = |name: &str| given.get(name) == Some(&Value::Bool(true));
        let prunes = [super::SyncApp::NAME, super::RollbackApp::NAME].contains(&tool.name)
            && given_true("prune")
            && !given_true("dry_run");
        let namespace = app_namespace.as_ref().and_then(Value::as_str);
        if tool.name == super::DeleteApp::NAME {
            let cascade = given_true("cascade");
            ensure_app_delete_allowed(&client, (app, namespace), &current, cascade)
                .await
                .map_err(|e| e.to_string())?;
        } else if prunes {
            super::ensure_managed_deletes_allowed(&client, app, namespace)
                .await
                .map_err(|e| e.to_string())?;
        }
        let namespace = current
            .pointer("/metadata/namespace")
            .cloned()
            .unwrap_or(Value::Null);
        said.line(format!(
            "Application: {} (namespace {}), project {}",
            shown(&Value::String(app.clone())),
            shown(&namespace),
            shown(&Value::String(project_of(&current)))
        ));
        where_it_deploys(&mut said, &current);
        said.line(where_it_stands(&current));
        if tool.name == super::RollbackApp::NAME
            && let Some(history_id) = given.get("history_id")
        {
            let entry = history_entry(&current, history_id);
            said.line(what_the_rollback_deploys(entry, history_id));
            // Argo CD deploys the entry's sources whole (Helm parameters and values, Kustomize
            // images, plugin env): every way they differ from the app's now is stated, as a
            // patch's change is.
            if let Some(deployed) = entry.and_then(|entry| as_the_entry_deploys(&current, entry))
                && deployed != current
            {
                said.line("What it deploys differs from the app's sources now (now → entry):");
                state_change(&mut said, &current, &deployed, "this rollback")?;
            }
        }
        if let Some(resource) = resource_named_in(&given) {
            let namespace = app_namespace.as_ref().and_then(Value::as_str);
            super::ensure_resource_allowed(&client, app, namespace, &resource)
                .await
                .map_err(|e| e.to_string())?;
            let asked_namespace = app_namespace.as_ref().and_then(Value::as_str);
            let line = how_the_resource_stands(&client, app, asked_namespace, &resource)
                .await
                .map_err(|e| {
                    format!(
                        "{} needs a person's approval, but {} could not be read to tell them what it acts on ({e}). Nothing was changed.",
                        tool.name,
                        resource.subject(app)
                    )
                })?;
            said.line(line);
        }
        if let Some(patch) = given.remove("patch") {
            // The question shows the change by each field's usual spelling.
            super::patch_spelling::check_patch_spelling(Some(&current), &patch)
                .map_err(|e| e.to_string())?;
            let own = |field: &str| current["metadata"][field].as_str();
            super::lifecycle::check_patch_keeps_the_app(&patch, app, own("namespace"))
                .and_then(|()| super::lifecycle::check_patch_is_kept(&patch))
                .map_err(|e| e.to_string())?;
            check_patch_allowed(&client, app, &current, &patch).map_err(|e| e.to_string())?;
            let mut after = current.clone();
            merge_patch(&mut after, &patch);
            said.line("Changes to the application (before → after):");
            if after == current {
                said.line("  none: the patch changes nothing");
            }
            state_change(&mut said, &current, &after, "this patch")?;
        }
    }
    if tool.name == super::CreateApp::NAME
        && let Some(Value::String(project)) = given.get("project")
    {
        let auto_sync = given.get("auto_sync") == Some(&Value::Bool(true));
        check_create_allowed(&client, project, auto_sync).map_err(|e| e.to_string())?;
    }
    if tool.name == super::CreateApp::NAME
        && given.get("upsert") == Some(&Value::Bool(true))
        && let Some(Value::String(name)) = given.get("name")
    {
        let namespace = app_namespace.as_ref().and_then(Value::as_str);
        // An upsert over an existing app replaces its whole spec: the person sees what goes.
        // Not found (or not visible) means nothing is replaced; any other failure refuses.
        match current_app(&client, name, namespace).await {
            Ok(existing) => {
                check_app_allowed(&client, name, &existing).map_err(|e| e.to_string())?;
                said.line(format!(
                    "It REPLACES the existing application {} (project {}), which now:",
                    shown(&Value::String(name.clone())),
                    shown(&Value::String(project_of(&existing)))
                ));
                where_it_deploys(&mut said, &existing);
                said.line(where_it_stands(&existing));
            }
            Err(e) if matches!(e.status, Some(403 | 404)) => {}
            Err(e) => {
                return Err(format!(
                    "{} needs a person's approval, but whether application '{name}' exists (and would be replaced) could not be read ({e}). Nothing was changed.",
                    tool.name
                ));
            }
        }
    }
    if !given.is_empty() {
        said.line("With:");
        let mut keys: Vec<&String> = given.keys().collect();
        crate::order::sort_rows_by(&mut keys, |a, b| a.cmp(b));
        for key in keys {
            said.leaves(key, &given[key]);
        }
    }
    let (schema, _) = super::schema::published_schemas(tool.name);
    let mut defaults: Vec<&str> = schema["properties"]
        .as_object()
        .map(|p| p.keys().map(String::as_str).collect())
        .unwrap_or_default();
    defaults.retain(|name| {
        arguments.get(name).is_none_or(Value::is_null)
            && !matches!(*name, "confirm" | "app_namespace")
    });
    if !defaults.is_empty() {
        crate::order::sort_rows_by(&mut defaults, |a, b| a.cmp(b));
        said.line(format!("Left at their defaults: {}.", defaults.join(", ")));
    }
    said.line("Approve?");
    // Like every answer, the question carries no credential an agent put into a URL: each
    // line is scrubbed on its own ([`Statement::finish`]).
    said.finish().map(Some)
}

/// Where an app deploys from and to, as Argo CD has it now: a yes is sealed to this, so a
/// source repointed between the question and the answer is asked again. Only the fields that
/// say where (not Helm values, which can be long), one line a source so that an app of many
/// sources still fits a question.
fn where_it_deploys(said: &mut Statement, app: &Value) {
    let mut source = |at: &str, source: &Value, fields: &[&str]| {
        let parts = named_fields(source, fields);
        if !parts.is_empty() {
            said.line(format!("  {at}: {}", parts.join(", ")));
        }
    };
    let fields = ["repoURL", "path", "chart", "targetRevision"];
    if let Some(one) = app.pointer("/spec/source") {
        source("spec.source", one, &fields);
    }
    for (i, one) in app
        .pointer("/spec/sources")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        source(&format!("spec.sources[{i}]"), one, &fields);
    }
    // A source-hydrator app renders its dry source and deploys the branch it writes.
    if let Some(hydrator) = app.pointer("/spec/sourceHydrator") {
        source(
            "spec.sourceHydrator.drySource",
            &hydrator["drySource"],
            &fields,
        );
        source(
            "spec.sourceHydrator.syncSource",
            &hydrator["syncSource"],
            &["targetBranch", "path"],
        );
        source(
            "spec.sourceHydrator.hydrateTo",
            &hydrator["hydrateTo"],
            &["targetBranch"],
        );
    }
    let destination = named_fields(
        &app["spec"]["destination"],
        &["server", "name", "namespace"],
    );
    if !destination.is_empty() {
        said.line(format!("  spec.destination: {}", destination.join(", ")));
    }
}

/// `field value` for each of `fields` that `object` has, in that order.
fn named_fields(object: &Value, fields: &[&str]) -> Vec<String> {
    fields
        .iter()
        .filter_map(|field| {
            object
                .get(*field)
                .map(|value| format!("{field} {}", shown(value)))
        })
        .collect()
}

/// `before` → `after` of an app put to a person, field by field, shown as every answer shows an
/// Application: credentials in Helm values, parameters and plugin env masked, text scrubbed. A
/// change the masking or the scrubbing would hide any part of (a credential, or what reads like
/// one) is not put to a person at all: they would approve what they cannot see. Masked as an
/// Application whatever `after` says its kind or apiVersion is: a patch setting them must not
/// turn the masking of its own question off.
fn state_change(
    said: &mut Statement,
    before: &Value,
    after: &Value,
    change: &str,
) -> Result<(), String> {
    let masked = |app: &Value| {
        let mut app = app.clone();
        if let Some(object) = app.as_object_mut() {
            object.insert("kind".into(), Value::from("Application"));
            object.insert("apiVersion".into(), Value::from("argoproj.io/v1alpha1"));
        }
        super::masking::mask_secrets(&mut app);
        app
    };
    let (shown_before, shown_after) = (masked(before), masked(after));
    if let Some(at) = super::statement::hidden_change(before, after, &shown_before, &shown_after) {
        let at = super::scrub::without_credentials(&at);
        return Err(format!(
            "{change} changes {at}, which holds a credential or text that reads like one, and the question would not show that change whole: a change a person cannot be shown is not put to them. Change credentials outside this server (in a Secret, or with approvals off). Nothing was changed."
        ));
    }
    said.changes(&shown_before, &shown_after);
    Ok(())
}

/// The app's history entry `history_id`, if its history holds it now.
fn history_entry<'a>(app: &'a Value, history_id: &Value) -> Option<&'a Value> {
    let history = app.pointer("/status/history").and_then(Value::as_array)?;
    history
        .iter()
        .find(|entry| entry.get("id") == Some(history_id))
}

/// The app as a rollback to `entry` deploys it: its spec's sources replaced by the entry's own
/// (Argo CD's Rollback syncs those, whatever the app's are now). None for an entry that records
/// no source (Argo CD then deploys the app's own).
fn as_the_entry_deploys(app: &Value, entry: &Value) -> Option<Value> {
    let recorded = |field: &str| {
        entry.get(field).filter(|value| {
            !value.is_null() && value.as_array().is_none_or(|list| !list.is_empty())
        })
    };
    let (source, sources) = (recorded("source"), recorded("sources"));
    if source.is_none() && sources.is_none() {
        return None;
    }
    let mut deployed = app.clone();
    let spec = deployed.get_mut("spec")?.as_object_mut()?;
    spec.remove("source");
    spec.remove("sources");
    for (field, value) in [("source", source), ("sources", sources)] {
        if let Some(value) = value {
            spec.insert(field.into(), value.clone());
        }
    }
    Some(deployed)
}

/// What a rollback deploys: the history entry's own source and revision, which Argo CD deploys
/// whatever the app's source is now.
fn what_the_rollback_deploys(entry: Option<&Value>, history_id: &Value) -> String {
    let Some(entry) = entry else {
        return format!(
            "It deploys history entry {}, which the app's history does not hold now (Argo CD refuses it).",
            shown(history_id)
        );
    };
    let mut parts = vec![format!("It deploys history entry {}:", shown(history_id))];
    parts.extend(named_fields(
        entry,
        &["revision", "revisions", "deployedAt"],
    ));
    let repos = |source: &Value| named_fields(source, &["repoURL", "path", "chart"]).join(" ");
    if let Some(source) = entry.get("source") {
        parts.push(format!("from {}", repos(source)));
    }
    for (i, source) in entry
        .get("sources")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        parts.push(format!("sources[{i}] {}", repos(source)));
    }
    parts.join(" ")
}

/// The one resource a call acts on, when its arguments name one (`kind` and `resource_name`).
fn resource_named_in(given: &serde_json::Map<String, Value>) -> Option<ResourceSelector<'_>> {
    let text = |field: &str| given.get(field).and_then(Value::as_str);
    Some(ResourceSelector {
        kind: text("kind")?,
        name: text("resource_name")?,
        namespace: text("namespace"),
        group: text("group"),
        version: text("version"),
    })
}

/// The resource as the cluster has it now, by its uid: a yes is sealed to this object, so a
/// resource deleted and created again under its name (a controller recreating a pod, the next
/// sync) is a new question, even where the record that the yes was spent is gone.
async fn how_the_resource_stands<H: Host>(
    client: &ArgoClient<'_, H>,
    app: &str,
    app_namespace: Option<&str>,
    resource: &ResourceSelector<'_>,
) -> Result<String, ArgoError> {
    let object = super::manifests::live_object(client, app, app_namespace, resource).await?;
    let uid = object
        .pointer("/metadata/uid")
        .map_or_else(|| "unknown".to_owned(), shown);
    Ok(format!(
        "Resource: {} {} (namespace {}), object uid {uid}",
        shown(&Value::from(resource.kind)),
        shown(&Value::from(resource.name)),
        resource
            .namespace
            .map_or_else(|| "none".to_owned(), |ns| shown(&Value::from(ns)))
    ))
}

/// Where the app stands: the object (its uid), its spec's generation and its last operation. A
/// yes is sealed to this too, and every change an approval lets run moves it on (a sync or
/// rollback starts an operation, a terminate ends one, a patch or update raises the
/// generation, a delete ends the object: one created again under its name has a new uid), so
/// the same yes replayed after it ran meets another question and is asked again, even where the
/// record that it was spent is gone (a store writer deleting it).
fn where_it_stands(app: &Value) -> String {
    let text = |path: &str| app.pointer(path).and_then(Value::as_str);
    let uid = app
        .pointer("/metadata/uid")
        .map_or_else(|| "unknown".to_owned(), shown);
    let generation = app
        .pointer("/metadata/generation")
        .and_then(Value::as_u64)
        .map_or_else(|| "unknown".to_owned(), |g| g.to_string());
    let operation = match (
        text("/status/operationState/phase"),
        text("/status/operationState/startedAt"),
    ) {
        (Some(phase), Some(started)) => format!(
            "{} (started {})",
            shown(&Value::from(phase)),
            shown(&Value::from(started))
        ),
        (Some(phase), None) => shown(&Value::from(phase)),
        _ => "none".to_owned(),
    };
    let pending = if app.get("operation").is_some_and(|o| !o.is_null()) {
        "; an operation is pending"
    } else {
        ""
    };
    format!(
        "Now: object uid {uid}; spec generation {generation}; last operation {operation}{pending}"
    )
}

/// Refuses a write unless the caller confirmed it: agents must ask their user first.
pub fn require_confirmation(tool: &str, confirm: bool) -> Result<(), ArgoError> {
    if confirm {
        Ok(())
    } else {
        Err(ArgoError::invalid_input(format!(
            "{tool} changes what runs in the cluster: tell the user what it will do, and call it again with \"confirm\": true once they agree"
        )))
    }
}

#[cfg(test)]
mod tests {
    use crate::tools::needs_approval;
    use serde_json::{Value, json};

    #[test]
    fn only_changes_need_approval_and_only_real_dry_runs_skip_it() {
        let sync = json!({"app_name": "guestbook", "confirm": true});
        assert!(
            needs_approval("sync_argocd_app", &sync),
            "a sync is a change"
        );
        let mut dry = sync.clone();
        dry["dry_run"] = Value::Bool(true);
        assert!(!needs_approval("sync_argocd_app", &dry));
        // A tool without a dry run: claiming one is an unknown argument, which the call refuses
        // (nothing to ask about); without the claim it is a question like any change.
        let terminate = json!({"app_name": "guestbook", "confirm": true});
        assert!(needs_approval("terminate_argocd_operation", &terminate));
        let mut claimed = terminate.clone();
        claimed["dry_run"] = Value::Bool(true);
        assert!(
            !needs_approval("terminate_argocd_operation", &claimed),
            "unknown field: refused by the call itself"
        );
        assert!(!needs_approval(
            "get_argocd_app_status",
            &json!({"app_name": "guestbook"})
        ));
    }
}
