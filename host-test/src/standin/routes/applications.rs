//! `/api/v1/applications`: list, get, create, patch, delete, sync, rollback, terminate, and the
//! "controller" that moves operations on over time.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::standin::auth::{self, unix_now};
use crate::standin::fleet::{self, commit, rfc3339};
use crate::standin::manifests;
use crate::standin::tree::{self};
use crate::standin::{AppRecord, Blueprint, OperationKind, PendingOperation, State};

use super::*;

/// Argo CD's history is cut to `spec.revisionHistoryLimit`, 10 by default.
pub(super) const HISTORY_LIMIT: usize = 10;

/// How long the "controller" takes: an operation, then the rollout after a successful sync.
#[derive(Debug, Clone, Copy)]
pub struct Timing {
    pub operation: Duration,
    pub rollout: Duration,
}

impl Timing {
    pub fn of(s: &State) -> Timing {
        Timing {
            operation: s.operation_time,
            rollout: s.rollout_time,
        }
    }
}

/// Lets the "controller" move an app on: its operation Running until `timing.operation` has
/// passed, then (after a successful sync, if `timing.rollout` is not zero) its health
/// Progressing until the rollout is over, as Argo CD ends a sync before Deployments are ready.
pub fn advance(record: &mut AppRecord, timing: Timing) {
    if let Some((until, health)) = record.rollout.clone()
        && Instant::now() >= until
    {
        let mut settled = record.blueprint.clone();
        settled.health = health.clone();
        settled.sync = "Synced".into();
        let status = &mut record.app["status"];
        status["health"] = json!({"status": health, "lastTransitionTime": rfc3339(unix_now())});
        status["resources"] = json!(fleet::resources(&settled));
        record.rollout = None;
    }
    let Some(pending) = record.pending.clone() else {
        return;
    };
    let operation_time = timing.operation;
    let bp = record.blueprint.clone();
    if pending.terminating {
        let now = unix_now();
        let mut state = fleet::operation_state(
            &bp,
            "Failed",
            &pending.revision,
            pending.started_unix,
            Some(now),
            "Operation terminated",
        );
        state["operation"]["sync"] = pending.request.clone();
        record.app["status"]["operationState"] = state;
        if let Some(obj) = record.app.as_object_mut() {
            obj.remove("operation");
        }
        record.pending = None;
        return;
    }
    if pending.started.elapsed() < operation_time {
        let running = fleet::operation_state(
            &bp,
            "Running",
            &pending.revision,
            pending.started_unix,
            None,
            "waiting for completion of hook and all resources",
        );
        record.app["status"]["operationState"] = running;
        return;
    }
    let outcome = record.next_outcome.clone();
    let message = match outcome.phase.as_str() {
        "Succeeded" => "successfully synced (all tasks run)",
        _ => "one or more synchronization tasks completed unsuccessfully",
    };
    let mut finished_bp = bp.clone();
    finished_bp.health = outcome.health.clone();
    let now = unix_now();
    record.app["status"]["operationState"] = fleet::operation_state(
        &if outcome.phase == "Succeeded" {
            bp.clone()
        } else {
            Blueprint {
                health: "Degraded".into(),
                ..bp.clone()
            }
        },
        &outcome.phase,
        &pending.revision,
        pending.started_unix,
        Some(now.max(pending.started_unix)),
        message,
    );
    record.app["status"]["operationState"]["operation"]["sync"] = pending.request.clone();
    if let Some(obj) = record.app.as_object_mut() {
        obj.remove("operation");
    }
    if outcome.phase == "Succeeded" && !pending.dry_run {
        let status = &mut record.app["status"];
        status["sync"]["status"] = json!("Synced");
        if bp.multi_source {
            status["sync"]["revisions"] = json!([
                pending.revision,
                commit(&format!("{}-values", pending.revision))
            ]);
        } else {
            status["sync"]["revision"] = json!(pending.revision);
        }
        finished_bp.sync = "Synced".into();
        if !timing.rollout.is_zero() {
            record.rollout = Some((Instant::now() + timing.rollout, outcome.health.clone()));
            finished_bp.health = "Progressing".into();
        }
        status["health"] =
            json!({"status": finished_bp.health, "lastTransitionTime": rfc3339(now)});
        status["resources"] = json!(fleet::resources(&finished_bp));
        if !pending.partial {
            let history = status["history"].as_array().cloned().unwrap_or_default();
            let next_id = history
                .iter()
                .filter_map(|h| h["id"].as_i64())
                .max()
                .map_or(0, |m| m + 1);
            let mut history = history;
            history.push(fleet::history_entry(
                &bp,
                next_id,
                &pending.revision,
                now,
                "admin",
            ));
            let excess = history.len().saturating_sub(HISTORY_LIMIT);
            history.drain(..excess);
            status["history"] = json!(history);
        }
    } else if outcome.phase != "Succeeded" {
        record.app["status"]["health"] =
            json!({"status": outcome.health, "lastTransitionTime": rfc3339(now)});
    }
    record.pending = None;
}

/// Write requests (sync, rollback, patch, actions) carry `project` and `appNamespace` in their
/// JSON bodies; Argo CD judges them there as it judges the query's.
pub(super) fn with_body_fields(params: &Params, body: &[u8]) -> Params {
    let mut params = params.clone();
    if let Ok(Value::Object(fields)) = serde_json::from_slice::<Value>(body) {
        for key in ["project", "appNamespace"] {
            if let Some(Value::String(value)) = fields.get(key)
                && params.get(key).is_none()
            {
                params.0.push((key.to_owned(), value.clone()));
            }
        }
    }
    params
}

/// Finds an app the way `getAppEnforceRBAC` answers: 403 without `project`, 404 with it.
pub(super) fn find<'a>(
    s: &'a mut State,
    name: &str,
    params: &Params,
) -> Result<&'a mut AppRecord, Reply> {
    let project = params.get("project").or_else(|| params.get("projects"));
    if let Some(ns) = params.get("appNamespace").filter(|n| !n.is_empty())
        && ns != "argocd"
    {
        return Err(permission_denied()); // namespace not enabled for apps
    }
    let timing = Timing::of(s);
    match s.apps.get_mut(name) {
        Some(record) => {
            if let Some(p) = project
                && record.blueprint.project != p
            {
                return Err(error(
                    404,
                    5,
                    &format!("applications.argoproj.io \"{name}\" not found"),
                ));
            }
            advance(record, timing);
            Ok(record)
        }
        None if project.is_some() => Err(error(
            404,
            5,
            &format!("applications.argoproj.io \"{name}\" not found"),
        )),
        None => Err(permission_denied()),
    }
}

pub(super) fn app_route(
    s: &mut State,
    method: &str,
    name: &str,
    rest: &[&str],
    params: &Params,
    body: &[u8],
) -> Reply {
    let params = &with_body_fields(params, body);
    match (method, rest) {
        ("GET", []) if params.get("refresh").is_some() => refresh(s, name, params),
        ("GET", []) => match find(s, name, params) {
            Ok(record) => json_reply(200, &record.app),
            Err(reply) => reply,
        },
        ("POST", ["sync"]) => sync(s, name, params, body),
        ("PATCH", []) => patch(s, name, params, body),
        ("DELETE", []) => match find(s, name, params) {
            Ok(_) => {
                s.apps.remove(name);
                json_reply(200, &json!({}))
            }
            Err(reply) => reply,
        },
        ("DELETE", ["resource"]) => match tree_resource(s, name, params) {
            Ok((record, resource)) => {
                if let Some(resources) = record.app["status"]["resources"].as_array_mut() {
                    resources.retain(|r| r != &resource);
                }
                // Whatever brings it back creates a new object, with a new uid.
                record
                    .recreated
                    .insert(resource_key(&resource), auth::random_uuid());
                json_reply(200, &json!({}))
            }
            Err(reply) => reply,
        },
        ("GET", ["resource-tree"]) => match find(s, name, params) {
            Ok(record) => json_reply(
                200,
                &tree::resource_tree(
                    &record.blueprint,
                    record.app["status"]["resources"]
                        .as_array()
                        .map_or(&[][..], |v| v),
                ),
            ),
            Err(reply) => reply,
        },
        ("GET", ["events"]) => events(s, name, params),
        ("GET", ["links"]) => links(s, name, params),
        ("GET", ["logs"]) => logs(s, name, params, None),
        ("GET", ["pods", pod, "logs"]) => logs(s, name, params, Some(&decode(pod))),
        ("DELETE", ["operation"]) => terminate(s, name, params),
        ("GET", ["managed-resources"]) => match find(s, name, params) {
            Ok(record) => {
                let resources = record.app["status"]["resources"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default();
                let wanted: Vec<Value> = resources
                    .into_iter()
                    .filter(|r| {
                        ["kind", "name", "namespace", "group"].iter().all(|k| {
                            params
                                .get(k)
                                .is_none_or(|v| v.is_empty() || r[*k].as_str().unwrap_or("") == v)
                        })
                    })
                    .collect();
                json_reply(
                    200,
                    &manifests::managed_resources(&record.blueprint, &wanted),
                )
            }
            Err(reply) => reply,
        },
        ("GET", ["resource"]) => live_resource(s, name, params),
        ("GET", ["resource", "actions"]) => match tree_resource(s, name, params) {
            Ok((_, resource)) => json_reply(
                200,
                &manifests::actions(resource["kind"].as_str().unwrap_or("")),
            ),
            Err(reply) => reply,
        },
        ("POST", ["resource", "actions", "v2"]) => run_action(s, name, params, body),
        ("GET", ["revisions", revision, "metadata"]) => match find(s, name, params) {
            Ok(record) => {
                let revision = decode(revision);
                let history = record.app["status"]["history"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default();
                match history.iter().position(|h| {
                    h["revision"] == revision.as_str() || h["revisions"][0] == revision.as_str()
                }) {
                    Some(index) => json_reply(
                        200,
                        &manifests::revision_metadata(&record.blueprint, &revision, index),
                    ),
                    None if record.blueprint.credentials => error(
                        500,
                        2,
                        &crate::standin::credentials::revision_error(name, &revision),
                    ),
                    None => error(
                        500,
                        2,
                        &format!(
                            "rpc error: code = Unknown desc = unable to resolve git revision {revision}: revision not found"
                        ),
                    ),
                }
            }
            Err(reply) => reply,
        },
        ("GET", ["manifests"]) => {
            // A planted object stands for what Git holds under its name (the cluster has it as
            // Git said); objects only in Git (hooks) come after the managed ones.
            let planted = s.review_live.clone();
            let only_in_git = s.review_git.get(name).cloned().unwrap_or_default();
            match find(s, name, params) {
                Ok(record) => {
                    let bp = record.blueprint.clone();
                    let manifests: Vec<String> = record.app["status"]["resources"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .map(|r| {
                            let planted = r["name"].as_str().and_then(|n| planted.get(n));
                            planted
                                .cloned()
                                .unwrap_or_else(|| manifests::desired(&bp, r))
                        })
                        .chain(only_in_git)
                        .map(|mut object| {
                            manifests::mask_secret(&mut object);
                            object.to_string()
                        })
                        .collect();
                    // A commit resolves to itself; a branch or tag to the commit it points at.
                    let revision = match params.get("revision") {
                        Some(r) if r.len() == 40 && r.chars().all(|c| c.is_ascii_hexdigit()) => {
                            r.to_string()
                        }
                        Some(r) => commit(&format!("{name}@{r}")),
                        None => commit(&format!("{name}@HEAD")),
                    };
                    json_reply(
                        200,
                        &json!({"manifests": manifests, "namespace": bp.destination_namespace, "server": "https://kubernetes.default.svc", "revision": revision, "sourceType": "Directory"}),
                    )
                }
                Err(reply) => reply,
            }
        }
        ("GET", ["syncwindows"]) => match find(s, name, params) {
            Ok(record) => json_reply(200, &manifests::sync_windows(&record.blueprint.project)),
            Err(reply) => reply,
        },
        ("POST", ["rollback"]) => rollback(s, name, params, body),
        (
            _,
            []
            | ["sync"]
            | ["rollback"]
            | ["resource-tree"]
            | ["events"]
            | ["logs"]
            | ["operation"],
        ) => text_reply(405, "Method Not Allowed\n"),
        _ => text_reply(404, "Not Found\n"),
    }
}

/// `GET …?refresh=normal|hard`: Argo CD marks the app with the refresh annotation, the
/// controller reconciles it (the annotation goes, `reconciledAt` moves) and only then does Get
/// answer (application.go Get, `argo.RefreshApp`). Each step is a change a watch sees.
pub(super) fn refresh(s: &mut State, name: &str, params: &Params) -> Reply {
    const ANNOTATION: &str = "argocd.argoproj.io/refresh";
    // Any value but `hard` asks for a normal refresh.
    let kind = if params.get("refresh") == Some("hard") {
        "hard"
    } else {
        "normal"
    };
    match find(s, name, params) {
        Ok(record) => record.app["metadata"]["annotations"][ANNOTATION] = json!(kind),
        Err(reply) => return reply,
    }
    s.publish([name.to_owned()]);
    let Some(record) = s.apps.get_mut(name) else {
        return permission_denied();
    };
    let metadata = &mut record.app["metadata"];
    if let Some(annotations) = metadata["annotations"].as_object_mut() {
        annotations.remove(ANNOTATION);
        // An empty map is left out, as Kubernetes leaves it.
        if annotations.is_empty()
            && let Some(metadata) = metadata.as_object_mut()
        {
            metadata.remove("annotations");
        }
    }
    record.app["status"]["reconciledAt"] = json!(rfc3339(unix_now()));
    json_reply(200, &record.app)
}

pub(super) fn terminate(s: &mut State, name: &str, params: &Params) -> Reply {
    let record = match find(s, name, params) {
        Ok(record) => record,
        Err(reply) => return reply,
    };
    match record.pending.as_mut() {
        Some(pending) => {
            pending.terminating = true;
            record.app["status"]["operationState"]["phase"] = json!("Terminating");
            json_reply(200, &json!({}))
        }
        None => error(
            400,
            3,
            "Unable to terminate operation. No operation is in progress",
        ),
    }
}

/// RFC 7386 JSON merge patch.
pub(super) fn merge(target: &mut Value, patch: &Value) {
    match patch {
        Value::Object(fields) => {
            if !target.is_object() {
                *target = json!({});
            }
            for (key, value) in fields {
                if value.is_null() {
                    if let Some(map) = target.as_object_mut() {
                        map.remove(key);
                    }
                } else {
                    merge(&mut target[key], value);
                }
            }
        }
        other => *target = other.clone(),
    }
}

/// Auto-sync as the controller sees it: `automated` set and `enabled` not false.
pub(super) fn auto_sync_of(app: &Value) -> bool {
    let automated = &app["spec"]["syncPolicy"]["automated"];
    automated.is_object() && automated["enabled"] != false
}

pub(super) fn create(s: &mut State, params: &Params, body: &[u8]) -> Reply {
    let app = match parse_body(body) {
        Ok(v) => v,
        Err(reply) => return reply,
    };
    let Some(name) = app["metadata"]["name"].as_str().map(str::to_owned) else {
        return error(400, 3, "application name is required");
    };
    if app["spec"]["destination"].is_null()
        || (app["spec"]["source"].is_null() && app["spec"]["sources"].is_null())
    {
        return error(
            400,
            3,
            "application spec is invalid: InvalidSpecError: spec.source and spec.destination are required",
        );
    }
    let upsert = params.get("upsert") == Some("true");
    if s.apps.contains_key(&name) && !upsert {
        return error(
            400,
            3,
            "existing application spec is different, use upsert flag to force update",
        );
    }
    let mut bp = Blueprint::new(&name);
    bp.project = app["spec"]["project"]
        .as_str()
        .unwrap_or("default")
        .to_string();
    bp.destination_namespace = app["spec"]["destination"]["namespace"]
        .as_str()
        .unwrap_or(&name)
        .to_string();
    bp.auto_sync = auto_sync_of(&app);
    bp.history = 0;
    bp.sync = "OutOfSync".into();
    bp.health = "Missing".into();
    bp.last_operation = None;
    let seq = s.apps.len();
    let mut created = fleet::application(&bp, seq);
    created["spec"] = app["spec"].clone();
    let mut record = AppRecord::new(bp, seq);
    record.app = created;
    let record = record.created_anew();
    let created = record.app.clone();
    s.apps.insert(name, record);
    json_reply(200, &created)
}

pub(super) fn patch(s: &mut State, name: &str, params: &Params, body: &[u8]) -> Reply {
    let request = match parse_body(body) {
        Ok(v) => v,
        Err(reply) => return reply,
    };
    let kind = request["patchType"].as_str().unwrap_or("json");
    let Some(document) = request["patch"]
        .as_str()
        .and_then(|p| serde_json::from_str::<Value>(p).ok())
    else {
        return error(400, 3, "patch must be a JSON document in a string");
    };
    let record = match find(s, name, params) {
        Ok(record) => record,
        Err(reply) => return reply,
    };
    match kind {
        "merge" => merge(&mut record.app, &document),
        _ => {
            return error(
                400,
                3,
                &format!("Patch type '{kind}' is not supported by this stand-in"),
            );
        }
    }
    record.blueprint.auto_sync = auto_sync_of(&record.app);
    if let Some(project) = record.app["spec"]["project"].as_str() {
        record.blueprint.project = project.to_string();
    }
    json_reply(200, &record.app)
}

pub(super) fn start(
    record: &mut AppRecord,
    kind: OperationKind,
    revision: String,
    dry_run: bool,
    partial: bool,
    request: Value,
) -> Reply {
    record.pending = Some(PendingOperation {
        kind,
        started: Instant::now(),
        started_unix: unix_now(),
        revision,
        dry_run,
        partial,
        request: request.clone(),
        terminating: false,
    });
    record.app["operation"] =
        json!({"sync": request, "initiatedBy": {"username": "admin"}, "retry": {}});
    // SetAppOperation clears the old state; the controller fills it in when it starts.
    if let Some(status) = record.app["status"].as_object_mut() {
        status.remove("operationState");
    }
    json_reply(200, &record.app)
}

pub(super) fn sync(s: &mut State, name: &str, params: &Params, body: &[u8]) -> Reply {
    let request = match parse_body(body) {
        Ok(v) => v,
        Err(reply) => return reply,
    };
    let record = match find(s, name, params) {
        Ok(record) => record,
        Err(reply) => return reply,
    };
    // Sync windows are checked before the operation lock (application.go:2092-2098).
    if manifests::sync_windows(&record.blueprint.project)["canSync"] == false {
        return error(403, 7, "cannot sync: blocked by sync window");
    }
    if record.pending.is_some() {
        return error(400, 9, "another operation is already in progress");
    }
    let requested = request
        .get("revision")
        .and_then(Value::as_str)
        .filter(|r| !r.is_empty());
    let dry_run = request
        .get("dryRun")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    if let Some(revision) = requested
        && record.blueprint.auto_sync
        && !dry_run
        && revision != "HEAD"
    {
        return error(
            400,
            9,
            &format!("Cannot sync to {revision}: auto-sync currently set to HEAD"),
        );
    }
    let partial = request
        .get("resources")
        .and_then(Value::as_array)
        .is_some_and(|r| !r.is_empty());
    let revision = match requested {
        Some(r) if r.len() == 40 && r.chars().all(|c| c.is_ascii_hexdigit()) => r.to_string(),
        Some(r) => commit(&format!("{name}@{r}")),
        None => commit(&format!("{name}@HEAD@{}", unix_now())),
    };
    if let Some(positions) = request.get("sourcePositions") {
        let sources = record.app["spec"]["sources"].as_array().map_or(0, Vec::len);
        let valid = positions.as_array().is_some_and(|p| {
            p.iter()
                .all(|n| n.as_i64().is_some_and(|n| n >= 1 && n as usize <= sources))
        });
        if !valid {
            return error(400, 3, "source position is out of range");
        }
    }
    let mut op = json!({"revision": revision, "syncStrategy": {"hook": {}}});
    for key in [
        "prune",
        "dryRun",
        "resources",
        "revisions",
        "sourcePositions",
    ] {
        if let Some(v) = request.get(key) {
            op[key] = v.clone();
        }
    }
    start(record, OperationKind::Sync, revision, dry_run, partial, op)
}

pub(super) fn rollback(s: &mut State, name: &str, params: &Params, body: &[u8]) -> Reply {
    let request = match parse_body(body) {
        Ok(v) => v,
        Err(reply) => return reply,
    };
    let id = match request.get("id") {
        None | Some(Value::Null) => {
            return error(
                500,
                13,
                "grpc: error while marshaling: proto: required field \"id\" not set",
            );
        }
        Some(Value::Number(n)) if n.is_i64() => n.as_i64().unwrap_or(-1),
        Some(Value::String(_)) => {
            return error(
                400,
                3,
                "json: cannot unmarshal string into Go struct field ApplicationRollbackRequest.id of type int64",
            );
        }
        Some(_) => {
            return error(
                400,
                3,
                "json: cannot unmarshal number into Go struct field ApplicationRollbackRequest.id of type int64",
            );
        }
    };
    let dry_run = request
        .get("dryRun")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let record = match find(s, name, params) {
        Ok(record) => record,
        Err(reply) => return reply,
    };
    if record.blueprint.auto_sync {
        return error(
            400,
            9,
            "rollback cannot be initiated when auto-sync is enabled",
        );
    }
    if record.pending.is_some() {
        return error(400, 9, "another operation is already in progress");
    }
    let entry = record.app["status"]["history"]
        .as_array()
        .and_then(|h| h.iter().find(|e| e["id"].as_i64() == Some(id)).cloned());
    let Some(entry) = entry else {
        return error(
            400,
            3,
            &format!("application {name} does not have deployment with id {id}"),
        );
    };
    let revision = entry["revision"]
        .as_str()
        .or_else(|| entry["revisions"][0].as_str())
        .unwrap_or_default()
        .to_string();
    let op = json!({"revision": revision, "dryRun": dry_run, "syncStrategy": {"apply": {}}});
    start(
        record,
        OperationKind::Rollback(id),
        revision,
        dry_run,
        false,
        op,
    )
}

/// A label selector requirement list, as k8s parses it (subset: =, ==, !=, in, notin, exists).
pub(super) fn selector_matches(selector: &str, labels: &Value) -> Result<bool, String> {
    let mut parts = Vec::new();
    let (mut depth, mut start) = (0, 0);
    for (i, c) in selector.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(&selector[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&selector[start..]);
    let label = |k: &str| labels.get(k.trim()).and_then(Value::as_str);
    // Kubernetes parses the whole selector before matching: a bad requirement is an error even
    // after one that does not match.
    let mut matches = true;
    for part in parts.iter().map(|p| p.trim()).filter(|p| !p.is_empty()) {
        let ok = if let Some((k, v)) = part.split_once("!=") {
            label(k) != Some(v.trim())
        } else if let Some((k, v)) = part.split_once("==").or_else(|| part.split_once('=')) {
            label(k) == Some(v.trim())
        } else if let Some((k, set)) = part.split_once(" notin ") {
            let values = set_values(set)?;
            !label(k).is_some_and(|v| values.contains(&v))
        } else if let Some((k, set)) = part.split_once(" in ") {
            let values = set_values(set)?;
            label(k).is_some_and(|v| values.contains(&v))
        } else if let Some(k) = part.strip_prefix('!') {
            label(k).is_none()
        } else if part
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./".contains(c))
        {
            label(part).is_some()
        } else {
            return Err(format!(
                "error parsing the selector: unable to parse requirement: found '{part}'"
            ));
        };
        matches &= ok;
    }
    Ok(matches)
}

pub(super) fn set_values(set: &str) -> Result<Vec<&str>, String> {
    let inner = set
        .trim()
        .strip_prefix('(')
        .and_then(|s| s.strip_suffix(')'))
        .ok_or_else(|| format!("error parsing the selector: found '{set}', expected: '('"))?;
    Ok(inner.split(',').map(str::trim).collect())
}

pub(super) fn list(s: &mut State, params: &Params, visible: &dyn Fn(&str, &str) -> bool) -> Reply {
    let legacy = params.all("project");
    let projects = if legacy.is_empty() {
        params.all("projects")
    } else {
        legacy
    };
    let selector = params.get("selector").filter(|s| !s.is_empty());
    let timing = Timing::of(s);
    let mut items = Vec::new();
    for record in s.apps.values_mut() {
        advance(record, timing);
        let app = &record.app;
        if !projects.is_empty() && !projects.contains(&record.blueprint.project.as_str()) {
            continue;
        }
        if !visible(&record.blueprint.project, &record.blueprint.name) {
            continue;
        }
        if let Some(name) = params.get("name").filter(|n| !n.is_empty())
            && app["metadata"]["name"] != name
        {
            continue;
        }
        if let Some(repo) = params.get("repo").filter(|r| !r.is_empty()) {
            let first = app["spec"]["source"]["repoURL"]
                .as_str()
                .or_else(|| app["spec"]["sources"][0]["repoURL"].as_str());
            if first != Some(repo) {
                continue;
            }
        }
        if let Some(ns) = params.get("appNamespace").filter(|n| !n.is_empty())
            && app["metadata"]["namespace"] != ns
        {
            continue;
        }
        if let Some(selector) = selector {
            match selector_matches(selector, &app["metadata"]["labels"]) {
                Ok(true) => {}
                Ok(false) => continue,
                Err(message) => return error(500, 2, &message),
            }
        }
        items.push(app);
    }
    let metadata = json!({"resourceVersion": s.feed.version().to_string()});
    let Some(fields) = Fields::of(params) else {
        // List leaves out per-resource health (api-notes §d): it lives in the resource tree.
        let items: Vec<Value> = items
            .into_iter()
            .map(|app| {
                let mut app = app.clone();
                if let Some(resources) = app["status"]["resources"].as_array_mut() {
                    for r in resources {
                        if let Some(r) = r.as_object_mut() {
                            r.remove("health");
                        }
                    }
                }
                app
            })
            .collect();
        return json_reply(200, &json!({"metadata": metadata, "items": items}));
    };
    let kept = fields.for_list();
    let items: Vec<Value> = items.iter().map(|app| project_fields(app, &kept)).collect();
    let items = if items.is_empty() {
        Value::Null
    } else {
        json!(items)
    };
    json_reply(200, &json!({"items": items, "metadata": metadata}))
}
