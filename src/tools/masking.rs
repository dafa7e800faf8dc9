//! What is hidden in the Kubernetes objects the tools pass on (`get_argocd_resource`, the objects
//! of `get_argocd_app_manifests`, the sides of `get_argocd_app_diff`), whatever Argo CD already
//! hid:
//!
//! - `Secret`: every value of `data` and `stringData`.
//! - `Application` and `ApplicationSet` (app-of-apps, generated sets): wherever a source sits in
//!   them (spec, `sources`, templates, generators' templates, status and history copies), Helm
//!   `values` lines, `valuesObject` entries and `parameters`, plugin `env` and `parameters`, and
//!   Jsonnet `extVars`/`tlas`, when their name looks like a credential ([`looks_like_credential`]).
//! - for all of these, the `last-applied-configuration` annotation (the whole object again).
//!
//! What a name cannot tell is not hidden: a credential under an innocent key (`dsn`, `url`
//! without userinfo, `extraArgs`), values files in git (Argo CD only names them), and the
//! ConfigMaps or Deployments a chart renders from the values.

use serde_json::Value;

/// What replaces every hidden value, whatever Argo CD already masked.
pub const MASK: &str = "***";

const LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";

/// Hides what the object's kind can hold: Secret values, and the credentials an Application or
/// ApplicationSet passes to Helm, plugins and Jsonnet.
pub fn mask_secrets(object: &mut Value) {
    let kind = object.get("kind").and_then(Value::as_str).unwrap_or("");
    let argo = object
        .get("apiVersion")
        .and_then(Value::as_str)
        .is_none_or(|v| v.starts_with("argoproj.io/"));
    match kind {
        "Secret" => mask_secret_data(object),
        "Application" | "ApplicationSet" if argo => mask_sources(object),
        _ => return,
    }
    if let Some(annotations) = object
        .pointer_mut("/metadata/annotations")
        .and_then(Value::as_object_mut)
    {
        annotations.remove(LAST_APPLIED);
    }
}

fn mask_secret_data(object: &mut Value) {
    for key in ["data", "stringData"] {
        if let Some(map) = object.get_mut(key).and_then(Value::as_object_mut) {
            for value in map.values_mut() {
                *value = Value::from(MASK);
            }
        }
    }
}

/// Every source of an Application or ApplicationSet, wherever it sits: any object with a
/// `helm`, `plugin` or `directory` part.
fn mask_sources(value: &mut Value) {
    match value {
        Value::Object(map) => {
            if let Some(helm) = map.get_mut("helm").and_then(Value::as_object_mut) {
                if let Some(Value::String(values)) = helm.get_mut("values") {
                    *values = mask_yaml(values);
                }
                if let Some(object) = helm.get_mut("valuesObject") {
                    mask_by_key(object);
                }
                // `values` may also come as an object (older clients wrote it so).
                if let Some(object @ Value::Object(_)) = helm.get_mut("values") {
                    mask_by_key(object);
                }
                mask_named(helm.get_mut("parameters"), &["value"]);
            }
            if let Some(plugin) = map.get_mut("plugin").and_then(Value::as_object_mut) {
                mask_named(plugin.get_mut("env"), &["value"]);
                mask_named(plugin.get_mut("parameters"), &["string", "array", "map"]);
            }
            if let Some(jsonnet) = map
                .get_mut("directory")
                .and_then(|d| d.get_mut("jsonnet"))
                .and_then(Value::as_object_mut)
            {
                for list in ["extVars", "tlas"] {
                    mask_named(jsonnet.get_mut(list), &["value"]);
                }
            }
            map.values_mut().for_each(mask_sources);
        }
        Value::Array(items) => items.iter_mut().for_each(mask_sources),
        _ => {}
    }
}

/// In a list of `{name, …}` entries, the given fields of those whose name looks like a credential.
fn mask_named(list: Option<&mut Value>, fields: &[&str]) {
    let Some(Value::Array(entries)) = list else {
        return;
    };
    for entry in entries.iter_mut().filter_map(Value::as_object_mut) {
        let secret = entry
            .get("name")
            .and_then(Value::as_str)
            .is_some_and(looks_like_credential);
        if secret {
            for field in fields {
                if let Some(value) = entry.get_mut(*field) {
                    *value = Value::from(MASK);
                }
            }
        }
    }
}

/// Entries of a values object whose key looks like a credential, at any depth.
fn mask_by_key(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (key, inner) in map.iter_mut() {
                if looks_like_credential(key) {
                    *inner = Value::from(MASK);
                } else {
                    mask_by_key(inner);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(mask_by_key),
        _ => {}
    }
}

/// Helm values as YAML text, line by line (no YAML parser: the text may not even be valid
/// YAML, and a line-wise rule cannot be fooled into dropping the mask by a parse error): the
/// value of a `key: value` line whose key looks like a credential becomes `***`, and so does
/// everything nested under such a key (a block scalar `password: |`, or a map `credentials:`).
pub fn mask_yaml(text: &str) -> String {
    let mut out = Vec::new();
    // The indentation of a credential key whose value is the block below it.
    let mut hiding_under: Option<usize> = None;
    for line in text.split('\n') {
        let indent = line.len() - line.trim_start_matches([' ', '\t']).len();
        let content = &line[indent..];
        if let Some(parent) = hiding_under {
            if content.trim().is_empty() || content.starts_with('#') {
                out.push(line.to_owned());
                continue;
            }
            if indent > parent || (indent == parent && content.starts_with("- ")) {
                out.push(format!("{}{MASK}", &line[..indent]));
                continue;
            }
            hiding_under = None;
        }
        // A list item's own key: `- password: x`.
        let (item, entry) = match content.strip_prefix("- ") {
            Some(rest) => (2, rest),
            None => (0, content),
        };
        let Some((key, value)) = split_key(entry) else {
            out.push(line.to_owned());
            continue;
        };
        let head = &line[..indent + item + key_span(entry)];
        if !looks_like_credential(key) {
            // A flow map or list (`db: {user: a, password: b}`) is hidden whole when a key in
            // it looks like a credential.
            if value.trim_start().starts_with(['{', '[']) && flow_holds_credential(value) {
                out.push(format!("{head} {MASK}"));
            } else {
                out.push(line.to_owned());
            }
            continue;
        }
        let value = value.trim();
        if value.is_empty() || value.starts_with('|') || value.starts_with('>') {
            // The value is the block below; `- key:` nests under the item's indentation.
            hiding_under = Some(indent + item);
            if value.is_empty() {
                out.push(head.to_owned());
            } else {
                out.push(format!("{head} {MASK}"));
            }
        } else {
            out.push(format!("{head} {MASK}"));
        }
    }
    out.join("\n")
}

/// Whether a flow collection's text has a key that looks like a credential.
fn flow_holds_credential(flow: &str) -> bool {
    flow.split([',', '{', '}', '[', ']'])
        .filter_map(|piece| split_key(piece.trim()))
        .any(|(key, _)| looks_like_credential(key))
}

/// `key: value` of one YAML line (key unquoted or quoted), or none.
fn split_key(entry: &str) -> Option<(&str, &str)> {
    let span = key_span(entry);
    if span == 0 {
        return None;
    }
    let key = entry[..span - 1].trim().trim_matches(['"', '\'']);
    Some((key, &entry[span..]))
}

/// How far `key:` reaches in a line (the colon included), 0 when the line holds no key.
fn key_span(entry: &str) -> usize {
    if entry.starts_with('#') {
        return 0;
    }
    // A key ends at the first `: ` (or a `:` ending the line) outside quotes.
    let mut quote = None;
    let bytes = entry.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        match (quote, b) {
            (None, b'"' | b'\'') if i == 0 => quote = Some(b),
            (Some(q), _) if b == q => quote = None,
            (None, b':') if bytes.get(i + 1).is_none_or(|n| *n == b' ' || *n == b'\t') => {
                return i + 1;
            }
            _ => {}
        }
    }
    0
}

/// Whether a name looks like it holds a credential: it contains `password`, `passwd`,
/// `passphrase`, `passcode`, `token`, `secret`, `credential`, `apikey` or `private`, or one of its
/// words is `key`, `auth`, `authorization`, `bearer`, `cookie`, `creds`, `pass`, `pwd` or `pw`
/// (words split at `.`, `_`, `-`, spaces and lower-to-upper case changes, so `apiKey`,
/// `api_key`, `AUTH_HEADER`, `DB_PW` match and `keycloakUrl`, `keyboard`, `author`, `monkey`,
/// `passthrough` do not). A name that only contains a word (`tokenizer`, `secretName`) is taken
/// for a credential too: a harmless value hidden costs less than a credential shown.
pub fn looks_like_credential(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    const INSIDE: [&str; 9] = [
        "password",
        "passwd",
        "passphrase",
        "passcode",
        "token",
        "secret",
        "credential",
        "apikey",
        "private",
    ];
    if INSIDE.iter().any(|word| lower.contains(word)) {
        return true;
    }
    const WORDS: [&str; 9] = [
        "key",
        "auth",
        "authorization",
        "bearer",
        "cookie",
        "creds",
        "pass",
        "pwd",
        "pw",
    ];
    words(name).any(|word| WORDS.contains(&word.to_ascii_lowercase().as_str()))
}

/// The words of a name: split at non-alphanumerics and where a lower-case letter or digit is
/// followed by an upper-case one.
fn words(name: &str) -> impl Iterator<Item = &str> {
    let mut cuts = Vec::new();
    let bytes = name.as_bytes();
    let mut start = 0;
    for i in 0..bytes.len() {
        let b = bytes[i];
        if !b.is_ascii_alphanumeric() {
            cuts.push((start, i));
            start = i + 1;
        } else if i > start && b.is_ascii_uppercase() && !bytes[i - 1].is_ascii_uppercase() {
            cuts.push((start, i));
            start = i;
        }
    }
    cuts.push((start, bytes.len()));
    cuts.into_iter()
        .filter(|(a, b)| b > a)
        .map(move |(a, b)| &name[a..b])
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn secrets_are_masked_whatever_the_server_sent() {
        let mut secret = json!({"kind": "Secret", "data": {"PASSWORD": "aHVudGVyMg=="}, "stringData": {"TOKEN": "plain"}, "metadata": {"annotations": {"kubectl.kubernetes.io/last-applied-configuration": "{\"data\":{\"PASSWORD\":\"aHVudGVyMg==\"}}"}}});
        mask_secrets(&mut secret);
        let text = secret.to_string();
        assert!(
            !text.contains("aHVudGVyMg") && !text.contains("plain"),
            "{text}"
        );
        assert_eq!(secret["data"]["PASSWORD"], MASK);
    }

    #[test]
    fn credential_names_are_told_from_ordinary_ones() {
        for name in [
            "password",
            "DB_PASSWORD",
            "adminPasswd",
            "apiKey",
            "api_key",
            "APIKEY",
            "github.token",
            "authToken",
            "AUTH_HEADER",
            "auth",
            "clientSecret",
            "existingSecret",
            "credentials",
            "aws.credential",
            "privateKey",
            "ssh-private-key",
            "key",
            "tls.key",
            "pass",
            "REDIS_PWD",
            "passphrase",
            "sshPassphrase",
            "GPG_PASSCODE",
            "Authorization",
            "session_cookie",
            "dbCreds",
            "DB_PW",
            "bearer",
            "apiKeys",
            "accessKey",
        ] {
            assert!(looks_like_credential(name), "{name}");
        }
        for name in [
            "replicas",
            "image.tag",
            "keycloakUrl",
            "author",
            "monkey",
            "hostname",
            "passthrough",
            "LOG_LEVEL",
            "keyboard",
            "keys",
            "authorizedKeys",
            "authority",
            "passive",
            "power",
            "",
        ] {
            assert!(!looks_like_credential(name), "{name}");
        }
    }

    #[test]
    fn helm_values_text_keeps_its_shape_and_loses_its_credentials() {
        let values = "replicaCount: 2\nimage:\n  tag: v1.2.3\ndb:\n  host: db.internal\n  password: hunter2-db\n  \"apiKey\": 'k-123'\nauth:\n  user: admin\n  pass: p-456\ntls.key: |\n  -----BEGIN KEY-----\n  MIIE-secret\nafter: kept\nusers:\n  - name: a\n    token: t-789\n  # token: in a comment stays\nprivateKey:\n- line-a\n- line-b\nredis: {host: r, password: FLOW-PW}\nlast: value";
        let masked = mask_yaml(values);
        for secret in [
            "hunter2-db",
            "k-123",
            "p-456",
            "MIIE-secret",
            "t-789",
            "line-a",
            "admin",
            "FLOW-PW",
        ] {
            assert!(!masked.contains(secret), "{secret} in\n{masked}");
        }
        for kept in [
            "replicaCount: 2",
            "  tag: v1.2.3",
            "  host: db.internal",
            "  password: ***",
            "  \"apiKey\": ***",
            "after: kept",
            "  - name: a",
            "    token: ***",
            "last: value",
        ] {
            assert!(masked.contains(kept), "{kept} missing in\n{masked}");
        }
        assert_eq!(masked.lines().count(), values.lines().count());
    }

    #[test]
    fn applications_and_sets_lose_credentials_wherever_a_source_sits() {
        let source = json!({
            "repoURL": "https://charts.example.com",
            "chart": "api",
            "helm": {
                "values": "db:\n  password: VALUES-PW\n",
                "valuesObject": {"replicas": 2, "auth": {"token": "OBJ-TOKEN"}, "redis": {"password": "OBJ-PW"}},
                "parameters": [{"name": "image.tag", "value": "v1"}, {"name": "db.password", "value": "PARAM-PW", "forceString": true}]
            },
            "plugin": {"name": "vault", "env": [{"name": "VAULT_TOKEN", "value": "ENV-TOKEN"}, {"name": "REGION", "value": "eu"}],
                       "parameters": [{"name": "apiKey", "string": "PLUGIN-KEY"}]},
            "directory": {"jsonnet": {"extVars": [{"name": "secret", "value": "JSONNET-SECRET"}]}}
        });
        let application = json!({
            "apiVersion": "argoproj.io/v1alpha1", "kind": "Application",
            "metadata": {"name": "child", "annotations": {"kubectl.kubernetes.io/last-applied-configuration": "{\"spec\":\"LAST-APPLIED\"}"}},
            "spec": {"source": source.clone(), "sources": [source.clone()]},
            "status": {"history": [{"source": source.clone()}], "sync": {"comparedTo": {"source": source.clone()}}}
        });
        let set = json!({
            "apiVersion": "argoproj.io/v1alpha1", "kind": "ApplicationSet",
            "spec": {"template": {"spec": {"source": source.clone()}},
                     "generators": [{"git": {"template": {"spec": {"sources": [source.clone()]}}}}]}
        });
        for mut object in [application, set] {
            mask_secrets(&mut object);
            let text = object.to_string();
            for secret in [
                "VALUES-PW",
                "OBJ-TOKEN",
                "OBJ-PW",
                "PARAM-PW",
                "ENV-TOKEN",
                "PLUGIN-KEY",
                "JSONNET-SECRET",
                "LAST-APPLIED",
            ] {
                assert!(!text.contains(secret), "{secret} in {text}");
            }
            for kept in ["\"v1\"", "\"eu\"", "\"replicas\":2", "charts.example.com"] {
                assert!(text.contains(kept), "{kept} missing in {text}");
            }
        }
    }

    #[test]
    fn other_kinds_named_application_are_left_alone() {
        let mut object = json!({"apiVersion": "app.k8s.io/v1beta1", "kind": "Application", "spec": {"helm": {"values": "password: x"}}});
        let before = object.clone();
        mask_secrets(&mut object);
        assert_eq!(object, before);
    }
}
