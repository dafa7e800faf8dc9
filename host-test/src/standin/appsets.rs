//! ApplicationSets (served over REST since v2.5): list, get, and dry-run generation from list and
//! cluster generators, which renders `{{key}}` / `{{.key}}` placeholders into Applications and
//! creates nothing. Other generators (git, SCM, pull request, matrix, merge) need outside systems
//! and are refused with a 400.

use serde_json::{Value, json};

use super::fleet::rfc3339;

/// The ApplicationSets every stand-in has.
pub fn all() -> Vec<Value> {
    let env_set = json!({
        "metadata": {"name": "guestbook-envs", "namespace": "argocd", "uid": "5b1b9c11-aaaa-4c6e-9f0e-5e1f6b2a0c01", "resourceVersion": "3900100", "creationTimestamp": rfc3339(1_780_000_000), "labels": {"team": "web"}},
        "spec": {
            "generators": [{"list": {"elements": [{"env": "dev"}, {"env": "staging"}, {"env": "prod"}]}}],
            "template": {
                "metadata": {"name": "guestbook-{{env}}"},
                "spec": {"project": "default", "source": {"repoURL": "https://git.example.com/platform/guestbook.git", "path": "envs/{{env}}", "targetRevision": "HEAD"}, "destination": {"server": "https://kubernetes.default.svc", "namespace": "guestbook-{{env}}"}}
            },
            "syncPolicy": {"preserveResourcesOnDeletion": true}
        },
        "status": {
            "conditions": [
                {"type": "ResourcesUpToDate", "message": "All applications have been generated successfully", "status": "True", "reason": "ApplicationSetUpToDate", "lastTransitionTime": rfc3339(1_782_000_000)}
            ],
            "resources": [
                {"group": "argoproj.io", "version": "v1alpha1", "kind": "Application", "namespace": "argocd", "name": "guestbook-dev", "status": "Synced", "health": {"status": "Healthy"}},
                {"group": "argoproj.io", "version": "v1alpha1", "kind": "Application", "namespace": "argocd", "name": "guestbook-staging", "status": "Synced", "health": {"status": "Healthy"}},
                {"group": "argoproj.io", "version": "v1alpha1", "kind": "Application", "namespace": "argocd", "name": "guestbook-prod", "status": "OutOfSync", "health": {"status": "Degraded"}}
            ],
            "resourcesCount": 3
        }
    });
    let cluster_set = json!({
        "metadata": {"name": "platform-addons", "namespace": "argocd", "uid": "5b1b9c11-bbbb-4c6e-9f0e-5e1f6b2a0c02", "resourceVersion": "3900101", "creationTimestamp": rfc3339(1_780_000_100), "labels": {"team": "platform"}},
        "spec": {
            "goTemplate": true,
            "generators": [{"clusters": {"selector": {"matchLabels": {"addons": "enabled"}}}}],
            "template": {
                "metadata": {"name": "addons-{{.name}}"},
                "spec": {"project": "platform", "source": {"repoURL": "https://git.example.com/platform/addons.git", "path": "addons", "targetRevision": "main"}, "destination": {"server": "{{.server}}", "namespace": "kube-addons"}}
            }
        },
        "status": {
            "conditions": [
                {"type": "ErrorOccurred", "message": "cluster edge-eu: Unable to connect to cluster", "status": "True", "reason": "ApplicationGenerationFromParamsError", "lastTransitionTime": rfc3339(1_782_000_000)}
            ],
            "resources": [
                {"group": "argoproj.io", "version": "v1alpha1", "kind": "Application", "namespace": "argocd", "name": "addons-in-cluster", "status": "Synced", "health": {"status": "Healthy"}}
            ],
            "resourcesCount": 1
        }
    });
    vec![env_set, cluster_set]
}

fn render(value: &Value, params: &Params, go_template: bool) -> Value {
    match value {
        Value::String(text) => {
            let mut out = text.clone();
            for (key, param) in params {
                let placeholder = if go_template {
                    format!("{{{{.{key}}}}}")
                } else {
                    format!("{{{{{key}}}}}")
                };
                out = out.replace(&placeholder, param.as_str().unwrap_or(""));
            }
            Value::String(out)
        }
        Value::Array(items) => Value::Array(
            items
                .iter()
                .map(|v| render(v, params, go_template))
                .collect(),
        ),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), render(v, params, go_template)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// `POST /api/v1/applicationsets/generate`: `{"applications": [...]}` or an error message.
/// `clusters` are the clusters Argo CD knows, for the cluster generator.
pub fn generate(request: &Value, clusters: &[Value]) -> Result<Value, String> {
    let set = request
        .get("applicationSet")
        .ok_or("applicationSet is required")?;
    let spec = &set["spec"];
    let go_template = spec["goTemplate"].as_bool().unwrap_or(false);
    let template = &spec["template"];
    if !template.is_object() {
        return Err("application set template is required".into());
    }
    let mut applications = Vec::new();
    for generator in spec["generators"]
        .as_array()
        .ok_or("at least one generator is required")?
    {
        for params in generator_params(generator, clusters)? {
            let mut app = render(template, &params, go_template);
            app["metadata"]["namespace"] =
                json!(set["metadata"]["namespace"].as_str().unwrap_or("argocd"));
            applications.push(app);
        }
    }
    Ok(json!({"applications": applications}))
}

type Params = serde_json::Map<String, Value>;

/// The parameter sets one generator yields.
fn generator_params(generator: &Value, clusters: &[Value]) -> Result<Vec<Params>, String> {
    if let Some(elements) = generator
        .pointer("/list/elements")
        .and_then(Value::as_array)
    {
        return Ok(elements
            .iter()
            .map(|e| e.as_object().cloned().unwrap_or_default())
            .collect());
    }
    if let Some(cluster_generator) = generator.get("clusters") {
        let wanted = cluster_generator
            .pointer("/selector/matchLabels")
            .and_then(Value::as_object);
        return Ok(clusters
            .iter()
            .filter(|cluster| {
                wanted.is_none_or(|wanted| {
                    wanted
                        .iter()
                        .all(|(key, value)| cluster["labels"].get(key) == Some(value))
                })
            })
            .map(cluster_params)
            .collect());
    }
    Err("this stand-in generates from list and cluster generators only".into())
}

/// What Argo CD's cluster generator offers a template: name, nameNormalized, server and
/// `metadata.labels.<key>`.
fn cluster_params(cluster: &Value) -> Params {
    let name = cluster["name"].as_str().unwrap_or_default();
    let mut params = Params::new();
    params.insert("name".into(), json!(name));
    params.insert(
        "nameNormalized".into(),
        json!(name.to_lowercase().replace(['_', ' '], "-")),
    );
    params.insert("server".into(), cluster["server"].clone());
    if let Some(labels) = cluster["labels"].as_object() {
        for (key, value) in labels {
            params.insert(format!("metadata.labels.{key}"), value.clone());
        }
    }
    params
}
