//! JSON patches (RFC 6902), which Kustomize (an Application's `kustomize.patches`) and Flux (a
//! `Kustomization`'s `patches` and `patchesJson6902`) apply: an operation's `value` is named
//! by its `path`, not by a key of its own (`{op: add, path: /stringData/password, value: …}`).
//!
//! - an operation whose `path` ends at a name that looks like a credential
//!   ([`pointer_names_credential`]) is a named entry like `{name, value}`;
//! - a patch whose `target` is a Secret writes the Secret's data, whatever its keys are named:
//!   the `value` of every operation reaching `/data` or `/stringData` is masked; patch text that
//!   is no JSON (YAML operations) and mentions them is hidden whole.

use std::borrow::Cow;

use serde_json::{Map, Value};

use super::field_by_field::{secret_entries_at, sets_value_at};
use super::{MASK, looks_like_credential, mask_every_leaf, names_a_credential, names_a_place};

/// Whether a JSON pointer (`/stringData/password`, `/data/API_TOKEN`, `/spec/tokens/0`) ends at
/// a credential: its last named segment ([`last_named_segment`]) looks like a credential's
/// name and not like where one is kept (`/data/password_file`).
pub(super) fn pointer_names_credential(pointer: &str) -> bool {
    last_named_segment(pointer).is_some_and(|name| names_a_credential(&name))
}

/// The last segment of a JSON pointer that is no list index (`0`, `-`), unescaped (`~1` is
/// `/`, `~0` is `~`); none for text that is no pointer (it starts with `/`).
pub fn last_named_segment(pointer: &str) -> Option<Cow<'_, str>> {
    let segment = pointer
        .strip_prefix('/')?
        .rsplit('/')
        .find(|s| !s.is_empty() && *s != "-" && !s.bytes().all(|b| b.is_ascii_digit()))?;
    Some(if segment.contains('~') {
        Cow::Owned(segment.replace("~1", "/").replace("~0", "~"))
    } else {
        Cow::Borrowed(segment)
    })
}

/// `{target: {kind: Secret, …}, patch: …}`: a Kustomize or Flux patch of a Secret. Its
/// operations' values under the Secret's data are masked; text that cannot be read as JSON
/// operations (YAML) and mentions the data is hidden whole. A strategic-merge patch names its
/// kind itself and is masked as the document it is.
pub(super) fn mask_secret_patch(entry: &mut Map<String, Value>) {
    let targets_secret = entry
        .get("target")
        .and_then(|t| t.get("kind"))
        .and_then(Value::as_str)
        == Some("Secret");
    if !targets_secret {
        return;
    }
    match entry.get_mut("patch") {
        Some(Value::Array(operations)) => mask_data_operations(operations),
        Some(Value::String(text)) => {
            if let Ok(Value::Array(mut operations)) = serde_json::from_str::<Value>(text) {
                mask_data_operations(&mut operations);
                *text = serde_json::to_string(&operations).unwrap_or_else(|_| MASK.to_owned());
            } else if text
                .split(|c: char| !c.is_ascii_alphanumeric())
                .any(|word| matches!(word, "data" | "stringData"))
            {
                *text = MASK.to_owned();
            }
        }
        _ => {}
    }
}

fn mask_data_operations(operations: &mut [Value]) {
    for operation in operations.iter_mut().filter_map(Value::as_object_mut) {
        let into_data = operation
            .get("path")
            .and_then(Value::as_str)
            .is_some_and(reaches_data);
        if into_data && let Some(value) = operation.get_mut("value") {
            mask_every_leaf(value);
        }
    }
}

/// Whether an operation's path reaches a Secret's `data` or `stringData`: one of them, what is
/// under them, or the whole Secret (`/`, or the empty pointer).
fn reaches_data(path: &str) -> bool {
    let first = path
        .strip_prefix('/')
        .map(|rest| rest.split('/').next().unwrap_or(""));
    matches!(first, None | Some("" | "data" | "stringData"))
}

/// JSON patch operations written as YAML text, each an item of simple scalars (`- op:
/// replace` then `  path: …` and `  value: …` lines, or `- {op: add, path: …, value: …}`): the
/// `value` of an operation that sets a field of an entry another operation names as a
/// credential (`…/env/0/name` set to `DB_PASSWORD`, then `…/env/0/value`) becomes [`MASK`].
/// None when nothing is hidden or the text is no such list.
pub(super) fn mask_yaml_operations(text: &str) -> Option<String> {
    if !text.contains("op:") || !text.contains("path:") {
        return None;
    }
    let operations = yaml_operations(text);
    let set = operations
        .iter()
        .filter_map(|o| Some((o.path.as_deref()?, o.value.as_ref()?.1.as_str())));
    let mut secret = secret_entries_at('/', set);
    // An entry added whole with a name (`value:` then `  name: DB_PASSWORD`).
    secret.extend(operations.iter().filter_map(|o| {
        let name = o.entry_name.as_deref()?;
        (looks_like_credential(name) && !names_a_place(name)).then(|| o.path.clone())?
    }));
    if secret.is_empty() {
        return None;
    }
    let mut lines: Vec<String> = text.split('\n').map(str::to_owned).collect();
    for operation in &operations {
        let (Some(path), Some((line, value))) = (&operation.path, &operation.value) else {
            continue;
        };
        if sets_value_at('/', path, &secret)
            && let Some(at) = lines[*line].rfind(value.as_str())
        {
            lines[*line].replace_range(at..at + value.len(), MASK);
        }
    }
    Some(lines.join("\n"))
}

/// One operation read from YAML text: its path, and its value with the line it stands on.
#[derive(Default)]
struct YamlOperation {
    path: Option<String>,
    value: Option<(usize, String)>,
    /// The `name` (or `key`) of an entry the operation adds whole.
    entry_name: Option<String>,
}

/// The operations of a YAML list whose items are maps of plain scalars, block or flow.
fn yaml_operations(text: &str) -> Vec<YamlOperation> {
    let mut operations: Vec<YamlOperation> = Vec::new();
    for (n, line) in text.split('\n').enumerate() {
        let content = line.trim_start();
        let (starts_item, entry) = match content.strip_prefix("- ") {
            Some(rest) => (true, rest.trim_start()),
            None => (false, content),
        };
        if starts_item {
            operations.push(YamlOperation::default());
        }
        let Some(operation) = operations.last_mut() else {
            continue;
        };
        let flow = entry
            .strip_prefix('{')
            .and_then(|e| e.trim_end().strip_suffix('}'));
        let members: Vec<&str> = match flow {
            Some(inside) => inside.split(',').collect(),
            None => vec![entry],
        };
        for member in members {
            let Some((key, value)) = member.split_once(':') else {
                continue;
            };
            let value = value.trim().trim_matches(['"', '\'']);
            match key.trim().trim_matches(['"', '\'']) {
                "path" => operation.path = Some(value.to_owned()),
                "value" if !value.is_empty() => operation.value = Some((n, value.to_owned())),
                "name" | "key" => operation.entry_name = Some(value.to_owned()),
                _ => {}
            }
        }
    }
    operations
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::super::{MASK, mask_secrets};
    use super::*;

    #[test]
    fn a_pointer_names_a_credential_by_its_last_named_segment() {
        for pointer in [
            "/stringData/password",
            "/data/API_TOKEN",
            "/data/api-token",
            "/spec/tokens/0",
            "/data/db~1password",
        ] {
            assert!(pointer_names_credential(pointer), "{pointer}");
        }
        for pointer in [
            "/data/password_file",
            "/spec/replicas",
            "/spec/template/spec/containers/0/env/-",
            "password",
            "/",
            "",
        ] {
            assert!(!pointer_names_credential(pointer), "{pointer}");
        }
        assert_eq!(last_named_segment("/a/b~0c/1").as_deref(), Some("b~c"));
    }

    #[test]
    fn operations_lose_the_value_their_path_names_a_credential() {
        let mut flux = json!({"apiVersion": "kustomize.toolkit.fluxcd.io/v1beta1", "kind": "Kustomization",
            "spec": {"patchesJson6902": [{"target": {"kind": "Deployment", "name": "api"}, "patch": [
                {"op": "add", "path": "/stringData/password", "value": "J-1"},
                {"op": "replace", "path": "/data/api-token", "value": "J-2"},
                {"op": "replace", "path": "/spec/replicas", "value": 3},
                {"value": "J-3", "op": "test", "path": "/data/DB_PASSWORD"}]}]}});
        mask_secrets(&mut flux);
        let text = flux.to_string();
        for secret in ["J-1", "J-2", "J-3"] {
            assert!(!text.contains(secret), "{secret} in {text}");
        }
        let ops = &flux["spec"]["patchesJson6902"][0]["patch"];
        assert_eq!(ops[0]["path"], "/stringData/password");
        assert_eq!(ops[2]["value"], 3);
        // As JSON text in an Application's Kustomize patch.
        let mut app = json!({"apiVersion": "argoproj.io/v1alpha1", "kind": "Application", "spec": {"source": {"kustomize": {"patches": [
            {"target": {"kind": "ConfigMap"}, "patch": "[{\"op\":\"replace\",\"path\":\"/data/apiToken\",\"value\":\"J-4\"}]"}]}}}});
        mask_secrets(&mut app);
        assert!(!app.to_string().contains("J-4"), "{app}");
    }

    #[test]
    fn a_patch_of_a_secret_loses_what_it_writes_into_the_data() {
        let mut flux = json!({"apiVersion": "kustomize.toolkit.fluxcd.io/v1", "kind": "Kustomization", "spec": {"patches": [
            {"target": {"kind": "Secret", "name": "db"}, "patch": [
                {"op": "add", "path": "/data/db", "value": "J-5"},
                {"op": "add", "path": "/stringData", "value": {"conn": "J-6"}},
                {"op": "add", "path": "/metadata/labels/team", "value": "web"}]},
            {"target": {"kind": "Secret"}, "patch": "[{\"op\":\"add\",\"path\":\"/data/x\",\"value\":\"J-7\"}]"},
            {"target": {"kind": "Secret"}, "patch": "- op: add\n  path: /data/x\n  value: J-8\n"},
            {"target": {"kind": "Secret"}, "patch": "- op: add\n  path: /metadata/labels/a\n  value: b\n"}]}});
        mask_secrets(&mut flux);
        let text = flux.to_string();
        for secret in ["J-5", "J-6", "J-7", "J-8"] {
            assert!(!text.contains(secret), "{secret} in {text}");
        }
        let patches = &flux["spec"]["patches"];
        assert_eq!(patches[0]["patch"][2]["value"], "web");
        assert_eq!(patches[2]["patch"], MASK);
        assert_eq!(
            patches[3]["patch"],
            "- op: add\n  path: /metadata/labels/a\n  value: b\n"
        );
    }

    #[test]
    fn a_pair_set_by_two_operations_loses_its_value() {
        let yaml = "- op: replace\n  path: /spec/env/0/name\n  value: DB_PASSWORD\n- op: replace\n  path: /spec/env/0/value\n  value: O-1\n- {op: add, path: /spec/env/1/name, value: API_TOKEN}\n- {op: add, path: /spec/env/1/value, value: \"O-2\"}\n- op: add\n  path: /spec/env/2/value\n  value: kept\n";
        let masked = mask_yaml_operations(yaml).unwrap();
        assert!(
            !masked.contains("O-1") && !masked.contains("O-2"),
            "{masked}"
        );
        assert!(
            masked.contains("value: kept") && masked.contains("value: DB_PASSWORD"),
            "{masked}"
        );
        assert_eq!(
            mask_yaml_operations("- op: add\n  path: /a\n  value: b\n"),
            None
        );
        // The entry added whole, with its name; its value set next.
        let whole = "- op: add\n  path: /spec/env/0\n  value:\n    name: DB_PASSWORD\n- op: add\n  path: /spec/env/0/value\n  value: O-5\n";
        assert!(!mask_yaml_operations(whole).unwrap().contains("O-5"));
        let mut ops = json!({"kind": "K", "patch": [
            {"op": "add", "path": "/spec/env/0", "value": {"name": "API_TOKEN"}},
            {"op": "add", "path": "/spec/env/0/value", "value": "O-6"}]});
        mask_secrets(&mut ops);
        assert!(!ops.to_string().contains("O-6"), "{ops}");
        let mut flux = json!({"kind": "Kustomization", "spec": {"patchesJson6902": [{"patch": [
            {"op": "replace", "path": "/spec/env/0/name", "value": "API_TOKEN"},
            {"op": "replace", "path": "/spec/env/0/value", "value": "O-3"}]}]}});
        mask_secrets(&mut flux);
        assert!(!flux.to_string().contains("O-3"), "{flux}");
        let mut app = json!({"apiVersion": "argoproj.io/v1alpha1", "kind": "Application", "spec": {"source": {"kustomize": {"patches": [
            {"patch": "[{\"op\":\"add\",\"path\":\"/e/0/name\",\"value\":\"DB_PASSWORD\"},{\"op\":\"add\",\"path\":\"/e/0/value\",\"value\":\"O-4\"}]"},
            {"patch": yaml}]}}}});
        mask_secrets(&mut app);
        let text = app.to_string();
        assert!(!text.contains("O-4") && !text.contains("O-1"), "{text}");
    }
}
