//! What an application holds: its resources (tree, live objects, actions), events, logs, links.

use serde_json::{Value, json};

use crate::standin::manifests;
use crate::standin::tree::{self, LogQuery};
use crate::standin::{AppRecord, State};

use super::*;

/// `GET …/links`: `application.links` with the app's values filled in (`{{.app.metadata.name}}`,
/// `{{.app.spec.project}}`); `{}` when none are configured (proto3 leaves an empty list out). The
/// app's namespace comes as `namespace` on this endpoint.
pub(super) fn links(s: &mut State, name: &str, params: &Params) -> Reply {
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

pub(super) fn events(s: &mut State, name: &str, params: &Params) -> Reply {
    let record = match find(s, name, params) {
        Ok(record) => record,
        Err(reply) => return reply,
    };
    let wanted = ["resourceName", "resourceNamespace", "resourceUID"]
        .map(|k| params.get(k).filter(|v| !v.is_empty()));
    match wanted {
        [None, None, None] => {
            let mut events = tree::events(name, None);
            if record.blueprint.credentials
                && let Some(items) = events["items"].as_array_mut()
            {
                items.push(crate::standin::credentials::event(name));
            }
            json_reply(200, &events)
        }
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

pub(super) fn logs(s: &mut State, name: &str, params: &Params, pod_in_path: Option<&str>) -> Reply {
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
    let mut body = tree::log_stream(&record.blueprint, &query);
    if !s.review_log_lines.is_empty() {
        let pod = query.pods[0].clone();
        let mut extra = String::new();
        for content in &s.review_log_lines {
            let line = json!({"result": {"content": content, "timeStamp": "2026-06-01T00:00:00Z", "last": false, "timeStampStr": "2026-06-01T00:00:00.000000001Z", "podName": pod}});
            extra.push_str(&line.to_string());
            extra.push('\n');
        }
        body = format!("{extra}{body}");
    }
    json_reply_raw(200, body)
}

/// The resource named by `resourceName`/`kind`/`version` (required, as proto2 says) in the tree.
pub(super) fn tree_resource<'a>(
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

/// A resource of an app's status, named as one object of the cluster.
pub(super) fn resource_key(resource: &Value) -> String {
    let part = |field: &str| resource[field].as_str().unwrap_or("").to_owned();
    [part("group"), part("kind"), part("namespace"), part("name")].join("/")
}

pub(super) fn live_resource(s: &mut State, name: &str, params: &Params) -> Reply {
    let planted = params
        .get("resourceName")
        .and_then(|n| s.review_live.get(n).cloned());
    match tree_resource(s, name, params) {
        Ok((record, resource)) => {
            let mut object = manifests::live(&record.blueprint, &resource);
            if let Some(uid) = record.recreated.get(&resource_key(&resource)) {
                object["metadata"]["uid"] = json!(uid);
            }
            if let Some(planted) = planted {
                object = planted;
            }
            manifests::mask_secret(&mut object);
            json_reply(200, &json!({"manifest": object.to_string()}))
        }
        Err(reply) => reply,
    }
}

pub(super) fn run_action(s: &mut State, name: &str, params: &Params, body: &[u8]) -> Reply {
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
