//! A named entry given field by field rather than as one object, so that the field naming it
//! and the field holding its value are two entries of a list or two keys of a map:
//!
//! - Helm's `--set env[0].name=DB_PASSWORD --set env[0].value=…` in a container's `args`
//!   (several in one `a.name=X,a.value=Y`);
//! - the same two assignments as two Helm or plugin parameters of an Application
//!   (`{name: env[0].name, value: DB_PASSWORD}`, `{name: env[0].value, value: …}`);
//! - as two keys of a map (a chart's values flattened into a ConfigMap:
//!   `env[0].name: DB_PASSWORD`, `env[0].value: …`);
//! - as two JSON patch operations (`path: …/env/0/name`, `path: …/env/0/value`), as objects
//!   or as YAML text ([`super::json_patch`]).
//!
//! The fields that hold the entry's value ([`super::PAIR_VALUES`]) are masked when the field that
//! names it ([`super::PAIR_NAMES`]) is set to a credential's name, as they are in an object.

use serde_json::{Map, Value};

use super::{MASK, is_pair_name, is_pair_value, looks_like_credential, mask_leaves, names_a_place};

/// `["--set", "env[0].name=DB_PASSWORD", "--set", "env[0].value=…"]`: Helm's `--set` and
/// `--set-string` in a list of arguments.
pub(super) fn mask_paired_assignments(items: &mut [Value]) {
    let secret = secret_entries(items.iter().filter_map(Value::as_str).flat_map(|text| {
        assignments(text)
            .into_iter()
            .map(move |a| (&text[a.path], &text[a.value]))
    }));
    if secret.is_empty() {
        return;
    }
    for item in items.iter_mut() {
        let Value::String(text) = item else {
            continue;
        };
        let values: Vec<std::ops::Range<usize>> = assignments(text)
            .into_iter()
            .filter(|a| sets_value_of(&text[a.path.clone()], &secret))
            .map(|a| a.value)
            .collect();
        for value in values.into_iter().rev() {
            text.replace_range(value, MASK);
        }
    }
}

/// `[{name: "env[0].name", value: "DB_PASSWORD"}, {name: "env[0].value", value: "…"}]`: Helm
/// parameters (`value`) or plugin parameters (`string`), each setting one field of the entry.
pub(super) fn mask_paired_parameters(items: &mut [Value]) {
    let secret = secret_entries(items.iter().filter_map(named_value));
    if secret.is_empty() {
        return;
    }
    for item in items.iter_mut().filter_map(Value::as_object_mut) {
        let sets_secret = item
            .get("name")
            .and_then(Value::as_str)
            .is_some_and(|name| sets_value_of(name, &secret));
        if sets_secret {
            item.iter_mut()
                .filter(|(field, _)| is_pair_value(field))
                .for_each(|(_, value)| mask_leaves(value));
        }
    }
}

/// A parameter's name and its value, when it has both as text.
fn named_value(item: &Value) -> Option<(&str, &str)> {
    let name = item.get("name")?.as_str()?;
    let value = item
        .as_object()?
        .iter()
        .find_map(|(field, value)| value.as_str().filter(|_| is_pair_value(field)))?;
    Some((name, value))
}

/// `[{op: replace, path: …/env/0/name, value: DB_PASSWORD}, {op: replace, path:
/// …/env/0/value, value: …}]`: JSON patch operations, each setting one field of the entry.
pub(super) fn mask_paired_operations(items: &mut [Value]) {
    let mut secret = secret_entries_at('/', items.iter().filter_map(path_and_value));
    // The entry added whole with its name (`add …/env/0` as `{name: DB_PASSWORD}`), its value
    // set by another operation.
    secret.extend(items.iter().filter_map(|item| {
        let named = item.get("value")?.as_object()?;
        let path = item.get("path")?.as_str()?;
        super::names_its_credential(named).then(|| with_plain_indices(path))
    }));
    if secret.is_empty() {
        return;
    }
    for item in items.iter_mut().filter_map(Value::as_object_mut) {
        let sets_secret = item
            .get("path")
            .and_then(Value::as_str)
            .is_some_and(|path| sets_value_at('/', path, &secret));
        if sets_secret && let Some(value) = item.get_mut("value") {
            mask_leaves(value);
        }
    }
}

/// An operation's path and value, when both are text.
fn path_and_value(item: &Value) -> Option<(&str, &str)> {
    Some((item.get("path")?.as_str()?, item.get("value")?.as_str()?))
}

/// `{"env[0].name": "DB_PASSWORD", "env[0].value": "…"}`: the keys of a map.
pub(super) fn mask_paired_keys(map: &mut Map<String, Value>) {
    let secret = secret_entries(
        map.iter()
            .filter_map(|(key, value)| Some((key.as_str(), value.as_str()?))),
    );
    if secret.is_empty() {
        return;
    }
    for (key, value) in map.iter_mut() {
        if sets_value_of(key, &secret) {
            mask_leaves(value);
        }
    }
}

/// The entries (`env[0]`) whose name field one of `assignments` sets to a credential's name
/// (`env[0].name` = `DB_PASSWORD`), and not to where one is kept (`DB_PASSWORD_FILE`).
fn secret_entries<'a>(assignments: impl Iterator<Item = (&'a str, &'a str)>) -> Vec<String> {
    secret_entries_at('.', assignments)
}

/// [`secret_entries`] of paths whose fields follow `separator` (`/` in a JSON pointer).
pub(super) fn secret_entries_at<'a>(
    separator: char,
    assignments: impl Iterator<Item = (&'a str, &'a str)>,
) -> Vec<String> {
    assignments
        .filter_map(|(path, value)| {
            let (entry, field) = path.rsplit_once(separator)?;
            (is_pair_name(field) && looks_like_credential(value) && !names_a_place(value))
                .then(|| with_plain_indices(entry))
        })
        .collect()
}

/// Whether `path` (`env[0].value`) sets a value field of one of the `secret` entries.
fn sets_value_of(path: &str, secret: &[String]) -> bool {
    sets_value_at('.', path, secret)
}

/// [`sets_value_of`] for paths whose fields follow `separator`.
pub(super) fn sets_value_at(separator: char, path: &str, secret: &[String]) -> bool {
    path.rsplit_once(separator).is_some_and(|(entry, field)| {
        is_pair_value(field) && secret.contains(&with_plain_indices(entry))
    })
}

/// A path with each list index written as Helm and JSON patch read it (`strconv.Atoi`):
/// `env[00]` and `env[+0]` are `env[0]`, and so are `/env/00` and `/env/+0` `/env/0`.
pub(super) fn with_plain_indices(path: &str) -> String {
    let path = if path.starts_with('/') {
        let segments: Vec<String> = path
            .split('/')
            .map(|segment| {
                let digits = segment.strip_prefix('+').unwrap_or(segment);
                match digits.parse::<u64>() {
                    Ok(n) if !digits.is_empty() => n.to_string(),
                    _ => segment.to_owned(),
                }
            })
            .collect();
        segments.join("/")
    } else {
        path.to_owned()
    };
    let path = path.as_str();
    let mut out = String::with_capacity(path.len());
    let mut rest = path;
    while let Some(open) = rest.find('[') {
        out.push_str(&rest[..=open]);
        rest = &rest[open + 1..];
        let close = rest.find(']').unwrap_or(rest.len());
        let index = &rest[..close];
        match index.strip_prefix('+').unwrap_or(index).parse::<u64>() {
            Ok(n) if !index.is_empty() => out.push_str(&n.to_string()),
            _ => out.push_str(index),
        }
        rest = &rest[close..];
    }
    out.push_str(rest);
    out
}

/// One `path=value` of an argument.
struct Assignment {
    path: std::ops::Range<usize>,
    value: std::ops::Range<usize>,
}

/// The `path=value` assignments of one argument: the whole argument, or what follows a flag's
/// `=` (`--set=a=1`), split at commas that no backslash escapes (Helm's `--set` syntax).
fn assignments(text: &str) -> Vec<Assignment> {
    let start = if text.starts_with('-') {
        match text.find('=') {
            Some(equals) => equals + 1,
            None => return Vec::new(),
        }
    } else {
        0
    };
    let mut ends = Vec::new();
    let mut escaped = false;
    for (i, b) in text.bytes().enumerate().skip(start) {
        match b {
            _ if escaped => escaped = false,
            b'\\' => escaped = true,
            b',' => ends.push(i),
            _ => {}
        }
    }
    ends.push(text.len());
    let mut piece = start;
    let mut found = Vec::new();
    for end in ends {
        if let Some(equals) = text[piece..end].find('=') {
            found.push(Assignment {
                path: piece..piece + equals,
                value: piece + equals + 1..end,
            });
        }
        piece = end + 1;
    }
    found
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::super::{MASK, mask_secrets};

    #[test]
    fn parameters_pairing_a_name_and_a_value_lose_the_value_of_a_credential() {
        let mut app = json!({"apiVersion": "argoproj.io/v1alpha1", "kind": "Application", "spec": {"source": {
            "helm": {"parameters": [
                {"name": "env[0].name", "value": "DB_PASSWORD"},
                {"name": "env[0].value", "value": "S-1"},
                {"name": "extraEnv[1].key", "value": "API_TOKEN"},
                {"name": "extraEnv[1].value", "value": "S-2", "forceString": true},
                {"name": "env[2].name", "value": "REGION"},
                {"name": "env[2].value", "value": "eu-west-1"},
                {"name": "env[3].name", "value": "TOKEN_FILE"},
                {"name": "env[3].value", "value": "/run/t"},
                {"name": "env[04].name", "value": "API_KEY"},
                {"name": "env[+4].value", "value": "S-4"}]},
            "plugin": {"parameters": [
                {"name": "env[0].name", "string": "DB_PASSWORD"},
                {"name": "env[0].value", "string": "S-3"}]}}}});
        mask_secrets(&mut app);
        let text = app.to_string();
        for secret in ["S-1", "S-2", "S-3", "S-4"] {
            assert!(!text.contains(secret), "{secret} in {text}");
        }
        let helm = &app["spec"]["source"]["helm"]["parameters"];
        assert_eq!(helm[0]["value"], "DB_PASSWORD");
        assert_eq!(helm[1]["value"], MASK);
        assert_eq!(helm[3]["forceString"], true);
        assert_eq!(helm[5]["value"], "eu-west-1");
        assert_eq!(helm[7]["value"], "/run/t");
    }

    #[test]
    fn map_keys_pairing_a_name_and_a_value_lose_the_value_of_a_credential() {
        let mut map = json!({"apiVersion": "v1", "kind": "ConfigMap", "data": {
            "env[0].name": "DB_PASSWORD", "env[0].value": "S-4",
            "env[1].name": "MODE", "env[1].value": "prod",
            "nested": {"x.key": "apiKey", "x.default": 7}}});
        mask_secrets(&mut map);
        assert_eq!(map["data"]["env[0].value"], MASK);
        assert_eq!(map["data"]["env[0].name"], "DB_PASSWORD");
        assert_eq!(map["data"]["env[1].value"], "prod");
        assert_eq!(map["data"]["nested"]["x.default"], MASK);
    }
}
