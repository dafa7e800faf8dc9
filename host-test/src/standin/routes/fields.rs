//! The `fields` query parameter, as Argo CD applies it (api-notes §d): List keeps only paths of
//! a fixed allow-list (`forwarder_overwrite.go`); streams filter each message's JSON by any
//! paths (argoproj/pkg v2.0.1 `grpc/http/forwarders.go`, `messageMarshaler.processItem`).

use serde_json::{Value, json};

use super::Params;

/// `fields` as `newMarshaler` reads it: the first value only; one leading `-` switches to
/// excluding; the rest split on commas, nothing trimmed. `None` when absent or empty.
#[derive(Debug, Clone)]
pub(super) struct Fields {
    pub paths: Vec<String>,
    pub exclude: bool,
}

impl Fields {
    pub fn of(params: &Params) -> Option<Fields> {
        let query = params.get("fields").filter(|f| !f.is_empty())?;
        let (query, exclude) = match query.strip_prefix('-') {
            Some(rest) => (rest, true),
            None => (query, false),
        };
        Some(Fields {
            paths: query.split(',').map(str::to_owned).collect(),
            exclude,
        })
    }

    /// Filters a stream message in place as `processItem` does, quirks included: a key is kept
    /// when some path merely *starts with* its dotted path (so `…metadata.namespace` keeps
    /// `…metadata.name` too), and the items of an array are filtered with the array's own path.
    pub fn filter(&self, message: &mut Value) {
        self.process("", message);
    }

    fn process(&self, at: &str, item: &mut Value) {
        match item {
            Value::Object(map) => map.retain(|key, value| {
                let path = if at.is_empty() {
                    key.clone()
                } else {
                    format!("{at}.{key}")
                };
                let listed = self.paths.contains(&path);
                let under = listed || self.paths.iter().any(|p| p.starts_with(&path));
                let keep = if self.exclude { !listed } else { under };
                if keep && !listed {
                    self.process(&path, value);
                }
                keep
            }),
            Value::Array(items) => {
                for item in items {
                    self.process(at, item);
                }
            }
            _ => {}
        }
    }

    /// The allow-listed paths (without `items.`) List keeps for this query.
    pub fn for_list(&self) -> Vec<&'static str> {
        let named: Vec<&str> = self
            .paths
            .iter()
            .filter_map(|p| p.strip_prefix("items."))
            .collect();
        LIST_FIELDS
            .iter()
            .copied()
            .filter(|f| named.contains(f) != self.exclude)
            .collect()
    }
}

/// Paths `fields` may keep on List (forwarder_overwrite.go allow-list), without the `items.` prefix.
pub(super) const LIST_FIELDS: &[&str] = &[
    "metadata.name",
    "metadata.namespace",
    "metadata.annotations",
    "metadata.labels",
    "metadata.creationTimestamp",
    "metadata.deletionTimestamp",
    "spec",
    "spec.destination",
    "spec.project",
    "spec.source",
    "spec.sources",
    "spec.sourceHydrator",
    "spec.syncPolicy",
    "status.sourceHydrator",
    "status.summary",
    "status.sync.status",
    "status.sync.revision",
    "status.health",
    "status.operationState.startedAt",
    "status.operationState.finishedAt",
    "status.operationState.phase",
    "status.resources",
    "operation.sync",
];

/// Keeps only `paths` (dotted) of `object`.
pub(super) fn project_fields(object: &Value, paths: &[&str]) -> Value {
    let mut out = json!({});
    for path in paths {
        let keys: Vec<&str> = path.split('.').collect();
        let mut source = object;
        let mut found = true;
        for key in &keys {
            match source.get(*key) {
                Some(v) => source = v,
                None => {
                    found = false;
                    break;
                }
            }
        }
        if !found {
            continue;
        }
        let mut target = &mut out;
        for key in &keys[..keys.len() - 1] {
            if target.get(*key).is_none() {
                target[*key] = json!({});
            }
            target = &mut target[*key];
        }
        target[keys[keys.len() - 1]] = source.clone();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(query: &str) -> Fields {
        Fields::of(&Params(vec![("fields".into(), query.into())])).unwrap()
    }

    #[test]
    fn list_keeps_only_the_allow_listed_paths_asked() {
        let app = json!({"metadata": {"name": "a", "uid": "x"}, "status": {"sync": {"status": "Synced", "revision": "r"}, "history": []}});
        let kept = fields("items.metadata.name,items.status.sync.status,items.status.history");
        assert_eq!(
            project_fields(&app, &kept.for_list()),
            json!({"metadata": {"name": "a"}, "status": {"sync": {"status": "Synced"}}})
        );
        // Only the first `-` excludes, and it applies to the whole list.
        let dropped = fields("-items.metadata.name,items.spec").for_list();
        assert!(!dropped.contains(&"metadata.name") && !dropped.contains(&"spec"));
        assert!(dropped.contains(&"status.health"));
    }

    #[test]
    fn streams_filter_any_path_with_the_prefix_quirk() {
        let message = json!({"result": {"type": "MODIFIED", "application": {
            "metadata": {"name": "a", "namespace": "argocd", "uid": "x"},
            "status": {"resources": [{"kind": "Service", "name": "s", "health": {"status": "Healthy"}}]}
        }}});
        let mut kept = message.clone();
        fields("result.type,result.application.metadata.namespace,result.application.status.resources.kind").filter(&mut kept);
        assert_eq!(
            kept,
            json!({"result": {"type": "MODIFIED", "application": {
                // `name` stays: `…metadata.namespace` starts with `…metadata.name`.
                "metadata": {"name": "a", "namespace": "argocd"},
                "status": {"resources": [{"kind": "Service"}]}
            }}})
        );
        let mut trimmed = message.clone();
        fields("-result.application.status").filter(&mut trimmed);
        assert_eq!(
            trimmed,
            json!({"result": {"type": "MODIFIED", "application": {"metadata": {"name": "a", "namespace": "argocd", "uid": "x"}}}})
        );
        // The error chunk goes through the same marshaler: no path names it, so it empties.
        let mut error = json!({"error": {"grpc_code": 14}});
        fields("result.type").filter(&mut error);
        assert_eq!(error, json!({}));
    }
}
