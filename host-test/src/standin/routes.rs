//! Request handling: auth, routing, and each endpoint's documented behaviour.

// Errors here are whole HTTP replies, sent as soon as they are made: boxing them buys nothing.
#![allow(clippy::result_large_err)]

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::{Request, Response};
use serde_json::{Value, json};

use super::auth::unix_now;
use super::fleet::{self, commit, rfc3339};
use super::rbac;
use super::tree::{self, LogQuery};
use super::{AppRecord, Blueprint, OperationKind, PendingOperation, SeenRequest, State, full};
use super::{appsets, manifests};

type Reply = Response<Full<Bytes>>;

/// Argo CD's history is cut to `spec.revisionHistoryLimit`, 10 by default.
const HISTORY_LIMIT: usize = 10;

/// Paths `fields` may keep on List (forwarder_overwrite.go allow-list), without the `items.` prefix.
const LIST_FIELDS: &[&str] = &[
    "metadata.name",
    "metadata.namespace",
    "metadata.annotations",
    "metadata.labels",
    "metadata.creationTimestamp",
    "metadata.deletionTimestamp",
    "spec",
    "spec.destination",
    "spec.project",
    "spec.source",
    "spec.sources",
    "spec.sourceHydrator",
    "spec.syncPolicy",
    "status.sourceHydrator",
    "status.summary",
    "status.sync.status",
    "status.sync.revision",
    "status.health",
    "status.operationState.startedAt",
    "status.operationState.finishedAt",
    "status.operationState.phase",
    "status.resources",
    "operation.sync",
];

fn json_reply(status: u16, body: &Value) -> Reply {
    Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(full(body.to_string()))
        .expect("valid response")
}

fn text_reply(status: u16, body: &str) -> Reply {
    Response::builder()
        .status(status)
        .header("content-type", "text/plain; charset=utf-8")
        .body(full(body.to_string()))
        .expect("valid response")
}

/// grpc-gateway's unary error body: `error` and `message` identical, `code` the gRPC code.
fn error(status: u16, code: u16, message: &str) -> Reply {
    json_reply(
        status,
        &json!({"error": message, "code": code, "message": message}),
    )
}

fn permission_denied() -> Reply {
    error(403, 7, "permission denied")
}

/// Query parameters in order, repeated keys kept.
fn query_pairs(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (decode(k), decode(v))
        })
        .collect()
}

pub(super) fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                match u8::from_str_radix(
                    std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("zz"),
                    16,
                ) {
                    Ok(b) => {
                        out.push(b);
                        i += 3;
                        continue;
                    }
                    Err(_) => out.push(b'%'),
                }
            }
            b'+' => out.push(b' '),
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[derive(Clone)]
struct Params(Vec<(String, String)>);

impl Params {
    fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
    fn all(&self, key: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
            .collect()
    }
}

pub async fn serve(state: &Arc<Mutex<State>>, request: Request<Incoming>) -> Reply {
    let (parts, body) = request.into_parts();
    let body = body
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    let header = |name: &str| {
        parts
            .headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let delay = {
        let mut s = state.lock().unwrap_or_else(|e| e.into_inner());
        let seen = SeenRequest::new(&parts.method, &parts.uri, &parts.headers, &body);
        s.requests.push(seen);
        s.delay
    };
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    let mut s = state.lock().unwrap_or_else(|e| e.into_inner());
    let path = parts.uri.path().to_string();
    let params = Params(query_pairs(parts.uri.query().unwrap_or("")));
    let method = parts.method.as_str();
    if path == "/healthz" {
        return text_reply(200, "ok");
    }
    if let Some(rest) = path.strip_prefix(super::idp::PATH)
        && (rest.is_empty() || rest.starts_with('/'))
    {
        let authorization = header("authorization");
        return s.idp.serve(
            method,
            rest,
            parts.uri.query().unwrap_or(""),
            authorization.as_deref(),
            &body,
        );
    }
    if !path.starts_with("/api/") {
        return text_reply(404, "Not Found\n");
    }
    if let Some(status) = s.fail_with {
        return match status {
            502 => text_reply(502, "<html><body><h1>502 Bad Gateway</h1></body></html>"),
            503 => error(
                503,
                14,
                "connection error: desc = \"transport: Error while dialing\"",
            ),
            _ => error(status, 13, "internal error"),
        };
    }
    // enforceContentTypes: every non-GET under /api needs exactly application/json.
    if method != "GET"
        && header("content-type")
            .map(|c| c.to_ascii_lowercase())
            .as_deref()
            != Some("application/json")
    {
        return text_reply(415, "Invalid content type");
    }
    let token = header("authorization").and_then(|h| h.strip_prefix("Bearer ").map(str::to_owned));
    match (method, path.as_str()) {
        ("POST", "/api/v1/session") => return login(&mut s, &body),
        ("DELETE", "/api/v1/session") => return json_reply(200, &json!({})),
        ("GET", "/api/v1/session/userinfo") => {
            return match caller(&s, token.as_deref()) {
                Ok(claims) => {
                    let mut info = json!({"loggedIn": true, "username": claims.username, "iss": claims.issuer});
                    // omitempty, as Argo CD's: local accounts have no groups.
                    if !claims.groups.is_empty() {
                        info["groups"] = json!(claims.groups);
                    }
                    json_reply(200, &info)
                }
                Err(_) => json_reply(200, &json!({})),
            };
        }
        ("GET", "/api/version") => {
            return match caller(&s, token.as_deref()) {
                Ok(_) => json_reply(
                    200,
                    &json!({"Version": "v3.5.1", "BuildDate": "2026-08-12T10:00:00Z", "GitCommit": "109ca7ca71139e514114499d294a492e7910a965", "GitTag": "v3.5.1", "GitTreeState": "clean", "GoVersion": "go1.25.0", "Compiler": "gc", "Platform": "linux/amd64"}),
                ),
                Err(_) => json_reply(200, &json!({"Version": "v3.5.1"})),
            };
        }
        _ => {}
    }
    let caller = match caller(&s, token.as_deref()) {
        Ok(caller) => caller,
        Err(message) => return error(401, 16, &message),
    };
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    if let Some(denied) = enforce_rbac(&mut s, &caller, method, &segments, &params, &body) {
        return denied;
    }
    match (method, segments.as_slice()) {
        ("GET", ["api", "v1", "applications"]) => {
            let policies = s.rbac.clone();
            let visible = |project: &str, name: &str| {
                rbac::allows(
                    &policies,
                    &caller,
                    "applications",
                    "get",
                    &format!("{project}/{name}"),
                )
            };
            list(&mut s, &params, &visible)
        }
        ("POST", ["api", "v1", "applications"]) => create(&mut s, &params, &body),
        ("GET", ["api", "v1", "projects"]) => projects(&s),
        ("GET", ["api", "v1", "clusters"]) => clusters(&s),
        ("GET", ["api", "v1", "clusters", id]) => {
            let id = decode(id);
            let by = if params.get("id.type") == Some("name") {
                "name"
            } else {
                "server"
            };
            match cluster_items(&s).into_iter().find(|c| c[by] == id.as_str()) {
                Some(cluster) => json_reply(200, &cluster),
                None => permission_denied(), // getClusterWith403IfNotExist
            }
        }
        ("GET", ["api", "v1", "projects", name]) => {
            let name = decode(name);
            match project_items(&s)
                .into_iter()
                .find(|p| p["metadata"]["name"] == name.as_str())
            {
                Some(project) => json_reply(200, &project),
                None => error(
                    404,
                    5,
                    &format!("appprojects.argoproj.io \"{name}\" not found"),
                ),
            }
        }
        ("GET", ["api", "v1", "repositories"]) => repositories(&s),
        ("GET", ["api", "v1", "applicationsets"]) => {
            let projects = params.all("projects");
            let selector = params.get("selector").filter(|s| !s.is_empty());
            let mut items = Vec::new();
            for set in appsets::all() {
                if !projects.is_empty()
                    && !projects.contains(
                        &set["spec"]["template"]["spec"]["project"]
                            .as_str()
                            .unwrap_or(""),
                    )
                {
                    continue;
                }
                if let Some(selector) = selector {
                    match selector_matches(selector, &set["metadata"]["labels"]) {
                        Ok(true) => {}
                        Ok(false) => continue,
                        Err(message) => return error(500, 2, &message),
                    }
                }
                items.push(set);
            }
            json_reply(
                200,
                &json!({"metadata": {"resourceVersion": "3900200"}, "items": items}),
            )
        }
        ("POST", ["api", "v1", "applicationsets", "generate"]) => match parse_body(&body) {
            Ok(request) => match appsets::generate(&request, &cluster_items(&s)) {
                Ok(answer) => json_reply(200, &answer),
                Err(message) => error(400, 3, &message),
            },
            Err(reply) => reply,
        },
        ("GET", ["api", "v1", "applicationsets", name]) => {
            let name = decode(name);
            match appsets::all()
                .into_iter()
                .find(|s| s["metadata"]["name"] == name.as_str())
            {
                Some(set) => json_reply(200, &set),
                None => error(403, 7, "permission denied"),
            }
        }
        (
            "GET",
            [
                "api",
                "v1",
                "account",
                "can-i",
                resource,
                action,
                _subresource @ ..,
            ],
        ) => {
            let known = [
                "applications",
                "applicationsets",
                "clusters",
                "repositories",
                "projects",
                "accounts",
                "certificates",
                "gpgkeys",
                "logs",
                "exec",
                "extensions",
            ];
            let actions = [
                "get", "create", "update", "delete", "sync", "override", "action", "invoke",
            ];
            if !known.contains(resource) || !actions.contains(action) {
                return error(
                    400,
                    3,
                    &format!("permission denied: unknown resource or action {resource}/{action}"),
                );
            }
            let object = _subresource
                .iter()
                .map(|part| decode(part))
                .collect::<Vec<_>>()
                .join("/");
            let object = if object.is_empty() {
                "*".to_owned()
            } else {
                object
            };
            let answer = if rbac::allows(&s.rbac, &caller, resource, action, &object) {
                "yes"
            } else {
                "no"
            };
            json_reply(200, &json!({"value": answer}))
        }
        (_, ["api", "v1", "applications"]) => text_reply(405, "Method Not Allowed\n"),
        (_, ["api", "v1", "applications", name, rest @ ..]) => {
            let name = decode(name);
            app_route(&mut s, method, &name, rest, &params, &body)
        }
        _ => text_reply(404, "Not Found\n"),
    }
}

/// Who sent `token`: a user of the identity provider when the provider issued it (for Argo CD's
/// client id, as Argo CD's OIDC verifier demands), else a local account's session.
fn caller(s: &State, token: Option<&str>) -> Result<rbac::Caller, String> {
    let issuer = token.and_then(|t| argocd_mcp::identity::jwt::claim(t, "iss"));
    if issuer.as_ref().and_then(Value::as_str) == Some(s.idp.issuer.as_str()) {
        let claims = s
            .idp
            .verify(token.unwrap_or(""), Some(super::idp::ARGOCD_CLIENT))
            .map_err(|why| format!("invalid session: failed to verify the token: {why}"))?;
        return Ok(rbac::Caller {
            username: claims["sub"].as_str().unwrap_or("").to_owned(),
            issuer: s.idp.issuer.clone(),
            groups: claims["groups"]
                .as_array()
                .map(|g| {
                    g.iter()
                        .filter_map(|v| v.as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default(),
            sso: true,
        });
    }
    s.sessions.verify(token).map(|claims| rbac::Caller {
        username: claims.username,
        issuer: claims.issuer,
        groups: Vec::new(),
        sso: false,
    })
}

/// RBAC for the requests it guards here: app reads and changes (judged on the app's project and
/// name as stored, or as the create body names them) and every other change. Changes are
/// recorded in the audit trail, allowed or not.
fn enforce_rbac(
    s: &mut State,
    caller: &rbac::Caller,
    method: &str,
    segments: &[&str],
    params: &Params,
    body: &[u8],
) -> Option<Reply> {
    let (resource, action, object) = match segments {
        ["api", "v1", "applications", name, rest @ ..] => {
            let name = decode(name);
            // Unknown apps are left to the route, which answers as Argo CD does for them.
            let project = s.apps.get(&name)?.blueprint.project.clone();
            let (resource, action) = rbac::app_action(method, rest);
            (resource, action, format!("{project}/{name}"))
        }
        ["api", "v1", "applications"] if method == "POST" => {
            let app: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
            let project = app["spec"]["project"].as_str().unwrap_or("default");
            let name = app["metadata"]["name"].as_str().unwrap_or("");
            ("applications", "create", format!("{project}/{name}"))
        }
        _ if method == "GET" => return None,
        ["api", "v1", "applicationsets", "generate"] => return None,
        _ => ("*", "*", params.get("name").unwrap_or("*").to_owned()),
    };
    let allowed = rbac::allows(&s.rbac, caller, resource, action, &object);
    if method != "GET" {
        s.audit.push(rbac::AuditEvent {
            user: caller.username.clone(),
            action: format!("{resource}/{action}"),
            object: object.clone(),
            allowed,
        });
    }
    (!allowed).then(|| json_reply(403, &rbac::denial(caller, resource, action, &object)))
}

fn login(s: &mut State, body: &[u8]) -> Reply {
    let Ok(request) = serde_json::from_slice::<Value>(body) else {
        return error(400, 3, "invalid character in request body");
    };
    let field = |k: &str| {
        request
            .get(k)
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    };
    if !field("token").is_empty() {
        return error(
            401,
            16,
            "token-based session creation no longer supported. please upgrade argocd cli to v0.7+",
        );
    }
    match s.sessions.login(&field("username"), &field("password")) {
        Ok(token) => {
            s.logins_ok += 1;
            Response::builder()
                .status(200)
                .header("content-type", "application/json")
                .header(
                    "set-cookie",
                    format!("argocd.token={token}; path=/; SameSite=lax; httpOnly"),
                )
                .body(full(json!({"token": token}).to_string()))
                .expect("valid response")
        }
        Err((status, message)) => {
            s.logins_failed += 1;
            error(status, if status == 400 { 3 } else { 16 }, &message)
        }
    }
}

/// Lets the "controller" move an app's operation on: Running until `operation_time` has passed.
pub fn advance(record: &mut AppRecord, operation_time: Duration) {
    let Some(pending) = record.pending.clone() else {
        return;
    };
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
        status["health"] = json!({"status": outcome.health, "lastTransitionTime": rfc3339(now)});
        finished_bp.sync = "Synced".into();
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
fn with_body_fields(params: &Params, body: &[u8]) -> Params {
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
fn find<'a>(s: &'a mut State, name: &str, params: &Params) -> Result<&'a mut AppRecord, Reply> {
    let project = params.get("project").or_else(|| params.get("projects"));
    if let Some(ns) = params.get("appNamespace").filter(|n| !n.is_empty())
        && ns != "argocd"
    {
        return Err(permission_denied()); // namespace not enabled for apps
    }
    let operation_time = s.operation_time;
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
            advance(record, operation_time);
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

fn app_route(
    s: &mut State,
    method: &str,
    name: &str,
    rest: &[&str],
    params: &Params,
    body: &[u8],
) -> Reply {
    let params = &with_body_fields(params, body);
    match (method, rest) {
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
        ("GET", ["manifests"]) => match find(s, name, params) {
            Ok(record) => {
                let bp = record.blueprint.clone();
                let manifests: Vec<String> = record.app["status"]["resources"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|r| {
                        let mut object = manifests::desired(&bp, r);
                        manifests::mask_secret(&mut object);
                        object.to_string()
                    })
                    .collect();
                let revision = params.get("revision").map_or_else(
                    || commit(&format!("{name}@HEAD")),
                    |r| commit(&format!("{name}@{r}")),
                );
                json_reply(
                    200,
                    &json!({"manifests": manifests, "namespace": bp.destination_namespace, "server": "https://kubernetes.default.svc", "revision": revision, "sourceType": "Directory"}),
                )
            }
            Err(reply) => reply,
        },
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

/// `GET …/links`: `application.links` with the app's values filled in (`{{.app.metadata.name}}`,
/// `{{.app.spec.project}}`); `{}` when none are configured (proto3 leaves an empty list out). The
/// app's namespace comes as `namespace` on this endpoint.
fn links(s: &mut State, name: &str, params: &Params) -> Reply {
    if params
        .get("namespace")
        .is_some_and(|n| !n.is_empty() && n != "argocd")
    {
        return permission_denied();
    }
    let project = match find(s, name, params) {
        Ok(record) => record.blueprint.project.clone(),
        Err(reply) => return reply,
    };
    let items: Vec<Value> = s
        .app_links
        .iter()
        .map(|(title, url, description)| {
            let mut link = json!({
                "title": title,
                "url": url
                    .replace("{{.app.metadata.name}}", name)
                    .replace("{{.app.spec.project}}", &project),
                "iconClass": "fa fa-link",
            });
            if !description.is_empty() {
                link["description"] = json!(description);
            }
            link
        })
        .collect();
    if items.is_empty() {
        json_reply(200, &json!({}))
    } else {
        json_reply(200, &json!({"items": items}))
    }
}

fn events(s: &mut State, name: &str, params: &Params) -> Reply {
    let record = match find(s, name, params) {
        Ok(record) => record,
        Err(reply) => return reply,
    };
    let wanted = ["resourceName", "resourceNamespace", "resourceUID"]
        .map(|k| params.get(k).filter(|v| !v.is_empty()));
    match wanted {
        [None, None, None] => json_reply(200, &tree::events(name, None)),
        [Some(resource), Some(namespace), Some(uid)] => {
            let tree = tree::resource_tree(
                &record.blueprint,
                record.app["status"]["resources"]
                    .as_array()
                    .map_or(&[][..], |v| v),
            );
            if !tree::tree_has(&tree, resource, namespace, uid) {
                return error(
                    400,
                    3,
                    &format!("{resource} not found as part of application {name}"),
                );
            }
            let kind = tree["nodes"]
                .as_array()
                .and_then(|n| n.iter().find(|n| n["uid"] == uid))
                .and_then(|n| n["kind"].as_str())
                .unwrap_or("Pod")
                .to_string();
            json_reply(200, &tree::events(name, Some((&kind, resource, namespace))))
        }
        [resource, ..] => error(
            400,
            3,
            &format!(
                "{} not found as part of application {name}",
                resource.unwrap_or("")
            ),
        ),
    }
}

fn logs(s: &mut State, name: &str, params: &Params, pod_in_path: Option<&str>) -> Reply {
    let record = match find(s, name, params) {
        Ok(record) => record,
        Err(reply) => return reply,
    };
    let all = tree::pods(&record.blueprint);
    let pod_name = pod_in_path
        .or(params.get("podName"))
        .filter(|p| !p.is_empty());
    let resource = params.get("resourceName").filter(|p| !p.is_empty());
    let kind = params.get("kind").unwrap_or("");
    // A pod matches when it, or one of its owners, has the kind and name asked for.
    let pods: Vec<String> = all
        .into_iter()
        .filter(|p| match (pod_name, resource) {
            (Some(pod), _) => p.pod == pod,
            (None, Some(resource)) => match kind {
                "Deployment" => p.deployment == resource,
                "ReplicaSet" => p.replica_set == resource,
                "Pod" => p.pod == resource,
                _ => false,
            },
            (None, None) => true,
        })
        .map(|p| p.pod)
        .collect();
    if pods.len() > 10 {
        return error(
            400,
            3,
            "max pods to view logs are reached. Please provide more granular query",
        );
    }
    if pods.is_empty() {
        return json_reply_raw(200, String::new());
    }
    let number = |k: &str| params.get(k).and_then(|v| v.parse::<u64>().ok());
    let query = LogQuery {
        pods,
        tail_lines: number("tailLines").map(|n| n as usize),
        since_seconds: number("sinceSeconds"),
        filter: params.get("filter"),
        match_case: params.get("matchCase") == Some("true"),
        previous: params.get("previous") == Some("true"),
    };
    json_reply_raw(200, tree::log_stream(&record.blueprint, &query))
}

/// The resource named by `resourceName`/`kind`/`version` (required, as proto2 says) in the tree.
fn tree_resource<'a>(
    s: &'a mut State,
    name: &str,
    params: &Params,
) -> Result<(&'a mut AppRecord, Value), Reply> {
    for required in ["resourceName", "version", "kind"] {
        if params.get(required).is_none_or(str::is_empty) {
            let field = if required == "resourceName" {
                "name"
            } else {
                required
            };
            return Err(error(
                500,
                13,
                &format!("grpc: error while marshaling: proto: required field \"{field}\" not set"),
            ));
        }
    }
    let record = find(s, name, params)?;
    let (kind, resource_name) = (
        params.get("kind").unwrap_or(""),
        params.get("resourceName").unwrap_or(""),
    );
    let group = params.get("group").unwrap_or("");
    let found = record.app["status"]["resources"].as_array().and_then(|rs| {
        rs.iter()
            .find(|r| {
                r["kind"] == kind
                    && r["name"] == resource_name
                    && r["group"].as_str().unwrap_or("") == group
                    && params
                        .get("namespace")
                        .is_none_or(|ns| ns.is_empty() || r["namespace"] == ns)
            })
            .cloned()
    });
    match found {
        Some(resource) => Ok((record, resource)),
        None => Err(error(
            400,
            3,
            &format!("{kind} {group} {resource_name} not found as part of application {name}"),
        )),
    }
}

fn live_resource(s: &mut State, name: &str, params: &Params) -> Reply {
    match tree_resource(s, name, params) {
        Ok((record, resource)) => {
            let mut object = manifests::live(&record.blueprint, &resource);
            manifests::mask_secret(&mut object);
            json_reply(200, &json!({"manifest": object.to_string()}))
        }
        Err(reply) => reply,
    }
}

fn run_action(s: &mut State, name: &str, params: &Params, body: &[u8]) -> Reply {
    let request = match parse_body(body) {
        Ok(v) => v,
        Err(reply) => return reply,
    };
    let field = |k: &str| {
        request
            .get(k)
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    };
    let as_params = Params(
        [
            ("resourceName", "resourceName"),
            ("version", "version"),
            ("kind", "kind"),
            ("group", "group"),
            ("namespace", "namespace"),
        ]
        .iter()
        .map(|(q, b)| (q.to_string(), field(b)))
        .chain(params.0.iter().cloned())
        .collect(),
    );
    let action = field("action");
    match tree_resource(s, name, &as_params) {
        Ok((_, resource)) => {
            let available = manifests::actions(resource["kind"].as_str().unwrap_or(""));
            let known = available["actions"]
                .as_array()
                .and_then(|a| a.iter().find(|x| x["name"] == action.as_str()).cloned());
            match known {
                Some(a) if a["disabled"] == true => {
                    error(400, 3, &format!("action {action} is disabled"))
                }
                Some(_) => json_reply(200, &json!({})),
                None => error(
                    400,
                    3,
                    &format!(
                        "action {action} not found for kind {}",
                        resource["kind"].as_str().unwrap_or("")
                    ),
                ),
            }
        }
        Err(reply) => reply,
    }
}

fn terminate(s: &mut State, name: &str, params: &Params) -> Reply {
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

fn json_reply_raw(status: u16, body: String) -> Reply {
    Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(full(body))
        .expect("valid response")
}

/// RFC 7386 JSON merge patch.
fn merge(target: &mut Value, patch: &Value) {
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
fn auto_sync_of(app: &Value) -> bool {
    let automated = &app["spec"]["syncPolicy"]["automated"];
    automated.is_object() && automated["enabled"] != false
}

fn create(s: &mut State, params: &Params, body: &[u8]) -> Reply {
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
    s.apps.insert(
        name,
        AppRecord {
            app: created.clone(),
            blueprint: bp,
            seq,
            pending: None,
            next_outcome: super::Outcome::default(),
        },
    );
    json_reply(200, &created)
}

fn patch(s: &mut State, name: &str, params: &Params, body: &[u8]) -> Reply {
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

fn parse_body(body: &[u8]) -> Result<Value, Reply> {
    serde_json::from_slice::<Value>(body)
        .map_err(|e| error(400, 3, &format!("invalid character in request body: {e}")))
}

fn start(
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

fn sync(s: &mut State, name: &str, params: &Params, body: &[u8]) -> Reply {
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

fn rollback(s: &mut State, name: &str, params: &Params, body: &[u8]) -> Reply {
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

/// Every project the apps use, as `AppProject` objects.
fn project_items(s: &State) -> Vec<Value> {
    let mut names: Vec<&str> = s
        .apps
        .values()
        .map(|r| r.blueprint.project.as_str())
        .collect();
    names.sort_unstable();
    names.dedup();
    names
        .iter()
        .map(|name| {
            let windows = manifests::sync_windows(name)["assignedWindows"].clone();
            let mut spec = json!({"sourceRepos": ["*"], "destinations": [{"server": "https://kubernetes.default.svc", "namespace": if *name == "default" { "*".to_string() } else { format!("{name}-*") }}], "description": format!("Apps of team {name}"), "clusterResourceWhitelist": [{"group": "*", "kind": "*"}], "roles": [{"name": "ci", "policies": [format!("p, proj:{name}:ci, applications, sync, {name}/*, allow")], "jwtTokens": [{"iat": 1_780_000_000i64, "id": "tok-1"}]}]});
            if windows.is_array() {
                spec["syncWindows"] = windows;
            }
            json!({
                "metadata": {"name": name, "namespace": "argocd", "uid": commit(name)[..8].to_string(), "resourceVersion": "3900001", "creationTimestamp": rfc3339(1_780_000_000)},
                "spec": spec,
                "status": {}
            })
        })
        .collect()
}

fn projects(s: &State) -> Reply {
    json_reply(
        200,
        &json!({"metadata": {"resourceVersion": "3900001"}, "items": project_items(s)}),
    )
}

/// `GET /api/v1/repositories`: sanitized, as Argo CD lists them (no secrets in the real API).
fn repositories(s: &State) -> Reply {
    let mut repos: Vec<String> = s
        .apps
        .values()
        .filter_map(|r| {
            r.app["spec"]["source"]["repoURL"]
                .as_str()
                .or_else(|| r.app["spec"]["sources"][0]["repoURL"].as_str())
                .map(str::to_owned)
        })
        .collect();
    repos.sort();
    repos.dedup();
    let items: Vec<Value> = repos
        .iter()
        .take(50)
        .map(|repo| json!({"repo": repo, "type": "git", "connectionState": {"status": "Successful", "message": "", "attemptedAt": rfc3339(1_782_000_000)}}))
        .collect();
    json_reply(200, &json!({"metadata": {}, "items": items}))
}

/// The clusters Argo CD knows: in-cluster, and one it cannot reach.
fn cluster_items(s: &State) -> Vec<Value> {
    let apps = s.apps.len();
    let cluster = |name: &str,
                   server: &str,
                   labels: Value,
                   status: &str,
                   message: &str,
                   count: usize| {
        json!({
            "server": server, "name": name, "labels": labels, "config": {"tlsClientConfig": {"insecure": false}},
            "connectionState": {"status": status, "message": message, "attemptedAt": rfc3339(1_782_000_000)},
            "serverVersion": "1.31",
            "info": {"connectionState": {"status": status, "message": message, "attemptedAt": rfc3339(1_782_000_000)}, "serverVersion": "1.31", "cacheInfo": {"resourcesCount": 4210, "apisCount": 92, "lastCacheSyncTime": rfc3339(1_782_000_000)}, "applicationsCount": count}
        })
    };
    vec![
        cluster(
            "in-cluster",
            "https://kubernetes.default.svc",
            json!({"addons": "enabled", "env": "prod"}),
            "Successful",
            "",
            apps,
        ),
        cluster(
            "edge-eu",
            "https://edge-eu.example.com:6443",
            json!({"region": "eu"}),
            "Failed",
            "Unable to connect to cluster: the server has asked for the client to provide credentials",
            0,
        ),
    ]
}

fn clusters(s: &State) -> Reply {
    json_reply(200, &json!({"metadata": {}, "items": cluster_items(s)}))
}

/// A label selector requirement list, as k8s parses it (subset: =, ==, !=, in, notin, exists).
fn selector_matches(selector: &str, labels: &Value) -> Result<bool, String> {
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
        if !ok {
            return Ok(false);
        }
    }
    Ok(true)
}

fn set_values(set: &str) -> Result<Vec<&str>, String> {
    let inner = set
        .trim()
        .strip_prefix('(')
        .and_then(|s| s.strip_suffix(')'))
        .ok_or_else(|| format!("error parsing the selector: found '{set}', expected: '('"))?;
    Ok(inner.split(',').map(str::trim).collect())
}

/// Keeps only `paths` (dotted) of `object`.
fn project_fields(object: &Value, paths: &[&str]) -> Value {
    let mut out = json!({});
    for path in paths {
        let keys: Vec<&str> = path.split('.').collect();
        let mut source = object;
        let mut found = true;
        for key in &keys {
            match source.get(*key) {
                Some(v) => source = v,
                None => {
                    found = false;
                    break;
                }
            }
        }
        if !found {
            continue;
        }
        let mut target = &mut out;
        for key in &keys[..keys.len() - 1] {
            if target.get(*key).is_none() {
                target[*key] = json!({});
            }
            target = &mut target[*key];
        }
        target[keys[keys.len() - 1]] = source.clone();
    }
    out
}

fn list(s: &mut State, params: &Params, visible: &dyn Fn(&str, &str) -> bool) -> Reply {
    let legacy = params.all("project");
    let projects = if legacy.is_empty() {
        params.all("projects")
    } else {
        legacy
    };
    let selector = params.get("selector").filter(|s| !s.is_empty());
    let operation_time = s.operation_time;
    let mut items = Vec::new();
    for record in s.apps.values_mut() {
        advance(record, operation_time);
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
    let metadata = json!({"resourceVersion": "3999999"});
    let Some(fields) = params.get("fields").filter(|f| !f.is_empty()) else {
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
    let requested: Vec<&str> = fields.split(',').map(str::trim).collect();
    let exclude = requested.iter().all(|f| f.starts_with('-'));
    let kept: Vec<&str> = if exclude {
        let excluded: Vec<&str> = requested
            .iter()
            .map(|f| f.trim_start_matches("-items."))
            .collect();
        LIST_FIELDS
            .iter()
            .copied()
            .filter(|f| !excluded.contains(f))
            .collect()
    } else {
        requested
            .iter()
            .filter_map(|f| f.strip_prefix("items."))
            .filter(|f| LIST_FIELDS.contains(f))
            .collect()
    };
    let items: Vec<Value> = items.iter().map(|app| project_fields(app, &kept)).collect();
    let items = if items.is_empty() {
        Value::Null
    } else {
        json!(items)
    };
    json_reply(200, &json!({"items": items, "metadata": metadata}))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selectors_parse_like_kubernetes() {
        let labels = json!({"team": "payments", "env": "prod"});
        assert!(selector_matches("team=payments", &labels).unwrap());
        assert!(selector_matches("team=payments,env in (prod, dev)", &labels).unwrap());
        assert!(!selector_matches("env notin (prod)", &labels).unwrap());
        assert!(selector_matches("!missing,team", &labels).unwrap());
        assert!(selector_matches("team in prod", &labels).is_err());
    }

    #[test]
    fn fields_keep_only_the_paths_asked() {
        let app = json!({"metadata": {"name": "a", "uid": "x"}, "status": {"sync": {"status": "Synced", "revision": "r"}}});
        let kept = project_fields(&app, &["metadata.name", "status.sync.status"]);
        assert_eq!(
            kept,
            json!({"metadata": {"name": "a"}, "status": {"sync": {"status": "Synced"}}})
        );
    }

    #[test]
    fn percent_decoding() {
        assert_eq!(decode("a%20b%2Cc+d"), "a b,c d");
        assert_eq!(decode("100%"), "100%");
    }
}
