//! The stand-in's change feed: what Argo CD's informer and its broadcaster (server/broadcast)
//! do for the watch stream. Every observable change to an app gets a new
//! `metadata.resourceVersion` (one counter for all apps, as etcd has) and becomes one
//! ADDED/MODIFIED/DELETED event, handed to each open watch in order.
//!
//! Changes are found by comparing an app with the state last published for it, so no route has
//! to remember to announce what it did: the routes publish the apps a request touched and those
//! the controller is working on, the controller's ticker publishes its progress, and a test's
//! [`StateGuard`] publishes everything when it is released.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::{Deref, DerefMut};
use std::sync::{Arc, Mutex, MutexGuard};

use serde_json::{Value, json};
use tokio::sync::mpsc;

use crate::standin::rbac::Policy;
use crate::standin::{AppRecord, State};

/// Events one watch may have waiting: Argo CD's `ARGOCD_WATCH_API_BUFFER_SIZE` default
/// (server/application/application.go:86). Its broadcaster drops an event that does not fit
/// instead of waiting (broadcaster.go `notify`), and the stream goes on: so does this one, which
/// keeps a slow watcher's memory bounded.
pub const WATCH_BUFFER: usize = 1000;

/// The resourceVersion of the informer before the first change: what List has always reported.
const FIRST_VERSION: u64 = 3_999_999;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventType {
    Added,
    Modified,
    Deleted,
}

impl EventType {
    /// As `watch.EventType` spells it on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            EventType::Added => "ADDED",
            EventType::Modified => "MODIFIED",
            EventType::Deleted => "DELETED",
        }
    }
}

/// One change of one app: the app as it is after it (for DELETED, as it was last).
#[derive(Debug)]
pub struct Event {
    pub kind: EventType,
    pub app: Value,
}

/// Whether a watch wants an event, judged with the RBAC policies of the moment (Argo CD enforces
/// per event, so a policy change applies to open watches).
pub type Filter = Box<dyn Fn(&Value, &[Policy]) -> bool + Send>;

struct Watcher {
    id: u64,
    filter: Filter,
    sender: mpsc::Sender<Arc<Event>>,
}

#[derive(Default)]
struct Watchers {
    next_id: u64,
    open: Vec<Watcher>,
}

/// Resource versions, the last published state of each app, and the open watches.
pub struct Feed {
    version: u64,
    published: BTreeMap<String, Value>,
    /// Apart from the state's lock: a watch that ends (its body dropped by hyper) leaves without
    /// taking the state's lock.
    watchers: Arc<Mutex<Watchers>>,
}

/// An open watch: the apps it starts with, its events, and its place among the open watches,
/// given up when this is dropped.
pub struct Subscription {
    pub initial: Vec<Value>,
    pub events: mpsc::Receiver<Arc<Event>>,
    pub handle: WatchHandle,
}

/// Counts as an open watch at the stand-in until dropped.
pub struct WatchHandle {
    id: u64,
    watchers: Arc<Mutex<Watchers>>,
}

impl Drop for WatchHandle {
    fn drop(&mut self) {
        lock(&self.watchers).open.retain(|w| w.id != self.id);
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

fn version_of(app: &Value) -> Option<u64> {
    app["metadata"]["resourceVersion"].as_str()?.parse().ok()
}

impl Feed {
    /// The apps as they start are the first published state.
    pub fn new(apps: &BTreeMap<String, AppRecord>) -> Feed {
        let published: BTreeMap<String, Value> = apps
            .iter()
            .map(|(name, record)| (name.clone(), record.app.clone()))
            .collect();
        let version = published
            .values()
            .filter_map(version_of)
            .fold(FIRST_VERSION, u64::max);
        Feed {
            version,
            published,
            watchers: Arc::default(),
        }
    }

    /// The newest resourceVersion handed out (the informer's, which List reports).
    pub fn version(&self) -> u64 {
        self.version
    }

    /// Watch streams open now.
    pub fn open_watches(&self) -> usize {
        lock(&self.watchers).open.len()
    }

    /// Opens a watch: `initial` are the published apps `wanted` picks (as the informer's cache
    /// holds them), taken under the same lock as the registration, so no change falls between
    /// them and the first event. (Argo CD lists, then subscribes: a change in between is lost.
    /// That race is not reproduced; nothing a client can do would tell it from a slower change.)
    pub fn subscribe(
        &mut self,
        policies: &[Policy],
        wanted: Filter,
        with_initial: bool,
    ) -> Subscription {
        let initial = if with_initial {
            self.published
                .values()
                .filter(|app| wanted(app, policies))
                .cloned()
                .collect()
        } else {
            Vec::new()
        };
        let (sender, events) = mpsc::channel(WATCH_BUFFER);
        let mut watchers = lock(&self.watchers);
        let id = watchers.next_id;
        watchers.next_id += 1;
        watchers.open.push(Watcher {
            id,
            filter: wanted,
            sender,
        });
        Subscription {
            initial,
            events,
            handle: WatchHandle {
                id,
                watchers: self.watchers.clone(),
            },
        }
    }

    fn stamp(&mut self, app: &mut Value) {
        self.version += 1;
        app["metadata"]["resourceVersion"] = json!(self.version.to_string());
    }
}

impl State {
    /// Apps the controller is still working on: their state changes with time alone.
    pub(crate) fn busy(&self) -> Vec<String> {
        self.apps
            .iter()
            .filter(|(_, r)| r.pending.is_some() || r.rollout.is_some())
            .map(|(name, _)| name.clone())
            .collect()
    }

    /// Publishes what changed in the apps named, and every app added or removed.
    pub(crate) fn publish(&mut self, names: impl IntoIterator<Item = String>) {
        let mut names: BTreeSet<String> = names.into_iter().collect();
        if self.apps.len() != self.feed.published.len() {
            names.extend(self.added_or_removed());
        }
        self.publish_names(names);
    }

    /// Publishes every change, wherever it was made (a test may change any app).
    pub(crate) fn publish_all(&mut self) {
        let mut names: BTreeSet<String> = self.apps.keys().cloned().collect();
        names.extend(self.feed.published.keys().cloned());
        self.publish_names(names);
    }

    fn added_or_removed(&self) -> Vec<String> {
        let added = self
            .apps
            .keys()
            .filter(|name| !self.feed.published.contains_key(*name));
        let removed = self
            .feed
            .published
            .keys()
            .filter(|name| !self.apps.contains_key(*name));
        added.chain(removed).cloned().collect()
    }

    fn publish_names(&mut self, names: BTreeSet<String>) {
        let mut events = Vec::new();
        for name in names {
            let feed = &mut self.feed;
            let event = match (self.apps.get_mut(&name), feed.published.get(&name)) {
                (Some(record), None) => {
                    feed.stamp(&mut record.app);
                    Event {
                        kind: EventType::Added,
                        app: record.app.clone(),
                    }
                }
                (Some(record), Some(last)) if record.app != *last => {
                    // Kubernetes counts spec changes in `generation`.
                    if record.app["spec"] != last["spec"]
                        && let Some(generation) = last["metadata"]["generation"].as_u64()
                    {
                        record.app["metadata"]["generation"] = json!(generation + 1);
                    }
                    feed.stamp(&mut record.app);
                    Event {
                        kind: EventType::Modified,
                        app: record.app.clone(),
                    }
                }
                (Some(_), Some(_)) => continue,
                (None, Some(last)) => {
                    let mut app = last.clone();
                    feed.stamp(&mut app);
                    feed.published.remove(&name);
                    events.push(Arc::new(Event {
                        kind: EventType::Deleted,
                        app,
                    }));
                    continue;
                }
                (None, None) => continue,
            };
            feed.published.insert(name, event.app.clone());
            events.push(Arc::new(event));
        }
        if events.is_empty() {
            return;
        }
        let mut watchers = lock(&self.feed.watchers);
        // A watch whose stream is gone is removed by its handle; until then its sends fail.
        watchers.open.retain(|w| !w.sender.is_closed());
        for event in &events {
            for watcher in &watchers.open {
                if (watcher.filter)(&event.app, &self.rbac) {
                    // Full: dropped, as Argo CD's broadcaster drops it.
                    let _ = watcher.sender.try_send(event.clone());
                }
            }
        }
    }
}

/// The stand-in's state, locked; the changes to apps made through it are published when it is
/// released, as the change of a real app would be.
pub struct StateGuard<'a> {
    state: MutexGuard<'a, State>,
    /// `None`: any app may have changed (a test's hands); else the apps that may have.
    touched: Option<Vec<String>>,
}

impl<'a> StateGuard<'a> {
    /// For a test: publishes every change on release.
    pub(crate) fn all(state: MutexGuard<'a, State>) -> StateGuard<'a> {
        StateGuard {
            state,
            touched: None,
        }
    }

    /// For a request that may change `app` (and let the controller move the apps it is working
    /// on, which it names now, as their work may end before the release).
    pub(crate) fn touching(state: MutexGuard<'a, State>, app: Option<String>) -> StateGuard<'a> {
        let mut touched = state.busy();
        touched.extend(app);
        StateGuard {
            state,
            touched: Some(touched),
        }
    }
}

impl Deref for StateGuard<'_> {
    type Target = State;
    fn deref(&self) -> &State {
        &self.state
    }
}

impl DerefMut for StateGuard<'_> {
    fn deref_mut(&mut self) -> &mut State {
        &mut self.state
    }
}

impl Drop for StateGuard<'_> {
    fn drop(&mut self) {
        match self.touched.take() {
            None => self.state.publish_all(),
            Some(names) => self.state.publish(names),
        }
    }
}
