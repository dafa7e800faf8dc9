//! `deploy/` (SpinKube): the SpinApp binds exactly the variables `spin.toml` declares, secrets only
//! from the Secret, the shared store is Redis reached through the Service deployed beside it with
//! the password Redis requires, NetworkPolicies admit only the SpinApp's pods to Redis, Argo CD's
//! certificate is checked against the CA mounted from a ConfigMap, and the Argo CD Application
//! deploys the folder without the examples. With the SpinApp CRD at
//! hand (`SPINAPP_CRD=…/core.spinkube.dev_spinapps.yaml` from spinkube/spin-operator), the SpinApp
//! is also checked against its schema, unknown fields included (Kubernetes would drop them
//! silently).

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

const DEPLOY: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../deploy");

/// Every document of every YAML file in `deploy/`, by kind and name.
fn documents() -> BTreeMap<(String, String), (String, Value)> {
    let mut all = BTreeMap::new();
    for entry in std::fs::read_dir(DEPLOY).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("yaml") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let file = path.file_name().unwrap().to_string_lossy().into_owned();
        for document in serde_yaml::Deserializer::from_str(&text) {
            let value: Value =
                serde::Deserialize::deserialize(document).unwrap_or_else(|e| panic!("{file}: {e}"));
            let kind = value["kind"]
                .as_str()
                .unwrap_or_else(|| panic!("{file}: no kind"))
                .to_owned();
            let name = value["metadata"]["name"].as_str().unwrap().to_owned();
            all.insert((kind, name), (file.clone(), value));
        }
    }
    all
}

fn one<'a>(docs: &'a BTreeMap<(String, String), (String, Value)>, kind: &str) -> &'a Value {
    let found: Vec<_> = docs.iter().filter(|((k, _), _)| k == kind).collect();
    assert_eq!(found.len(), 1, "one {kind} in deploy/");
    &found[0].1.1
}

fn spin_variables() -> toml::Table {
    let text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../spin.toml")).unwrap();
    let manifest: toml::Table = toml::from_str(&text).unwrap();
    manifest["variables"].as_table().unwrap().clone()
}

#[test]
fn the_spinkube_manifests_agree_with_spin_toml_and_with_each_other() {
    let docs = documents();
    let app = one(&docs, "SpinApp");
    let secret = one(&docs, "Secret");
    let declared = spin_variables();
    assert_eq!(app["spec"]["executor"], "containerd-shim-spin");
    assert!(
        app["spec"]["replicas"].as_u64().unwrap() >= 2,
        "several replicas share the store"
    );

    let bound: Vec<&Value> = app["spec"]["variables"]
        .as_array()
        .unwrap()
        .iter()
        .collect();
    let names: BTreeSet<&str> = bound.iter().map(|v| v["name"].as_str().unwrap()).collect();
    assert_eq!(names.len(), bound.len(), "a variable bound twice");
    for name in &names {
        assert!(
            declared.contains_key(*name),
            "{name} is not a variable of spin.toml"
        );
    }
    for (name, declaration) in &declared {
        if declaration.get("required").and_then(toml::Value::as_bool) == Some(true) {
            assert!(
                names.contains(name.as_str()),
                "required {name} is not bound"
            );
        }
    }
    // Secrets come from the Secret, under keys it has; never as literal values here.
    let secret_keys: BTreeSet<&str> = secret["stringData"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    for variable in &bound {
        let name = variable["name"].as_str().unwrap();
        let is_secret = declared[name].get("secret").and_then(toml::Value::as_bool) == Some(true);
        let reference = &variable["valueFrom"]["secretKeyRef"];
        if is_secret {
            assert!(
                variable.get("value").is_none(),
                "secret {name} given as a literal"
            );
            assert_eq!(reference["name"], secret["metadata"]["name"], "{name}");
            assert!(
                secret_keys.contains(reference["key"].as_str().unwrap()),
                "{name}"
            );
        }
    }
    // The store key is bound from the Secret (the loop above checks how): Redis never holds it.
    assert!(names.contains("store_key"), "store_key is bound");
    // The Host allow-list names the Service the operator makes (the SpinApp's name).
    let allowed_hosts = bound
        .iter()
        .find(|v| v["name"] == "allowed_hosts")
        .and_then(|v| v["value"].as_str())
        .expect("allowed_hosts is bound");
    let service_name = app["metadata"]["name"].as_str().unwrap();
    let namespace = app["metadata"]["namespace"].as_str().unwrap();
    for host in [
        service_name.to_string(),
        format!("{service_name}.{namespace}.svc.cluster.local"),
    ] {
        assert!(
            allowed_hosts.split(',').any(|h| h == host),
            "{host} not in allowed_hosts"
        );
    }

    // Probes reach pods by address: the Host they send must be one the server answers to.
    let probe_hosts: Vec<&str> = ["readiness", "liveness"]
        .iter()
        .filter_map(|check| app["spec"]["checks"][check]["httpGet"]["httpHeaders"].as_array())
        .flatten()
        .filter(|h| {
            h["name"]
                .as_str()
                .is_some_and(|n| n.eq_ignore_ascii_case("host"))
        })
        .filter_map(|h| h["value"].as_str())
        .collect();
    assert!(!probe_hosts.is_empty(), "the probe names a Host");
    for host in probe_hosts {
        assert!(
            allowed_hosts.split(',').any(|h| h == host),
            "probe Host {host} not allowed"
        );
    }

    // Spin's runtime config is the Secret's `runtime-config.toml`, whole (spin-operator ignores
    // the other runtimeConfig fields beside loadFromSecret).
    assert_eq!(
        app["spec"]["runtimeConfig"]["loadFromSecret"],
        secret["metadata"]["name"]
    );
    assert_eq!(
        app["spec"]["runtimeConfig"].as_object().unwrap().len(),
        1,
        "loadFromSecret alone"
    );
    let runtime: toml::Table = toml::from_str(
        secret["stringData"]["runtime-config.toml"]
            .as_str()
            .expect("the Secret holds runtime-config.toml"),
    )
    .expect("runtime-config.toml is TOML");
    check_store_and_redis(&docs, secret, &runtime);
    check_network_policies(&docs, app);
    check_argocd_ca(&docs, app, &runtime, &bound);

    // Argo CD deploys this folder, into the SpinApp's namespace, without the example Secret.
    let application = one(&docs, "Application");
    let source = &application["spec"]["source"];
    assert_eq!(source["path"], "deploy");
    let excluded = source["directory"]["exclude"].as_str().unwrap();
    for (file, _) in docs
        .values()
        .filter(|(_, d)| file_is_example_or_application(d))
    {
        assert!(excluded.contains(file.as_str()), "{file} is not excluded");
    }
    assert_eq!(application["spec"]["destination"]["namespace"], namespace);
    for (file, doc) in docs.values() {
        if doc["kind"] != "Application" {
            assert_eq!(doc["metadata"]["namespace"], namespace, "{file}");
        }
    }
}

/// What Argo CD must not deploy: the examples people fill in by hand, and the Application.
fn file_is_example_or_application(document: &Value) -> bool {
    matches!(
        document["kind"].as_str(),
        Some("Secret" | "ConfigMap" | "Application")
    )
}

/// The `default` store is Redis, reached through the Service beside it with the password the
/// Redis Deployment requires, both from the Secret.
fn check_store_and_redis(
    docs: &BTreeMap<(String, String), (String, Value)>,
    secret: &Value,
    runtime: &toml::Table,
) {
    let store = &runtime["key_value_store"]["default"];
    assert_eq!(store["type"].as_str(), Some("redis"));
    let url = store["url"].as_str().unwrap();
    let password = secret["stringData"]["redis-password"]
        .as_str()
        .expect("the Secret holds redis-password");
    let service = one(docs, "Service");
    let port = service["spec"]["ports"][0]["port"].as_u64().unwrap();
    let service_host = service["metadata"]["name"].as_str().unwrap();
    assert_eq!(
        url,
        format!("redis://:{password}@{service_host}:{port}"),
        "the store URL carries the Redis password"
    );
    let redis = one(docs, "Deployment");
    assert_eq!(
        redis["spec"]["template"]["metadata"]["labels"],
        service["spec"]["selector"]
    );
    let container = &redis["spec"]["template"]["spec"]["containers"][0];
    let args: Vec<&str> = container["args"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap())
        .collect();
    let at = args
        .iter()
        .position(|a| *a == "--requirepass")
        .expect("Redis requires a password");
    let variable = args[at + 1]
        .strip_prefix("$(")
        .and_then(|a| a.strip_suffix(')'))
        .expect("the password comes from the environment, not this file");
    let env = container["env"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["name"] == variable)
        .unwrap_or_else(|| panic!("{variable} is not set"));
    let reference = &env["valueFrom"]["secretKeyRef"];
    assert_eq!(reference["name"], secret["metadata"]["name"]);
    assert_eq!(reference["key"], "redis-password");
}

/// Only the SpinApp's pods reach Redis (on its port); the SpinApp's pods take connections on
/// Spin's port only, from namespaces marked as clients.
fn check_network_policies(docs: &BTreeMap<(String, String), (String, Value)>, app: &Value) {
    let policies: Vec<&Value> = docs
        .values()
        .map(|(_, d)| d)
        .filter(|d| d["kind"] == "NetworkPolicy")
        .collect();
    let spin_pods = serde_json::json!({"core.spinkube.dev/app-name": app["metadata"]["name"]});
    let redis_pods = &one(docs, "Deployment")["spec"]["template"]["metadata"]["labels"];
    let guarding = |pods: &Value| {
        policies
            .iter()
            .find(|p| p["spec"]["podSelector"]["matchLabels"] == *pods)
            .unwrap_or_else(|| panic!("no NetworkPolicy selects the pods {pods}"))
    };
    let redis = guarding(redis_pods);
    assert!(
        redis["spec"]["policyTypes"]
            .as_array()
            .unwrap()
            .contains(&"Ingress".into())
    );
    let service = one(docs, "Service");
    for rule in redis["spec"]["ingress"].as_array().unwrap() {
        for peer in rule["from"].as_array().expect("every rule names who") {
            assert_eq!(
                peer.as_object().unwrap().keys().collect::<Vec<_>>(),
                ["podSelector"],
                "only pods of this namespace: {peer}"
            );
            assert_eq!(peer["podSelector"]["matchLabels"], spin_pods, "{peer}");
        }
        for port in rule["ports"].as_array().expect("every rule names ports") {
            assert_eq!(port["port"], service["spec"]["ports"][0]["targetPort"]);
        }
    }
    let spin = guarding(&spin_pods);
    for rule in spin["spec"]["ingress"].as_array().unwrap() {
        assert!(rule["from"].is_array(), "a rule open to everyone: {rule}");
        for port in rule["ports"].as_array().unwrap() {
            assert_eq!(port["port"], 80, "Spin's port only");
        }
    }
}

/// Argo CD's certificate is checked against the CA mounted from the ConfigMap, for the host of
/// `argocd_url`, by the component spin.toml names; never an insecure switch.
fn check_argocd_ca(
    docs: &BTreeMap<(String, String), (String, Value)>,
    app: &Value,
    runtime: &toml::Table,
    bound: &[&Value],
) {
    let argocd_url = bound
        .iter()
        .find(|v| v["name"] == "argocd_url")
        .and_then(|v| v["value"].as_str())
        .expect("argocd_url is bound");
    let host = argocd_url
        .strip_prefix("https://")
        .expect("Argo CD is reached over TLS")
        .split(['/', ':'])
        .next()
        .unwrap();
    let manifest: toml::Table = toml::from_str(
        &std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../spin.toml")).unwrap(),
    )
    .unwrap();
    let component = manifest["component"]
        .as_table()
        .unwrap()
        .keys()
        .next()
        .unwrap()
        .clone();
    let tls = runtime["client_tls"]
        .as_array()
        .expect("a [[client_tls]] section")
        .iter()
        .find(|t| {
            t["hosts"]
                .as_array()
                .is_some_and(|h| h.iter().any(|h| h.as_str() == Some(host)))
        })
        .unwrap_or_else(|| panic!("no [[client_tls]] for {host}"));
    assert!(
        tls["component_ids"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c.as_str() == Some(component.as_str())),
        "[[client_tls]] is for component {component}"
    );
    assert_ne!(
        tls.get("ca_use_webpki_roots")
            .and_then(toml::Value::as_bool),
        Some(true),
        "only the CA is trusted for Argo CD"
    );
    let roots = std::path::Path::new(tls["ca_roots_file"].as_str().expect("ca_roots_file"));
    let mount = app["spec"]["volumeMounts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| roots.starts_with(m["mountPath"].as_str().unwrap()))
        .unwrap_or_else(|| panic!("nothing is mounted where {roots:?} is"));
    let volume = app["spec"]["volumes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["name"] == mount["name"])
        .expect("the mount's volume");
    let config_map = one(docs, "ConfigMap");
    assert_eq!(volume["configMap"]["name"], config_map["metadata"]["name"]);
    let file = roots.file_name().unwrap().to_str().unwrap();
    assert!(
        config_map["data"][file]
            .as_str()
            .is_some_and(|pem| pem.contains("BEGIN CERTIFICATE")),
        "the ConfigMap holds {file}"
    );
    let everything = docs
        .values()
        .map(|(_, d)| d.to_string())
        .collect::<String>()
        .to_ascii_lowercase();
    assert!(
        !everything.contains("insecure"),
        "no insecure switch in deploy/"
    );
}

/// A Kubernetes structural schema, strictly: types, `required`, and no field it does not know
/// (the API server would prune those, so a misspelt field is lost without a word).
fn fits(schema: &Value, value: &Value, at: &str) -> Result<(), String> {
    if schema.get("x-kubernetes-int-or-string") == Some(&Value::Bool(true)) {
        return match value {
            Value::String(_) | Value::Number(_) => Ok(()),
            _ => Err(format!("{at}: {value} is neither integer nor string")),
        };
    }
    let fits_type = match schema.get("type").and_then(Value::as_str) {
        None => true,
        Some("object") => value.is_object(),
        Some("array") => value.is_array(),
        Some("string") => value.is_string(),
        Some("integer") => value.is_i64() || value.is_u64(),
        Some("number") => value.is_number(),
        Some("boolean") => value.is_boolean(),
        Some(other) => return Err(format!("{at}: schema type {other} not understood")),
    };
    if !fits_type {
        return Err(format!("{at}: {value} is not {}", schema["type"]));
    }
    if let Value::Object(fields) = value {
        for required in schema
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let name = required.as_str().unwrap();
            if !fields.contains_key(name) {
                return Err(format!("{at}: required {name} is missing"));
            }
        }
        let open = schema.get("x-kubernetes-preserve-unknown-fields") == Some(&Value::Bool(true));
        for (key, inner) in fields {
            match (
                schema.get("properties").and_then(|p| p.get(key)),
                schema.get("additionalProperties"),
            ) {
                (Some(field), _) => fits(field, inner, &format!("{at}.{key}"))?,
                (None, Some(extra @ Value::Object(_))) => {
                    fits(extra, inner, &format!("{at}.{key}"))?
                }
                (None, _) if open => {}
                (None, _) => {
                    return Err(format!(
                        "{at}: unknown field {key} (Kubernetes would drop it)"
                    ));
                }
            }
        }
    }
    if let (Value::Array(items), Some(item)) = (value, schema.get("items")) {
        for (i, element) in items.iter().enumerate() {
            fits(item, element, &format!("{at}[{i}]"))?;
        }
    }
    Ok(())
}

#[test]
fn the_spinapp_fits_the_spin_operator_crd() {
    let Some(path) = std::env::var_os("SPINAPP_CRD") else {
        eprintln!(
            "SKIPPED the_spinapp_fits_the_spin_operator_crd: set SPINAPP_CRD to spin-operator's config/crd/bases/core.spinkube.dev_spinapps.yaml"
        );
        return;
    };
    let crd: Value = serde_yaml::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    assert_eq!(crd["spec"]["group"], "core.spinkube.dev");
    let docs = documents();
    let app = one(&docs, "SpinApp");
    let (group, version) = app["apiVersion"].as_str().unwrap().split_once('/').unwrap();
    assert_eq!(group, "core.spinkube.dev");
    let served = crd["spec"]["versions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["name"] == version && v["served"] == true)
        .unwrap_or_else(|| panic!("the CRD does not serve {version}"));
    let schema = &served["schema"]["openAPIV3Schema"];
    // The spec is ours; metadata is Kubernetes' own.
    fits(&schema["properties"]["spec"], &app["spec"], "spec").unwrap();
    // The check can fail: a misspelt field and a wrong type are caught.
    let mut misspelt = app["spec"].clone();
    misspelt["runtimeConfigs"] = Value::Null;
    assert!(fits(&schema["properties"]["spec"], &misspelt, "spec").is_err());
    let mut wrong = app["spec"].clone();
    wrong["replicas"] = Value::String("2".into());
    assert!(fits(&schema["properties"]["spec"], &wrong, "spec").is_err());
}
