//! What an agent watching an app needs to hear: its sync status, health, operation phase and
//! revision. Each app's last state is kept; an event that changes none of them says nothing
//! (Argo CD reconciles every few minutes, mostly changing nothing an agent cares about).

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use super::uris::AppRef;

/// Where a notification's `_meta` says what changed.
pub const META_CHANGE: &str = "argocd-mcp/change";

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AppState {
    pub project: String,
    pub sync: String,
    pub health: String,
    /// The last operation's phase (`Running`, `Succeeded`, …); empty before any.
    pub operation: String,
    /// What it is synced to (the first source's, for a multi-source app).
    pub revision: String,
}

impl AppState {
    /// Reads an Application (whole or trimmed by `fields`).
    pub fn of(app: &Value) -> AppState {
        let text = |pointer: &str| app.pointer(pointer).and_then(Value::as_str).unwrap_or("");
        let revision = match text("/status/sync/revision") {
            "" => text("/status/sync/revisions/0"),
            one => one,
        };
        AppState {
            project: text("/spec/project").to_owned(),
            sync: text("/status/sync/status").to_owned(),
            health: text("/status/health/status").to_owned(),
            operation: text("/status/operationState/phase").to_owned(),
            revision: revision.to_owned(),
        }
    }
}

/// What one app's event changed, for the notification's `_meta`.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    pub app: AppRef,
    pub meta: Map<String, Value>,
}

/// The last state of every app seen, and what each event changes of it.
#[derive(Debug, Default)]
pub struct Tracker {
    apps: BTreeMap<AppRef, AppState>,
}

/// How an event bears on the apps known.
#[derive(Debug, PartialEq)]
pub enum Seen {
    /// An app not known before (at the start of a watch, or created since).
    New(Change),
    /// A known app whose watched state changed.
    Changed(Change),
    Deleted(Change),
    /// Nothing an agent watches changed.
    Same,
}

impl Tracker {
    pub fn knows(&self, app: &AppRef) -> bool {
        self.apps.contains_key(app)
    }

    pub fn apps(&self) -> impl Iterator<Item = &AppRef> {
        self.apps.keys()
    }

    /// Takes an app's present state. A sync or rollback clears the last operation's state
    /// when it is requested (Argo CD's `SetAppOperation`) and the controller starts it moments
    /// later: that gap is no change to tell ("operation Succeeded → none"), so the last phase
    /// stands until the next one comes ("operation Succeeded → Running").
    pub fn update(&mut self, app: AppRef, mut state: AppState) -> Seen {
        if state.operation.is_empty()
            && let Some(before) = self.apps.get(&app)
        {
            state.operation.clone_from(&before.operation);
        }
        match self.apps.insert(app.clone(), state.clone()) {
            None => Seen::New(Change {
                meta: describe(&app, &AppState::default(), &state, false),
                app,
            }),
            Some(before) if before == state => Seen::Same,
            Some(before) => Seen::Changed(Change {
                meta: describe(&app, &before, &state, false),
                app,
            }),
        }
    }

    pub fn delete(&mut self, app: &AppRef) -> Seen {
        match self.apps.remove(app) {
            Some(before) => Seen::Deleted(Change {
                meta: describe(app, &before, &AppState::default(), true),
                app: app.clone(),
            }),
            None => Seen::Same,
        }
    }
}

/// `_meta` of a notification: the app, each watched field that changed as `{from, to}`, and one
/// line a person reads ("argocd/checkout: sync Synced → OutOfSync").
fn describe(
    app: &AppRef,
    before: &AppState,
    after: &AppState,
    deleted: bool,
) -> Map<String, Value> {
    let mut change = Map::new();
    change.insert("app".into(), json!(app.to_string()));
    let mut said = Vec::new();
    for (field, from, to) in [
        ("sync", &before.sync, &after.sync),
        ("health", &before.health, &after.health),
        ("operation", &before.operation, &after.operation),
        ("revision", &before.revision, &after.revision),
    ] {
        if from != to && !deleted {
            change.insert(field.into(), json!({"from": from, "to": to}));
            let shown = |s: &str| {
                if s.is_empty() {
                    "none".to_owned()
                } else {
                    s.to_owned()
                }
            };
            said.push(format!("{field} {} → {}", shown(from), shown(to)));
        }
    }
    if deleted {
        change.insert("deleted".into(), json!(true));
        said.push("deleted".into());
    }
    change.insert(
        "summary".into(),
        json!(format!("{app}: {}", said.join(", "))),
    );
    // Inserted, not collected: `from_iter` brings in a sort of its own (issue 16).
    let mut meta = Map::new();
    meta.insert(META_CHANGE.into(), Value::Object(change));
    meta
}

#[cfg(test)]
mod tests {
    use super::*;

    fn app() -> AppRef {
        AppRef {
            namespace: "argocd".into(),
            name: "checkout".into(),
        }
    }

    fn state(sync: &str, health: &str, operation: &str) -> AppState {
        AppState {
            project: "payments".into(),
            sync: sync.into(),
            health: health.into(),
            operation: operation.into(),
            revision: "abc".into(),
        }
    }

    #[test]
    fn only_a_change_of_what_is_watched_is_told_with_from_and_to() {
        let mut tracker = Tracker::default();
        assert!(matches!(
            tracker.update(app(), state("Synced", "Healthy", "")),
            Seen::New(_)
        ));
        assert_eq!(
            tracker.update(app(), state("Synced", "Healthy", "")),
            Seen::Same
        );
        let Seen::Changed(change) = tracker.update(app(), state("OutOfSync", "Healthy", "")) else {
            panic!("a sync change is a change");
        };
        let said = &change.meta[META_CHANGE];
        assert_eq!(said["sync"], json!({"from": "Synced", "to": "OutOfSync"}));
        assert!(said.get("health").is_none());
        assert_eq!(said["summary"], "argocd/checkout: sync Synced → OutOfSync");
        // A sync requested clears the last operation's state until the controller starts it.
        assert_eq!(
            tracker.update(app(), state("OutOfSync", "Healthy", "")),
            Seen::Same
        );
        let Seen::Changed(change) = tracker.update(app(), state("OutOfSync", "Healthy", "Running"))
        else {
            panic!("an operation starting is a change");
        };
        assert_eq!(
            change.meta[META_CHANGE]["summary"],
            "argocd/checkout: operation none → Running"
        );
        let mut tracker = Tracker::default();
        tracker.update(app(), state("Synced", "Healthy", "Succeeded"));
        assert_eq!(
            tracker.update(app(), state("Synced", "Healthy", "")),
            Seen::Same
        );
        let Seen::Changed(change) = tracker.update(app(), state("Synced", "Healthy", "Running"))
        else {
            panic!("the next operation starting is a change");
        };
        assert_eq!(
            change.meta[META_CHANGE]["operation"],
            json!({"from": "Succeeded", "to": "Running"})
        );
        assert!(matches!(tracker.delete(&app()), Seen::Deleted(_)));
        assert_eq!(tracker.delete(&app()), Seen::Same);
    }

    #[test]
    fn an_application_is_read_whole_or_trimmed() {
        let read = AppState::of(&json!({"spec": {"project": "p"}, "status": {
            "sync": {"status": "Synced", "revisions": ["r1", "r2"]},
            "health": {"status": "Progressing"},
            "operationState": {"phase": "Succeeded"}}}));
        assert_eq!(read.revision, "r1");
        assert_eq!(
            (
                read.sync.as_str(),
                read.health.as_str(),
                read.operation.as_str()
            ),
            ("Synced", "Progressing", "Succeeded")
        );
        assert_eq!(AppState::of(&json!({})), AppState::default());
    }
}
