//! Credentials in every place Argo CD can hold them, for the tests that prove none reaches an
//! answer (`Config::seed_credentials`). Argo CD keeps what people write: repository URLs with
//! `user:token@` (app sources, multi-source `sources`, the copies in `status.sync.comparedTo`,
//! `history` and `operationState.syncResult`, ApplicationSet templates and generators, project
//! `sourceRepos`), and quotes them back in conditions, operation messages, events and errors
//! (git's "authentication required" names the URL it fetched). Helm `values` (YAML text with
//! continued scalars and explicit keys), `valuesObject`, `parameters`, plugin `env` and `map`
//! parameters of an Application, and an ApplicationSet's `list` elements and `clusters` values,
//! travel whole wherever the object is read as a Kubernetes object (app-of-apps). Pods log
//! credentials in every shape applications write them ([`log_lines`]). Every field used here is
//! in the v3.5.1 swagger.
//!
//! Every seeded secret contains [`MARK`], so a test can look for that one string in everything
//! it was answered; [`SECRETS`] lists them all, with the Secret data Argo CD itself masks.

use serde_json::{Value, json};

use super::fleet::{Blueprint, rfc3339};

/// In every seeded secret, and nowhere else.
pub const MARK: &str = "S33D";

pub const REPO_TOKEN: &str = "ghp_S33D-repo-token";
pub const CHART_PASSWORD: &str = "S33D-chart-pw";
pub const VALUES_PASSWORD: &str = "S33D-values-pw";
pub const VALUES_API_KEY: &str = "S33D-values-api-key";
pub const VALUES_OBJECT_TOKEN: &str = "S33D-values-object-token";
pub const PARAMETER_PASSWORD: &str = "S33D-param-pw";
pub const PLUGIN_ENV_TOKEN: &str = "S33D-plugin-env-token";
pub const CONDITION_TOKEN: &str = "S33D-condition-token";
pub const OPERATION_TOKEN: &str = "S33D-operation-token";
pub const EVENT_TOKEN: &str = "S33D-event-token";
pub const ERROR_TOKEN: &str = "S33D-error-token";
pub const LOG_PASSWORD: &str = "S33D-log-pw";
/// In a JSON log line: slashes escaped, an escaped `&` inside the password.
pub const LOG_JSON_PASSWORD: &str = "S33D-log-json-pw";
pub const LOG_QUERY_TOKEN: &str = "S33D-log-query-token";
pub const LOG_BEARER_TOKEN: &str = "S33D-log-bearer.token";
/// A password with an unencoded `/` after it.
pub const LOG_SLASH_PASSWORD: &str = "S33D-log-slash-pw";
/// In a URL percent-encoded inside another URL.
pub const LOG_ENCODED_PASSWORD: &str = "S33D-log-encoded-pw";
pub const VALUES_PASSPHRASE: &str = "S33D-values-passphrase";
/// The second line of a plain scalar continued under `password:`.
pub const VALUES_CONTINUED: &str = "S33D-values-continued";
/// The value of an explicit key (`? apiToken` then `: value`).
pub const VALUES_EXPLICIT: &str = "S33D-values-explicit";
pub const PLUGIN_MAP_PASSWORD: &str = "S33D-plugin-map-pw";
pub const APPSET_ELEMENT_PASSWORD: &str = "S33D-appset-element-pw";
pub const APPSET_CLUSTER_TOKEN: &str = "S33D-appset-cluster-token";
pub const APPSET_TEMPLATE_TOKEN: &str = "S33D-appset-template-token";
/// A token as the user name alone (`https://TOKEN@github.com/…`), as GitHub accepts it.
pub const APPSET_GENERATOR_TOKEN: &str = "ghp_S33D-appset-generator-token";
pub const APPSET_CONDITION_TOKEN: &str = "S33D-appset-condition-token";
pub const PROJECT_REPO_TOKEN: &str = "S33D-project-repo-token";
/// A container's `env` value under a credential's name (`DB_PASSWORD`).
pub const WORKLOAD_ENV_PASSWORD: &str = "S33D-workload-env-pw";
/// A ConfigMap entry under a credential's name, and a password in a config file it holds.
pub const CONFIG_MAP_PASSWORD: &str = "S33D-configmap-pw";
pub const CONFIG_FILE_PASSWORD: &str = "S33D-config-file-pw";
/// In a condition quoting a Helm command: a flag's argument.
pub const CONDITION_FLAG_PASSWORD: &str = "S33D-condition-flag-pw";
/// In log lines: a YAML-style `KEY: value` and an scp-like address with a password.
pub const LOG_YAML_PASSWORD: &str = "S33D-log-yaml-pw";
pub const LOG_SCP_PASSWORD: &str = "S33D-log-scp-pw";
/// The generated Secret's data (`manifests::desired`), base64 and plain.
pub const SECRET_DATA: [&str; 3] = [
    "c3VwZXItc2VjcmV0LWRiLXBhc3N3b3Jk",
    "super-secret-db-password",
    "YWJjZGVmMTIzNDU2",
];

/// Every secret the seeded stand-in holds.
pub const SECRETS: [&str; 37] = [
    REPO_TOKEN,
    CHART_PASSWORD,
    VALUES_PASSWORD,
    VALUES_API_KEY,
    VALUES_OBJECT_TOKEN,
    PARAMETER_PASSWORD,
    PLUGIN_ENV_TOKEN,
    CONDITION_TOKEN,
    OPERATION_TOKEN,
    EVENT_TOKEN,
    ERROR_TOKEN,
    LOG_PASSWORD,
    LOG_JSON_PASSWORD,
    LOG_QUERY_TOKEN,
    LOG_BEARER_TOKEN,
    LOG_SLASH_PASSWORD,
    LOG_ENCODED_PASSWORD,
    VALUES_PASSPHRASE,
    VALUES_CONTINUED,
    VALUES_EXPLICIT,
    PLUGIN_MAP_PASSWORD,
    APPSET_ELEMENT_PASSWORD,
    APPSET_CLUSTER_TOKEN,
    APPSET_TEMPLATE_TOKEN,
    APPSET_GENERATOR_TOKEN,
    APPSET_CONDITION_TOKEN,
    PROJECT_REPO_TOKEN,
    WORKLOAD_ENV_PASSWORD,
    CONFIG_MAP_PASSWORD,
    CONFIG_FILE_PASSWORD,
    CONDITION_FLAG_PASSWORD,
    LOG_YAML_PASSWORD,
    LOG_SCP_PASSWORD,
    SECRET_DATA[0],
    SECRET_DATA[1],
    SECRET_DATA[2],
    "deploybot:",
];

/// The seeded apps: one single-source Helm app, one multi-source app (Helm values from git,
/// a config-management plugin), both app-of-apps holding a child Application and ApplicationSet.
pub fn blueprints() -> Vec<Blueprint> {
    let mut single = Blueprint::new("vault-app");
    single.credentials = true;
    single.health = "Degraded".into();
    single.sync = "OutOfSync".into();
    single.last_operation = Some("Failed".into());
    let mut multi = Blueprint::new("vault-multi");
    multi.credentials = true;
    multi.multi_source = true;
    vec![single, multi]
}

/// A source of a seeded app: repository URLs with credentials, Helm with them in values and
/// parameters (source 0), a plugin with one in its environment (source 1).
pub fn source(name: &str, index: usize) -> Value {
    if index == 0 {
        json!({
            "repoURL": format!("https://deploybot:{REPO_TOKEN}@git.example.com/platform/{name}.git"),
            "path": format!("deploy/{name}"),
            "targetRevision": "HEAD",
            "helm": helm()
        })
    } else {
        json!({
            "repoURL": format!("https://charts:{CHART_PASSWORD}@git.example.com/platform/{name}-values.git"),
            "path": format!("deploy/{name}"),
            "targetRevision": "HEAD",
            "plugin": {"name": "vault-injector", "env": [
                {"name": "VAULT_ADDR", "value": "https://vault.example.com"},
                {"name": "VAULT_TOKEN", "value": PLUGIN_ENV_TOKEN}
            ], "parameters": [
                {"name": "values", "map": {"db.password": PLUGIN_MAP_PASSWORD, "replicas": "2"}}
            ]}
        })
    }
}

fn helm() -> Value {
    json!({
        "parameters": [
            {"name": "image.tag", "value": "v1.4.2"},
            {"name": "postgresql.auth.password", "value": PARAMETER_PASSWORD, "forceString": true}
        ],
        "values": format!("replicaCount: 2\npostgresql:\n  auth:\n    username: app\n    password: {VALUES_PASSWORD}\nexternalApi:\n  apiKey: \"{VALUES_API_KEY}\"\nsigning:\n  passphrase: {VALUES_PASSPHRASE}\nsmtp:\n  password: first-line\n    {VALUES_CONTINUED}\n? apiToken\n: {VALUES_EXPLICIT}\n"),
        "valuesObject": {"ingress": {"enabled": true}, "github": {"token": VALUES_OBJECT_TOKEN}}
    })
}

/// What `status.conditions` holds while git refuses the credentials, and while a chart
/// repository refuses them (the error quotes the Helm command).
pub fn conditions() -> Value {
    json!([{
        "type": "ComparisonError",
        "message": format!("Failed to load target state: failed to generate manifest for source 1 of 1: rpc error: code = Unknown desc = failed to list refs: authentication required: repository 'https://deploybot:{CONDITION_TOKEN}@git.example.com/platform/vault-app.git' not accessible"),
        "lastTransitionTime": rfc3339(1_782_000_000)
    }, {
        "type": "ComparisonError",
        "message": format!("rpc error: code = Unknown desc = `helm repo add charts https://charts.example.com --username deploy --password {CONDITION_FLAG_PASSWORD}` failed exit status 1: Error: looks like \"https://charts.example.com\" is not a valid chart repository"),
        "lastTransitionTime": rfc3339(1_782_000_000)
    }])
}

/// What a seeded app's workloads hold that a name marks as a credential: a container's env
/// value and a ConfigMap's entry, and a config file with a password in it. Argo CD shows them as
/// they are (it only hides Secret data).
pub fn workload_config(kind: &str) -> Option<Value> {
    match kind {
        "Deployment" => Some(json!([
            {"name": "LOG_LEVEL", "value": "info"},
            {"name": "DB_PASSWORD", "value": WORKLOAD_ENV_PASSWORD}
        ])),
        "ConfigMap" => Some(json!({
            "SMTP_PASSWORD": CONFIG_MAP_PASSWORD,
            "application.yaml": format!("spring:\n  datasource:\n    url: jdbc:postgresql://db:5432/app\n    password: {CONFIG_FILE_PASSWORD}\n")
        })),
        _ => None,
    }
}

/// The message of a failed operation, naming the repository it could not fetch.
pub fn operation_message(name: &str) -> String {
    format!(
        "ComparisonError: Failed to load target state: rpc error: code = Unknown desc = authentication required for https://deploybot:{OPERATION_TOKEN}@git.example.com/platform/{name}.git"
    )
}

/// Argo CD's own Warning event while it cannot fetch the repository.
pub fn event(app: &str) -> Value {
    json!({
        "metadata": {"name": format!("{app}.17f00aa"), "namespace": "argocd", "uid": "0c3c5b37-9f51-4d8a-a6a4-4be0d1f0e7aa", "resourceVersion": "4000100", "creationTimestamp": rfc3339(1_782_000_400)},
        "involvedObject": {"kind": "Application", "namespace": "argocd", "name": app, "apiVersion": "argoproj.io/v1alpha1", "resourceVersion": "3924501"},
        "reason": "ComparisonError",
        "message": format!("Unable to fetch https://deploybot:{EVENT_TOKEN}@git.example.com/platform/{app}.git: authentication required"),
        "source": {"component": "argocd-application-controller"},
        "firstTimestamp": rfc3339(1_782_000_400),
        "lastTimestamp": rfc3339(1_782_000_430),
        "count": 3,
        "type": "Warning",
        "eventTime": null,
        "reportingComponent": "",
        "reportingInstance": ""
    })
}

/// The repo-server's error for a revision git cannot resolve, quoting the URL it fetched.
pub fn revision_error(name: &str, revision: &str) -> String {
    format!(
        "rpc error: code = Unknown desc = unable to resolve git revision {revision}: failed to list refs: authentication required: https://deploybot:{ERROR_TOKEN}@git.example.com/platform/{name}.git"
    )
}

/// Log lines of a seeded app's pods, with credentials as applications log them: a connection
/// string, a JSON line (escaped slashes, an escaped `&` in the password), a query-string token
/// and an Authorization header, a password with an unencoded `/`, a URL percent-encoded in
/// another, a YAML-style `KEY: value` and an scp-like address with a password.
pub fn log_lines(pod: &str) -> Vec<String> {
    vec![
        format!(
            "level=info msg=\"connecting\" dsn=postgres://app:{LOG_PASSWORD}@db.internal:5432/app pod={pod}"
        ),
        format!(
            r#"{{"level":"error","msg":"clone failed","repo":"https:\/\/deploybot:{LOG_JSON_PASSWORD}\u0026x@json-log.example.com\/platform\/a.git","pod":"{pod}"}}"#
        ),
        format!(
            "level=warn msg=\"upstream refused\" url=\"https://api.example.com/v1/charts?page=2&access_token={LOG_QUERY_TOKEN}\" header=\"Authorization: Bearer {LOG_BEARER_TOKEN}\" pod={pod}"
        ),
        format!(
            "level=info msg=\"mirroring\" from=https://mirror:{LOG_SLASH_PASSWORD}/x@mirror.example.com/charts pod={pod}"
        ),
        format!(
            "level=info msg=\"redirect\" location=https://sso.example.com/login?next=https%3A%2F%2Fci%3A{LOG_ENCODED_PASSWORD}%40ci.example.com%2Fjob pod={pod}"
        ),
        format!("config loaded: DB_PASSWORD: {LOG_YAML_PASSWORD} pod={pod}"),
        format!(
            "mirror deploy:{LOG_SCP_PASSWORD}@git.example.com:platform/charts.git up to date pod={pod}"
        ),
    ]
}

/// `sourceRepos` of the seeded apps' project.
pub fn project_repo() -> String {
    format!("https://ci:{PROJECT_REPO_TOKEN}@git.example.com/platform/*")
}

/// The resources a seeded app deploys besides its own: the child Application and
/// ApplicationSet of an app-of-apps, as `status.resources[]` lists them.
pub fn child_resources(bp: &Blueprint) -> Vec<Value> {
    ["Application", "ApplicationSet"]
        .iter()
        .map(|kind| {
            json!({"group": "argoproj.io", "version": "v1alpha1", "kind": kind, "namespace": "argocd",
                   "name": format!("{}-child", bp.name), "status": "Synced"})
        })
        .collect()
}

/// The child Application or ApplicationSet as git holds it (and, with status, as it lives).
pub fn child_object(bp: &Blueprint, kind: &str, live: bool) -> Value {
    let name = format!("{}-child", bp.name);
    let spec = json!({
        "project": "default",
        "source": source(&name, 0),
        "sources": [source(&name, 0), source(&name, 1)],
        "destination": {"server": "https://kubernetes.default.svc", "namespace": name}
    });
    let mut object = if kind == "ApplicationSet" {
        json!({
            "apiVersion": "argoproj.io/v1alpha1", "kind": "ApplicationSet",
            "metadata": {"name": name, "namespace": "argocd"},
            "spec": {
                "generators": [
                    {"git": {"repoURL": format!("https://{APPSET_GENERATOR_TOKEN}@github.com/platform/envs.git"), "revision": "HEAD", "directories": [{"path": "envs/*"}]}},
                    {"list": {"elements": [{"env": "dev", "dbPassword": APPSET_ELEMENT_PASSWORD}]}},
                    {"clusters": {"selector": {}, "values": {"region": "eu", "vaultToken": APPSET_CLUSTER_TOKEN}}}
                ],
                "template": {"metadata": {"name": "{{path.basename}}"}, "spec": spec}
            }
        })
    } else {
        json!({
            "apiVersion": "argoproj.io/v1alpha1", "kind": "Application",
            "metadata": {"name": name, "namespace": "argocd"},
            "spec": spec
        })
    };
    if live {
        // kubectl's client-side apply keeps the whole object again in an annotation.
        let applied = object.to_string();
        object["metadata"]["annotations"] =
            json!({"kubectl.kubernetes.io/last-applied-configuration": applied});
        if kind == "Application" {
            object["status"] = json!({
                "sync": {"status": "Synced", "comparedTo": {"source": source(&name, 0), "destination": spec["destination"]}},
                "history": [{"revision": "0123456789abcdef0123456789abcdef01234567", "deployedAt": rfc3339(1_782_000_000), "id": 0, "source": source(&name, 0)}],
                "conditions": conditions()
            });
        }
    }
    object
}

/// A seeded ApplicationSet: credentials in its template, its generator and a condition.
pub fn applicationset() -> Value {
    json!({
        "metadata": {"name": "vault-envs", "namespace": "argocd", "uid": "5b1b9c11-cccc-4c6e-9f0e-5e1f6b2a0c03", "resourceVersion": "3900102", "creationTimestamp": rfc3339(1_780_000_200), "labels": {"team": "security"}},
        "spec": {
            "generators": [
                {"git": {"repoURL": format!("https://{APPSET_GENERATOR_TOKEN}@github.com/platform/envs.git"), "revision": "HEAD", "directories": [{"path": "envs/*"}]}},
                {"list": {"elements": [{"env": "dev"}]}}
            ],
            "template": {
                "metadata": {"name": "vault-{{env}}"},
                "spec": {"project": "default",
                         "source": {"repoURL": format!("https://deploybot:{APPSET_TEMPLATE_TOKEN}@git.example.com/platform/vault.git"), "path": "envs/{{env}}", "targetRevision": "HEAD", "helm": helm()},
                         "destination": {"server": "https://kubernetes.default.svc", "namespace": "vault-{{env}}"}}
            }
        },
        "status": {
            "conditions": [
                {"type": "ErrorOccurred", "message": format!("failed to get params for first generator in matrix generator: error getting directories from repo: authentication required: https://deploybot:{APPSET_CONDITION_TOKEN}@github.com/platform/envs.git"), "status": "True", "reason": "ApplicationGenerationFromParamsError", "lastTransitionTime": rfc3339(1_782_000_000)}
            ],
            "resources": [
                {"group": "argoproj.io", "version": "v1alpha1", "kind": "Application", "namespace": "argocd", "name": "vault-dev", "status": "Synced", "health": {"status": "Healthy"}}
            ],
            "resourcesCount": 1
        }
    })
}
