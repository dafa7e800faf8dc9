//! What read-only mode (`ARGOCD_READ_ONLY`) allows of the tools that change nothing in Argo CD
//! but make it work outside its own state. Read-only means nothing runs that reaches beyond
//! what Argo CD already holds: an ApplicationSet preview runs only generators that read Argo
//! CD's own objects, a refresh only re-compares (a hard refresh re-renders from git), and
//! manifests or revision metadata are read only at revisions the app already has (any other
//! makes Argo CD's repo-server fetch it from git, and render it with Helm, Kustomize or
//! plugins, on the caller's word).

use serde_json::Value;

use crate::argocd::{ArgoClient, ArgoError};
use crate::host::Host;

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
    crate::order::sort_rows_by(&mut calling_out, |a, b| a.cmp(b));
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
            let folded = super::patch_spelling::go_fold(key);
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

/// In read-only mode, refuses revisions `named` by the caller that app `app_name` does not
/// already have ([`known_revisions`]); reads the app only when a revision is named. Each named
/// revision comes with the source (0-based) it is applied to, when the caller says: it must then
/// be one that very source has, since Argo CD fetches it from that source's repository.
///
/// Returns the revisions to send, in the order named: in read-only mode each as the app has it,
/// an abbreviated commit written out whole (Argo CD resolves a branch or tag of the same name
/// before an abbreviation, so `deadbeef` could fetch a branch anyone with push access made;
/// the whole commit cannot); otherwise as given.
pub async fn check_named_revisions<H: Host>(
    client: &ArgoClient<'_, H>,
    app_name: &str,
    app_namespace: Option<&str>,
    named: &[(&str, Option<usize>)],
) -> Result<Vec<String>, ArgoError> {
    let nothing_named = named.iter().all(|(r, _)| r.trim().is_empty());
    if !client.settings().read_only || nothing_named {
        return Ok(named.iter().map(|(r, _)| (*r).to_owned()).collect());
    }
    let app = super::project_guard::current_app(client, app_name, app_namespace).await?;
    revisions_as_known(&app, named)
}

/// Most revisions an error lists.
const LISTED: usize = 10;

/// Each named revision as the app knows it ([`known_as`]), or an error naming those it does not
/// know. An empty one stays empty (Argo CD then uses the app's own).
fn revisions_as_known(
    app: &Value,
    named: &[(&str, Option<usize>)],
) -> Result<Vec<String>, ArgoError> {
    let mut known_as_named = Vec::new();
    let mut unknown = Vec::new();
    for (revision, source) in named {
        let revision = revision.trim();
        if revision.is_empty() {
            known_as_named.push(String::new());
            continue;
        }
        match known_at_every_source_it_reaches(app, *source, revision) {
            Some(known) => known_as_named.push(known.to_owned()),
            None => unknown.push(revision),
        }
    }
    if unknown.is_empty() {
        return Ok(known_as_named);
    }
    let listed: Vec<&str> = known_revisions(app, None)
        .into_iter()
        .take(LISTED)
        .collect();
    Err(ArgoError::invalid_input(format!(
        "this server is read-only (ARGOCD_READ_ONLY): {unknown:?} is not a revision this app (at the source it is applied to) targets, is synced to or has in its history; Argo CD would fetch it from git (and render it with Helm, Kustomize or plugins) on the caller's word, which read-only rules out. Revisions it has: {}. Nothing was sent",
        if listed.is_empty() {
            "none".to_owned()
        } else {
            listed.join(", ")
        }
    )))
}

/// The known revision `revision` stands for at the source it is applied to. Named without a
/// source on a multi-source app, Argo CD may apply it to any of them (revision metadata to the
/// first, other requests to each), so it must be one that every source has.
fn known_at_every_source_it_reaches<'a>(
    app: &'a Value,
    source: Option<usize>,
    revision: &str,
) -> Option<&'a str> {
    let sources = app["spec"]["sources"].as_array().map_or(0, Vec::len);
    if source.is_some() || sources == 0 {
        return known_as(&known_revisions(app, source), revision);
    }
    let mut at_each =
        (0..sources).map(|index| known_as(&known_revisions(app, Some(index)), revision));
    let first = at_each.next()??;
    at_each.all(|known| known == Some(first)).then_some(first)
}

/// The revisions an app already has, which Argo CD fetches and renders on its own: the target
/// revision of each source, what it is synced to, what its last operation synced, and every
/// revision in its history. With `source` (0-based), those of that source of a multi-source
/// app alone: its target, its place in each `revisions` list, and history entries only while
/// that place held the same repository.
fn known_revisions(app: &Value, source: Option<usize>) -> Vec<&str> {
    let spec = &app["spec"];
    let status = &app["status"];
    let holders = [&status["sync"], &status["operationState"]["syncResult"]]
        .into_iter()
        .chain(status["history"].as_array().into_iter().flatten());
    let mut known: Vec<&str> = match (source, spec["sources"].as_array()) {
        (Some(index), Some(sources)) => {
            let repo = &sources.get(index).unwrap_or(&Value::Null)["repoURL"];
            let same_repo = |holder: &Value| {
                deployed_from(holder, "sources")
                    .get(index)
                    .is_none_or(|then| then["repoURL"] == *repo)
            };
            std::iter::once(&sources.get(index).unwrap_or(&Value::Null)["targetRevision"])
                .chain(
                    holders
                        .filter(|holder| same_repo(holder))
                        .map(|holder| &holder["revisions"][index]),
                )
                .filter_map(Value::as_str)
                .collect()
        }
        _ => {
            // A single source: history entries only while it held the same repository (an
            // entry keeps the source it deployed; its branch may not exist in today's one).
            let repo = &spec["source"]["repoURL"];
            std::iter::once(&spec["source"]["targetRevision"])
                .chain(
                    holders
                        .filter(|holder| {
                            let then = deployed_from(holder, "source");
                            then.is_null() || then["repoURL"] == *repo
                        })
                        .map(|holder| &holder["revision"]),
                )
                .filter_map(Value::as_str)
                .collect()
        }
    };
    known.retain(|revision| !revision.is_empty());
    crate::order::sort_rows_by(&mut known, |a, b| a.cmp(b));
    known.dedup();
    known
}

/// The `source` or `sources` a revision holder was deployed or compared from: its own (a
/// history entry, the last sync's result) or, for the sync status, `comparedTo`'s. Null when
/// it names none.
fn deployed_from<'v>(holder: &'v Value, field: &str) -> &'v Value {
    match holder.get(field) {
        Some(own) if !own.is_null() => own,
        _ => &holder["comparedTo"][field],
    }
}

/// The known revision `named` stands for: one written the same, or the one commit an
/// abbreviation (7 or more hex digits) starts. None when it is neither, or when it abbreviates
/// several known commits.
fn known_as<'a>(known: &[&'a str], named: &str) -> Option<&'a str> {
    if let Some(same) = known.iter().find(|k| **k == named) {
        return Some(same);
    }
    let abbreviation = named.len() >= 7 && named.bytes().all(|b| b.is_ascii_hexdigit());
    if !abbreviation {
        return None;
    }
    let mut commits = known.iter().filter(|k| {
        k.len() == 40
            && k.get(..named.len())
                .is_some_and(|start| start.eq_ignore_ascii_case(named))
    });
    let commit = commits.next()?;
    commits.next().is_none().then_some(commit)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// A single-source app: its target, what it is synced to, its last operation and history.
    fn app() -> Value {
        json!({
            "spec": {"source": {"repoURL": "https://git/app", "targetRevision": "main"}},
            "status": {
                "sync": {"revision": "0123456789abcdef0123456789abcdef01234567"},
                "operationState": {"syncResult": {"revision": "fedcba9876543210fedcba9876543210fedcba98",
                                                  "source": {"repoURL": "https://git/app"}}},
                "history": [
                    {"revision": "1111111111111111111111111111111111111111", "source": {"repoURL": "https://git/app"}},
                    {"revision": "2222222222222222222222222222222222222222", "source": {"repoURL": "https://git/app"}},
                    {"revision": "1.4.1"},
                    {"revision": "legacy-branch", "source": {"repoURL": "https://git/old-app"}}
                ]
            }
        })
    }

    #[test]
    fn revisions_the_app_has_are_allowed() {
        for named in [
            "main",
            "1.4.1",
            "0123456789abcdef0123456789abcdef01234567",
            "0123456",
            "0123456789ABCDEF",
            "fedcba9876543210fedcba9876543210fedcba98",
            "1111111111111111111111111111111111111111",
            "2222222",
        ] {
            assert!(
                revisions_as_known(&app(), &[(named, None)]).is_ok(),
                "{named}"
            );
        }
    }

    /// An abbreviation goes out as the whole commit, so a branch or tag named like it cannot be
    /// what Argo CD fetches; one that abbreviates two known commits is refused.
    #[test]
    fn abbreviations_go_out_whole() {
        let sent =
            revisions_as_known(&app(), &[("0123456", None), (" main ", None), ("", None)]).unwrap();
        assert_eq!(
            sent,
            ["0123456789abcdef0123456789abcdef01234567", "main", ""]
        );
        let twins = json!({"status": {"history": [
            {"revision": "abcdef0111111111111111111111111111111111"},
            {"revision": "abcdef0222222222222222222222222222222222"}
        ]}});
        assert!(revisions_as_known(&twins, &[("abcdef0", None)]).is_err());
        assert!(revisions_as_known(&twins, &[("abcdef02", None)]).is_ok());
    }

    #[test]
    fn other_revisions_are_refused_and_named() {
        for named in [
            &["feature-x"][..],
            &["main", "v9.9.9"],
            &["012345"],
            &["0123456789abcdef0123456789abcdef01234567x"],
            &["Main"],
            &["3333333"],
            // In the history, but deployed from another repository than the app's today.
            &["legacy-branch"],
        ] {
            let named: Vec<(&str, Option<usize>)> = named.iter().map(|n| (*n, None)).collect();
            let message = revisions_as_known(&app(), &named).unwrap_err().to_string();
            assert!(
                message.contains("read-only") && message.contains(named[named.len() - 1].0),
                "{message}"
            );
            assert!(message.contains("1.4.1, "), "{message}");
        }
        let bare = revisions_as_known(&json!({}), &[("HEAD", None)])
            .unwrap_err()
            .to_string();
        assert!(bare.contains("Revisions it has: none"), "{bare}");
    }

    /// A revision applied to one source of a multi-source app is judged by that source's alone:
    /// another source's branch, or a revision the place held for another repository, is refused.
    #[test]
    fn what_the_sync_status_was_compared_from_is_judged_too() {
        // The app's repository changed; Argo CD has not compared it again yet.
        let single = json!({
            "spec": {"source": {"repoURL": "https://git/new", "targetRevision": "main"}},
            "status": {"sync": {"revision": "old-branch", "comparedTo": {"source": {"repoURL": "https://git/old"}}}}
        });
        assert!(revisions_as_known(&single, &[("old-branch", None)]).is_err());
        let same = json!({
            "spec": {"source": {"repoURL": "https://git/new", "targetRevision": "main"}},
            "status": {"sync": {"revision": "synced", "comparedTo": {"source": {"repoURL": "https://git/new"}}}}
        });
        assert!(revisions_as_known(&same, &[("synced", None)]).is_ok());
        let multi = json!({
            "spec": {"sources": [{"repoURL": "https://git/new", "targetRevision": "main"}]},
            "status": {"sync": {"revisions": ["old-branch"], "comparedTo": {"sources": [{"repoURL": "https://git/old"}]}}}
        });
        assert!(revisions_as_known(&multi, &[("old-branch", Some(0))]).is_err());
    }

    #[test]
    fn a_revision_is_judged_by_the_source_it_is_applied_to() {
        let app = json!({
            "spec": {"sources": [
                {"repoURL": "https://git/app", "targetRevision": "main"},
                {"repoURL": "https://git/values", "targetRevision": "release-candidate"}
            ]},
            "status": {
                "sync": {"revisions": ["1111111111111111111111111111111111111111", "2222222222222222222222222222222222222222"]},
                "history": [{"revisions": ["3333333333333333333333333333333333333333", "old-values"],
                             "sources": [{"repoURL": "https://git/other"}, {"repoURL": "https://git/values"}]}]
            }
        });
        let judge = |revision: &str, source: usize| {
            revisions_as_known(&app, &[(revision, Some(source))]).is_ok()
        };
        assert!(judge("main", 0) && judge("1111111", 0));
        assert!(judge("release-candidate", 1) && judge("2222222", 1) && judge("old-values", 1));
        assert!(!judge("release-candidate", 0), "another source's branch");
        assert!(!judge("main", 1));
        assert!(
            !judge("3333333", 0),
            "history of another repository at that place"
        );
        assert!(!judge("main", 7), "no such source");
        // Without a source named, Argo CD may apply it to any source (revision metadata to the
        // first): only a revision every source has goes.
        assert!(revisions_as_known(&app, &[("release-candidate", None)]).is_err());
        assert!(revisions_as_known(&app, &[("main", None)]).is_err());
        let shared = json!({"spec": {"sources": [
            {"repoURL": "https://git/a", "targetRevision": "v1"},
            {"repoURL": "https://git/b", "targetRevision": "v1"}]}});
        assert!(revisions_as_known(&shared, &[("v1", None)]).is_ok());
    }

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
