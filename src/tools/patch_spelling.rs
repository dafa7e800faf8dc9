//! Keys a merge patch spells so that Argo CD reads them as another field. Argo CD merges the
//! patch into the Application's JSON key by key as written (case matters there), then decodes
//! the result with Go's `encoding/json`, which takes a key for a field whatever its ASCII case
//! and reads `ſ` (U+017F) as `s` and the Kelvin sign (U+212A) as `k`. A patch holding
//! `{"ſpec": {"project": …}}`, or `Project` beside `project`, then changes a field the project
//! allow-list and the approval question judged by its usual spelling, and saw unchanged.
//!
//! Such a patch is refused before anything is sent or asked: a key that is not ASCII, a key
//! that folds like another key of the same object (in the patch, or in the app as it is), and a
//! key that folds like a field of the Application without being spelled as that field is
//! (`spec.Sources`, `spec.source.Helm`: Go reads them as `sources` and `helm` even where the app
//! has neither yet). The fields are those of Argo CD's Application as its API publishes them
//! (`application_fields.txt`, generated from Argo CD v3.5.1's swagger by a test).

use serde_json::Value;

use crate::argocd::ArgoError;

/// A key as Go's `encoding/json` matches it to a field: ASCII case ignored, `ſ` as `s`, the
/// Kelvin sign as `k` (the two non-ASCII characters whose simple case folding reaches ASCII).
pub fn go_fold(key: &str) -> String {
    key.chars()
        .map(|c| match c {
            '\u{212a}' => 'k',
            '\u{17f}' => 's',
            c => c.to_ascii_lowercase(),
        })
        .collect()
}

/// Refuses `patch` when Argo CD could read one of its keys as another field ([the
/// module](self)); `current` is the app as read, when it was.
pub fn check_patch_spelling(current: Option<&Value>, patch: &Value) -> Result<(), ArgoError> {
    let found = misspelled_key(current, patch, "")
        .or_else(|| field_misspelled(patch, Some("Application"), ""));
    match found {
        Some(at) => Err(ArgoError::invalid_input(format!(
            "the patch key at [{at}] could be read by Argo CD as another field (Go's JSON decoding ignores ASCII case and reads 'ſ' as 's'): spell each field exactly once, as the Application has it, in ASCII. Nothing was sent to Argo CD."
        ))),
        None => Ok(()),
    }
}

/// The path of the first key of `patch` that is not ASCII or folds like another key beside it.
fn misspelled_key(current: Option<&Value>, patch: &Value, path: &str) -> Option<String> {
    match patch {
        Value::Object(changes) => {
            let existing = current.and_then(Value::as_object);
            for (key, change) in changes {
                let at = below(path, &Value::from(key.as_str()));
                let folded = go_fold(key);
                let twin = |other: &String| other != key && go_fold(other) == folded;
                if !key.is_ascii()
                    || changes.keys().any(twin)
                    || existing.is_some_and(|fields| fields.keys().any(twin))
                {
                    return Some(at);
                }
                let inner = existing.and_then(|fields| fields.get(key));
                if let Some(found) = misspelled_key(inner, change, &at) {
                    return Some(found);
                }
            }
            None
        }
        Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, item)| misspelled_key(None, item, &below(path, &Value::from(i)))),
        _ => None,
    }
}

/// `path` (keys as JSON strings, indices as numbers, comma-separated) one step further down.
/// Keys are quoted apart, never joined by `/` or `.`: a setting's secret holding one (a proxy
/// token `a/b`) would otherwise be made of two keys the caller sent apart, and masked in the
/// refusal only when the caller guessed it right (review40 S1).
fn below(path: &str, step: &Value) -> String {
    match path {
        "" => step.to_string(),
        _ => format!("{path},{step}"),
    }
}

/// The Application's fields: a line per object type, `Type: field field>Child …`, where
/// `>Child` names the type of the field's value (or of each item of its list). A field without
/// one holds a scalar, free text or a map whose keys are the user's (labels, `valuesObject`).
const APPLICATION_FIELDS: &str = include_str!("application_fields.txt");

/// Whether `name` is a field of any of the Application's object types ([`APPLICATION_FIELDS`]),
/// not a key of a map the user writes (labels, `valuesObject`).
pub fn is_application_field(name: &str) -> bool {
    APPLICATION_FIELDS.lines().any(|line| {
        let fields = line.split_once(": ").map_or("", |(_, fields)| fields);
        fields
            .split(' ')
            .any(|field| field.split('>').next() == Some(name))
    })
}

/// Whether `name` is a field that holds an object of the Application's types (or a list of
/// them): `spec`, `source`, `helm`; not a map the user writes (`valuesObject`, `labels`).
pub fn field_holds_fields(name: &str) -> bool {
    APPLICATION_FIELDS.lines().any(|line| {
        let fields = line.split_once(": ").map_or("", |(_, fields)| fields);
        fields.split(' ').any(|field| {
            field
                .split_once('>')
                .is_some_and(|(field, _)| field == name)
        })
    })
}

/// The fields of `type_name` in [`APPLICATION_FIELDS`]: each name with its value's type.
fn fields_of(type_name: &str) -> impl Iterator<Item = (&'static str, Option<&'static str>)> {
    APPLICATION_FIELDS
        .lines()
        .find_map(|line| line.strip_prefix(type_name)?.strip_prefix(": "))
        .unwrap_or("")
        .split(' ')
        .filter(|field| !field.is_empty())
        .map(|field| match field.split_once('>') {
            Some((name, child)) => (name, Some(child)),
            None => (field, None),
        })
}

/// The path of the first key of `patch` (an object of `type_name`) that Go would read as a field
/// spelled otherwise. Keys that are no field at all are left alone: Argo CD drops them.
fn field_misspelled(patch: &Value, type_name: Option<&str>, path: &str) -> Option<String> {
    let type_name = type_name?;
    match patch {
        Value::Object(changes) => changes.iter().find_map(|(key, change)| {
            let at = below(path, &Value::from(key.as_str()));
            let folded = go_fold(key);
            let mut fields = fields_of(type_name);
            match fields.find(|(name, _)| go_fold(name) == folded) {
                Some((name, _)) if name != key => Some(at),
                Some((_, child)) => field_misspelled(change, child, &at),
                None => None,
            }
        }),
        Value::Array(items) => items.iter().enumerate().find_map(|(i, item)| {
            field_misspelled(item, Some(type_name), &below(path, &Value::from(i)))
        }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn keys_argo_cd_would_read_as_another_field_are_refused() {
        let app = json!({"spec": {"project": "default", "source": {"repoURL": "https://git/a"}}});
        for patch in [
            json!({"\u{17f}pec": {"project": "payments"}}),
            json!({"spec": {"Project": "payments"}}),
            json!({"spec": {"source": {"RepoURL": "https://evil"}}}),
            json!({"spec": {"project": "a", "PROJECT": "b"}}),
            json!({"metadata": {"annotations": {"\u{212a}ey": "x"}}}),
            json!({"spec": {"sources": [{"repoURL": "a", "repourl": "b"}]}}),
        ] {
            assert!(check_patch_spelling(Some(&app), &patch).is_err(), "{patch}");
        }
        for patch in [
            json!({"spec": {"project": "payments"}}),
            json!({"spec": {"source": {"repoURL": "https://git/b", "targetRevision": "v2"}}}),
            json!({"metadata": {"annotations": {"example.com/Team": "web"}}}),
            json!({"spec": {"source": {"helm": {"valuesObject": {"DB_HOST": "db", "replicaCount": 2}}}}}),
        ] {
            assert!(check_patch_spelling(Some(&app), &patch).is_ok(), "{patch}");
        }
        // Without the app, what the patch and the Application's fields show.
        assert!(check_patch_spelling(None, &json!({"\u{17f}pec": {}})).is_err());
        assert!(check_patch_spelling(None, &json!({"spec": {"Project": "x"}})).is_err());
    }

    /// The fourteenth review: a key spelled like a field the app does not have yet.
    #[test]
    fn a_field_is_spelled_as_the_application_has_it_even_where_the_app_lacks_it() {
        let app = json!({"spec": {"project": "default", "source": {"repoURL": "https://git/a"}}});
        for patch in [
            json!({"spec": {"Sources": [{"repoURL": "https://evil"}]}}),
            json!({"spec": {"source": {"Helm": {"values": "image: evil"}}}}),
            json!({"spec": {"sources": [{"repoURL": "a", "Chart": "b"}]}}),
            json!({"spec": {"syncPolicy": {"Automated": {"prune": true}}}}),
            json!({"spec": {"source": {"kustomize": {"patches": [{"target": {"Kind": "Secret"}}]}}}}),
            json!({"metadata": {"Labels": {"team": "web"}}}),
            json!({"Operation": {"sync": {}}}),
            json!({"spec": {"syncPolicy": {"syncOptions": ["A=true"], "Retry": {"limit": 1}}}}),
        ] {
            assert!(check_patch_spelling(Some(&app), &patch).is_err(), "{patch}");
        }
        for patch in [
            json!({"spec": {"sources": [{"repoURL": "a", "chart": "b", "helm": {"valuesObject": {"Image": {"Tag": "v2"}}}}]}}),
            json!({"metadata": {"labels": {"Team": "web"}, "annotations": {"Notes": "x"}}}),
            json!({"spec": {"source": {"kustomize": {"patches": [{"target": {"kind": "Deployment", "group": "apps"}}]}}}}),
            json!({"spec": {"source": {"plugin": {"env": [{"name": "A", "value": "b"}]}}}}),
            json!({"spec": {"syncPolicy": {"syncOptions": ["ServerSideApply=true"]}}}),
            json!({"spec": {"unknownField": {"Whatever": 1}}}),
        ] {
            assert!(check_patch_spelling(Some(&app), &patch).is_ok(), "{patch}");
        }
    }

    /// `application_fields.txt` is what Argo CD's swagger (`../shared/argocd/swagger.json`,
    /// v3.5.1) says of the Application, with the structs Go embeds inline flattened into the one
    /// that embeds them (the swagger shows them as fields of their own). Rewritten when it differs.
    #[test]
    fn application_fields_are_those_of_the_swagger() {
        let swagger = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/argocd/swagger.json");
        let Ok(text) = std::fs::read_to_string(swagger) else {
            println!("SKIPPED: {swagger} is not here; application_fields.txt was not checked");
            return;
        };
        let swagger: Value = serde_json::from_str(&text).unwrap();
        let generated = application_fields_from(&swagger["definitions"]);
        let file = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/src/tools/application_fields.txt"
        );
        if generated != APPLICATION_FIELDS {
            std::fs::write(file, &generated).unwrap();
            panic!("application_fields.txt differed from the swagger: rewritten, commit it");
        }
    }

    /// Types Go marshals as one value (a time, raw JSON, an int-or-string): their fields are
    /// no JSON keys.
    const SCALARS: [&str; 4] = [
        "v1Time",
        "runtimeRawExtension",
        "v1FieldsV1",
        "intstrIntOrString",
    ];
    /// `(type, field)`: a struct embedded with `json:",inline"`, its fields read as the
    /// embedding struct's own.
    const INLINE: [(&str, &str); 3] = [
        ("v1alpha1KustomizeSelector", "resId"),
        ("v1alpha1KustomizeResId", "gvk"),
        ("v1alpha1SyncStrategyHook", "syncStrategyApply"),
    ];

    fn application_fields_from(definitions: &Value) -> String {
        let short = |name: &str| {
            ["applicationv1alpha1", "v1alpha1", "v1"]
                .iter()
                .find_map(|prefix| name.strip_prefix(prefix))
                .unwrap_or(name)
                .to_owned()
        };
        let child = |property: &Value| {
            let reference = property
                .get("$ref")
                .or_else(|| property.pointer("/items/$ref"))?
                .as_str()?;
            let name = reference.rsplit('/').next()?;
            (!SCALARS.contains(&name)).then(|| name.to_owned())
        };
        // Each type's fields, the inline ones replaced by theirs.
        fn fields(definitions: &Value, name: &str, out: &mut Vec<(String, Value)>) {
            let properties = definitions[name]["properties"].as_object();
            for (field, property) in properties.into_iter().flatten() {
                match INLINE.iter().find(|(t, f)| *t == name && f == field) {
                    Some(_) => {
                        let embedded = property["$ref"]
                            .as_str()
                            .unwrap()
                            .rsplit('/')
                            .next()
                            .unwrap();
                        fields(definitions, embedded, out);
                    }
                    None => out.push((field.clone(), property.clone())),
                }
            }
        }
        let (mut lines, mut queue, mut seen) = (
            Vec::new(),
            vec!["v1alpha1Application".to_owned()],
            Vec::new(),
        );
        while let Some(name) = queue.pop() {
            if seen.contains(&name) {
                continue;
            }
            seen.push(name.clone());
            let mut found = Vec::new();
            fields(definitions, &name, &mut found);
            if name == "v1alpha1Application" {
                // TypeMeta, inline in every Kubernetes object and absent from the swagger.
                found.push(("apiVersion".into(), Value::Null));
                found.push(("kind".into(), Value::Null));
            }
            found.sort_by(|a, b| a.0.cmp(&b.0));
            let mut line = format!("{}:", short(&name));
            for (field, property) in found {
                line.push(' ');
                line.push_str(&field);
                if let Some(type_name) = child(&property) {
                    line.push('>');
                    line.push_str(&short(&type_name));
                    queue.push(type_name);
                }
            }
            lines.push(line);
        }
        lines.sort();
        lines.join("\n") + "\n"
    }
}
