//! Request handling: auth, routing, and each endpoint's documented behaviour.
// Errors here are whole HTTP replies, sent as soon as they are made: boxing them buys nothing.
#![allow(clippy::result_large_err)]

mod applications;
mod fields;
mod platform;
mod resources;
mod session;
mod watch;

use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::{Request, Response};
use serde_json::{Value, json};

use crate::standin::appsets;
use crate::standin::faults::{self, AnswerBody, Dropped, Fault};
use crate::standin::rbac;
use crate::standin::{SeenRequest, State, StateGuard, full};

use applications::*;
pub use applications::{Timing, advance};
use fields::*;
use platform::*;
use resources::*;
use session::*;

type Reply = Response<Full<Bytes>>;

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

/// Where Argo CD serves the watch of applications (`ApplicationService.Watch`).
pub(crate) const WATCH_PATH: &str = "/api/v1/stream/applications";

/// Answers one request; `fault` is a stream fault the watch applies (see [`Fault::reaches_routes`]).
pub async fn serve(
    state: &Arc<Mutex<State>>,
    request: Request<Incoming>,
    fault: Option<Fault>,
) -> Result<Response<AnswerBody>, Dropped> {
    let (parts, body) = request.into_parts();
    let body = body
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    let delay = {
        let mut s = state.lock().unwrap_or_else(|e| e.into_inner());
        let seen = SeenRequest::new(&parts.method, &parts.uri, &parts.headers, &body);
        s.requests.push(seen);
        s.delay
    };
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    if parts.method == hyper::Method::GET && parts.uri.path() == WATCH_PATH {
        return watch::serve(state, &parts, fault).await;
    }
    Ok(respond(state, &parts, &body).map(faults::boxed))
}

/// The bearer token of a request, if it has one.
fn bearer(headers: &hyper::HeaderMap) -> Option<String> {
    headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|h| h.strip_prefix("Bearer "))
        .map(str::to_owned)
}

/// The app a request may change, by name: its path's, or the one a create names.
fn touched(method: &str, path: &str, body: &[u8]) -> Option<String> {
    match path
        .trim_start_matches('/')
        .split('/')
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["api", "v1", "applications", name, ..] => Some(decode(name)),
        ["api", "v1", "applications"] if method == "POST" => {
            let app: Value = serde_json::from_slice(body).ok()?;
            app["metadata"]["name"].as_str().map(str::to_owned)
        }
        _ => None,
    }
}

fn respond(state: &Arc<Mutex<State>>, parts: &hyper::http::request::Parts, body: &[u8]) -> Reply {
    let header = |name: &str| {
        parts
            .headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    // Whatever the answer, the changes it made to apps (and the controller's progress it let
    // happen) are published when it is done.
    let touched = touched(parts.method.as_str(), parts.uri.path(), body);
    let mut s = StateGuard::touching(state.lock().unwrap_or_else(|e| e.into_inner()), touched);
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
            body,
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
    let token = bearer(&parts.headers);
    match (method, path.as_str()) {
        ("POST", "/api/v1/session") => return login(&mut s, body),
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
    if let Some(denied) = enforce_rbac(&mut s, &caller, method, &segments, &params, body) {
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
        ("POST", ["api", "v1", "applications"]) => create(&mut s, &params, body),
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
            for set in s.appsets.clone() {
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
        ("POST", ["api", "v1", "applicationsets", "generate"]) => match parse_body(body) {
            Ok(request) => match appsets::generate(&request, &cluster_items(&s)) {
                Ok(answer) => json_reply(200, &answer),
                Err(message) => error(400, 3, &message),
            },
            Err(reply) => reply,
        },
        ("GET", ["api", "v1", "applicationsets", name]) => {
            let name = decode(name);
            match s
                .appsets
                .iter()
                .find(|s| s["metadata"]["name"] == name.as_str())
            {
                Some(set) => json_reply(200, set),
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
        (_, ["api", "v1", "applications"] | ["api", "v1", "stream", "applications"]) => {
            text_reply(405, "Method Not Allowed\n")
        }
        (_, ["api", "v1", "applications", name, rest @ ..]) => {
            let name = decode(name);
            app_route(&mut s, method, &name, rest, &params, body)
        }
        _ => text_reply(404, "Not Found\n"),
    }
}

fn json_reply_raw(status: u16, body: String) -> Reply {
    Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(full(body))
        .expect("valid response")
}

fn parse_body(body: &[u8]) -> Result<Value, Reply> {
    serde_json::from_slice::<Value>(body)
        .map_err(|e| error(400, 3, &format!("invalid character in request body: {e}")))
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
        // The whole selector is parsed, even past a requirement that does not match.
        assert!(selector_matches("team=web,team in prod", &labels).is_err());
    }

    #[test]
    fn percent_decoding() {
        assert_eq!(decode("a%20b%2Cc+d"), "a b,c d");
        assert_eq!(decode("100%"), "100%");
    }
}
