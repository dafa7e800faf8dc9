//! ApplicationSets (served over REST since v2.5): list, get, and dry-run generation of the list
//! generator, which renders `{{key}}` / `{{.key}}` placeholders into Applications and creates nothing.

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

fn render(value: &Value, params: &serde_json::Map<String, Value>, go_template: bool) -> Value {
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
pub fn generate(request: &Value) -> Result<Value, String> {
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
        let Some(elements) = generator
            .pointer("/list/elements")
            .and_then(Value::as_array)
        else {
            return Err("this stand-in generates from list generators only".into());
        };
        for element in elements {
            let params = element.as_object().cloned().unwrap_or_default();
            let mut app = render(template, &params, go_template);
            app["metadata"]["namespace"] =
                json!(set["metadata"]["namespace"].as_str().unwrap_or("argocd"));
            applications.push(app);
        }
    }
    Ok(json!({"applications": applications}))
}
