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

use super::field_by_field::{secret_entries_at, sets_value_at, with_plain_indices};
use super::yaml_operations;
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
    // A target's fields are anchored regular expressions, and a target without a kind selects
    // every kind: `Secret|ConfigMap`, `Secre.` or no kind at all may reach a Secret.
    let Some(target) = entry.get("target").and_then(Value::as_object) else {
        return;
    };
    let targets_secret = match target.get("kind").and_then(Value::as_str) {
        None | Some("") => true,
        Some(kind) => {
            kind == "Secret"
                || kind.contains(['|', '.', '*', '+', '?', '[', '(', '{', '\\', '^', '$'])
        }
    };
    if !targets_secret {
        return;
    }
    match entry.get_mut("patch") {
        Some(Value::Array(operations)) => mask_data_operations(operations),
        Some(Value::String(text)) => {
            if let Ok(Value::Array(mut operations)) = serde_json::from_str::<Value>(text) {
                mask_data_operations(&mut operations);
                *text = serde_json::to_string(&operations).unwrap_or_else(|_| MASK.to_owned());
            } else {
                *text = secret_patch_text(text);
            }
        }
        _ => {}
    }
}

/// A Secret's patch as YAML text: JSON patch operations with what they write into the data
/// hidden, as they stand in the text; any other text (a strategic-merge patch, operations this
/// reading cannot place) is shown only when it is plain words that mention no data (quotes
/// and escapes can spell `data` otherwise: `"d\x61ta"`).
fn secret_patch_text(text: &str) -> String {
    let operations = yaml_operations::read(text);
    if !operations.list.is_empty() && !operations.unreadable {
        let into_data = |o: &yaml_operations::Operation| o.path.as_deref().is_none_or(reaches_data);
        return yaml_operations::hide_values(text, &operations.list, into_data)
            .unwrap_or_else(|| text.to_owned());
    }
    let plain = text
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b" \n\r\t-_.:/#,=".contains(&b));
    let mentions_data = text
        .split(|c: char| !c.is_ascii_alphanumeric())
        .any(|word| matches!(word, "data" | "stringData"));
    if plain && !mentions_data {
        text.to_owned()
    } else {
        MASK.to_owned()
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

/// JSON patch operations written as YAML text ([`yaml_operations`]): the value of an
/// operation that sets a field of an entry another operation names as a credential
/// (`…/env/0/name` set to `DB_PASSWORD`, then `…/env/0/value`), or of one of `also_secret`
/// (entries named so by another patch of the same list), or whose path ends at a credential's
/// name, becomes [`MASK`]. Text this reading cannot place whole, that mentions a name like a
/// credential's, is [`MASK`] whole. None when nothing is hidden or the text is no such list.
pub(super) fn mask_yaml_operations(text: &str, also_secret: &[String]) -> Option<String> {
    if !text.contains("op") || !text.contains("path") {
        return None;
    }
    let operations = yaml_operations::read(text);
    if operations.list.is_empty() {
        return None;
    }
    if operations.unreadable && mentions_a_credential(text) {
        return Some(MASK.to_owned());
    }
    let mut secret = secret_entries(&operations.list);
    secret.extend_from_slice(also_secret);
    let named_secret = |o: &yaml_operations::Operation| {
        o.path
            .as_deref()
            .is_some_and(|path| sets_value_at('/', path, &secret) || pointer_names_credential(path))
    };
    yaml_operations::hide_values(text, &operations.list, named_secret)
}

/// The entries (`/spec/…/env/0`) that operations name as a credential's: by a `name` field set
/// to a credential's name, or added whole with such a name.
fn secret_entries(operations: &[yaml_operations::Operation]) -> Vec<String> {
    let set = operations
        .iter()
        .filter_map(|o| Some((o.path.as_deref()?, o.value.as_ref()?.as_str()?)));
    let mut secret = secret_entries_at('/', set);
    secret.extend(operations.iter().filter_map(|o| {
        let named = o.value.as_ref()?.as_object()?;
        super::names_its_credential(named).then(|| o.path.as_deref().map(with_plain_indices))?
    }));
    secret
}

/// Whether a word of `text` looks like a credential's name (`DB_PASSWORD`, `apiKey`).
fn mentions_a_credential(text: &str) -> bool {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
        .any(|word| looks_like_credential(word) && !names_a_place(word))
}

/// The patches of one list (Kustomize's `patches`, Flux's `patches` and `patchesJson6902`),
/// which apply in turn to the same objects: an entry one patch names as a credential's
/// (`…/env/0/name` set to `API_TOKEN`) has its value hidden in every other patch of the list
/// (`…/env/0/value` set by the next).
pub(super) fn mask_pairs_across_patches(patches: &mut [Value]) {
    if patches.len() < 2 {
        return;
    }
    let mut set: Vec<(String, String)> = Vec::new();
    let mut secret = Vec::new();
    for patch in patches.iter().filter_map(|p| p.get("patch")) {
        match (operations_of(patch), patch) {
            (Some(Value::Array(operations)), _) => {
                set.extend(operations.iter().filter_map(|o| {
                    Some((
                        o.get("path")?.as_str()?.to_owned(),
                        o.get("value")?.as_str()?.to_owned(),
                    ))
                }));
                secret.extend(operations.iter().filter_map(|o| {
                    let named = o.get("value")?.as_object()?;
                    super::names_its_credential(named)
                        .then(|| o.get("path")?.as_str().map(with_plain_indices))?
                }));
            }
            (_, Value::String(text)) => {
                secret.extend(secret_entries(&yaml_operations::read(text).list));
            }
            _ => {}
        }
    }
    secret.extend(secret_entries_at(
        '/',
        set.iter().map(|(p, v)| (p.as_str(), v.as_str())),
    ));
    if secret.is_empty() {
        return;
    }
    for patch in patches.iter_mut().filter_map(|p| p.get_mut("patch")) {
        match patch {
            Value::Array(operations) => mask_operations_at(operations, &secret),
            Value::String(text) => {
                if let Ok(Value::Array(mut operations)) = serde_json::from_str::<Value>(text) {
                    mask_operations_at(&mut operations, &secret);
                    *text = serde_json::to_string(&operations).unwrap_or_else(|_| MASK.to_owned());
                } else if let Some(masked) = mask_yaml_operations(text, &secret) {
                    *text = masked;
                }
            }
            _ => {}
        }
    }
}

/// A patch's operations as JSON: a list of them, or JSON text of one.
fn operations_of(patch: &Value) -> Option<Value> {
    match patch {
        Value::Array(_) => Some(patch.clone()),
        Value::String(text) => serde_json::from_str::<Value>(text).ok(),
        _ => None,
    }
}

/// Hides the value of each operation that sets the value of one of the `secret` entries.
fn mask_operations_at(operations: &mut [Value], secret: &[String]) {
    for operation in operations.iter_mut().filter_map(Value::as_object_mut) {
        let sets_secret = operation
            .get("path")
            .and_then(Value::as_str)
            .is_some_and(|path| sets_value_at('/', path, secret));
        if sets_secret && let Some(value) = operation.get_mut("value") {
            mask_every_leaf(value);
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::super::mask_secrets;
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
        assert_eq!(
            patches[2]["patch"],
            "- op: add\n  path: /data/x\n  value: ***\n"
        );
        assert_eq!(
            patches[3]["patch"],
            "- op: add\n  path: /metadata/labels/a\n  value: b\n"
        );
    }

    /// The fifteenth review: a pair's index spelled as `strconv.Atoi` reads it; a target kind
    /// that is a regular expression, or no kind at all, may select a Secret.
    #[test]
    fn indices_and_targets_are_read_as_kustomize_reads_them() {
        let mut flux = json!({"kind": "Kustomization", "spec": {"patches": [
            {"target": {"kind": "Deployment"}, "patch": [
                {"op": "add", "path": "/c/0/env/0/name", "value": "API_TOKEN"},
                {"op": "add", "path": "/c/+0/env/00/value", "value": "I-1"}]},
            {"target": {"kind": "Secret|ConfigMap"}, "patch": [{"op": "add", "path": "/data/c", "value": "I-2"}]},
            {"target": {"kind": "Secre."}, "patch": "- op: add\n  path: /data/c\n  value: I-3\n"},
            {"target": {"name": "db"}, "patch": [{"op": "add", "path": "/stringData/c", "value": "I-4"}]},
            {"target": {"kind": "ConfigMap"}, "patch": [{"op": "add", "path": "/data/c", "value": "kept"}]}]}});
        mask_secrets(&mut flux);
        let text = flux.to_string();
        for secret in ["I-1", "I-2", "I-3", "I-4"] {
            assert!(!text.contains(secret), "{secret} in {text}");
        }
        assert!(text.contains("kept"), "{text}");
    }

    /// The thirteenth review: escapes spell the data otherwise; a pair spans two patches.
    #[test]
    fn escapes_and_patches_in_turn_hide_nothing_from_the_masking() {
        let mut app = json!({"apiVersion": "argoproj.io/v1alpha1", "kind": "Application", "spec": {"source": {"kustomize": {"patches": [
            {"target": {"kind": "Secret"}, "patch": "- op: add\n  path: \"/d\\x61ta/conn\"\n  value: E-1\n"},
            {"target": {"kind": "Secret"}, "patch": "kind: Secret\n\"stringD\\x61ta\":\n  conn: E-2\n"},
            {"target": {"kind": "Deployment"}, "patch": "- op: add\n  path: /e/0/name\n  value: DB_PASSWORD\n"},
            {"target": {"kind": "Deployment"}, "patch": "- op: add\n  path: /e/0/value\n  value: |-\n    E-3\n"},
            {"target": {"kind": "Deployment"}, "patch": "[{\"op\": \"add\", \"path\": \"/e/0/value\", \"value\": \"E-4\"}]"},
            {"target": {"kind": "Deployment"}, "patch": "- op: add\n  path: /e/1/name\n  value: &n API_TOKEN\n- op: add\n  path: /e/1/value\n  value: E-5\n"}]}}}});
        mask_secrets(&mut app);
        let text = app.to_string();
        for secret in ["E-1", "E-2", "E-3", "E-4", "E-5"] {
            assert!(!text.contains(secret), "{secret} in {text}");
        }
        assert!(text.contains("DB_PASSWORD"), "{text}");
        let mut flux = json!({"kind": "Kustomization", "spec": {"patches": [
            {"target": {"kind": "Deployment"}, "patch": [{"op": "add", "path": "/e/0/name", "value": "API_TOKEN"}]},
            {"target": {"kind": "Deployment"}, "patch": [{"op": "add", "path": "/e/0/value", "value": "E-6"}]}]}});
        mask_secrets(&mut flux);
        assert!(!flux.to_string().contains("E-6"), "{flux}");
    }

    #[test]
    fn a_pair_set_by_two_operations_loses_its_value() {
        let yaml = "- op: replace\n  path: /spec/env/0/name\n  value: DB_PASSWORD\n- op: replace\n  path: /spec/env/0/value\n  value: O-1\n- {op: add, path: /spec/env/1/name, value: API_TOKEN}\n- {op: add, path: /spec/env/1/value, value: \"O-2\"}\n- op: add\n  path: /spec/env/2/value\n  value: kept\n";
        let masked = mask_yaml_operations(yaml, &[]).unwrap();
        assert!(
            !masked.contains("O-1") && !masked.contains("O-2"),
            "{masked}"
        );
        assert!(
            masked.contains("value: kept") && masked.contains("value: DB_PASSWORD"),
            "{masked}"
        );
        assert_eq!(
            mask_yaml_operations("- op: add\n  path: /a\n  value: b\n", &[]),
            None
        );
        // The entry added whole, with its name; its value set next.
        let whole = "- op: add\n  path: /spec/env/0\n  value:\n    name: DB_PASSWORD\n- op: add\n  path: /spec/env/0/value\n  value: O-5\n";
        assert!(!mask_yaml_operations(whole, &[]).unwrap().contains("O-5"));
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
